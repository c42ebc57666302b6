"""Account export and erasure over the wire: `ExportUserData` and `PurgeUserData`, called as Auth calls them."""

from __future__ import annotations

import json
import uuid

import grpc
import pytest
from marquee.chat.v1 import chat_pb2 as pb

from services.core.tokens import ROLE_ADMIN, ROLE_SERVICE, ROLE_USER, TokenSigner
from tests.integration.chat.conftest import Metadata, Stub, answer, conversation, expect, fails, ready_document
from tests.support.harness import bearer

GUIDE = "Hooves grow about a centimetre a month; a farrier should trim or reshoe them every six to eight weeks."


def person(signer: TokenSigner) -> tuple[str, Metadata]:
    user_id = uuid.uuid4().hex
    signed, _ = signer.sign(user_id, token_id=uuid.uuid4().hex, role=ROLE_USER)
    return user_id, bearer(signed)


@pytest.fixture
def service(signer: TokenSigner) -> Metadata:
    signed, _ = signer.sign(f"services/{uuid.uuid4().hex}", token_id=uuid.uuid4().hex, role=ROLE_SERVICE)
    return bearer(signed)


@pytest.fixture(scope="module")
async def hoof_care(stub: Stub, signer: TokenSigner) -> pb.Document:
    signed, _ = signer.sign(uuid.uuid4().hex, token_id=uuid.uuid4().hex, role=ROLE_ADMIN)
    return await ready_document(stub, bearer(signed), "Hoof care", GUIDE)


async def history(stub: Stub, who: Metadata, admin: Metadata) -> tuple[pb.Conversation, pb.Message]:
    """A conversation with a cited answer, feedback on it, and settings."""
    chat = await conversation(stub, who, title="Farrier visits", instructions="Answer briefly.")
    events = await answer(stub, who, chat.name, "How often should a farrier trim or reshoe hooves?")
    message = events[-1].completed.message
    await stub.SubmitFeedback(
        pb.SubmitFeedbackRequest(message=message.name, rating=pb.FEEDBACK_RATING_POSITIVE, comment="Clear ✓"), metadata=who
    )
    await stub.UpdateChatSettings(
        pb.UpdateChatSettingsRequest(
            chat_settings=pb.ChatSettings(name="users/me/chatSettings", default_skill_level=pb.SKILL_LEVEL_ADVANCED),
            update_mask={"paths": ["default_skill_level"]},
        ),
        metadata=who,
    )
    return chat, message


async def test_export_holds_the_users_conversations_messages_feedback_settings_and_usage(
    stub: Stub, signer: TokenSigner, service: Metadata, admin: Metadata, hoof_care: pb.Document
) -> None:
    alice, alice_auth = person(signer)
    bob, bob_auth = person(signer)
    chat, message = await history(stub, alice_auth, admin)
    await conversation(stub, bob_auth, title="Bob's private chat")
    exported = await stub.ExportUserData(pb.ExportUserDataRequest(name=f"users/{alice}"), metadata=service)
    assert exported.document.content_type == "application/json"
    document = json.loads(exported.document.data)
    assert document["user"] == f"users/{alice}"
    assert set(document) == {"user", "export_time", "conversations", "feedback", "settings", "usage"}
    (only,) = document["conversations"]
    assert (only["name"], only["title"], only["instructions"]) == (chat.name, "Farrier visits", "Answer briefly.")
    assert [m["role"] for m in only["messages"]] == ["user", "assistant"]
    assert only["messages"][0]["content"] == "How often should a farrier trim or reshoe hooves?"
    assert only["messages"][1]["content"] == message.content
    assert [c["title"] for c in only["messages"][1]["citations"]] == ["Hoof care"]
    assert [(f["message"], f["rating"], f["comment"]) for f in document["feedback"]] == [(message.name, "positive", "Clear ✓")]
    assert document["settings"]["default_skill_level"] == "advanced"
    assert [u["answers"] for u in document["usage"]] == [1]
    assert "Bob's private chat" not in exported.document.data.decode("utf-8")
    empty = json.loads((await stub.ExportUserData(pb.ExportUserDataRequest(name="users/nobody"), metadata=service)).document.data)
    assert (empty["conversations"], empty["feedback"], empty["settings"], empty["usage"]) == ([], [], None, [])
    assert bob  # Bob's data is checked untouched by the purge test


