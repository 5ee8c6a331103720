"""Where a request comes from: the peer's address, or the client a trusted proxy names.

``X-Forwarded-For`` is believed only from a peer listed in ``[server] trusted_proxies``
(addresses or networks); then the client is the right-most address of the header that is not
itself a trusted proxy. Anyone else could write any address there, so it is ignored.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(
    peer: str | None, headers: Mapping[str, str], trusted_proxies: Iterable[str]
) -> str | None:
    """The address of the client behind a request (see the module's docstring)."""
    networks = _networks(tuple(trusted_proxies))
    if peer is None or not networks or not _within(peer, networks):
        return peer
    forwarded = [part.strip() for part in headers.get("x-forwarded-for", "").split(",")]
    for address in reversed([part for part in forwarded if part]):
        if not _within(address, networks):
            return address[:100]
    return peer


def is_within(address: str | None, networks: Iterable[str]) -> bool:
    """Whether ``address`` is one of ``networks`` (addresses or networks, as configured)."""
    return address is not None and _within(address, _networks(tuple(networks)))


def check_network(value: str) -> str:
    """``value`` if it is an IP address or network; ValueError naming it otherwise."""
    try:
        ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ValueError(f"{value!r} is not an IP address or network (e.g. 10.0.0.0/8)") from None
    return value.strip()


@functools.lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def _within(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)
