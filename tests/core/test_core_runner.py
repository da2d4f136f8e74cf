"""Issue 3 point 7: the stage runner composes stages from the capabilities config chooses; the
commands print job=/log= and end with the job path; missing capabilities are named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from core_support import SEGMENTS, Venv, last_line, manifest, stage_status


def _job(res: Any) -> Path:
    assert res.exit_code == 0, res.stderr
    return Path(last_line(res.stdout))


def test_every_command_prints_job_and_log_and_ends_with_the_job_path(
    fakes, fake_config, fake_video, cli_run, tmp_path: Path
) -> None:
    cfg = fake_config()
    res = cli_run("clean", fake_video, "--config", cfg)
    job = _job(res)
    assert job.parent == tmp_path / "workdir"
    assert f"[clipora] job={job}" in res.stderr.splitlines()
    assert f"[clipora] log={job / 'logs' / 'pipeline.log'}" in res.stderr.splitlines()
    assert stage_status(job)["clean"] == "completed"
    assert stage_status(job)["inspect"] == "pending"
    for command in ("inspect", "semantic-discover", "semantic-cluster", "analyze", "render"):
        res = cli_run(command, job, "--config", cfg)
        assert _job(res) == job, command
        assert f"[clipora] job={job}" in res.stderr, command
        assert stage_status(job)[command.replace("-", "_")] == "completed"
    res = cli_run("analyze-item", job, "--semantic-item-id", "semantic-item-002", "--config", cfg)
    assert _job(res) == job and "[clipora] log=" in res.stderr
    res = cli_run(
        "render",
        job,
        "--plan",
        job / "analysis" / "items" / "clip-semantic-item-002.json",
        "--config",
        cfg,
    )
    assert _job(res) == job
    result = json.loads((job / "renders" / "execution_result.json").read_text(encoding="utf-8"))
    assert [a["clip_id"] for a in result["artifacts"]] == ["clip-semantic-item-002"]


def test_stages_use_the_capabilities_config_chooses(
    fakes, fake_config, fake_video, cli_run
) -> None:
    cfg = fake_config(**{"cleaning.enabled": True, "cleaning.cleaners": ["fake_trim"]})
    job = _job(cli_run("run", fake_video, "--config", cfg))
    data = manifest(job)
    assert data["cleaning"]["enabled"] is True and data["cleaning"]["cleaners"] == ["fake_trim"]
    transcript = json.loads((job / "semantic" / "transcript.json").read_text(encoding="utf-8"))
    assert transcript["backend"] == "fake"
    assert [s["text"] for s in transcript["segments"]] == [t for _, _, t in SEGMENTS]
    plan = json.loads((job / "analysis" / "edit_plan.json").read_text(encoding="utf-8"))
    assert plan["strategy"] == "fake_vt"
    assert [s["windows"] for s in plan["segments"]] == [
        [{"start_seconds": a, "end_seconds": a + 20.0}] for a in (0.0, 20.0, 40.0)
    ]
    clip = json.loads((job / "renders" / "1-clip-semantic-item-002.mp4").read_text("utf-8"))
    assert clip == {"windows": [{"start_seconds": 20.0, "end_seconds": 40.0}], "speed": 1.0}
    sidecar = job / "renders" / "1-clip-semantic-item-002.txt"
    assert sidecar.read_text(encoding="utf-8").split("\n")[:2] == [SEGMENTS[2][2], SEGMENTS[3][2]]

    # Subtitles off: no writer runs; another speed reaches the renderer.
    cfg2 = fake_config(**{"render_subtitles.mode": "disabled", "render.playback_speed": 2.0})
    job2 = _job(cli_run("run", fake_video, "--config", cfg2))
    assert not list((job2 / "renders").glob("*.txt"))
    clip = json.loads((job2 / "renders" / "1-clip-semantic-item-001.mp4").read_text("utf-8"))
    assert clip["speed"] == 2.0
    result = json.loads((job2 / "renders" / "execution_result.json").read_text("utf-8"))
    assert [a["duration_seconds"] for a in result["artifacts"]] == [10.0, 10.0, 10.0]


@pytest.mark.parametrize(
    ("key", "value", "label", "hint"),
    [
        ("asr.mode", "nope", "asr 'nope' (config asr.mode)", "install a plugin that provides it"),
        (
            "render.renderer",
            "ffmpeg",
            "renderer 'ffmpeg' (config render.renderer)",
            "uv pip install clipora-render-ffmpeg",
        ),
        (
            "analysis.video_type",
            "live_commerce",
            "video type 'live_commerce'",
            "uv pip install clipora-live-commerce",
        ),
        (
            "inspect.prober",
            "pyav",
            "prober 'pyav' (config inspect.prober)",
            "uv pip install clipora-render-ffmpeg",
        ),
    ],
)
def test_a_capability_that_is_not_installed_is_named_with_the_distribution_a_plugin_gives(
    core_venv: Venv, tmp_path: Path, key: str, value: str, label: str, hint: str
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
    res = core_venv.run(
        "run",
        video,
        "--config",
        cfg,
        "--set",
        f"{key}={value}",
        env={"CLIPORA_LOAD_PLUGINS": "fakes"},
    )
    assert res.returncode == 2
    errors = [ln for ln in res.stderr.splitlines() if "error" in ln]
    assert len(errors) == 1 and "Traceback" not in res.stderr
    assert errors[0].startswith("[clipora] error: ") and label in errors[0]
    assert "is not installed" in errors[0] and hint in errors[0]
    assert "fake" in errors[0].split("available: ")[1]


def test_missing_capability_is_reported_before_any_work(
    fakes, fake_config, fake_video, cli_run, tmp_path: Path
) -> None:
    res = cli_run("run", fake_video, "--config", fake_config(**{"render.renderer": "nope"}))
    assert res.exit_code == 2 and "renderer 'nope'" in res.stderr
    workdir = tmp_path / "workdir"
    assert not [p for p in workdir.iterdir() if (p / "manifest.json").is_file()]
    # On an existing job, nothing before the bad stage reruns either.
    job = _job(cli_run("run", fake_video, "--config", fake_config()))
    before = manifest(job)["stages"]
    res = cli_run("run", job, "--force", "clean", "--config", fake_config(**{"asr.mode": "nope"}))
    assert res.exit_code == 2 and "asr 'nope'" in res.stderr
    assert manifest(job)["stages"] == before


def test_a_plugin_whose_factory_fails_to_import_is_named(
    fakes, register_plugin, fake_config, fake_video, cli_run
) -> None:
    from clipora_core import Capability, Kind, hookimpl

    class Missing:
        @hookimpl
        def register_renderers(self, register: Any) -> None:
            register(
                Capability(
                    kind=Kind.RENDERER,
                    name="ghost",
                    description="factory module is missing",
                    factory="clipora_no_such_module.render:Renderer",
                )
            )

    register_plugin(Missing(), name="ghost", distribution="clipora-ghost")
    res = cli_run("run", fake_video, "--config", fake_config(**{"render.renderer": "ghost"}))
    assert res.exit_code == 1
    assert "clipora-ghost" in res.stderr and "failed to import" in res.stderr
    assert "Traceback" not in res.stderr


def test_analyze_item_replans_one_item_and_leaves_the_others(
    fakes, fake_config, fake_video, cli_run
) -> None:
    cfg = fake_config()
    job = _job(cli_run("run", fake_video, "--config", cfg))
    plan_path = job / "analysis" / "edit_plan.json"

    def by_item(plan: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for seg in plan["segments"]:
            out.setdefault(seg["metadata"]["semantic_item_id"], []).append(seg)
        return out

    before = by_item(json.loads(plan_path.read_text(encoding="utf-8")))
    assert len(before) == 3
    res = cli_run("analyze-item", job, "--semantic-item-id", "semantic-item-002", "--config", cfg)
    assert _job(res) == job
    after = by_item(json.loads(plan_path.read_text(encoding="utf-8")))
    assert set(after) == set(before)
    for other in ("semantic-item-001", "semantic-item-003"):
        assert after[other] == before[other]
    assert [s["id"] for s in after["semantic-item-002"]] == [
        s["id"] for s in before["semantic-item-002"]
    ]
    assert stage_status(job)["render"] == "pending"  # the clips must be rendered again

    # An id the job does not have: one line naming it and the ids it has; the plan untouched.
    kept = plan_path.read_bytes()
    res = cli_run("analyze-item", job, "--semantic-item-id", "semantic-item-999", "--config", cfg)
    assert res.exit_code != 0 and "Traceback" not in res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("[clipora] error:")]
    assert len(errors) == 1
    assert "semantic item not found: semantic-item-999" in errors[0]
    assert "semantic-item-001, semantic-item-002, semantic-item-003" in errors[0]
    assert plan_path.read_bytes() == kept


def test_a_factory_that_does_not_implement_the_interface_is_one_clear_error(
    fakes, fake_config, fake_video, cli_run
) -> None:
    res = cli_run("run", fake_video, "--config", fake_config(**{"analysis.video_type": "duck_vt"}))
    assert res.exit_code != 0 and "Traceback" not in res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("[clipora] error:")]
    assert len(errors) == 1
    assert "video_type 'duck_vt'" in errors[0]
    assert "does not subclass clipora_core.api.VideoTypeAnalyzer" in errors[0]
