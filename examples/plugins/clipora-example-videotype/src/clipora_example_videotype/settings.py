"""The ``analysis.even_chunks`` config section (validated by this model; unknown keys are errors)."""

from __future__ import annotations

from clipora_core.api import Section
from pydantic import Field


class EvenChunksSettings(Section):
    chunk_seconds: float = Field(
        60.0,
        gt=0,
        description="Length of each chunk of the recording, in seconds",
        json_schema_extra={"description_zh": "录像每一块的长度。单位：秒。"},
    )
    max_clip_seconds: float = Field(
        45.0,
        gt=0,
        description="Longest clip taken from a chunk (whole transcript segments)",
        json_schema_extra={"description_zh": "从每一块里取出的片段最长多少秒（按整句文字稿取）。"},
    )
