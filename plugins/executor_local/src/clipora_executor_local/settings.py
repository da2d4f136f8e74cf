"""Options of the local executor (``batch.local``)."""

from __future__ import annotations

from clipora_core.api import Section
from pydantic import Field


class LocalSettings(Section):
    cpus: float = Field(
        0,
        ge=0,
        description="CPUs the batch may use on this machine (0: all of them)",
    )
    memory_mb: int = Field(
        0,
        ge=0,
        description="Memory (MB) the batch may use on this machine (0: what is available at start)",
    )
