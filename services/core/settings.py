"""Configuration from environment variables (`MARQUEE_*`) and an optional file.

Settings are built once by the entry point and passed down; nothing reads the
environment at import time. These are the settings every process shares; each service's
own (OAuth, Stripe, TMDb, ...) live beside it in `services/<name>/settings.py` as a
`ServiceSettings`. Every field documents itself: `marquee config` prints them all, the core
ones and every service's, with their current values (secrets masked).
"""

from __future__ import annotations

import contextvars
import enum
import ipaddress
import logging
import pathlib
import re
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

# The development signing key: a fixed P-256 scalar, so every process of a local
# run verifies every other's tokens with no setup. Refused in production.
DEV_JWT_SEED_HEX = "6d617271756565206465762d6f6e6c79207369676e696e67206b657920212121"
DEV_JWT_KID = "dev-1"
DEV_SECRET = "marquee-development-secret-do-not-use-in-production"

# Formats the settings validators hold values to, so a typo fails at start-up, not at first use.
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^\s/?#]+")
_ABSOLUTE_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+")
_URL_SCHEMES = {
    "database_url": ("sqlite:", "postgresql:", "postgresql+"),  # the dialects Marquee migrates and tests
    "redis_url": ("redis://", "rediss://", "unix://"),
    "smtp_url": ("smtp://", "smtps://"),
}
_LOG_LEVELS = tuple(logging.getLevelNamesMapping())


def _shown(url: str) -> str:
    """A URL for an error message, its password masked."""
    return repr(re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url))


# The one list of services; `services/app.py` derives each one's contract from it.
ALL_SERVICES = ("auth", "catalog", "tracking", "media", "notes", "chat", "billing", "ads")


class Environment(enum.StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class OAuthProvider(BaseSettings):
    """One social sign-in provider (Google, GitHub, Discord or a compatible one)."""

    model_config = SettingsConfigDict(extra="forbid")

    client_id: str = Field("", description="OAuth client id issued by the provider.")
    client_secret: SecretStr = Field(SecretStr(""), description="OAuth client secret.")
    authorize_url: str = Field("", description="The provider's authorization endpoint.")
    token_url: str = Field("", description="The provider's token endpoint.")
    userinfo_url: str = Field("", description="Endpoint returning the signed-in user's profile.")
    emails_url: str = Field("", description="GitHub only: endpoint listing the user's emails and their verification.")
    scopes: list[str] = Field(default_factory=list, description="Scopes to request.")

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.token_url and self.authorize_url and self.userinfo_url)


class GoogleOAuth(OAuthProvider):
    """Google's endpoints preset, so setting the client id and secret is enough."""

    authorize_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    token_url: str = "https://oauth2.googleapis.com/token"
    userinfo_url: str = "https://openidconnect.googleapis.com/v1/userinfo"
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email", "profile"])


class GitHubOAuth(OAuthProvider):
    """GitHub's endpoints preset."""

    authorize_url: str = "https://github.com/login/oauth/authorize"
    token_url: str = "https://github.com/login/oauth/access_token"
    userinfo_url: str = "https://api.github.com/user"
    emails_url: str = "https://api.github.com/user/emails"
    scopes: list[str] = Field(default_factory=lambda: ["read:user", "user:email"])


class DiscordOAuth(OAuthProvider):
    """Discord's endpoints preset."""

    authorize_url: str = "https://discord.com/oauth2/authorize"
    token_url: str = "https://discord.com/api/oauth2/token"
    userinfo_url: str = "https://discord.com/api/users/@me"
    scopes: list[str] = Field(default_factory=lambda: ["identify", "email"])


class JwtKey(BaseSettings):
    """A signing key. Keys stay listed after rotation so old tokens verify until retired."""

    model_config = SettingsConfigDict(extra="forbid")

    kid: str = Field(description="Key id, sent in the token header to select the key.")
    private_key_pem: SecretStr | None = Field(None, description="ECDSA P-256 private key (PEM). Only Auth needs it.")
    public_key_pem: str | None = Field(None, description="ECDSA P-256 public key (PEM); derived from the private key if absent.")


