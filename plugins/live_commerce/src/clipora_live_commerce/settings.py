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

    zh: list[str] = Field(
        default_factory=list,
        description="Mandarin",
        json_schema_extra={"description_zh": "要剪掉的中文词，多个用逗号分隔。"},
    )
    en: list[str] = Field(
        default_factory=list,
        description="English",
        json_schema_extra={"description_zh": "要剪掉的英文词（不分大小写），多个用逗号分隔。"},
    )

    _split = field_validator("zh", "en", mode="before")(_csv)

    def all(self) -> frozenset[str]:
        return frozenset(w.strip().lower() for w in (*self.zh, *self.en) if w.strip())


class HesitationFillers(FillerWords):
    zh: list[str] = Field(
        default_factory=lambda: ["嗯", "呃", "嗯嗯"],
        description="Mandarin",
        json_schema_extra={"description_zh": "要剪掉的中文犹豫声，如 嗯、呃。多个用逗号分隔。"},
    )
    en: list[str] = Field(
        default_factory=lambda: ["um", "umm", "uh", "uhh", "uhm", "erm"],
        description="English",
        json_schema_extra={
            "description_zh": "要剪掉的英文犹豫声，如 um、uh（不分大小写）。多个用逗号分隔。"
        },
    )


class StandaloneFillers(FillerWords):
    zh: list[str] = Field(
        default_factory=lambda: ["啊", "额"],
        description="Mandarin",
        json_schema_extra={
            "description_zh": "前后都有停顿或标点时才剪掉的中文语气词，如 啊、额。多个用逗号分隔。"
        },
    )
    en: list[str] = Field(
        default_factory=lambda: ["like"],
        description="English",
        json_schema_extra={
            "description_zh": "前后都有停顿或标点时才剪掉的英文词，如 like（不分大小写）。多个用逗号分隔。"
        },
    )


class PauseFillers(FillerWords):
    zh: list[str] = Field(
        default_factory=lambda: ["那个"],
        description="Mandarin",
        json_schema_extra={
            "description_zh": "后面跟着逗号或停顿时才剪掉的中文口头禅，如 那个。多个用逗号分隔。"
        },
    )


class TightenSettings(Section):
    """Fillers and long pauses cut out of body windows (the hook is never touched)."""

    enabled: bool = Field(
        True,
        description="Cut fillers and long pauses out of clip bodies",
        json_schema_extra={
            "description_zh": "从短视频正文里剪掉语气词和过长的停顿，让节奏更紧凑（开头的钩子不动）。"
        },
    )
    remove_fillers: bool = Field(
        True,
        description="Cut the filler words listed below",
        json_schema_extra={"description_zh": "剪掉下面列出的语气词。"},
    )
    shorten_pauses: bool = Field(
        True,
        description="Shorten pauses longer than max_pause_seconds to keep_pause_seconds",
        json_schema_extra={
            "description_zh": "把长于 max_pause_seconds 的停顿缩短到 keep_pause_seconds。"
        },
    )
    fillers: HesitationFillers = Field(
        default_factory=HesitationFillers,
        description="Hesitation sounds: cut wherever one is a word of its own",
        json_schema_extra={"description_zh": "犹豫时发出的声音（如 嗯、呃）：只要单独成词就剪掉。"},
    )
    standalone_fillers: StandaloneFillers = Field(
        default_factory=StandaloneFillers,
        description="Cut only between pauses or punctuation (，啊， / , like,), never in 好看啊 "
        "or 'smells like coffee'",
        json_schema_extra={
            "description_zh": "只在前后都是停顿或标点时才剪（如 ，啊，/ , like,），“好看啊”或 'smells like coffee' 里的不剪。"
        },
    )
    pause_fillers: PauseFillers = Field(
        default_factory=PauseFillers,
        description="Cut when a comma or a pause follows (我妈那个，老锅), never in 那个颜色 or "
        "我要那个。",
        json_schema_extra={
            "description_zh": "后面跟着逗号或停顿时才剪（如 我妈那个，老锅），“那个颜色”或“我要那个。”里的不剪。"
        },
    )
    max_pause_seconds: float = Field(
        0.6,
        gt=0,
        description="Pauses between words longer than this are shortened",
        json_schema_extra={"description_zh": "词与词之间的停顿长于这么多秒就缩短。单位：秒。"},
    )
    keep_pause_seconds: float = Field(
        0.2,
        ge=0,
        description="Silence left where a pause or filler was cut",
        json_schema_extra={
            "description_zh": "剪掉停顿或语气词的地方留下多少秒的安静，必须小于 max_pause_seconds。"
        },
    )
    min_window_seconds: float = Field(
        0.3,
        gt=0,
        description="A cut that would leave a piece shorter than this is not made",
        json_schema_extra={
            "description_zh": "如果剪完会留下短于这么多秒的碎片，这一刀就不剪。单位：秒。"
        },
    )

    @model_validator(mode="after")
    def _pauses(self) -> TightenSettings:
        if self.keep_pause_seconds >= self.max_pause_seconds:
            raise ValueError("keep_pause_seconds must be < max_pause_seconds")
        return self


