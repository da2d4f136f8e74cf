"""Issue 3 point 8: plugins report through ``StageProgress``; events reach the job log and the
terminal (rich bars with percent and ETA); --quiet, --log-level and --debug."""

from __future__ import annotations

import os
import pty
import re
import subprocess
from pathlib import Path

import pytest
from core_support import SEGMENTS, Venv, last_line

CONFIG = (
    "paths: {workdir: work}\ninspect: {prober: fake}\nasr: {mode: fake}\n"
    "analysis: {video_type: fake_vt}\nrender: {renderer: fake}\n"
    "render_subtitles: {formats: [faketxt]}\n"
)
ONLY_FAKES = {"CLIPORA_LOAD_PLUGINS": "fakes"}
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 (DEBUG|INFO|WARNING|ERROR) ")


@pytest.fixture
def job_input(tmp_path: Path) -> tuple[Path, Path]:
    from clipora_test_fakes.impl import write_fake_video

    cfg = tmp_path / "clipora.yaml"
    cfg.write_text(CONFIG, encoding="utf-8")
    return write_fake_video(tmp_path / "talk.json", SEGMENTS), cfg


def test_plugin_progress_events_land_in_the_job_log(
    core_venv: Venv, job_input: tuple[Path, Path]
) -> None:
    video, cfg = job_input
    res = core_venv.run("run", video, "--config", cfg, env=ONLY_FAKES)
    assert res.returncode == 0, res.stderr
    log = (Path(last_line(res.stdout)) / "logs" / "pipeline.log").read_text(encoding="utf-8")
    lines = log.splitlines()
    assert all(LOG_LINE.match(ln) for ln in lines), lines
    text = "\n".join(ln.split(" ", 1)[1] for ln in lines)
    # What the fake ASR reported through its StageProgress...
    assert "INFO semantic_discover progress fake asr started segments=6" in text
    assert "WARNING semantic_discover warning fake asr is not a real recognizer" in text
    assert "INFO semantic_discover progress percent=100" in text
    # ...and the runner's own events around it.
    for stage in ("clean", "inspect", "semantic_discover", "semantic_cluster", "analyze", "render"):
        assert f"INFO {stage} started" in text and f"INFO {stage} completed" in text
    # The terminal shows the same messages (not the percent lines: those are bars).
    assert "[clipora] fake asr started segments=6" in res.stderr
    assert "[clipora] warning: semantic_discover: fake asr is not a real recognizer" in res.stderr


def test_quiet_prints_nothing_on_stderr(core_venv: Venv, job_input: tuple[Path, Path]) -> None:
    video, cfg = job_input
    res = core_venv.run("run", video, "--config", cfg, "--quiet", env=ONLY_FAKES)
    assert res.returncode == 0
    assert res.stderr == ""
    assert res.stdout.strip().splitlines() == [last_line(res.stdout)]
    log = Path(last_line(res.stdout)) / "logs" / "pipeline.log"
    assert "fake asr is not a real recognizer" in log.read_text(encoding="utf-8")


def test_log_level_filters_the_terminal_not_the_job_log(
    core_venv: Venv, job_input: tuple[Path, Path]
) -> None:
    video, cfg = job_input
    res = core_venv.run("run", video, "--config", cfg, "--log-level", "warning", env=ONLY_FAKES)
    assert res.returncode == 0
    assert "fake asr is not a real recognizer" in res.stderr
    assert "fake asr started" not in res.stderr and "inspect started" not in res.stderr
    log = (Path(last_line(res.stdout)) / "logs" / "pipeline.log").read_text(encoding="utf-8")
    assert "fake asr started" in log and "inspect started" in log


def test_unexpected_error_is_one_line_without_debug_and_a_traceback_with_it(
    core_venv: Venv, job_input: tuple[Path, Path]
) -> None:
    video, cfg = job_input
    res = core_venv.run("run", video, "--config", cfg, "--set", "fakes.fail=asr", env=ONLY_FAKES)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("[clipora] error:")]
    assert errors == [
        "[clipora] error: RuntimeError: fake asr exploded (rerun with --debug for the traceback)"
    ]
    job = res.stderr.split("job=")[1].split()[0]
    log = (Path(job) / "logs" / "pipeline.log").read_text(encoding="utf-8")
    assert "ERROR semantic_discover failed RuntimeError: fake asr exploded" in log

    res = core_venv.run(
        "run", job, "--config", cfg, "--set", "fakes.fail=asr", "--debug", env=ONLY_FAKES
    )
    assert res.returncode == 1
    assert "Traceback (most recent call last)" in res.stderr
    assert 'raise RuntimeError("fake asr exploded")' in res.stderr

    # A user error stays one line even with --debug off, and exits 2 for usage/config problems.
    res = core_venv.run("run", job, "--config", cfg, "--set", "render.playback_speed=9")
    assert res.returncode == 2 and res.stderr.count("\n") == 1


def test_terminal_shows_progress_bars_with_percent(
    core_venv: Venv, job_input: tuple[Path, Path]
) -> None:
    video, cfg = job_input
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [str(core_venv.clipora), "run", str(video), "--config", str(cfg)],
        stdout=subprocess.PIPE,
        stderr=secondary,
        env=core_venv.env(TERM="xterm", **ONLY_FAKES),
    )
    os.close(secondary)
    chunks = []
    try:
        while True:  # read while it runs: a full pty buffer would block the child
            try:
                data = os.read(primary, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(primary)
        proc.communicate(timeout=60)
    assert proc.returncode == 0
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))
    assert re.search(r"semantic_discover\s.*100%", screen), screen[-2000:]
    assert re.search(r"render\s.*100%", screen)
