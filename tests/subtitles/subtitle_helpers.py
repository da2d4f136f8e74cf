"""Builders shared by the subtitle tests (imported by name: tests/subtitles is on sys.path)."""

from __future__ import annotations

from pathlib import Path

from clipora_core.contracts import TimeWindow, TranscriptSegment, TranscriptWord


def win(a: float, b: float) -> TimeWindow:
    return TimeWindow(start_seconds=a, end_seconds=b)


def seg(i: int, a: float, b: float, text: str, words=None) -> TranscriptSegment:
    return TranscriptSegment(
        id=str(i),
        start_seconds=a,
        end_seconds=b,
        text=text,
        words=[TranscriptWord(start_seconds=s, end_seconds=e, text=t) for s, e, t in words or []],
    )


def write_latin_only_font(out: Path) -> Path:
    """The bundled font cut down to ASCII under the same family name: the control that draws
    the same box (tofu) for every Chinese character. Returns the folder holding it."""
    from clipora_subtitles.fonts import bundled_font_path
    from fontTools import subset

    opts = subset.Options()
    opts.notdef_outline = True  # a missing character draws the .notdef box: classic tofu
    opts.name_IDs = ["*"]
    font = subset.load_font(str(bundled_font_path()), opts)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=range(0x20, 0x7F))
    sub.subset(font)
    out.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(out / "NotoSansSC-LatinOnly.otf"), opts)
    return out
