"""A deterministic "model" for the OpenAI-compatible stand-in: it reads Notes' real prompts and
answers JSON built from the transcript it was given (frequent content words become key terms,
timed lines become key points), so tests can check what the service does with real answers.

Markers in a transcript steer failures: `REPAIRME` makes the first answer break the schema (the
service must re-ask); `FENCEME` wraps the answer in prose and a code fence with trailing commas
(the service must repair it locally); `GARBAGEME` never answers valid JSON (the job must fail).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

STOP = set(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "could",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "from",
        "further",
        "have",
        "having",
        "here",
        "itself",
        "just",
        "more",
        "most",
        "once",
        "only",
        "other",
        "ought",
        "ourselves",
        "over",
        "same",
        "should",
        "some",
        "such",
        "than",
        "that",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "until",
        "very",
        "what",
        "when",
        "where",
        "which",
        "while",
        "whom",
        "will",
        "with",
        "would",
        "your",
        "yours",
        "into",
        "also",
        "like",
        "make",
        "makes",
        "made",
        "many",
        "much",
        "every",
        "called",
        "really",
        "things",
        "thing",
        "going",
        "want",
        "think",
        "know",
        "today",
        "talk",
        "talked",
        "lecture",
        "video",
        "first",
        "second",
        "next",
        "part",
    ]
)


def _content(messages: list[dict[str, Any]]) -> str:
    return str(messages[-1].get("content", "")) if messages else ""


def _first_user(messages: list[dict[str, Any]]) -> str:
    return next((str(m["content"]) for m in messages if m.get("role") == "user"), "")


def terms_of(text: str, limit: int = 6) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z-]{5,}", text)
    counts = Counter(w.lower() for w in words if w.lower() not in STOP)
    return [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def section_answer(prompt: str) -> dict[str, Any]:
    body = prompt.split("Transcript:\n", 1)[-1]
    lines = [line for line in body.splitlines() if line.strip()]
    points = []
    for line in lines[:: max(1, len(lines) // 4)][:4]:
        match = re.match(r"^\[(\d+:\d{2}(?::\d{2})?)\]\s*(.*)$", line)
        text = (match.group(2) if match else line).strip()
        sentence = re.split(r"(?<=[.!?])\s", text)[0][:200]
        if len(sentence) >= 3:
            points.append({"text": sentence, "time": match.group(1) if match else None})
    terms = terms_of(body)
    title = " ".join(w.capitalize() for w in terms[:2]) or "Part"
    return {
        "title": title,
        "summary": f"This part explains {', '.join(terms[:4]) or 'the topic'}.",
        "key_points": points or [{"text": body[:120], "time": None}],
        "key_terms": [{"term": t, "definition": f"{t} as explained in this part"} for t in terms],
        "examples": [],
        "questions": [f"What is {terms[0]}?"] if terms else [],
        "action_items": [],
    }


def overview_answer(prompt: str) -> dict[str, Any]:
    outline = [line[2:] for line in prompt.splitlines() if line.startswith("- ")]
    titles = [line.split(":", 1)[0] for line in outline]
    subject = re.search(r"Subject: ([^.]+)\.", prompt)
    return {
        "title": " and ".join(titles[:2]) or "Notes",
        "summary": " ".join(line.split(":", 1)[-1].strip() for line in outline)[:1500] or "A summary of the video.",
        "subject": subject.group(1) if subject else "General",
    }


def quiz_answer(prompt: str) -> dict[str, Any]:
    count = int(re.search(r"quiz of (\d+) questions", prompt).group(1))  # type: ignore[union-attr]
    points = [line[2:] for line in prompt.splitlines() if line.startswith("- ")] or ["The video explains its topic."]
    questions: list[dict[str, Any]] = []
    for i in range(count):
        point = points[i % len(points)]
        kind = ("multiple_choice", "true_false", "multiple_select", "short_answer")[i % 4]
        if kind == "multiple_choice":
            questions.append(
                {
                    "type": kind,
                    "prompt": f"Which statement is made in the notes? ({i + 1})",
                    "options": [point, "Nothing at all", "The opposite"],
                    "correct": [0],
                    "explanation": point,
                }
            )
        elif kind == "true_false":
            questions.append({"type": kind, "prompt": f"True or false: {point}", "correct": ["true"], "explanation": point})
        elif kind == "multiple_select":
            questions.append(
                {
                    "type": kind,
                    "prompt": f"Which two are stated? ({i + 1})",
                    "options": [point, points[(i + 1) % len(points)], "A claim never made"],
                    "correct": [0, 1],
                }
            )
        else:
            questions.append(
                {"type": kind, "prompt": f"Explain in your words: {point[:80]}", "reference_answer": point, "explanation": point}
            )
    return {"questions": questions}


def grade_answer(prompt: str) -> dict[str, Any]:
    reference = re.search(r"Reference answer: (.*)", prompt).group(1).lower()  # type: ignore[union-attr]
    student = re.search(r"Student answer: (.*)", prompt).group(1).lower()  # type: ignore[union-attr]
    wanted = set(re.findall(r"[a-z]{4,}", reference))
    got = set(re.findall(r"[a-z]{4,}", student))
    share = len(wanted & got) / max(1, len(wanted))
    return {"score": round(share, 2), "feedback": "Covers the reference." if share > 0.7 else "Misses parts of the reference."}


def reply(messages: list[dict[str, Any]]) -> str:
    prompt = _content(messages)
    first = _first_user(messages)
    repairing = "That answer is invalid" in prompt
    if "GARBAGEME" in first:
        return "I would rather write prose than JSON."
    if "Student answer:" in first:
        answer = grade_answer(first)
    elif "Write a quiz of" in first:
        answer = quiz_answer(first)
    elif "These are the section notes" in first:
        answer = overview_answer(first)
    else:
        answer = section_answer(first)
        if "REPAIRME" in first and not repairing:
            answer.pop("key_points")
    text = json.dumps(answer)
    if "FENCEME" in first:
        text = "Here are the notes:\n```json\n" + text.replace("}", ",}", 1) + "\n```"
    return text
