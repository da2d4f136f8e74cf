"""Options of the Ray executor (``batch.ray``)."""

from __future__ import annotations

from clipora_core.api import Section
from pydantic import Field


class RaySettings(Section):
    address: str | None = Field(
        None,
        description="The cluster to join (HOST:PORT of its head, or 'auto' for the one this "
        "machine is part of); empty: start Ray on this machine for the batch",
        json_schema_extra={
            "description_zh": "要加入的 Ray 集群：头节点的 HOST:PORT，或 auto（本机所在的集群）。留空则为这批任务在本机启动 Ray。"
        },
    )
    num_cpus: int | None = Field(
        None,
        ge=1,
        description="CPUs of the Ray started on this machine (empty: all); ignored with an address",
        json_schema_extra={
            "description_zh": "在本机启动的 Ray 用几个 CPU（留空：全部）。填了 address 时不起作用。"
        },
    )
