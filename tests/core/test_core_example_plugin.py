"""Issue 3 point 10: the third-party-style example plugin, installed through its entry point in
a throwaway venv, runs through the pipeline (fake prober/ASR/renderer feed it a transcript)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from core_support import EXAMPLE, Venv, last_line, manifest, stage_status

# 150 s of talk: chunks [0,60), [60,120), [120,150) with 60 s chunks.
TALK = [
    (0.0, 12.0, "today we talk about rivers"),
    (12.0, 30.0, "rivers carry water to the sea"),
    (30.0, 55.0, "and they shape the land"),
    (61.0, 80.0, "next, mountains"),
    (80.0, 118.0, "mountains rise where plates meet"),
    (120.0, 131.0, "finally the weather"),
    (131.0, 149.0, "which connects everything"),
]


def test_example_plugin_runs_through_the_pipeline(core_venv: Venv, tmp_path: Path) -> None:
    from clipora_test_fakes.impl import write_fake_video

    video = write_fake_video(tmp_path / "lecture.json", TALK, duration=150.0)
    cfg = tmp_path / "clipora.yaml"
    cfg.write_text(
        "paths: {workdir: work}\ninspect: {prober: fake}\nasr: {mode: fake}\n"
        "render: {renderer: fake}\nrender_subtitles: {formats: [faketxt]}\n"
        "analysis:\n  semantic_min_duration_seconds: 15\n  even_chunks: {max_clip_seconds: 40}\n",
        encoding="utf-8",
    )
    env = {"CLIPORA_LOAD_PLUGINS": "fakes,even_chunks"}
    listed = json.loads(core_venv.run("plugins", "list", "--json", env=env).stdout)
    even = next(p for p in listed if p["plugin"] == "even_chunks")
    assert even["distribution"] == "clipora-example-videotype" and even["error"] is None
    assert [c["name"] for c in even["capabilities"]] == ["even_chunks"]

    res = core_venv.run(
        "run", video, "--config", cfg, "--set", "analysis.video_type=even_chunks", env=env
    )
    assert res.returncode == 0, res.stderr
    job = Path(last_line(res.stdout))
    assert set(stage_status(job).values()) == {"completed"}
    plan = json.loads((job / "analysis" / "edit_plan.json").read_text(encoding="utf-8"))
    assert plan["strategy"] == "even_chunks"
    clips = [
        (s["id"], [(w["start_seconds"], w["end_seconds"]) for w in s["windows"]])
        for s in plan["segments"]
    ]
    assert clips == [
        ("semantic-item-001-clip", [(0.0, 30.0)]),  # 0-55 is longer than 40 s: whole segments
        ("semantic-item-002-clip", [(61.0, 80.0)]),
        ("semantic-item-003-clip", [(120.0, 149.0)]),
    ]
    result = json.loads((job / "renders" / "execution_result.json").read_text(encoding="utf-8"))
    assert [a["duration_seconds"] for a in result["artifacts"]] == [30.0, 19.0, 29.0]
    # Its config keys are scoped: a new clip length reruns analyze (and render) only...
    started = {n: s["started_at"] for n, s in manifest(job)["stages"].items()}
    res = core_venv.run(
        "run",
        job,
        "--config",
        cfg,
        "--set",
        "analysis.video_type=even_chunks",
        "--set",
        "analysis.even_chunks.max_clip_seconds=20",
        env=env,
    )
    assert res.returncode == 0, res.stderr
    rerun = [n for n, s in manifest(job)["stages"].items() if s["started_at"] != started[n]]
    assert rerun == ["analyze", "render"]
    plan = json.loads((job / "analysis" / "edit_plan.json").read_text(encoding="utf-8"))
    assert plan["segments"][0]["windows"] == [{"start_seconds": 0.0, "end_seconds": 12.0}]
    # ...and a new chunk length reruns discovery and everything after it. (The job remembers
    # earlier --set values, so the clip length goes back to a long one explicitly.)
    res = core_venv.run(
        "run",
        job,
        "--config",
        cfg,
        "--set",
        "analysis.even_chunks.max_clip_seconds=30",
        "--set",
        "analysis.even_chunks.chunk_seconds=200",
        env=env,
    )
    assert res.returncode == 0, res.stderr
    plan = json.loads((job / "analysis" / "edit_plan.json").read_text(encoding="utf-8"))
    assert [s["windows"] for s in plan["segments"]] == [
        [{"start_seconds": 0.0, "end_seconds": 30.0}]
    ]
    assert "transcript reused from cache" in res.stderr


def test_example_plugin_own_tests_pass(core_venv: Venv) -> None:
    """Its tests use the clipora_core.testing fixtures, as the docs tell plugin authors to."""
    res = subprocess.run(
        [
            str(core_venv.python),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(EXAMPLE),
            "-c",
            str(EXAMPLE / "pyproject.toml"),
            str(EXAMPLE / "tests"),
        ],
        capture_output=True,
        text=True,
        env=core_venv.env(),
        cwd=EXAMPLE,
        timeout=120,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "3 passed" in res.stdout
