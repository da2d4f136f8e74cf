"""Frozen-span detection through ffmpeg's ``freezedetect``, decoding only what can hold a freeze.

The measure is one decode of the video, downscaled, through ``freezedetect``: ffmpeg binary at
160 px wide with ``area`` scaling and the deblocking filter skipped (on a 60 s 720p H.264 file,
2 cores: 1.2-1.5 s; the same at 480 px 2.1 s, a PyAV filter graph 2.0 s). Skipping deblocking is
safe here: it is deterministic, so identical frames stay identical, and moving frames only differ
more. ``full_decode=True`` runs exactly that over the whole recording.

By default (H.264/HEVC with keyframes often enough) the same measure runs only on the stretches
that can hold a freeze, found without a full decode:

1. the packets are listed without decoding (``framecrc`` of a stream copy): time, size and
   keyframe flag of every frame;
2. only the keyframes are decoded (``-skip_frame nokey``), downscaled the same way, and ``scdet``
   gives each one's difference from the previous. Consecutive keyframes inside a freeze differ by
   at most twice the noise floor (both lie within it of the freeze's first frame), so every
   freeze holding two keyframes shows up as a chain of alike keyframes;
3. runs of small packets between keyframes (a still picture is coded as skipped macroblocks)
   point at the shorter freezes;
4. each such stretch, from the keyframe before it to past its end, is decoded in full through
   ``freezedetect`` (``-ss`` to the keyframe, ``trim`` at the end): the spans, frame-accurate,
   are what the full decode reports there. A span that reaches the edge of its window widens
   the window and decodes again.

What is certain and what is not: a freeze at least ``certain_seconds`` long (default 4 s, the
cleaner's default shortest removal) holds two keyframes whenever keyframes are at most half that
apart; with a sparser keyframe grid (x264's default of 250 frames, for one), or a codec whose decoder may not skip
non-keyframes, the full decode runs instead. Shorter freezes (down to ``min_duration``) rest on
step 3: one an encoder codes with big packets (a still but noisy camera picture, CBR filler) and
that spans fewer than two keyframe intervals can be missed. The packet-size threshold is raised
to what the confirmed freezes of the same recording cost, and when the stretches to decode cover
half the recording the full decode runs instead.

Cost (``bench/clean.py``: 20 min of 720p30 H.264 at 14 Mbit/s, 2 s GOP, three freezes; 2
cores): the full decode 208-219 CPU s (17-18 % of the duration), this path 12-13 CPU s (1 %):
1.2 s listing the packets, 8 s decoding the 600 keyframes, 3 s decoding the windows (73 s of
video, mostly still pictures, which decode fast). The spans were the same to the frame.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from clipora_core.api import Media

from clipora_freeze_cleaner.ffmpeg_exec import input_duration, stats_time
from clipora_freeze_cleaner.keyframes import (
    FrameIndex,
    Region,
    Sample,
    chain_regions,
    parse_framecrc,
    parse_samples,
    plan_windows,
    quiet_regions,
    quiet_threshold,
    sizes_inside,
)
from clipora_freeze_cleaner.timeline import Span

log = logging.getLogger(__name__)

DETECT_WIDTH = 160
_EVENT = re.compile(r"lavfi\.freezedetect\.freeze_(start|end):\s*(-?[0-9.]+(?:e[-+]?\d+)?)")
_PTS_TIME = re.compile(r"\bpts_time:(-?[0-9.]+(?:e[-+]?\d+)?)")

CERTAIN_SECONDS = 4.0  # freezes this long are never missed by the fast path (see above)
FAST_CODECS = frozenset({"h264", "hevc"})  # decoders that honour -skip_frame nokey
MAX_COVERAGE = 0.5  # decode everything once the windows would cover this share
QUIET_MARGIN = 0.25  # seconds added around a run of small packets
MAX_ROUNDS = 16  # window widenings before giving up on the fast path
# Share of the progress bar: packet listing, keyframe pass, then the windows.
_LISTED, _SAMPLED = 0.02, 0.25


def parse_freeze_events(lines: list[str], duration: float) -> list[Span]:
    """Pair ``freeze_start``/``freeze_end`` lines; a freeze still open at the end runs to it."""
    spans, pending = _pair_events(lines)
    if pending is not None and duration > pending:
        spans.append((pending, duration))
    return spans


def _pair_events(lines: list[str]) -> tuple[list[Span], float | None]:
    """Closed spans, and the start of one still open after the last line."""
    spans: list[Span] = []
    pending: float | None = None
    for line in lines:
        m = _EVENT.search(line)
        if not m:
            continue
        value = float(m.group(2))
        if m.group(1) == "start":
            pending = value
        elif pending is not None:
            if value > pending:
                spans.append((pending, value))
            pending = None
    return spans, pending


def _freeze_filter(noise_db: float, min_duration: float) -> str:
    return f"scale={DETECT_WIDTH}:-2:flags=area,freezedetect=n={noise_db:g}dB:d={min_duration:g}"


class _Progress:
    """Monotonic progress in [0, 1] for an optional callback."""

    def __init__(self, callback: Callable[[float], None] | None) -> None:
        self.callback = callback
        self.value = 0.0

    def __call__(self, fraction: float) -> None:
        fraction = min(1.0, fraction)
        if self.callback is not None and fraction > self.value:
            self.value = fraction
            self.callback(fraction)

    def span(self, lo: float, hi: float) -> Callable[[float], None]:
        return lambda f: self(lo + (hi - lo) * min(1.0, max(0.0, f)))


def detect_freezes(
    source: Path,
    noise_db: float,
    min_duration: float,
    duration_hint: float = 0.0,
    on_progress: Callable[[float], None] | None = None,
    media: Media | None = None,
    *,
    full_decode: bool = False,
    certain_seconds: float = CERTAIN_SECONDS,
) -> tuple[list[Span], float]:
    """Frozen spans of ``source`` (source seconds) and the duration ffmpeg saw.

    The spans are those of a full decode (:func:`detect_freezes_full`) to within a frame;
    ``full_decode=True`` runs that decode. ``certain_seconds``: freezes at least this long are
    never missed (the fast path runs only where it can promise that; see the module doc).
    """
    media = media or Media()
    progress = _Progress(on_progress)
    if not full_decode:
        found = _detect_fast(
            source, noise_db, min_duration, duration_hint, progress, media, certain_seconds
        )
        if found is not None:
            return found
    return detect_freezes_full(
        source, noise_db, min_duration, duration_hint, progress.span(progress.value, 1.0), media
    )


def detect_freezes_full(
    source: Path,
    noise_db: float,
    min_duration: float,
    duration_hint: float = 0.0,
    on_progress: Callable[[float], None] | None = None,
    media: Media | None = None,
) -> tuple[list[Span], float]:
    """The whole recording decoded once through ``freezedetect``."""
    events: list[str] = []
    state = {"duration": duration_hint}

    def on_line(line: str) -> None:
        if "freezedetect" in line:
            events.append(line)
            return
        if not state["duration"]:
            d = input_duration(line)
            if d:
                state["duration"] = d
        t = stats_time(line)
        if t is not None and on_progress and state["duration"]:
            on_progress(min(1.0, t / state["duration"]))

    (media or Media()).run(
        [
            "-loglevel",
            "info",
            "-stats_period",
            "0.5",
            "-skip_loop_filter",
            "all",
            "-i",
            source,
            "-map",
            "0:v:0",
            "-vf",
            _freeze_filter(noise_db, min_duration),
            "-an",
            "-sn",
            "-dn",
            "-f",
            "null",
            "-",
        ],
        what=f"looking for frozen video in {Path(source).name}",
        on_line=on_line,
    )
    return parse_freeze_events(events, state["duration"]), state["duration"]


# --- the fast path ------------------------------------------------------------------------------


def _detect_fast(
    source: Path,
    noise_db: float,
    min_duration: float,
    duration_hint: float,
    progress: _Progress,
    media: Media,
    certain_seconds: float,
) -> tuple[list[Span], float] | None:
    """The spans, or ``None`` where this path cannot vouch for them (the caller decodes all)."""
    index, seen = _frame_index(source, media)
    progress(_LISTED)

    def give_up(reason: str) -> tuple[list[Span], float] | None:
        log.info("freeze detection in %s decodes everything: %s", Path(source).name, reason)
        return None

    if index is None:
        return give_up("no usable packet timestamps")
    if index.codec not in FAST_CODECS:
        return give_up(f"codec {index.codec or 'unknown'}")
    period = index.period
    duration = duration_hint or seen or index.end
    keys = index.key_times
    if period <= 0 or len(keys) < 2 or len(keys) > 0.25 * len(index.times):
        return give_up(f"{len(keys)} keyframes in {len(index.times)} frames")
    sure = max(min_duration, certain_seconds)
    if 2 * index.max_key_gap() > sure + 0.5 * period:
        return give_up(
            f"keyframes up to {index.max_key_gap():.2f} s apart, too sparse to find every "
            f"{sure:g} s freeze"
        )

    samples = _keyframe_samples(
        source, media, duration, progress.span(_LISTED, _SAMPLED) if duration else None
    )
    edges = [index.times[0], *(s.time for s in samples), index.end]
    sample_gap = max(b - a for a, b in zip(edges, edges[1:], strict=False))
    if len(samples) < 2 or 2 * sample_gap > sure + 0.5 * period:
        return give_up(f"decoded keyframes up to {sample_gap:.2f} s apart")
    progress(_SAMPLED)

    tolerance = 2 * 10 ** (noise_db / 20) * 1.02 + 1e-5  # scdet prints 3 decimals of percent
    threshold: float = quiet_threshold(index)
    min_run = max(period, min_duration - 3 * period)
    margin = max(QUIET_MARGIN, 4 * period)
    regions = chain_regions(samples, tolerance, index.end)
    regions += quiet_regions(index, threshold, min_run, margin)

    results: dict[Region, _Window] = {}
    calibrated = False
    windows: list[Region] = []
    for _ in range(MAX_ROUNDS):
        windows = plan_windows(index, regions)
        covered = sum(hi - lo for lo, hi in windows)
        if covered > MAX_COVERAGE * duration:
            return give_up(f"{covered:.0f} s of {duration:.0f} s may hold frozen video")
        todo = [w for w in windows if w not in results]
        done = covered - sum(hi - lo for lo, hi in todo)
        for w in todo:
            seen_window = _decode_window(source, media, index, w, noise_db, min_duration)
            if seen_window is None:
                return give_up(f"cannot tell where decoding started after seeking to {w[0]:.2f} s")
            results[w] = seen_window
            done += w[1] - w[0]
            progress(_SAMPLED + (1 - _SAMPLED) * 0.98 * done / max(covered, 1e-9))
        more = _widenings(index, windows, results)
        if not more and not calibrated:
            calibrated = True
            inside = sorted(
                size
                for w in windows
                for s, e in results[w].spans
                for size in sizes_inside(index, s, e)
            )
            if inside and 1.25 * inside[int(0.9 * (len(inside) - 1))] > threshold:
                threshold = 1.25 * inside[int(0.9 * (len(inside) - 1))]
                more = quiet_regions(index, threshold, min_run, margin)
        if not more:
            break
        regions = regions + more
    else:
        return give_up("window widening did not settle")

    spans: list[Span] = []
    for w in windows:
        r = results[w]
        spans += r.spans
        if r.open_start is not None and duration > r.open_start:
            spans.append((r.open_start, duration))
    spans.sort()
    log.info(
        "freeze detection in %s: %d keyframes compared, %d windows decoded in full "
        "(%.1f s of %.1f s), %d spans",
        Path(source).name,
        len(samples),
        len(results),
        sum(hi - lo for lo, hi in results),
        duration,
        len(spans),
    )
    progress(1.0)
    return spans, duration


def _widenings(
    index: FrameIndex,
    windows: list[Region],
    results: dict[Region, _Window],
) -> list[Region]:
    """Regions to add where a span reaches its window's edge: one starting on the window's
    first frame may have started earlier, one still open at its end runs on."""
    p = index.period
    more: list[Region] = []
    for lo, hi in windows:
        r = results[(lo, hi)]
        first = r.first
        starts = [s for s, _ in r.spans] + ([r.open_start] if r.open_start is not None else [])
        if first > index.times[0] + p / 2 and any(s <= first + p / 2 for s in starts):
            more.append((min(lo, first) - p, lo))  # from the keyframe before
        if r.open_start is not None and hi < index.times[-1] - p / 2:
            more.append((hi, hi + max(2 * index.max_key_gap(), 2.0)))
    return more


def _frame_index(source: Path, media: Media) -> tuple[FrameIndex | None, float]:
    """Every video packet's time, size and keyframe flag (a stream copy, no decoding), and the
    container's duration."""
    state = {"duration": 0.0}

    def on_line(line: str) -> None:
        if not state["duration"]:
            state["duration"] = input_duration(line) or 0.0

    with tempfile.TemporaryDirectory(prefix="clipora-freeze-") as tmp:
        listing = Path(tmp) / "packets.txt"
        media.run(
            ["-loglevel", "info", "-i", source, "-map", "0:v:0", "-c", "copy",
             "-f", "framecrc", listing],
            what=f"reading the video packets of {Path(source).name}",
            on_line=on_line,
        )  # fmt: skip
        text = listing.read_text(encoding="utf-8", errors="replace")
    return parse_framecrc(text), state["duration"]


