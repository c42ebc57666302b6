"""Text from a fetched document: plain text and Markdown as they are, HTML without its markup, PDF through pypdf.

Pure functions on bytes (the fetch itself is a use case). Each raises `UnsupportedDocument` with a message
safe to show admins when there is no text to take.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

PLAIN = frozenset({"text/plain", "text/markdown", "text/x-markdown"})
HTML = frozenset({"text/html", "application/xhtml+xml"})
PDF = frozenset({"application/pdf"})
SUPPORTED = PLAIN | HTML | PDF
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "head"})
_BLOCKS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "article",
     "header", "footer", "blockquote", "pre", "hr", "dd", "dt", "title"}
)  # fmt: skip


class UnsupportedDocument(Exception):
    """The content is not plain text, Markdown, HTML or PDF, or holds no extractable text."""


def media_type(content_type: str) -> tuple[str, str]:
    """`text/html; charset=ISO-8859-1` -> ("text/html", "ISO-8859-1")."""
    kind, _, rest = (content_type or "").partition(";")
    charset = ""
    for parameter in rest.split(";"):
        key, _, value = parameter.strip().partition("=")
        if key.lower() == "charset":
            charset = value.strip().strip('"')
    return kind.strip().lower(), charset


def text_of(body: bytes, content_type: str) -> str:
    kind, charset = media_type(content_type)
    if kind in PLAIN:
        text = _decode(body, charset)
    elif kind in HTML:
        text = html_text(_decode(body, charset))
    elif kind in PDF:
        text = pdf_text(body)
    else:
        raise UnsupportedDocument(f"content type {kind or 'missing'!r} is not plain text, Markdown, HTML or PDF")
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = re.sub(r" *\n[\n ]*\n *", "\n\n", text).strip()
    if not text:
        raise UnsupportedDocument("the document holds no extractable text")
    return text


def _decode(body: bytes, charset: str) -> str:
    try:
        return body.decode(charset or "utf-8")
    except (LookupError, UnicodeDecodeError):
        return body.decode("utf-8", errors="replace")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data.replace("\n", " "))


def html_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(body))
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise UnsupportedDocument(f"the PDF cannot be read: {exc}") from exc
