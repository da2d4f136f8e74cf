"""Whisper on a cleaned job: it hears the kept speech only, timed on the cleaned timeline.

The recording: a sentence over moving video, then a frozen picture while the host says
something else, then a second sentence over moving video again. With cleaning on, the frozen
span is dropped from the timeline, so its words must not reach the transcript, and the second
sentence's words come earlier by the removed length.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import imageio_ffmpeg
import pytest

pytestmark = pytest.mark.slow

BEFORE = "The stainless steel water bottle is twenty nine dollars today."
FROZEN = "Sorry everyone, the camera is stuck, please wait."
AFTER = "The phone stand folds flat and fits in any bag."
FPS = 25


def espeak(text: str, out: Path) -> float:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(out), text], check=True)
    with wave.open(str(out)) as w:
        return w.getnframes() / w.getframerate()


@pytest.fixture(scope="module")
def cleaned_speech_job(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d = tmp_path_factory.mktemp("cleaning-asr")
    lengths = [espeak(t, d / f"{i}.wav") + 1.0 for i, t in enumerate((BEFORE, FROZEN, AFTER))]
    lengths[1] = max(lengths[1], 6.0)
    start, end = lengths[0], lengths[0] + lengths[1]
    total = sum(lengths)
    first, last = round(start * FPS), round(end * FPS) - 1
    pads = ";".join(
        f"[{i + 1}:a]aresample=22050,apad=whole_dur={n:.3f}[a{i}]" for i, n in enumerate(lengths)
    )
    video = d / "live.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
            "-f", "lavfi", "-i", f"testsrc2=s=160x120:r={FPS}:d={total:.3f}",
            "-i", str(d / "0.wav"), "-i", str(d / "1.wav"), "-i", str(d / "2.wav"),
            "-filter_complex",
            f"[0:v]split[x][y];[x][y]freezeframes=first={first}:last={last}:replace={first}[v];"
            f"{pads};[a0][a1][a2]concat=n=3:v=0:a=1[a]",
            "-map", "[v]", "-map", "[a]",
            "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p",
            "-c:a", "aac", str(video),
        ],
        check=True,
    )  # fmt: skip
    home = d / "home"
    home.mkdir()
    (home / "clipora.yaml").write_text(
        f"paths:\n  workdir: {json.dumps(str(home / 'workdir'))}\n"
        "cleaning:\n  enabled: true\nasr:\n  language: en\n",
        encoding="utf-8",
    )
    script = Path(sys.executable).with_name("clipora")
    argv = [str(script)] if script.is_file() else [sys.executable, "-m", "clipora_core.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIPORA_")}
    env["HOME"] = str(home)
    created = subprocess.run(
        [*argv, "clean", str(video), "--config", str(home / "clipora.yaml")],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr[-2000:]
    job = Path(created.stdout.strip().splitlines()[-1])
    proc = subprocess.run(
        [*argv, "semantic-discover", str(job), "--config", str(home / "clipora.yaml")],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return {"job": job, "freeze": (start, end)}


def test_whisper_hears_the_kept_speech_on_the_cleaned_timeline(cleaned_speech_job: dict) -> None:
    job = cleaned_speech_job["job"]
    start, end = cleaned_speech_job["freeze"]
    (removed,) = json.loads((job / "clean" / "removed_intervals.json").read_text())
    assert removed["start_seconds"] == pytest.approx(start, abs=2 / FPS)
    assert removed["end_seconds"] == pytest.approx(end, abs=2 / FPS)
    transcript = json.loads((job / "semantic" / "transcript.json").read_text())
    words = [w for s in transcript["segments"] for w in s.get("words", [])]
    text = " ".join(w["text"].strip(" .,").lower() for w in words)
    assert "water bottle" in text and "phone stand" in text, text
    assert "camera" not in text and "stuck" not in text, text
    # "phone" is said about 1 s after the freeze on the recording: on the cleaned timeline that
    # is about 1 s after the freeze began.
    phone = next(w for w in words if w["text"].strip(" .,").lower() == "phone")
    assert start < phone["start_seconds"] < start + 2.0, (phone, start)
    # Nothing of the recording was written into the job but the records.
    assert not [p for p in job.rglob("*") if p.suffix in (".mp4", ".flac", ".wav")]
