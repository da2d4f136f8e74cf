"""Choosing and building the engine ``analysis.engine`` names (kept apart from the engine
contract in ``engine``, which both engines import)."""

from __future__ import annotations

from typing import Any

from clipora_live_commerce.engine import Engine


def resolve_engine_name(settings: Any) -> str:
    """``analysis.engine``; ``auto`` means ``llm`` when ``provider.api_key`` is set."""
    analysis = getattr(settings, "analysis", None)
    name = getattr(analysis, "engine", "auto") or "auto"
    if name != "auto":
        return name
    provider = getattr(settings, "provider", None)
    key = getattr(provider, "api_key", None)
    if key is not None and hasattr(key, "get_secret_value"):
        key = key.get_secret_value()
    return "llm" if key else "offline"


def create_engine(settings: Any) -> Engine:
    name = resolve_engine_name(settings)
    if name == "llm":
        try:
            from clipora_live_commerce.llm import LLMEngine
        except ImportError as exc:  # the llm subpackage is optional at import time
            from clipora_core.api import ConfigError

            raise ConfigError(
                f"analysis.engine=llm is not available: {exc}",
                hint="set analysis.engine to offline",
            ) from None
        return LLMEngine(settings)
    from clipora_live_commerce.offline import OfflineEngine

    return OfflineEngine(settings)
