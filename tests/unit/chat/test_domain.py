"""Chat's rules: token chunking with overlap, prompts by skill level, citations, history windows, titles."""

from __future__ import annotations

import pytest

from services.chat import domain
from services.chat.domain import SkillLevel, Source


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
