"""From a run of transcript lines to playable time windows.

Edges snap to speech: the first word's start and the last word's end when the ASR gave word
timestamps, else the segment bounds, with a little breathing room taken only from the silence
next to the line (never from a neighbouring line) and never outside the item's window. Pauses
shorter than ``bridge`` between consecutive lines stay in the clip (cutting a sub-second breath
sounds like a glitch); longer pauses (dead air) are cut out.
"""

from __future__ import annotations

from clipora_core.api import TimeWindow

from clipora_live_commerce.engine import Line

LEAD_IN = 0.15
TAIL = 0.25


def speech_bounds(line: Line) -> tuple[float, float]:
    start, end = line.start_seconds, line.end_seconds
    if line.words:
        ws = min(w.start_seconds for w in line.words)
        we = max(w.end_seconds for w in line.words)
        # Word times outside the segment are ASR noise: trust them only inside it.
        if start - 0.05 <= ws < we <= end + 0.05:
            start, end = max(start, ws), min(end, we) if we > ws else end
    return start, max(end, start + 0.01)


def span_windows(
    run: list[Line],
    bounds: TimeWindow,
    prev_end: float | None,
    next_start: float | None,
    bridge: float,
) -> list[TimeWindow]:
    """Windows covering ``run`` (consecutive lines) inside ``bounds``."""
    pieces: list[list[float]] = []
    for line in run:
        s, e = speech_bounds(line)
        if pieces and s - pieces[-1][1] <= bridge:
            pieces[-1][1] = max(pieces[-1][1], e)
        else:
            pieces.append([s, e])
    first, last = pieces[0], pieces[-1]
    room_before = first[0] - (prev_end if prev_end is not None else first[0] - LEAD_IN)
    room_after = (next_start if next_start is not None else last[1] + TAIL) - last[1]
    first[0] -= max(0.0, min(LEAD_IN, room_before / 2))
    last[1] += max(0.0, min(TAIL, room_after / 2))
    out = []
    for s, e in pieces:
        s = max(s, bounds.start_seconds, 0.0)
        e = min(e, bounds.end_seconds)
        if e - s > 0.01:
            out.append(TimeWindow(start_seconds=round(s, 3), end_seconds=round(e, 3)))
    if not out:  # a line entirely outside its window cannot happen, but never return nothing
        out.append(TimeWindow(start_seconds=bounds.start_seconds, end_seconds=bounds.end_seconds))
    return out
