"""The live_commerce video type's options: the ``analysis.live_commerce`` config section, with
the LLM provider and prompt overrides below it."""

from __future__ import annotations

from typing import Literal

from clipora_core.api import Section
from pydantic import Field, field_validator, model_validator

from clipora_live_commerce.llm.settings import PromptOverridesSettings, ProviderSettings


def _csv(v: object) -> object:
    # ``--set analysis.live_commerce.tighten.fillers.zh=嗯,呃`` arrives as one string.
    if isinstance(v, str):
        return [p.strip() for p in v.split(",") if p.strip()]
    return v


class FillerWords(Section):
    """Filler words per language (matched case-insensitively, punctuation ignored)."""

    zh: list[str] = Field(default_factory=list, description="Mandarin")
    en: list[str] = Field(default_factory=list, description="English")

    _split = field_validator("zh", "en", mode="before")(_csv)

    def all(self) -> frozenset[str]:
        return frozenset(w.strip().lower() for w in (*self.zh, *self.en) if w.strip())


class HesitationFillers(FillerWords):
    zh: list[str] = Field(default_factory=lambda: ["嗯", "呃", "嗯嗯"], description="Mandarin")
    en: list[str] = Field(
        default_factory=lambda: ["um", "umm", "uh", "uhh", "uhm", "erm"], description="English"
    )


class StandaloneFillers(FillerWords):
    zh: list[str] = Field(default_factory=lambda: ["啊", "额"], description="Mandarin")
    en: list[str] = Field(default_factory=lambda: ["like"], description="English")


class PauseFillers(FillerWords):
    zh: list[str] = Field(default_factory=lambda: ["那个"], description="Mandarin")


class TightenSettings(Section):
    """Fillers and long pauses cut out of body windows (the hook is never touched)."""

    enabled: bool = Field(True, description="Cut fillers and long pauses out of clip bodies")
    remove_fillers: bool = Field(True, description="Cut the filler words listed below")
    shorten_pauses: bool = Field(
        True, description="Shorten pauses longer than max_pause_seconds to keep_pause_seconds"
    )
    fillers: HesitationFillers = Field(
        default_factory=HesitationFillers,
        description="Hesitation sounds: cut wherever one is a word of its own",
    )
    standalone_fillers: StandaloneFillers = Field(
        default_factory=StandaloneFillers,
        description="Cut only between pauses or punctuation (，啊， / , like,), never in 好看啊 "
        "or 'smells like coffee'",
    )
    pause_fillers: PauseFillers = Field(
        default_factory=PauseFillers,
        description="Cut when a comma or a pause follows (我妈那个，老锅), never in 那个颜色 or "
        "我要那个。",
    )
    max_pause_seconds: float = Field(
        0.6, gt=0, description="Pauses between words longer than this are shortened"
    )
    keep_pause_seconds: float = Field(
        0.2, ge=0, description="Silence left where a pause or filler was cut"
    )
    min_window_seconds: float = Field(
        0.3, gt=0, description="A cut that would leave a piece shorter than this is not made"
    )

    @model_validator(mode="after")
    def _pauses(self) -> TightenSettings:
        if self.keep_pause_seconds >= self.max_pause_seconds:
            raise ValueError("keep_pause_seconds must be < max_pause_seconds")
        return self


class ScoreWeights(Section):
    """How much each part counts in a clip's score (any scale: they are normalised)."""

    hook: float = Field(0.2, ge=0, description="The first seconds grab a viewer")
    product_named: float = Field(0.2, ge=0, description="The product's name is said")
    price_stated: float = Field(0.15, ge=0, description="A price is said")
    call_to_action: float = Field(0.15, ge=0, description="The host tells viewers to buy")
    completeness: float = Field(
        0.15, ge=0, description="Starts and ends between sentences, no greetings or giveaways"
    )
    length_fit: float = Field(0.15, ge=0, description="Its length is near the target")


class ScoreSettings(Section):
    """Each clip's score (0-100): clips are listed best first."""

    enabled: bool = Field(True, description="Score each clip (plan, render result, lists)")
    target_seconds: float | None = Field(
        None,
        gt=0,
        description="Clip length that scores best (default: body_target_seconds plus the clip's hook)",
    )
    weights: ScoreWeights = Field(default_factory=ScoreWeights)


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

    tighten: TightenSettings = Field(
        default_factory=TightenSettings, description="Tight bodies: fillers and long pauses cut"
    )

    score: ScoreSettings = Field(
        default_factory=ScoreSettings, description="Each clip's score, and what counts in it"
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
