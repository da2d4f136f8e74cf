"""Issue 3 point 6: the job workspace: pydantic manifest, atomic JSON, stage states, interrupted
stages, reuse, --force and fingerprints."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from core_support import SEGMENTS, Venv, last_line, manifest, stage_status

ALL_DONE = {
    s: "completed"
    for s in ("clean", "inspect", "semantic_discover", "semantic_cluster", "analyze", "render")
}


def _run(cli_run: Any, *args: Any, env: dict[str, str] | None = None) -> Path:
    res = cli_run(*args, env=env)
    assert res.exit_code == 0, res.stderr
    return Path(last_line(res.stdout))


def _started(job: Path) -> dict[str, str]:
    return {name: s["started_at"] for name, s in manifest(job)["stages"].items()}


def test_manifest_is_a_pydantic_contract(fakes, fake_config, fake_video, cli_run) -> None:
    from clipora_core.workspace import JobManifest

    job = _run(cli_run, "run", fake_video, "--config", fake_config())
    data = manifest(job)
    parsed = JobManifest.model_validate(data)
    assert parsed.job_id == job.name
    assert parsed.source.path == str(fake_video.resolve())
    assert parsed.source.size_bytes == fake_video.stat().st_size
    assert stage_status(job) == ALL_DONE
    for state in parsed.stages.values():
        assert state.fingerprint and state.finished_at and state.error is None
        assert state.pid is None and state.progress == 1.0
    assert (job / "logs" / "pipeline.log").is_file()
    assert parsed.analysis_video_type == "fake_vt"
    assert len(parsed.outputs["renders"]) == 3
    # No temp file from the atomic writes is left behind.
    assert not [p for p in job.rglob("*.tmp")]


def test_json_writes_are_atomic_for_concurrent_readers(tmp_path: Path) -> None:
    from clipora_core.fileio import read_json, write_json

    path = tmp_path / "state.json"
    write_json(path, {"n": 0, "pad": "x" * 200_000})
    stop = threading.Event()
    errors: list[str] = []
    reads = 0

    def reader() -> None:
        nonlocal reads
        while not stop.is_set():
            try:
                data = read_json(path)
                assert len(data["pad"]) == 200_000
                reads += 1
            except Exception as exc:  # noqa: BLE001 - any partial read is the failure
                errors.append(repr(exc))

    thread = threading.Thread(target=reader)
    thread.start()
    for n in range(1, 60):
        write_json(path, {"n": n, "pad": "x" * 200_000})
    stop.set()
    thread.join()
    assert errors == [] and reads > 0
    assert read_json(path)["n"] == 59
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_failing_stage_is_failed_with_its_reason(fakes, fake_config, fake_video, cli_run) -> None:
    cfg = fake_config(**{"fakes.fail": "discover"})
    res = cli_run("run", fake_video, "--config", cfg)
    assert res.exit_code == 1
    job = Path(res.stderr.split("job=")[1].split()[0])
    state = manifest(job)["stages"]["semantic_discover"]
    assert state["status"] == "failed"
    assert state["error"] == "RuntimeError: fake discover exploded"
    assert state["detail"] == state["error"] and state["pid"] is None
    statuses = stage_status(job)
    assert statuses["inspect"] == "completed"
    assert statuses["semantic_cluster"] == statuses["render"] == "pending"
    # A later command with the problem fixed reruns the failed stage and keeps earlier ones.
    before = _started(job)
    _run(cli_run, "analyze", job, "--config", fake_config())
    after = _started(job)
    assert after["inspect"] == before["inspect"]
    assert after["semantic_discover"] != before["semantic_discover"]
    assert stage_status(job)["analyze"] == "completed"


def test_user_error_in_a_stage_is_recorded_as_failed(
    fakes, fake_config, fake_video, cli_run, tmp_path: Path
) -> None:
    job = _run(cli_run, "run", fake_video, "--config", fake_config())
    fake_video.rename(tmp_path / "moved.json")  # the source disappears
    res = cli_run("inspect", job, "--force", "--config", fake_config())
    assert res.exit_code == 1
    assert "source video not found" in res.stderr
    # A changed source makes clean stale, so clean is the stage that reruns and fails.
    state = manifest(job)["stages"]["clean"]
    assert state["status"] == "failed" and "source video not found" in state["error"]


def test_completed_stages_are_reused(fakes, fake_config, fake_video, cli_run) -> None:
    cfg = fake_config()
    job = _run(cli_run, "run", fake_video, "--config", cfg)
    before = _started(job)
    again = _run(cli_run, "run", job, "--config", cfg)
    assert again == job
    assert _started(job) == before
    log = (job / "logs" / "pipeline.log").read_text(encoding="utf-8")
    assert log.count("render reused finished earlier with the same inputs and config") == 1


def test_force_reruns_one_stage_and_invalidates_only_later_ones(
    fakes, fake_config, fake_video, cli_run
) -> None:
    cfg = fake_config()
    job = _run(cli_run, "run", fake_video, "--config", cfg)
    before = _started(job)
    _run(cli_run, "semantic-cluster", job, "--force", "--config", cfg)
    after = _started(job)
    for stage in ("clean", "inspect", "semantic_discover"):
        assert after[stage] == before[stage], stage
    assert after["semantic_cluster"] != before["semantic_cluster"]
    statuses = stage_status(job)
    assert statuses["semantic_cluster"] == "completed"
    assert statuses["analyze"] == statuses["render"] == "pending"
    # `run --force STAGE` reruns it and everything after it.
    _run(cli_run, "run", job, "--force", "analyze", "--config", cfg)
    final = _started(job)
    assert final["semantic_cluster"] == after["semantic_cluster"]
    assert final["analyze"] != before["analyze"] and stage_status(job) == ALL_DONE
    res = cli_run("run", job, "--force", "transcribe", "--config", cfg)
    assert res.exit_code == 2 and "unknown stage 'transcribe'" in res.stderr


@pytest.mark.parametrize(
    ("change", "first_stale"),
    [
        ({"render.ffmpeg.crf": 30}, "render"),  # a render-only key: analysis is untouched
        ({"render.playback_speed": 2.0}, "render"),
        ({"concurrency.analyze": 2}, None),  # changes speed, not output
        ({"asr.cache": False}, None),
        ({"analysis.pose_presence.min_presence_ratio": 0.5}, "analyze"),  # core analysis keys
        ({"fakes.vt.body_seconds": 12.0}, "analyze"),
        # The video type's own keys, each scoped to the stage it affects ("stage:key").
        ({"fakes.vt.segments_per_item": 3}, "semantic_discover"),
        ({"fakes.vt.clip_title": "Hello"}, "analyze"),
        ({"fakes.asr.sleep_seconds": 0.01}, None),  # not in the ASR backend's config_keys
        ({"fakes.asr.uppercase": True}, "semantic_discover"),  # the ASR backend's keys
        ({"analysis.semantic_min_duration_seconds": 5.0}, "semantic_discover"),
        ({"inspect.remux_containers": ["flv"]}, "inspect"),
    ],
)
def test_fingerprints_make_only_affected_stages_stale(
    fakes, fake_config, fake_video, cli_run, change: dict[str, Any], first_stale: str | None
) -> None:
    job = _run(cli_run, "run", fake_video, "--config", fake_config())
    before = _started(job)
    _run(cli_run, "run", job, "--config", fake_config(**change))
    after = _started(job)
    stages = list(before)
    stale = [s for s in stages if after[s] != before[s]]
    expected = stages[stages.index(first_stale) :] if first_stale else []
    assert stale == expected
    assert stage_status(job) == ALL_DONE


def test_changed_config_changes_the_output(fakes, fake_config, fake_video, cli_run) -> None:
    job = _run(cli_run, "run", fake_video, "--config", fake_config())
    _run(cli_run, "run", job, "--config", fake_config(**{"fakes.vt.body_seconds": 12.0}))
    plan = json.loads((job / "analysis" / "edit_plan.json").read_text(encoding="utf-8"))
    assert [round(s["end_seconds"] - s["start_seconds"], 3) for s in plan["segments"]] == [12.0] * 3


def test_a_killed_process_leaves_an_interrupted_stage_that_reruns(
    core_venv: Venv, tmp_path: Path
) -> None:
    from clipora_test_fakes.impl import write_fake_video

    video = write_fake_video(tmp_path / "talk.json", SEGMENTS)
    cfg = tmp_path / "clipora.yaml"
    cfg.write_text(
        "paths: {workdir: work}\ninspect: {prober: fake}\nasr: {mode: fake}\n"
        "analysis: {video_type: fake_vt}\nrender: {renderer: fake}\n"
        "render_subtitles: {formats: [faketxt]}\n",
        encoding="utf-8",
    )
    proc = core_venv.popen(
        "run",
        video,
        "--config",
        cfg,
        "--set",
        "fakes.asr.sleep_seconds=30",
        env={"CLIPORA_LOAD_PLUGINS": "fakes"},
    )
    try:
        deadline = time.monotonic() + 30
        marker: list[Path] = []
        while not marker and time.monotonic() < deadline:
            marker = list((tmp_path / "work").glob("*/semantic/asr-started"))
            time.sleep(0.05)
        assert marker, "the fake ASR never started"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    job = marker[0].parents[1]
    # On disk the stage still looks running: nobody was left to say otherwise.
    assert stage_status(job)["semantic_discover"] == "running"

    res = core_venv.run("run", job, "--config", cfg, env={"CLIPORA_LOAD_PLUGINS": "fakes"})
    assert res.returncode == 0, res.stderr
    assert "semantic_discover interrupted" in res.stderr  # reported on the terminal...
    log = (job / "logs" / "pipeline.log").read_text(encoding="utf-8")
    assert "semantic_discover interrupted" in log  # ...and in the job log
    assert stage_status(job) == ALL_DONE
    assert last_line(res.stdout) == str(job)


def test_a_second_process_on_the_same_job_is_refused(
    fakes, fake_config, fake_video, cli_run
) -> None:
    from clipora_core.workspace import JobWorkspace

    job = _run(cli_run, "run", fake_video, "--config", fake_config())
    holder = JobWorkspace.open(job)
    holder.acquire()
    try:
        res = cli_run("analyze", job, "--force", "--config", fake_config())
        assert res.exit_code == 1
        assert "being processed by another clipora process" in res.stderr
        assert stage_status(job) == ALL_DONE  # nothing was marked interrupted
    finally:
        holder.release()


def test_damaged_manifest_is_one_line(fakes, fake_config, fake_video, cli_run) -> None:
    job = _run(cli_run, "run", fake_video, "--config", fake_config())
    (job / "manifest.json").write_text("{not json", encoding="utf-8")
    res = cli_run("analyze", job, "--config", fake_config())
    assert res.exit_code == 1
    assert res.stderr.strip().count("\n") == 0 and "is damaged" in res.stderr
    res = cli_run("analyze", job.parent, "--config", fake_config())
    assert res.exit_code == 1 and "is not a Clipora job" in res.stderr


def test_a_job_remembers_its_set_values(fakes, fake_config, fake_video, cli_run) -> None:
    cfg = fake_config()
    job = _run(cli_run, "run", fake_video, "--config", cfg, "--set", "render.playback_speed=1.25")
    assert manifest(job)["config_sets"] == ["render.playback_speed=1.25"]
    before = _started(job)
    # A later command without the --set keeps the job's setting: nothing is redone.
    again = _run(cli_run, "render", job, "--config", cfg)
    assert again == job and _started(job) == before
    # A new value replaces the old one and reruns only render.
    _run(cli_run, "render", job, "--config", cfg, "--set", "render.playback_speed=1.5")
    assert manifest(job)["config_sets"] == ["render.playback_speed=1.5"]
    rerun = [n for n, t in _started(job).items() if t != before[n]]
    assert rerun == ["render"]


def test_remembered_set_values_never_include_secrets() -> None:
    from clipora_core.capabilities import ConfigSection
    from clipora_core.config import build_settings_model, remember_sets
    from clipora_core.settings import Section
    from pydantic import SecretStr

    class Cloud(Section):
        token: SecretStr = SecretStr("")
        region: str = "x"

    model = build_settings_model([ConfigSection(path="cloud", model=Cloud)])
    merged = remember_sets(
        model, ["cloud.region=a"], ["cloud.token=s3cret", "cloud.region=b", "asr.language=zh"]
    )
    assert merged == ["cloud.region=b", "asr.language=zh"]


def test_files_half_written_by_a_killed_process_are_removed_on_the_next_run(
    fakes, fake_config, fake_video, cli_run
) -> None:
    job = _run(cli_run, "run", fake_video, "--config", fake_config())
    stale = [job / ".manifest.json.k1ll3d.tmp", job / "semantic" / ".transcript.json.x9.tmp"]
    for p in stale:
        p.write_text('{"half": ', encoding="utf-8")
    _run(cli_run, "run", job, "--config", fake_config())
    assert [p for p in stale if p.exists()] == []
    assert stage_status(job) == ALL_DONE
