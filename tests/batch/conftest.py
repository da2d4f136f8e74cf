"""Recordings shared by the batch tests (made once per session)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from batch_support import PRODUCTS, make_recording


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("CLIPORA_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shop's folder: three recordings of two products each (one in a sub-folder), a file
    that is not a video, and a broken "video"."""
    d = tmp_path_factory.mktemp("shop")
    make_recording(d / "day1.mp4", PRODUCTS[0:2])
    make_recording(d / "day2.mp4", PRODUCTS[2:4])
    (d / "june").mkdir()
    make_recording(d / "june" / "day3.mp4", PRODUCTS[4:6])
    (d / "notes.docx").write_bytes(b"not a recording")
    (d / "broken.mp4").write_bytes(b"this is not a video at all" * 100)
    return d
