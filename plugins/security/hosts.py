"""Which agency and unit own a monitored host, from the connector's ``hosts`` table.

The table is keyed by host name (case-insensitive), IP address or network (``10.62.40.0/24``)::

    hosts = { "stc-web01" = { agency = "Sở Tài chính", unit = "23293" },
              "10.62.101.0/24" = { agency = "UBND phường Đăk Cấm", unit = "23284" } }
    default_owner = { agency = "Sở Khoa học và Công nghệ", unit = "23293" }

An alert names its host in several ways (an agent's name and IP; a CEF message's target and
device). The first of those the table knows names the host — an exact name or address before a
network, a narrower network before a wider one; when the table knows none, the first one names
it and ``default_owner`` (if any) owns it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .config import HostOwner

UNKNOWN_HOST = "unknown"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Identified:
    """The host an alert is about, and who owns it (None when nobody is configured)."""

    host: str
    owner: HostOwner | None


CACHED_NAMES = 4096
"""The most host names whose answers are kept (a stream names the same few hosts again and
again; parsing each as an address, then matching networks, is most of the cost otherwise)."""


class HostDirectory:
    """Looks up the owner of a host by name, address or network."""

    def __init__(self, hosts: Mapping[str, HostOwner], default: HostOwner | None = None) -> None:
        self.default = default
        self._known: dict[tuple[str | None, ...], Identified] = {}
        self._exact: dict[str, HostOwner] = {}
        self._networks: list[tuple[Network, HostOwner]] = []
        for key, owner in hosts.items():
            network = _network(key)
            if network is not None and network.num_addresses > 1:
                self._networks.append((network, owner))
            else:
                self._exact[_normal(key)] = owner
        self._networks.sort(key=lambda item: item[0].prefixlen, reverse=True)

    def identify(self, names: Iterable[str | None]) -> Identified:
        """The host among ``names`` (most telling first) that the table knows, and its owner."""
        key = tuple(names)
        found = self._known.get(key)
        if found is None:
            found = self._identify(key)
            if len(self._known) >= CACHED_NAMES:
                self._known.clear()
            self._known[key] = found
        return found

    def _identify(self, names: tuple[str | None, ...]) -> Identified:
        candidates = [_normal(name) for name in names if name and str(name).strip()]
        for candidate in candidates:
            if candidate in self._exact:
                return Identified(candidate, self._exact[candidate])
        for candidate in candidates:
            owner = self._network_owner(candidate)
            if owner is not None:
                return Identified(candidate, owner)
        return Identified(candidates[0] if candidates else UNKNOWN_HOST, self.default)

    def owner_of(self, host: str) -> HostOwner | None:
        """The owner of a host already identified (the table may have changed since)."""
        return self.identify([host]).owner

    def units(self) -> set[str]:
        """Every unit the table (and the default) names: those whose figures are reported."""
        owners = [*self._exact.values(), *(owner for _, owner in self._networks)]
        if self.default is not None:
            owners.append(self.default)
        return {owner.unit for owner in owners if owner.unit}

    def _network_owner(self, candidate: str) -> HostOwner | None:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            return None
        for network, owner in self._networks:
            if address.version == network.version and address in network:
                return owner
        return None


def _normal(name: str) -> str:
    """Names compare case-insensitively, addresses in their canonical form."""
    text = str(name).strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text.lower()


def _network(key: str) -> Network | None:
    try:
        return ipaddress.ip_network(key.strip(), strict=False)
    except ValueError:
        return None
