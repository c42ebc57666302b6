"""Auth's own settings: sign-in limits, social providers, registration, the sign-up bonus.

Read from the same `MARQUEE_*` variables and TOML file as the core settings (the names are
unchanged: `MARQUEE_OAUTH_GOOGLE__CLIENT_ID`, `MARQUEE_REGISTRATION_OPEN`, ...).
"""

from __future__ import annotations

from pydantic import Field

from services.core.settings import DiscordOAuth, GitHubOAuth, GoogleOAuth, ServiceSettings


class AuthSettings(ServiceSettings):
    login_attempts_per_minute: int = Field(5, ge=1, description="Login attempts allowed per account and per client each minute.")
    password_min_length: int = Field(10, ge=8, description="Shortest accepted password.")
    oauth_state_ttl_seconds: int = Field(600, ge=30, description="How long a social sign-in may take from begin to complete.")
    oauth_timeout_seconds: float = Field(10.0, gt=0, description="HTTP timeout for calls to OAuth providers.")
    oauth_google: GoogleOAuth = Field(default_factory=GoogleOAuth, description="Google sign-in.")
    oauth_github: GitHubOAuth = Field(default_factory=GitHubOAuth, description="GitHub sign-in.")
    oauth_discord: DiscordOAuth = Field(default_factory=DiscordOAuth, description="Discord sign-in.")
    registration_open: bool = Field(True, description="Whether anyone may register with email and password.")
    bootstrap_admin_email: str = Field("", description="An account registering with this email becomes admin (first deploy).")
    signup_bonus_credits: int = Field(10, ge=0, description="Credits granted once to every new account (through Billing).")
    public_api_url: str = Field(
        "",
        pattern=r"^(https?://[^\s/?#]+(/[^\s?#]*)?)?$",
        description="Public base URL of the HTTP API, for absolute links such as GetAuthConfig.jwks_uri "
        "(empty: http://{gateway_host}:{gateway_port}).",
    )
    erasure_wait_seconds: float = Field(
        3.0, ge=0, le=30, description="How long DeleteUser waits for the other services to confirm their erasure."
    )
    # The erasure dispatcher's `OutboxPolicy.from_settings(auth, "erasure")`: keep the four names.
    erasure_retry_initial_seconds: float = Field(
        1.0, gt=0, description="First delay before an erasure call that failed is retried; doubles each time."
    )
    erasure_retry_max_seconds: float = Field(
        300.0, gt=0, description="Longest delay between erasure retries (retried forever at this pace)."
    )
    erasure_lease_seconds: float = Field(
        60.0, ge=15, description="How long one Auth process holds an erasure call before another may take it over."
    )
    erasure_poll_seconds: float = Field(1.0, gt=0, description="How often each Auth process looks for erasures due.")
