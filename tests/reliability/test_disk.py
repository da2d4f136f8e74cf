"""A read-only workdir and a full disk (small tmpfs mounts; skipped where mounting is not
possible): one-line errors, nothing half-written, and the same job finishes once fixed."""

from __future__ import annotations

from pathlib import Path

import pytest
from reliability_cli import (
    Clipora,
    Result,
    assert_ok,
    assert_sound,
    clips,
    stage_status,
)


def assert_os_error(res: Result, fragment: str) -> str:
    """One line, no traceback, saying what went wrong and that a rerun continues."""
    assert res.rc == 1, res.describe()
    assert "Traceback" not in res.err, res.describe()
    assert len(res.error_lines) == 1, res.describe()
    assert fragment.lower() in res.error_lines[0].lower(), res.describe()
    return res.error_lines[0]


def test_read_only_workdir(make_user, media: dict[str, Path], tmpfs) -> None:
    fs = tmpfs("16m")
    fs.remount("ro")
    user: Clipora = make_user("ro", workdir=fs.path / "workdir")
    for command in ("run", "clean"):
        res = user.run(command, media["good"])
        assert_os_error(res, "workdir")
        assert "writable" in res.error_lines[0] or "read-only" in res.error_lines[0].lower()
        assert res.out == ""
    fs.remount("rw")
    job = assert_ok(user.run("run", media["good"])).job
    assert len(clips(job)) == 2

    # A job on a file system that turned read-only: refused, then it continues once writable.
    fs.remount("ro")
    for command in ("run", "inspect", "render"):
        assert_os_error(user.run(command, job), "read-only file system")
    fs.remount("rw")
    res = assert_ok(user.run("run", job))
    assert "render reused" in res.err
    assert_sound(job)


# Sizes that run out of space at different points: in the first JSON writes, later in the
# analysis files, and while ffmpeg writes the clips.
@pytest.mark.parametrize("size", ["12k", "40k", "300k"])
def test_full_disk(make_user, media: dict[str, Path], tmpfs, size: str) -> None:
    fs = tmpfs(size)
    user: Clipora = make_user("full", workdir=fs.path)
    res = user.run("run", media["good"])
    assert_os_error(res, "no space left on device")
    assert_sound(fs.path)
    jobs = user.jobs()
    assert len(jobs) <= 1

    fs.remount("size=64m")
    if not jobs:  # it ran out before the job existed: start again
        job = assert_ok(user.run("run", media["good"])).job
    else:
        (job,) = jobs
        res = assert_ok(user.run("run", job))
        assert "clean reused" in res.err or "clean interrupted" in res.err
    assert set(stage_status(job).values()) == {"completed"}
    assert len(clips(job)) == 2
    assert_sound(job)
