"""``clipora render <job> --plan plan.json`` through the real command, as a user runs it.

Two tiny pitch videos (160x120, test pattern, an English SRT sidecar read by ``asr.mode=import``
so no Whisper runs) go through ``clipora run`` / ``clipora analyze``. Then: rendering a copy of
the job's own plan twice gives the same clips frame for frame; plans with windows past the end
of the source, or made for the other video, are refused with one line before anything is
encoded; and an item plan (``analysis/items/<id>.json``) renders on its own."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import pytest
from render_media import FPS, FRAME, ffmpeg

pytestmark = pytest.mark.slow

# Two products, four lines each, in the words a host uses (times in seconds).
PITCH = [
    (0.5, 3.0, "First product is this water bottle."),
    (3.0, 6.0, "The water bottle is stainless steel and keeps drinks cold all day."),
    (6.0, 9.0, "It is usually $49, today only $29."),
    (9.0, 11.5, "The link is up, grab the water bottle now."),
    (12.0, 14.5, "Next product is this phone stand."),
    (14.5, 17.5, "The phone stand folds flat and fits in any bag."),
    (17.5, 20.5, "The phone stand is usually $25, today only $15."),
    (20.5, 23.0, "The link is up for the phone stand."),
]
DURATION = 24

CONFIG = """\
asr:
  mode: import
analysis:
  semantic_min_duration_seconds: 2
render_subtitles:
  mode: disabled
concurrency:
  render: 2
"""


def srt_time(x: float) -> str:
    ms = round(x * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def pitch_video(path: Path, pattern: str) -> Path:
    """A moving test pattern with a tone, GOP 2 s, and the pitch as ``<stem>.srt`` beside it."""
    ffmpeg(
        "-f", "lavfi", "-i", f"{pattern}=s=160x120:r={FPS}:d={DURATION}",
        "-f", "lavfi", "-i", f"sine=f=440:r=44100:d={DURATION}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "50",
        "-c:a", "aac", "-shortest", str(path),
    )  # fmt: skip
    cues = [
        f"{i}\n{srt_time(a)} --> {srt_time(b)}\n{text}\n" for i, (a, b, text) in enumerate(PITCH, 1)
    ]
    path.with_suffix(".srt").write_text("\n".join(cues), encoding="utf-8")
    return path


@dataclass
class Run:
    rc: int
    out: str
    err: str

    @property
    def job(self) -> Path:
        return Path(self.out.strip().splitlines()[-1])

    @property
    def errors(self) -> list[str]:
        return [ln for ln in self.err.splitlines() if ln.startswith("[clipora] error:")]


class Clipora:
    """The installed ``clipora`` script in a subprocess, with its own config, HOME and workdir."""

    def __init__(self, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.home = home
        self.config = home / "clipora.yaml"
        workdir = json.dumps(str(home / "workdir"))
        self.config.write_text(f"paths:\n  workdir: {workdir}\n{CONFIG}", encoding="utf-8")

    def __call__(self, *args: str | Path) -> Run:
        script = Path(sys.executable).with_name("clipora")
        argv = [str(script)] if script.is_file() else [sys.executable, "-m", "clipora_core.cli"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLIPORA_")}
        env["HOME"] = str(self.home)
        proc = subprocess.run(
            [*argv, *(str(a) for a in args), "--config", str(self.config)],
            capture_output=True, text=True, env=env, cwd=self.home, timeout=120,
        )  # fmt: skip
        return Run(proc.returncode, proc.stdout, proc.stderr)


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def ok(run: Run) -> Run:
    assert run.rc == 0 and not run.errors and "Traceback" not in run.err, run.err[-3000:]
    return run


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Job A: ``clipora run`` on one video (clips rendered). Job B: ``clipora clean`` +
    ``clipora analyze`` on another video (a plan of its own to misuse on job A)."""
    d = tmp_path_factory.mktemp("render-plan-cli")
    clipora = Clipora(d / "home")
    video_a = pitch_video(d / "show a.mp4", "testsrc2")
    video_b = pitch_video(d / "show b.mp4", "testsrc")
    job_a = ok(clipora("run", video_a)).job
    job_b = ok(clipora("analyze", ok(clipora("clean", video_b)).job)).job
    assert job_a != job_b
    return {"clipora": clipora, "dir": d, "a": job_a, "b": job_b}


def copy_plan(src: Path, dst: Path, edit: Any = None) -> Path:
    data = read(src)
    if edit is not None:
        edit(data)
    dst.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return dst


def clip_outputs(job: Path) -> list[dict[str, Any]]:
    result = read(job / "renders" / "execution_result.json")
    assert result["failure_count"] == 0
    return sorted(result["artifacts"], key=lambda a: a["clip_id"])


