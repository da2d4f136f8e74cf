"""Real-world recordings that are valid but awkward: each goes through ``clipora run`` and
through the stage commands one by one, and gives playable clips of the planned length."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reliability_cli import (
    STAGE_COMMANDS,
    STAGE_OF_COMMAND,
    Clipora,
    assert_ok,
    assert_sound,
    clips,
    manifest,
    media_info,
    stage_status,
)

# kind -> (width, height, audio streams) of every clip
EXPECTED = {
    "no_audio": (320, 240, 0),
    "vfr": (320, 240, 1),
    "rotated": (240, 320, 1),  # shown upright: the display rotation is applied
    "odd_size": (320, 240, 1),  # 321x241 source: H.264 4:2:0 needs even sides
    "hevc_10bit": (320, 240, 1),
    "flv": (320, 240, 1),
    "mpegts": (320, 240, 1),
    "unicode_path": (320, 240, 1),
}


def check_clips(job: Path, kind: str) -> None:
    result = json.loads((job / "renders" / "execution_result.json").read_text(encoding="utf-8"))
    assert result["success_count"] == 2 and result["failure_count"] == 0, result
    width, height, audio = EXPECTED[kind]
    for art in result["artifacts"]:
        clip = Path(art["output_path"])
        info = media_info(clip)
        planned = sum(w["end_seconds"] - w["start_seconds"] for w in art["windows"])
        assert abs(info["duration"] - planned) < 0.3, (clip.name, info, planned)
        assert (info["width"], info["height"], info["audio"]) == (width, height, audio), info
        assert info["codec"] == "h264"
        srt = Path(art["subtitle_paths"]["srt"]).read_text(encoding="utf-8")
        assert "water bottle" in srt
    assert len(clips(job)) == 2
    if kind in ("flv", "mpegts"):
        # Remuxed once into the job (stream copy) so clips can be cut with seeks.
        effective = Path(manifest(job)["effective_source_path"])
        assert effective == job / "inspect" / "source.mp4"
    assert_sound(job)


@pytest.fixture(params=list(EXPECTED))
def awkward(request: pytest.FixtureRequest, media: dict[str, Path]) -> tuple[str, Path]:
    kind = request.param
    if kind not in media:
        pytest.skip("the imageio-ffmpeg binary has no libx265 encoder: no 10-bit HEVC input")
    return kind, media[kind]


def test_run_makes_clips(user: Clipora, awkward: tuple[str, Path]) -> None:
    kind, video = awkward
    res = assert_ok(user.run("run", video))
    job = res.job
    assert Path(manifest(job)["source"]["path"]) == video
    check_clips(job, kind)
    # Nothing to do the second time: every stage and clip is reused.
    again = assert_ok(user.run("run", job))
    assert "render reused" in again.err
    check_clips(job, kind)


def test_stage_commands_one_by_one(user: Clipora, awkward: tuple[str, Path]) -> None:
    kind, video = awkward
    job = assert_ok(user.run("clean", video)).job
    for command in STAGE_COMMANDS[1:]:
        assert_ok(user.run(command, job))
        status = stage_status(job)
        stages = list(status)
        done = stages.index(STAGE_OF_COMMAND[command])
        assert all(status[s] == "completed" for s in stages[: done + 1]), status
        assert all(status[s] == "pending" for s in stages[done + 1 :]), status
        assert_sound(job)
    check_clips(job, kind)


def test_no_audio_stops_speech_recognition_with_a_clear_message(
    user: Clipora, media: dict[str, Path]
) -> None:
    """With the real local Whisper backend, a silent recording stops semantic_discover with a
    one-line reason (before any model loads); after switching to an imported transcript the same
    job continues without redoing clean and inspect."""
    from reliability_cli import assert_one_line_error

    video = media["no_audio"]
    res = user.run("run", video, "--set", "asr.mode=local")
    assert_one_line_error(res, "has no audio track", "asr.mode=import")
    (job,) = user.jobs()
    status = stage_status(job)
    assert status["inspect"] == "completed" and status["semantic_discover"] == "failed", status
    assert "no audio track" in manifest(job)["stages"]["semantic_discover"]["error"]

    res = user.run("semantic-discover", job, "--set", "asr.mode=local")
    assert_one_line_error(res, "has no audio track")

    debug = user.run("semantic-discover", job, "--set", "asr.mode=local", "--debug")
    assert debug.rc != 0 and "Traceback" in debug.err  # tracebacks only on request

    # The job remembers the first run's --set values, so the fix is said on the command line.
    fixed = assert_ok(user.run("run", job, "--set", "asr.mode=import"))
    assert "clean reused" in fixed.err and "inspect reused" in fixed.err
    check_clips(job, "no_audio")
