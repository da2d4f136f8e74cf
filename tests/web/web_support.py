"""Helpers shared by the tests in tests/web/ (a plain module: `from conftest import` breaks when
several test folders are collected together)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml

BASE = "http://127.0.0.1:8000"
SECRET = "sk-test-7f3a9c1e5b2d-DO-NOT-LEAK"
CHROMIUM = Path("/usr/bin/chromium")


def write_config(folder: Path, **extra: Any) -> Path:
    data: dict[str, Any] = {
        "paths": {"workdir": str(folder / "workdir")},
        # A key is configured (and must never reach a browser), but tests stay offline.
        "analysis": {"live_commerce": {"engine": "offline", "provider": {"api_key": SECRET}}},
        "asr": {"mode": "import"},
        "concurrency": {"render": 1},
    }
    for dotted, value in extra.items():
        target = data
        parts = dotted.split(".")
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    path = folder / "clipora.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def wait_for(client: Any, job_id: str, timeout: float = 120.0) -> dict[str, Any]:
    """Poll until the job leaves queued/running; returns its snapshot."""
    deadline = time.monotonic() + timeout
    while True:
        snap = client.get(f"/api/jobs/{job_id}").json()
        if snap["status"] not in ("queued", "running", "stopping"):
            return snap
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {snap['status']} after {timeout}s: {snap}")
        time.sleep(0.3)


def upload(
    client: Any, video: Path, transcript: Path | None = None, name: str = "", **fields: str
) -> Any:
    files: dict[str, Any] = {"video": (name or video.name, video.read_bytes(), "video/mp4")}
    if transcript is not None:
        files["transcript"] = (transcript.name, transcript.read_bytes(), "application/x-subrip")
    return client.post("/api/jobs", files=files, data=fields)


# --- live server for the browser tests -----------------------------------------------------------