def _keyframe_samples(
    source: Path, media: Media, duration: float, on_progress: Callable[[float], None] | None
) -> list[Sample]:
    """Each decoded keyframe's time and difference from the previous one. One thread: frame
    threads only add overhead when nearly every frame is skipped (20 min 720p: 8.1 against
    9.4 CPU s, and no faster)."""
    lines: list[str] = []

    def on_line(line: str) -> None:
        if "pts_time:" in line or "lavfi.scd.mafd" in line:
            lines.append(line)
            return
        t = stats_time(line)
        if t is not None and on_progress and duration:
            on_progress(t / duration)

    media.run(
        ["-loglevel", "info", "-stats_period", "0.5", "-skip_frame", "nokey",
         "-skip_loop_filter", "all", "-threads", "1", "-i", source, "-map", "0:v:0", "-fps_mode", "passthrough",
         "-vf", f"scale={DETECT_WIDTH}:-2:flags=area,scdet=threshold=100,metadata=mode=print",
         "-an", "-sn", "-dn", "-f", "null", "-"],
        what=f"comparing the keyframes of {Path(source).name}",
        on_line=on_line,
    )  # fmt: skip
    return parse_samples(lines)


@dataclass(frozen=True)
class _Window:
    """What ``freezedetect`` saw in one window (source seconds)."""

    first: float  # the keyframe decoding started on
    spans: list[Span]  # closed spans
    open_start: float | None  # a span still open where the window ended


