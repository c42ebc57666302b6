"""Notes rules on plain values: chunking transcripts for the model, the prompts, parsing and
checking the model's structured output, merging chunk results into a note, quizzes and their
scoring, cross-links by shared concepts, names and etags.

No I/O here: the use cases call the model and the database and hand the results in.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from services.core.errors import FieldViolation, InvalidArgument, NotFound
from services.notes.transcripts import DOMAIN, Chapter, Segment, Transcript, format_offset

T = TypeVar("T", bound=BaseModel)

CREDITS_PER_NOTE = 1
MAX_ACTIVE_JOBS = 3
MAX_QUIZZES_PER_NOTE_PER_DAY = 10
MAX_TITLE = 300
MAX_SUBJECT = 100
MAX_TAGS = 20
MAX_TAG = 50
MAX_SUMMARY = 5000
MAX_MARKDOWN = 200_000
MAX_ANSWER = 2000
MAX_INSTRUCTIONS = 1000
MAX_COMMENT = 200
STEPS = ("fetch_transcript", "chunk", "summarize", "link", "quiz", "finalize")
STEP_PERCENT = {"fetch_transcript": 0, "chunk": 15, "summarize": 20, "link": 75, "quiz": 85, "finalize": 97}


def count_words(text: str) -> int:
    return len(text.split())


def approximate_tokens(text: str) -> int:
    """A tokenizer-free estimate (about 4 characters a token) for when no model tokenizer is at hand."""
    return max(1, len(text) // 4)


# --- names -------------------------------------------------------------------------------


_ID = r"[A-Za-z0-9_-]{1,64}"


def parse_name(name: str, pattern: str, field_name: str = "name") -> tuple[str, ...]:
    """The ids in `name` for a pattern like `users/{}/notes/{}`; `users/me` is resolved by the caller."""
    regex = "^" + re.escape(pattern).replace(r"\{\}", f"({_ID})") + "$"
    match = re.match(regex, name or "")
    if not match:
        raise InvalidArgument(
            f"{field_name}: must look like {pattern.replace('{}', '…')}",
            domain=DOMAIN,
            violations=[FieldViolation(field_name, f"must look like {pattern}")],
        )
    return match.groups()


def note_name(user: str, note: str) -> str:
    return f"users/{user}/notes/{note}"


def operation_name(user: str, operation: str) -> str:
    return f"users/{user}/operations/{operation}"


def quiz_name(user: str, note: str, quiz: str) -> str:
    return f"users/{user}/notes/{note}/quizzes/{quiz}"


def not_found(what: str) -> NotFound:
    return NotFound(f"{what} not found", domain=DOMAIN)


def etag_of(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:20]


def slug(title: str, limit: int = 60) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return words[:limit].rstrip("-") or "note"


def normalize_tags(tags: Iterable[str], field_name: str = "tags") -> list[str]:
    found: list[str] = []
    for tag in tags:
        cleaned = tag.strip().lower()
        if not cleaned or len(cleaned) > MAX_TAG:
            raise InvalidArgument(
                f"{field_name}: each tag needs 1 to {MAX_TAG} characters",
                domain=DOMAIN,
                violations=[FieldViolation(field_name, f"each tag needs 1 to {MAX_TAG} characters")],
            )
        if cleaned not in found:
            found.append(cleaned)
    if len(found) > MAX_TAGS:
        raise InvalidArgument(
            f"{field_name}: at most {MAX_TAGS} tags", domain=DOMAIN, violations=[FieldViolation(field_name, "too many tags")]
        )
    return found


def check_length(value: str, limit: int, field_name: str) -> str:
    if len(value) > limit:
        raise InvalidArgument(
            f"{field_name}: at most {limit} characters",
            domain=DOMAIN,
            violations=[FieldViolation(field_name, f"at most {limit} characters")],
        )
    return value


# --- chunking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    """One pass of the transcript the model reads at once, with the video range it covers."""

    index: int
    text: str
    start: float | None
    end: float | None
    chapter: str = ""
    tokens: int = 0


def _render(segment: Segment) -> str:
    return f"[{format_offset(segment.start)}] {segment.text}" if segment.start is not None else segment.text


def _split_long(segment: Segment, budget: int, count: Callable[[str], int]) -> list[Segment]:
    """A single segment over the budget (a plain-text wall) cut into sentence runs that fit."""
    if count(segment.text) <= budget:
        return [segment]
    pieces: list[Segment] = []
    current: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", segment.text):
        words = sentence.split()
        # A sentence longer than the budget is cut by words.
        while words:
            take: list[str] = []
            while words and count(" ".join([*current, *take, words[0]])) <= budget:
                take.append(words.pop(0))
            if not take and not current:
                take.append(words.pop(0))
            if take:
                current.extend(take)
            if words or count(" ".join(current)) >= budget:
                pieces.append(Segment(" ".join(current), segment.start, segment.end))
                current = []
    if current:
        pieces.append(Segment(" ".join(current), segment.start, segment.end))
    return pieces


def chunk_transcript(transcript: Transcript, budget: int, count: Callable[[str], int] = approximate_tokens) -> list[Chunk]:
    """Split by tokens; a chapter boundary always starts a new chunk, so a chunk never straddles two."""
    if budget < 16:
        raise ValueError("chunk budget too small")
    chapters = sorted(transcript.chapters, key=lambda c: c.start)

    def chapter_at(offset: float | None) -> Chapter | None:
        if offset is None or not chapters:
            return None
        current = None
        for chapter in chapters:
            if chapter.start <= offset:
                current = chapter
        return current

    chunks: list[Chunk] = []
    lines: list[Segment] = []
    used = 0
    open_chapter: Chapter | None = None

    def close() -> None:
        nonlocal lines, used
        if not lines:
            return
        starts = [s.start for s in lines if s.start is not None]
        ends = [s.end for s in lines if s.end is not None]
        text = "\n".join(_render(s) for s in lines)
        chunks.append(
            Chunk(
                index=len(chunks),
                text=text,
                start=min(starts) if starts else None,
                end=max(ends) if ends else None,
                chapter=open_chapter.title if open_chapter else "",
                tokens=count(text),
            )
        )
        lines, used = [], 0

    for whole in transcript.segments:
        for segment in _split_long(whole, budget, count):
            chapter = chapter_at(segment.start)
            if chapter is not open_chapter and lines:
                close()
            open_chapter = chapter
            cost = count(_render(segment)) + 1
            if lines and used + cost > budget:
                close()
            lines.append(segment)
            used += cost
    close()
    return chunks


# --- structured output -------------------------------------------------------------------


class StructuredOutputError(ValueError):
    """The model's answer does not fit the schema (after local repair)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class KeyPointOut(_Strict):
    text: str = Field(min_length=3, max_length=600)
    time: str | float | None = None


