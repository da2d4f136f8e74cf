"""The one ffmpeg runner every plugin uses: the configured binary, progress in seconds, stderr
lines as they come, and a failure as one line that says what was being done."""

from __future__ import annotations

import re
from pathlib import Path

import imageio_ffmpeg
import pytest
from clipora_core.api import FFmpegError, Media, StageError

REPO = Path(__file__).resolve().parents[2]


def test_progress_lines_and_output(tmp_path: Path) -> None:
    out = tmp_path / "tone.wav"
    seconds: list[float] = []
    lines: list[str] = []
    Media().run(
        ["-loglevel", "info", "-f", "lavfi", "-i", "sine=frequency=440:duration=3", str(out)],
        what="writing a tone",
        on_progress=seconds.append,
        on_line=lines.append,
    )
    assert out.stat().st_size > 3 * 44100  # three seconds of 16-bit audio
    assert seconds and seconds == sorted(seconds) and seconds[-1] == pytest.approx(3.0, abs=0.1)
    assert any("Output #0" in ln for ln in lines)


def test_a_failure_is_one_line_naming_the_task(tmp_path: Path) -> None:
    with pytest.raises(FFmpegError) as info:
        Media().run(["-i", str(tmp_path / "missing.mp4"), str(tmp_path / "o.wav")], what="testing")
    text = info.value.one_line()
    assert "\n" not in text
    assert re.match(r"ffmpeg failed while testing \(exit \d+\): .*missing\.mp4", text)
    assert info.value.returncode != 0 and info.value.lines


def test_the_configured_binary_runs(tmp_path: Path) -> None:
    log = tmp_path / "calls.txt"
    wrapper = tmp_path / "my ffmpeg"
    wrapper.write_text(
        f'#!/bin/sh\necho called >> "{log}"\nexec "{imageio_ffmpeg.get_ffmpeg_exe()}" "$@"\n'
    )
    wrapper.chmod(0o755)
    Media(wrapper).run(
        ["-f", "lavfi", "-i", "sine=duration=0.2", str(tmp_path / "a.wav")], what="testing"
    )
    assert log.read_text().count("called") == 1
    with pytest.raises(StageError, match="media.ffmpeg_path .* is not an executable ffmpeg"):
        Media(tmp_path / "nope").run(["-version"], what="testing")


def test_no_first_party_plugin_runs_a_process_itself() -> None:
    """ffmpeg runs through ``Media.run`` only; besides it, the web UI (the CLI) and the local
    executor (its worker processes) alone start processes."""
    offenders = []
    for root in [*REPO.glob("plugins/*/src"), *REPO.glob("clipora_*/src")]:
        if root.parts[-2] in {"web", "clipora_core", "executor_local"}:
            continue
        for path in root.rglob("*.py"):
            if re.search(r"^\s*(import subprocess|from subprocess import)", path.read_text(), re.M):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []
