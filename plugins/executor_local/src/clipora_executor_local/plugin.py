"""Plugin entry point: the ``local`` executor (the default), its ``batch.local`` section."""

from __future__ import annotations

from clipora_core.api import (
    Capability,
    CapabilityRegistrar,
    ConfigDefault,
    ConfigSection,
    DefaultRegistrar,
    Kind,
    SectionRegistrar,
    hookimpl,
)


@hookimpl
def register_executors(register: CapabilityRegistrar) -> None:
    register(
        Capability(
            kind=Kind.EXECUTOR,
            name="local",
            description="This machine: one process per recording, as many as its CPUs and memory allow",
            factory="clipora_executor_local.executor:LocalExecutor",
            options="batch.local",
            features={"remote": False},
        )
    )


@hookimpl
def register_config_sections(register: SectionRegistrar) -> None:
    register(
        ConfigSection(path="batch.local", model="clipora_executor_local.settings:LocalSettings")
    )


@hookimpl
def register_defaults(register: DefaultRegistrar) -> None:
    register(ConfigDefault(path="batch.executor", value="local"))