class TermOut(_Strict):
    term: str = Field(min_length=1, max_length=120)
    definition: str = Field(min_length=3, max_length=1000)


class SectionOut(_Strict):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=3, max_length=3000)
    key_points: list[KeyPointOut] = Field(min_length=1, max_length=20)
    key_terms: list[TermOut] = Field(default_factory=list, max_length=20)
    examples: list[str] = Field(default_factory=list, max_length=10)
    questions: list[str] = Field(default_factory=list, max_length=10)
    action_items: list[str] = Field(default_factory=list, max_length=10)


class OverviewOut(_Strict):
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    summary: str = Field(min_length=10, max_length=MAX_SUMMARY)
    subject: str = Field(default="", max_length=MAX_SUBJECT)


class QuestionOut(_Strict):
    type: str
    prompt: str = Field(min_length=5, max_length=1000)
    options: list[str] = Field(default_factory=list, max_length=8)
    correct: list[int | str] = Field(default_factory=list, max_length=8)
    reference_answer: str = Field(default="", max_length=2000)
    explanation: str = Field(default="", max_length=2000)
    section: int = 0
    difficulty: str = "medium"

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        value = value.strip().lower().replace("-", "_").replace(" ", "_")
        if value not in QUESTION_TYPES:
            raise ValueError(f"type must be one of {', '.join(QUESTION_TYPES)}")
        return value


class QuizOut(_Strict):
    questions: list[QuestionOut] = Field(min_length=1, max_length=30)


class GradeOut(_Strict):
    score: float = Field(ge=0, le=1)
    feedback: str = Field(default="", max_length=1000)


QUESTION_TYPES = ("multiple_choice", "multiple_select", "true_false", "short_answer")
_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def extract_json(text: str) -> Any:
    """The JSON object in a model's answer, repaired locally where that is safe: code fences,
    prose around the object, trailing commas, smart quotes used as JSON quotes."""
    cleaned = _FENCE.sub("", text.strip())
    start = cleaned.find("{")
    end = cleaned.rfind("}")
    if start < 0 or end <= start:
        raise StructuredOutputError("no JSON object in the answer")
    body = cleaned[start : end + 1]
    for attempt in (body, _TRAILING_COMMA.sub(r"\1", body), _TRAILING_COMMA.sub(r"\1", body.replace("“", '"').replace("”", '"'))):
        try:
            return json.loads(attempt)
        except json.JSONDecodeError:
            continue
    raise StructuredOutputError("the answer is not valid JSON")


