"""Output frame size from the render profile (size, aspect, pad or crop)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FramePlan:
    width: int
    height: int
    filters: list[str]  # video filters that turn the (rotated) source into width x height
    # fit=subject: the size of the moving crop (source pixels) scaled to width x height, per
    # window (see framing.py); ``filters`` is then empty.
    subject: tuple[int, int] | None = None

    @property
    def resized(self) -> bool:
        return bool(self.filters) or self.subject is not None


def _even(x: float) -> int:
    return max(2, int(round(x / 2)) * 2)


def _aspect(text: str | None) -> float | None:
    if not text:
        return None
    a, _, b = text.partition(":")
    return float(a) / float(b)


def plan_frame(src_w: int, src_h: int, render: Any) -> FramePlan:
    """Canvas size and filters. Without size settings the source size is kept (odd sizes are
    cropped by one pixel: H.264 4:2:0 needs even sizes). ``aspect`` with ``fit=pad`` keeps the
    source's long side as the canvas's long side (1920x1080 at 9:16 gives 1080x1920); with
    ``fit=crop`` it takes the largest centred crop of that aspect; ``fit=subject`` gives pad's
    canvas, filled by the largest crop of its aspect, which follows the subjects."""
    aspect = _aspect(getattr(render, "aspect", None))
    width = getattr(render, "width", None)
    height = getattr(render, "height", None)
    fit = getattr(render, "fit", "pad")
    src_aspect = src_w / src_h

    if width and height:
        w, h = _even(width), _even(height)
    elif width or height:
        a = aspect or src_aspect
        w = _even(width) if width else _even(height * a)
        h = _even(height) if height else _even(width / a)
    elif aspect:
        if fit == "crop":
            if aspect < src_aspect:
                h = src_h - src_h % 2
                w = _even(min(src_w, h * aspect))
            else:
                w = src_w - src_w % 2
                h = _even(min(src_h, w / aspect))
        else:
            long_side = max(src_w, src_h)
            if aspect >= 1:
                w, h = _even(long_side), _even(long_side / aspect)
            else:
                w, h = _even(long_side * aspect), _even(long_side)
    else:
        w, h = src_w - src_w % 2, src_h - src_h % 2
        if (w, h) == (src_w, src_h):
            return FramePlan(w, h, [])
        return FramePlan(w, h, [f"crop={w}:{h}:0:0"])

    if (w, h) == (src_w, src_h):
        return FramePlan(w, h, [])
    target_aspect = w / h
    if fit == "subject" and abs(target_aspect - src_aspect) >= 0.01:
        if target_aspect < src_aspect:
            ch = src_h - src_h % 2
            cw = _even(min(src_w, ch * target_aspect))
        else:
            cw = src_w - src_w % 2
            ch = _even(min(src_h, cw / target_aspect))
        return FramePlan(w, h, [], subject=(cw, ch))
    if abs(target_aspect - src_aspect) < 0.01 or fit != "crop":
        mode = "decrease"
        filters = [
            f"scale={w}:{h}:force_original_aspect_ratio={mode}:force_divisible_by=2",
            f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=black",
            "setsar=1",
        ]
    else:
        filters = [
            f"scale={w}:{h}:force_original_aspect_ratio=increase",
            f"crop={w}:{h}",
            "setsar=1",
        ]
    return FramePlan(w, h, filters)
