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
        json_schema_extra={
            "description_zh": "asr.mode 为 import 时使用的字幕或文字稿文件（.srt、.vtt、.ass，或 Whisper/WhisperX 的 .json）。留空则找视频旁边同名的 .srt、.vtt 或 .json 文件。"
        },
    )
