"""Mapping times between the cleaned (effective) timeline and the original recording."""

from __future__ import annotations

from clipora_core.contracts import PresenceSample, TimeMapEntry, TimeWindow


def to_original_windows(
    windows: list[TimeWindow], time_map: list[TimeMapEntry]
) -> list[TimeWindow]:
    """Effective-timeline windows -> original-recording windows.

    A window that spans a removed part splits into one original window per keep interval.
    Without a time map (nothing removed) the timelines are identical.
    """
    if not time_map:
        return [
            TimeWindow(start_seconds=w.start_seconds, end_seconds=w.end_seconds) for w in windows
        ]
    out: list[TimeWindow] = []
    for w in windows:
        for entry in time_map:
            lo = max(w.start_seconds, entry.cleaned_start_seconds)
            hi = min(w.end_seconds, entry.cleaned_end_seconds)
            if hi - lo > 1e-6:
                shift = entry.source_start_seconds - entry.cleaned_start_seconds
                out.append(
                    TimeWindow(start_seconds=round(lo + shift, 6), end_seconds=round(hi + shift, 6))
                )
    return out


def to_effective_time(t: float, time_map: list[TimeMapEntry]) -> float:
    """An original-recording time on the effective timeline; a time inside a removed part maps
    to where the recording resumes."""
    if not time_map:
        return t
    for entry in time_map:
        if t < entry.source_start_seconds:
            return entry.cleaned_start_seconds
        if t <= entry.source_end_seconds:
            return entry.cleaned_start_seconds + (t - entry.source_start_seconds)
    return time_map[-1].cleaned_end_seconds


def time_map_from_keeps(keeps: list[TimeWindow]) -> list[TimeMapEntry]:
    """One entry per kept piece of the recording; the cleaned timeline is their concatenation."""
    out: list[TimeMapEntry] = []
    cleaned = 0.0
    for k in keeps:
        length = k.end_seconds - k.start_seconds
        out.append(
            TimeMapEntry(
                source_start_seconds=round(k.start_seconds, 6),
                source_end_seconds=round(k.end_seconds, 6),
                cleaned_start_seconds=round(cleaned, 6),
                cleaned_end_seconds=round(cleaned + length, 6),
            )
        )
        cleaned += length
    return out


def intersect_keeps(first: list[TimeWindow], second: list[TimeWindow]) -> list[TimeWindow]:
    """What two cleaners both keep (both lists on the recording's clock, sorted)."""
    out: list[TimeWindow] = []
    for a in first:
        for b in second:
            lo, hi = max(a.start_seconds, b.start_seconds), min(a.end_seconds, b.end_seconds)
            if hi - lo > 1e-6:
                out.append(TimeWindow(start_seconds=lo, end_seconds=hi))
    return sorted(out, key=lambda w: w.start_seconds)


def to_original_time(t: float, time_map: list[TimeMapEntry]) -> float:
    """The recording's time shown at cleaned time ``t`` (clamped to the ends)."""
    if not time_map:
        return t
    for entry in time_map:
        if t <= entry.cleaned_end_seconds + 1e-9:
            return entry.source_start_seconds + max(0.0, t - entry.cleaned_start_seconds)
    return time_map[-1].source_end_seconds


def presence_windows(
    samples: list[PresenceSample], interval: float, windows: list[TimeWindow]
) -> tuple[list[TimeWindow], list[TimeWindow]]:
    """Turn presence samples into present/absent spans, each sample covering +-interval/2,
    clipped to the item's windows. Uncertain samples count as present (benefit of the doubt)."""
    present: list[TimeWindow] = []
    absent: list[TimeWindow] = []
    for w in windows:
        inside = sorted(
            (
                s
                for s in samples
                if w.start_seconds - 1e-6 <= s.timestamp_seconds <= w.end_seconds + 1e-6
            ),
            key=lambda s: s.timestamp_seconds,
        )
        for i, s in enumerate(inside):
            lo = (
                w.start_seconds
                if i == 0
                else (inside[i - 1].timestamp_seconds + s.timestamp_seconds) / 2
            )
            hi = (
                w.end_seconds
                if i == len(inside) - 1
                else (s.timestamp_seconds + inside[i + 1].timestamp_seconds) / 2
            )
            if hi - lo <= 1e-6:
                continue
            target = absent if s.status == "absent" else present
            if target and abs(target[-1].end_seconds - lo) < 1e-6:
                target[-1] = TimeWindow(
                    start_seconds=target[-1].start_seconds, end_seconds=round(hi, 6)
                )
            else:
                target.append(TimeWindow(start_seconds=round(lo, 6), end_seconds=round(hi, 6)))
    return present, absent
