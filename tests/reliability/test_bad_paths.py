"""Inputs that are not a usable video: every command refuses them with one line and an exit
code, leaves no job or half-written file behind, and works once the input is fixed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from reliability_cli import (
    STAGE_COMMANDS,
    Clipora,
    assert_ok,
    assert_one_line_error,
    assert_sound,
    clips,
    media_info,
    stage_status,
)

# kind -> what the error line must say
BAD = {
    "missing": "not found",
    "folder": "is a folder",
    "empty": "empty (0 bytes)",
    "text": "not a video file",
    "truncated": "truncated",
    "audio_only": "no video stream",
}
# Commands that take a recording (and create its job) as well as a job folder.
VIDEO_COMMANDS = ["run", "clean", "inspect"]
JOB_COMMANDS = [c for c in STAGE_COMMANDS if c != "clean"]


def place(media: dict[str, Path], kind: str, folder: Path) -> Path:
    """A private copy of the ``kind`` input (with its transcript sidecar) at ``folder/in.mp4``."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "in.mp4"
    shutil.copyfile(media["good"].with_suffix(".srt"), target.with_suffix(".srt"))
    src = media[kind]
    if kind == "folder":
        target.mkdir()
    elif kind != "missing":
        shutil.copyfile(src, target)
    return target


def fix(media: dict[str, Path], target: Path) -> None:
    if target.is_dir():
        target.rmdir()
    shutil.copyfile(media["good"], target)


@pytest.mark.parametrize("command", VIDEO_COMMANDS)
@pytest.mark.parametrize("kind", list(BAD))
def test_video_commands_refuse_bad_input_then_work_once_fixed(
    user: Clipora, media: dict[str, Path], tmp_path: Path, kind: str, command: str
) -> None:
    video = place(media, kind, tmp_path / "in")
    res = user.run(command, video)
    assert_one_line_error(res, BAD[kind])
    assert res.out == ""
    assert user.jobs() == [], "a refused input must not leave a job folder"
    assert_sound(user.workdir)

    fix(media, video)
    res = assert_ok(user.run(command, video))
    assert res.job.parent == user.workdir
    assert_sound(user.workdir)
    if command == "run":
        assert len(clips(res.job)) == 2
    else:
        assert stage_status(res.job)[command] == "completed"


def test_job_commands_refuse_a_path_that_is_not_a_job(
    user: Clipora, media: dict[str, Path], tmp_path: Path
) -> None:
    for kind in ("missing", "folder", "text"):
        video = place(media, kind, tmp_path / kind)
        for command in (c for c in JOB_COMMANDS if c not in VIDEO_COMMANDS):
            res = user.run(command, video)
            assert_one_line_error(res, "is not a Clipora job")
    assert user.jobs() == []


# (empty and audio-only files fail in the same prober call as these; they are covered above.)
@pytest.mark.parametrize("kind", ["missing", "text", "truncated"])
def test_job_whose_source_went_bad_fails_each_stage_command_then_recovers(
    user: Clipora, media: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    """A job made from a good recording whose file is then deleted, emptied or replaced by a
    broken one: every stage command stops at inspect with the reason and marks it failed;
    restoring the file lets the same command finish."""
    expected = "source video not found" if kind == "missing" else BAD[kind]
    for command in JOB_COMMANDS:
        video = place(media, "good", tmp_path / command)
        job = assert_ok(user.run("clean", video)).job
        video.unlink()
        if kind != "missing":
            shutil.copyfile(media[kind], video)
        res = user.run(command, job)
        assert_one_line_error(res, expected)
        # A missing file stops clean (it records the source); a broken one stops inspect.
        status = list(stage_status(job).items())
        stopped = "clean" if kind == "missing" else "inspect"
        first = [s for s, v in status if v != "completed"][0]
        assert first == stopped and dict(status)[stopped] == "failed", status
        after = [v for s, v in status][[s for s, _ in status].index(stopped) + 1 :]
        assert set(after) <= {"pending"}, status
        assert_sound(job)

    # Fixed: the last command (render) runs every remaining stage.
    fix(media, video)
    assert_ok(user.run("render", job))
    assert set(stage_status(job).values()) == {"completed"}
    assert len(clips(job)) == 2
    assert_sound(job)


def test_replaced_source_is_noticed(user: Clipora, media: dict[str, Path], tmp_path: Path) -> None:
    video = place(media, "good", tmp_path / "in")
    job = assert_ok(user.run("run", video)).job
    shutil.copyfile(media["rotated"], video)  # another recording under the same name
    res = assert_ok(user.run("run", job))
    assert "clean reused" not in res.err
    assert stage_status(job)["clean"] == "completed"
    assert media_info(clips(job)[0])["height"] == 320  # portrait, like the new source
