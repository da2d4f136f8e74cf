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
from web_media import make_srt, make_video
from web_support import BASE, CHROMIUM, SECRET, upload, wait_for, write_config  # noqa: F401 - fixtures below use them


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


@pytest.fixture
def make_client(tmp_path: Path, media: dict[str, Path]) -> Iterator[Callable[..., Any]]:
    """``make_client(**create_app_kwargs)`` -> a started TestClient on a fresh workdir."""
    from clipora_web.app import create_app
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
    from clipora_web.app import create_app

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