async def test_purge_erases_everything_once_and_leaves_others_alone(
    stub: Stub, signer: TokenSigner, service: Metadata, admin: Metadata, hoof_care: pb.Document
) -> None:
    alice, alice_auth = person(signer)
    _, bob_auth = person(signer)
    chat, message = await history(stub, alice_auth, admin)
    bobs = await conversation(stub, bob_auth, title="Farrier visits too")
    purged = await stub.PurgeUserData(pb.PurgeUserDataRequest(name=f"users/{alice}", request_id="p-1"), metadata=service)
    counts = {d.category: d.count for d in purged.erased}
    assert counts == {"conversations": 1, "messages": 2, "feedback": 1, "settings": 1, "usage": 1}
    assert all(d.description for d in purged.erased)
    assert list(purged.retained) == []
    for call in (
        stub.GetConversation(pb.GetConversationRequest(name=chat.name), metadata=alice_auth),
        stub.GetMessage(pb.GetMessageRequest(name=message.name), metadata=alice_auth),
        stub.GetFeedback(pb.GetFeedbackRequest(name=f"{message.name}/feedback"), metadata=alice_auth),
    ):
        expect(await fails(call), grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    found = await stub.SearchConversations(pb.SearchConversationsRequest(parent="users/me", query="farrier"), metadata=alice_auth)
    assert list(found.results) == []
    settings = await stub.GetChatSettings(pb.GetChatSettingsRequest(name="users/me/chatSettings"), metadata=alice_auth)
    assert settings.chat_settings.default_skill_level in (pb.SKILL_LEVEL_UNSPECIFIED, pb.SKILL_LEVEL_BEGINNER)
    usage = await stub.GetUsage(pb.GetUsageRequest(name="users/me/usage"), metadata=alice_auth)
    assert (usage.usage.messages_used, usage.usage.tokens_used) == (0, 0)
    # Bob's conversation is untouched and still found by search.
    assert (await stub.GetConversation(pb.GetConversationRequest(name=bobs.name), metadata=bob_auth)).conversation.title
    theirs = await stub.SearchConversations(pb.SearchConversationsRequest(parent="users/me", query="farrier"), metadata=bob_auth)
    assert [r.conversation.name for r in theirs.results] == [bobs.name]
    again = await stub.PurgeUserData(pb.PurgeUserDataRequest(name=f"users/{alice}", request_id="p-1"), metadata=service)
    assert {d.category: d.count for d in again.erased} == dict.fromkeys(counts, 0)


async def test_only_services_may_call_and_the_user_must_be_named(
    stub: Stub, signer: TokenSigner, service: Metadata, admin: Metadata
) -> None:
    alice, alice_auth = person(signer)
    for who in (alice_auth,):  # users are refused; admins pass ACCESS_SERVICE (the platform's policy)
        denied = await fails(stub.ExportUserData(pb.ExportUserDataRequest(name=f"users/{alice}"), metadata=who))
        assert denied.code == grpc.StatusCode.PERMISSION_DENIED
        denied = await fails(stub.PurgeUserData(pb.PurgeUserDataRequest(name=f"users/{alice}"), metadata=who))
        assert denied.code == grpc.StatusCode.PERMISSION_DENIED
    for name in ("users/me", "", "users/a/b", "conversations/x", "users/bad id"):
        bad = await fails(stub.ExportUserData(pb.ExportUserDataRequest(name=name), metadata=service))
        expect(bad, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
        assert bad.bad_request is not None, name
        assert bad.bad_request.field_violations[0].field == "name", name
        bad = await fails(stub.PurgeUserData(pb.PurgeUserDataRequest(name=name), metadata=service))
        expect(bad, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert (await stub.ExportUserData(pb.ExportUserDataRequest(name=f"users/{alice}"), metadata=admin)).document.data
    unauthenticated = await fails(stub.PurgeUserData(pb.PurgeUserDataRequest(name=f"users/{alice}")))
    assert unauthenticated.code == grpc.StatusCode.UNAUTHENTICATED
