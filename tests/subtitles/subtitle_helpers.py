"""Builders shared by the subtitle tests (imported by name: tests/subtitles is on sys.path)."""

from __future__ import annotations

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
