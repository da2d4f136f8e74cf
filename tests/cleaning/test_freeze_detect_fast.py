"""The fast freeze detection (keyframes + packet sizes + full decode of a few windows) against
the full decode, on real ffmpeg-made recordings."""

from __future__ import annotations

import logging
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from clipora_core.api import Media
from clipora_freeze_cleaner.detect import detect_freezes, detect_freezes_full
from clipora_freeze_cleaner.keyframes import (
    FrameIndex,
    Sample,
    chain_regions,
    parse_framecrc,
    plan_windows,
    quiet_regions,
)

NOISE_DB = -60.0  # the cleaner's defaults
MIN_DURATION = 0.75


def _make(
    out: Path,
    *,
    size: str,
    fps: int,
    seconds: float,
    gop: int,
    freezes: Sequence[tuple[int, int]],
    x264: Sequence[str] = (),
) -> Path:
    """testsrc2 with each (first, last) frame range held on its first frame, H.264 + AAC."""
    import imageio_ffmpeg

    graph, label = [], "0:v"
    for i, (first, last) in enumerate(freezes):
        graph.append(
            f"[{label}]split[a{i}][b{i}];"
            f"[a{i}][b{i}]freezeframes=first={first}:last={last}:replace={first}[v{i}]"
        )
        label = f"v{i}"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=s={size}:r={fps}:d={seconds}",
         "-f", "lavfi", "-i", f"sine=f=440:r=44100:d={seconds}",
         "-filter_complex", ";".join(graph), "-map", f"[{label}]", "-map", "1:a",
         "-c:v", "libx264", "-preset", "veryfast", "-g", str(gop), *x264,
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(out)],
        check=True,
    )  # fmt: skip
    return out


