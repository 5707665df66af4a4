"""The ``[privacy]`` section of the config (see bot/agents/privacy.py)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PrivacySettings(BaseModel):
    # Agents not seen for this many days are erased by a daily job (as by /forgetme; a
    # removed agent keeps only the id). None (the default): never.
    retention_days: int | None = Field(None, ge=1, le=36500)
    # Local hour of that daily job.
    purge_hour: int = Field(3, ge=0, le=23)
