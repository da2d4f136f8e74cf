"""Where to sample inside a window, and how samples become presence windows (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from clipora_core.api import PresenceSample, TimeWindow

PRESENT_STATUSES = frozenset({"present"})


def sample_times(start: float, end: float, interval: float) -> list[float]:
    """Sample timestamps (seconds, rounded to ms) inside ``[start, end)``.

    Both edges are sampled just inside the window (a quarter interval, at most 0.25 s, so the
    frame belongs to the window), plus every ``start + k * interval`` in between; a window
    shorter than the interval gets its midpoint too. ``[0, 10]`` every 2 s gives
    0.25, 2, 4, 6, 8, 9.75 (the earlier tool's grid).
    """
    duration = end - start
    if duration <= 0 or interval <= 0:
        return []
    offset = min(interval / 4, duration / 4, 0.25)
    times = [start + offset]
    if duration < interval:
        times.append(start + duration / 2)
    else:
        k = 1
        while start + k * interval < end - offset:
            times.append(start + k * interval)
            k += 1
    times.append(end - offset)
    out: list[float] = []
    for t in sorted(round(t, 3) for t in times):
        if not out or t > out[-1]:
            out.append(t)
    return out


def _merge(spans: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if merged and s <= merged[-1][1] + 1e-6:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _clip(
    span: tuple[float, float], windows: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    return [
        (max(span[0], ws), min(span[1], we))
        for ws, we in windows
        if min(span[1], we) > max(span[0], ws)
    ]


def presence_windows(
    samples: Sequence[PresenceSample],
    interval: float,
    windows: Sequence[Any] | None = None,
    uncertain_as_present: bool = True,
) -> tuple[list[TimeWindow], list[TimeWindow]]:
    """``(present_windows, absent_windows)`` covered by ``samples``.

    Each sample speaks for the time around it: up to half-way to its neighbours, and never more
    than half an ``interval`` either side (so a gap between two item windows, which nobody
    sampled, is claimed by neither list). With ``windows`` (``TimeWindow``s or ``(start, end)``
    pairs) the spans are clipped to them. ``uncertain`` samples count as present unless
    ``uncertain_as_present`` is false. A boundary is therefore off by at most half the gap
    between the two samples that straddle it.
    """
    if interval <= 0:
        raise ValueError("interval must be positive")
    ordered = sorted(samples, key=lambda s: s.timestamp_seconds)
    half = interval / 2
    bounds: list[tuple[float, float]] | None = None
    if windows is not None:
        bounds = _merge(
            (float(w[0]), float(w[1]))
            if isinstance(w, tuple | list)
            else (float(w.start_seconds), float(w.end_seconds))
            for w in windows
        )
    present: list[tuple[float, float]] = []
    absent: list[tuple[float, float]] = []
    for i, sample in enumerate(ordered):
        t = sample.timestamp_seconds
        lo, hi = t - half, t + half
        if i > 0:
            lo = max(lo, (ordered[i - 1].timestamp_seconds + t) / 2)
        if i + 1 < len(ordered):
            hi = min(hi, (t + ordered[i + 1].timestamp_seconds) / 2)
        lo = max(lo, 0.0)
        spans = [(lo, hi)] if bounds is None else _clip((lo, hi), bounds)
        counted = sample.status == "present" or (
            uncertain_as_present and sample.status == "uncertain"
        )
        (present if counted else absent).extend(spans)
    return _windows(_merge(present)), _windows(_merge(absent))


def _windows(spans: list[tuple[float, float]]) -> list[TimeWindow]:
    out = []
    for s, e in spans:
        s, e = round(s, 3), round(e, 3)
        if e > s:
            out.append(TimeWindow(start_seconds=s, end_seconds=e))
    return out
