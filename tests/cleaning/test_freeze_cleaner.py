"""The freeze cleaner on real media: detection, rebuild, and what the user gets back."""

from __future__ import annotations

from pathlib import Path

import av
import clipora_freeze_cleaner.plugin as freeze_plugin
import numpy as np
import pytest
from clipora_core.capabilities import CleanRequest
from clipora_core.config import build_settings_model
from clipora_core.contracts import MediaProbe
from clipora_core.errors import CliporaError, InputError
from clipora_core.plugins import PluginHost
from clipora_core.progress import StageProgress

from clipora_core import Kind

FPS = 25


def _host() -> PluginHost:
    host = PluginHost()
    host.register_plugin(freeze_plugin, "freeze_cleaner", "clipora-freeze-cleaner")
    return host


def _cleaner(**cleaning):
    host = _host()
    settings = build_settings_model(host.config_sections())(
        cleaning={"enabled": True, "freeze": cleaning}
    )
    return host.create(Kind.CLEANER, "freeze", settings)


def _request(src: Path, out_dir: Path, duration: float, has_audio: bool = True) -> CleanRequest:
    probe = MediaProbe(duration_seconds=duration, has_video=True, has_audio=has_audio)
    return CleanRequest(src, probe, out_dir, StageProgress(None, "clean"))


def _stream_durations(path: Path) -> dict[str, float]:
    with av.open(str(path)) as c:
        return {s.type: float(s.duration * s.time_base) for s in c.streams if s.duration}


def _gray_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="gray").astype(np.int16) for f in c.decode(video=0)]


def test_plugin_registers_cleaner_with_its_own_section_below_cleaning():
    host = _host()
    cap = host.get(Kind.CLEANER, "freeze")
    assert cap.factory == "clipora_freeze_cleaner.cleaner:FreezeCleaner"
    settings = build_settings_model(host.config_sections())()
    assert settings.cleaning.enabled is False  # core field still there, still off by default
    assert cap.options == "cleaning.freeze"
    freeze = settings.cleaning.freeze
    assert freeze.freezedetect_noise_db == -60.0
    assert freeze.freezedetect_min_duration_seconds == 0.75
    assert freeze.min_remove_duration_seconds == 4.0
    assert freeze.merge_gap_seconds == 0.5
    assert freeze.min_keep_duration_seconds == 0.5


