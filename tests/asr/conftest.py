"""Speech media and transcripts for the ASR tests, made once per session.

English speech comes from espeak-ng, muxed with the wheel's ffmpeg into a small video. The
transcription of that video by the real ``local`` backend (Whisper base from the PyPI wheels) is
shared by every test that checks its content, so the suite pays for it once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from asr_media import (
    ENGLISH_SCRIPT,
    ZH_FIXTURE,
    RecordingProgress,
    Run,
    asr_request,
    espeak,
    speech_video,
)
from clipora_core.capabilities import Kind


@pytest.fixture(scope="session", autouse=True)
def model_cache_dir(tmp_path_factory) -> Path:
    """Join the shipped Whisper weights into a per-session cache, not the user's."""
    mp = pytest.MonkeyPatch()
    path = tmp_path_factory.mktemp("clipora-cache")
    mp.setenv("CLIPORA_CACHE_DIR", str(path))
    yield path
    mp.undo()


@pytest.fixture(scope="session")
def make_settings(tmp_path_factory):
    from clipora_core.config import load_config
    from clipora_core.plugins import get_host

    config = tmp_path_factory.mktemp("config") / "clipora.yaml"
    config.write_text("{}\n", encoding="utf-8")
    sections = get_host().config_sections()

    def make(**overrides: Any) -> Any:
        return load_config(config, overrides=overrides, environ={}, sections=sections).settings

    return make


@pytest.fixture(scope="session")
def local_backend_factory():
    from clipora_core.plugins import get_host

    return lambda settings: get_host().create(Kind.ASR, "local", settings)


@pytest.fixture(scope="session")
def english_run(tmp_path_factory, make_settings, local_backend_factory) -> Run:
    tmp = tmp_path_factory.mktemp("asr-en")
    video = speech_video(espeak(ENGLISH_SCRIPT, tmp / "en.wav"), tmp / "en speech.mp4", lead_in=2.0)
    settings = make_settings()
    progress = RecordingProgress()
    request = asr_request(video, settings, tmp, progress=progress)
    transcript = local_backend_factory(settings).transcribe(request)
    return Run(video, request.duration_seconds, transcript, progress)


@pytest.fixture(scope="session")
def mandarin_run(tmp_path_factory, make_settings, local_backend_factory) -> Run:
    if not ZH_FIXTURE.is_file():
        pytest.skip(f"Mandarin fixture {ZH_FIXTURE} is absent (made by tools/tts_zh.py)")
    tmp = tmp_path_factory.mktemp("asr-zh")
    settings = make_settings()
    progress = RecordingProgress()
    request = asr_request(ZH_FIXTURE, settings, tmp, progress=progress)
    transcript = local_backend_factory(settings).transcribe(request)
    return Run(ZH_FIXTURE, request.duration_seconds, transcript, progress)
