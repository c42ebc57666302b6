"""Generation rules on plain values: chunking, structured output, scoring, links, recall."""

from __future__ import annotations

import itertools

import pytest

from services.notes import domain as d
from services.notes.transcripts import Chapter, Segment, Transcript


def words(n: int, prefix: str = "w") -> str:
    return " ".join(f"{prefix}{i}" for i in range(n))


def count(text: str) -> int:
    return len(text.split())


def test_chunks_fit_the_budget_and_keep_their_time_range() -> None:
    segments = tuple(Segment(words(20), i * 10.0, i * 10.0 + 10) for i in range(30))
    chunks = d.chunk_transcript(Transcript(segments), 100, count)
    assert len(chunks) >= 6
    assert all(c.tokens <= 100 for c in chunks)
    assert chunks[0].start == 0.0
    assert chunks[-1].end == 300.0
    assert all(a.end is not None and b.start is not None and a.end <= b.start for a, b in itertools.pairwise(chunks))
    assert chunks[0].text.startswith("[0:00] w0")


def test_chapter_boundaries_start_new_chunks() -> None:
    segments = tuple(Segment(words(5), i * 10.0, i * 10.0 + 10) for i in range(12))
    chapters = (Chapter("Intro", 0), Chapter("Middle", 40), Chapter("End", 90))
    chunks = d.chunk_transcript(Transcript(segments, chapters=chapters), 1000, count)
    assert [(c.chapter, c.start, c.end) for c in chunks] == [("Intro", 0.0, 40.0), ("Middle", 40.0, 90.0), ("End", 90.0, 120.0)]


def test_a_wall_of_plain_text_is_split_by_sentences() -> None:
    text = " ".join(f"Sentence number {i} has some words." for i in range(100))
    chunks = d.chunk_transcript(Transcript((Segment(text),)), 60, count)
    assert len(chunks) > 5
    assert all(c.tokens <= 60 for c in chunks)
    assert all(c.start is None for c in chunks)
    assert " ".join(c.text for c in chunks).split() == text.split()


def test_structured_output_is_repaired_locally_where_safe() -> None:
    fenced = (
        'Sure!\n```json\n{"title": "T", "summary": "A summary.", "key_points": [{"text": "Point one", "time": "0:05"},],}\n```'
    )
    out = d.parse_structured(fenced, d.SectionOut)
    assert out.key_points[0].time == "0:05"
    with pytest.raises(d.StructuredOutputError, match="key_points"):
        d.parse_structured('{"title": "T", "summary": "A summary."}', d.SectionOut)
    with pytest.raises(d.StructuredOutputError):
        d.parse_structured("no json here", d.SectionOut)


def test_key_points_stay_inside_their_chunk() -> None:
    chunk = d.Chunk(0, "text", 60.0, 120.0)
    out = d.SectionOut.model_validate(
        {
            "title": "T",
            "summary": "Sum.",
            "key_points": [{"text": "inside", "time": "1:30"}, {"text": "outside", "time": "9:00"}, {"text": "no time"}],
        }
    )
    section, _ = d.section_from(chunk, out)
    assert [p.offset for p in section.key_points] == [90.0, 60.0, 60.0]


def quiz(*questions: dict[str, object]) -> d.QuizOut:
    return d.QuizOut.model_validate({"questions": list(questions)})


def test_quiz_answer_keys_are_checked() -> None:
    good = quiz({"type": "multiple_choice", "prompt": "Which one?", "options": ["a", "b"], "correct": [1]})
    assert d.validate_quiz(good, 1)
    for bad in (
        {"type": "multiple_choice", "prompt": "Which one?", "options": ["a", "b"], "correct": [0, 1]},
        {"type": "multiple_choice", "prompt": "Which one?", "options": ["a", "b"], "correct": [5]},
        {"type": "short_answer", "prompt": "Explain it."},
        {"type": "essay", "prompt": "Explain it."},
    ):
        with pytest.raises((d.StructuredOutputError, ValueError)):
            d.validate_quiz(quiz(bad), 1)


