"""Plugin entry point: the ``ray`` executor and its ``batch.ray`` section. Imports no Ray: that
happens only when a batch uses it."""

from __future__ import annotations

from clipora_core.api import (
    Capability,
    CapabilityRegistrar,
    ConfigSection,
    Kind,
    SectionRegistrar,
    hookimpl,
)


@hookimpl
def register_executors(register: CapabilityRegistrar) -> None:
    register(
        Capability(
            kind=Kind.EXECUTOR,
            name="ray",
            description="A Ray cluster (or a Ray started on this machine): recordings, and a "
            "recording's clip renders, spread over its nodes",
            factory="clipora_executor_ray.executor:RayExecutor",
            options="batch.ray",
            features={"remote": True},
        )
    )


@hookimpl
def register_config_sections(register: SectionRegistrar) -> None:
    register(ConfigSection(path="batch.ray", model="clipora_executor_ray.settings:RaySettings"))
