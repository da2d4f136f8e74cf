"""Filter-graph pieces for ``fit: subject``: each window is framed on its own, before the
windows are joined, so a cut starts the crop afresh.

A ``crop`` window's corner is an ffmpeg expression of the window's time: the keys' straight
lines written as one flat sum of ``clip()`` terms (no nesting, however many keys), which the
crop filter evaluates for every frame. A ``fill`` window shows the whole frame over a blurred,
enlarged copy of itself; the blur runs at an eighth of the size (the look is the same, the cost
a fraction)."""

from __future__ import annotations

from clipora_core.api import WindowFraming

from clipora_render_ffmpeg.profile import FramePlan


def _number(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".") or "0"


def path_expression(keys: list[tuple[float, float]]) -> str:
    """``f(t)``: ``keys`` (time, value) joined by straight lines, held before the first key
    and after the last."""
    if not keys:
        return "0"
    terms = [_number(keys[0][1])]
    for (t0, v0), (t1, v1) in zip(keys, keys[1:], strict=False):
        if t1 <= t0 or v1 == v0:
            continue
        slope = (v1 - v0) / (t1 - t0)
        terms.append(f"{_number(slope)}*(clip(t,{_number(t0)},{_number(t1)})-{_number(t0)})")
    return "+".join(terms).replace("+-", "-")


def _even(x: int) -> int:
    return max(2, x - x % 2)


def centred(frame: FramePlan, width: int, height: int) -> WindowFraming:
    """The framing of a window nobody planned: the crop held in the middle."""
    assert frame.subject is not None
    cw, ch = frame.subject
    return WindowFraming("crop", [(0.0, (width - cw) / 2, (height - ch) / 2)])


def window_filters(i: int, framing: WindowFraming, frame: FramePlan, label_in: str) -> list[str]:
    """Graph statements that turn window ``i``'s frames (``label_in``) into ``[f{i}]`` of the
    output size."""
    assert frame.subject is not None
    w, h = frame.width, frame.height
    if framing.mode == "fill":
        sw, sh = _even(w // 8), _even(h // 8)
        return [
            f"[{label_in}]split=2[fa{i}][fb{i}]",
            f"[fa{i}]scale={sw}:{sh}:force_original_aspect_ratio=increase,crop={sw}:{sh},"
            f"boxblur=6:2,scale={w}:{h},setsar=1[bg{i}]",
            f"[fb{i}]scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2,"
            f"setsar=1[fg{i}]",
            f"[bg{i}][fg{i}]overlay=(W-w)/2:(H-h)/2[f{i}]",
        ]
    cw, ch = frame.subject
    xs = path_expression([(t, x) for t, x, _ in framing.keys])
    ys = path_expression([(t, y) for t, _, y in framing.keys])
    return [
        f"[{label_in}]crop=w={cw}:h={ch}:x='{xs}':y='{ys}',scale={w}:{h},setsar=1[f{i}]",
    ]