def parse_structured(text: str, schema: type[T]) -> T:
    data = extract_json(text)
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        raise StructuredOutputError(problems) from None


def validate_quiz(quiz: QuizOut, section_count: int) -> QuizOut:
    """Answer keys that make sense: options where needed, correct ids among them, one for single-answer types."""
    for i, q in enumerate(quiz.questions):
        where = f"questions.{i}"
        if q.type == "short_answer":
            if not q.reference_answer:
                raise StructuredOutputError(f"{where}: a short answer needs a reference_answer")
            continue
        options = ["true", "false"] if q.type == "true_false" else q.options
        if q.type != "true_false" and len(options) < 2:
            raise StructuredOutputError(f"{where}: needs at least two options")
        ids = option_ids(q.type, len(options))
        keys = [_answer_key(c, ids) for c in q.correct]
        if any(k is None for k in keys) or not keys:
            raise StructuredOutputError(f"{where}: correct must name options by letter or index")
        if q.type in ("multiple_choice", "true_false") and len(set(keys)) != 1:
            raise StructuredOutputError(f"{where}: exactly one correct option")
        if not 0 <= q.section < max(1, section_count):
            q.section = 0
    return quiz


def option_ids(kind: str, count: int) -> list[str]:
    return ["true", "false"] if kind == "true_false" else [chr(ord("a") + i) for i in range(count)]


def _answer_key(value: int | str, ids: Sequence[str]) -> str | None:
    if isinstance(value, int):
        return ids[value] if 0 <= value < len(ids) else None
    text = value.strip().lower().rstrip(").")
    if text in ids:
        return text
    if text.isdigit() and 0 <= int(text) < len(ids):
        return ids[int(text)]
    return None


# --- prompts -----------------------------------------------------------------------------

SYSTEM_PROMPT = (
    "You write accurate study notes from lecture and video transcripts. "
    "Answer with one JSON object only, no prose, following the schema you are given."
)

SECTION_SCHEMA = (
    '{"title": "heading", "summary": "one paragraph", '
    '"key_points": [{"text": "one or two sentences", "time": "m:ss where the point is made"}], '
    '"key_terms": [{"term": "word", "definition": "as the speaker uses it"}], '
    '"examples": ["worked example"], "questions": ["question to check understanding"], "action_items": ["to do"]}'
)
OVERVIEW_SCHEMA = '{"title": "note title", "summary": "a few sentences on the whole video", "subject": "school subject"}'
QUIZ_SCHEMA = (
    '{"questions": [{"type": "multiple_choice|multiple_select|true_false|short_answer", "prompt": "question", '
    '"options": ["option text"], "correct": [0], "reference_answer": "for short_answer", '
    '"explanation": "why", "section": 0, "difficulty": "easy|medium|hard"}]}'
)
GRADE_SCHEMA = '{"score": 0.0, "feedback": "what was missing or mistaken"}'

DETAIL_POINTS = {"brief": 3, "standard": 5, "detailed": 8}


@dataclass(frozen=True)
class WritingOptions:
    detail_level: str = "standard"
    style: str = "study_guide"
    instructions: str = ""
    subject: str = ""
    language_code: str = ""


# --- grounding: what the transcript itself says -----------------------------------------
#
# Before the model writes a section, the chunk's own recurring terms (and the sentences that
# introduce them) are found by counting: they go into the prompt as a hint, they complete the
# model's key terms, and, where the model's answer never fits the schema, they make the section
# on their own (`extractive_section`). Every term and point is transcript text, so even a tiny
# model's note names the lecture's real terms; nothing here knows any answer.

_COMMON = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "also",
        "another",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "called",
        "cannot",
        "could",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "every",
        "first",
        "from",
        "further",
        "going",
        "have",
        "having",
        "here",
        "into",
        "itself",
        "just",
        "know",
        "last",
        "like",
        "look",
        "lot",
        "made",
        "make",
        "makes",
        "many",
        "means",
        "more",
        "most",
        "much",
        "next",
        "number",
        "other",
        "over",
        "part",
        "really",
        "remember",
        "same",
        "second",
        "should",
        "show",
        "shows",
        "since",
        "some",
        "such",
        "take",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "thing",
        "things",
        "third",
        "this",
        "those",
        "through",
        "time",
        "today",
        "together",
        "under",
        "until",
        "used",
        "uses",
        "using",
        "very",
        "want",
        "week",
        "well",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "would",
        "year",
        "years",
        "your",
        "talk",
        "talks",
        "idea",
        "ideas",
        "find",
        "finds",
        "come",
        "comes",
    ]
)
_LINE = re.compile(r"^\[(\d+:\d{2}(?::\d{2})?)\]\s*(.*)$")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")


