"""Config of the ``llm`` engine: ``analysis.live_commerce.provider`` and
``analysis.live_commerce.prompt_overrides``."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from clipora_core.api import Section
from pydantic import Field, SecretStr, field_validator

OVERRIDE_MAX_CHARS = 4000


class ProviderSettings(Section):
    base_url: str = Field(
        "https://api.openai.com/v1",
        description="OpenAI-compatible API root; requests go to <base_url>/chat/completions",
        json_schema_extra={
            "description_zh": "兼容 OpenAI 接口的服务地址（API 根地址），请求发到 <base_url>/chat/completions。"
        },
    )
    api_key: SecretStr = Field(
        SecretStr(""),
        description="API key sent as a Bearer token (empty: no Authorization header, for local servers)",
        json_schema_extra={
            "description_zh": "AI 大模型（兼容 OpenAI 接口）的密钥。不会显示出来；留空即保留原值。"
        },
    )
    model: str = Field(
        "gpt-4.1-mini",
        min_length=1,
        description="Chat model name",
        json_schema_extra={"description_zh": "使用的聊天模型名称，如 gpt-4.1-mini。"},
    )
    timeout: float = Field(
        60.0,
        gt=0,
        description="Seconds one request may take, from sending it to the last byte of the answer",
        json_schema_extra={"description_zh": "一次请求最多等多少秒，从发出请求算到收完回答。"},
    )
    max_retries: int = Field(
        3,
        ge=0,
        le=10,
        description="Retries of a request after a timeout, a lost connection, 408, 429 or 5xx",
        json_schema_extra={
            "description_zh": "请求超时、连接中断或服务器返回 408、429、5xx 时，最多重试几次。"
        },
    )
    backoff_base_seconds: float = Field(
        1.0,
        ge=0,
        description="First retry waits about this long, doubling each retry (with jitter)",
        json_schema_extra={
            "description_zh": "第一次重试前大约等多少秒，之后每次重试等待时间翻倍（略有随机浮动）。"
        },
    )
    backoff_max_seconds: float = Field(
        30.0,
        ge=0,
        description="Longest wait between retries, also the cap on a server's Retry-After",
        json_schema_extra={
            "description_zh": "两次重试之间最多等多少秒；服务器要求等待（Retry-After）的时间也不会超过它。"
        },
    )
    stream: bool = Field(
        False,
        description="Receive answers as a server-sent event stream",
        json_schema_extra={"description_zh": "用流式方式（server-sent events）接收回答。"},
    )
    structured_output: Literal["json_schema", "json_object", "none"] = Field(
        "json_schema",
        description=(
            "How to ask for JSON: json_schema (strict schema; falls back to json_object once per "
            "run if the server rejects it), json_object, or none (prompt only)"
        ),
        json_schema_extra={
            "description_zh": "怎样要求模型回答 JSON：json_schema（严格按格式；服务器不支持时，本次运行改用 json_object）、json_object，或 none（只在提示词里要求）。"
        },
    )
    temperature: float | None = Field(
        0.2,
        ge=0,
        le=2,
        description="Sampling temperature (empty: not sent, for models that reject it)",
        json_schema_extra={
            "description_zh": "采样温度（0 到 2），越低回答越稳定。留空则不发送，用于不接受这个参数的模型。"
        },
    )

    @field_validator("temperature", mode="before")
    @classmethod
    def _blank_is_none(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str) -> str:
        v = v.strip().rstrip("/")
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL with a host, e.g. https://api.openai.com/v1")
        return v


def _override(description: str, description_zh: str) -> str:
    return Field(  # type: ignore[no-any-return]
        "",
        max_length=OVERRIDE_MAX_CHARS,
        description=description,
        # the web UI edits it in a text area
        json_schema_extra={"multiline": True, "description_zh": description_zh},
    )


class SemanticPromptOverrides(Section):
    system: str = _override(
        "Extra instructions appended to the product-discovery system prompt (semantic_discover)",
        "追加在“找商品”系统提示词后面的额外要求（semantic_discover）。",
    )
    cluster_system: str = _override(
        "Extra instructions appended to the grouping system prompt (semantic_cluster)",
        "追加在“归类商品”系统提示词后面的额外要求（semantic_cluster）。",
    )


class AnalyzePromptOverrides(Section):
    system: str = _override(
        "Extra instructions appended to the clip-planning system prompt (analyze)",
        "追加在“规划片段”系统提示词后面的额外要求（analyze）。",
    )


class PromptOverridesSettings(Section):
    semantic: SemanticPromptOverrides = Field(
        default_factory=SemanticPromptOverrides,
        description="Discovery and grouping prompts",
        json_schema_extra={"description_zh": "找商品和归类商品用的提示词。"},
    )
    analyze: AnalyzePromptOverrides = Field(
        default_factory=AnalyzePromptOverrides,
        description="Clip-planning prompt",
        json_schema_extra={"description_zh": "规划片段用的提示词。"},
    )
