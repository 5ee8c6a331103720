"""Names for what the tests create on the shared servers (databases, users), unique to the run.

Every test run on the machine, and each of its pytest-xdist workers, shares the local
PostgreSQL and MariaDB servers: a name made of a fixed prefix and the process id alone is
another run's name too when that run's processes live in another PID namespace (a container,
a CI job beside a developer's run), and dropping "our" database would then end its tests. A
random part, drawn once per process, makes the names this process's own.
"""

from __future__ import annotations

import itertools
import os
import secrets

PROCESS = f"{os.getpid()}_{secrets.token_hex(4)}"
"""This process's part of every name: its pid (to tell whose leftovers are whose) and a token."""
_numbers = itertools.count()


def unique_name(prefix: str) -> str:
    """A database or user name no other process, of this run or another, uses: ``prefix``
    followed by this process's part and a number (lowercase letters, digits, underscores)."""
    return f"{prefix}_{PROCESS}_{next(_numbers)}"