def probe(path: Path) -> dict[str, Any]:
    """What a player sees: container and stream durations, frame count, and a hash per
    decoded frame (pixels) with its timestamp."""
    with av.open(str(path)) as c:
        info: dict[str, Any] = {"container": float(c.duration or 0) / 1_000_000}
        for s in c.streams:
            if s.type in ("video", "audio") and s.duration is not None:
                info.setdefault(s.type, round(float(s.duration * s.time_base), 6))
        frames = [
            (
                round(float(f.time or 0), 6),
                hashlib.sha1(f.to_ndarray(format="rgb24").tobytes()).hexdigest(),
            )
            for f in c.decode(video=0)
        ]
    info["frames"] = frames
    return info


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` (hidden ones included) with its size and mtime."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_rendering_the_same_plan_twice_gives_the_same_clips(
    jobs: dict[str, Any], tmp_path: Path
) -> None:
    clipora, job = jobs["clipora"], jobs["a"]
    plan = copy_plan(job / "analysis" / "edit_plan.json", tmp_path / "plan.json")
    segments = read(plan)["segments"]
    items = {s["metadata"]["semantic_item_id"] for s in segments}
    assert len(items) >= 2, f"the offline analyzer should find both products: {items}"

    runs = []
    for _ in range(2):
        ok(clipora("render", job, "--plan", plan))
        arts = clip_outputs(job)
        assert [a["clip_id"] for a in arts] == sorted(s["id"] for s in segments)
        assert not any(a["metadata"].get("reused") for a in arts), "each --plan run encodes again"
        runs.append({a["clip_id"]: probe(Path(a["output_path"])) for a in arts})
    first, second = runs

    windows = {s["id"]: s["windows"] for s in segments}
    for clip_id, info in first.items():
        expected = sum(w["end_seconds"] - w["start_seconds"] for w in windows[clip_id])
        assert info["video"] == pytest.approx(expected, abs=FRAME), clip_id
        assert info["audio"] == pytest.approx(expected, abs=FRAME), clip_id
        again = second[clip_id]
        assert {k: info[k] for k in ("container", "video", "audio")} == {
            k: again[k] for k in ("container", "video", "audio")
        }, clip_id
        assert len(info["frames"]) == len(again["frames"]), clip_id
    # Every frame of the clip with the most windows (cuts out of play order) is the same picture
    # at the same time in both runs.
    busiest = max(windows, key=lambda k: len(windows[k]))
    assert len(windows[busiest]) >= 2
    assert first[busiest]["frames"] == second[busiest]["frames"]


def refused(jobs: dict[str, Any], plan: Path, *fragments: str) -> str:
    """Run ``render --plan`` expecting a refusal before any encoding; return the error line."""
    clipora, job = jobs["clipora"], jobs["a"]
    renders_before = snapshot(job / "renders")
    stage_before = read(job / "manifest.json")["stages"]["render"]["status"]
    run = clipora("render", job, "--plan", plan)
    assert run.rc != 0, run.err
    assert "Traceback" not in run.err, run.err
    assert len(run.errors) == 1, run.err
    line = run.errors[0]
    for frag in fragments:
        assert frag in line, line
    assert "--debug" not in line, f"an unexpected exception reached the user: {line}"
    assert not run.out.strip(), "a refused command prints no job path"
    # Nothing was encoded or touched, and the render stage is as it was (not left running).
    assert snapshot(job / "renders") == renders_before
    assert read(job / "manifest.json")["stages"]["render"]["status"] == stage_before != "running"
    return line


def test_a_plan_with_windows_past_the_end_is_refused(jobs: dict[str, Any], tmp_path: Path) -> None:
    job = jobs["a"]

    def past_the_end(data: dict[str, Any]) -> None:
        data["segments"][-1]["windows"].append(
            {"start_seconds": DURATION - 2.0, "end_seconds": DURATION + 5.0}
        )

    plan = copy_plan(job / "analysis" / "edit_plan.json", tmp_path / "long.json", past_the_end)
    line = refused(jobs, plan, "falls outside the source", f"{DURATION + 5.0:.2f}")
    assert "long.json" in line


def test_a_plan_with_a_negative_window_is_refused(jobs: dict[str, Any], tmp_path: Path) -> None:
    def before_the_start(data: dict[str, Any]) -> None:
        data["segments"][0]["windows"][0] = {"start_seconds": -3.0, "end_seconds": 1.0}

    plan = copy_plan(
        jobs["a"] / "analysis" / "edit_plan.json", tmp_path / "early.json", before_the_start
    )
    refused(jobs, plan, "early.json", "start_seconds")


def test_a_plan_for_another_video_is_refused(jobs: dict[str, Any], tmp_path: Path) -> None:
    other = jobs["b"] / "analysis" / "edit_plan.json"
    assert read(other)["segments"], "job B has a plan"
    line = refused(jobs, copy_plan(other, tmp_path / "other.json"), "another source")
    assert "show b.mp4" in line


def test_a_plan_naming_another_video_without_a_fingerprint_is_refused(
    jobs: dict[str, Any], tmp_path: Path
) -> None:
    def unsigned(data: dict[str, Any]) -> None:
        data["source_fingerprint"] = ""

    plan = copy_plan(
        jobs["b"] / "analysis" / "edit_plan.json", tmp_path / "unsigned.json", unsigned
    )
    refused(jobs, plan, "another source", "show b.mp4")


def test_an_item_plan_from_another_job_is_refused(jobs: dict[str, Any], tmp_path: Path) -> None:
    item = sorted((jobs["b"] / "analysis" / "items").glob("*.json"))[0]
    refused(jobs, copy_plan(item, tmp_path / "item-b.json"), "another source")


def test_an_item_plan_renders_on_its_own(jobs: dict[str, Any], tmp_path: Path) -> None:
    clipora, job = jobs["clipora"], jobs["a"]
    items = sorted((job / "analysis" / "items").glob("*.json"))
    assert len(items) >= 2
    item = read(items[-1])
    plan = tmp_path / "item.json"
    shutil.copyfile(items[-1], plan)
    ok(clipora("render", job, "--plan", plan))
    (art,) = clip_outputs(job)
    (seg,) = item["segments"]
    assert art["clip_id"] == item["item_plan_id"] == seg["id"]
    assert art["windows"] == seg["windows"]
    out = Path(art["output_path"])
    assert out.parent == job / "renders" and out.is_file()
    info = probe(out)
    expected = sum(w["end_seconds"] - w["start_seconds"] for w in seg["windows"])
    assert info["video"] == pytest.approx(expected, abs=FRAME)
    assert info["audio"] == pytest.approx(expected, abs=FRAME)
    assert len(info["frames"]) == pytest.approx(expected * FPS, abs=1)
    manifest = read(job / "manifest.json")
    assert manifest["stages"]["render"]["status"] == "completed"


def test_an_item_plan_is_refused_once_the_video_was_replaced(
    jobs: dict[str, Any], tmp_path: Path
) -> None:
    """Runs last: it overwrites job B's video in place with job A's recording."""
    clipora, job = jobs["clipora"], jobs["b"]
    full = copy_plan(job / "analysis" / "edit_plan.json", tmp_path / "full.json")
    item = copy_plan(sorted((job / "analysis" / "items").glob("*.json"))[0], tmp_path / "item.json")
    shutil.copyfile(jobs["dir"] / "show a.mp4", jobs["dir"] / "show b.mp4")
    run = clipora("render", job, "--plan", full)
    assert run.rc != 0 and "another source" in run.errors[0], run.err  # the full plan: refused
    run = clipora("render", job, "--plan", item)
    assert run.rc != 0 and len(run.errors) == 1 and "another source" in run.errors[0], run.err


def test_inspect_takes_a_video_or_a_job(tmp_path: Path, media: dict[str, Path]) -> None:
    """``clipora inspect`` on a recording creates the job and says what it found; on the job
    it reuses the probe; on a file that is not a video it stops with one line and no job."""
    clipora = Clipora(tmp_path / "home")
    run = ok(clipora("inspect", media["flv"]))
    probe = read(run.job / "inspect" / "probe.json")
    assert probe["has_video"] and probe["has_audio"] and probe["container"] == "mp4"
    line = next(ln for ln in run.err.splitlines() if ln.startswith("[clipora] probe:"))
    assert f"{probe['video_width']}x{probe['video_height']}" in line and "audio aac" in line
    again = ok(clipora("inspect", run.job))
    assert again.job == run.job and "inspect reused" in again.err

    text = tmp_path / "notes.mp4"
    text.write_text("not a video", encoding="utf-8")
    bad = clipora("inspect", text)
    assert bad.rc != 0 and len(bad.errors) == 1 and "Traceback" not in bad.err
    assert sorted((tmp_path / "home" / "workdir").iterdir()) == [run.job]


def test_both_at_another_speed_makes_the_plain_clip_from_the_same_decode(
    jobs: dict[str, Any], tmp_path: Path
) -> None:
    clipora, job = jobs["clipora"], jobs["a"]
    items = sorted((job / "analysis" / "items").glob("*.json"))
    plan = tmp_path / "item.json"
    shutil.copyfile(items[0], plan)
    sets = ["--set", "render_subtitles.mode=both", "--set", "render.playback_speed=1.25"]
    ok(clipora("render", job, "--plan", plan, *sets))
    (art,) = clip_outputs(job)
    plain, subtitled = Path(art["output_path"]), Path(art["burned_output_path"])
    assert plain.is_file() and subtitled.is_file() and plain != subtitled
    assert art["metadata"]["plain_output"] == "same decode"
    expected = sum(w["end_seconds"] - w["start_seconds"] for w in art["windows"]) / 1.25
    for path in (plain, subtitled):
        info = probe(path)
        assert info["video"] == pytest.approx(expected, abs=2 * FRAME)
        assert info["audio"] == pytest.approx(expected, abs=2 * FRAME)
    # The same clip but for the burned subtitles: as many frames, and some of them differ.
    a, b = probe(plain)["frames"], probe(subtitled)["frames"]
    assert len(a) == len(b) and any(x[1] != y[1] for x, y in zip(a, b, strict=True))