@pytest.fixture(scope="module")
def cleaned(frozen_source, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("clean-out")
    result = _cleaner().clean(_request(frozen_source.path, out_dir, frozen_source.duration))
    return result, out_dir


def test_removes_the_frozen_span_and_nothing_else(cleaned, frozen_source):
    result, out_dir = cleaned
    FREEZE_START, FREEZE_END = frozen_source.freeze_start, frozen_source.freeze_end  # noqa: N806
    DURATION = frozen_source.duration  # noqa: N806
    assert len(result.removed_intervals) == 1
    removed = result.removed_intervals[0]
    assert removed.start_seconds == pytest.approx(FREEZE_START, abs=0.5)
    assert removed.end_seconds == pytest.approx(FREEZE_END, abs=0.5)
    assert removed.detected_start_seconds == pytest.approx(FREEZE_START, abs=0.5)
    assert removed.reason == "frozen"
    assert [(k.start_seconds, k.end_seconds) for k in result.keep_intervals] == [
        (0.0, removed.start_seconds),
        (removed.end_seconds, DURATION),
    ]
    summary = result.summary
    assert summary.enabled and summary.removed and summary.removed_interval_count == 1
    assert summary.original_duration_seconds == pytest.approx(DURATION)
    assert summary.cleaned_duration_seconds == pytest.approx(22.0, abs=0.5)
    assert summary.removed_duration_seconds == pytest.approx(8.0, abs=0.5)
    # Only the effective source is written; the core writes the JSON artifacts.
    assert sorted(p.name for p in out_dir.iterdir()) == ["active_source.mp4"]


def test_cleaned_file_is_22_seconds_with_audio_and_video_in_sync(cleaned):
    result, _ = cleaned
    assert result.effective_source_path.name == "active_source.mp4"
    durations = _stream_durations(result.effective_source_path)
    assert set(durations) == {"video", "audio"}
    assert durations["video"] == pytest.approx(22.0, abs=1 / FPS)
    assert durations["audio"] == pytest.approx(durations["video"], abs=1 / FPS)


def test_time_map_matches_the_keeps(cleaned):
    result, _ = cleaned
    tm = result.time_map
    assert len(tm) == 2
    assert (tm[0].source_start_seconds, tm[0].cleaned_start_seconds) == (0.0, 0.0)
    assert tm[0].cleaned_end_seconds == tm[0].source_end_seconds
    assert tm[1].cleaned_start_seconds == tm[0].cleaned_end_seconds
    assert tm[1].source_start_seconds == result.removed_intervals[0].end_seconds
    assert tm[1].cleaned_end_seconds == pytest.approx(result.summary.cleaned_duration_seconds)
    for e in tm:
        assert (
            abs(
                (e.source_end_seconds - e.source_start_seconds)
                - (e.cleaned_end_seconds - e.cleaned_start_seconds)
            )
            <= 1e-9
        )


def test_cut_is_frame_accurate(cleaned, frozen_source):
    """The frame after the cut is the source frame at the removal's end, not a neighbour."""
    result, _ = cleaned
    src = _gray_frames(frozen_source.path)
    out = _gray_frames(result.effective_source_path)
    assert len(out) == pytest.approx(22 * FPS, abs=1)
    cut = round(result.time_map[1].cleaned_start_seconds * FPS)
    first_after = round(result.time_map[1].source_start_seconds * FPS)

    def diff(a, b):
        return float(np.abs(a - b).mean())

    assert diff(out[cut], src[first_after]) < diff(out[cut], src[first_after + 1])
    assert diff(out[cut], src[first_after]) < diff(out[cut], src[first_after - 1]) or (
        first_after - 1
        >= round(frozen_source.freeze_start * FPS)  # the frame before is still frozen
    )
    # Last frame before the cut is the last moving frame before the freeze.
    last_before = round(result.time_map[0].source_end_seconds * FPS) - 1
    assert diff(out[cut - 1], src[last_before]) < diff(out[cut - 1], src[last_before - 1])


def test_no_freeze_returns_the_source_unchanged(moving_source, tmp_path):
    result = _cleaner().clean(_request(moving_source, tmp_path, 8.0))
    assert result.effective_source_path == moving_source
    assert result.removed_intervals == []
    assert result.summary.enabled and not result.summary.removed
    assert result.summary.cleaned_duration_seconds == pytest.approx(8.0)
    assert list(tmp_path.iterdir()) == []


def test_raised_minimum_keeps_the_freeze(frozen_source, tmp_path):
    result = _cleaner(min_remove_duration_seconds=9.0).clean(
        _request(frozen_source.path, tmp_path, frozen_source.duration)
    )
    assert result.removed_intervals == []
    assert result.effective_source_path == frozen_source.path


def test_audio_only_input_is_a_clear_error(tmp_path):
    probe = MediaProbe(
        duration_seconds=3.0,
        has_video=False,
        has_audio=True,
        streams=[{"index": 0, "kind": "audio"}],
    )
    req = CleanRequest(tmp_path / "a.m4a", probe, tmp_path, StageProgress(None, "clean"))
    with pytest.raises(InputError, match="no video stream"):
        _cleaner().clean(req)


def test_unreadable_file_is_one_line_error(tmp_path):
    bad = tmp_path / "not a video.mp4"
    bad.write_bytes(b"this is not a video")
    with pytest.raises(CliporaError) as info:
        _cleaner().clean(_request(bad, tmp_path / "out", 0.0))
    assert "\n" not in info.value.one_line()
    assert "not a video.mp4" in info.value.one_line()
    assert not (tmp_path / "out").exists()


def test_configured_ffmpeg_is_the_one_that_runs(moving_source, tmp_path):
    """``media.ffmpeg_path`` reaches the cleaner (one locator for every plugin)."""
    import imageio_ffmpeg

    log = tmp_path / "calls.txt"
    wrapper = tmp_path / "my ffmpeg"
    wrapper.write_text(
        f'#!/bin/sh\necho called >> "{log}"\nexec "{imageio_ffmpeg.get_ffmpeg_exe()}" "$@"\n'
    )
    wrapper.chmod(0o755)
    host = _host()
    model = build_settings_model(host.config_sections())
    settings = model(cleaning={"enabled": True}, media={"ffmpeg_path": str(wrapper)})
    cleaner = host.create(Kind.CLEANER, "freeze", settings)
    cleaner.clean(_request(moving_source, tmp_path / "out", 8.0))
    assert log.read_text().count("called") >= 1

    broken = model(cleaning={"enabled": True}, media={"ffmpeg_path": str(tmp_path / "nope")})
    with pytest.raises(CliporaError) as info:
        host.create(Kind.CLEANER, "freeze", broken).clean(
            _request(moving_source, tmp_path / "out2", 8.0)
        )
    assert "media.ffmpeg_path" in info.value.one_line()
