"""What the fast freeze detection knows before it decodes a whole frame: every video packet's
time, size and keyframe flag (ffmpeg's ``framecrc`` muxer on a stream copy, no decoding), and
how much each keyframe differs from the one before (keyframes only decoded, ``scdet``).

The planning here is pure: which stretches of the recording could hold a frozen span and must be
decoded in full. Two kinds of evidence point at one:

* a chain of keyframes that look alike: consecutive keyframes inside a freeze both lie within
  the noise floor of its first frame, so they differ by at most twice the noise floor. Every
  freeze holding two keyframes (every one at least two keyframe intervals long) shows up;
* a run of small packets between keyframes: a still picture is coded as tiny P/B frames (skipped
  macroblocks), so a run of them as long as the minimum freeze points at a shorter freeze.
  This one is a heuristic (an encoder that spends bits on a still picture, CBR padding for one,
  hides it); the caller raises the size threshold to what it saw inside the freezes it confirmed.
"""

from __future__ import annotations

import bisect
import re
import statistics
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

Region = tuple[float, float]

_TB = re.compile(r"^#tb 0:\s*(\d+)/(\d+)")
_CODEC = re.compile(r"^#codec_id 0:\s*(\S+)")
_DIMS = re.compile(r"^#dimensions 0:\s*(\d+)x(\d+)")
_FLAGS = re.compile(r"F=0x([0-9A-Fa-f]+)")
_PTS_TIME = re.compile(r"\bpts_time:(-?[0-9.]+(?:e[-+]?\d+)?)")
_MAFD = re.compile(r"lavfi\.scd\.mafd=([0-9.]+)")

PKT_KEY = 0x1
PKT_DISCARD = 0x4  # decoded but never shown (edit lists): not a frame of the recording


@dataclass(frozen=True)
class FrameIndex:
    """The video frames in presentation order, from the packets alone."""

    times: list[float]  # seconds, as ffmpeg's decoding (and freezedetect) reports them
    sizes: list[int]  # bytes
    keys: list[bool]
    codec: str
    width: int
    height: int

    @cached_property
    def period(self) -> float:
        """The typical frame interval (the median; robust to gaps and VFR jitter)."""
        steps = [b - a for a, b in zip(self.times, self.times[1:], strict=False) if b > a]
        return statistics.median(steps) if steps else 0.0

    @cached_property
    def key_times(self) -> list[float]:
        return [t for t, k in zip(self.times, self.keys, strict=True) if k]

    @property
    def end(self) -> float:
        """Just after the last frame."""
        return self.times[-1] + self.period if self.times else 0.0

    def max_key_gap(self) -> float:
        """The longest stretch without a keyframe: between keyframes, and from the first frame
        to the first keyframe and from the last keyframe to the end."""
        keys = self.key_times
        if not keys:
            return float("inf")
        edges = [self.times[0], *keys, self.end]
        return max(b - a for a, b in zip(edges, edges[1:], strict=False))

    def key_at_or_before(self, t: float) -> float:
        keys = self.key_times
        i = bisect.bisect_right(keys, t + 1e-6) - 1
        return keys[max(i, 0)]

    def nearest_key(self, t: float) -> float | None:
        """The keyframe nearest ``t``, when it is clearly nearer than its neighbours (``None``
        when ``t`` lies about halfway between two, or over a second from any)."""
        keys = self.key_times
        i = bisect.bisect_left(keys, t)
        near = sorted((abs(keys[j] - t), keys[j]) for j in (i - 1, i) if 0 <= j < len(keys))
        if not near or near[0][0] > 1.0:
            return None
        if len(near) > 1 and near[0][0] > 0.25 * (near[0][0] + near[1][0]):
            return None
        return near[0][1]

    def snap(self, t: float) -> float:
        """The frame time nearest ``t`` when one lies within half a frame, else ``t``."""
        i = bisect.bisect_left(self.times, t)
        best = min(
            (self.times[j] for j in (i - 1, i) if 0 <= j < len(self.times)),
            key=lambda x: abs(x - t),
            default=t,
        )
        return best if abs(best - t) <= 0.5 * self.period else t


