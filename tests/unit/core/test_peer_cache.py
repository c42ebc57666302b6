"""The typed peer clients' answer cache: an entry lives until its own deadline, and the cache stays bounded."""

from __future__ import annotations

from services.core.peers import AnswerCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_answer_is_fresh_until_its_own_deadline() -> None:
    clock = Clock()
    cache: AnswerCache[str, str | None] = AnswerCache(max_entries=10, clock=clock)
    cache.put("found", "facts", seconds=60)
    cache.put("missing", None, seconds=5)  # a cached "no such thing" is an answer too
    assert cache.get("found") == (True, "facts")
    assert cache.get("missing") == (True, None)
    clock.now += 5
    assert cache.get("missing") == (False, None)
    assert cache.get("found") == (True, "facts")
    clock.now += 55
    assert cache.get("found") == (False, None)
    assert cache.get("never") == (False, None)


def test_forgetting_and_the_bound() -> None:
    cache: AnswerCache[int, int] = AnswerCache(max_entries=3, clock=Clock())
    for key in range(3):
        cache.put(key, key, seconds=60)
    cache.forget(1)
    assert cache.get(1) == (False, None)
    cache.put(3, 3, seconds=60)
    cache.put(4, 4, seconds=60)  # full: cleared first, so it never grows past its bound
    assert [cache.get(key)[0] for key in range(5)] == [False, False, False, False, True]
