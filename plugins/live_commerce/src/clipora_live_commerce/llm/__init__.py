"""The ``llm`` engine of the ``live_commerce`` video type: an OpenAI-compatible chat provider.

Importing this package stays cheap (``plugin.py`` imports ``llm.settings`` to register config
sections): httpx and the engine load only when ``LLMEngine`` is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clipora_live_commerce.llm.engine import LLMEngine

__all__ = ["LLMEngine"]


def __getattr__(name: str) -> Any:
    if name == "LLMEngine":
        from clipora_live_commerce.llm.engine import LLMEngine

        return LLMEngine
    raise AttributeError(name)
