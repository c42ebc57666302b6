"""Chat's rules on plain values: chunking by tokens with overlap, the answer prompt, citations, history windows."""

from __future__ import annotations

import datetime as dt
import enum
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass

from services.core.errors import NotFound, invalid

MAX_MESSAGE_CHARS = 8000
MAX_TITLE_CHARS = 200
_WORD = re.compile(r"\S+")
_MARKER = re.compile(r"\[(\d{1,3})\]")


class SkillLevel(enum.IntEnum):
    """Mirrors the contract's enum numbers."""

    UNSPECIFIED = 0
    BEGINNER = 1
    INTERMEDIATE = 2
    ADVANCED = 3
    PROFESSIONAL = 4


@dataclass(frozen=True, slots=True)
class TextChunk:
    index: int
    text: str
    start_offset: int
    end_offset: int
    token_count: int


def chunk_by_tokens(text: str, word_tokens: Sequence[int], size: int, overlap: int) -> list[TextChunk]:
    """Split `text` at word boundaries into pieces of at most `size` tokens, each repeating the last
    `overlap` tokens of the one before. `word_tokens[i]` is the token count of the i-th word (by the
    embedding model's tokenizer); a single word longer than `size` becomes its own chunk."""
    if size <= 0 or not 0 <= overlap < size:
        raise ValueError("need size > 0 and 0 <= overlap < size")
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    if len(spans) != len(word_tokens):
        raise ValueError("one token count per word is required")
    chunks: list[TextChunk] = []
    start = 0
    while start < len(spans):
        end, total = start, 0
        while end < len(spans) and (total + word_tokens[end] <= size or end == start):
            total += word_tokens[end]
            end += 1
        first, last = spans[start][0], spans[end - 1][1]
        chunks.append(TextChunk(len(chunks), text[first:last], first, last, total))
        if end >= len(spans):
            break
        # Step back over up to `overlap` tokens, but always move forward by at least one word.
        back, carried = end, 0
        while back - 1 > start and carried + word_tokens[back - 1] <= overlap:
            back -= 1
            carried += word_tokens[back]
        start = back
    return chunks


def words(text: str) -> list[str]:
    return _WORD.findall(text)


@dataclass(frozen=True, slots=True)
class Source:
    """A chunk given to the model as `[marker]`."""

    marker: int
    document_id: str
    chunk_id: str
    title: str
    text: str
    score: float


_SKILL_GUIDANCE = {
    SkillLevel.BEGINNER: "The user is a beginner: use plain words, explain any term of the sport, and give one clear next step.",
    SkillLevel.INTERMEDIATE: "The user has some experience: be practical and specific, skip the basics.",
    SkillLevel.ADVANCED: "The user is advanced: be precise and technical, mention trade-offs and details.",
    SkillLevel.PROFESSIONAL: "The user is a professional: be concise and exact; assume full command of the vocabulary.",
}

NO_SOURCES_NOTE = (
    "No passage of the knowledge base is relevant to this question. Say plainly that the knowledge base does not "
    "cover it; do not invent sources and do not use [n] markers."
)


def system_prompt(skill: SkillLevel, sources: Sequence[Source], instructions: str = "") -> str:
    """The instructions: the assistant's job, the user's level, the numbered sources (or that there are none)."""
    parts = [
        "You are RodeoAI, an assistant for rodeo riders. Answer from the sources below. After each sentence that uses "
        "a source, cite it with its marker, like [1]. Cite only the sources listed.",
    ]
    if skill in _SKILL_GUIDANCE:
        parts.append(_SKILL_GUIDANCE[skill])
    if sources:
        parts.append("Sources:\n" + "\n\n".join(f"[{s.marker}] {s.title}\n{s.text}" for s in sources))
    else:
        parts.append(NO_SOURCES_NOTE)
    if instructions.strip():
        parts.append("The user's standing instructions: " + instructions.strip())
    return "\n\n".join(parts)


