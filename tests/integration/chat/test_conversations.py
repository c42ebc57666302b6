"""Conversations over the wire: allowances, regenerate, search after rename, archive, delete, export, feedback, settings."""

from __future__ import annotations

import io
import re
import time

import grpc
import pypdf
import pytest
import redis
from google.protobuf import field_mask_pb2
from marquee.chat.v1 import chat_pb2 as pb

from services.core.settings import Settings
from tests.integration.chat.conftest import Metadata, Stub, answer, conversation, expect, fails, ready_document, token
from tests.support.llm_standin import LlmStandin

UNICODE = "Ünïcödé — “quotes”, naïve café, 日本語, emoji-free ✓"


@pytest.fixture(scope="module")
async def guide(stub: Stub, signer: object) -> pb.Document:
    return await ready_document(
        stub, token(signer, "admin"),  # type: ignore[arg-type]
        "Roping guide", "For heading, build a loop about as long as your arm span and swing it flat over your head.",
    )  # fmt: skip


def unicode_of_pdf(data: bytes) -> set[str]:
    """The characters the PDF's fonts map their glyphs to (bfchar and bfrange targets, UTF-16BE)."""
    found: set[str] = set()
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            cmap = font.get_object().get("/ToUnicode")
            if cmap is None:
                continue
            text = cmap.get_object().get_data().decode("latin-1")
            for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
                for target in re.findall(r"<[0-9a-fA-F]+>\s*<([0-9a-fA-F]+)>", block):
                    found.add(bytes.fromhex(target).decode("utf-16-be"))
            for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
                for low, high, start in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                    first = ord(bytes.fromhex(start).decode("utf-16-be"))
                    found.update(chr(first + n) for n in range(int(high, 16) - int(low, 16) + 1))
    return found


def mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


async def test_the_daily_allowance_runs_out_and_outages_give_it_back(
    stub: Stub, user: Metadata, model: LlmStandin, settings: Settings
) -> None:
    usage = (await stub.GetUsage(pb.GetUsageRequest(name="users/me/usage"), metadata=user)).usage
    assert (usage.plan, usage.message_limit, usage.messages_used) == ("plans/free", 20, 0)
    chat = await conversation(stub, user)
    model.fail_next(503, times=3, path="/v1/chat/completions")
    with pytest.raises(grpc.aio.AioRpcError):
        await answer(stub, user, chat.name, "Quantum gluon?")
    model.fail_next(503, path="/v1/embeddings")
    await fails(answer(stub, user, chat.name, "Quantum gluon in an outage?"))  # never asked: not in the cache
    assert (await stub.GetUsage(pb.GetUsageRequest(name="users/me/usage"), metadata=user)).usage.messages_used == 0
    client = redis.Redis.from_url(settings.redis_url)
    for key in client.scan_iter("marquee:ratelimit:chat:*"):
        client.delete(key)
    for n in range(20):
        await answer(stub, user, chat.name, f"Quantum gluon {n}?")
        if n == 14:
            for key in client.scan_iter("marquee:ratelimit:chat:*"):
                client.delete(key)
    client.close()
    usage = (await stub.GetUsage(pb.GetUsageRequest(name="users/me/usage"), metadata=user)).usage
    assert (usage.messages_used, usage.messages_remaining) == (20, 0)
    assert usage.tokens_used > 0
    refused = await fails(answer(stub, user, chat.name, "one more?"))
    expect(refused, grpc.StatusCode.RESOURCE_EXHAUSTED, "MESSAGE_LIMIT_REACHED")
    assert refused.retry is not None
    assert 0 < refused.retry.retry_delay.seconds <= 86400


