"""Fixtures for the reliability suite: the bad and awkward inputs (made once per session) and an
isolated ``clipora`` user per test."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import reliability_media as rm
from reliability_cli import Clipora


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("reliability-media")
    good = rm.good(d / "good.mp4")
    out: dict[str, Path] = {"good": good}
    out["truncated"] = rm.truncated(good, d / "truncated.mp4")
    out["audio_only"] = rm.audio_only(d / "audio_only.mp4")
    out["text"] = rm.text_as_mp4(d / "text.mp4")
    out["empty"] = d / "empty.mp4"
    out["empty"].write_bytes(b"")
    rm.with_sidecar(out["empty"])
    out["folder"] = d / "folder.mp4"
    out["folder"].mkdir()
    out["missing"] = d / "missing.mp4"
    out["no_audio"] = rm.no_audio(d / "no_audio.mp4")
    out["vfr"] = rm.vfr(d / "vfr.mp4")
    out["rotated"] = rm.rotated(good, d / "rotated.mp4")
    out["odd_size"] = rm.odd_size(d / "odd_size.mp4")
    if rm.has_encoder("libx265"):
        out["hevc_10bit"] = rm.hevc_10bit(d / "hevc_10bit.mp4")
    out["flv"] = rm.remux(good, d / "stream_flv.flv")
    out["mpegts"] = rm.remux(good, d / "stream_ts.ts")
    out["unicode_path"] = rm.unicode_path(good, d / "my videos 直播回放")
    return out


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the local backend joins the Whisper weights: once per session, not per test."""
    return tmp_path_factory.mktemp("clipora-cache")


@pytest.fixture
def user(tmp_path: Path, model_cache: Path) -> Clipora:
    return Clipora(tmp_path / "user", cache_dir=model_cache)


@pytest.fixture
def make_user(tmp_path: Path, model_cache: Path) -> Callable[..., Clipora]:
    def make(name: str, extra_config: str = "", workdir: Path | None = None) -> Clipora:
        return Clipora(tmp_path / name, extra_config, cache_dir=model_cache, workdir=workdir)

    return make


def _can_mount() -> str | None:
    """Why a tmpfs cannot be mounted here, or None when it can."""
    if os.geteuid() != 0:
        return "needs root to mount a tmpfs"
    probe = Path("/tmp") / f"clipora-mount-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    try:
        res = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
            capture_output=True,
            text=True,
        )
        if res.returncode != 0:
            return f"mount -t tmpfs failed: {res.stderr.strip()}"
        subprocess.run(["umount", str(probe)], check=True)
        return None
    except FileNotFoundError:
        return "no mount command"
    finally:
        with contextlib.suppress(OSError):
            probe.rmdir()


@pytest.fixture(scope="session")
def mount_reason() -> str | None:
    return _can_mount()


class Tmpfs:
    """A small tmpfs that a test can fill, resize and make read-only."""

    def __init__(self, path: Path, size: str) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True
        )

    def remount(self, options: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{options}", str(self.path)], check=True)

    def umount(self) -> None:
        subprocess.run(["umount", "-l", str(self.path)], check=False)


@pytest.fixture
def tmpfs(tmp_path: Path, mount_reason: str | None) -> Iterator[Callable[[str], Tmpfs]]:
    if mount_reason:
        pytest.skip(mount_reason)
    mounted: list[Tmpfs] = []

    def make(size: str) -> Tmpfs:
        fs = Tmpfs(tmp_path / f"tmpfs-{len(mounted)}", size)
        mounted.append(fs)
        return fs

    yield make
    for fs in mounted:
        fs.umount()
