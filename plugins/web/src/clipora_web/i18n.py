"""The web UI in 简体中文 and English: picking the language and looking up its words.

The language is, in order: ``?lang=zh-CN`` / ``?lang=en`` (the header's switch goes through
``/lang/<code>``, which stores a ``lang`` cookie), the ``lang`` cookie, the browser's
``Accept-Language``, else English.

In a template (every page rendered through ``app._page`` has ``lang`` in its context)::

    {{ t("nav.jobs") }}                      # a message; English when the key lacks Chinese
    {{ t("job.queue_position", n=3) }}       # str.format fields
    {{ stage_label("semantic_cluster") }}    # 找出商品 / Find products
    {{ status_label("completed") }}          # 完成 / Done
    {{ option_label("render_subtitles.mode", "sidecar_only") }}

Messages live in ``messages.py`` (``MESSAGES["en"]`` and ``MESSAGES["zh-CN"]``, flat dotted
keys); a page of its own adds its keys there, in both languages. Strings for a static script go
in ``JS_KEYS`` (every page) or, for one page's script, under a prefix in ``PAGE_JS_PREFIXES``
(``review.*`` for review.html); the page's ``<body data-i18n>`` carries them as JSON under
``messages`` (the CSP forbids inline script). In Python: ``translate(lang, key, **fields)``.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import pass_context

from clipora_web.messages import MESSAGES

LANGS: tuple[str, ...] = ("zh-CN", "en")
DEFAULT_LANG = "en"
LANG_COOKIE = "lang"
# Message keys a static script needs (job.js shows live stage and status changes).
JS_KEYS: tuple[str, ...] = ("job.queue_position",)
# A page whose script draws most of it (review.js) gets all its keys, only on that page.
PAGE_JS_PREFIXES: dict[str, tuple[str, ...]] = {"review.html": ("review.",)}


def normalize_lang(code: str | None) -> str | None:
    """``zh``, ``zh-cn``, ``zh_Hans`` -> ``zh-CN``; ``en-GB`` -> ``en``; others -> None."""
    low = (code or "").strip().lower().replace("_", "-")
    if low.startswith("zh"):
        return "zh-CN"
    if low.startswith("en"):
        return "en"
    return None


def from_accept_language(header: str | None) -> str | None:
    """The first supported language of an ``Accept-Language`` header, by its q weights."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = normalize_lang(tag)
        if lang and q > 0:
            ranked.append((-q, i, lang))
    return min(ranked)[2] if ranked else None


def pick_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    return (
        normalize_lang(query)
        or normalize_lang(cookie)
        or from_accept_language(accept)
        or DEFAULT_LANG
    )


def request_language(request: Any) -> str:
    return pick_language(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def translate(lang: str, key: str, **fields: Any) -> str:
    text = MESSAGES.get(lang, {}).get(key) or MESSAGES[DEFAULT_LANG].get(key)
    if text is None:
        return key
    return text.format(**fields) if fields else text


def has(lang: str, key: str) -> bool:
    return key in MESSAGES.get(lang, {})


def stage_label(lang: str, stage: str | None) -> str:
    if not stage:
        return ""
    return translate(lang, f"stage.{stage}") if has(DEFAULT_LANG, f"stage.{stage}") else stage


def status_label(lang: str, status: str | None) -> str:
    if not status:
        return ""
    return translate(lang, f"status.{status}") if has(DEFAULT_LANG, f"status.{status}") else status


def _detail_key(stage: str, word: str) -> tuple[str, str] | None:
    name, eq, value = word.partition("=")
    if not eq:
        return (f"detail.{word}", "") if has(DEFAULT_LANG, f"detail.{word}") else None
    for key in (f"detail.{name}.{value}", f"detail.{stage}.{name}", f"detail.{name}"):
        if has(DEFAULT_LANG, key):
            return key, value
    return None


def detail_label(lang: str, stage: str, detail: str | None) -> str:
    """A stage's summary in plain words (``items=3 dropped=0`` -> "3 个商品，舍弃 0 个"); a
    summary with any word this table lacks (a sentence, a new key) stays as the stage wrote it."""
    words = (detail or "").split()
    if not words:
        return ""
    out: list[str] = []
    for word in words:
        found = _detail_key(stage, word)
        if found is None:
            if "=" in word or not re.fullmatch(r"\d+x\d+", word):
                return detail or ""
            out.append(word)  # a frame size reads the same in every language
            continue
        key, value = found
        out.append(translate(lang, key, v=value))
    return translate(lang, "detail.sep").join(out)


def option_label(lang: str, path: str, value: Any) -> str:
    """A config value in plain words (``sidecar_only`` -> "Separate subtitle file")."""
    key = f"opt.{path}.{value}"
    return translate(lang, key) if has(DEFAULT_LANG, key) else str(value)


def field_label(lang: str, path: str) -> str | None:
    key = f"field.{path}"
    return translate(lang, key) if has(DEFAULT_LANG, key) else None


def field_help(lang: str, english: str, chinese: str = "") -> tuple[str, bool]:
    """(help text, whether it is the English text standing in for a missing translation).

    Both come from the field's config model: ``english`` is its ``description``, ``chinese`` its
    ``json_schema_extra={"description_zh": ...}`` (a third-party field may lack it)."""
    if lang == "zh-CN":
        zh = chinese.strip()
        return (zh, False) if zh else (english, bool(english))
    return english, False


def js_strings(lang: str, page: str = "") -> dict[str, Any]:
    """What the page's scripts need in its language: job.js's live updates on every page, and
    the keys ``PAGE_JS_PREFIXES`` names for ``page`` (a template name)."""
    prefixes = ("stage.", "status.")
    table = MESSAGES[DEFAULT_LANG]
    own = PAGE_JS_PREFIXES.get(page, ())
    keys = [*JS_KEYS, *(k for k in table if own and k.startswith(own))]
    return {
        "lang": lang,
        "messages": {k: translate(lang, k) for k in keys},
        "labels": {k: translate(lang, k) for k in table if k.startswith(prefixes)},
    }


def _lang_of(context: Any) -> str:
    lang = context.get("lang")
    if lang:
        return str(lang)
    request = context.get("request")
    return request_language(request) if request is not None else DEFAULT_LANG


def install_i18n(env: Any) -> None:
    """Make ``t``, ``stage_label``, ``status_label``, ``option_label`` template globals."""

    @pass_context
    def t(context: Any, key: str, **fields: Any) -> str:
        return translate(_lang_of(context), key, **fields)

    @pass_context
    def stage(context: Any, name: str | None) -> str:
        return stage_label(_lang_of(context), name)

    @pass_context
    def status(context: Any, name: str | None) -> str:
        return status_label(_lang_of(context), name)

    @pass_context
    def option(context: Any, path: str, value: Any) -> str:
        return option_label(_lang_of(context), path, value)

    env.globals.update(t=t, stage_label=stage, status_label=status, option_label=option)