@dataclass(frozen=True)
class Grounding:
    """A chunk's recurring terms, each with the first sentence that uses it, and its key sentences."""

    terms: tuple[KeyTerm, ...]
    points: tuple[KeyPoint, ...]
    sentences: tuple[tuple[str, float | None], ...]


def _sentences(chunk: Chunk) -> list[tuple[str, float | None]]:
    found: list[tuple[str, float | None]] = []
    for line in chunk.text.splitlines():
        match = _LINE.match(line.strip())
        text, offset = (match.group(2), parse_offset(match.group(1))) if match else (line.strip(), chunk.start)
        found.extend((part.strip(), offset) for part in re.split(r"(?<=[.!?])\s+", text) if len(part.split()) >= 3)
    return found


def _content(word: str) -> bool:
    lowered = word.lower()
    if lowered in _STOP or lowered in _COMMON:
        return False
    return len(word) >= 4 or (word.isupper() and len(word) >= 2)


def ground(chunk: Chunk, *, max_terms: int = 10, max_points: int = 4) -> Grounding:
    """Terms that recur in the chunk (words and two-word phrases, compared by `concept_key`; an
    acronym or a name used mid-sentence counts once), each defined by the first sentence using it."""
    sentences = _sentences(chunk)
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}
    marked: set[str] = set()
    for sentence, _ in sentences:
        words = _WORD.findall(sentence)
        for i, word in enumerate(words):
            candidates = [[word]]
            if i + 1 < len(words):
                candidates.append([word, words[i + 1]])
            for phrase in candidates:
                if not all(_content(w) for w in phrase):
                    continue
                key = concept_key(" ".join(phrase))
                if not key:
                    continue
                counts[key] = counts.get(key, 0) + 1
                shown.setdefault(key, " ".join(phrase))
                if len(phrase) == 1 and i > 0 and (word.isupper() or word[0].isupper()):
                    marked.add(key)
    # A phrase used at least twice outranks its own words; a word stands on repetition or marking.
    phrases = {k for k, n in counts.items() if " " in k and n >= 2}
    # How often each word occurs inside its most frequent phrase: a word seen hardly more often
    # than that is the phrase's part ("calvin" of "calvin cycle"), not a term of its own.
    in_phrase: dict[str, int] = {}
    for repeated in phrases:
        for part in repeated.split():
            in_phrase[part] = max(in_phrase.get(part, 0), counts[repeated])
    scored: list[tuple[float, str]] = []
    for key, n in counts.items():
        if " " in key:
            if key in phrases:
                scored.append((n * 1.2, key))
        elif (n >= 2 or key in marked) and n > in_phrase.get(key, -1) + 1:
            scored.append((n + (0.5 if key in marked else 0.0), key))
    chosen = [key for _, key in sorted(scored, key=lambda item: (-item[0], item[1]))[:max_terms]]
    terms = []
    for key in chosen:
        first = next(((t, o) for t, o in sentences if key in concept_key(t)), None)
        if first is not None:
            terms.append(KeyTerm(shown[key], first[0][:300], first[1]))
    weight = {key: 1.0 for key in chosen}
    ranked = sorted(
        range(len(sentences)),
        key=lambda i: -sum(w for k, w in weight.items() if f" {k} " in f" {concept_key(sentences[i][0])} "),
    )
    picked = sorted(ranked[:max_points])
    points = tuple(KeyPoint(sentences[i][0][:300], sentences[i][1]) for i in picked)
    return Grounding(tuple(terms), points, tuple(sentences))


def grounded_terms(model_terms: Sequence[KeyTerm], grounding: Grounding, *, limit: int = 10) -> list[KeyTerm]:
    """The model's terms, then the transcript's recurring terms it left out (up to `limit` in all)."""
    merged = list(model_terms)
    known = {concept_key(t.term) for t in merged}
    for term in grounding.terms:
        if len(merged) >= max(limit, len(model_terms)):
            break
        key = concept_key(term.term)
        if key and key not in known and not any(key in k or k in key for k in known if k):
            merged.append(term)
            known.add(key)
    return merged


def extractive_section(chunk: Chunk, grounding: Grounding) -> tuple[NoteSection, list[KeyTerm]]:
    """A section made of the transcript's own sentences, for when the model's answer never fit."""
    names = [t.term for t in grounding.terms[:3]]
    title = chunk.chapter or (", ".join(names) if names else f"Part {chunk.index + 1}")
    summary = " ".join(s for s, _ in grounding.sentences[:2])[:3000] or chunk.text[:300]
    points = list(grounding.points) or [KeyPoint(summary[:300], chunk.start)]
    section = NoteSection(title=title[:200], summary=summary, start=chunk.start, end=chunk.end, key_points=points)
    return section, list(grounding.terms)