class ScoreWeights(Section):
    """How much each part counts in a clip's score (any scale: they are normalised)."""

    hook: float = Field(
        0.2,
        ge=0,
        description="The first seconds grab a viewer",
        json_schema_extra={
            "description_zh": "评分权重：开头几秒能不能抓住观众。各项权重只看相互之间的比例。"
        },
    )
    product_named: float = Field(
        0.2,
        ge=0,
        description="The product's name is said",
        json_schema_extra={"description_zh": "评分权重：说出了商品名。"},
    )
    price_stated: float = Field(
        0.15,
        ge=0,
        description="A price is said",
        json_schema_extra={"description_zh": "评分权重：说出了价格。"},
    )
    call_to_action: float = Field(
        0.15,
        ge=0,
        description="The host tells viewers to buy",
        json_schema_extra={"description_zh": "评分权重：主播招呼观众下单购买。"},
    )
    completeness: float = Field(
        0.15,
        ge=0,
        description="Starts and ends between sentences, no greetings or giveaways",
        json_schema_extra={
            "description_zh": "评分权重：在句子之间开始和结束，不含打招呼或抽奖福利等内容。"
        },
    )
    length_fit: float = Field(
        0.15,
        ge=0,
        description="Its length is near the target",
        json_schema_extra={"description_zh": "评分权重：时长接近目标时长。"},
    )


class ScoreSettings(Section):
    """Each clip's score (0-100): clips are listed best first."""

    enabled: bool = Field(
        True,
        description="Score each clip (plan, render result, lists)",
        json_schema_extra={
            "description_zh": "给每个短视频打分（0 到 100），分数写进片段计划和生成结果，列表里按分数从高到低排列。"
        },
    )
    target_seconds: float | None = Field(
        None,
        gt=0,
        description="Clip length that scores best (default: body_target_seconds plus the clip's hook)",
        json_schema_extra={
            "description_zh": "得分最高的短视频时长，单位秒。留空则为正文目标时长（body_target_seconds）加上这个短视频开头钩子的时长。"
        },
    )
    weights: ScoreWeights = Field(default_factory=ScoreWeights)


class LiveCommerceSettings(Section):
    engine: Literal["auto", "llm", "offline"] = Field(
        "auto",
        description="auto: llm when provider.api_key is set, else offline (no network)",
        json_schema_extra={
            "description_zh": "怎样挑出每个商品的片段：自动（设置了 AI 密钥就用 AI，否则离线规则）、AI 大模型，或离线规则。"
        },
    )
    concurrency: int = Field(
        1,
        gt=0,
        description="Parallel discovery windows (LLM requests)",
        json_schema_extra={
            "description_zh": "找商品时同时处理几段录像，即同时向 AI 大模型发几个请求。"
        },
    )
    variants_per_segment: int = Field(
        2,
        gt=0,
        description="Clip variants per product",
        json_schema_extra={"description_zh": "每个商品做几个不同版本的短视频。"},
    )
    hook_max_duration_seconds: float = Field(
        15.0,
        gt=0,
        description="Longest opening hook",
        json_schema_extra={"description_zh": "开头吸引观众的“钩子”最长多少秒。"},
    )
    body_target_seconds: float = Field(
        45.0,
        gt=0,
        description="Target length of a clip body",
        json_schema_extra={"description_zh": "短视频正文（钩子之后的部分）的目标时长。单位：秒。"},
    )
    semantic_window_target_seconds: float = Field(
        600.0,
        gt=0,
        description="Discovery window length to aim for; a window is cut at a product change after this",
        json_schema_extra={
            "description_zh": "找商品时把录像分成大约多长的一段一段来看（秒）；到了这个时长后，在换商品的地方切开。"
        },
    )
    semantic_window_max_seconds: float = Field(
        840.0,
        gt=0,
        description="Longest discovery window (what one model request may hold)",
        json_schema_extra={
            "description_zh": "找商品时每段录像最长多少秒（一次 AI 请求能放下的量），不能小于 semantic_window_target_seconds。"
        },
    )
    semantic_window_max_segments: int = Field(
        700,
        gt=0,
        description="Most transcript segments in one discovery window",
        json_schema_extra={"description_zh": "找商品时每段最多包含多少句文字稿。"},
    )
    segment_gap_bridge_seconds: float = Field(
        1.0,
        ge=0,
        description="Pauses shorter than this between consecutive chosen segments stay in the clip",
        json_schema_extra={
            "description_zh": "选中的相邻两句之间的停顿短于这么多秒时，保留在短视频里，不剪开。单位：秒。"
        },
    )
    presence_min_piece_seconds: float = Field(
        1.5,
        ge=0,
        description="With pose_presence on: present parts of a split body window shorter than this are dropped",
        json_schema_extra={
            "description_zh": "开启主播在场检测（pose_presence）时：正文因主播离开被切成几块后，主播在场的小块短于这么多秒就丢掉。"
        },
    )

    tighten: TightenSettings = Field(
        default_factory=TightenSettings,
        description="Tight bodies: fillers and long pauses cut",
        json_schema_extra={"description_zh": "让正文更紧凑：剪掉语气词和过长的停顿。"},
    )

    score: ScoreSettings = Field(
        default_factory=ScoreSettings,
        description="Each clip's score, and what counts in it",
        json_schema_extra={"description_zh": "每个短视频的评分，以及哪些方面计入评分。"},
    )
    provider: ProviderSettings = Field(
        default_factory=ProviderSettings,
        description="OpenAI-compatible LLM for engine llm",
        json_schema_extra={
            "description_zh": "engine 为 llm 时使用的 AI 大模型（兼容 OpenAI 接口）。"
        },
    )
    prompt_overrides: PromptOverridesSettings = Field(
        default_factory=PromptOverridesSettings,
        description="Replace the LLM's system prompts",
        json_schema_extra={"description_zh": "给 AI 大模型的系统提示词追加你自己的要求。"},
    )

    @model_validator(mode="after")
    def _window_limits(self) -> LiveCommerceSettings:
        if self.semantic_window_max_seconds < self.semantic_window_target_seconds:
            raise ValueError(
                "semantic_window_max_seconds must be >= semantic_window_target_seconds"
            )
        return self
