"""AuthService servicer: converts protobuf ↔ domain values and delegates. No rules live here."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypeVar

from google.api import httpbody_pb2
from google.protobuf import duration_pb2, json_format, struct_pb2
from marquee.auth.v1 import auth_pb2 as pb
from marquee.auth.v1 import auth_pb2_grpc

from services.auth.domain import (
    Client,
    Disposition,
    IdentityView,
    IssuedTokens,
    PeerErasure,
    SessionView,
    UserQuery,
    UserView,
    user_etag,
    user_name,
)
from services.auth.repository import AuthRepository
from services.auth.usecases import AuthUseCases, AuthWork, SignedIn
from services.core import errors, names
from services.core.convert import enum_values, message_from, optional_datetime, timestamp
from services.core.db import Database
from services.core.errors import invalid
from services.core.handlers import UnitOfWorkHandlers
from services.core.idempotency import Idempotency
from services.core.interceptors import Context, current_client_ip, current_metadata, current_principal, require_principal
from services.core.paging import PageTokens, page_size

T = TypeVar("T")

# Enum numbers <-> the plain values the domain stores, from the contract's enums (services/core/convert.py).
PROVIDERS = enum_values(pb.IdentityProvider)
SUPPORTED_PROVIDERS = ("google", "github", "discord")  # those this deployment has OAuth clients for
INTENTS = enum_values(pb.SocialSignInIntent)
RESULTS = enum_values(pb.SocialSignInResult)
ROLES = enum_values(pb.Role)
SKILLS = enum_values(pb.SkillLevel)
USER_ORDERS = enum_values(pb.UserOrder)
UPDATABLE_USER_PATHS = ("display_name", "avatar_uri", "skill_level", "locale", "time_zone", "preferences", "app_preferences")


def disposition_pb(item: Disposition, service: str = "") -> pb.DataDisposition:
    return pb.DataDisposition(
        category=item.category, service=item.service or service, description=item.description, count=item.count
    )


def deletion_pb(user_id: str, services: list[PeerErasure]) -> pb.UserDeletion:
    done = all(s.confirmed for s in services)
    confirmed = [s.confirm_time for s in services if s.confirm_time is not None]
    return pb.UserDeletion(
        name=f"users/{user_id}/deletion",
        delete_time=timestamp(min((s.create_time for s in services if s.create_time), default=None)),
        done=done,
        complete_time=timestamp(max(confirmed)) if done and confirmed else None,
        services=[
            pb.ServiceErasure(
                service=f"marquee.{s.service}",
                state=pb.SERVICE_ERASURE_STATE_CONFIRMED if s.confirmed else pb.SERVICE_ERASURE_STATE_PENDING,
                attempt_count=s.attempt_count,
                last_error=s.last_error,
                next_attempt_time=None if s.confirmed else timestamp(s.next_attempt_time),
                confirm_time=timestamp(s.confirm_time),
                erased=[disposition_pb(d, f"marquee.{s.service}") for d in s.erased],
                retained=[disposition_pb(d, f"marquee.{s.service}") for d in s.retained],
            )
            for s in services
        ],
    )


def client_of(context: Context, info: pb.ClientInfo | None = None) -> Client:
    """The caller's address (the peer, or the client our gateway forwarded: `core/clients.py`) and device."""
    metadata = current_metadata()
    ip = current_client_ip()
    return Client(
        ip=ip,
        user_agent=metadata.get("user-agent", "")[:512],
        device_id=(info.device_id if info else "")[:200],
        device_name=(info.device_name if info else "")[:200],
        platform=info.platform if info else 0,
        app_version=(info.app_version if info else "")[:50],
    )


