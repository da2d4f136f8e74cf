"""Shared fixtures for the live_commerce tests: a transcript builder (pure text and times) and
analyzer contexts on the real effective config."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from clipora_core.capabilities import AnalyzerContext
from clipora_core.config import load_config
from clipora_core.contracts import MediaProbe, Transcript
from clipora_core.plugins import get_host
from clipora_core.progress import StageProgress

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def settings_for() -> Callable[..., object]:
    host = get_host()

    def make(**overrides: object) -> object:
        over = {"analysis.engine": "offline", **overrides}
        return load_config(environ={}, overrides=over, sections=host.config_sections()).settings

    return make


@pytest.fixture
def make_ctx(settings_for):
    def make(transcript: Transcript, job=None, **overrides: object) -> AnalyzerContext:
        return AnalyzerContext(
            job=job,
            settings=settings_for(**overrides),
            progress=StageProgress(None, "test"),
            transcript=transcript,
            probe=MediaProbe(duration_seconds=transcript.duration_seconds or 0.0),
        )

    return make
