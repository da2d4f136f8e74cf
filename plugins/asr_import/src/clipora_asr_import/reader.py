"""Reading subtitle and transcript files into raw segments.

Subtitles (.srt, .vtt, .ass, .ssa) go through pysubs2. JSON accepts the shapes tools actually
write: Whisper / faster-whisper / WhisperX (``{"segments": [{"start", "end", "text", "words":
[{"word"|"text", "start", "end"}]}]}``), a bare list of such segments, and Clipora's own
``transcript.json`` (``start_seconds`` / ``end_seconds``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clipora_core.api import InputError, RawSegment, RawWord

SUBTITLE_SUFFIXES = (".srt", ".vtt", ".ass", ".ssa")
JSON_SUFFIXES = (".json",)
# Chinese subtitle files are still often GB18030; UTF-8 (with or without BOM) comes first.
ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class ImportedFile:
    segments: list[RawSegment]
    language: str | None = None
    warnings: list[str] = field(default_factory=list)


def read_transcript_file(path: Path) -> ImportedFile:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(
            f"transcript file {path} does not exist",
            hint="set asr.imported.path to an existing file",
        )
    if suffix in SUBTITLE_SUFFIXES:
        result = _read_subtitles(path)
    elif suffix in JSON_SUFFIXES:
        result = _read_json(path)
    else:
        raise InputError(
            f"cannot import {path.name}: unsupported format {suffix or '(no extension)'}",
            hint="use .srt, .vtt, .ass or a Whisper/WhisperX .json",
        )
    result.segments.sort(key=lambda s: (s.start, s.end))
    return result


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"cannot read {path.name}: it is neither UTF-8 nor GB18030 text", hint="save it as UTF-8"
    )


def _read_subtitles(path: Path) -> ImportedFile:
    import pysubs2

    text = _read_text(path)
    if not text.strip():
        raise InputError(
            f"cannot import {path.name}: the file is empty", hint="check the subtitle file"
        )
    fmt = {".srt": "srt", ".vtt": "vtt", ".ass": "ass", ".ssa": "ssa"}[path.suffix.lower()]
    try:
        subs = pysubs2.SSAFile.from_string(text, format_=fmt)
    except Exception as exc:  # pysubs2 raises several unrelated types for malformed input
        raise InputError(
            f"cannot import {path.name}: not a valid {fmt.upper()} file ({exc})",
            hint="check the file or convert it to .srt",
        ) from exc
    segments = []
    for event in subs:
        if event.is_comment:
            continue
        line = _join_lines(event.plaintext)
        if line:
            segments.append(RawSegment(event.start / 1000, event.end / 1000, line))
    if not segments:
        raise InputError(
            f"cannot import {path.name}: no subtitle cues found",
            hint=f"check that it is a {fmt.upper()} file with timed text",
        )
    return ImportedFile(segments=segments)


def _join_lines(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    out = ""
    for ln in lines:
        # No space between Chinese/Japanese lines, a space between words elsewhere.
        if out and not (_is_cjk(out[-1]) and _is_cjk(ln[0])):
            out += " "
        out += ln
    return out


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"


def _read_json(path: Path) -> ImportedFile:
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"cannot import {path.name}: invalid JSON at line {exc.lineno} column {exc.colno}",
            hint="check the file",
        ) from exc
    language = None
    if isinstance(data, dict):
        language = data.get("language") if isinstance(data.get("language"), str) else None
        items = data.get("segments")
    else:
        items = data
    if not isinstance(items, list):
        raise InputError(
            f"cannot import {path.name}: no 'segments' list",
            hint='expected Whisper/WhisperX JSON: {"segments": [{"start", "end", "text"}]}',
        )
    segments: list[RawSegment] = []
    untimed_words = 0
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(
                f"cannot import {path.name}: segment {i + 1} is not an object",
                hint="check the file",
            )
        start = _time(item, ("start", "start_seconds", "start_time"))
        end = _time(item, ("end", "end_seconds", "end_time"))
        text = item.get("text")
        if start is None or end is None or not isinstance(text, str):
            raise InputError(
                f"cannot import {path.name}: segment {i + 1} lacks start, end or text",
                hint="each segment needs numeric start/end (seconds) and a text",
            )
        words: list[RawWord] = []
        for w in item.get("words") or []:
            if not isinstance(w, dict):
                continue
            word_text = w.get("word", w.get("text"))
            ws = _time(w, ("start", "start_seconds"))
            we = _time(w, ("end", "end_seconds"))
            if not isinstance(word_text, str):
                continue
            if ws is None or we is None:
                # WhisperX leaves numerals and symbols it could not align without times.
                untimed_words += 1
                continue
            words.append(RawWord(ws, we, word_text))
        segments.append(RawSegment(start, end, text, words))
    warnings = []
    if untimed_words:
        warnings.append(
            f"{untimed_words} words in {path.name} have no times and were left out of word timings"
        )
    return ImportedFile(segments=segments, language=language, warnings=warnings)


def _time(obj: dict[str, Any], keys: tuple[str, ...]) -> float | None:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float) and math.isfinite(value) and value >= 0:
            return float(value)
    return None
