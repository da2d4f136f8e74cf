"""The ``asr.imported`` config section (pydantic only: imported by ``plugin.py``)."""

from __future__ import annotations

from pathlib import Path

from clipora_core.api import Section
from pydantic import Field


class ImportedASRSettings(Section):
    path: Path | None = Field(
        None,
        description=(
            "Subtitle or transcript file (.srt, .vtt, .ass, Whisper/WhisperX .json) for asr.mode=import; "
            "default: <video name>.srt, .vtt or .json next to the video"
        ),
    )
