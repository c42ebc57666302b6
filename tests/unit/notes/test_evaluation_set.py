"""The evaluation set is meaningful, and the transcript grounding finds real terms without a model."""

from __future__ import annotations

import pytest

from services.notes import domain as d
from services.notes.transcripts import parse_transcript
from tests.integration.notes.eval_set import CASES, Case


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_expected_term_occurs_in_its_transcript(case: Case) -> None:
    assert len(case.terms) >= 6
    assert d.key_term_recall(" ".join(case.lines), case.terms) == 1.0


def test_recall_tells_notes_apart() -> None:
    photosynthesis, neurons = CASES[0], CASES[2]
    assert d.key_term_recall(" ".join(neurons.lines), photosynthesis.terms) < 0.3
    assert d.key_term_recall("", photosynthesis.terms) == 0.0


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_grounding_finds_recurring_transcript_terms(case: Case) -> None:
    chunks = d.chunk_transcript(parse_transcript(case.srt()), 400)
    groundings = [d.ground(chunk) for chunk in chunks]
    terms = [t for g in groundings for t in g.terms]
    assert terms
    text = " ".join(case.lines).lower()
    for term in terms:
        # Transcript words, each defined by a transcript sentence that uses it, with its time.
        assert d.concept_key(term.term) in d.concept_key(text)
        assert term.definition in " ".join(case.lines)
        assert term.offset is not None
    found = " ".join(f"{t.term} {t.definition}" for t in terms)
    assert d.key_term_recall(found, case.terms) >= 0.5


def test_extractive_section_keeps_the_chunk_range_and_its_sentences() -> None:
    chunk = d.chunk_transcript(parse_transcript(CASES[0].srt()), 400)[0]
    section, terms = d.extractive_section(chunk, d.ground(chunk))
    assert section.key_points
    assert section.start == chunk.start
    assert section.end == chunk.end
    for point in section.key_points:
        assert point.offset is not None
        assert chunk.start <= point.offset <= chunk.end
        assert point.text in chunk.text
    assert {t.term for t in terms}


def test_grounded_terms_complete_the_model_and_never_repeat_it() -> None:
    chunk = d.chunk_transcript(parse_transcript(CASES[0].srt()), 400)[0]
    hint = d.ground(chunk)
    model = [d.KeyTerm("Photosynthesis", "how plants make sugar", 0.0)]
    merged = d.grounded_terms(model, hint)
    assert merged[0] is model[0]
    keys = [d.concept_key(t.term) for t in merged]
    assert len(keys) == len(set(keys))
    assert len(merged) > 1
