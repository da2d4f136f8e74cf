"""Helpers for subtitle tests: transcripts, requests and the plugin host."""

from __future__ import annotations

import clipora_subtitles.plugin as subtitles_plugin
import pytest
from clipora_core.capabilities import SubtitleRequest, SubtitleStyle
from clipora_core.contracts import Transcript
from clipora_core.plugins import PluginHost


@pytest.fixture
def host() -> PluginHost:
    h = PluginHost()
    h.register_plugin(subtitles_plugin, "subtitles", "clipora-subtitles")
    return h


@pytest.fixture
def make_request(tmp_path):
    def make(
        transcript: Transcript,
        windows,
        *,
        speed: float = 1.0,
        width: int = 1080,
        height: int = 1920,
        name: str = "clip-001",
        **style,
    ) -> SubtitleRequest:
        return SubtitleRequest(
            transcript=transcript,
            windows=list(windows),
            playback_speed=speed,
            width=width,
            height=height,
            out_path=tmp_path / f"{name}.mp4",
            style=SubtitleStyle(**style),
        )

    return make
