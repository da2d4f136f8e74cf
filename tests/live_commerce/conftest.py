"""Shared fixtures for the live_commerce tests: a transcript builder (pure text and times) and
analyzer contexts on the real effective config."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
        over = {"analysis.live_commerce.engine": "offline", **overrides}
        return load_config(environ={}, overrides=over, sections=host.config_sections()).settings

    return make


@dataclass
class ConfiguredContext(AnalyzerContext):
    """An analyzer context that also keeps the whole config it was made from, for building the
    analyzer with the same options."""

    settings: Any = None


@pytest.fixture
def make_ctx(settings_for):
    def make(transcript: Transcript, job=None, **overrides: object) -> ConfiguredContext:
        settings: Any = settings_for(**overrides)
        return ConfiguredContext(
            job=job,
            analysis=settings.analysis,
            progress=StageProgress(None, "test"),
            transcript=transcript,
            probe=MediaProbe(duration_seconds=transcript.duration_seconds or 0.0),
            settings=settings,
        )

    return make
