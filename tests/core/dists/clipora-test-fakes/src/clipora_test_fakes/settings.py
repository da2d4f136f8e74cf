from __future__ import annotations

from pathlib import Path
from typing import Literal

from clipora_core.settings import Section
from pydantic import Field, SecretStr


class FakeSettings(Section):
    api_key: SecretStr | None = Field(
        None, min_length=12, description="A credential (at least 12 characters)"
    )
    notes_dir: Path | None = Field(None, description="A folder (relative paths: config folder)")
    tags: list[str] = Field(default_factory=list, description="Free tags")
    fail: Literal["", "asr", "discover", "render"] = Field(
        "", description="Make a capability raise an unexpected error"
    )
    remove_span: list[float] = Field(
        default_factory=list, description="[start, end] seconds the fake cleaner drops"
    )


class FakeASRSettings(Section):
    uppercase: bool = Field(False, description="Upper-case the transcript")
    sleep_seconds: float = Field(0.0, ge=0, description="Sleep before returning (kill tests)")


class FakeVideoTypeSettings(Section):
    segments_per_item: int = Field(2, gt=0, description="Transcript segments per item")
    clip_title: str = Field("", description="Title given to every clip (default: the item's)")
    body_seconds: float = Field(45.0, gt=0, description="Longest clip")
