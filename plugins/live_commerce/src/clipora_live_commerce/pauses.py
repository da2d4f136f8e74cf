"""Clip edges in the pauses between words.

Word timestamps from Whisper are good to a tenth of a second or two, so a window that ends at
the last word's end can clip its final syllable, and one that starts at a word's start can
catch the tail of the word before. Each edge is moved to the quietest point of the gap between
the two words it separates (searched a little beyond the ASR's word times), measured on the
recording's own audio. Livestreams often play music under the voice, so the quietest point is
taken relative to its surroundings rather than against a fixed silence level.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from clipora_core.api import TimeMapEntry, TimeWindow, to_original_windows

from clipora_live_commerce.engine import Line

RATE = 16000
HOP = 0.01  # energy frame step, seconds
SLACK = 0.15  # how far past the ASR's word times an edge may move
MIN_LEAD = 0.04  # keep this much of the pause before a word that starts a window
WIDE_SLACK = 0.4  # ...and how far when no pause lies within SLACK
PAUSE_DEPTH_DB = 20.0  # a pause is this much quieter than the speech next to it
BOUND_SLACK = 0.4  # an edge may leave its item window by this much to reach a pause


class AudioEnvelope:
    """Short-time energy of a recording's audio, decoded only around the times asked for."""

    def __init__(self, path: Path, time_map: list[TimeMapEntry] | None = None) -> None:
        self.path = path
        # Times asked for are on the cleaned timeline; the file may be the whole recording.
        self.time_map = list(time_map or [])
        self._lock = threading.Lock()
        self._container = None

    def close(self) -> None:
        with self._lock:
            if self._container is not None:
                self._container.close()
                self._container = None

    def energy_db(self, start: float, end: float) -> tuple[float, np.ndarray]:
        """(time of the first frame, energy in dB per ``HOP``) over ``[start, end]``."""
        start = max(0.0, start)
        samples = self._decode(start, end)
        n = int(HOP * RATE)
        frames = len(samples) // n
        if frames == 0:
            return start, np.zeros(0)
        x = samples[: frames * n].reshape(frames, n).astype(np.float64)
        db = 10 * np.log10(np.mean(x * x, axis=1) + 1e-10)
        # Smooth over 30 ms so a single click does not count as speech (or a glottal stop as
        # a pause).
        if frames >= 3:
            db = np.convolve(db, np.ones(3) / 3, mode="same")
        return start, db

    def _decode(self, start: float, end: float) -> np.ndarray:
        if not self.time_map:
            return self._decode_file(start, end)
        pieces = to_original_windows(
            [TimeWindow(start_seconds=start, end_seconds=max(start, end))], self.time_map
        )
        decoded = [self._decode_file(p.start_seconds, p.end_seconds) for p in pieces]
        return np.concatenate(decoded) if decoded else np.zeros(0, np.float32)

    def _decode_file(self, start: float, end: float) -> np.ndarray:
        import av

        with self._lock:
            if self._container is None:
                self._container = av.open(str(self.path))
            container = self._container
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            container.seek(int(max(0.0, start - 0.5) / stream.time_base), stream=stream)
            chunks: list[np.ndarray] = []
            first: float | None = None
            for packet in container.demux(stream):
                for frame in packet.decode():
                    if frame.time is None:
                        continue
                    t0 = float(frame.time)
                    if t0 > end:
                        break
                    for out in resampler.resample(frame):
                        arr = out.to_ndarray().reshape(-1)
                        if first is None:
                            first = t0
                        chunks.append(arr)
                else:
                    continue
                break
        if not chunks or first is None:
            return np.zeros(0, np.float32)
        audio = np.concatenate(chunks)
        a = max(0, int(round((start - first) * RATE)))
        b = max(a, int(round((end - first) * RATE)))
        return audio[a:b]


@dataclass(frozen=True)
class _Word:
    start: float
    end: float


def _words(lines: list[Line]) -> list[_Word]:
    out: list[_Word] = []
    for ln in lines:
        if ln.words:
            out.extend(_Word(w.start_seconds, w.end_seconds) for w in ln.words)
        else:
            out.append(_Word(ln.start_seconds, ln.end_seconds))
    out.sort(key=lambda w: w.start)
    return out