def cited_markers(answer: str, sources: Sequence[Source]) -> list[int]:
    """Markers the answer uses that name a source it was given, in order of first use."""
    given = {s.marker for s in sources}
    found: list[int] = []
    for match in _MARKER.finditer(answer):
        marker = int(match.group(1))
        if marker in given and marker not in found:
            found.append(marker)
    return found


def window_history(turns: Sequence[tuple[str, int]], budget: int) -> int:
    """How many of the most recent `(text, tokens)` turns fit in `budget` tokens (whole turns, newest kept)."""
    kept, used = 0, 0
    for _, tokens in reversed(turns):
        if used + tokens > budget:
            break
        used += tokens
        kept += 1
    return kept


def title_from(question: str, limit: int = 60) -> str:
    """A conversation title from its first question: the first line, trimmed at a word boundary."""
    line = " ".join(question.split())
    if len(line) <= limit:
        return line.rstrip("?!. ") or "New conversation"
    cut = line[:limit].rsplit(" ", 1)[0]
    return (cut or line[:limit]).rstrip(",;:-") + "…"


# Views: what the use cases hand the handlers (plain values, no rows) ------------------------------------


class DocumentState(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class MessageState(enum.StrEnum):
    GENERATING = "generating"
    COMPLETE = "complete"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DocumentView:
    id: str
    title: str
    text: str
    source: str
    category: str
    skill_level: int
    tags: tuple[str, ...]
    language: str
    retrieval_enabled: bool
    state: DocumentState
    error: str
    chunk_count: int
    token_count: int
    char_count: int
    embedding_model: str
    citation_count: int
    etag: str
    create_time: dt.datetime
    update_time: dt.datetime
    index_time: dt.datetime | None
    uri: str = ""
    error_code: int = 0  # google.rpc code of a FAILED ingestion (0: none recorded)
    error_reason: str = ""


def check_document_uri(uri: str, fetch: FetchPolicy | None = None) -> str:
    """An http(s) URL with a host, at most 2,048 characters, whose host is not literally an address `fetch` refuses
    (an IP literal or `localhost`; names are checked again when they are resolved, on every connection)."""
    from urllib.parse import urlsplit

    parts = urlsplit(uri.strip())
    try:
        host = parts.hostname
        parts.port  # noqa: B018 -- raises on a port out of range
    except ValueError:
        host = None
    if parts.scheme not in ("http", "https") or not host or len(uri) > 2048:
        raise invalid("document.uri", "must be an http(s) URL with a host, at most 2048 characters")
    if fetch is not None:
        literal = "127.0.0.1" if host == "localhost" or host.endswith(".localhost") else host
        try:
            address = ipaddress.ip_address(literal)
        except ValueError:
            address = None
        refusal = fetch.refusal(address) if address is not None else None
        if refusal:
            raise invalid("document.uri", f"the host is {refusal}; such addresses are not fetched")
    return uri.strip()


# Ranges a document fetch never reaches unless configured: beyond what `ipaddress` calls not global, the shared
# (CGNAT) space and the ranges that embed an IPv4 address (NAT64, 6to4, Teredo) are named, so a private IPv4
# address cannot be reached through its IPv6 spelling.
_EMBEDDING_V4 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Which addresses a document's uri may be fetched from. Public unicast addresses always; private, loopback,
    link-local (and so cloud metadata), multicast, reserved and unspecified ones only when `allow_private` is set
    or they fall in `allowed` (CIDRs from `MARQUEE_CHAT_FETCH_ALLOWED_NETWORKS`)."""

    allow_private: bool = False
    allowed: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def of(cls, allow_private: bool, networks: Sequence[str]) -> FetchPolicy:
        return cls(allow_private, tuple(ipaddress.ip_network(n.strip(), strict=False) for n in networks if n.strip()))

    def refusal(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        """Why `address` is not fetched from (a few words), or None when it may be."""
        if self.allow_private or any(address in network for network in self.allowed):
            return None
        kind = _address_kind(address)
        if kind is None and isinstance(address, ipaddress.IPv6Address):
            embedded = _embedded_v4(address)
            if embedded is not None:
                return self.refusal(embedded)
        return kind


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _EMBEDDING_V4:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _address_kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _address_kind(address.ipv4_mapped)
    checks = (
        (address.is_unspecified, "an unspecified address"), (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address (cloud metadata lives there)"),
        (address.is_multicast, "a multicast address"), (address.is_private, "a private address"),
        (address.is_reserved, "a reserved address"), (not address.is_global, "not a public address"),
    )  # fmt: skip
    return next((why for refused, why in checks if refused), None)


@dataclass(frozen=True, slots=True)
class ChunkView:
    id: str
    document_id: str
    index: int
    text: str
    token_count: int
    start_offset: int
    end_offset: int


@dataclass(frozen=True, slots=True)
class RetrievedView:
    rank: int
    score: float
    chunk: ChunkView
    title: str
    source: str
    category: str
    skill_level: int
    used_by_answers: bool


@dataclass(frozen=True, slots=True)
class CitationView:
    index: int
    document_id: str
    chunk_id: str
    title: str
    source: str
    snippet: str
    score: float
    cited: bool


@dataclass(frozen=True, slots=True)
class MessageView:
    id: str
    conversation_id: str
    user_id: str
    role: str
    content: str
    state: MessageState
    citations: tuple[CitationView, ...]
    finish_reason: str
    model: str
    skill_level: int
    prompt_tokens: int
    completion_tokens: int
    reply_to: str
    regenerated_from: str
    superseded: bool
    request_id: str
    error: str
    first_token_ms: int
    latency_ms: int
    create_time: dt.datetime
    complete_time: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ConversationView:
    id: str
    user_id: str
    title: str
    skill_level: int
    model: str
    instructions: str
    archived: bool
    pinned: bool
    message_count: int
    last_message_preview: str
    generating_message_id: str
    total_tokens: int
    etag: str
    create_time: dt.datetime
    update_time: dt.datetime
    last_message_time: dt.datetime
    archive_time: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Started:
    user_message: MessageView
    assistant_message_id: str
    model: str
    skill_level: int


@dataclass(frozen=True, slots=True)
class CitationGiven:
    citation: CitationView


@dataclass(frozen=True, slots=True)
class Delta:
    text: str


@dataclass(frozen=True, slots=True)
class Completed:
    message: MessageView


AnswerEvent = Started | CitationGiven | Delta | Completed


def etag_of(kind: str, ident: str, version: int) -> str:
    return f'W/"{kind}-{ident}-{version}"'


def validate_message(content: str) -> str:
    """The message as sent, or why not (empty, or over the limit)."""
    if not content.strip():
        raise invalid("content", "must not be empty")
    if len(content) > MAX_MESSAGE_CHARS:
        raise invalid("content", f"at most {MAX_MESSAGE_CHARS} characters", reason="MESSAGE_TOO_LONG")
    return content


def skill_levels_for(level: SkillLevel) -> frozenset[int]:
    """Document levels an answer at `level` may use: unlabelled documents and the neighbouring levels."""
    if level is SkillLevel.UNSPECIFIED:
        return frozenset()
    return frozenset({0, level.value - 1, level.value, level.value + 1} - {-1, 5})


_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def user_of(caller: str, is_admin: bool, name: str, field_name: str = "parent") -> str:
    """The user a `users/me` / `users/{user}` name means; another user's answers NOT_FOUND (admins may name anyone)."""

    parts = (name or "").split("/")
    if len(parts) != 2 or parts[0] != "users" or not _ID.fullmatch(parts[1]):
        raise invalid(field_name, "must be users/me or users/{user}")
    if parts[1] == "me":
        return caller
    if parts[1] != caller and not is_admin:
        raise NotFound(f"{name} not found", metadata={"name": name})
    return parts[1]


def named_user(name: str) -> str:
    """The user of an account-export or erasure call: `users/{user}` only (Auth names the user; `users/me` would be
    the calling service)."""
    parts = (name or "").split("/")
    if len(parts) != 2 or parts[0] != "users" or not _ID.fullmatch(parts[1]):
        raise invalid("name", "must be users/{user}")
    if parts[1] == "me":
        raise invalid("name", "users/me is not accepted; name the user")
    return parts[1]


def parse_name(caller: str, is_admin: bool, name: str, collections: Sequence[str], field_name: str = "name") -> list[str]:
    """`users/{user}/<collections[0]>/{id}/<collections[1]>/{id}…` → [user id, id, id…], scoped to the caller."""
    parts = (name or "").split("/")
    shape = "users/{user}" + "".join(f"/{c}/{{id}}" for c in collections)
    if len(parts) != 2 + 2 * len(collections) or any(parts[2 + 2 * i] != c for i, c in enumerate(collections)):
        raise invalid(field_name, f"must be {shape}")
    ids = parts[3::2]
    if not all(_ID.fullmatch(i) for i in ids):
        raise invalid(field_name, f"must be {shape}")
    return [user_of(caller, is_admin, "/".join(parts[:2]), field_name), *ids]


def document_id_of(name: str, field_name: str = "name") -> str:
    parts = (name or "").split("/")
    if len(parts) != 2 or parts[0] != "documents" or not _ID.fullmatch(parts[1]):
        raise invalid(field_name, "must be documents/{document}")
    return parts[1]


# Search, export, feedback, settings, usage ------------------------------------------------------------

_SEARCH_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_CHARS = 200
NEGATIVE_REASONS = frozenset(range(1, 10))
POSITIVE_REASONS = frozenset({50, 51, 52, 53})
MAX_COMMENT_CHARS = 2000


def search_words(query: str) -> list[str]:
    if not query.strip() or len(query) > MAX_QUERY_CHARS:
        raise invalid("query", f"1 to {MAX_QUERY_CHARS} characters")
    return [w.lower() for w in _SEARCH_WORD.findall(query)][:16]


@dataclass(frozen=True, slots=True)
class MessageMatchView:
    message_id: str
    role: str
    snippet: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    conversation_id: str
    title_matched: bool
    matches: tuple[MessageMatchView, ...]
    score: float
    conversation: ConversationView | None = None


def snippet(body: str, words: Sequence[str], width: int = 160) -> str:
    """A window of `body` around the first word of the query it contains."""
    lowered = body.lower()
    found = min((i for i in (lowered.find(w) for w in words) if i >= 0), default=0)
    start = max(0, found - width // 3)
    piece = body[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(body) else "")


def group_search_hits(entries: Sequence[tuple[str, str, str, str, float]], words: Sequence[str]) -> list[SearchHit]:
    """One hit per conversation, best entry first; a conversation's score is its best entry's."""
    grouped: dict[str, list[tuple[str, str, str, float]]] = {}
    for conversation_id, message_id, role, body, score in entries:
        grouped.setdefault(conversation_id, []).append((message_id, role, body, score))
    hits = []
    for conversation_id, found in grouped.items():
        found.sort(key=lambda item: -item[3])
        hits.append(
            SearchHit(
                conversation_id=conversation_id,
                title_matched=any(role == "title" for _, role, _, _ in found),
                matches=tuple(MessageMatchView(m, role, snippet(body, words)) for m, role, body, _ in found if role != "title")[
                    :5
                ],
                score=found[0][3],
            )
        )
    hits.sort(key=lambda hit: (-hit.score, hit.conversation_id))
    return hits


@dataclass(frozen=True, slots=True)
class Export:
    filename: str
    content_type: str
    body: bytes


def _when(value: dt.datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        tz = ZoneInfo(zone) if zone else dt.UTC
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise invalid("time_zone", "not an IANA time zone") from exc
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def export_document(
    conversation: ConversationView, messages: Sequence[MessageView], fmt: str, *, citations: bool, timestamps: bool, zone: str
) -> Export:
    """The conversation as plain text, Markdown, or the HTML a PDF is rendered from, with its sources."""
    title = conversation.title or "Conversation"
    safe = re.sub(r"[^\w\- ]+", "", title, flags=re.UNICODE).strip().replace(" ", "-")[:60] or "conversation"
    who = {"user": "You", "assistant": "Assistant", "system": "System"}
    if fmt in ("text", "markdown"):
        md = fmt == "markdown"
        lines = [f"# {title}" if md else title, ""]
        for m in messages:
            head = who.get(m.role, m.role) + (f" ({_when(m.create_time, zone)})" if timestamps else "")
            lines += [f"**{head}**" if md else f"{head}:", m.content, ""]
            if citations and m.citations:
                lines.append("Sources:")
                lines += [f"  [{c.index}] {c.title}" + (f" — {c.source}" if c.source else "") for c in m.citations]
                lines.append("")
        body = "\n".join(lines).encode("utf-8")
        ext, kind = ("md", "text/markdown; charset=utf-8") if md else ("txt", "text/plain; charset=utf-8")
        return Export(f"{safe}.{ext}", kind, body)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><style>",
        "body{font-family:'DejaVu Sans',sans-serif;font-size:11pt} .who{font-weight:bold;margin-top:1em}",
        ".src{font-size:9pt;color:#444} p{white-space:pre-wrap}</style></head><body>",
        f"<h1>{_html(title)}</h1>",
    ]
    for m in messages:
        head = who.get(m.role, m.role) + (f" ({_when(m.create_time, zone)})" if timestamps else "")
        parts.append(f"<div class='who'>{_html(head)}</div><p>{_html(m.content)}</p>")
        if citations and m.citations:
            parts.append(
                "<div class='src'>Sources:<br>" + "<br>".join(f"[{c.index}] {_html(c.title)}" for c in m.citations) + "</div>"
            )
    parts.append("</body></html>")
    return Export(f"{safe}.pdf", "application/pdf", "".join(parts).encode("utf-8"))


@dataclass(frozen=True, slots=True)
class FeedbackView:
    user_id: str
    conversation_id: str
    message_id: str
    rating: str
    reasons: tuple[int, ...]
    comment: str
    create_time: dt.datetime
    update_time: dt.datetime


def validate_feedback(rating: str, reasons: Sequence[int], comment: str) -> None:
    if rating not in ("positive", "negative"):
        raise invalid("rating", "must be POSITIVE or NEGATIVE")
    fitting = POSITIVE_REASONS if rating == "positive" else NEGATIVE_REASONS
    wrong = [r for r in reasons if r not in fitting]
    if wrong:
        raise invalid("reasons", f"{len(wrong)} reason(s) do not fit a {rating} rating")
    if len(comment) > MAX_COMMENT_CHARS:
        raise invalid("comment", f"at most {MAX_COMMENT_CHARS} characters")


@dataclass(frozen=True, slots=True)
class SettingsView:
    user_id: str
    default_skill_level: int
    default_model: str
    instructions: str
    hide_follow_up_suggestions: bool
    update_time: dt.datetime | None


@dataclass(frozen=True, slots=True)
class UsageView:
    user_id: str
    plan: str
    unlimited: bool
    limit: int
    used: int
    tokens: int
    period_start: dt.datetime
    reset: dt.datetime


@dataclass(frozen=True, slots=True)
class ModelView:
    name: str
    display_name: str
    description: str
    max_output_tokens: int


# Account erasure ------------------------------------------------------------------------------------------

PURGE_CATEGORIES = {
    "conversations": "deleted, with their titles, instructions and search index entries",
    "messages": "deleted: questions, answers (superseded ones too) and their citations",
    "feedback": "deleted: ratings, reasons and comments on answers",
    "settings": "deleted: default skill level, model and standing instructions",
    "usage": "deleted: answers and tokens per day, and the allowance and rate counters",
}


@dataclass(frozen=True, slots=True)
class Disposition:
    category: str
    count: int
    description: str


def purge_dispositions(counts: dict[str, int]) -> list[Disposition]:
    return [Disposition(category, counts.get(category, 0), text) for category, text in PURGE_CATEGORIES.items()]


def skill_level_name(level: int) -> str:
    try:
        return SkillLevel(level).name.lower()
    except ValueError:
        return "unspecified"
