"""The freeze cleaner's options: the ``cleaning.freeze`` config section (the earlier tool's
names and defaults; a config that still sets them under ``cleaning`` is told where they moved)."""

from __future__ import annotations

from clipora_core.api import Section
from pydantic import Field


class FreezeCleanerSettings(Section):
    freezedetect_noise_db: float = Field(
        -60.0,
        le=0,
        description="Frames differing less than this (dB) count as the same picture",
        json_schema_extra={
            "description_zh": "前后画面的差别小于这个值（dB）就算同一个画面。数值越小（如 -70），越不容易判为卡住。"
        },
    )
    freezedetect_min_duration_seconds: float = Field(
        0.75,
        gt=0,
        description="Shortest still picture that counts as frozen",
        json_schema_extra={"description_zh": "画面至少静止这么多秒才算卡住。单位：秒。"},
    )
    min_remove_duration_seconds: float = Field(
        4.0,
        ge=0,
        description="Frozen spans shorter than this (after merging) are kept",
        json_schema_extra={
            "description_zh": "卡住的部分（合并之后）短于这么多秒就保留，不去掉。单位：秒。"
        },
    )
    merge_gap_seconds: float = Field(
        0.5,
        ge=0,
        description="Frozen spans closer than this are merged into one",
        json_schema_extra={
            "description_zh": "两段卡住的画面相隔不到这么多秒时，合并成一段。单位：秒。"
        },
    )
    min_keep_duration_seconds: float = Field(
        0.5,
        ge=0,
        description="Kept pieces shorter than this between removals are removed too",
        json_schema_extra={
            "description_zh": "两段被去掉的画面之间剩下的内容短于这么多秒时，也一起去掉。单位：秒。"
        },
    )