def extractive_overview(sections: Sequence[NoteSection], terms: Sequence[KeyTerm], source_title: str) -> OverviewOut:
    """Title and summary from the sections themselves, for when the model's overview never fit."""
    title = source_title or ", ".join(t.term for t in terms[:3]) or (sections[0].title if sections else "Notes")
    summary = " ".join(s.summary for s in sections)[:MAX_SUMMARY]
    return OverviewOut(title=title[:MAX_TITLE], summary=summary if len(summary) >= 10 else f"Notes on {title}.", subject="")


def section_prompt(chunk: Chunk, total: int, options: WritingOptions, hint: Grounding | None = None) -> list[dict[str, str]]:
    where = f"part {chunk.index + 1} of {total}"
    if chunk.chapter:
        where += f', chapter "{chunk.chapter}"'
    lines = [
        f"Transcript {where}. Lines start with their video time when known.",
        f"Write notes for this part: at most {DETAIL_POINTS.get(options.detail_level, 5)} key points, "
        "and the terms a student must know with definitions.",
    ]
    if options.subject:
        lines.append(f"Subject: {options.subject}.")
    if options.language_code:
        lines.append(f"Write in the language with BCP-47 tag {options.language_code}.")
    if options.instructions:
        lines.append(f"Extra instructions from the student: {options.instructions}")
    if hint:
        lines.append("Terms this part uses (explain the ones that matter): " + ", ".join(t.term for t in hint.terms) + ".")
    lines += [f"JSON schema: {SECTION_SCHEMA}", "", "Transcript:", chunk.text]
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "\n".join(lines)}]


def overview_prompt(sections: Sequence[NoteSection], source_title: str, options: WritingOptions) -> list[dict[str, str]]:
    outline = "\n".join(f"- {s.title}: {s.summary}" for s in sections)
    lines = ["These are the section notes of one video, in order.", outline]
    if source_title:
        lines.append(f"The video is titled: {source_title}")
    if options.subject:
        lines.append(f"Subject: {options.subject}.")
    lines += [
        "Merge them: a title for the note, a summary of the whole video and its school subject.",
        f"JSON schema: {OVERVIEW_SCHEMA}",
    ]
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "\n".join(lines)}]


def quiz_prompt(
    note: NoteContent, count: int, types: Sequence[str], difficulty: str, sections: Sequence[int]
) -> list[dict[str, str]]:
    chosen = [(i, s) for i, s in enumerate(note.sections) if not sections or i in sections]
    material = "\n".join(f"Section {i}: {s.title}\n" + "\n".join(f"- {p.text}" for p in s.key_points) for i, s in chosen)
    lines = [
        f"Write a quiz of {count} questions on these study notes.",
        f"Question types: {', '.join(types or QUESTION_TYPES)}. Difficulty: {difficulty}.",
        "For choice questions `correct` lists the 0-based indexes of the right options; true_false has no options.",
        f"JSON schema: {QUIZ_SCHEMA}",
        "",
        material,
    ]
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "\n".join(lines)}]


def repair_prompt(messages: Sequence[dict[str, str]], answer: str, problem: str) -> list[dict[str, str]]:
    """The conversation again with the invalid answer and what was wrong, asking for a corrected object."""
    return [
        *messages,
        {"role": "assistant", "content": answer[:4000]},
        {"role": "user", "content": f"That answer is invalid: {problem}. Reply with the corrected JSON object only."},
    ]


def grade_prompt(question: QuizQuestion, answer: str) -> list[dict[str, str]]:
    rubric = (
        "Rubric: 1.0 when the answer states every idea of the reference answer correctly; "
        "0.5 when it states the main idea but misses or garbles a detail; 0.0 when it is wrong, off-topic or empty. "
        "Wording and spelling do not matter."
    )
    content = "\n".join(
        [
            f"Question: {question.prompt}",
            f"Reference answer: {question.reference_answer}",
            f"Student answer: {answer}",
            rubric,
            f"JSON schema: {GRADE_SCHEMA}",
        ]
    )
    return [
        {"role": "system", "content": "You grade short answers fairly. Answer with JSON only."},
        {"role": "user", "content": content},
    ]


# --- the note ----------------------------------------------------------------------------


@dataclass
class KeyPoint:
    text: str
    offset: float | None = None


