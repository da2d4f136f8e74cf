"""The subtitle writers' options: the ``render_subtitles.layout`` config section."""

from __future__ import annotations

from clipora_core.api import Section
from pydantic import Field


class SubtitleLayoutSettings(Section):
    max_line_chars_cjk: int = Field(
        16, ge=4, le=60, description="Longest subtitle line in Chinese/Japanese/Korean characters"
    )
    max_line_chars_latin: int = Field(
        42, ge=10, le=120, description="Longest subtitle line in Latin characters (English)"
    )
    cue_gap_fill_seconds: float = Field(
        0.4, ge=0, le=5, description="Keep a line on screen across pauses shorter than this"
    )
