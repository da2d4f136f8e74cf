"""Where a crop of a clip's frame goes so that the host and the product stay in it.

A detector says where the subjects are at sampled times (``SubjectSample``). For each sample and
axis that gives an interval the crop's corner may lie in (the subjects inside, with a margin).
The path through those intervals is planned per window of the clip (a cut is a fresh start):

* lazy: it holds still while the subjects stay inside and moves only as far as it must, so a
  host who sways does not make the frame sway;
* bounded in speed, and looking ahead: what is reachable is worked out forwards, then what can
  still reach every later interval backwards, so the crop starts moving early enough to be there
  when the subject arrives, rather than jumping;
* eased: a moving average of that path, brought back into the reachable intervals.

A window where the subjects fit in too few samples is shown whole over a blurred copy of itself
(``fill``) instead of being cropped. Pure Python: the kernel imports no numeric library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clipora_core.capabilities import WindowFraming
from clipora_core.contracts import SubjectBox, SubjectSample, TimeWindow

Box = tuple[float, float, float, float]  # left, top, right, bottom, in pixels


@dataclass
class FramingOptions:
    max_speed: float = 0.25  # source widths (heights) per second
    margin: float = 0.05  # share of the crop kept around the subjects
    smoothing_seconds: float = 1.0
    min_fit: float = 0.7
    hands: bool = True


@dataclass
class _Gate:
    lo: float
    hi: float
    fits: bool


def _union(boxes: Sequence[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _pixels(box: SubjectBox, width: int, height: int) -> Box:
    return (box.left * width, box.top * height, box.right * width, box.bottom * height)


def regions(boxes: Sequence[SubjectBox], width: int, height: int, hands: bool) -> list[Box]:
    """What to keep in frame, best first: the host with what the host holds, the host alone;
    without a host, whatever stands out most. Empty: nothing found."""
    people = [b for b in boxes if b.kind == "person"]
    if people:
        host = max(people, key=lambda b: (b.right - b.left) * (b.bottom - b.top) * b.score)
        core = _pixels(host, width, height)
        held = [_pixels(b, width, height) for b in boxes if b.kind == "hands"] if hands else []
        return [_union([core, *held]), core] if held else [core]
    salient = [b for b in boxes if b.kind == "salient"]
    if salient:
        best = max(salient, key=lambda b: b.score)
        return [_pixels(best, width, height)]
    return []


# Room kept around the subjects when there is plenty: they stay in the middle part of the crop
# rather than riding along its edge.
COMFORT = 0.2


def _gate(lo_edge: float, hi_edge: float, span: float, crop: float, margin: float) -> _Gate | None:
    """Corner positions on one axis that keep [lo_edge, hi_edge] inside a crop of ``crop``
    within ``span`` (with comfortable room, else the margin, else none); None when it does not
    fit."""
    free_hi = span - crop
    for room in (max(margin, COMFORT * crop), margin, 0.0):
        lo = max(0.0, hi_edge + room - crop)
        hi = min(free_hi, lo_edge - room)
        if lo <= hi:
            return _Gate(lo, hi, True)
    return None


def _gates(
    samples: Sequence[tuple[float, list[SubjectBox]]],
    span: int,
    crop: int,
    axis: int,
    width: int,
    height: int,
    opts: FramingOptions,
) -> list[_Gate]:
    out: list[_Gate] = []
    free = _Gate(0.0, float(span - crop), True)
    margin = opts.margin * crop
    for _, boxes in samples:
        found = regions(boxes, width, height, opts.hands)
        if not found or crop >= span:
            out.append(free)
            continue
        gate = None
        for region in found:
            gate = _gate(region[axis], region[axis + 2], span, crop, margin)
            if gate is not None:
                break
        if gate is None:
            # Too big for the crop: centre on the host (or what stands out) and say so.
            core = found[-1]
            centre = (core[axis] + core[axis + 2]) / 2 - crop / 2
            centre = min(max(centre, 0.0), float(span - crop))
            gate = _Gate(centre, centre, False)
        out.append(gate)
    return out


def _clamp(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


def _nearest(lo: float, hi: float, a: float, b: float) -> tuple[float, float]:
    """[lo, hi] ∩ [a, b], or the point of [a, b] nearest to [lo, hi] when they do not meet."""
    x, y = max(lo, a), min(hi, b)
    if x <= y:
        return x, y
    p = a if hi < a else b
    return p, p


def follow(
    times: Sequence[float], gates: Sequence[_Gate], speed: float, smoothing: float, start: float
) -> list[float]:
    """A corner position per time: inside every gate where the speed allows, never faster
    than ``speed`` (pixels per second)."""
    n = len(times)
    if n == 0:
        return []
    # What can be reached from the start, forwards...
    reach = [(gates[0].lo, gates[0].hi)]
    for i in range(1, n):
        d = speed * (times[i] - times[i - 1])
        a, b = reach[-1]
        reach.append(_nearest(gates[i].lo, gates[i].hi, a - d, b + d))
    # ... and what from there can still reach every later gate, backwards.
    able = list(reach)
    for i in range(n - 2, -1, -1):
        d = speed * (times[i + 1] - times[i])
        a, b = able[i + 1]
        able[i] = _nearest(reach[i][0], reach[i][1], a - d, b + d)

    def step(i: int, previous: float, wanted: float) -> float:
        d = speed * (times[i] - times[i - 1])
        lo, hi = _nearest(able[i][0], able[i][1], previous - d, previous + d)
        return _clamp(wanted, lo, hi)

    # Lazy: each step stays where the last one was, unless it must move.
    lazy = [_clamp(start, *able[0])]
    for i in range(1, n):
        lazy.append(step(i, lazy[-1], lazy[-1]))
    if smoothing <= 0 or n < 3:
        return lazy
    half = smoothing / 2
    eased: list[float] = []
    j0 = j1 = 0
    for i in range(n):
        while times[j0] < times[i] - half:
            j0 += 1
        while j1 + 1 < n and times[j1 + 1] <= times[i] + half:
            j1 += 1
        span = lazy[j0 : j1 + 1]
        eased.append(sum(span) / len(span))
    path = [_clamp(eased[0], *able[0])]
    for i in range(1, n):
        path.append(step(i, path[-1], eased[i]))
    return path


def _simplify(keys: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Drop keys the straight line between their neighbours already passes (within 0.5 px)."""
    if len(keys) <= 2:
        return keys
    out = [keys[0]]
    for i in range(1, len(keys) - 1):
        a, b, c = out[-1], keys[i], keys[i + 1]
        f = (b[0] - a[0]) / (c[0] - a[0]) if c[0] > a[0] else 0.0
        if any(abs(a[k] + f * (c[k] - a[k]) - b[k]) > 0.5 for k in (1, 2)):
            out.append(b)
    out.append(keys[-1])
    return out


