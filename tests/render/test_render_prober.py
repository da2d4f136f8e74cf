"""The pyav prober on real containers and on every kind of bad input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from clipora_core.errors import InputError
from clipora_render_ffmpeg.prober import PyAVProber

EXPECTED_CONTAINER = {"main": "mp4", "mov": "mov", "mkv": "matroska", "flv": "flv", "ts": "mpegts"}


@pytest.mark.parametrize("name", ["main", "mov", "mkv", "flv", "ts"])
def test_probe_containers(media: dict[str, Path], name: str) -> None:
    probe = PyAVProber().probe(media[name])
    assert probe.container == EXPECTED_CONTAINER[name]
    assert probe.duration_seconds == pytest.approx(24.0, abs=0.1)
    assert (probe.video_width, probe.video_height) == (320, 240)
    assert probe.frame_rate == pytest.approx(25.0)
    assert probe.video_avg_frame_rate == "25/1"
    assert probe.variable_frame_rate is False
    assert probe.video_codec == "h264" and probe.audio_codec == "aac"
    assert probe.has_video and probe.has_audio
    assert probe.size_bytes == media[name].stat().st_size
    assert [s.kind for s in probe.streams] == ["video", "audio"]


def test_probe_rotated_reports_display_size(media: dict[str, Path]) -> None:
    probe = PyAVProber().probe(media["rotated"])
    assert probe.rotation == 90
    assert (probe.video_width, probe.video_height) == (240, 320)


def test_probe_vfr_and_no_audio(media: dict[str, Path]) -> None:
    assert PyAVProber().probe(media["vfr"]).variable_frame_rate is True
    probe = PyAVProber().probe(media["noaudio"])
    assert probe.has_audio is False and probe.audio_codec == ""
    assert [s.kind for s in probe.streams] == ["video"]


def test_probe_path_with_spaces_and_chinese(media: dict[str, Path]) -> None:
    probe = PyAVProber().probe(media["unicode"])
    assert probe.duration_seconds == pytest.approx(24.0, abs=0.1)


@pytest.mark.parametrize("name", ["flv", "ts"])
def test_prepare_remuxes_flv_and_ts_once(media: dict[str, Path], name: str, tmp_path: Path) -> None:
    prober = PyAVProber()
    probe = prober.probe(media[name])
    out = prober.prepare(media[name], probe, tmp_path)
    assert out == tmp_path / "source.mp4"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.mp4"]
    remuxed = prober.probe(out)
    assert remuxed.container == "mp4"
    assert remuxed.duration_seconds == pytest.approx(24.0, abs=0.1)
    assert remuxed.has_audio and remuxed.video_codec == "h264"


def test_prepare_leaves_mp4_alone(media: dict[str, Path], tmp_path: Path) -> None:
    prober = PyAVProber()
    assert prober.prepare(media["main"], prober.probe(media["main"]), tmp_path) is None
    assert list(tmp_path.iterdir()) == []


def _message(path: Path) -> str:
    with pytest.raises(InputError) as info:
        PyAVProber().probe(path)
    line = info.value.one_line()
    assert "\n" not in line and "Traceback" not in line
    return line


def test_bad_inputs_give_one_clear_line(media: dict[str, Path], tmp_path: Path) -> None:
    assert "not found" in _message(tmp_path / "missing.mp4")
    assert "folder" in _message(tmp_path)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert "empty (0 bytes)" in _message(empty)
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 50)
    assert "not a video file" in _message(text)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(media["main"].read_bytes()[:30_000])
    assert "truncated" in _message(truncated)
    assert "no video stream" in _message(media["audio_only"])
    assert "audio-only" in _message(media["audio_only"])


@pytest.mark.may_skip_in_ci  # as root, needs a checkout the unprivileged user can read
def test_unreadable_file(media: dict[str, Path]) -> None:
    # Root reads everything, so as root the probe runs as 'nobody' in a child process.
    folder = Path(tempfile.mkdtemp(prefix="clipora-perm-"))
    try:
        folder.chmod(0o755)
        locked = folder / "locked.mp4"
        shutil.copyfile(media["main"], locked)
        locked.chmod(0)
        if os.geteuid() != 0:
            assert "permission denied" in _message(locked)
            return
        setpriv = shutil.which("setpriv")
        if not setpriv:
            pytest.skip("running as root without setpriv: cannot drop privileges")
        code = (
            "import sys; from pathlib import Path\n"
            "from clipora_core.errors import InputError\n"
            "from clipora_render_ffmpeg.prober import PyAVProber\n"
            "try:\n    PyAVProber().probe(Path(sys.argv[1]))\n"
            "except InputError as e:\n    print(e.one_line())\n"
        )
        done = subprocess.run(
            [
                setpriv,
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                sys.executable,
                "-c",
                code,
                str(locked),
            ],
            capture_output=True,
            text=True,
            cwd=folder,
            timeout=60,
        )
        # A checkout inside a private folder (mktemp -d is 0700) hides the editable install from
        # 'nobody': then this cannot be checked as root.
        if done.returncode != 0 and (
            "ModuleNotFoundError" in done.stderr
            or ("Permission denied" in done.stderr and "import" in done.stderr)
        ):
            pytest.skip("the unprivileged user cannot import clipora from this checkout")
        assert "permission denied" in done.stdout, done.stderr[-500:]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
