"""ChatService servicer: parses each request, calls one use case, maps the result to protobuf (`mapping.py`)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator

from google.api import httpbody_pb2
from marquee.api.v1 import userdata_pb2
from marquee.chat.v1 import chat_pb2 as pb
from marquee.chat.v1 import chat_pb2_grpc

from services.chat import domain
from services.chat.mapping import (
    ARCHIVED,
    CONVERSATION_ORDER,
    DOCUMENT_ORDER,
    EXPORT_FORMAT,
    RATING,
    ROLE,
    STATE_NAME,
    chunk_pb,
    conversation_pb,
    document_pb,
    event_pb,
    feedback_pb,
    masked,
    message_pb,
    request_fingerprint,
    retrieved_pb,
    settings_pb,
)
from services.chat.usecases import ChatUseCases
from services.chat.vectors import ChunkFilter
from services.core import errors
from services.core.convert import timestamp
from services.core.interceptors import Context, require_principal
from services.core.paging import PageTokens, page_size


class ChatHandlers(chat_pb2_grpc.ChatServiceServicer):
    def __init__(self, usecases: ChatUseCases, page_tokens: PageTokens) -> None:
        self.usecases = usecases
        self.pages = page_tokens

    # Knowledge base (admins)

    async def CreateDocument(self, request: pb.CreateDocumentRequest, context: Context) -> pb.CreateDocumentResponse:
        d = request.document
        created = await self.usecases.create_document(
            title=d.title, text=d.text, uri=d.uri, source=d.source, category=d.category, skill_level=d.skill_level,
            tags=list(d.tags), language=d.language,
            retrieval_enabled=d.retrieval_enabled if d.HasField("retrieval_enabled") else True,
        )  # fmt: skip
        return pb.CreateDocumentResponse(document=document_pb(created))

    async def GetDocument(self, request: pb.GetDocumentRequest, context: Context) -> pb.GetDocumentResponse:
        found = await self.usecases.get_document(domain.document_id_of(request.name))
        return pb.GetDocumentResponse(document=document_pb(found, full=request.view == pb.DOCUMENT_VIEW_FULL))

    async def DeleteDocument(self, request: pb.DeleteDocumentRequest, context: Context) -> pb.DeleteDocumentResponse:
        await self.usecases.delete_document(domain.document_id_of(request.name), request.etag)
        return pb.DeleteDocumentResponse()

    async def ListDocumentChunks(self, request: pb.ListDocumentChunksRequest, context: Context) -> pb.ListDocumentChunksResponse:
        document_id = domain.document_id_of(request.parent, "parent")
        size = page_size(request.page_size, default=50, maximum=200)
        query = f"chunks:{document_id}"
        position = self.pages.decode(request.page_token, query=query)
        chunks = await self.usecases.list_chunks(document_id, int(position["p"]) if position else -1, size + 1)
        token = self.pages.encode({"p": chunks[size - 1].index}, query=query) if len(chunks) > size else ""
        return pb.ListDocumentChunksResponse(chunks=[chunk_pb(c) for c in chunks[:size]], next_page_token=token)

    async def RetrieveChunks(self, request: pb.RetrieveChunksRequest, context: Context) -> pb.RetrieveChunksResponse:
        if not request.query.strip() or len(request.query) > domain.MAX_MESSAGE_CHARS:
            raise errors.invalid("query", f"1 to {domain.MAX_MESSAGE_CHARS} characters")
        if not 0 <= request.top_k <= 50:
            raise errors.invalid("top_k", "must be between 1 and 50")
        if not 0.0 <= request.min_score <= 1.0:
            raise errors.invalid("min_score", "must be between 0 and 1")
        where = ChunkFilter(
            categories=frozenset(request.categories), tags=frozenset(request.tags),
            documents=frozenset(domain.document_id_of(d, "documents") for d in request.documents),
            skill_levels=domain.skill_levels_for(domain.SkillLevel(request.skill_level)),
            include_disabled=request.include_disabled,
        )  # fmt: skip
        started = time.perf_counter()
        found = await self.usecases.retrieve(request.query, request.top_k or 5, where, request.min_score)
        elapsed = time.perf_counter() - started
        response = pb.RetrieveChunksResponse(
            chunks=[retrieved_pb(r) for r in found], embedding_model=self.usecases.embedder.model,
            answer_score_threshold=self.usecases.settings.chat_answer_score_threshold,
        )  # fmt: skip
        response.latency.FromNanoseconds(int(elapsed * 1e9))
        return response

    # Conversations

    async def CreateConversation(self, request: pb.CreateConversationRequest, context: Context) -> pb.CreateConversationResponse:
        principal = require_principal()
        user_id = domain.user_of(principal.user_id, principal.is_admin, request.parent)
        c = request.conversation
        created = await self.usecases.create_conversation(
            user_id, title=c.title, skill_level=c.skill_level, model=c.model, instructions=c.instructions
        )
        return pb.CreateConversationResponse(conversation=conversation_pb(created))

    async def GetConversation(self, request: pb.GetConversationRequest, context: Context) -> pb.GetConversationResponse:
        principal = require_principal()
        user_id, conversation_id = domain.parse_name(principal.user_id, principal.is_admin, request.name, ["conversations"])
        count = page_size(request.message_page_size, default=50, maximum=200) if request.include_messages else 0
        conversation, messages = await self.usecases.get_conversation(user_id, conversation_id, count)
        return pb.GetConversationResponse(conversation=conversation_pb(conversation), messages=[message_pb(m) for m in messages])

    async def ListMessages(self, request: pb.ListMessagesRequest, context: Context) -> pb.ListMessagesResponse:
        principal = require_principal()
        user_id, conversation_id = domain.parse_name(
            principal.user_id, principal.is_admin, request.parent, ["conversations"], "parent"
        )
        size = page_size(request.page_size, default=50, maximum=200)
        newest = request.order_by == pb.MESSAGE_ORDER_NEWEST_FIRST
        query = f"messages:{user_id}:{conversation_id}:{int(newest)}:{int(request.include_system)}"
        position = self.pages.decode(request.page_token, query=query)
        rows = await self.usecases.list_messages(
            user_id, conversation_id, newest_first=newest, after_position=int(position["p"]) if position else None,
            limit=size + 1,
        )  # fmt: skip
        token = self.pages.encode({"p": rows[size - 1][0]}, query=query) if len(rows) > size else ""
        shown = [
            m for _, m in rows[:size]
            if (request.include_system or m.role != "system") and (request.include_superseded or not m.superseded)
        ]  # fmt: skip
        return pb.ListMessagesResponse(messages=[message_pb(m) for m in shown], next_page_token=token)

    async def GetMessage(self, request: pb.GetMessageRequest, context: Context) -> pb.GetMessageResponse:
        principal = require_principal()
        user_id, conversation_id, message_id = domain.parse_name(
            principal.user_id, principal.is_admin, request.name, ["conversations", "messages"]
        )
        return pb.GetMessageResponse(message=message_pb(await self.usecases.get_message(user_id, conversation_id, message_id)))

    async def SendMessage(self, request: pb.SendMessageRequest, context: Context) -> AsyncIterator[pb.SendMessageResponse]:
        principal = require_principal()
        user_id, conversation_id = domain.parse_name(
            principal.user_id, principal.is_admin, request.conversation, ["conversations"], "conversation"
        )
        generation = await self.usecases.send_message(
            user_id, conversation_id, request.content, request_id=request.request_id, model=request.model,
            skill_level=request.skill_level, temperature=request.temperature if request.HasField("temperature") else None,
        )  # fmt: skip
        sequence = 0
        async for event in generation.follow():
            sequence += 1
            yield event_pb(event, sequence, pb.SendMessageResponse)

    async def StopGeneration(self, request: pb.StopGenerationRequest, context: Context) -> pb.StopGenerationResponse:
        principal = require_principal()
        user_id, conversation_id, message_id = domain.parse_name(
            principal.user_id, principal.is_admin, request.name, ["conversations", "messages"]
        )
        return pb.StopGenerationResponse(message=message_pb(await self.usecases.stop(user_id, conversation_id, message_id)))

    # Conversation management

    def _conversation_name(self, name: str, field_name: str = "name") -> tuple[str, str]:
        principal = require_principal()
        user_id, conversation_id = domain.parse_name(principal.user_id, principal.is_admin, name, ["conversations"], field_name)
        return user_id, conversation_id

    def _message_name(self, name: str, field_name: str = "name", suffix: str = "") -> tuple[str, str, str]:
        principal = require_principal()
        if suffix:
            if not name.endswith("/" + suffix):
                raise errors.invalid(field_name, f"must be users/{{user}}/conversations/{{id}}/messages/{{id}}/{suffix}")
            name = name.removesuffix("/" + suffix)
        user_id, conversation_id, message_id = domain.parse_name(
            principal.user_id, principal.is_admin, name, ["conversations", "messages"], field_name
        )
        return user_id, conversation_id, message_id

    def _offset(self, token: str, query: str) -> int:
        position = self.pages.decode(token, query=query)
        return int(position["o"]) if position else 0

    def _next(self, offset: int, size: int, more: bool, query: str) -> str:
        return self.pages.encode({"o": offset + size}, query=query) if more else ""

    async def ListConversations(self, request: pb.ListConversationsRequest, context: Context) -> pb.ListConversationsResponse:
        principal = require_principal()
        user_id = domain.user_of(principal.user_id, principal.is_admin, request.parent)
        size = page_size(request.page_size, default=20, maximum=100)
        archived = ARCHIVED.get(request.archive_filter, False)
        order = CONVERSATION_ORDER.get(request.order_by, "last_activity")
        query = f"conversations:{user_id}:{archived}:{request.pinned_only}:{order}"
        offset = self._offset(request.page_token, query)
        found = await self.usecases.list_conversations(
            user_id, archived=archived, pinned_only=request.pinned_only, order=order, offset=offset, limit=size + 1
        )
        return pb.ListConversationsResponse(
            conversations=[conversation_pb(c) for c in found[:size]],
            next_page_token=self._next(offset, size, len(found) > size, query),
        )

    async def SearchConversations(
        self, request: pb.SearchConversationsRequest, context: Context
    ) -> pb.SearchConversationsResponse:
        principal = require_principal()
        user_id = domain.user_of(principal.user_id, principal.is_admin, request.parent)
        size = page_size(request.page_size, default=20, maximum=50)
        query = f"search:{user_id}:{request.include_archived}:{request.query}"
        offset = self._offset(request.page_token, query)
        hits, total = await self.usecases.search_conversations(
            user_id, request.query, include_archived=request.include_archived, offset=offset, limit=size
        )
        results = [
            pb.ConversationSearchResult(
                conversation=conversation_pb(hit.conversation) if hit.conversation else None, title_matched=hit.title_matched,
                message_matches=[
                    pb.MessageMatch(message=f"users/{user_id}/conversations/{hit.conversation_id}/messages/{m.message_id}",
                                    role=ROLE.get(m.role, pb.MESSAGE_ROLE_UNSPECIFIED), snippet=m.snippet)
                    for m in hit.matches
                ],
                score=hit.score,
            )
            for hit in hits
        ]  # fmt: skip
        return pb.SearchConversationsResponse(
            results=results, next_page_token=self._next(offset, size, offset + size < total, query), total_size=total
        )

    async def UpdateConversation(self, request: pb.UpdateConversationRequest, context: Context) -> pb.UpdateConversationResponse:
        user_id, conversation_id = self._conversation_name(request.conversation.name, "conversation.name")
        c = request.conversation
        values = {"title": c.title, "archived": c.archived, "pinned": c.pinned, "skill_level": c.skill_level,
                  "model": c.model, "instructions": c.instructions}  # fmt: skip
        changes = masked(request.update_mask.paths, values, "update_mask")
        updated = await self.usecases.update_conversation(user_id, conversation_id, c.etag, changes)
        return pb.UpdateConversationResponse(conversation=conversation_pb(updated))

    async def ArchiveConversation(
        self, request: pb.ArchiveConversationRequest, context: Context
    ) -> pb.ArchiveConversationResponse:
        user_id, conversation_id = self._conversation_name(request.name)
        updated = await self.usecases.update_conversation(user_id, conversation_id, request.etag, {"archived": True})
        return pb.ArchiveConversationResponse(conversation=conversation_pb(updated))

    async def UnarchiveConversation(
        self, request: pb.UnarchiveConversationRequest, context: Context
    ) -> pb.UnarchiveConversationResponse:
        user_id, conversation_id = self._conversation_name(request.name)
        updated = await self.usecases.update_conversation(user_id, conversation_id, request.etag, {"archived": False})
        return pb.UnarchiveConversationResponse(conversation=conversation_pb(updated))

    async def DeleteConversation(self, request: pb.DeleteConversationRequest, context: Context) -> pb.DeleteConversationResponse:
        user_id, conversation_id = self._conversation_name(request.name)
        await self.usecases.delete_conversation(user_id, conversation_id, request.etag)
        return pb.DeleteConversationResponse()

    async def ExportConversation(self, request: pb.ExportConversationRequest, context: Context) -> pb.ExportConversationResponse:
        user_id, conversation_id = self._conversation_name(request.name)
        if request.format not in EXPORT_FORMAT:
            raise errors.invalid("format", "PLAIN_TEXT, MARKDOWN or PDF")
        exported = await self.usecases.export(
            user_id, conversation_id, EXPORT_FORMAT[request.format], citations=not request.omit_citations,
            timestamps=not request.omit_timestamps, zone=request.time_zone,
        )  # fmt: skip
        return pb.ExportConversationResponse(
            file=httpbody_pb2.HttpBody(content_type=exported.content_type, data=exported.body), filename=exported.filename
        )

    async def RegenerateMessage(
        self, request: pb.RegenerateMessageRequest, context: Context
    ) -> AsyncIterator[pb.RegenerateMessageResponse]:
        user_id, conversation_id, message_id = self._message_name(request.name)
        generation = await self.usecases.regenerate(
            user_id, conversation_id, message_id, model=request.model, skill_level=request.skill_level,
            temperature=request.temperature if request.HasField("temperature") else None,
        )  # fmt: skip
        sequence = 0
        async for event in generation.follow():
            sequence += 1
            yield event_pb(event, sequence, pb.RegenerateMessageResponse)

    # Feedback

    async def SubmitFeedback(self, request: pb.SubmitFeedbackRequest, context: Context) -> pb.SubmitFeedbackResponse:
        user_id, conversation_id, message_id = self._message_name(request.message, "message")
        if request.rating not in RATING:
            raise errors.invalid("rating", "must be POSITIVE or NEGATIVE")
        stored = await self.usecases.submit_feedback(
            user_id, conversation_id, message_id, rating=RATING[request.rating], reasons=list(request.reasons),
            comment=request.comment, request_id=request.request_id,
        )  # fmt: skip
        return pb.SubmitFeedbackResponse(feedback=feedback_pb(stored))

    async def GetFeedback(self, request: pb.GetFeedbackRequest, context: Context) -> pb.GetFeedbackResponse:
        user_id, conversation_id, message_id = self._message_name(request.name, suffix="feedback")
        return pb.GetFeedbackResponse(
            feedback=feedback_pb(await self.usecases.get_feedback(user_id, conversation_id, message_id))
        )

    async def DeleteFeedback(self, request: pb.DeleteFeedbackRequest, context: Context) -> pb.DeleteFeedbackResponse:
        user_id, conversation_id, message_id = self._message_name(request.name, suffix="feedback")
        await self.usecases.delete_feedback(user_id, conversation_id, message_id)
        return pb.DeleteFeedbackResponse()

    async def ListFeedback(self, request: pb.ListFeedbackRequest, context: Context) -> pb.ListFeedbackResponse:
        f = request.filter
        start = f.start_time.ToDatetime(dt.UTC) if f.HasField("start_time") else None
        end = f.end_time.ToDatetime(dt.UTC) if f.HasField("end_time") else None
        if start and end and end <= start:
            raise errors.invalid("filter.end_time", "must be after start_time")
        conditions = {
            "rating": RATING.get(f.rating, ""), "reasons": list(f.reasons), "has_comment": f.has_comment,
            "user": f.user.removeprefix("users/") if f.user else "", "model": f.model.removeprefix("models/"),
            "skill_level": f.skill_level, "document": domain.document_id_of(f.document, "filter.document") if f.document else "",
            "start": start, "end": end,
        }  # fmt: skip
        size = page_size(request.page_size, default=50, maximum=200)
        query = "feedback:" + request_fingerprint(f.SerializeToString(deterministic=True).hex())
        offset = self._offset(request.page_token, query)
        page, positive, negative = await self.usecases.list_feedback(conditions, offset, size + 1)
        reviews = [
            pb.FeedbackReview(
                feedback=feedback_pb(fb), answer=message_pb(answer), question=message_pb(question) if question else None
            )
            for fb, answer, question in page[:size]
        ]
        return pb.ListFeedbackResponse(
            feedback=reviews, next_page_token=self._next(offset, size, len(page) > size, query),
            positive_count=positive, negative_count=negative,
        )  # fmt: skip

    # Settings, usage, models

    def _singleton(self, name: str, leaf: str) -> str:
        principal = require_principal()
        if not name.endswith("/" + leaf):
            raise errors.invalid("name", f"must be users/{{user}}/{leaf}")
        return domain.user_of(principal.user_id, principal.is_admin, name.removesuffix("/" + leaf), "name")

    async def ExportUserData(self, request: pb.ExportUserDataRequest, context: Context) -> pb.ExportUserDataResponse:
        document = await self.usecases.export_user_data(request.name)
        return pb.ExportUserDataResponse(document=httpbody_pb2.HttpBody(content_type="application/json", data=document))

    async def PurgeUserData(self, request: pb.PurgeUserDataRequest, context: Context) -> pb.PurgeUserDataResponse:
        erased = await self.usecases.purge_user_data(request.name)
        return pb.PurgeUserDataResponse(
            erased=[
                userdata_pb2.UserDataDisposition(category=d.category, count=d.count, description=d.description) for d in erased
            ]
        )

    async def GetUsage(self, request: pb.GetUsageRequest, context: Context) -> pb.GetUsageResponse:
        found = await self.usecases.usage(self._singleton(request.name, "usage"))
        return pb.GetUsageResponse(
            usage=pb.Usage(
                name=f"users/{found.user_id}/usage", plan=found.plan, unlimited=found.unlimited, message_limit=found.limit,
                messages_used=found.used, messages_remaining=0 if found.unlimited else max(0, found.limit - found.used),
                tokens_used=found.tokens, max_message_chars=domain.MAX_MESSAGE_CHARS,
                period_start_time=timestamp(found.period_start), reset_time=timestamp(found.reset),
            )
        )  # fmt: skip

    async def GetChatSettings(self, request: pb.GetChatSettingsRequest, context: Context) -> pb.GetChatSettingsResponse:
        found = await self.usecases.get_settings(self._singleton(request.name, "chatSettings"))
        return pb.GetChatSettingsResponse(chat_settings=settings_pb(found))

    async def UpdateChatSettings(self, request: pb.UpdateChatSettingsRequest, context: Context) -> pb.UpdateChatSettingsResponse:
        user_id = self._singleton(request.chat_settings.name, "chatSettings")
        s = request.chat_settings
        values = {"default_skill_level": s.default_skill_level, "default_model": s.default_model,
                  "instructions": s.instructions, "hide_follow_up_suggestions": s.hide_follow_up_suggestions}  # fmt: skip
        changes = masked(request.update_mask.paths, values, "update_mask")
        return pb.UpdateChatSettingsResponse(chat_settings=settings_pb(await self.usecases.update_settings(user_id, changes)))

    async def ListModels(self, request: pb.ListModelsRequest, context: Context) -> pb.ListModelsResponse:
        page_size(request.page_size, default=20, maximum=100)
        self.pages.decode(request.page_token, query="models")
        models = [
            pb.Model(name=f"models/{m.name}", display_name=m.display_name, description=m.description, is_default=True,
                     available=True, max_output_tokens=m.max_output_tokens)
            for m in self.usecases.models()
        ]  # fmt: skip
        return pb.ListModelsResponse(models=models)

    # More knowledge base

    async def ListDocuments(self, request: pb.ListDocumentsRequest, context: Context) -> pb.ListDocumentsResponse:
        f = request.filter
        filters = {
            "states": [STATE_NAME[s] for s in f.states if s in STATE_NAME], "category": f.category,
            "skill_level": f.skill_level, "tags": list(f.tags), "words": f.query,
            "retrieval_enabled": f.retrieval_enabled if f.HasField("retrieval_enabled") else None,
        }  # fmt: skip
        order = DOCUMENT_ORDER.get(request.order_by, "update_time")
        size = page_size(request.page_size, default=50, maximum=200)
        query = "documents:" + request_fingerprint(f.SerializeToString(deterministic=True).hex(), order)
        offset = self._offset(request.page_token, query)
        found, total = await self.usecases.list_documents(filters, order, offset, size)
        return pb.ListDocumentsResponse(
            documents=[document_pb(d) for d in found], next_page_token=self._next(offset, size, offset + size < total, query),
            total_size=total,
        )  # fmt: skip

    async def UpdateDocument(self, request: pb.UpdateDocumentRequest, context: Context) -> pb.UpdateDocumentResponse:
        d = request.document
        document_id = domain.document_id_of(d.name, "document.name")
        values = {"title": d.title, "text": d.text, "source": d.source, "category": d.category, "skill_level": d.skill_level,
                  "tags": sorted(set(d.tags)), "language": d.language,
                  "retrieval_enabled": d.retrieval_enabled if d.HasField("retrieval_enabled") else True}  # fmt: skip
        values["uri"] = d.uri
        changes = masked(request.update_mask.paths, values, "update_mask")
        updated = await self.usecases.update_document(document_id, d.etag, changes)
        return pb.UpdateDocumentResponse(document=document_pb(updated))

    async def ReindexDocument(self, request: pb.ReindexDocumentRequest, context: Context) -> pb.ReindexDocumentResponse:
        updated = await self.usecases.reindex_document(domain.document_id_of(request.name))
        return pb.ReindexDocumentResponse(document=document_pb(updated))