async def test_requests_are_rate_limited_per_user(stub: Stub, signer: object, settings: Settings) -> None:
    user = token(signer)  # type: ignore[arg-type]
    chat = await conversation(stub, user)
    user_id = chat.name.split("/")[1]
    await answer(stub, user, chat.name, "Quantum gluon?")
    # 29 more requests in the last minute (the default limit is 30 a minute): the next is refused.
    client = redis.Redis.from_url(settings.redis_url)
    now = time.time()
    client.zadd(f"marquee:ratelimit:chat:{user_id}", {f"earlier-{n}": now - n for n in range(29)})
    client.close()
    refused = await fails(answer(stub, user, chat.name, "Quantum gluon again?"))
    expect(refused, grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED")
    assert refused.retry is not None
    assert (await stub.GetUsage(pb.GetUsageRequest(name="users/me/usage"), metadata=user)).usage.messages_used == 1


async def test_regenerate_supersedes_the_latest_answer(stub: Stub, user: Metadata, guide: pb.Document) -> None:
    chat = await conversation(stub, user)
    first = await answer(stub, user, chat.name, "How do I build a heading loop and swing it?")
    old = first[-1].completed.message
    events = [e async for e in stub.RegenerateMessage(pb.RegenerateMessageRequest(name=old.name), metadata=user)]
    assert events[0].WhichOneof("event") == "started"
    new = events[-1].completed.message
    assert new.name != old.name
    assert [c.document for c in new.citations] == [guide.name]
    listed = await stub.ListMessages(pb.ListMessagesRequest(parent=chat.name), metadata=user)
    assert [m.name for m in listed.messages][-1] == new.name
    assert old.name not in [m.name for m in listed.messages]
    stale = await fails(stub.RegenerateMessage(pb.RegenerateMessageRequest(name=old.name), metadata=user).read())
    expect(stale, grpc.StatusCode.FAILED_PRECONDITION, "NOT_LATEST_ANSWER")


async def test_search_finds_titles_after_rename_and_message_text(stub: Stub, user: Metadata, other: Metadata) -> None:
    chat = await conversation(stub, user, title="Saturday plans")
    await answer(stub, user, chat.name, "Quantum xylophone question?")
    renamed = await stub.UpdateConversation(
        pb.UpdateConversationRequest(
            conversation=pb.Conversation(name=chat.name, title="Zebra roping clinic"), update_mask=mask("title")
        ),
        metadata=user,
    )
    assert renamed.conversation.title == "Zebra roping clinic"
    found = await stub.SearchConversations(pb.SearchConversationsRequest(parent="users/me", query="zebra"), metadata=user)
    assert [r.conversation.name for r in found.results] == [chat.name]
    assert found.results[0].title_matched
    gone = await stub.SearchConversations(pb.SearchConversationsRequest(parent="users/me", query="saturday"), metadata=user)
    assert chat.name not in [r.conversation.name for r in gone.results]
    by_text = await stub.SearchConversations(pb.SearchConversationsRequest(parent="users/me", query="xylophone"), metadata=user)
    assert by_text.results[0].message_matches[0].snippet.startswith("Quantum xylophone")
    theirs = await stub.SearchConversations(pb.SearchConversationsRequest(parent="users/me", query="zebra"), metadata=other)
    assert list(theirs.results) == []
    bad = await fails(stub.SearchConversations(pb.SearchConversationsRequest(parent="users/me", query=""), metadata=user))
    expect(bad, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")


async def test_archive_unarchive_list_and_delete(stub: Stub, user: Metadata) -> None:
    chat = await conversation(stub, user, title="To archive")
    archived = await stub.ArchiveConversation(pb.ArchiveConversationRequest(name=chat.name), metadata=user)
    assert archived.conversation.archived
    again = await stub.ArchiveConversation(pb.ArchiveConversationRequest(name=chat.name), metadata=user)
    assert again.conversation.archived
    closed = await fails(answer(stub, user, chat.name, "hello?"))
    expect(closed, grpc.StatusCode.FAILED_PRECONDITION, "CONVERSATION_ARCHIVED")
    active = await stub.ListConversations(pb.ListConversationsRequest(parent="users/me"), metadata=user)
    assert chat.name not in [c.name for c in active.conversations]
    both = await stub.ListConversations(
        pb.ListConversationsRequest(parent="users/me", archive_filter=pb.ARCHIVE_FILTER_ARCHIVED), metadata=user
    )
    assert chat.name in [c.name for c in both.conversations]
    back = await stub.UnarchiveConversation(pb.UnarchiveConversationRequest(name=chat.name), metadata=user)
    assert not back.conversation.archived
    stale = await fails(stub.DeleteConversation(pb.DeleteConversationRequest(name=chat.name, etag=chat.etag), metadata=user))
    expect(stale, grpc.StatusCode.ABORTED, "ETAG_MISMATCH")
    await stub.DeleteConversation(pb.DeleteConversationRequest(name=chat.name), metadata=user)
    expect(await fails(stub.GetConversation(pb.GetConversationRequest(name=chat.name), metadata=user)),
           grpc.StatusCode.NOT_FOUND, "NOT_FOUND")  # fmt: skip
    bad = await fails(
        stub.UpdateConversation(
            pb.UpdateConversationRequest(conversation=pb.Conversation(name=chat.name), update_mask=mask("etag")), metadata=user
        )
    )
    expect(bad, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")


async def test_export_as_text_markdown_and_a_unicode_pdf(stub: Stub, user: Metadata, guide: pb.Document) -> None:
    chat = await conversation(stub, user, title=UNICODE[:40])
    await answer(stub, user, chat.name, f"How do I build a heading loop and swing it? {UNICODE}")
    text = await stub.ExportConversation(
        pb.ExportConversationRequest(name=chat.name, format=pb.EXPORT_FORMAT_PLAIN_TEXT), metadata=user
    )
    body = text.file.data.decode("utf-8")
    assert text.file.content_type.startswith("text/plain")
    assert UNICODE in body
    assert "[1] Roping guide" in body
    markdown = await stub.ExportConversation(
        pb.ExportConversationRequest(name=chat.name, format=pb.EXPORT_FORMAT_MARKDOWN, omit_citations=True), metadata=user
    )
    assert markdown.filename.endswith(".md")
    assert "Roping guide" not in markdown.file.data.decode("utf-8")
    pdf = await stub.ExportConversation(pb.ExportConversationRequest(name=chat.name, format=pb.EXPORT_FORMAT_PDF), metadata=user)
    assert pdf.file.content_type == "application/pdf"
    assert pdf.filename.endswith(".pdf")
    # Every character is drawn from an embedded font whose ToUnicode map gives it back as text.
    mapped = unicode_of_pdf(pdf.file.data)
    assert set(UNICODE.replace(" ", "")) <= mapped
    assert set("Roping guide".replace(" ", "")) <= mapped
    missing = await fails(stub.ExportConversation(pb.ExportConversationRequest(name=chat.name), metadata=user))
    expect(missing, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")


async def test_feedback_round_trip_and_admin_review(
    stub: Stub, user: Metadata, other: Metadata, admin: Metadata, guide: pb.Document
) -> None:
    chat = await conversation(stub, user)
    events = await answer(stub, user, chat.name, "How do I build a heading loop and swing it?")
    message = events[-1].completed.message
    question = events[0].started.user_message
    given = await stub.SubmitFeedback(
        pb.SubmitFeedbackRequest(message=message.name, rating=pb.FEEDBACK_RATING_NEGATIVE,
                                 reasons=[pb.FEEDBACK_REASON_INCOMPLETE], comment="Needs the swing speed."),
        metadata=user,
    )  # fmt: skip
    assert given.feedback.name == f"{message.name}/feedback"
    read = await stub.GetFeedback(pb.GetFeedbackRequest(name=given.feedback.name), metadata=user)
    assert (read.feedback.rating, list(read.feedback.reasons), read.feedback.comment) == (
        pb.FEEDBACK_RATING_NEGATIVE, [pb.FEEDBACK_REASON_INCOMPLETE], "Needs the swing speed."
    )  # fmt: skip
    expect(await fails(stub.GetFeedback(pb.GetFeedbackRequest(name=given.feedback.name), metadata=other)),
           grpc.StatusCode.NOT_FOUND, "NOT_FOUND")  # fmt: skip
    wrong = await fails(
        stub.SubmitFeedback(pb.SubmitFeedbackRequest(message=message.name, rating=pb.FEEDBACK_RATING_POSITIVE,
                                                     reasons=[pb.FEEDBACK_REASON_INACCURATE]), metadata=user)
    )  # fmt: skip
    expect(wrong, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    on_question = await fails(
        stub.SubmitFeedback(pb.SubmitFeedbackRequest(message=question.name, rating=pb.FEEDBACK_RATING_POSITIVE), metadata=user)
    )
    expect(on_question, grpc.StatusCode.FAILED_PRECONDITION, "FEEDBACK_NOT_ALLOWED")
    review = await stub.ListFeedback(
        pb.ListFeedbackRequest(filter=pb.FeedbackFilter(document=guide.name, rating=pb.FEEDBACK_RATING_NEGATIVE)), metadata=admin
    )
    mine = [r for r in review.feedback if r.feedback.name == given.feedback.name]
    assert mine
    assert mine[0].answer.name == message.name
    assert mine[0].question.content == "How do I build a heading loop and swing it?"
    assert review.negative_count >= 1
    denied = await fails(stub.ListFeedback(pb.ListFeedbackRequest(), metadata=user))
    assert denied.code == grpc.StatusCode.PERMISSION_DENIED
    await stub.DeleteFeedback(pb.DeleteFeedbackRequest(name=given.feedback.name), metadata=user)
    await stub.DeleteFeedback(pb.DeleteFeedbackRequest(name=given.feedback.name), metadata=user)
    expect(await fails(stub.GetFeedback(pb.GetFeedbackRequest(name=given.feedback.name), metadata=user)),
           grpc.StatusCode.NOT_FOUND, "NOT_FOUND")  # fmt: skip


async def test_settings_shape_new_conversations_and_answers(stub: Stub, user: Metadata, model: LlmStandin) -> None:
    defaults = await stub.GetChatSettings(pb.GetChatSettingsRequest(name="users/me/chatSettings"), metadata=user)
    assert defaults.chat_settings.default_skill_level == pb.SKILL_LEVEL_UNSPECIFIED
    name = defaults.chat_settings.name
    updated = await stub.UpdateChatSettings(
        pb.UpdateChatSettingsRequest(
            chat_settings=pb.ChatSettings(
                name=name, default_skill_level=pb.SKILL_LEVEL_ADVANCED, instructions="Answer in haiku."
            ),
            update_mask=mask("default_skill_level", "instructions"),
        ),
        metadata=user,
    )
    assert updated.chat_settings.default_skill_level == pb.SKILL_LEVEL_ADVANCED
    chat = await conversation(stub, user)
    assert chat.skill_level == pb.SKILL_LEVEL_ADVANCED
    await answer(stub, user, chat.name, "Quantum gluon?")
    system = model.requests[-1][1]["messages"][0]["content"]
    assert "Answer in haiku." in system
    assert "advanced" in system
    models = await stub.ListModels(pb.ListModelsRequest(), metadata=user)
    assert [(m.name, m.is_default) for m in models.models] == [("models/standin-chat", True)]


async def test_documents_list_update_and_reindex(stub: Stub, admin: Metadata) -> None:
    document = await ready_document(
        stub, admin, "Arena footing", "Two to three inches of sand over a firm base.", category="arena"
    )
    listed = await stub.ListDocuments(pb.ListDocumentsRequest(filter=pb.DocumentFilter(category="arena")), metadata=admin)
    assert document.name in [d.name for d in listed.documents]
    assert listed.total_size >= 1
    off = await stub.UpdateDocument(
        pb.UpdateDocumentRequest(
            document=pb.Document(name=document.name, retrieval_enabled=False), update_mask=mask("retrieval_enabled")
        ),
        metadata=admin,
    )
    assert not off.document.retrieval_enabled
    hidden = await stub.RetrieveChunks(pb.RetrieveChunksRequest(query="sand firm base footing"), metadata=admin)
    assert document.name not in [c.document for c in hidden.chunks]
    shown = await stub.RetrieveChunks(
        pb.RetrieveChunksRequest(query="sand firm base footing", include_disabled=True), metadata=admin
    )
    assert shown.chunks[0].document == document.name
    assert not shown.chunks[0].used_by_answers
    again = await stub.ReindexDocument(pb.ReindexDocumentRequest(name=document.name), metadata=admin)
    assert again.document.state == pb.DOCUMENT_STATE_PENDING
