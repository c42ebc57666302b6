"""Notes' own settings (`MARQUEE_NOTES_*`): the video host, the model budget per pass, credits and limits.

The model itself is configured once for every service through the LLM seam (`MARQUEE_LLM_*`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from services.core.settings import ServiceSettings


class NotesSettings(ServiceSettings):
    """How Notes fetches transcripts, asks the language model and charges for a note."""

    notes_youtube_base_url: str = Field(
        "https://www.youtube.com", description="YouTube's web root: the player API and caption tracks are asked there."
    )
    notes_youtube_timeout_seconds: float = Field(10.0, gt=0, description="HTTP timeout for YouTube.")
    notes_queue: str = Field(
        "notes", description="Celery queue the generation jobs are sent to (`marquee worker --queues notes`)."
    )
    notes_chunk_tokens: int = Field(1500, ge=64, description="Transcript tokens per model pass (fits a small context window).")
    notes_output_tokens: int = Field(700, ge=64, description="Most tokens the model may write per pass.")
    notes_structured_retries: int = Field(
        2, ge=0, le=5, description="Re-asks of the model when its JSON does not fit the schema."
    )
    notes_extractive_fallback: Literal["auto", "on", "off"] = Field(
        "auto",
        description="When the model's JSON never fits, write that section from the transcript's own sentences and "
        "terms instead of failing the job (auto: only with the embedded test-sized model).",
    )
    notes_credits_per_note: int = Field(1, ge=0, description="Credits one note generation costs.")
    notes_max_active_jobs: int = Field(3, ge=1, description="Operations one user may have QUEUED or RUNNING at once.")
    notes_quizzes_per_note_per_day: int = Field(10, ge=1, description="Quiz generations allowed per note per day.")
    # The refund outbox's `OutboxPolicy.from_settings(settings, "notes_refund")`: keep the four names.
    notes_refund_poll_seconds: float = Field(
        2.0, gt=0, description="How often each Notes server looks for credit refunds due (the refund outbox)."
    )
    notes_refund_retry_initial_seconds: float = Field(
        1.0, gt=0, description="Wait before retrying a refund Billing did not take; doubles each time."
    )
    notes_refund_retry_max_seconds: float = Field(
        300.0, gt=0, description="Longest wait between refund retries (there is no last attempt)."
    )
    notes_refund_lease_seconds: float = Field(
        60.0, gt=0, description="How long one Notes process holds a refund it is sending before another may take it."
    )
