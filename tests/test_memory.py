"""The bounded map shared by the hub's caches."""

from __future__ import annotations

from hub.memory import LeastRecentlyUsed


def test_the_least_recently_used_entry_goes_first() -> None:
    memory: LeastRecentlyUsed[str, list[int]] = LeastRecentlyUsed(size=2)
    memory.put("a", [])
    memory.put("b", [])
    assert memory.get("a") == []  # a is now the most recently used
    memory.put("c", [])
    assert len(memory) == 2
    assert memory.get("b") is None
    assert memory.get("a") == [] and memory.get("c") == []


def test_putting_a_known_key_again_makes_it_the_most_recent() -> None:
    memory: LeastRecentlyUsed[str, int] = LeastRecentlyUsed(size=2)
    memory.put("a", 1)
    memory.put("b", 2)
    memory.put("a", 3)
    memory.put("c", 4)
    assert memory.get("a") == 3 and memory.get("b") is None
