"""Choosing and building the engine ``analysis.live_commerce.engine`` names (kept apart from the
engine contract in ``engine``, which both engines import)."""

from __future__ import annotations

from clipora_live_commerce.engine import Engine
from clipora_live_commerce.settings import LiveCommerceSettings


def resolve_engine_name(options: LiveCommerceSettings) -> str:
    """``engine``; ``auto`` means ``llm`` when ``provider.api_key`` is set."""
    name = options.engine or "auto"
    if name != "auto":
        return name
    return "llm" if options.provider.api_key.get_secret_value() else "offline"


def create_engine(options: LiveCommerceSettings) -> Engine:
    name = resolve_engine_name(options)
    if name == "llm":
        try:
            from clipora_live_commerce.llm import LLMEngine
        except ImportError as exc:  # the llm subpackage is optional at import time
            from clipora_core.api import ConfigError

            raise ConfigError(
                f"analysis.live_commerce.engine=llm is not available: {exc}",
                hint="set analysis.live_commerce.engine to offline",
            ) from None
        return LLMEngine(options)
    from clipora_live_commerce.offline import OfflineEngine

    return OfflineEngine()
