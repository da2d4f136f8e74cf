"""The ffmpeg renderer's options: the ``render.ffmpeg`` config section.

Kept free of heavy imports: the plugin module imports it to register the section."""

from __future__ import annotations

import re
from typing import Literal

from clipora_core.api import Section
from pydantic import Field, field_validator


class RenderProfileSettings(Section):
    preset: Literal[
        "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower"
    ] = Field("veryfast", description="libx264 preset for re-encoded video (speed vs. size)")
    crf: int = Field(
        23, ge=0, le=51, description="libx264 CRF quality (lower is better, 18-28 typical)"
    )
    aspect: str | None = Field(
        None, description="Output aspect such as 9:16 or 1:1 (default: the source's)"
    )
    fit: Literal["pad", "crop", "subject"] = Field(
        "pad",
        description=(
            "How the source fills an output of another aspect: pad (bars), crop (centre) or "
            "subject (a crop that follows the host and the product; see render.subject)"
        ),
    )
    width: int | None = Field(
        None, gt=0, description="Output width in pixels (height follows the aspect if unset)"
    )
    height: int | None = Field(
        None, gt=0, description="Output height in pixels (width follows the aspect if unset)"
    )
    frame_rate: float | None = Field(
        None, gt=0, le=120, description="Output frame rate (default: the source's, 15-60)"
    )
    audio_bitrate: str = Field("128k", description="AAC audio bitrate, e.g. 128k")
    threads: int = Field(0, ge=0, description="Threads per ffmpeg process (0: let ffmpeg decide)")
    smart_cut: bool = Field(
        True,
        description="Copy whole GOPs and re-encode only window edges when no filter is needed",
    )

    @field_validator("aspect", mode="before")
    @classmethod
    def _aspect(cls, v: object) -> object:
        if v is None or (isinstance(v, str) and v.strip().lower() in {"", "none", "source"}):
            return None
        text = str(v).strip().replace("/", ":")
        m = re.fullmatch(r"(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)", text)
        if not m or float(m.group(1)) <= 0 or float(m.group(2)) <= 0:
            raise ValueError("aspect must look like 9:16, 16:9 or 1:1")
        return text

    @field_validator("audio_bitrate")
    @classmethod
    def _bitrate(cls, v: str) -> str:
        if not re.fullmatch(r"\d+(\.\d+)?[kKmM]?", v.strip()):
            raise ValueError("audio_bitrate must look like 128k")
        return v.strip()