class _OwnKeysToml(TomlConfigSettingsSource):
    """The shared TOML file, less the keys that belong to another settings class (each service's own)."""

    def __call__(self) -> dict[str, Any]:
        fields = self.settings_cls.model_fields
        return {key: value for key, value in super().__call__().items() if key in fields}


def comma_separated(value: Any) -> Any:
    """A `list[str]` setting given as `a,b` (the environment's spelling) into its items; lists pass through."""
    if isinstance(value, str):
        if value.strip().startswith("["):
            # Taken apart by commas, a JSON list would become origins like `["https://a"`.
            raise ValueError("is comma separated (a,b), not a JSON list")
        value = [part.strip() for part in value.split(",") if part.strip()]
    return value


def addresses_or_cidrs(value: list[str]) -> list[str]:
    """Each item an address or a network (`10.0.0.0/8`), so a typo fails at start-up."""
    for cidr in value:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError as exc:
            raise ValueError(f"{cidr!r} is not an address or CIDR (for example 10.0.0.0/8)") from exc
    return value


# A list setting, comma separated in the environment (`MARQUEE_SERVICES=auth,catalog`), a list in the TOML file.
CommaSeparated = Annotated[list[str], NoDecode, BeforeValidator(comma_separated)]
# A comma-separated list of addresses and networks.
Cidrs = Annotated[CommaSeparated, AfterValidator(addresses_or_cidrs)]


