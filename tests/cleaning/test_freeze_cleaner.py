"""The freeze cleaner on real media: detection and what the kernel gets back (spans to drop;
the cleaner writes no media)."""

from __future__ import annotations

from pathlib import Path

import clipora_freeze_cleaner.plugin as freeze_plugin
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
    # No copy of the recording: the kernel writes the JSON records and reads the recording
    # through the time map.
    assert list(out_dir.iterdir()) == []


def test_no_freeze_keeps_everything(moving_source, tmp_path):
    result = _cleaner().clean(_request(moving_source, tmp_path, 8.0))
    assert result.removed_intervals == []
    assert [(k.start_seconds, k.end_seconds) for k in result.keep_intervals] == [(0.0, 8.0)]
    assert result.summary.enabled and not result.summary.removed
    assert result.summary.cleaned_duration_seconds == pytest.approx(8.0)
    assert list(tmp_path.iterdir()) == []


def test_raised_minimum_keeps_the_freeze(frozen_source, tmp_path):
    result = _cleaner(min_remove_duration_seconds=9.0).clean(
        _request(frozen_source.path, tmp_path, frozen_source.duration)
    )
    assert result.removed_intervals == []
    assert len(result.keep_intervals) == 1 and not result.summary.removed


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
