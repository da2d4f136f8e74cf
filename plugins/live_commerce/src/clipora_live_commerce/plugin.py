"""Plugin entry point: the ``live_commerce`` video type and its ``analysis`` settings.

Nothing heavy is imported here (``clipora --help`` must stay fast): the analyzer, jieba and the
engines load only when the factory is used.
"""

from __future__ import annotations

from typing import Any

from clipora_core import Capability, ConfigSection, Kind, hookimpl


@hookimpl
def register_video_types(register: Any) -> None:
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
            config_keys=["analysis", "provider", "prompt_overrides"],
            features={"engines": ["offline", "llm"]},
        )
    )


@hookimpl
def register_config_sections(register: Any) -> None:
    from clipora_live_commerce.settings import LiveCommerceAnalysisSettings

    register(ConfigSection(path="analysis", model=LiveCommerceAnalysisSettings))
    # The llm engine's sections (llm/settings.py imports nothing heavy).
    from clipora_live_commerce.llm.settings import PromptOverridesSettings, ProviderSettings

    register(ConfigSection(path="provider", model=ProviderSettings))
    register(ConfigSection(path="prompt_overrides", model=PromptOverridesSettings))
