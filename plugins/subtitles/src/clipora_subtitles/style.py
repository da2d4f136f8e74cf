"""ASS style for burn-in: position preset and font theme, scaled to the output size.

Sizes are given for an output whose shorter side is 1080 px and scale with it, so a 720x1280
clip and a 1080x1920 clip look the same. Vertical margins follow the output height.
"""

from __future__ import annotations

from dataclasses import dataclass

REFERENCE_SHORT_SIDE = 1080

POSITION_PRESETS = ("bottom", "top", "short_video_safe")
FONT_THEMES = ("default", "short_video_bold", "minimal")


@dataclass(frozen=True)
class Theme:
    size: float
    bold: bool
    outline: float
    shadow: float
    primary: str = "&H00FFFFFF"  # white
    outline_colour: str = "&H00000000"  # black
    back: str = "&H80000000"  # half-transparent black shadow


THEMES: dict[str, Theme] = {
    "default": Theme(size=52, bold=False, outline=3, shadow=1),
    # Large, heavy lines with a thick outline: the look of short-video platforms.
    "short_video_bold": Theme(size=60, bold=True, outline=5, shadow=0),
    "minimal": Theme(size=42, bold=False, outline=1.5, shadow=0),
}

# Fraction of the output height between the frame edge and the line.
MARGIN_FRACTION = {
    "bottom": 0.065,
    "top": 0.065,
    # Above the caption, buttons and progress bar that short-video apps draw over the bottom.
    "short_video_safe": 0.18,
}
ALIGNMENT = {"bottom": 2, "top": 8, "short_video_safe": 2}


@dataclass(frozen=True)
class ResolvedStyle:
    font_name: str
    font_size: int
    bold: bool
    outline: float
    shadow: float
    primary: str
    outline_colour: str
    back: str
    alignment: int
    margin_l: int
    margin_r: int
    margin_v: int


def resolve_style(
    width: int,
    height: int,
    position_preset: str = "bottom",
    font_theme: str = "default",
    font_name: str = "Noto Sans SC",
    scale_multiplier: float = 1.0,
) -> ResolvedStyle:
    if position_preset not in POSITION_PRESETS:
        raise ValueError(
            f"unknown subtitle position {position_preset!r}; use one of {POSITION_PRESETS}"
        )
    if font_theme not in FONT_THEMES:
        raise ValueError(f"unknown subtitle font theme {font_theme!r}; use one of {FONT_THEMES}")
    theme = THEMES[font_theme]
    width = width if width > 0 else 1920
    height = height if height > 0 else 1080
    scale = min(width, height) / REFERENCE_SHORT_SIDE * scale_multiplier

    def scaled(v: float) -> float:
        return 0.0 if v == 0 else max(0.5, round(v * scale, 1))

    return ResolvedStyle(
        font_name=font_name.replace(",", " "),
        font_size=max(8, round(theme.size * scale)),
        bold=theme.bold,
        outline=scaled(theme.outline),
        shadow=scaled(theme.shadow),
        primary=theme.primary,
        outline_colour=theme.outline_colour,
        back=theme.back,
        alignment=ALIGNMENT[position_preset],
        margin_l=max(1, round(width * 0.04)),
        margin_r=max(1, round(width * 0.04)),
        margin_v=max(1, round(height * MARGIN_FRACTION[position_preset])),
    )
