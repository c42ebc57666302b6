"""Notes' own settings (`MARQUEE_NOTES_*`): the video host, the model budget per pass, credits and limits."""

from __future__ import annotations

from pydantic import Field, SecretStr

from services.core.settings import ServiceSettings


class NotesSettings(ServiceSettings):
    """How Notes fetches transcripts, asks the language model and charges for a note."""

    notes_youtube_base_url: str = Field(
        "https://www.youtube.com", description="YouTube's web root: the player API and caption tracks are asked there."
    )
    notes_youtube_timeout_seconds: float = Field(10.0, gt=0, description="HTTP timeout for YouTube.")
    notes_llm_base_url: str = Field(
        "", description="OpenAI-compatible API root for note generation (e.g. http://vllm:8000/v1); empty: no model configured."
    )
    notes_llm_api_key: SecretStr = Field(SecretStr(""), description="API key for that provider.")
    notes_llm_model: str = Field("", description="Model name sent to the provider.")
    notes_llm_timeout_seconds: float = Field(120.0, gt=0, description="Longest a single model call may take.")
    notes_llm_max_retries: int = Field(2, ge=0, le=10, description="Retries on 429/5xx/timeouts, with exponential backoff.")
    notes_llm_max_concurrency: int = Field(4, ge=1, description="Chunk summaries asked of the model at once for one job.")
    notes_chunk_tokens: int = Field(1500, ge=64, description="Transcript tokens per model pass (fits a small context window).")
    notes_output_tokens: int = Field(700, ge=64, description="Most tokens the model may write per pass.")
    notes_structured_retries: int = Field(2, ge=0, le=5, description="Re-asks of the model when its JSON does not fit the schema.")
    notes_credits_per_note: int = Field(1, ge=0, description="Credits one note generation costs.")
    notes_max_active_jobs: int = Field(3, ge=1, description="Operations one user may have QUEUED or RUNNING at once.")
    notes_quizzes_per_note_per_day: int = Field(10, ge=1, description="Quiz generations allowed per note per day.")