@dataclass
class WindowPlan:
    framing: WindowFraming
    samples: int
    fitting: int


def plan_window(
    samples: Sequence[tuple[float, list[SubjectBox]]],
    size: tuple[int, int],
    crop: tuple[int, int],
    opts: FramingOptions,
) -> WindowPlan:
    """The framing of one window from its samples ((seconds from its start, boxes))."""
    width, height = size
    cw, ch = crop
    ordered = sorted(samples, key=lambda s: s[0])
    if not ordered:
        centre = (round((width - cw) / 2, 1), round((height - ch) / 2, 1))
        return WindowPlan(WindowFraming("crop", [(0.0, *centre)]), 0, 0)
    times = [t for t, _ in ordered]
    gx = _gates(ordered, width, cw, 0, width, height, opts)
    gy = _gates(ordered, height, ch, 1, width, height, opts)
    fitting = sum(a.fits and b.fits for a, b in zip(gx, gy, strict=True))
    if fitting < opts.min_fit * len(ordered):
        return WindowPlan(WindowFraming("fill", []), len(ordered), fitting)

    def start(gates: list[_Gate], span: int, crop_len: int) -> float:
        # Begin with the subjects centred where they can be.
        g = gates[0]
        if g.lo == 0.0 and g.hi == float(span - crop_len):
            return (span - crop_len) / 2
        return (g.lo + g.hi) / 2

    xs = follow(times, gx, opts.max_speed * width, opts.smoothing_seconds, start(gx, width, cw))
    ys = follow(times, gy, opts.max_speed * height, opts.smoothing_seconds, start(gy, height, ch))
    keys = [(round(t, 3), round(x, 1), round(y, 1)) for t, x, y in zip(times, xs, ys, strict=True)]
    if keys[0][0] > 0:
        keys.insert(0, (0.0, keys[0][1], keys[0][2]))
    return WindowPlan(WindowFraming("crop", _simplify(keys)), len(ordered), fitting)


def plan_framing(
    cuts: Sequence[TimeWindow],
    samples: Sequence[SubjectSample],
    size: tuple[int, int],
    crop: tuple[int, int],
    opts: FramingOptions,
) -> list[WindowPlan]:
    """A plan per cut (windows in the file the renderer reads; samples on the same clock)."""
    plans = []
    for cut in cuts:
        inside = [
            (s.timestamp_seconds - cut.start_seconds, list(s.boxes))
            for s in samples
            if cut.start_seconds - 1e-6 <= s.timestamp_seconds <= cut.end_seconds + 1e-6
        ]
        plans.append(plan_window(inside, size, crop, opts))
    return plans