class RecordingMedia(Media):
    """The wheel's ffmpeg, remembering every command line."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[str]] = []

    def run(self, args, **kwargs):
        self.calls.append([str(a) for a in args])
        return super().run(args, **kwargs)

    def full_decodes(self) -> int:
        """Runs that decode every frame of the whole file through freezedetect."""
        return sum(1 for c in self.calls if any("freezedetect" in a for a in c) and "-ss" not in c)


def _both(path: Path) -> tuple[list[tuple[float, float]], list[tuple[float, float]], float]:
    full, duration = detect_freezes_full(path, NOISE_DB, MIN_DURATION)
    fast, fast_duration = detect_freezes(path, NOISE_DB, MIN_DURATION)
    assert fast_duration == pytest.approx(duration)
    return full, fast, duration


def _assert_same(fast, full, frame: float) -> None:
    assert len(fast) == len(full), (fast, full)
    for (fs, fe), (s, e) in zip(fast, full, strict=True):
        assert fs == pytest.approx(s, abs=frame * 1.01), (fast, full)
        assert fe == pytest.approx(e, abs=frame * 1.01), (fast, full)


# --- mixed freezes at 25 fps, 2 s GOP ------------------------------------------------------------

FPS = 25
# (first, last) frames held still, in 60 s. Keyframes every 50 frames (2 s), plus x264's scene
# cuts. A keyframe inside a still picture can differ from it by more than the noise floor at this
# size, so the full decode may split a freeze there: the fast path must do the same.
MIXED = (
    (0, 62),  # from the first frame: 0-2.52 s
    (281, 414),  # 11.24-16.6 s: starts and ends between keyframes, spans three
    (640, 649),  # 25.6-26.0 s: 0.4 s, below the 0.75 s minimum: never reported
    (917, 946),  # 36.68-37.88 s: 1.2 s between two keyframes, none inside (packet sizes)
    (1190, 1239),  # 47.6-49.6 s: 2 s around one keyframe
    (1450, 1499),  # 58-60 s: runs to the end of the file
)
MIXED_TRUTH = [(0.0, 2.52), (11.24, 16.6), (36.68, 37.88), (47.6, 49.6), (58.0, 60.0)]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fast") / "mixed.mp4"
    return _make(out, size="320x240", fps=FPS, seconds=60, gop=2 * FPS, freezes=MIXED)


def _within(spans, truth) -> bool:
    """Every span lies inside a true freeze, and every true freeze holds one."""
    inside = all(any(s >= a - 1e-6 and e <= b + 1e-6 for a, b in truth) for s, e in spans)
    return inside and all(any(s < b and e > a for s, e in spans) for a, b in truth)


def test_fast_path_finds_what_the_full_decode_finds(mixed):
    full, fast, duration = _both(mixed)
    assert duration == pytest.approx(60.0, abs=0.1)
    assert _within(full, MIXED_TRUTH), full
    _assert_same(fast, full, 1 / FPS)


def test_fast_path_does_not_decode_everything(mixed):
    media = RecordingMedia()
    spans, _ = detect_freezes(mixed, NOISE_DB, MIN_DURATION, media=media)
    assert _within(spans, MIXED_TRUTH), spans
    assert media.full_decodes() == 0
    assert any("nokey" in c for c in media.calls)  # the keyframe pass ran
    windows = [c for c in media.calls if "-ss" in c and any("freezedetect" in a for a in c)]
    assert windows, media.calls


def test_tiny_freeze_below_the_minimum_is_not_reported(mixed):
    spans, _ = detect_freezes(mixed, NOISE_DB, MIN_DURATION)
    assert not any(s < 26.0 and e > 25.6 for s, e in spans), spans
    # ...but it is one: with a lower minimum both ways report it.
    full, _ = detect_freezes_full(mixed, NOISE_DB, 0.3)
    fast, _ = detect_freezes(mixed, NOISE_DB, 0.3)
    assert any(s == pytest.approx(25.6, abs=0.05) for s, _ in full), full
    _assert_same(fast, full, 1 / FPS)


def test_progress_moves_to_the_end(mixed):
    seen: list[float] = []
    detect_freezes(mixed, NOISE_DB, MIN_DURATION, on_progress=seen.append)
    assert len(seen) >= 3
    assert seen == sorted(seen)
    assert seen[-1] == 1.0


def test_conftest_source_same_both_ways(frozen_source):
    full, fast, _ = _both(frozen_source.path)
    assert full[0][0] == pytest.approx(frozen_source.freeze_start)
    assert full[-1][1] == pytest.approx(frozen_source.freeze_end)
    _assert_same(fast, full, 1 / frozen_source.fps)


# --- CBR padding: still frames are not small -----------------------------------------------------


@pytest.fixture(scope="module")
def cbr(tmp_path_factory) -> Path:
    """Constant bitrate with filler data (nal-hrd=cbr): a still picture's frames are padded to
    about 2 kB, as big as moving ones. A 5.36 s and a 1.2 s freeze (no keyframe inside)."""
    out = tmp_path_factory.mktemp("fast") / "cbr.mp4"
    rate = ["-b:v", "400k", "-minrate", "400k", "-maxrate", "400k", "-bufsize", "400k"]
    return _make(
        out,
        size="320x240",
        fps=FPS,
        seconds=60,
        gop=2 * FPS,
        freezes=((281, 414), (917, 946)),
        x264=(*rate, "-x264-params", "nal-hrd=cbr"),
    )


def test_packet_size_threshold_learned_from_a_confirmed_freeze(cbr):
    """The long freeze (found through its keyframes) shows what still frames cost here, so the
    short one is found too."""
    full, _ = detect_freezes_full(cbr, NOISE_DB, MIN_DURATION)
    assert any(s == pytest.approx(36.68, abs=0.05) for s, _ in full), full
    media = RecordingMedia()
    fast, _ = detect_freezes(cbr, NOISE_DB, MIN_DURATION, media=media)
    _assert_same(fast, full, 1 / FPS)
    assert media.full_decodes() == 0


# --- sparse keyframes: the full decode runs --------------------------------------------------------


@pytest.fixture(scope="module")
def long_gop(tmp_path_factory) -> Path:
    """10 s GOP (x264's default 250 frames at 25 fps), no scene cuts, a 1.6 s and an 8 s freeze."""
    out = tmp_path_factory.mktemp("fast") / "long gop.mp4"
    return _make(
        out,
        size="320x240",
        fps=FPS,
        seconds=30,
        gop=250,
        freezes=((60, 99), (275, 474)),
        x264=("-keyint_min", "250", "-sc_threshold", "0"),
    )


def test_long_gop_falls_back_to_the_full_decode(long_gop, caplog):
    media = RecordingMedia()
    with caplog.at_level(logging.INFO, logger="clipora_freeze_cleaner.detect"):
        spans, duration = detect_freezes(long_gop, NOISE_DB, MIN_DURATION, media=media)
    assert media.full_decodes() == 1
    assert "too sparse" in caplog.text
    full, full_duration = detect_freezes_full(long_gop, NOISE_DB, MIN_DURATION)
    assert spans == full and duration == full_duration
    assert full == [(2.4, 4.0), (11.0, 19.0)]


def test_full_decode_on_request(mixed):
    media = RecordingMedia()
    spans, _ = detect_freezes(mixed, NOISE_DB, MIN_DURATION, media=media, full_decode=True)
    assert len(media.calls) == 1 and media.full_decodes() == 1
    assert _within(spans, MIXED_TRUTH), spans


# --- 720p30, 2 s GOP ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hd(tmp_path_factory) -> Path:
    """12 s of 1280x720 30 fps with a 4.3 s freeze from 5.1 s (between keyframes)."""
    out = tmp_path_factory.mktemp("fast") / "hd.mp4"
    return _make(out, size="1280x720", fps=30, seconds=12, gop=60, freezes=((153, 281),))


def test_720p_same_spans_decoding_a_fraction(hd):
    media = RecordingMedia()
    fast, _ = detect_freezes(hd, NOISE_DB, MIN_DURATION, media=media)
    full, _ = detect_freezes_full(hd, NOISE_DB, MIN_DURATION)
    assert full == [(5.1, 9.4)]
    _assert_same(fast, full, 1 / 30)
    assert media.full_decodes() == 0
    ends = [
        re.search(r"trim=end=([0-9.]+)", c[c.index("-vf") + 1]) for c in media.calls if "-vf" in c
    ]
    decoded = sum(float(m.group(1)) for m in ends if m)
    assert 0 < decoded < 7.0  # the freeze and the keyframe interval before it, not 12 s


# --- the planning, without ffmpeg ------------------------------------------------------------------


def _index(sizes: list[int], keys: set[int], period: float = 0.04) -> FrameIndex:
    return FrameIndex(
        times=[i * period for i in range(len(sizes))],
        sizes=sizes,
        keys=[i in keys for i in range(len(sizes))],
        codec="h264",
        width=320,
        height=240,
    )


def test_parse_framecrc_orders_by_pts_and_reads_flags():
    text = "\n".join(
        [
            "#tb 0: 1/12800",
            "#codec_id 0: h264",
            "#dimensions 0: 320x240",
            "0,      -1024,          0,      512,    21413, 0x8a584cc0",
            "0,       -512,       1536,      512,       40, 0xb8cf277b, F=0x0",
            "0,          0,        512,      512,       30, 0x0c7d7d47, F=0x0, S=1, 8",
            "0,        512,       1024,      512,       35, 0x0c7d7d48, F=0x4",
        ]
    )
    index = parse_framecrc(text)
    assert index is not None
    assert index.times == [0.0, 0.04, 0.12]  # the discarded packet is no frame
    assert index.sizes == [21413, 30, 40]
    assert index.keys == [True, False, False]
    assert (index.codec, index.width, index.height) == ("h264", 320, 240)
    assert parse_framecrc("#tb 0: 1/25\n") is None


def test_chain_regions_run_from_the_sample_before_to_the_sample_after():
    tol = 0.002
    samples = [Sample(t, d) for t, d in [(0, 9), (2, 0.5), (4, 0.001), (6, 0.0), (8, 0.4)]]
    assert chain_regions(samples, tol, end=10.0) == [(0, 8)]  # 2-6 alike
    samples = [Sample(0, float("inf")), Sample(2, 0.0), Sample(4, 0.3), Sample(6, 0.0)]
    assert chain_regions(samples, tol, end=7.0) == [(0.0, 4), (2, 7.0)]


def test_quiet_regions_bridge_keyframes_and_need_the_minimum_length():
    big, small = 5000, 20
    sizes = [big] * 10 + [small] * 10 + [big] + [small] * 10 + [big] * 5 + [small] * 5 + [big] * 3
    index = _index(sizes, keys={0, 20})  # frame 20: a keyframe inside the quiet run
    regions = quiet_regions(index, threshold=250, min_length=0.75, margin=0.1)
    assert regions == [(pytest.approx(0.4 - 0.1), pytest.approx(1.24 + 0.1))]


def test_windows_start_on_keyframes_and_merge():
    index = _index([100] * 250, keys={0, 50, 100, 150, 200})
    assert plan_windows(index, [(2.5, 3.0), (4.1, 4.5), (8.5, 20.0)]) == [
        (2.0, 3.0),
        (4.0, 4.5),
        (8.0, pytest.approx(9.96)),  # up to the last frame
    ]
    assert plan_windows(index, [(4.1, 4.5), (2.5, 4.2)]) == [(2.0, 4.5)]
