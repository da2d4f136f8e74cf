"""Plugin entry point: the ``freeze`` cleaner. Imports nothing heavy."""

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

_KEYS = [
    "cleaning.freezedetect_noise_db",
    "cleaning.freezedetect_min_duration_seconds",
    "cleaning.min_remove_duration_seconds",
    "cleaning.merge_gap_seconds",
    "cleaning.min_keep_duration_seconds",
    "cleaning.rebuild_preset",
    "cleaning.rebuild_crf",
]


@hookimpl
def register_cleaners(register: CapabilityRegistrar) -> None:
    register(
        Capability(
            kind=Kind.CLEANER,
            name="freeze",
            description="Remove frozen-video spans (ffmpeg freezedetect, one low-resolution pass)",
            factory="clipora_freeze_cleaner.cleaner:FreezeCleaner",
            formats=["mp4"],
            config_keys=_KEYS,
        )
    )


@hookimpl
def register_config_sections(register: SectionRegistrar) -> None:
    # Lazy reference: the settings model is imported only when config is loaded.
    register(
        ConfigSection(
            path="cleaning", model="clipora_freeze_cleaner.settings:FreezeCleanerSettings"
        )
    )


@hookimpl
def register_defaults(register: DefaultRegistrar) -> None:
    register(ConfigDefault(path="cleaning.cleaners", value=["freeze"]))
