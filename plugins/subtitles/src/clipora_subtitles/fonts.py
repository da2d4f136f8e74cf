"""The CJK font shipped for burn-in, so Chinese subtitles render on a machine without fonts.

The font comes from the ``pylopdf-fonts-zh-cn`` wheel (Noto Sans SC Regular, SIL Open Font
License 1.1; the licence text is in that wheel's ``licenses/LICENSE`` and in the font's own name
table). Pass :func:`bundled_fonts_dir` to ffmpeg's ``subtitles`` filter as ``fontsdir=`` and use
:data:`BUNDLED_FONT_FAMILY` as the ASS style's font name.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

BUNDLED_FONT_FAMILY = "Noto Sans SC"
BUNDLED_FONT_LICENSE = "SIL Open Font License 1.1"


def bundled_font_path() -> Path:
    """The Noto Sans SC file inside the installed font wheel."""
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


def bundled_fonts_dir() -> Path:
    """Folder holding the bundled font (the value for ``fontsdir=``)."""
    return bundled_font_path().parent


@lru_cache(maxsize=8)
def _cmap(font_path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(font_path, lazy=True, fontNumber=0)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def font_family_name(font_path: Path) -> str:
    """The family name (name ID 1) a renderer matches an ASS ``Fontname`` against."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(font_path), lazy=True, fontNumber=0)
    try:
        return str(font["name"].getDebugName(1) or "")
    finally:
        font.close()


def missing_glyphs(text: str, font_path: Path | None = None) -> list[str]:
    """Characters of ``text`` the font has no glyph for (they would render as boxes)."""
    cmap = _cmap(str(font_path or bundled_font_path()))
    seen: list[str] = []
    for ch in text:
        if ch.isspace() or ord(ch) in cmap or ch in seen:
            continue
        seen.append(ch)
    return seen
