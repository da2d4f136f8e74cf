"""Plugin entry point: the ``live_commerce`` video type and its ``analysis.live_commerce`` section.

Nothing heavy is imported here (``clipora --help`` must stay fast): the analyzer, jieba and the
engines load only when the factory is used.
"""

from __future__ import annotations

from clipora_core.api import (
    Capability,
    CapabilityRegistrar,
    ConfigDefault,
    ConfigSection,
    DefaultRegistrar,
    HintRegistrar,
    InstallHint,
    Kind,
    SectionRegistrar,
    hookimpl,
)

_OPTIONS = "analysis.live_commerce"  # this plugin's config section

# Options this plugin read from kernel sections (and two top-level ones) before it had its own.
_MOVED = {
    **{
        f"analysis.{k}": f"{_OPTIONS}.{k}"
        for k in (
            "engine",
            "variants_per_segment",
            "hook_max_duration_seconds",
            "body_target_seconds",
            "semantic_window_target_seconds",
            "semantic_window_max_seconds",
            "semantic_window_max_segments",
            "segment_gap_bridge_seconds",
            "presence_min_piece_seconds",
        )
    },
    "concurrency.semantic": f"{_OPTIONS}.concurrency",
    "provider": f"{_OPTIONS}.provider",
    "prompt_overrides": f"{_OPTIONS}.prompt_overrides",
}


@hookimpl
def register_video_types(register: CapabilityRegistrar) -> None:
    register(
        Capability(
            kind=Kind.VIDEO_TYPE,
            name="live_commerce",
            description=(
                "Live-commerce selling: finds each product pitched in a livestream, groups "
                "revisits, and plans a hook plus body clip per product (offline rules or an LLM)"
            ),
            factory="clipora_live_commerce.analyzer:LiveCommerceAnalyzer",
            languages=["zh", "en"],
            # Only what changes the result: timeouts, retries, streaming and concurrency do not.
            config_keys=[
                f"{_OPTIONS}.engine",
                f"{_OPTIONS}.provider.api_key",
                f"{_OPTIONS}.provider.base_url",
                f"{_OPTIONS}.provider.model",
                f"{_OPTIONS}.provider.structured_output",
                f"{_OPTIONS}.provider.temperature",
                f"{_OPTIONS}.prompt_overrides",
                f"semantic_discover:{_OPTIONS}.semantic_window_*",
                *(
                    f"analyze:{_OPTIONS}.{k}"
                    for k in (
                        "variants_per_segment",
                        "hook_max_duration_seconds",
                        "body_target_seconds",
                        "segment_gap_bridge_seconds",
                        "presence_min_piece_seconds",
                    )
                ),
            ],
            options=_OPTIONS,
            features={"engines": ["offline", "llm"]},
        )
    )


@hookimpl
def register_config_sections(register: SectionRegistrar) -> None:
    # Lazy reference: the model is imported only when config is loaded.
    register(
        ConfigSection(
            path=_OPTIONS,
            model="clipora_live_commerce.settings:LiveCommerceSettings",
            moved=_MOVED,
        )
    )


@hookimpl
def register_install_hints(register: HintRegistrar) -> None:
    # analysis.pose_presence uses a presence detector; the first-party one is opt-in (heavy).
    register(
        InstallHint(
            kind=Kind.PRESENCE_DETECTOR,
            name="mediapipe",
            distribution="clipora-presence-mediapipe",
        )
    )


@hookimpl
def register_defaults(register: DefaultRegistrar) -> None:
    register(ConfigDefault(path="analysis.video_type", value="live_commerce"))
    # The first-party detector, installed or not: when pose_presence is turned on without it,
    # the error says what to install (register_install_hints).
    register(ConfigDefault(path="analysis.pose_presence.detector", value="mediapipe"))
