"""Plugin entry point: the ``live_commerce`` video type and its ``analysis`` settings.

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
            # Only what changes the result: timeouts, retries and streaming do not. The core
            # already fingerprints `analysis.semantic_*` for discovery and `analysis` for analyze.
            config_keys=[
                "provider.api_key",
                "provider.base_url",
                "provider.model",
                "provider.structured_output",
                "provider.temperature",
                "prompt_overrides",
                "analyze:analysis",
                "semantic_discover:analysis.engine",
                "semantic_cluster:analysis.engine",
            ],
            features={"engines": ["offline", "llm"]},
        )
    )


@hookimpl
def register_config_sections(register: SectionRegistrar) -> None:
    # Lazy references: the models are imported only when config is loaded.
    register(
        ConfigSection(
            path="analysis", model="clipora_live_commerce.settings:LiveCommerceAnalysisSettings"
        )
    )
    register(
        ConfigSection(
            path="concurrency",
            model="clipora_live_commerce.settings:LiveCommerceConcurrencySettings",
        )
    )
    register(
        ConfigSection(path="provider", model="clipora_live_commerce.llm.settings:ProviderSettings")
    )
    register(
        ConfigSection(
            path="prompt_overrides",
            model="clipora_live_commerce.llm.settings:PromptOverridesSettings",
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
