"""The freeze cleaner's options: the ``cleaning.freeze`` config section (the earlier tool's
names and defaults; a config that still sets them under ``cleaning`` is told where they moved)."""

from __future__ import annotations

from clipora_core.api import Section
from pydantic import Field


class FreezeCleanerSettings(Section):
    freezedetect_noise_db: float = Field(
        -60.0, le=0, description="Frames differing less than this (dB) count as the same picture"
    )
    freezedetect_min_duration_seconds: float = Field(
        0.75, gt=0, description="Shortest still picture that counts as frozen"
    )
    min_remove_duration_seconds: float = Field(
        4.0, ge=0, description="Frozen spans shorter than this (after merging) are kept"
    )
    merge_gap_seconds: float = Field(
        0.5, ge=0, description="Frozen spans closer than this are merged into one"
    )
    min_keep_duration_seconds: float = Field(
        0.5, ge=0, description="Kept pieces shorter than this between removals are removed too"
    )
