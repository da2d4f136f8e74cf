"""Crash safety: ``kill -9`` of the real ``clipora`` process during speech recognition, during
analysis and during rendering. The next command on the job reports the killed stage as
interrupted, reuses every finished stage and clip, completes, and every JSON file parses."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import reliability_media as rm
from reliability_cli import (
    Clipora,
    assert_ok,
    assert_sound,
    clips,
    log_text,
    manifest,
    stage_status,
)

LIVE_COMMERCE_TESTS = Path(__file__).resolve().parents[1] / "live_commerce"

# Two products, about 25 s each, in the words a host would use.
PITCH = [
    ("Hello everyone, welcome back to the live stream.", 3.0, 1.0),
    ("First up is this blender, it has a one thousand watt motor.", 5.0),
    ("The blender crushes ice in ten seconds and the jar is glass.", 5.0),
    ("You can make smoothies and soups with the blender every morning.", 5.0),
    ("The blender is usually one hundred twenty dollars.", 5.0),
    ("Today the blender is only seventy nine, link number one.", 5.0, 2.0),
    ("Next product, this electric kettle boils water in three minutes.", 5.0),
    ("The kettle holds one point seven liters and turns itself off.", 5.0),
    ("The kettle has a keep warm mode for your tea.", 5.0),
    ("This kettle normally sells for fifty five dollars.", 5.0),
    ("Today the kettle is thirty five dollars, link number two.", 5.0, 2.0),
    ("That is all for today, thank you for watching.", 3.0),
]
PRODUCTS = {"blender": "Blender", "kettle": "Electric kettle"}


def _srt_time(x: float) -> str:
    ms = round(x * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def pitch_video(folder: Path, size: str = "320x240") -> Path:
    """A test-pattern video as long as the pitch, with the pitch as an SRT next to it."""
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / "two_products.mp4"
    t, cues = 0.0, []
    for i, (text, dur, *pause) in enumerate(PITCH, 1):
        cues.append(f"{i}\n{_srt_time(t)} --> {_srt_time(t + dur)}\n{text}\n")
        t += dur + (pause[0] if pause else 0.5)
    video.with_suffix(".srt").write_text("\n".join(cues), encoding="utf-8")
    rm.ffmpeg("-f", "lavfi", "-i", f"testsrc2=s={size}:r=25:d={t:.1f}", "-f", "lavfi",
              "-i", f"sine=f=300:d={t:.1f}", "-c:v", "libx264", "-preset", "ultrafast",
              "-pix_fmt", "yuv420p", "-g", "50", "-c:a", "aac", "-shortest", str(video))  # fmt: skip
    return video


def speech_video(folder: Path) -> Path:
    """About 25 s of espeak-ng English (the pitch above) muxed into a 160x120 video."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / "speech.wav"
    text = " ".join(line for line, *_ in PITCH[1:7])
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(wav), text], check=True)
    video = folder / "speech.mp4"
    rm.ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=160x120:r=10", "-i", str(wav),
              "-map", "0:v", "-map", "1:a", "-shortest", "-c:v", "libx264", "-preset", "ultrafast",
              "-pix_fmt", "yuv420p", "-c:a", "aac", str(video))  # fmt: skip
    return video


# --- watching and killing a running command -------------------------------------------------------