@dataclass
class KeyTerm:
    term: str
    definition: str
    offset: float | None = None


@dataclass
class NoteSection:
    title: str
    summary: str
    start: float | None = None
    end: float | None = None
    key_points: list[KeyPoint] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    action_items: list[str] = field(default_factory=list)


@dataclass
class NoteContent:
    title: str
    summary: str
    subject: str
    sections: list[NoteSection]
    key_terms: list[KeyTerm]

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NoteContent:
        return cls(
            title=data.get("title", ""),
            summary=data.get("summary", ""),
            subject=data.get("subject", ""),
            sections=[
                NoteSection(
                    **{k: v for k, v in s.items() if k != "key_points"},
                    key_points=[KeyPoint(**p) for p in s.get("key_points", [])],
                )
                for s in data.get("sections", [])
            ],
            key_terms=[KeyTerm(**t) for t in data.get("key_terms", [])],
        )


def parse_offset(value: str | float | None) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    match = re.match(r"^\[?\s*(?:(\d+):)?(\d{1,2}):(\d{2})\s*\]?$", value.strip())
    if not match:
        try:
            return float(value)
        except ValueError:
            return None
    h, m, s = match.groups()
    return int(h or 0) * 3600 + int(m) * 60 + int(s)


def section_from(chunk: Chunk, out: SectionOut) -> tuple[NoteSection, list[KeyTerm]]:
    """A section with every key point inside its chunk's time range (a cited time outside it is clamped)."""

    def within(value: str | float | None) -> float | None:
        if chunk.start is None:
            return None
        offset = parse_offset(value)
        end = chunk.end if chunk.end is not None else chunk.start
        if offset is None or not chunk.start <= offset <= end:
            return chunk.start
        return offset

    section = NoteSection(
        title=out.title,
        summary=out.summary,
        start=chunk.start,
        end=chunk.end,
        key_points=[KeyPoint(p.text, within(p.time)) for p in out.key_points],
        examples=list(out.examples),
        questions=list(out.questions),
        action_items=list(out.action_items),
    )
    terms = [KeyTerm(t.term, t.definition, chunk.start) for t in out.key_terms]
    return section, terms


def merge_terms(groups: Iterable[list[KeyTerm]]) -> list[KeyTerm]:
    """Key terms of all chunks, the first explanation of each term kept."""
    seen: dict[str, KeyTerm] = {}
    for terms in groups:
        for term in terms:
            key = concept_key(term.term)
            if key and key not in seen:
                seen[key] = term
    return list(seen.values())


def merge_note(
    sections: list[NoteSection], terms: list[KeyTerm], overview: OverviewOut, options: WritingOptions, title: str
) -> NoteContent:
    return NoteContent(
        title=(title or overview.title)[:MAX_TITLE],
        summary=overview.summary[:MAX_SUMMARY],
        subject=(options.subject or overview.subject)[:MAX_SUBJECT],
        sections=sections,
        key_terms=terms,
    )


# --- Markdown ----------------------------------------------------------------------------


def watch_uri(video_id: str, offset: float | None) -> str:
    if not video_id or offset is None:
        return ""
    return f"https://www.youtube.com/watch?v={video_id}&t={int(offset)}s"


@dataclass(frozen=True)
class LinkView:
    title: str
    relation: str = "related"


def _time_label(offset: float | None, video_id: str) -> str:
    if offset is None:
        return ""
    label = format_offset(offset)
    uri = watch_uri(video_id, offset)
    return f" ([{label}]({uri}))" if uri else f" ({label})"


def render_markdown(note: NoteContent, *, video_id: str = "", links: Sequence[LinkView] = (), link_style: str = "wiki") -> str:
    out = [f"# {note.title}", "", note.summary, ""]
    for section in note.sections:
        out += [f"## {section.title}{_time_label(section.start, video_id)}", "", section.summary, ""]
        out += [f"- {p.text}{_time_label(p.offset, video_id)}" for p in section.key_points]
        if section.examples:
            out += ["", "**Examples**", *[f"- {e}" for e in section.examples]]
        if section.questions:
            out += ["", "**Questions**", *[f"- {q}" for q in section.questions]]
        if section.action_items:
            out += ["", "**Action items**", *[f"- [ ] {a}" for a in section.action_items]]
        out.append("")
    if note.key_terms:
        out += ["## Key terms", ""]
        out += [f"- **{t.term}**: {t.definition}" for t in note.key_terms]
        out.append("")
    if links and link_style != "none":
        out += ["## Related notes", ""]
        for link in links:
            ref = f"[[{link.title}]]" if link_style == "wiki" else f"[{link.title}]({slug(link.title)}.md)"
            out.append(f"- {ref}" + (f" ({link.relation.replace('_', ' ')})" if link.relation != "related" else ""))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def front_matter(values: dict[str, Any]) -> str:
    lines = ["---"]
    for key, value in values.items():
        if isinstance(value, list):
            lines.append(f"{key}:" + ("" if value else " []"))
            lines += [f"  - {json.dumps(v, ensure_ascii=False)}" for v in value]
        elif value not in ("", None):
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join([*lines, "---", ""]) + "\n"


