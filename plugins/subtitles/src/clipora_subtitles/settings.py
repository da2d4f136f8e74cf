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
    word_highlight: bool = Field(
        False,
        description="Burned-in captions light up each word (each character in Chinese) as it "
        "is spoken (ASS karaoke)",
    )
    highlight_colour: str = Field(
        "&H0000E5FF",
        pattern=r"^&H[0-9A-Fa-f]{8}$",
        description="Colour of the spoken words with word_highlight, ASS &HAABBGGRR (default yellow)",
    )
