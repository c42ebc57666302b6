"""Chat's rules: token chunking with overlap, prompts by skill level, citations, history windows, titles."""

from __future__ import annotations

import pytest

from services.chat import domain
from services.chat.domain import SkillLevel, Source
from services.core.errors import InvalidArgument


def test_chunks_respect_the_token_budget_and_overlap() -> None:
    text = " ".join(f"w{i}" for i in range(100))
    counts = [1] * 100
    chunks = domain.chunk_by_tokens(text, counts, size=30, overlap=5)
    assert all(c.token_count <= 30 for c in chunks)
    assert chunks[0].text.split()[-5:] == chunks[1].text.split()[:5]
    assert chunks[-1].text.endswith("w99")
    assert [c.index for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        assert text[c.start_offset : c.end_offset] == c.text


def test_chunks_count_real_token_sizes_and_long_words() -> None:
    text = "short enormousword short short"
    chunks = domain.chunk_by_tokens(text, [1, 9, 1, 1], size=4, overlap=1)
    assert [c.text for c in chunks] == ["short", "enormousword", "short short"]
    assert domain.chunk_by_tokens("", [], 10, 2) == []
    with pytest.raises(ValueError, match="overlap"):
        domain.chunk_by_tokens("a", [1], 4, 4)


def test_prompt_carries_sources_skill_and_instructions() -> None:
    sources = [Source(1, "d1", "c1", "Barrels", "Three barrels.", 0.9)]
    prompt = domain.system_prompt(SkillLevel.BEGINNER, sources, "Answer in French.")
    assert "[1] Barrels\nThree barrels." in prompt
    assert "beginner" in prompt
    assert "Answer in French." in prompt
    empty = domain.system_prompt(SkillLevel.ADVANCED, [], "")
    assert domain.NO_SOURCES_NOTE in empty
    assert "advanced" in empty


def test_only_given_markers_count_as_citations() -> None:
    sources = [Source(1, "d1", "c1", "a", "", 0.9), Source(2, "d2", "c2", "b", "", 0.8)]
    assert domain.cited_markers("Yes [2]. Also [1] and [2], not [7].", sources) == [2, 1]
    assert domain.cited_markers("No markers.", sources) == []


def test_history_window_keeps_the_newest_whole_turns() -> None:
    turns = [("old", 50), ("mid", 30), ("new", 20)]
    assert domain.window_history(turns, 60) == 2
    assert domain.window_history(turns, 10) == 0
    assert domain.window_history(turns, 1000) == 3


def test_titles_from_the_first_question() -> None:
    assert domain.title_from("How do I  load a horse?") == "How do I load a horse"
    long = domain.title_from("word " * 40)
    assert long.endswith("…")
    assert len(long) <= 61


def test_search_hits_group_by_conversation_best_first() -> None:
    entries = [
        ("c1", "m1", "user", "the zebra roping clinic starts at nine", 2.0),
        ("c2", "", "title", "Zebra notes", 5.0),
        ("c1", "m2", "assistant", "bring a zebra", 1.0),
    ]
    hits = domain.group_search_hits(entries, ["zebra"])
    assert [h.conversation_id for h in hits] == ["c2", "c1"]
    assert hits[0].title_matched
    assert [m.message_id for m in hits[1].matches] == ["m1", "m2"]
    assert "zebra" in hits[1].matches[0].snippet
    with pytest.raises(InvalidArgument, match="query"):
        domain.search_words(" ")


def test_feedback_reasons_must_fit_the_rating() -> None:
    domain.validate_feedback("negative", [1, 6], "")
    domain.validate_feedback("positive", [50], "ok")
    with pytest.raises(InvalidArgument, match="reasons"):
        domain.validate_feedback("positive", [1], "")
    with pytest.raises(InvalidArgument, match="comment"):
        domain.validate_feedback("negative", [], "x" * 2001)


def test_allowances_reset_at_utc_midnight() -> None:
    import datetime as dt

    from services.chat.allowance import day_of, reset_after

    now = dt.datetime(2026, 12, 2, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert day_of(now) == dt.date(2026, 12, 3)
    reset, seconds = reset_after(now)
    assert reset == dt.datetime(2026, 12, 4, tzinfo=dt.UTC)
    assert seconds == pytest.approx(19.5 * 3600)
