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

# Options this cleaner read from the kernel's ``cleaning`` section before it had its own.
_MOVED = (
    "freezedetect_noise_db",
    "freezedetect_min_duration_seconds",
    "min_remove_duration_seconds",
    "merge_gap_seconds",
    "min_keep_duration_seconds",
)


@hookimpl
def register_cleaners(register: CapabilityRegistrar) -> None:
    register(
        Capability(
            kind=Kind.CLEANER,
            name="freeze",
            description="Drop frozen-video spans from the timeline (ffmpeg freezedetect; no re-encode)",
            factory="clipora_freeze_cleaner.cleaner:FreezeCleaner",
            formats=["mp4"],
            config_keys=["cleaning.freeze"],
            options="cleaning.freeze",
        )
    )


@hookimpl
def register_config_sections(register: SectionRegistrar) -> None:
    # Lazy reference: the settings model is imported only when config is loaded.
    register(
        ConfigSection(
            path="cleaning.freeze",
            model="clipora_freeze_cleaner.settings:FreezeCleanerSettings",
            moved={f"cleaning.{k}": f"cleaning.freeze.{k}" for k in _MOVED},
            retired={
                f"{where}.{k}": "cleaning no longer re-encodes the recording"
                for where in ("cleaning", "cleaning.freeze")
                for k in ("rebuild_preset", "rebuild_crf")
            },
        )
    )


@hookimpl
def register_defaults(register: DefaultRegistrar) -> None:
    register(ConfigDefault(path="cleaning.cleaners", value=["freeze"]))