def test_closed_questions_score_exactly() -> None:
    note = d.NoteContent("T", "S", "", [d.NoteSection("S", "s", 10.0, 20.0)], [])
    out = quiz(
        {"type": "multiple_choice", "prompt": "Pick one", "options": ["x", "y", "z"], "correct": [2]},
        {"type": "multiple_select", "prompt": "Pick all", "options": ["x", "y", "z", "w"], "correct": [0, 1]},
        {"type": "true_false", "prompt": "Is it?", "correct": ["false"]},
    )
    q1, q2, q3 = d.quiz_questions(out, note, 10)
    assert (q1.correct, q2.correct, q3.correct, q3.options) == (["c"], ["a", "b"], ["false"], ["True", "False"])
    assert d.score_closed(q1, d.SubmittedAnswer("q1", ("c",))).correctness == "correct"
    assert d.score_closed(q1, d.SubmittedAnswer("q1", ("a",))).points == 0
    assert d.score_closed(q1, None).correctness == "unanswered"
    half = d.score_closed(q2, d.SubmittedAnswer("q2", ("a",)))
    assert (half.correctness, half.points) == ("partially_correct", 1.0)
    assert d.score_closed(q2, d.SubmittedAnswer("q2", ("a", "c"))).points == 0
    assert d.score_closed(q3, d.SubmittedAnswer("q3", ("false",))).points == 1
    assert q1.offset == 10.0


def test_open_answers_follow_the_rubric_levels() -> None:
    question = d.QuizQuestion("q1", "short_answer", "Why?", [], [], "Because.", "", 0, "medium", 2, None)
    assert d.score_open(question, d.SubmittedAnswer("q1", text="x"), d.GradeOut(score=0.9)).points == 2.0
    assert d.score_open(question, d.SubmittedAnswer("q1", text="x"), d.GradeOut(score=0.4)).correctness == "partially_correct"
    assert d.score_open(question, d.SubmittedAnswer("q1", text=" "), None).correctness == "unanswered"


def test_answers_are_validated() -> None:
    questions = [d.QuizQuestion("q1", "multiple_choice", "P", ["a", "b"], ["a"], "", "", 0, "easy", 1, None)]
    for bad in (
        [d.SubmittedAnswer("q9")],
        [d.SubmittedAnswer("q1", ("a", "b"))],
        [d.SubmittedAnswer("q1", ("z",))],
        [d.SubmittedAnswer("q1"), d.SubmittedAnswer("q1")],
        [d.SubmittedAnswer("q1", text="x" * 2001)],
    ):
        with pytest.raises(d.InvalidArgument):
            d.check_answers(questions, bad)


def test_links_by_shared_concepts_same_video_and_subject() -> None:
    me = d.LinkCandidate("n1", "Photosynthesis", "Biology", ("Calvin cycle", "chloroplasts", "ATP"), "vid")
    others = [
        d.LinkCandidate("n2", "Cell energy", "Biology", ("ATP", "chloroplast", "mitochondria")),
        d.LinkCandidate("n3", "Same video, other style", "", (), "vid"),
        d.LinkCandidate("n4", "Evolution", "biology", ("natural selection",)),
        d.LinkCandidate("n5", "Markets", "Economics", ("supply", "demand")),
    ]
    found = {f.target: f for f in d.find_links(me, others)}
    assert set(found) == {"n2", "n3", "n4"}
    assert found["n2"].shared == ("chloroplasts", "ATP")
    assert found["n2"].relation == "related"
    assert found["n3"].relation == "same_source"
    assert found["n4"].relation == "same_subject"
    assert d.find_links(me, others[3:], similarity={"n5": 0.9})[0].target == "n5"


def test_markdown_has_wiki_links_and_timestamps() -> None:
    note = d.NoteContent(
        "Title",
        "Summary.",
        "Bio",
        [d.NoteSection("Part", "Says.", 65.0, 90.0, [d.KeyPoint("A point", 70.0)])],
        [d.KeyTerm("ATP", "energy currency")],
    )
    text = d.render_markdown(note, video_id="abcdefghijk", links=[d.LinkView("Cell energy")])
    assert "## Part ([1:05](https://www.youtube.com/watch?v=abcdefghijk&t=65s))" in text
    assert "- **ATP**: energy currency" in text
    assert "- [[Cell energy]]" in text
    assert "[Cell energy](cell-energy.md)" in d.render_markdown(note, links=[d.LinkView("Cell energy")], link_style="markdown")
    assert d.front_matter({"title": "a: b", "tags": ["x"]}) == '---\ntitle: "a: b"\ntags:\n  - "x"\n---\n\n'


def test_key_term_recall_is_fuzzy_on_word_forms() -> None:
    text = "Chloroplasts hold chlorophyll; the Calvin cycle fixes carbon."
    assert d.key_term_recall(text, ["chloroplast", "calvin cycle", "chlorophyll", "rubisco"]) == 0.75
