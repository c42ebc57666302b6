"""Exports of a note: an Obsidian-friendly Markdown file (YAML front matter, `[[wiki-links]]`) and a
PDF rendered by WeasyPrint from HTML (Pango shapes any Unicode text with the system fonts)."""

from __future__ import annotations

import html
import re
import warnings
from dataclasses import dataclass
from typing import Any

from services.core.errors import Unavailable
from services.notes import domain as d
from services.notes.transcripts import DOMAIN, format_offset


@dataclass(frozen=True)
class Document:
    """What an export writes, as plain values."""

    title: str
    subject: str
    tags: list[str]
    source: dict[str, Any]
    create_time: str
    update_time: str
    markdown: str
    content: d.NoteContent
    markdown_edited: bool
    links: list[d.LinkView]
    quiz: list[d.QuizQuestion]
    transcript: list[tuple[str, float | None]]

    @classmethod
    def of(cls, note: Any, links: list[d.LinkView], quiz: Any, transcript: Any) -> Document:
        content = d.NoteContent.from_json({**note.content, "title": note.title, "summary": note.summary, "subject": note.subject})
        return cls(
            title=note.title,
            subject=note.subject,
            tags=list(note.tags or []),
            source=dict(note.source or {}),
            create_time=note.create_time.isoformat(),
            update_time=note.update_time.isoformat(),
            markdown=note.markdown,
            content=content,
            markdown_edited=note.markdown_edited,
            links=links,
            quiz=[d.QuizQuestion(**q) for q in quiz.questions] if quiz is not None else [],
            transcript=[(s[0], s[1]) for s in transcript.segments] if transcript is not None else [],
        )


def _body(doc: Document, link_style: str) -> str:
    if doc.markdown_edited:
        body = doc.markdown
        if link_style == "markdown":
            body = re.sub(r"\[\[([^\]|]+)\]\]", lambda m: f"[{m.group(1)}]({d.slug(m.group(1))}.md)", body)
        elif link_style == "none":
            body = re.sub(r"\[\[([^\]|]+)\]\]", r"\1", body)
        return body
    return d.render_markdown(doc.content, video_id=doc.source.get("video_id", ""), links=doc.links, link_style=link_style)


def _quiz_markdown(questions: list[d.QuizQuestion]) -> str:
    lines = ["## Quiz", ""]
    for i, q in enumerate(questions, 1):
        lines.append(f"{i}. {q.prompt}")
        ids = d.option_ids(q.type, len(q.options))
        lines += [f"   - {oid}) {text}" for oid, text in zip(ids, q.options, strict=False)]
    lines += ["", "### Answer key", ""]
    for i, q in enumerate(questions, 1):
        answer = ", ".join(q.correct) if q.correct else q.reference_answer
        lines.append(f"{i}. {answer}" + (f" — {q.explanation}" if q.explanation else ""))
    return "\n".join(lines) + "\n"


def _transcript_markdown(segments: list[tuple[str, float | None]]) -> str:
    lines = ["## Transcript", ""]
    lines += [f"[{format_offset(start)}] {text}" if start is not None else text for text, start in segments]
    return "\n".join(lines) + "\n"


def markdown(doc: Document, *, front_matter: bool, link_style: str) -> str:
    parts = []
    if front_matter:
        parts.append(
            d.front_matter(
                {
                    "title": doc.title,
                    "subject": doc.subject,
                    "tags": doc.tags,
                    "source": doc.source.get("video_uri") or doc.source.get("asset", ""),
                    "channel": doc.source.get("channel", ""),
                    "created": doc.create_time,
                    "updated": doc.update_time,
                }
            )
        )
    parts.append(_body(doc, link_style))
    if doc.quiz:
        parts.append("\n" + _quiz_markdown(doc.quiz))
    if doc.transcript:
        parts.append("\n" + _transcript_markdown(doc.transcript))
    return "".join(parts)


_INLINE = [
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"\[\[([^\]|]+)\]\]"), r"<em>\1</em>"),
    (re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)"), r'<a href="\2">\1</a>'),
]


def _inline(text: str) -> str:
    out = html.escape(text)
    for pattern, replacement in _INLINE:
        out = pattern.sub(replacement, out)
    return out


def markdown_to_html(text: str) -> str:
    """The small Markdown subset notes use (headings, bullets, numbered items, bold, links) as HTML."""
    out: list[str] = []
    open_list = ""
    for raw in text.splitlines():
        line = raw.rstrip()
        bullet = re.match(r"^\s*[-*] (?:\[ \] )?(.*)$", line)
        numbered = re.match(r"^\s*\d+\. (.*)$", line)
        kind = "ul" if bullet else "ol" if numbered else ""
        if open_list and kind != open_list:
            out.append(f"</{open_list}>")
            open_list = ""
        if kind and not open_list:
            out.append(f"<{kind}>")
            open_list = kind
        if bullet or numbered:
            out.append(f"<li>{_inline((bullet or numbered).group(1))}</li>")  # type: ignore[union-attr]
        elif heading := re.match(r"^(#{1,4}) (.*)$", line):
            level = len(heading.group(1))
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif line.strip():
            out.append(f"<p>{_inline(line)}</p>")
    if open_list:
        out.append(f"</{open_list}>")
    return "\n".join(out)


CSS = """
@page { size: A4; margin: 18mm; @bottom-center { content: counter(page); font-size: 9pt; color: #666; } }
body { font-family: "DejaVu Sans", "Noto Sans", sans-serif; font-size: 10.5pt; line-height: 1.45; }
h1 { font-size: 20pt; margin: 0 0 6pt; } h2 { font-size: 14pt; margin-top: 14pt; border-bottom: 1px solid #ccc; }
a { color: #1a56a8; text-decoration: none; } .meta { color: #555; font-size: 9pt; }
"""


def pdf(doc: Document) -> bytes:
    """The note as a PDF. Slow (about a second): the use case runs it off the event loop."""
    try:
        with warnings.catch_warnings():
            # WeasyPrint warns at import when HarfBuzz-Subset is missing (it then embeds whole fonts).
            warnings.simplefilter("ignore", DeprecationWarning)
            import weasyprint
    except (ImportError, OSError):
        raise Unavailable("the PDF renderer is not available", reason="DEPENDENCY_UNAVAILABLE", domain=DOMAIN) from None
    body = markdown(doc, front_matter=False, link_style="none" if not doc.links else "wiki")
    meta = " · ".join(x for x in (doc.subject, doc.source.get("channel", ""), doc.source.get("video_uri", "")) if x)
    page = (
        f"<html><head><meta charset='utf-8'><title>{html.escape(doc.title)}</title><style>{CSS}</style></head><body>"
        f"<p class='meta'>{html.escape(meta)}</p>{markdown_to_html(body)}</body></html>"
    )
    rendered: bytes = weasyprint.HTML(string=page).write_pdf()
    return rendered
