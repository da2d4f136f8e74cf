"""Options of the local executor (``batch.local``)."""

from __future__ import annotations

from clipora_core.api import Section
from pydantic import Field


class LocalSettings(Section):
    cpus: float = Field(
        0,
        ge=0,
        description="CPUs the batch may use on this machine (0: all of them)",
        json_schema_extra={"description_zh": "批量处理在本机最多使用几个 CPU（0：全部）。"},
    )
    memory_mb: int = Field(
        0,
        ge=0,
        description="Memory (MB) the batch may use on this machine (0: what is available at start)",
        json_schema_extra={
            "description_zh": "批量处理在本机最多使用多少内存，单位 MB（0：开始时可用的全部内存）。"
        },
    )
