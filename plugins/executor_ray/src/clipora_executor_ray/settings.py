"""Options of the Ray executor (``batch.ray``)."""

from __future__ import annotations

from clipora_core.api import Section
from pydantic import Field


class RaySettings(Section):
    address: str | None = Field(
        None,
        description="The cluster to join (HOST:PORT of its head, or 'auto' for the one this "
        "machine is part of); empty: start Ray on this machine for the batch",
    )
    num_cpus: int | None = Field(
        None,
        ge=1,
        description="CPUs of the Ray started on this machine (empty: all); ignored with an address",
    )
