"""Subtitle writers registered as the ``srt``, ``vtt`` and ``ass`` capabilities.

Each is built as ``factory(options, runtime)`` (options: ``render_subtitles.layout``) and writes
one file per clip with pysubs2 next to ``request.out_path`` (suffix replaced). Nothing is written when the clip has no speech.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pysubs2
from clipora_core.api import PluginRuntime, SubtitleRequest, SubtitleWriter

from clipora_subtitles.cues import Cue, LayoutOptions, build_cues
from clipora_subtitles.fonts import BUNDLED_FONT_FAMILY
from clipora_subtitles.settings import SubtitleLayoutSettings
from clipora_subtitles.style import ResolvedStyle, resolve_style


def layout_options(section: SubtitleLayoutSettings | None) -> LayoutOptions:
    section = section or SubtitleLayoutSettings()
    return LayoutOptions(
        max_line_chars_cjk=section.max_line_chars_cjk,
        max_line_chars_latin=section.max_line_chars_latin,
        gap_fill_seconds=section.cue_gap_fill_seconds,
    )


def _color(ass: str) -> pysubs2.Color:
    # "&HAABBGGRR" as written in ASS files.
    v = int(ass[2:], 16)
    return pysubs2.Color(r=v & 0xFF, g=(v >> 8) & 0xFF, b=(v >> 16) & 0xFF, a=(v >> 24) & 0xFF)


def _ass_text(text: str) -> str:
    # ASS reads "{...}" as override tags and "\x" as escapes; transcripts mean neither.
    return text.replace("\\", "＼").replace("{", "(").replace("}", ")")


def _save_atomic(subs: pysubs2.SSAFile, path: Path, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".{fmt}.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            subs.to_file(fh, fmt)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _Writer(SubtitleWriter):
    format = ""

    def __init__(
        self, options: SubtitleLayoutSettings | None = None, runtime: PluginRuntime | None = None
    ) -> None:
        self.options = layout_options(options)
        self.word_highlight = bool(getattr(options, "word_highlight", False))
        self.highlight_colour = str(getattr(options, "highlight_colour", "&H0000E5FF"))

    def cues(self, request: SubtitleRequest) -> list[Cue]:
        return build_cues(request.transcript, request.windows, request.playback_speed, self.options)

    def document(self, request: SubtitleRequest, cues: list[Cue]) -> pysubs2.SSAFile:
        subs = pysubs2.SSAFile()
        for cue in cues:
            event = pysubs2.SSAEvent(start=round(cue.start * 1000), end=round(cue.end * 1000))
            event.plaintext = cue.text
            subs.append(event)
        return subs

    def write(self, request: SubtitleRequest) -> Path | None:
        cues = self.cues(request)
        if not cues:
            return None
        path = request.out_path.with_suffix(f".{self.format}")
        _save_atomic(self.document(request, cues), path, self.format)
        return path


class SrtWriter(_Writer):
    format = "srt"


class VttWriter(_Writer):
    format = "vtt"


class AssWriter(_Writer):
    """ASS for burn-in: PlayRes is the output size, style from the position preset and theme."""

    format = "ass"

    def resolved_style(self, request: SubtitleRequest) -> ResolvedStyle:
        style = request.style
        return resolve_style(
            request.width,
            request.height,
            position_preset=style.position_preset,
            font_theme=style.font_theme,
            font_name=style.font_family or BUNDLED_FONT_FAMILY,
            scale_multiplier=style.font_scale_multiplier,
        )

    def document(self, request: SubtitleRequest, cues: list[Cue]) -> pysubs2.SSAFile:
        st = self.resolved_style(request)
        subs = pysubs2.SSAFile()
        subs.info["ScriptType"] = "v4.00+"
        subs.info["WrapStyle"] = "0"
        subs.info["ScaledBorderAndShadow"] = "yes"
        if request.width > 0 and request.height > 0:
            subs.info["PlayResX"] = str(request.width)
            subs.info["PlayResY"] = str(request.height)
        subs.styles = {
            "Default": pysubs2.SSAStyle(
                fontname=st.font_name,
                fontsize=st.font_size,
                # Karaoke: words are drawn in the secondary colour until spoken, then primary.
                primarycolor=_color(self.highlight_colour if self.word_highlight else st.primary),
                secondarycolor=_color(st.primary if self.word_highlight else "&H000000FF"),
                outlinecolor=_color(st.outline_colour),
                backcolor=_color(st.back),
                bold=st.bold,
                borderstyle=1,
                outline=st.outline,
                shadow=st.shadow,
                alignment=pysubs2.Alignment(st.alignment),
                marginl=st.margin_l,
                marginr=st.margin_r,
                marginv=st.margin_v,
                encoding=1,
            )
        }
        for cue in cues:
            text = karaoke_text(cue) if self.word_highlight and cue.words else _ass_text(cue.text)
            subs.append(
                pysubs2.SSAEvent(
                    start=round(cue.start * 1000),
                    end=round(cue.end * 1000),
                    text=text,
                    style="Default",
                )
            )
        return subs


def karaoke_text(cue: Cue) -> str:
    """The line with a ``\\k`` tag before each word: each lights up (secondary -> primary
    colour) at the moment it is spoken and stays lit, so the highlight runs along the line."""
    parts = []
    at = cue.start
    for i, (start, text) in enumerate(cue.words):
        nxt = cue.words[i + 1][0] if i + 1 < len(cue.words) else cue.end
        if i == 0 and start > at:
            parts.append(f"{{\\k{round((start - at) * 100)}}}")  # silence before the first word
        parts.append(f"{{\\k{max(0, round((nxt - max(start, at)) * 100))}}}{_ass_text(text)}")
        at = max(start, at)
    return "".join(parts)