class AuthHandlers(UnitOfWorkHandlers[AuthRepository], auth_pb2_grpc.AuthServiceServicer):
    def __init__(
        self,
        work: AuthWork,
        use_cases: AuthUseCases,
        database: Database,
        idempotency: Idempotency,
        page_tokens: PageTokens,
    ) -> None:
        super().__init__(database, idempotency, page_tokens, repository=AuthRepository)
        self.work = work
        self.use = use_cases

    # -- conversions ----------------------------------------------------------

    def user_pb(self, user: UserView, providers: list[str] | None = None) -> pb.User:
        prefs = user.preferences or {}
        message = pb.User(
            name=user_name(user.id),
            email=user.email or "",
            email_verified=user.email_verified,
            pending_email=user.pending_email,
            display_name=user.display_name,
            avatar_uri=user.avatar_url,
            skill_level=SKILLS.number(user.skill_level),  # type: ignore[arg-type]
            locale=user.locale,
            time_zone=user.time_zone,
            role=ROLES.number(user.role) or pb.ROLE_USER,  # type: ignore[arg-type]
            state=pb.USER_STATE_DISABLED if user.disabled else pb.USER_STATE_ACTIVE,
            disable_reason=user.disable_reason,
            has_password=bool(user.password_hash),
            linked_providers=[PROVIDERS.number(p) for p in providers or [] if PROVIDERS.number(p)],  # type: ignore[misc]
            etag=user_etag(user),
            create_time=timestamp(user.create_time),
            update_time=timestamp(user.update_time),
            last_sign_in_time=timestamp(user.last_login_time),
            disable_time=timestamp(user.disable_time),
        )
        profile, app = prefs.get("profile"), prefs.get("app")
        if isinstance(profile, dict) and profile:
            json_format.ParseDict(profile, message.preferences, ignore_unknown_fields=True)
        if isinstance(app, dict) and app:
            message.app_preferences.update(app)
        return message

    def tokens_pb(self, tokens: IssuedTokens) -> pb.TokenPair:
        ttl = max(0, int((tokens.access_expire_time - self.work.clock()).total_seconds()))
        return pb.TokenPair(
            access_token=tokens.access_token,
            token_type="Bearer",
            access_token_expire_time=timestamp(tokens.access_expire_time),
            access_token_expires_in=duration_pb2.Duration(seconds=ttl),
            refresh_token=tokens.refresh_token,
            refresh_token_expire_time=timestamp(tokens.refresh_expire_time),
            session=f"users/{tokens.user_id}/sessions/{tokens.session_id}",
        )

    def session_pb(self, session: SessionView, current: str) -> pb.Session:
        # Fields named alike (the provider by its descriptor, the times) come from the session (`message_from`).
        return message_from(
            pb.Session,
            session,
            name=f"users/{session.user_id}/sessions/{session.id}",
            client=message_from(pb.ClientInfo, session),
            sign_in_method=pb.SIGN_IN_METHOD_SOCIAL if session.method == "social" else pb.SIGN_IN_METHOD_PASSWORD,
            current=session.id == current,
            last_active_time=timestamp(session.last_used_time),
        )

    def identity_pb(self, identity: IdentityView) -> pb.Identity:
        return message_from(
            pb.Identity,
            identity,
            name=f"users/{identity.user_id}/identities/{identity.provider}",
            link_time=timestamp(identity.create_time),
        )

    def _signed_in(self, signed: SignedIn) -> tuple[pb.TokenPair, pb.User]:
        return self.tokens_pb(signed.tokens), self.user_pb(signed.user, list(signed.providers))

    @staticmethod
    def _provider(value: pb.IdentityProvider) -> str:
        name = PROVIDERS.parse(value, field="provider")
        if name not in SUPPORTED_PROVIDERS:  # a provider the contract names but no client exists for (Facebook)
            raise errors.FailedPrecondition(f"{name} sign-in is not configured here", reason="PROVIDER_NOT_CONFIGURED")
        return name

    # -- public ---------------------------------------------------------------

    async def GetAuthConfig(self, request: pb.GetAuthConfigRequest, context: Context) -> pb.GetAuthConfigResponse:
        settings = self.work.settings
        return pb.GetAuthConfigResponse(
            providers=[PROVIDERS.number(p) for p in self.work.configured_providers()],  # type: ignore[misc]
            registration_open=self.work.auth.registration_open,
            password_policy=pb.PasswordPolicy(min_length=self.work.passwords.min_length, max_length=128, reject_breached=True),
            access_token_ttl=duration_pb2.Duration(seconds=settings.access_token_ttl_seconds),
            refresh_token_ttl=duration_pb2.Duration(seconds=settings.refresh_token_ttl_seconds),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            jwks_uri=f"{self.work.public_api_url()}/auth/v1/jwks",
        )

    async def GetJwks(self, request: pb.GetJwksRequest, context: Context) -> pb.GetJwksResponse:
        return pb.GetJwksResponse(keys=[pb.Jwk(**key.jwk()) for key in self.work.signer.keys.keys.values()])

    async def Register(self, request: pb.RegisterRequest, context: Context) -> pb.RegisterResponse:
        client = client_of(context, request.client)

        async def call() -> pb.RegisterResponse:
            signed = await self.use.register(
                email=request.email, password=request.password, display_name=request.display_name,
                locale=request.locale, time_zone=request.time_zone, client=client,
            )  # fmt: skip
            tokens, user = self._signed_in(signed)
            return pb.RegisterResponse(tokens=tokens, user=user)

        return await self._once("Register", "anonymous", request, request.request_id, pb.RegisterResponse, call)

    async def Login(self, request: pb.LoginRequest, context: Context) -> pb.LoginResponse:
        client = client_of(context, request.client)

        async def call() -> pb.LoginResponse:
            signed = await self.use.login(
                email=request.email, password=request.password, client=client,
                replace_session=request.replace_session,
            )  # fmt: skip
            tokens, user = self._signed_in(signed)
            return pb.LoginResponse(tokens=tokens, user=user)

        return await self._once("Login", "anonymous", request, request.request_id, pb.LoginResponse, call)

    async def BeginSocialSignIn(self, request: pb.BeginSocialSignInRequest, context: Context) -> pb.BeginSocialSignInResponse:
        provider = self._provider(request.provider)
        intent = INTENTS.parse(request.intent, field="intent", default="sign_in")
        principal = require_principal() if intent in ("link", "reauthenticate") else current_principal()
        begin = await self.use.begin_social(
            provider=provider, redirect_uri=request.redirect_uri, intent=intent, principal=principal
        )
        return pb.BeginSocialSignInResponse(
            authorization_uri=begin.authorization_uri, state=begin.state, expire_time=timestamp(begin.expire_time)
        )

    async def CompleteSocialSignIn(
        self, request: pb.CompleteSocialSignInRequest, context: Context
    ) -> pb.CompleteSocialSignInResponse:
        provider = self._provider(request.provider)
        if not request.code:
            raise invalid("code", "is required")
        client = client_of(context, request.client)

        async def call() -> pb.CompleteSocialSignInResponse:
            outcome = await self.use.complete_social(
                provider=provider, code=request.code, state=request.state, client=client,
                replace_session=request.replace_session,
            )  # fmt: skip
            tokens, user = self._signed_in(outcome.signed_in)
            return pb.CompleteSocialSignInResponse(
                tokens=tokens,
                user=user,
                result=RESULTS.number(outcome.result),  # type: ignore[arg-type]
                identity=self.identity_pb(outcome.identity),
            )

        return await self._once(
            "CompleteSocialSignIn", "anonymous", request, request.request_id, pb.CompleteSocialSignInResponse, call
        )

    async def RefreshToken(self, request: pb.RefreshTokenRequest, context: Context) -> pb.RefreshTokenResponse:
        async def call() -> pb.RefreshTokenResponse:
            tokens = await self.use.refresh(request.refresh_token)
            return pb.RefreshTokenResponse(tokens=self.tokens_pb(tokens))

        # A retry with the same request_id within 60 s gets the same pair (see the contract).
        return await self._once("RefreshToken", "anonymous", request, request.request_id, pb.RefreshTokenResponse, call, ttl=60)

    async def Logout(self, request: pb.LogoutRequest, context: Context) -> pb.LogoutResponse:
        await self.use.logout(request.refresh_token)
        return pb.LogoutResponse()

    async def Reauthenticate(self, request: pb.ReauthenticateRequest, context: Context) -> pb.ReauthenticateResponse:
        principal = require_principal()
        client = client_of(context)

        async def call() -> pb.ReauthenticateResponse:
            tokens = await self.use.reauthenticate(principal, password=request.password, client=client)
            recent = self.work.clock() + dt.timedelta(minutes=10)
            return pb.ReauthenticateResponse(tokens=self.tokens_pb(tokens), recent_until_time=timestamp(recent))

        return await self._once("Reauthenticate", principal.user_id, request, request.request_id, pb.ReauthenticateResponse, call)

    async def IssueServiceToken(self, request: pb.IssueServiceTokenRequest, context: Context) -> pb.IssueServiceTokenResponse:
        token, expire = self.work.issue_service_token(
            client_id=request.client_id, client_secret=request.client_secret, client=client_of(context)
        )
        return pb.IssueServiceTokenResponse(access_token=token, token_type="Bearer", expire_time=timestamp(expire))

    async def RequestPasswordReset(
        self, request: pb.RequestPasswordResetRequest, context: Context
    ) -> pb.RequestPasswordResetResponse:
        await self.use.request_password_reset(email=request.email, client=client_of(context))
        return pb.RequestPasswordResetResponse()

    async def ConfirmPasswordReset(
        self, request: pb.ConfirmPasswordResetRequest, context: Context
    ) -> pb.ConfirmPasswordResetResponse:
        async def call() -> pb.ConfirmPasswordResetResponse:
            email = await self.use.confirm_password_reset(token=request.token, new_password=request.new_password)
            return pb.ConfirmPasswordResetResponse(email=email)

        return await self._once(
            "ConfirmPasswordReset", "anonymous", request, request.request_id, pb.ConfirmPasswordResetResponse, call
        )

    async def ConfirmEmailVerification(
        self, request: pb.ConfirmEmailVerificationRequest, context: Context
    ) -> pb.ConfirmEmailVerificationResponse:
        user_id, email = await self.use.confirm_email_verification(token=request.token)
        return pb.ConfirmEmailVerificationResponse(user=user_name(user_id), email=email)

    # -- the signed-in user ----------------------------------------------------

    async def GetUser(self, request: pb.GetUserRequest, context: Context) -> pb.GetUserResponse:
        principal = require_principal()

        user, providers = await self.use.get_user(principal, name=request.name)
        return pb.GetUserResponse(user=self.user_pb(user, providers))

    async def UpdateUser(self, request: pb.UpdateUserRequest, context: Context) -> pb.UpdateUserResponse:
        principal = require_principal()
        paths = list(request.update_mask.paths)
        if not paths:
            raise invalid("update_mask", "name at least one field to update")
        if paths == ["*"]:
            paths = list(UPDATABLE_USER_PATHS)
        changes: dict[str, Any] = {}
        user = request.user
        for path in paths:
            root = path.split(".", 1)[0]
            if root not in UPDATABLE_USER_PATHS:
                raise invalid("update_mask", f"path {path!r} is unknown or output only")
            if path == "display_name":
                changes[path] = user.display_name
            elif path == "avatar_uri":
                changes[path] = user.avatar_uri
            elif path == "skill_level":
                changes[path] = SKILLS.parse(user.skill_level, field="user.skill_level", default="")
            elif path in ("locale", "time_zone"):
                changes[path] = getattr(user, path)
            elif path == "preferences":
                changes[path] = json_format.MessageToDict(user.preferences, preserving_proto_field_name=True)
            elif root == "preferences":
                field = path.split(".", 1)[1]
                if field not in pb.UserPreferences.DESCRIPTOR.fields_by_name:
                    raise invalid("update_mask", f"path {path!r} is unknown")
                value = json_format.MessageToDict(
                    user.preferences, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
                )
                changes[path] = value.get(field)
            elif path == "app_preferences":
                changes[path] = json_format.MessageToDict(user.app_preferences)
            else:
                key = path.split(".", 1)[1]
                value_pb = user.app_preferences.fields.get(key, struct_pb2.Value(null_value=struct_pb2.NULL_VALUE))
                changes[path] = json_format.MessageToDict(value_pb)

        updated, providers = await self.use.update_user(principal, name=user.name, changes=changes, etag=user.etag)
        return pb.UpdateUserResponse(user=self.user_pb(updated, providers))

    async def ChangePassword(self, request: pb.ChangePasswordRequest, context: Context) -> pb.ChangePasswordResponse:
        principal = require_principal()
        client = client_of(context)

        async def call() -> pb.ChangePasswordResponse:
            count = await self.use.change_password(
                principal, name=request.name, current_password=request.current_password,
                new_password=request.new_password, keep_other_sessions=request.keep_other_sessions, client=client,
            )  # fmt: skip
            return pb.ChangePasswordResponse(revoked_session_count=count)

        return await self._once("ChangePassword", principal.user_id, request, request.request_id, pb.ChangePasswordResponse, call)

    async def ChangeEmail(self, request: pb.ChangeEmailRequest, context: Context) -> pb.ChangeEmailResponse:
        principal = require_principal()
        user, expire = await self.use.change_email(
            principal, name=request.name, new_email=request.new_email,
            current_password=request.current_password, client=client_of(context),
        )  # fmt: skip
        return pb.ChangeEmailResponse(user=self.user_pb(user), expire_time=timestamp(expire))

    async def RequestEmailVerification(
        self, request: pb.RequestEmailVerificationRequest, context: Context
    ) -> pb.RequestEmailVerificationResponse:
        principal = require_principal()
        email, expire = await self.use.request_email_verification(principal, name=request.name, client=client_of(context))
        return pb.RequestEmailVerificationResponse(email=email, expire_time=timestamp(expire))

    async def ListSessions(self, request: pb.ListSessionsRequest, context: Context) -> pb.ListSessionsResponse:
        principal = require_principal()
        sessions = await self.use.list_sessions(principal, parent=request.parent)
        items, next_token = self._page(sessions, request.page_size, request.page_token, query=f"sessions:{request.parent}")
        return pb.ListSessionsResponse(
            sessions=[self.session_pb(s, principal.session_id) for s in items],
            next_page_token=next_token,
            total_size=len(sessions),
            device_limit=0,  # plan device limits arrive with Billing's entitlements
        )

    def _page(self, rows: list[T], size: int, token: str, *, query: str, maximum: int = 100) -> tuple[list[T], str]:
        """Pages a short, fully loaded list (a user's sessions or identities) by position."""
        limit = page_size(size, default=min(20, maximum), maximum=maximum)
        start = int((self.pages.decode(token, query=query) or {}).get("offset", 0))
        items = rows[start : start + limit]
        more = start + limit < len(rows)
        return items, self.pages.encode({"offset": start + limit}, query=query) if more else ""

    async def RevokeSession(self, request: pb.RevokeSessionRequest, context: Context) -> pb.RevokeSessionResponse:
        await self.use.revoke_session(require_principal(), name=request.name)
        return pb.RevokeSessionResponse()

    async def RevokeOtherSessions(
        self, request: pb.RevokeOtherSessionsRequest, context: Context
    ) -> pb.RevokeOtherSessionsResponse:
        count = await self.use.revoke_other_sessions(require_principal(), parent=request.parent)
        return pb.RevokeOtherSessionsResponse(revoked_session_count=count)

    async def ListIdentities(self, request: pb.ListIdentitiesRequest, context: Context) -> pb.ListIdentitiesResponse:
        identities = await self.use.list_identities(require_principal(), parent=request.parent)
        items, next_token = self._page(
            identities, request.page_size, request.page_token, query=f"identities:{request.parent}", maximum=50
        )
        return pb.ListIdentitiesResponse(identities=[self.identity_pb(i) for i in items], next_page_token=next_token)

    async def UnlinkIdentity(self, request: pb.UnlinkIdentityRequest, context: Context) -> pb.UnlinkIdentityResponse:
        user, providers = await self.use.unlink_identity(require_principal(), name=request.name)
        return pb.UnlinkIdentityResponse(user=self.user_pb(user, providers))

    async def ExportUserData(self, request: pb.ExportUserDataRequest, context: Context) -> pb.ExportUserDataResponse:
        document = await self.use.export_user_data(require_principal(), request.name)
        body = json.dumps(document, indent=2, sort_keys=True).encode()
        return pb.ExportUserDataResponse(document=httpbody_pb2.HttpBody(content_type="application/json", data=body))

    async def DeleteUser(self, request: pb.DeleteUserRequest, context: Context) -> pb.DeleteUserResponse:
        deleted = await self.use.delete_user(require_principal(), request.name)
        report = deleted.report
        return pb.DeleteUserResponse(
            erased=[disposition_pb(d) for d in report.erased], retained=[disposition_pb(d) for d in report.retained],
            pending=[disposition_pb(d) for d in report.pending], purge_time=timestamp(self.work.clock()),
            deletion=f"users/{deleted.user_id}/deletion",
        )  # fmt: skip

    async def GetUserDeletion(self, request: pb.GetUserDeletionRequest, context: Context) -> pb.GetUserDeletionResponse:
        user_id = names.owned(request)["user"]
        return pb.GetUserDeletionResponse(deletion=deletion_pb(user_id, await self.use.user_deletion(user_id)))

    # -- administration ---------------------------------------------------------

    async def ListUsers(self, request: pb.ListUsersRequest, context: Context) -> pb.ListUsersResponse:
        filt = request.filter
        query = UserQuery(
            order=USER_ORDERS.parse(request.order_by, field="order_by", default="create_time_desc"),
            email_contains=filt.email_contains,
            role=ROLES.parse_optional(filt.role, field="filter.role") or "",
            disabled={pb.USER_STATE_ACTIVE: False, pb.USER_STATE_DISABLED: True}.get(filt.state),
            provider=PROVIDERS.parse_optional(filt.provider, field="filter.provider") or "",
            created_after=optional_datetime(filt, "create_time_after", path="filter.create_time_after"),
            created_before=optional_datetime(filt, "create_time_before", path="filter.create_time_before"),
        )
        limit = page_size(request.page_size, default=50, maximum=200)  # the contract's ListUsers bounds
        rows, total, next_token = await self.use.list_users(query, limit=limit, page_token=request.page_token)
        return pb.ListUsersResponse(users=[self.user_pb(u) for u in rows], next_page_token=next_token, total_size=total)

    async def SetUserRole(self, request: pb.SetUserRoleRequest, context: Context) -> pb.SetUserRoleResponse:
        role = ROLES.parse_optional(request.role, field="role") or ""
        user = await self.use.set_role(require_principal(), name=request.name, role=role)
        return pb.SetUserRoleResponse(user=self.user_pb(user))

    async def DisableUser(self, request: pb.DisableUserRequest, context: Context) -> pb.DisableUserResponse:
        user = await self.use.disable_user(require_principal(), name=request.name, reason=request.reason)
        return pb.DisableUserResponse(user=self.user_pb(user))

    async def EnableUser(self, request: pb.EnableUserRequest, context: Context) -> pb.EnableUserResponse:
        user = await self.use.enable_user(require_principal(), name=request.name)
        return pb.EnableUserResponse(user=self.user_pb(user))
