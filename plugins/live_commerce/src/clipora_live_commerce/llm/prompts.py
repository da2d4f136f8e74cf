"""Prompt texts: package data under ``clipora_live_commerce/prompts/<language>/<name>.md``.

System prompts are used as written (plus the user's ``prompt_overrides``); user prompts are
templates rendered with ``str.format_map``, so literal braces belong in system prompts only.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

LANGUAGES = ("zh", "en")

_OVERRIDE_INTRO = {
    "en": "Apply the following only where it agrees with the instructions above and the output format.",
    "zh": "以下是用户追加的要求；只在不与上文要求和输出格式冲突时采用。",
}


@lru_cache(maxsize=64)
def load_prompt(language: str, name: str) -> str:
    lang = language if language in LANGUAGES else "en"
    resource = files("clipora_live_commerce").joinpath("prompts", lang, f"{name}.md")
    return resource.read_text(encoding="utf-8").strip()


def system_prompt(language: str, name: str, override: str = "") -> str:
    text = load_prompt(language, f"{name}_system")
    extra = (override or "").strip()
    if extra:
        intro = _OVERRIDE_INTRO.get(language, _OVERRIDE_INTRO["en"])
        text = f"{text}\n\n## Additional user instructions\n\n{intro}\n\n{extra}"
    return text


def render_prompt(language: str, name: str, **values: Any) -> str:
    template = load_prompt(language, name)
    try:
        return template.format_map(values)
    except KeyError as exc:
        raise ValueError(
            f"missing template variable for prompts/{language}/{name}.md: {exc}"
        ) from None
