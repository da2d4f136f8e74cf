"""The ffmpeg renderer, checked by reading every output back with PyAV: durations of both
streams, the first frame of every window, flash/beep sync, pixels of burned subtitles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from clipora_core.errors import StageError
from render_media import (
    FPS,
    FRAME,
    beep_onsets,
    best_match,
    decode_audio,
    decode_gray,
    flash_onsets,
    stream_durations,
)
from render_support import BOX, RecordingProgress, render_clip, write_ass

pytestmark = pytest.mark.slow

# Out of play order, not on keyframes, one window holding several whole GOPs.
WINDOWS = [(12.3, 15.72), (3.13, 8.55), (17.0, 19.99)]


def expected_frames(windows: list[tuple[float, float]]) -> list[int]:
    return [round((b - round(a * FPS) / FPS) * FPS) for a, b in windows]


@pytest.fixture(scope="session")
def source_frames(media: dict[str, Path]) -> list[np.ndarray]:
    return decode_gray(media["main"])


def assert_durations(path: Path, expected: float, audio: bool = True) -> dict[str, float]:
    d = stream_durations(path)
    assert d["video"] == pytest.approx(expected, abs=FRAME)
    assert d["frames"] == pytest.approx(expected * FPS, abs=1)
    if audio:
        assert d["audio"] == pytest.approx(expected, abs=FRAME)
    else:
        assert "audio" not in d
    return d


def assert_window_starts(
    path: Path, windows: list[tuple[float, float]], source: list[np.ndarray]
) -> None:
    frames = decode_gray(path)
    position = 0
    for (start, _), count in zip(windows, expected_frames(windows), strict=True):
        want = round(start * FPS)
        assert best_match(frames[position], source, want) == want
        last = position + count - 1
        assert best_match(frames[last], source, want + count - 1) == want + count - 1
        position += count


def assert_in_sync(
    path: Path, fps: float = FPS, slack: float = 0.0, skip: list[float] | None = None
) -> None:
    """Every flash starts with its beep, within one output frame (plus ``slack``). Flashes at
    the times in ``skip`` (window joins, where a VFR source may still show an older frame)
    are not judged."""
    flashes = flash_onsets(decode_gray(path), fps)
    beeps = beep_onsets(decode_audio(path))
    assert len(flashes) >= 5
    for t in flashes:
        if any(abs(t - b) <= 1.01 / fps for b in skip or []):
            continue
        nearest = min(beeps, key=lambda b: abs(b - t))
        assert abs(nearest - t) <= 1 / fps + 0.011 + slack, (t, nearest)


@pytest.mark.parametrize("smart", [True, False], ids=["smart_cut", "reencode"])
def test_multi_window_out_of_order(media, source_frames, tmp_path: Path, smart: bool) -> None:
    progress = RecordingProgress()
    out = render_clip(
        media["main"], WINDOWS, tmp_path / "clip.mp4", progress=progress, smart_cut=smart
    )
    assert out.metadata["method"] == ("smart_cut" if smart else "reencode")
    if smart:
        assert out.metadata["copied_frames"] >= 100  # 4-8 s of window 2 is whole GOPs
    # AAC frames are copied in both methods; window 1 starts exactly between two of them.
    assert out.metadata["audio"] == "copied"
    expected = sum(expected_frames(WINDOWS)) / FPS
    assert out.duration_seconds == pytest.approx(expected, abs=FRAME)
    assert_durations(out.path, expected)
    assert_window_starts(out.path, WINDOWS, source_frames)
    assert_in_sync(out.path)
    assert progress.values and progress.values[-1] == 1.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


def test_smart_cut_and_reencode_show_the_same_frames(media, tmp_path: Path) -> None:
    a = render_clip(media["main"], WINDOWS, tmp_path / "a.mp4", smart_cut=True)
    b = render_clip(media["main"], WINDOWS, tmp_path / "b.mp4", smart_cut=False)
    fa, fb = decode_gray(a.path), decode_gray(b.path)
    assert len(fa) == len(fb)
    worst = max(
        np.abs(x.astype(np.int16) - y.astype(np.int16)).mean() for x, y in zip(fa, fb, strict=True)
    )
    assert worst < 2.0  # encoding noise only; a one-frame shift differs by about 3


@pytest.mark.parametrize("smart", [True, False], ids=["smart_cut", "reencode"])
def test_deterministic(media, tmp_path: Path, smart: bool) -> None:
    runs = [
        render_clip(media["main"], WINDOWS, tmp_path / f"r{i}.mp4", smart_cut=smart)
        for i in range(2)
    ]
    assert stream_durations(runs[0].path) == stream_durations(runs[1].path)
    f0, f1 = decode_gray(runs[0].path), decode_gray(runs[1].path)
    assert len(f0) == len(f1) and all(np.array_equal(x, y) for x, y in zip(f0, f1, strict=True))


def test_playback_speed(media, tmp_path: Path) -> None:
    out = render_clip(media["main"], WINDOWS, tmp_path / "fast.mp4", playback_speed=1.25)
    assert out.metadata["method"] == "reencode"
    expected = sum(expected_frames(WINDOWS)) / FPS / 1.25
    assert_durations(out.path, expected)
    assert_in_sync(out.path)


@pytest.mark.parametrize(("fit", "size"), [("pad", (180, 320)), ("crop", (136, 240))])
def test_vertical_output(media, tmp_path: Path, fit: str, size: tuple[int, int]) -> None:
    out = render_clip(media["main"], [(2.0, 6.0)], tmp_path / "v.mp4", aspect="9:16", fit=fit)
    frames = decode_gray(out.path)
    assert frames[0].shape == (size[1], size[0])
    assert_durations(out.path, 4.0)
    if fit == "pad":
        assert frames[0][:40].mean() < 20  # black bar above the picture


def test_explicit_size(media, tmp_path: Path) -> None:
    out = render_clip(media["main"], [(2.0, 4.0)], tmp_path / "s.mp4", width=160)
    assert decode_gray(out.path)[0].shape == (120, 160)


def _ass(path: Path) -> Path:
    # A vector drawing (no font needed) and a line of text, both in the bottom band.
    whole = ("0:00:00.00", "0:00:30.00")
    return write_ass(path, [(*whole, BOX), (*whole, "Hello clip")])


def test_burn_in_same_encode(media, tmp_path: Path) -> None:
    fonts = tmp_path / "my fonts, [x]"
    fonts.mkdir()
    ass = _ass(tmp_path / "subs 字幕.ass")
    plain = render_clip(media["main"], WINDOWS, tmp_path / "plain.mp4", smart_cut=False)
    burned = render_clip(media["main"], WINDOWS, tmp_path / "burned.mp4", burn=ass, fonts_dir=fonts)
    assert burned.metadata["method"] == "reencode"
    assert burned.metadata["burned_subtitles"] is True
    fp, fb = decode_gray(plain.path), decode_gray(burned.path)
    assert len(fp) == len(fb)
    band = slice(200, 230)
    for i in (0, len(fp) // 2, len(fp) - 1):
        diff = np.abs(fp[i].astype(np.int16) - fb[i].astype(np.int16))
        assert diff[band].mean() > 30  # the subtitle band changed
        assert diff[60:150].mean() < 3  # the rest of the picture did not
    assert_durations(burned.path, sum(expected_frames(WINDOWS)) / FPS)


def test_subtitled_and_plain_clips_from_one_decode(media, tmp_path: Path) -> None:
    ass = _ass(tmp_path / "subs.ass")
    both = render_clip(
        media["main"], WINDOWS, tmp_path / "sub.mp4", burn=ass, playback_speed=1.25,
        plain=tmp_path / "plain.mp4",
    )  # fmt: skip
    assert both.plain_path == tmp_path / "plain.mp4" and both.metadata["plain_output"]
    alone = render_clip(media["main"], WINDOWS, tmp_path / "alone.mp4", playback_speed=1.25)
    fs, fp, fa = decode_gray(both.path), decode_gray(both.plain_path), decode_gray(alone.path)
    assert len(fs) == len(fp) == len(fa)
    band = slice(200, 230)
    for i in (0, len(fp) // 2, len(fp) - 1):
        assert np.abs(fp[i].astype(np.int16) - fa[i].astype(np.int16)).mean() < 1
        diff = np.abs(fs[i].astype(np.int16) - fp[i].astype(np.int16))
        assert diff[band].mean() > 30 and diff[60:150].mean() < 3
    expected = sum(expected_frames(WINDOWS)) / FPS / 1.25
    for path in (both.path, both.plain_path):
        assert_durations(path, expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "alone.mp4",
        "plain.mp4",
        "sub.mp4",
        "subs.ass",
    ]  # nothing half-written left behind
    # At normal speed the plain clip is a smart cut on its own: not made here.
    normal = render_clip(
        media["main"], WINDOWS, tmp_path / "sub1.mp4", burn=ass, plain=tmp_path / "p1.mp4"
    )
    assert normal.plain_path is None and not (tmp_path / "p1.mp4").exists()


def test_no_audio_source(media, tmp_path: Path) -> None:
    out = render_clip(media["noaudio"], WINDOWS, tmp_path / "na.mp4")
    assert out.metadata["method"] == "smart_cut"
    assert_durations(out.path, sum(expected_frames(WINDOWS)) / FPS, audio=False)
    out = render_clip(media["noaudio"], WINDOWS, tmp_path / "na2.mp4", smart_cut=False)
    assert_durations(out.path, sum(expected_frames(WINDOWS)) / FPS, audio=False)


def test_rotated_source(media, tmp_path: Path) -> None:
    out = render_clip(media["rotated"], [(3.0, 7.0)], tmp_path / "rot.mp4")
    assert out.metadata["method"] == "reencode"
    assert decode_gray(out.path)[0].shape == (320, 240)
    assert_durations(out.path, 4.0)


def test_vfr_source(media, tmp_path: Path) -> None:
    out = render_clip(media["vfr"], WINDOWS, tmp_path / "vfr.mp4")
    assert out.metadata["method"] == "reencode"
    rate = out.metadata["frame_rate"]
    num, _, den = rate.partition("/")
    fps = int(num) / int(den)
    frames = [w["frames"] for w in out.metadata["windows"]]
    planned = sum(b - a for a, b in WINDOWS)
    d = stream_durations(out.path)
    # Each stream within one output frame of the sum of the windows.
    assert d["video"] == pytest.approx(planned, abs=1 / fps)
    assert d["audio"] == pytest.approx(planned, abs=1 / fps)
    assert d["video"] == pytest.approx(sum(frames) / fps, abs=1e-3)
    # The source itself drops up to 3 of every 7 frames, so a flash can show up to 3 source
    # frames late there already.
    joins = [sum(frames[:i]) / fps for i in range(len(frames))]
    assert_in_sync(out.path, fps=fps, slack=3 / FPS, skip=joins)


def test_odd_sized_and_non_h264_sources(media, tmp_path: Path) -> None:
    out = render_clip(media["odd"], [(1.0, 3.0), (5.0, 6.0)], tmp_path / "odd.mp4")
    assert decode_gray(out.path)[0].shape == (240, 320)
    assert_durations(out.path, 3.0)
    out = render_clip(media["mpeg4"], [(4.5, 7.5), (1.0, 2.0)], tmp_path / "m4.mp4")
    assert out.metadata["method"] == "reencode"
    assert "mpeg4" in out.metadata["smart_cut_skipped"]
    assert_durations(out.path, 4.0)


def test_unicode_paths(media, tmp_path: Path) -> None:
    out_dir = tmp_path / "输出 clips"
    out = render_clip(media["unicode"], WINDOWS, out_dir / "片段 1.mp4")
    assert out.path.exists()
    assert_durations(out.path, sum(expected_frames(WINDOWS)) / FPS)


def test_failure_leaves_nothing_half_written(media, tmp_path: Path) -> None:
    with pytest.raises(StageError) as info:
        render_clip(media["main"], WINDOWS, tmp_path / "x.mp4", ffmpeg_path="/bin/false")
    assert "\n" not in info.value.one_line()
    assert list(tmp_path.iterdir()) == []


def test_window_outside_source_is_rejected(media, tmp_path: Path) -> None:
    with pytest.raises(StageError, match="outside the source"):
        render_clip(media["main"], [(20.0, 40.0)], tmp_path / "x.mp4")
    assert list(tmp_path.iterdir()) == []