class PauseSnapper:
    """Moves window edges to the quietest point between the words on either side."""

    def __init__(self, lines: list[Line], envelope: AudioEnvelope | None) -> None:
        self.words = _words(lines)
        self.starts = [w.start for w in self.words]
        self.envelope = envelope

    def _gap(self, t: float, kind: str) -> tuple[float, float]:
        """The gap between words that an edge at ``t`` should sit in."""
        i = bisect.bisect_left(self.starts, t - 1e-3)  # first word starting at/after t
        if kind == "start":
            # The window's first word starts at/after t; the word before it ends the gap.
            nxt = self.words[i] if i < len(self.words) else None
            prev = self.words[i - 1] if i > 0 else None
            lo = prev.end if prev else t - 0.5
            hi = nxt.start if nxt else t + 0.1
        else:
            # The window's last word starts before t; the next word's start ends the gap.
            prev = self.words[i - 1] if i > 0 else None
            nxt = self.words[i] if i < len(self.words) else None
            lo = prev.end if prev else t - 0.1
            hi = nxt.start if nxt else t + 0.5
        if hi < lo:
            lo, hi = hi, lo
        return lo, hi

    def snap(self, t: float, kind: str, floor: float, ceil: float) -> float:
        if self.envelope is None:
            return t
        gap = self._gap(t, kind)
        found = self._quiet(gap, SLACK, floor, ceil)
        if found is not None and not found[2]:
            # No pause where the ASR put the words' edges: its word times can be off by a
            # few tenths of a second; look a little further for the real one.
            wider = self._quiet(gap, WIDE_SLACK, floor, ceil)
            if wider is not None and wider[2]:
                found = wider
        if found is None:
            return min(max(t, floor), ceil)
        t0, db, _ = found
        quiet = db <= db.min() + 3.0
        idx = np.flatnonzero(quiet)
        # Start edges: the quiet frame nearest the coming word (a short breath before it);
        # end edges: the quiet frame nearest the word just finished.
        k = int(idx[-1]) if kind == "start" else int(idx[0])
        if kind == "start":
            # Keep a little of the pause before the word when the quiet run allows it.
            run_start = k
            while run_start > 0 and quiet[run_start - 1]:
                run_start -= 1
            k = max(run_start, k - int(MIN_LEAD / HOP))
        else:
            run_end = k
            while run_end + 1 < len(quiet) and quiet[run_end + 1]:
                run_end += 1
            k = min(run_end, k + int(MIN_LEAD / HOP))
        return round(min(max(t0 + (k + 0.5) * HOP, floor), ceil), 3)

    def _quiet(
        self, gap: tuple[float, float], slack: float, floor: float, ceil: float
    ) -> tuple[float, np.ndarray, bool] | None:
        """(first frame's time, energy per frame, whether a real pause is in it) around a gap
        between words, or None when there is nothing to search."""
        assert self.envelope is not None
        lo, hi = max(floor, gap[0] - slack), min(ceil, gap[1] + slack)
        if hi - lo < 3 * HOP:
            return None
        try:
            t0, db = self.envelope.energy_db(lo, hi)
        except Exception:  # noqa: BLE001 - an unreadable stretch keeps the ASR's edge
            return None
        if len(db) == 0:
            return None
        # A pause is well below the speech around it (music under the voice stays audible).
        return t0, db, bool(db.min() <= np.percentile(db, 90) - PAUSE_DEPTH_DB)

    def snap_windows(
        self,
        windows: list[TimeWindow],
        bounds: list[TimeWindow] | None = None,
        limit: float | None = None,
        avoid: list[tuple[float, float]] | None = None,
    ) -> list[TimeWindow]:
        """Every window's edges in a pause. An edge moves at most ``BOUND_SLACK`` outside the
        item window it belongs to (``bounds``), never past ``limit`` (the media's end) and never
        into a span to ``avoid`` (where the host is off screen)."""
        out = []
        end_limit = limit if limit else float("inf")
        for w in windows:
            box = _container_of(w, bounds)
            floor, ceil = (
                (box.start_seconds - BOUND_SLACK, box.end_seconds + BOUND_SLACK)
                if box
                else (w.start_seconds - BOUND_SLACK, w.end_seconds + BOUND_SLACK)
            )
            floor, ceil = max(0.0, floor), min(end_limit, ceil)
            for a, b in avoid or []:
                if b <= w.start_seconds + 1e-6:
                    floor = max(floor, b)
                if a >= w.end_seconds - 1e-6:
                    ceil = min(ceil, a)
            s = self.snap(w.start_seconds, "start", floor, w.end_seconds)
            e = self.snap(w.end_seconds, "end", max(s, w.start_seconds), ceil)
            if e - s > 0.05:
                out.append(TimeWindow(start_seconds=s, end_seconds=e))
            else:
                out.append(w)
        return out


def _container_of(w: TimeWindow, bounds: list[TimeWindow] | None) -> TimeWindow | None:
    if not bounds:
        return None
    best = max(
        bounds,
        key=lambda b: min(b.end_seconds, w.end_seconds) - max(b.start_seconds, w.start_seconds),
    )
    return best
