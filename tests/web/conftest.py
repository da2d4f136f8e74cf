"""Fixtures for the web UI tests: generated media, a config with secrets, the app (in-process
TestClient) and a live uvicorn server for the browser tests."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from web_media import make_srt, make_video

BASE = "http://127.0.0.1:8000"
SECRET = "sk-test-7f3a9c1e5b2d-DO-NOT-LEAK"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("web-media")
    video = make_video(folder / "product.mp4")
    srt = make_srt(folder / "product.srt")
    not_video = folder / "notes.mp4"
    not_video.write_text("this is a text file, not a video\n" * 50, encoding="utf-8")
    lonely = folder / "lonely.mp4"  # a video without a transcript next to it
    shutil.copyfile(video, lonely)
    return {"folder": folder, "video": video, "srt": srt, "not_video": not_video, "lonely": lonely}


def write_config(folder: Path, **extra: Any) -> Path:
    data: dict[str, Any] = {
        "paths": {"workdir": str(folder / "workdir")},
        # A key is configured (and must never reach a browser), but tests stay offline.
        "provider": {"api_key": SECRET},
        "analysis": {"engine": "offline"},
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


@pytest.fixture
def make_client(tmp_path: Path, media: dict[str, Path]) -> Iterator[Callable[..., Any]]:
    """``make_client(**create_app_kwargs)`` -> a started TestClient on a fresh workdir."""
    from clipora_core.web.app import create_app
    from fastapi.testclient import TestClient

    clients: list[Any] = []

    def make(config: Path | None = None, base_url: str = BASE, **kw: Any) -> Any:
        kw.setdefault("media_dirs", [media["folder"]])
        kw.setdefault("stop_grace_seconds", 5.0)
        app = create_app(config or write_config(tmp_path), **kw)
        client = TestClient(app, base_url=base_url)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


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


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    # Debian's Chromium (apt-get install chromium); `playwright install` cannot download here.
    return {
        "executable_path": str(CHROMIUM),
        "args": ["--autoplay-policy=no-user-gesture-required"],
    }


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, media: dict[str, Path]
) -> Iterator[dict[str, Any]]:
    import socket

    import uvicorn
    from clipora_core.web.app import create_app

    folder = tmp_path_factory.mktemp("web-live")
    config = write_config(folder)
    app = create_app(config, media_dirs=[media["folder"]], stop_grace_seconds=5.0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "config": config, "workdir": folder / "workdir"}
    server.should_exit = True
    thread.join(20)
