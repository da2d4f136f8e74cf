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
        self.layout = options or SubtitleLayoutSettings()
        self.word_highlight = self.layout.word_highlight
        self.highlight_colour = self.layout.highlight_colour

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

    def banner_text(self, request: SubtitleRequest) -> str:
        """The product name, then the price when the plan has one; empty: no banner."""
        if not self.layout.banner or not request.title.strip():
            return ""
        text = request.title.strip()
        if request.price is not None:
            text += "  " + self.layout.banner_price_format.replace("{price}", f"{request.price:g}")
        return _ass_text(text)

    def banner_style(self, st: ResolvedStyle, request: SubtitleRequest) -> pysubs2.SSAStyle:
        # An opaque box (border style 3: libass fills it with the outline colour) at the top,
        # or at the bottom when the captions are at the top.
        top = request.style.position_preset != "top"
        colour = _color(self.layout.banner_colour)
        return pysubs2.SSAStyle(
            fontname=st.font_name,
            fontsize=round(st.font_size * 1.1),
            primarycolor=_color("&H00FFFFFF"),
            outlinecolor=colour,
            backcolor=colour,
            bold=True,
            borderstyle=3,
            outline=max(1.0, round(st.font_size * 0.25, 1)),
            shadow=0,
            alignment=pysubs2.Alignment(8 if top else 2),
            marginl=st.margin_l,
            marginr=st.margin_r,
            marginv=st.margin_v,
            encoding=1,
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
        text_colour = self.layout.text_colour or st.primary
        subs.styles = {
            "Default": pysubs2.SSAStyle(
                fontname=st.font_name,
                fontsize=st.font_size,
                # Karaoke: words are drawn in the secondary colour until spoken, then primary.
                primarycolor=_color(self.highlight_colour if self.word_highlight else text_colour),
                secondarycolor=_color(text_colour if self.word_highlight else "&H000000FF"),
                outlinecolor=_color(self.layout.outline_colour or st.outline_colour),
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
        banner = self.banner_text(request)
        if banner:
            subs.styles["Banner"] = self.banner_style(st, request)
            length = sum(w.duration for w in request.windows) / max(request.playback_speed, 1e-6)
            subs.append(
                pysubs2.SSAEvent(
                    start=0, end=round(length * 1000), text=banner, style="Banner", layer=1
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
