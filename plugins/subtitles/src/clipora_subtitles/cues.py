"""Cues on the clip's own timeline, built from the transcript and the clip's windows.

A clip plays its windows (effective-timeline spans of the source) one after another, in play
order, at ``playback_speed``. For each window the transcript's tokens whose middle falls inside
it are grouped into lines, their times are clipped to the window and moved to the clip timeline:
``clip_t = (offset_of_window + (t - window.start)) / speed``. Using token middles means a cue cut
by a window edge shows exactly the words heard in that window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clipora_core.api import TimeWindow, Transcript

from clipora_subtitles.linebreak import break_lines
from clipora_subtitles.tokens import CJK_TRAILING_DROP, is_cjk, join_tokens, segment_tokens

MIN_CUE_SECONDS = 0.04  # shorter than one frame at 25 fps: never visible


@dataclass(frozen=True)
class LayoutOptions:
    max_line_chars_cjk: int = 16
    max_line_chars_latin: int = 42
    gap_fill_seconds: float = 0.4

    @property
    def latin_ratio(self) -> float:
        return self.max_line_chars_cjk / self.max_line_chars_latin


@dataclass(frozen=True)
class Cue:
    start: float  # seconds on the clip timeline (after speed)
    end: float
    text: str
    # Each word (or CJK character) of the line as it is spoken: (start, text with its leading
    # space), on the clip timeline; for captions that highlight the word being said.
    words: tuple[tuple[float, str], ...] = ()


def clip_offsets(windows: Sequence[TimeWindow]) -> list[float]:
    """Where each window starts on the clip timeline, in source seconds (before speed)."""
    offsets, total = [], 0.0
    for w in windows:
        offsets.append(total)
        total += w.duration
    return offsets


def to_clip_time(t: float, windows: Sequence[TimeWindow], speed: float = 1.0) -> float | None:
    """Map an effective-timeline time to the clip timeline (first window containing it)."""
    for offset, w in zip(clip_offsets(windows), windows, strict=True):
        if w.start_seconds <= t <= w.end_seconds:
            return (offset + t - w.start_seconds) / speed
    return None


def _clean_text(text: str) -> str:
    text = " ".join(text.split())
    while text and text[-1] in CJK_TRAILING_DROP and len(text) > 1 and is_cjk(text[-2]):
        text = text[:-1]
    return text


def build_cues(
    transcript: Transcript,
    windows: Sequence[TimeWindow],
    playback_speed: float = 1.0,
    options: LayoutOptions | None = None,
) -> list[Cue]:
    opts = options or LayoutOptions()
    if playback_speed <= 0:
        raise ValueError("playback_speed must be positive")
    max_w = float(opts.max_line_chars_cjk)
    segments = sorted(
        (s for s in transcript.segments if s.end_seconds > s.start_seconds or s.words),
        key=lambda s: (s.start_seconds, s.end_seconds, s.id),
    )
    cues: list[Cue] = []
    for offset, win in zip(clip_offsets(windows), windows, strict=True):
        ws, we = win.start_seconds, win.end_seconds
        window_cues: list[Cue] = []
        for seg in segments:
            seg_end = max([seg.end_seconds] + [w.end_seconds for w in seg.words])
            seg_start = min([seg.start_seconds] + [w.start_seconds for w in seg.words])
            if seg_end <= ws or seg_start >= we:
                continue
            tokens = [t for t in segment_tokens(seg, opts.latin_ratio, max_w) if ws <= t.mid < we]
            for line in break_lines(tokens, max_w, opts.latin_ratio):
                text = _clean_text(join_tokens(line))
                if not text:
                    continue
                start = max(line[0].start, ws)
                end = min(max(t.end for t in line), we)
                words = tuple(
                    (
                        round((offset + max(t.start, ws) - ws) / playback_speed, 3),
                        (" " if t.space_before and i else "") + t.text,
                    )
                    for i, t in enumerate(line)
                )
                window_cues.append(
                    Cue(
                        (offset + start - ws) / playback_speed,
                        (offset + end - ws) / playback_speed,
                        text,
                        words,
                    )
                )
        window_cues.sort(key=lambda c: (c.start, c.end))
        # Hold a line across short pauses so it does not flicker off between phrases; never
        # past the window's own end.
        window_end = (offset + we - ws) / playback_speed
        for i, cue in enumerate(window_cues):
            nxt = window_cues[i + 1].start if i + 1 < len(window_cues) else None
            end = cue.end
            if nxt is not None and 0 < nxt - end <= opts.gap_fill_seconds / playback_speed:
                end = nxt
            if nxt is not None and end > nxt:
                end = nxt  # overlapping segments: one line at a time
            end = min(end, window_end)
            if end - cue.start >= MIN_CUE_SECONDS:
                cues.append(Cue(round(cue.start, 3), round(end, 3), cue.text, cue.words))
    cues.sort(key=lambda c: (c.start, c.end, c.text))
    return cues