def parse_framecrc(text: str) -> FrameIndex | None:
    """Read a ``framecrc`` listing of one video stream (``None`` when it has no usable
    timestamps). Lines: ``stream, dts, pts, duration, size, hash[, F=0xFLAGS][, S=...]``; the
    flags are written only when they are not exactly "keyframe"."""
    tb: Fraction | None = None
    codec, width, height = "", 0, 0
    frames: list[tuple[int, int, bool]] = []
    for line in text.splitlines():
        if line.startswith("#"):
            if m := _TB.match(line):
                tb = Fraction(int(m.group(1)), int(m.group(2)))
            elif m := _CODEC.match(line):
                codec = m.group(1)
            elif m := _DIMS.match(line):
                width, height = int(m.group(1)), int(m.group(2))
            continue
        fields = [f.strip() for f in line.split(",")]
        if len(fields) < 6 or fields[0] != "0":
            continue
        try:
            pts, size = int(fields[2]), int(fields[4])
        except ValueError:
            return None
        if pts <= -(2**62):  # AV_NOPTS_VALUE
            return None
        m = _FLAGS.search(line)
        flags = int(m.group(1), 16) if m else PKT_KEY
        if size <= 0 or flags & PKT_DISCARD:
            continue
        frames.append((pts, size, bool(flags & PKT_KEY)))
    if tb is None or len(frames) < 2:
        return None
    frames.sort()
    return FrameIndex(
        times=[float(p * tb) for p, _, _ in frames],
        sizes=[s for _, s, _ in frames],
        keys=[k for _, _, k in frames],
        codec=codec,
        width=width,
        height=height,
    )


@dataclass(frozen=True)
class Sample:
    """A decoded keyframe: its time, and its mean absolute difference from the previous sample
    (a fraction of full scale, as freezedetect's noise floor; ``inf`` for the first)."""

    time: float
    diff: float


def parse_samples(lines: list[str]) -> list[Sample]:
    """``scdet`` + ``metadata=mode=print`` output: a ``pts_time:`` header per frame, then its
    ``lavfi.scd.mafd`` (percent of full scale)."""
    out: list[Sample] = []
    pending: float | None = None
    for line in lines:
        if m := _PTS_TIME.search(line):
            pending = float(m.group(1))
        elif (m := _MAFD.search(line)) and pending is not None:
            out.append(Sample(pending, float(m.group(1)) / 100 if out else float("inf")))
            pending = None
    return out


def chain_regions(samples: list[Sample], tolerance: float, end: float) -> list[Region]:
    """Stretches around chains of alike samples that may hold a freeze: from the last sample
    before the chain (the freeze starts after it) to the first one after (it ends by then)."""
    regions: list[Region] = []
    n = len(samples)
    i = 1
    while i < n:
        if samples[i].diff > tolerance:
            i += 1
            continue
        j = i
        while j + 1 < n and samples[j + 1].diff <= tolerance:
            j += 1
        lo = samples[i - 2].time if i >= 2 else 0.0
        hi = samples[j + 1].time if j + 1 < n else end
        regions.append((lo, hi))
        i = j + 1
    return regions


def quiet_threshold(index: FrameIndex) -> int:
    """Packet size (bytes) under which a non-keyframe counts as "maybe still": a still picture
    costs an encoder a few bytes per hundred macroblocks; allow far more (0.5 byte per
    macroblock), since moving pictures cost kilobytes."""
    macroblocks = max(1, (index.width * index.height) // 256)
    return 100 + macroblocks // 2


def quiet_regions(
    index: FrameIndex, threshold: float, min_length: float, margin: float
) -> list[Region]:
    """Runs of small packets (keyframes inside do not break a run: a keyframe is big even on a
    still picture) at least ``min_length`` long, widened by ``margin`` on each side."""
    regions: list[Region] = []
    period = index.period
    start: int | None = None
    small = 0
    n = len(index.times)
    for i in range(n + 1):
        quiet = i < n and (index.keys[i] or index.sizes[i] <= threshold)
        if quiet:
            if start is None:
                start, small = i, 0
            if not index.keys[i]:
                small += 1
            continue
        if start is not None:
            first, last = index.times[start], index.times[i - 1]
            if small and last - first + period >= min_length:
                regions.append((first - margin, last + period + margin))
            start = None
    return regions


def plan_windows(index: FrameIndex, regions: list[Region]) -> list[Region]:
    """Decode windows covering ``regions``: each starts on the keyframe at or before its region
    (decoding starts there anyway); overlapping or touching windows become one."""
    last = index.times[-1]
    windows = sorted(
        (index.key_at_or_before(max(lo, index.times[0])), min(max(hi, lo), last))
        for lo, hi in regions
        if hi >= index.times[0]
    )
    merged: list[Region] = []
    for lo, hi in windows:
        if merged and lo <= merged[-1][1] + index.period:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def sizes_inside(index: FrameIndex, start: float, end: float) -> list[int]:
    """Packet sizes of the non-keyframes strictly inside a span, its first and last few frames
    left out (the encoder may still be refining the picture there)."""
    p = index.period
    lo = bisect.bisect_right(index.times, start + 3 * p)
    hi = bisect.bisect_left(index.times, end - 2 * p)
    return [index.sizes[i] for i in range(lo, hi) if not index.keys[i]]
