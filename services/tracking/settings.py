"""Tracking's own settings: none yet; Tracking runs on the core settings alone."""

from __future__ import annotations

from services.core.settings import ServiceSettings


class TrackingSettings(ServiceSettings):
    """Tracking's settings (no fields yet); `deps.settings_for(TrackingSettings)` gives them."""
