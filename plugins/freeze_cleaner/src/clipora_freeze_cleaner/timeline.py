"""Pure timeline helpers: freeze span rules, keep intervals and the source<->cleaned time map.

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


def time_map(keeps: Sequence[Span]) -> list[tuple[float, float, float, float]]:
    """``(source_start, source_end, cleaned_start, cleaned_end)`` per keep; cleaned is cumulative."""
    out = []
    cleaned = 0.0
    for start, end in keeps:
        out.append((start, end, cleaned, cleaned + (end - start)))
        cleaned += end - start
    return out


def source_to_cleaned(
    t: float, mapping: Sequence[tuple[float, float, float, float]]
) -> float | None:
    """Where source time ``t`` lands in the cleaned file (None inside a removed span)."""
    for s0, s1, c0, _c1 in mapping:
        if s0 - EPS <= t <= s1 + EPS:
            return c0 + min(max(t - s0, 0.0), s1 - s0)
    return None


def cleaned_to_source(t: float, mapping: Sequence[tuple[float, float, float, float]]) -> float:
    """The source time shown at cleaned time ``t`` (clamped to the ends)."""
    if not mapping:
        return t
    for s0, _s1, c0, c1 in mapping:
        if t <= c1 + EPS:
            return s0 + max(0.0, min(t, c1) - c0)
    s0, s1, _c0, _c1 = mapping[-1]
    return s1
