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
from typing import Any

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


# Windows that follow each other in the recording this closely are one stretch of speech with
# a filler or a long pause cut out: a line runs on across the cut instead of breaking in two.
RUN_GAP_SECONDS = 3.0


def _runs(windows: Sequence[TimeWindow]) -> list[list[int]]:
    """Indices of the windows, grouped into stretches of speech (see RUN_GAP_SECONDS)."""
    runs: list[list[int]] = []
    for i, w in enumerate(windows):
        if runs:
            prev = windows[runs[-1][-1]]
            if 0 <= w.start_seconds - prev.end_seconds <= RUN_GAP_SECONDS:
                runs[-1].append(i)
                continue
        runs.append([i])
    return runs


class _Run:
    """Some consecutive windows of a clip, on the clip timeline as one: a time inside a cut-out
    gap maps to the join."""

    def __init__(self, windows: Sequence[TimeWindow], offsets: Sequence[float]) -> None:
        self.windows = list(windows)
        self.offsets = list(offsets)
        self.start = windows[0].start_seconds
        self.end = windows[-1].end_seconds

    def contains(self, t: float) -> bool:
        return any(w.start_seconds <= t < w.end_seconds for w in self.windows)

    def clip_time(self, t: float) -> float:
        for offset, w in zip(self.offsets, self.windows, strict=True):
            if t < w.start_seconds:
                return offset  # in the gap before this window: the join
            if t <= w.end_seconds:
                return offset + t - w.start_seconds
        last = self.windows[-1]
        return self.offsets[-1] + last.duration


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
    offsets = clip_offsets(windows)
    cues: list[Cue] = []
    for members in _runs(windows):
        run = _Run([windows[i] for i in members], [offsets[i] for i in members])
        cues += _run_cues(run, segments, playback_speed, opts, max_w)
    cues.sort(key=lambda c: (c.start, c.end, c.text))
    return cues


def _run_cues(
    run: _Run, segments: Sequence[Any], speed: float, opts: LayoutOptions, max_w: float
) -> list[Cue]:
    ws, we = run.start, run.end
    run_cues: list[Cue] = []
    for seg in segments:
        seg_end = max([seg.end_seconds] + [w.end_seconds for w in seg.words])
        seg_start = min([seg.start_seconds] + [w.start_seconds for w in seg.words])
        if seg_end <= ws or seg_start >= we:
            continue
        tokens = [t for t in segment_tokens(seg, opts.latin_ratio, max_w) if run.contains(t.mid)]
        for line in break_lines(tokens, max_w, opts.latin_ratio):
            text = _clean_text(join_tokens(line))
            if not text:
                continue
            start = run.clip_time(max(line[0].start, ws))
            end = run.clip_time(min(max(t.end for t in line), we))
            words = tuple(
                (
                    round(run.clip_time(max(t.start, ws)) / speed, 3),
                    (" " if t.space_before and i else "") + t.text,
                )
                for i, t in enumerate(line)
            )
            run_cues.append(Cue(start / speed, end / speed, text, words))
    run_cues.sort(key=lambda c: (c.start, c.end))
    # Hold a line across short pauses so it does not flicker off between phrases; never past
    # the run's own end.
    run_end = run.clip_time(we) / speed
    out: list[Cue] = []
    for i, cue in enumerate(run_cues):
        nxt = run_cues[i + 1].start if i + 1 < len(run_cues) else None
        end = cue.end
        if nxt is not None and 0 < nxt - end <= opts.gap_fill_seconds / speed:
            end = nxt
        if nxt is not None and end > nxt:
            end = nxt  # overlapping segments: one line at a time
        end = min(end, run_end)
        if end - cue.start >= MIN_CUE_SECONDS:
            out.append(Cue(round(cue.start, 3), round(end, 3), cue.text, cue.words))
    return out
