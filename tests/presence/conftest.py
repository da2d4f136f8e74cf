"""Session fixtures for the presence tests: videos made once, one detector for the session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from presence_media import empty_frame, person_frame, remux, write_video


@pytest.fixture(scope="session")
def presence_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("presence-media")
    person, empty = person_frame(), empty_frame()
    out = {"main": write_video(d / "main.mp4", [(4, person), (4, empty), (4, person)])}
    # Stored sideways (turned clockwise) with a display matrix that turns it upright again, as
    # phones record portrait video.
    sideways = write_video(d / "sideways.mp4", [(3, np.ascontiguousarray(np.rot90(person, -1)))])
    out["rotated"] = remux(sideways, d / "rotated.mp4", "-display_rotation", "90")
    out["tiny"] = write_video(d / "tiny.mp4", [(2, empty_frame(16, 16))])
    # A small, far-away person: 48 px tall in a 320x240 frame.
    out["far"] = write_video(d / "far.mp4", [(2, person_frame(person_height=48))])
    broken = d / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    out["broken"] = broken
    return out


@pytest.fixture(scope="session")
def detector() -> Iterator[Any]:
    """One detector (one landmarker) for the session, built by the registered factory."""
    from clipora_core.capabilities import Kind
    from clipora_core.config import build_settings_model
    from clipora_core.plugins import PluginHost

    host = PluginHost()
    host.load_entrypoints()
    settings = build_settings_model(host.config_sections())()
    det = host.create(Kind.PRESENCE_DETECTOR, "mediapipe", settings)
    try:
        yield det
    finally:
        det.close()
