"""The settings page as a seller sees it: a short "basic" list, then every other field grouped by
section (collapsed), each with a label and help in the page's language and, after a refused
save, its own error and the value that was typed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clipora_web.config_editor import CAPABILITY_CHOICES, ConfigState, FieldProblem, FieldView
from clipora_web.i18n import field_help, field_label, has, translate

# What a seller sets once; in this order. Paths a running install lacks are left out.
BASIC_FIELDS: tuple[str, ...] = (
    "asr.language",
    "asr.mode",
    "analysis.products_file",
    "render.ffmpeg.aspect",
    "render.ffmpeg.fit",
    "render_subtitles.mode",
    "render_subtitles.font_theme",
    "render_subtitles.position_preset",
    "render_subtitles.layout.word_highlight",
    "render.cover.enabled",
    "review.enabled",
    "cleaning.enabled",
    "analysis.live_commerce.engine",
    "analysis.live_commerce.provider.api_key",
)


@dataclass
class FieldRow:
    field: FieldView
    label: str | None
    help: str
    help_english: bool
    value: Any
    none_label: str
    capability: bool
    error: str | None = None


@dataclass
class SectionRows:
    id: str
    title: str
    rows: list[FieldRow] = field(default_factory=list)

    @property
    def has_error(self) -> bool:
        return any(r.error for r in self.rows)


@dataclass
class ConfigPage:
    basic: list[FieldRow]
    advanced: list[SectionRows]


def problem_text(lang: str, problem: FieldProblem) -> str:
    """A refused value in the page's language (pydantic's own words when there are none)."""
    key = f"verr.{problem.type}"
    if has(lang, key):
        try:
            return translate(lang, key, **problem.ctx)
        except (KeyError, IndexError):
            pass
    return problem.message.removeprefix("Value error, ")


def _row(lang: str, f: FieldView, errors: dict[str, str], typed: dict[str, Any]) -> FieldRow:
    help_text, english = field_help(lang, f.description, f.description_zh)
    none_label = translate(lang, "config.none")
    if f.path == "render.ffmpeg.aspect":
        none_label = translate(lang, "config.aspect_source")
    return FieldRow(
        field=f,
        label=field_label(lang, f.path),
        help=help_text,
        help_english=english,
        # A refused value is shown as typed, so it can be corrected rather than retyped.
        value=typed[f.path] if f.path in errors and f.path in typed else f.value,
        none_label=none_label,
        capability=f.path in CAPABILITY_CHOICES,
        error=errors.get(f.path),
    )


def build_page(
    lang: str,
    state: ConfigState,
    problems: list[FieldProblem] | None = None,
    typed: dict[str, Any] | None = None,
) -> ConfigPage:
    errors = {p.path: problem_text(lang, p) for p in problems or []}
    basic: dict[str, FieldRow] = {}
    advanced: list[SectionRows] = []
    for section in state.sections:
        rows = SectionRows(id=section.id, title=section.title)
        for f in section.fields:
            row = _row(lang, f, errors, typed or {})
            if f.path in BASIC_FIELDS:
                basic[f.path] = row
            else:
                rows.rows.append(row)
        if rows.rows:
            advanced.append(rows)
    ordered = [basic[p] for p in BASIC_FIELDS if p in basic]
    return ConfigPage(basic=ordered, advanced=advanced)
