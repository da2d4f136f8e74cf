"""Pure timeline helpers: freeze span rules and keep intervals.

Spans are ``(start, end)`` tuples in source seconds. The rules follow the earlier tool (merge
close spans, drop short ones, absorb keeps too short to be useful) so settings carry over.
"""

from __future__ import annotations

from collections.abc import Sequence

Span = tuple[float, float]

EPS = 1e-6


def merge_close(spans: Sequence[Span], merge_gap: float) -> list[Span]:
    """Merge spans whose gap is at most ``merge_gap`` (overlaps merge too)."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start - out[-1][1] <= merge_gap + EPS:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def drop_short(spans: Sequence[Span], min_duration: float) -> list[Span]:
    return [(s, e) for s, e in spans if e - s >= min_duration - EPS]


def absorb_short_keeps(spans: Sequence[Span], min_keep: float, duration: float) -> list[Span]:
    """Remove keep gaps shorter than ``min_keep`` by widening the removals around them.

    Unlike the earlier tool this also covers the keep before the first removal and after the
    last one: a 0.2 s sliver of video at the start of a clip is never worth keeping.
    """
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start - out[-1][1] < min_keep:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    if out and out[0][0] < min_keep:
        out[0] = (0.0, out[0][1])
    if out and duration - out[-1][1] < min_keep:
        out[-1] = (out[-1][0], duration)
    return out


def removal_spans(
    detected: Sequence[Span],
    duration: float,
    *,
    merge_gap: float,
    min_remove: float,
    min_keep: float,
) -> list[Span]:
    """Detected freezes -> the spans to remove, clamped to ``[0, duration]``."""
    clamped = [
        (max(0.0, s), min(duration, e)) for s, e in detected if min(duration, e) > max(0.0, s)
    ]
    spans = drop_short(merge_close(clamped, merge_gap), min_remove)
    return absorb_short_keeps(spans, min_keep, duration)


def keep_intervals(removed: Sequence[Span], duration: float) -> list[Span]:
    """Complement of ``removed`` over ``[0, duration]``, sorted, without empty pieces."""
    keeps: list[Span] = []
    cursor = 0.0
    for start, end in sorted(removed):
        if start - cursor > EPS:
            keeps.append((cursor, start))
        cursor = max(cursor, end)
    if duration - cursor > EPS:
        keeps.append((cursor, duration))
    return keeps
