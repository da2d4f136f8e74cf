"""The ``analysis.even_chunks`` config section (validated by this model; unknown keys are errors)."""

from __future__ import annotations

from clipora_core.api import Section
from pydantic import Field


class EvenChunksSettings(Section):
    chunk_seconds: float = Field(
        60.0, gt=0, description="Length of each chunk of the recording, in seconds"
    )
    max_clip_seconds: float = Field(
        45.0, gt=0, description="Longest clip taken from a chunk (whole transcript segments)"
    )
