"""Catalog's own settings: the TMDb-compatible metadata provider, trending and the demo catalog.

Read from the same `MARQUEE_*` variables and TOML file as the core settings (the names are
unchanged: `MARQUEE_TMDB_API_KEY`, `MARQUEE_CATALOG_DEMO_DATA`, ...).
"""

from __future__ import annotations

from pydantic import Field, SecretStr

from services.core.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    tmdb_api_base: str = Field("https://api.themoviedb.org/3", description="Base URL of the TMDb-compatible metadata API.")
    tmdb_api_key: SecretStr = Field(SecretStr(""), description="TMDb API key (v3) or read access token; empty disables import.")
    tmdb_timeout_seconds: float = Field(10.0, gt=0, description="HTTP timeout for metadata provider calls.")
    tmdb_requests_per_window: int = Field(40, ge=1, description="Client-side rate limit: requests per window.")
    tmdb_window_seconds: float = Field(10.0, gt=0, description="Client-side rate limit window.")
    catalog_demo_data: bool = Field(True, description="`marquee up` loads the synthetic demo catalog when the catalog is empty.")
    trending_cache_seconds: int = Field(300, ge=0, description="How long trending titles are cached.")
