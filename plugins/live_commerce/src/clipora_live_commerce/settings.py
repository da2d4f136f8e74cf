"""The live_commerce video type's options: the ``analysis.live_commerce`` config section, with
the LLM provider and prompt overrides below it."""

from __future__ import annotations

from typing import Literal

from clipora_core.api import Section
from pydantic import Field, model_validator

from clipora_live_commerce.llm.settings import PromptOverridesSettings, ProviderSettings


class LiveCommerceSettings(Section):
    engine: Literal["auto", "llm", "offline"] = Field(
        "auto",
        description="auto: llm when provider.api_key is set, else offline (no network)",
    )
    concurrency: int = Field(1, gt=0, description="Parallel discovery windows (LLM requests)")
    variants_per_segment: int = Field(2, gt=0, description="Clip variants per product")
    hook_max_duration_seconds: float = Field(15.0, gt=0, description="Longest opening hook")
    body_target_seconds: float = Field(45.0, gt=0, description="Target length of a clip body")
    semantic_window_target_seconds: float = Field(
        600.0,
        gt=0,
        description="Discovery window length to aim for; a window is cut at a product change after this",
    )
    semantic_window_max_seconds: float = Field(
        840.0, gt=0, description="Longest discovery window (what one model request may hold)"
    )
    semantic_window_max_segments: int = Field(
        700, gt=0, description="Most transcript segments in one discovery window"
    )
    segment_gap_bridge_seconds: float = Field(
        1.0,
        ge=0,
        description="Pauses shorter than this between consecutive chosen segments stay in the clip",
    )
    presence_min_piece_seconds: float = Field(
        1.5,
        ge=0,
        description="With pose_presence on: present parts of a split body window shorter than this are dropped",
    )

    provider: ProviderSettings = Field(
        default_factory=ProviderSettings, description="OpenAI-compatible LLM for engine llm"
    )
    prompt_overrides: PromptOverridesSettings = Field(
        default_factory=PromptOverridesSettings, description="Replace the LLM's system prompts"
    )

    @model_validator(mode="after")
    def _window_limits(self) -> LiveCommerceSettings:
        if self.semantic_window_max_seconds < self.semantic_window_target_seconds:
            raise ValueError(
                "semantic_window_max_seconds must be >= semantic_window_target_seconds"
            )
        return self