def _decode_window(
    source: Path,
    media: Media,
    index: FrameIndex,
    window: Region,
    noise_db: float,
    min_duration: float,
) -> _Window | None:
    """``freezedetect`` over one window, decoded in full from the keyframe it starts on
    (``None`` when where decoding started cannot be told)."""
    start, end = window
    p = index.period
    # Seek to just after the keyframe; -noaccurate_seek keeps the frames from the keyframe on.
    at = start + p / 4
    args: list[str | Path] = [
        "-loglevel", "info", "-skip_loop_filter", "all", "-noaccurate_seek", "-ss", f"{at:.6f}",
        "-i", source, "-map", "0:v:0", "-fps_mode", "passthrough",
    ]  # fmt: skip
    # Timestamps come out relative to the seek point, give or take the container's start
    # offsets (MPEG-TS, FLV), and some demuxers (Matroska, FLV) land a keyframe early: the
    # first frame's timestamp (showinfo on it alone) pins them to the keyframe decoding started
    # on. trim (not -t, which counts from wherever decoding started) ends the window.
    trim = "" if end >= index.times[-1] - p / 2 else f"trim=end={end - at + 2 * p + 0.1:.6f},"
    graph = (
        f"{trim}split[f][m];[f]select=eq(n\\,0),showinfo,nullsink;"
        f"[m]{_freeze_filter(noise_db, min_duration)}"
    )
    args += ["-vf", graph, "-an", "-sn", "-dn", "-f", "null", "-"]
    events: list[str] = []
    first: list[float] = []

    def on_line(line: str) -> None:
        if "freezedetect" in line:
            events.append(line)
        elif "showinfo" in line and (m := _PTS_TIME.search(line)):
            first.append(float(m.group(1)))

    media.run(
        args,
        what=f"looking for frozen video in {Path(source).name} at {start:.1f}-{end:.1f} s",
        on_line=on_line,
    )
    if not first:
        return None
    landed = index.nearest_key(at + first[0])
    if landed is None:
        return None
    shift = landed - first[0]
    closed, open_start = _pair_events(events)
    return _Window(
        first=landed,
        spans=[(index.snap(s + shift), index.snap(e + shift)) for s, e in closed],
        open_start=index.snap(open_start + shift) if open_start is not None else None,
    )