class Settings(BaseSettings):
    """Everything Marquee reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="MARQUEE_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    env: Environment = Field(
        Environment.DEVELOPMENT, description="development, test or production. Production refuses unsafe defaults."
    )
    data_dir: pathlib.Path = Field(
        pathlib.Path(".marquee"),
        description="Where the embedded defaults keep their files (SQLite database, embedded Redis, media).",
    )
    config_file: pathlib.Path | None = Field(
        None, description="Optional TOML file with the same settings (lower precedence than the environment)."
    )

    # Server
    host: str = Field("127.0.0.1", description="Interface the gRPC server binds.")
    grpc_port: int = Field(50051, ge=0, le=65535, description="gRPC port; 0 picks a free one.")
    services: CommaSeparated = Field(
        list(ALL_SERVICES), description="Services this process serves (comma separated in the environment)."
    )
    max_message_bytes: int = Field(4 * 1024 * 1024, description="Largest request or response message accepted.")
    max_concurrent_rpcs: int = Field(
        256, ge=1, description="Unary RPCs handled at once; beyond this callers get RESOURCE_EXHAUSTED instead of queueing."
    )
    max_concurrent_streams: int = Field(
        10_000,
        ge=1,
        description="Server streams open at once (WatchOperation, chat answers: they mostly wait), apart from unary calls.",
    )
    shutdown_grace_seconds: float = Field(10.0, ge=0, description="How long in-flight RPCs may finish after a stop signal.")
    worker_threads: int = Field(16, ge=1, description="Threads running blocking domain and database work.")
    log_level: str = Field("INFO", description="Python logging level.")
    log_json: bool = Field(False, description="Write logs as JSON lines instead of text.")
    request_log_sample_rate: float = Field(
        1.0,
        ge=0.0,
        le=1.0,
        description="Share of successful calls that write their request log line (at INFO); failed calls always do.",
    )

    # Persistence
    database_url: str = Field(
        "", description="SQLAlchemy URL. Empty means SQLite in data_dir; postgresql+psycopg://... for PostgreSQL."
    )
    database_pool_size: int = Field(10, ge=1, description="Connections kept per process (PostgreSQL).")
    database_read_threads: int = Field(
        0,
        ge=0,
        description="Threads (each holding a read-only connection) for read-only units of work; 0: 1 on SQLite, 4 on PostgreSQL.",
    )
    redis_url: str = Field(
        "", description="Redis URL. Empty starts an embedded Redis in data_dir; redis://host:6379/0 for a real one."
    )

    # Tokens
    jwt_issuer: str = Field("marquee", description="`iss` of access tokens.")
    jwt_audience: str = Field("marquee", description="`aud` of access tokens.")
    jwt_keys: list[JwtKey] = Field(
        default_factory=list, description="Signing keys as JSON; empty uses the development key (refused in production)."
    )
    jwt_active_kid: str = Field("", description="Kid of the key that signs new tokens; defaults to the first key.")
    access_token_ttl_seconds: int = Field(900, ge=30, description="Access token lifetime.")
    refresh_token_ttl_seconds: int = Field(30 * 24 * 3600, ge=60, description="Refresh token lifetime.")
    clock_skew_seconds: int = Field(30, ge=0, description="Leeway allowed on exp/nbf/iat.")
    secret_key: SecretStr = Field(
        SecretStr(DEV_SECRET), description="Secret for page tokens, OAuth state and other server-side signatures."
    )

    # Shared by the services: return URLs (Auth's social sign-in, Billing's checkout and
    # portal), service identities between peers, and outgoing mail.
    allowed_redirect_uris: CommaSeparated = Field(
        ["http://localhost", "http://127.0.0.1"],
        description="Prefixes a social sign-in redirect_uri must start with (comma separated).",
    )
    service_clients: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='Service clients for IssueServiceToken as JSON: {"catalog": "<secret>", ...}.',
    )
    peer_addresses: dict[str, str] = Field(
        default_factory=dict,
        description='Where other services are, as JSON: {"billing": "billing:50051"}; unset peers are this process.',
    )
    service_client_id: str = Field(
        "", description="This process's client id for IssueServiceToken (when it holds no signing key)."
    )
    service_client_secret: SecretStr = Field(SecretStr(""), description="This process's client secret for IssueServiceToken.")
    public_url: str = Field("http://localhost:8080", description="Base URL of the web app, for links in emails.")
    smtp_url: str = Field("", description="smtp://user:pass@host:port or smtps://...; empty writes emails to data_dir/outbox.")
    mail_from: str = Field("Marquee <no-reply@marquee.local>", description="From address of emails.")

    # Gateway
    gateway_enabled: bool = Field(True, description="Start Envoy (JSON/HTTP, server-sent events, gRPC-Web) with `marquee up`.")
    gateway_host: str = Field("127.0.0.1", description="Interface Envoy listens on.")
    gateway_port: int = Field(8080, ge=0, le=65535, description="Envoy's HTTP port; 0 picks a free one.")
    gateway_admin_port: int = Field(0, ge=0, le=65535, description="Envoy's admin port, always on loopback; 0 picks a free one.")
    gateway_max_body_bytes: int = Field(4 * 1024 * 1024, description="Largest JSON request body Envoy accepts (413 above).")
    cors_allowed_origins: CommaSeparated = Field(
        ["*"], description="Origins browsers may call from; `*` only outside production."
    )
    gateway_token: SecretStr = Field(
        SecretStr(""),
        description="What our Envoy sends in x-marquee-gateway so services trust its x-forwarded-for; "
        "empty derives it from MARQUEE_SECRET_KEY.",
    )
    trusted_proxies: Cidrs = Field(
        default_factory=list,
        description="CIDRs of other proxies whose x-forwarded-for is trusted (comma separated); "
        "any other caller is the address it connects from.",
    )

    @field_validator("cors_allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin (scheme://host[:port], no path, or `*`)")
        return value

    @field_validator("allowed_redirect_uris")
    @classmethod
    def _redirect_prefixes(cls, value: list[str]) -> list[str]:
        for prefix in value:
            if not _ABSOLUTE_URL.fullmatch(prefix):
                raise ValueError(f"{prefix!r} is not an absolute URL prefix (for example https://app.example.com)")
        return value

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/?#]+(/\S*)?", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("database_url", "redis_url", "smtp_url")
    @classmethod
    def _url_schemes(cls, value: str, info: ValidationInfo) -> str:
        schemes = _URL_SCHEMES[info.field_name or ""]
        if value and not any(value.startswith(scheme) for scheme in schemes):
            raise ValueError(
                f"{_shown(value)} is not a URL starting with {' or '.join(schemes)} (empty for the embedded default)"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in _LOG_LEVELS:
            raise ValueError(f"{value!r} is not a log level ({', '.join(_LOG_LEVELS)})")
        return value

    @field_validator("peer_addresses")
    @classmethod
    def _peer_addresses(cls, value: dict[str, str]) -> dict[str, str]:
        for name, address in value.items():
            if name not in ALL_SERVICES:
                raise ValueError(f"{name!r} is not a service ({', '.join(ALL_SERVICES)})")
            if not (address.startswith("unix:") or re.fullmatch(r"[^\s:/]+:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5}", address)):
                raise ValueError(f"{name}: {address!r} is not host:port (or unix:/path)")
        return value

    @field_validator("services")
    @classmethod
    def _known_services(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(ALL_SERVICES))
        if unknown:
            raise ValueError(f"unknown services {unknown}; choose from {', '.join(ALL_SERVICES)}")
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env is not Environment.PRODUCTION:
            return self
        problems = []
        if not self.jwt_keys:
            problems.append("MARQUEE_JWT_KEYS is empty (the development signing key is refused in production)")
        if any(key.kid == DEV_JWT_KID for key in self.jwt_keys):
            problems.append(f"the development key id {DEV_JWT_KID!r} is refused in production")
        if self.secret_key.get_secret_value() == DEV_SECRET or len(self.secret_key.get_secret_value()) < 32:
            problems.append("MARQUEE_SECRET_KEY must be set to at least 32 random characters")
        if "*" in self.cors_allowed_origins:
            problems.append("MARQUEE_CORS_ALLOWED_ORIGINS must list origins, not `*`")
        if problems:
            raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: tuple[PydanticBaseSettingsSource, ...] = (init_settings, env_settings)
        config_file = _config_file(init_settings, env_settings)
        if config_file is not None:
            sources += (_OwnKeysToml(settings_cls, toml_file=config_file),)
        return sources

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'marquee.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


class ServiceSettings(BaseSettings):
    """Base of one service's own settings, declared next to it in `services/<name>/settings.py`.

    Same sources as `Settings` (`MARQUEE_*` variables, then the TOML file named by the core
    settings' `config_file`), so a service's settings are configured exactly like the core's.
    Built once by the composition root (`Dependencies.settings_for`) and passed down.
    """

    model_config = SettingsConfigDict(env_prefix="MARQUEE_", env_nested_delimiter="__", extra="ignore")

    @classmethod
    def load(cls, core: Settings, **overrides: Any) -> Self:
        """Explicit overrides, then the environment, then the core settings' TOML file, then defaults."""
        token = _SERVICE_CONFIG_FILE.set(core.config_file)
        try:
            return cls(**overrides)
        finally:
            _SERVICE_CONFIG_FILE.reset(token)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: tuple[PydanticBaseSettingsSource, ...] = (init_settings, env_settings)
        config_file = _SERVICE_CONFIG_FILE.get()
        if config_file is not None:
            sources += (_OwnKeysToml(settings_cls, toml_file=config_file),)
        return sources


# The core settings' config file while a service's settings are being loaded from it.
_SERVICE_CONFIG_FILE: contextvars.ContextVar[pathlib.Path | None] = contextvars.ContextVar("service_config_file", default=None)


def _config_file(*sources: PydanticBaseSettingsSource) -> pathlib.Path | None:
    for source in sources:
        value = source().get("config_file")
        if value:
            return pathlib.Path(value)
    return None


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, the optional file and explicit overrides."""
    return Settings(**overrides)


def describe_invalid(error: ValidationError, prefix: str = "MARQUEE_") -> str:
    """A settings refusal as one line per bad value, named as it is set (`MARQUEE_CORS_ALLOWED_ORIGINS: ...`)."""
    lines = []
    for problem in error.errors():
        where = "__".join(str(part) for part in problem["loc"]).upper()
        message = str(problem["msg"]).removeprefix("Value error, ")
        lines.append(f"  {prefix}{where}: {message}" if where else f"  {message}")
    return "invalid settings:\n" + "\n".join(lines)