class Running:
    def __init__(self, user: Clipora, args: tuple[str | Path, ...], out: Path) -> None:
        self.out = out
        self.proc = user.popen(*args, log=out)

    def output(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def job(self) -> Path | None:
        m = re.search(r"\[clipora\] job=(.+)", self.output())
        return Path(m.group(1).strip()) if m else None

    def wait_for(self, what: str, check: Callable[[], bool], timeout: float = 180) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if check():
                return
            if self.proc.poll() is not None:
                pytest.fail(
                    f"clipora exited ({self.proc.returncode}) before {what}:\n{self.output()}"
                )
            time.sleep(0.02)
        self.kill()
        pytest.fail(f"timed out waiting for {what}:\n{self.output()}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)


def interrupted_then_completed(job: Path, stage: str, log_before: str) -> str:
    """The log written by the rerun: the killed stage was reported interrupted, then completed."""
    log = log_text(job)[len(log_before) :]
    assert f"{stage} interrupted" in log, log
    assert f"{stage} completed" in log, log
    return log


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_kill_during_speech_recognition(user: Clipora, tmp_path: Path) -> None:
    video = speech_video(tmp_path / "media")
    args = ("run", video, "--set", "asr.mode=local", "--set", "asr.language=en")
    run = Running(user, args, tmp_path / "first.log")
    run.wait_for("the job folder", lambda: run.job() is not None, timeout=60)
    job = run.job()
    assert job is not None
    # Whisper's segments arrive in bursts, so kill at the first progress line of the stage:
    # the audio is extracted and the model is loading or decoding.
    run.wait_for(
        "ASR progress",
        lambda: (
            "semantic_discover started" in log_text(job)
            and "semantic_discover progress" in log_text(job)
        ),
    )
    run.kill()
    assert "transcript ready" not in log_text(job), "kill came too late to test anything"
    assert run.proc.returncode == -signal.SIGKILL
    status = stage_status(job)
    assert status["semantic_discover"] == "running", status  # as a dead process left it
    assert not (job / "semantic" / "transcript.json").exists()
    assert_sound(job)

    before = log_text(job)
    res = assert_ok(user.run("run", job, "--set", "asr.mode=local", "--set", "asr.language=en"))
    log = interrupted_then_completed(job, "semantic_discover", before)
    assert "clean reused" in log and "inspect reused" in log
    assert "semantic_discover interrupted" in res.err  # the user is told, not only the log
    assert set(stage_status(job).values()) == {"completed"}
    text = (job / "semantic" / "transcript.json").read_text(encoding="utf-8").lower()
    assert "blender" in text
    assert clips(job)
    assert_sound(job)


@pytest.mark.slow
def test_kill_during_llm_analysis(user: Clipora, tmp_path: Path) -> None:
    sys.path.insert(0, str(LIVE_COMMERCE_TESTS))
    try:
        from llm_server import Reply, ScriptedLLM, smart_answer
    finally:
        sys.path.remove(str(LIVE_COMMERCE_TESTS))

    video = pitch_video(tmp_path / "media", size="160x120")
    hang = {"on": True}

    def script(rec, before):
        answer = Reply(smart_answer(rec, PRODUCTS))
        # The second product's plan hangs while the first run is alive.
        if rec.stage == "plan" and "Electric kettle" in rec.messages[1]["content"] and hang["on"]:
            answer.delay = 60
        return answer

    with ScriptedLLM(script) as server:
        sets = (
            "--set", "analysis.live_commerce.engine=llm",
            "--set", f"analysis.live_commerce.provider.base_url={server.base_url}",
            "--set", "analysis.live_commerce.provider.api_key=sk-test",
            "--set", "analysis.live_commerce.provider.timeout=120",
            "--set", "analysis.semantic_min_duration_seconds=10",
        )  # fmt: skip
        run = Running(user, ("run", video, *sets), tmp_path / "first.log")
        run.wait_for("the job folder", lambda: run.job() is not None, timeout=60)
        job = run.job()
        assert job is not None
        # Item 1 is planned and its clips render while item 2's request hangs.
        run.wait_for(
            "the hanging plan request",
            lambda: any(r.stage == "plan" and "Electric kettle" in r.messages[1]["content"]
                        for r in server.requests)
            and len(list((job / "renders" / ".clips").glob("*.json"))) == 2,
        )  # fmt: skip
        run.kill()
        finished = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in clips(job)}
        assert len(finished) == 2
        status = stage_status(job)
        assert status["analyze"] == "running" and status["semantic_cluster"] == "completed"
        assert_sound(job)
        earlier = {r.stage for r in server.requests}
        assert earlier == {"discover", "cluster", "plan"}
        count = len(server.requests)

        hang["on"] = False
        before = log_text(job)
        assert_ok(user.run("run", job, *sets))
        log = interrupted_then_completed(job, "analyze", before)
        for stage in ("clean", "inspect", "semantic_discover", "semantic_cluster"):
            assert f"{stage} reused" in log
        # No discovery or clustering request again: only the items' plans were asked for.
        assert {r.stage for r in server.requests[count:]} == {"plan"}
    # The first item's clips, finished before the kill, were not rendered again (the streamed
    # render logs reused clips as "rendered while analyzing", so compare the files).
    for path, identity in finished.items():
        assert (path.stat().st_ino, path.stat().st_mtime_ns) == identity, path
    assert set(stage_status(job).values()) == {"completed"}
    assert len(clips(job)) == 4
    assert_sound(job)


@pytest.mark.slow
def test_kill_during_render(user: Clipora, tmp_path: Path) -> None:
    video = pitch_video(tmp_path / "media")
    # Re-encode (no smart cut) so each clip takes long enough to be caught in the middle.
    sets = (
        "--set",
        "render.ffmpeg.smart_cut=false",
        "--set",
        "analysis.semantic_min_duration_seconds=10",
    )
    job = assert_ok(user.run("analyze", user.run("clean", video).job, *sets)).job
    records = job / "renders" / ".clips"

    run = Running(user, ("render", job, *sets), tmp_path / "first.log")
    run.wait_for("the first finished clip", lambda: len(list(records.glob("*.json"))) >= 1)
    run.kill()
    finished = {p.stem for p in records.glob("*.json")}
    assert 1 <= len(finished) < 4, "kill came too late to test anything"
    assert stage_status(job)["render"] == "running"
    for rec in records.glob("*.json"):
        assert rec.stem in {p.stem.split("-", 1)[1] for p in clips(job)}

    before = log_text(job)
    assert_ok(user.run("render", job, *sets))
    log = interrupted_then_completed(job, "render", before)
    assert "analyze reused" in log
    reused = set(re.findall(r"render progress clip \d/4 reused clip=([\w-]+)", log))
    assert reused == finished, log
    assert len(clips(job)) == 4
    assert manifest(job)["stages"]["render"]["detail"] == "success=4 failure=0"
    # The clip being made when the process died left its scratch files (ffmpeg's partial output
    # and work folder, a sidecar's atomic-write temp); the rerun removed them.
    assert_sound(job)