def word_count(markdown: str) -> int:
    """Words a reader sees: Markdown marks, link targets and lone punctuation do not count."""
    text = re.sub(r"\]\([^)]*\)", "]", markdown)
    return sum(1 for token in text.split() if re.search(r"\w", token))


# --- cross-links -------------------------------------------------------------------------

_STOP = {"the", "a", "an", "of", "and", "or", "in", "on", "to", "for", "with", "by", "is", "are"}


def concept_key(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", text.lower()))
    words = [w[:-1] if len(w) > 4 and w.endswith("s") else w for w in words if w not in _STOP]
    return " ".join(words)


@dataclass(frozen=True)
class LinkCandidate:
    note_id: str
    title: str
    subject: str
    concepts: tuple[str, ...]
    video_id: str = ""


@dataclass(frozen=True)
class FoundLink:
    target: str
    relation: str
    score: float
    shared: tuple[str, ...]


def _same(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 5 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.88)


def find_links(
    note: LinkCandidate,
    others: Sequence[LinkCandidate],
    *,
    similarity: dict[str, float] | None = None,
    min_score: float = 0.2,
    limit: int = 10,
) -> list[FoundLink]:
    """Links by shared concepts (fuzzy match of key terms and titles), same video and same subject;
    `similarity` (embedding cosine per note id) raises the score of notes about the same thing."""
    mine = [concept_key(c) for c in note.concepts if concept_key(c)]
    found: list[FoundLink] = []
    for other in others:
        if other.note_id == note.note_id:
            continue
        theirs = [concept_key(c) for c in (*other.concepts, other.title) if concept_key(c)]
        shared = tuple(
            dict.fromkeys(c for c, key in zip(note.concepts, mine, strict=False) if any(_same(key, t) for t in theirs))
        )
        overlap = len(shared) / max(1, min(len(mine), len(theirs)))
        score = min(1.0, overlap)
        relation = "related"
        if note.video_id and note.video_id == other.video_id:
            relation, score = "same_source", max(score, 0.9)
        elif not shared and note.subject and note.subject.lower() == other.subject.lower():
            relation, score = "same_subject", max(score, 0.25)
        if similarity and other.note_id in similarity:
            score = max(score, 0.5 * score + 0.5 * max(0.0, similarity[other.note_id]))
        if score >= min_score:
            found.append(FoundLink(other.note_id, relation, round(score, 3), shared))
    found.sort(key=lambda f: (-f.score, f.target))
    return found[:limit]


def link_text(note: NoteContent) -> str:
    """What a note's embedding is made of: its title, summary and key terms."""
    return "\n".join([note.title, note.summary, ", ".join(t.term for t in note.key_terms)])


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    if len(a) != len(b) or not a:
        return 0.0
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = (sum(x * x for x in a) * sum(y * y for y in b)) ** 0.5
    return dot / norm if norm else 0.0


INVERSE_RELATION = {"prerequisite": "follow_up", "follow_up": "prerequisite"}


def inverse(relation: str) -> str:
    return INVERSE_RELATION.get(relation, relation)


# --- quizzes -----------------------------------------------------------------------------


@dataclass
class QuizQuestion:
    id: str
    type: str
    prompt: str
    options: list[str]
    correct: list[str]
    reference_answer: str
    explanation: str
    section_index: int
    difficulty: str
    points: int
    offset: float | None

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


DIFFICULTIES = ("easy", "medium", "hard")


def quiz_questions(out: QuizOut, note: NoteContent, count: int) -> list[QuizQuestion]:
    questions: list[QuizQuestion] = []
    for i, q in enumerate(out.questions[:count]):
        options = [] if q.type in ("short_answer", "true_false") else q.options
        ids = option_ids(q.type, len(options))
        correct = sorted({k for k in (_answer_key(c, ids) for c in q.correct) if k}) if q.type != "short_answer" else []
        section = note.sections[q.section] if 0 <= q.section < len(note.sections) else None
        difficulty = q.difficulty.lower() if q.difficulty.lower() in DIFFICULTIES else "medium"
        questions.append(
            QuizQuestion(
                id=f"q{i + 1}",
                type=q.type,
                prompt=q.prompt,
                options=["True", "False"] if q.type == "true_false" else options,
                correct=correct,
                reference_answer=q.reference_answer,
                explanation=q.explanation,
                section_index=q.section if section else 0,
                difficulty=difficulty,
                points=2 if q.type in ("multiple_select", "short_answer") else 1,
                offset=section.start if section else None,
            )
        )
    return questions


@dataclass(frozen=True)
class SubmittedAnswer:
    question_id: str
    selected: tuple[str, ...] = ()
    text: str = ""


@dataclass
class Result:
    question_id: str
    correctness: str  # correct, partially_correct, incorrect, unanswered
    points: float
    possible: int
    feedback: str = ""


def check_answers(questions: Sequence[QuizQuestion], answers: Sequence[SubmittedAnswer]) -> dict[str, SubmittedAnswer]:
    by_id = {q.id: q for q in questions}
    found: dict[str, SubmittedAnswer] = {}
    for i, answer in enumerate(answers):
        where = f"answers[{i}]"
        question = by_id.get(answer.question_id)
        if question is None:
            raise _bad(f"{where}.question_id", f"no question {answer.question_id!r} in this quiz")
        if answer.question_id in found:
            raise _bad(f"{where}.question_id", "answered twice")
        if len(answer.text) > MAX_ANSWER:
            raise _bad(f"{where}.text", f"at most {MAX_ANSWER} characters")
        ids = option_ids(question.type, len(question.options))
        unknown = [s for s in answer.selected if s not in ids]
        if unknown:
            raise _bad(f"{where}.selected_option_ids", f"unknown option {unknown[0]!r}")
        if question.type in ("multiple_choice", "true_false") and len(answer.selected) > 1:
            raise _bad(f"{where}.selected_option_ids", "this question takes one option")
        found[answer.question_id] = answer
    return found


def _bad(field_name: str, description: str) -> InvalidArgument:
    return InvalidArgument(f"{field_name}: {description}", domain=DOMAIN, violations=[FieldViolation(field_name, description)])


def score_closed(question: QuizQuestion, answer: SubmittedAnswer | None) -> Result:
    """Exact scoring for choice questions; multiple-select earns right picks less wrong picks, never below 0."""
    if answer is None or (not answer.selected and not answer.text.strip()):
        return Result(question.id, "unanswered", 0.0, question.points, "Not answered.")
    chosen, right = set(answer.selected), set(question.correct)
    if chosen == right:
        return Result(question.id, "correct", float(question.points), question.points, "Correct.")
    if question.type == "multiple_select":
        fraction = max(0.0, (len(chosen & right) - len(chosen - right)) / len(right))
        if fraction > 0:
            missed = ", ".join(sorted(right - chosen)) or "none"
            return Result(
                question.id,
                "partially_correct",
                round(question.points * fraction, 2),
                question.points,
                f"Partly right; missed: {missed}; wrong picks: {', '.join(sorted(chosen - right)) or 'none'}.",
            )
    return Result(question.id, "incorrect", 0.0, question.points, f"The right answer is {', '.join(sorted(right))}.")


def score_open(question: QuizQuestion, answer: SubmittedAnswer | None, grade: GradeOut | None) -> Result:
    if answer is None or not answer.text.strip():
        return Result(question.id, "unanswered", 0.0, question.points, "Not answered.")
    assert grade is not None
    # The rubric has three levels; a model's in-between score is snapped to the nearest.
    level = min((0.0, 0.5, 1.0), key=lambda v: abs(v - grade.score))
    correctness = {1.0: "correct", 0.5: "partially_correct", 0.0: "incorrect"}[level]
    return Result(
        question.id, correctness, level * question.points, question.points, grade.feedback or correctness.replace("_", " ")
    )


def score_percent(results: Sequence[Result]) -> tuple[float, int, float]:
    score = sum(r.points for r in results)
    possible = sum(r.possible for r in results)
    return score, possible, round(100.0 * score / possible, 2) if possible else 0.0


def key_term_recall(note_text: str, terms: Sequence[str]) -> float:
    """Share of the expected terms the note mentions (fuzzy on word forms): the evaluation figure."""
    haystack = concept_key(note_text)
    words = haystack.split()
    hits = 0
    for term in terms:
        key = concept_key(term)
        if not key:
            continue
        if f" {key} " in f" {haystack} ":
            hits += 1
            continue
        n = len(key.split())
        windows = (" ".join(words[i : i + n]) for i in range(max(0, len(words) - n + 1)))
        if any(_same(key, w) for w in windows):
            hits += 1
    return hits / len(terms) if terms else 0.0
