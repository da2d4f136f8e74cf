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
    )
    api_key: SecretStr = Field(
        SecretStr(""),
        description="API key sent as a Bearer token (empty: no Authorization header, for local servers)",
    )
    model: str = Field("gpt-4.1-mini", min_length=1, description="Chat model name")
    timeout: float = Field(
        60.0,
        gt=0,
        description="Seconds one request may take, from sending it to the last byte of the answer",
    )
    max_retries: int = Field(
        3,
        ge=0,
        le=10,
        description="Retries of a request after a timeout, a lost connection, 408, 429 or 5xx",
    )
    backoff_base_seconds: float = Field(
        1.0,
        ge=0,
        description="First retry waits about this long, doubling each retry (with jitter)",
    )
    backoff_max_seconds: float = Field(
        30.0,
        ge=0,
        description="Longest wait between retries, also the cap on a server's Retry-After",
    )
    stream: bool = Field(False, description="Receive answers as a server-sent event stream")
    structured_output: Literal["json_schema", "json_object", "none"] = Field(
        "json_schema",
        description=(
            "How to ask for JSON: json_schema (strict schema; falls back to json_object once per "
            "run if the server rejects it), json_object, or none (prompt only)"
        ),
    )
    temperature: float | None = Field(
        0.2,
        ge=0,
        le=2,
        description="Sampling temperature (empty: not sent, for models that reject it)",
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


def _override(description: str) -> str:
    return Field(  # type: ignore[no-any-return]
        "",
        max_length=OVERRIDE_MAX_CHARS,
        description=description,
        json_schema_extra={"multiline": True},  # the web UI edits it in a text area
    )


class SemanticPromptOverrides(Section):
    system: str = _override(
        "Extra instructions appended to the product-discovery system prompt (semantic_discover)"
    )
    cluster_system: str = _override(
        "Extra instructions appended to the grouping system prompt (semantic_cluster)"
    )


class AnalyzePromptOverrides(Section):
    system: str = _override(
        "Extra instructions appended to the clip-planning system prompt (analyze)"
    )


class PromptOverridesSettings(Section):
    semantic: SemanticPromptOverrides = Field(
        default_factory=SemanticPromptOverrides, description="Discovery and grouping prompts"
    )
    analyze: AnalyzePromptOverrides = Field(
        default_factory=AnalyzePromptOverrides, description="Clip-planning prompt"
    )
