"""The subtitle writers' options: the ``render_subtitles.layout`` config section."""

from __future__ import annotations

from clipora_core.api import Section
from pydantic import Field, field_validator

_COLOUR = r"^&H[0-9A-Fa-f]{8}$"


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
        pattern=_COLOUR,
        description="Colour of the spoken words with word_highlight, ASS &HAABBGGRR (default yellow)",
    )
    text_colour: str | None = Field(
        None,
        pattern=_COLOUR,
        description="Colour of burned-in caption text, ASS &HAABBGGRR (default: the theme's white)",
    )
    outline_colour: str | None = Field(
        None,
        pattern=_COLOUR,
        description="Colour of the caption outline, ASS &HAABBGGRR (default: the theme's black)",
    )
    banner: bool = Field(
        False,
        description="A banner with the clip's product name, and its price when the seller's "
        "list gives one, across the top of burned-in clips (bottom when captions are at the top)",
    )
    banner_price_format: str = Field(
        "¥{price}",
        max_length=40,
        description="How the banner writes the price; {price} is the number",
    )
    banner_colour: str = Field(
        "&H00303AE6",
        pattern=_COLOUR,
        description="Background of the banner, ASS &HAABBGGRR (default red)",
    )

    @field_validator("banner_price_format")
    @classmethod
    def _price_format(cls, v: str) -> str:
        if "{price}" not in v:
            raise ValueError("banner_price_format must contain {price}")
        return v
