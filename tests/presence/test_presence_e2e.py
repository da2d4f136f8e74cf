"""``clipora run`` with ``analysis.pose_presence.enabled`` on a generated product pitch: the host
(a real photo of a person) is on screen for most of it and walks out for two sentences in the
middle. The clips that come out stay off that span, and the presence report and the reasons for
every change are on disk. One real Whisper transcription and one run for the whole session."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import wave
from pathlib import Path
from typing import Any

import av
import imageio_ffmpeg
import pytest
import yaml
from presence_media import empty_frame, person_frame, write_video

pytestmark = pytest.mark.slow

PITCH = [
    ("Hello everyone, welcome back to the stream.", 0.8),
    ("Next product is this travel mug.", 0.6),
    ("The travel mug keeps your coffee hot for twelve hours.", 0.6),
    ("It is completely leak proof, so you can throw it in your bag.", 0.6),  # the host walks out
    ("The lid opens with one hand and fits every car cup holder.", 0.6),  # ... and comes back after
    ("The travel mug is made of stainless steel and is really easy to clean.", 0.6),
    ("The travel mug is usually forty dollars, today only twenty five dollars.", 0.6),
    ("The link is up, grab your travel mug now!", 1.0),
]
AWAY = (3, 4)  # sentences said while the host is off screen
INTERVAL = 1.0


def speech(folder: Path) -> tuple[Path, list[tuple[float, float]]]:
    """The pitch as one WAV, and when each sentence is spoken."""
    rate, frames, spans = 0, b"", []
    for k, (text, pause) in enumerate(PITCH):
        part = folder / f"line{k}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(part), text], check=True)
        with wave.open(str(part), "rb") as w:
            rate = w.getframerate()
            start = len(frames) / 2 / rate
            frames += w.readframes(w.getnframes())
            spans.append((start, len(frames) / 2 / rate))
            frames += b"\0\0" * int(pause * rate)
    out = folder / "pitch.wav"
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out, spans


@pytest.fixture(scope="session")
def presence_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed")
    from click.testing import CliRunner
    from clipora_core.cli import build_cli

    d = tmp_path_factory.mktemp("presence-e2e")
    audio, lines = speech(d)
    total = lines[-1][1] + PITCH[-1][1]
    # Whole seconds so the frame cuts sit exactly where the truth says.
    away = (float(math.floor(lines[AWAY[0]][0])), float(math.ceil(lines[AWAY[-1]][1])))
    person, empty = person_frame(), empty_frame()
    silent = write_video(
        d / "silent.mp4",
        [(away[0], person), (away[1] - away[0], empty), (math.ceil(total) - away[1], person)],
    )
    video = d / "pitch.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(silent),
            "-i",
            str(audio),
            "-c:v",
            "copy",
            "-c:a",
            "aac",
            "-shortest",
            str(video),
        ],
        check=True,
    )
    workdir = d / "work"
    config = d / "clipora.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "paths": {"workdir": str(workdir)},
                "asr": {"mode": "local", "language": "en"},
                "analysis": {
                    "live_commerce": {"engine": "offline"},
                    "semantic_min_duration_seconds": 5,
                    "pose_presence": {"enabled": True, "sample_interval_seconds": INTERVAL},
                },
                "render_subtitles": {"mode": "disabled"},
            }
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        build_cli(),
        ["run", str(video), "--config", str(config), "--log-level", "error"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    job = Path(result.stdout.strip().splitlines()[-1])
    return {"job": job, "away": away, "lines": lines, "video": video}


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_presence_report_matches_the_truth(presence_run: dict[str, Any]) -> None:
    job, (a, b) = presence_run["job"], presence_run["away"]
    reports = sorted((job / "analysis" / "presence").glob("*.json"))
    assert reports, "analysis/presence/<item>.json is written"
    report = read(reports[0])
    assert report["detector"] == "mediapipe" and report["sample_interval_seconds"] == INTERVAL
    assert {s["status"] for s in report["samples"]} >= {"present", "absent"}
    (missing,) = [w for r in reports for w in read(r)["absent_windows"]]
    assert (
        abs(missing["start_seconds"] - a) <= INTERVAL
        and abs(missing["end_seconds"] - b) <= INTERVAL
    )


def test_rendered_clips_stay_off_the_absent_span(presence_run: dict[str, Any]) -> None:
    job, (a, b) = presence_run["job"], presence_run["away"]
    result = read(job / "renders" / "execution_result.json")
    clips = [x for x in result["artifacts"] if x["success"]]
    assert clips and result["failure_count"] == 0
    for clip in clips:
        assert Path(clip["output_path"]).is_file()
        for w in clip["windows"]:
            # Within one sample interval of the truth, nothing of the empty set is played.
            assert w["end_seconds"] <= a + INTERVAL or w["start_seconds"] >= b - INTERVAL, (
                clip["clip_id"],
                w,
            )
        with av.open(clip["output_path"]) as c:
            played = float(c.duration or 0) / 1_000_000
        assert played == pytest.approx(
            sum(w["end_seconds"] - w["start_seconds"] for w in clip["windows"]), abs=0.5
        )
    # The pitch is still there around the gap: the price and the call to action are played.
    price = presence_run["lines"][6]
    assert any(
        w["start_seconds"] <= price[0] + 1 and w["end_seconds"] >= price[1] - 1
        for clip in clips
        for w in clip["windows"]
    )


def test_every_change_is_recorded_with_its_reason(presence_run: dict[str, Any]) -> None:
    job = presence_run["job"]
    plans = [read(p) for p in sorted((job / "analysis" / "items").glob("*.json"))]
    assert plans
    changes = []
    for plan in plans:
        meta = plan["segments"][0]["metadata"]
        assert meta["pose_presence_enabled"] is True
        assert meta["pose_present_throughout"] is True and meta["pose_presence_ratio"] == 1.0
        assert 0.5 < meta["pose_item_presence_ratio"] < 0.95
        changes += meta["presence_adjustments"]
    assert changes and all(c["reason"].startswith("host absent") for c in changes)
    assert {c["action"] for c in changes} & {"split", "moved", "dropped"}
    request = read(next((job / "analysis" / "requests").glob("*.json")))
    assert (
        request["presence"]["enabled"] is True and len(request["presence"]["absent_windows"]) == 1
    )
