"""The ``import`` ASR backend: an existing subtitle or transcript file becomes the transcript.

The file is looked up next to the *original* recording (``request.source_path``), since the
effective source may be a cleaned copy in the job folder. Its times are on the original
recording's timeline; when the cleaning stage removed spans, the request's ``time_map`` (if the
core passes one) moves them onto the effective timeline, and cues inside removed spans are dropped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from clipora_core.api import (
    ASRBackend,
    ASRRequest,
    InputError,
    PluginRuntime,
    RawSegment,
    RawWord,
    Transcript,
    normalize_segments,
)

from clipora_asr_import.reader import read_transcript_file
from clipora_asr_import.settings import ImportedASRSettings

SIDECAR_SUFFIXES = (".srt", ".vtt", ".json")


def find_sidecar(video: Path) -> Path:
    """``<stem>.srt|.vtt|.json`` next to ``video``, else a single ``<stem>.<lang>.srt`` etc."""
    for suffix in SIDECAR_SUFFIXES:
        candidate = video.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    tagged = sorted(
        p
        for suffix in SIDECAR_SUFFIXES
        for p in video.parent.glob(f"{_glob_escape(video.stem)}.*{suffix}")
        if p.is_file() and p != video
    )
    if len(tagged) == 1:
        return tagged[0]
    looked = ", ".join(video.with_suffix(s).name for s in SIDECAR_SUFFIXES)
    if tagged:
        raise InputError(
            f"several transcripts next to {video.name}: {', '.join(p.name for p in tagged)}",
            hint="choose one with asr.imported.path",
        )
    raise InputError(
        f"asr.mode=import found no transcript next to {video.name} (looked for {looked})",
        hint="put one there or set asr.imported.path",
    )


def _glob_escape(text: str) -> str:
    import glob

    return glob.escape(text)


def language_from_name(path: Path) -> str | None:
    """``show.zh.srt`` -> ``zh``; ``show.srt`` -> None."""
    parts = path.name.split(".")
    if len(parts) >= 3 and re.fullmatch(r"[a-z]{2,3}([-_][A-Za-z]{2,4})?", parts[-2]):
        return parts[-2]
    return None


def guess_language(text: str) -> str | None:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    cjk = sum(1 for c in letters if "\u4e00" <= c <= "\u9fff")
    return "zh" if cjk / len(letters) > 0.3 else None


class ImportedTranscriptBackend(ASRBackend):
    name = "import"

    def __init__(
        self, options: ImportedASRSettings | None = None, runtime: PluginRuntime | None = None
    ) -> None:
        self.cfg = options or ImportedASRSettings()

    def locate(self, request: ASRRequest) -> Path:
        if self.cfg.path is not None:
            return Path(self.cfg.path).expanduser()
        source = getattr(request, "source_path", None) or request.media_path
        return find_sidecar(Path(source))

    def transcribe(self, request: ASRRequest) -> Transcript:
        path = self.locate(request)
        imported = read_transcript_file(path)
        warnings = list(imported.warnings)
        raw = imported.segments
        time_map = getattr(request, "time_map", None) or []
        if time_map:
            raw, removed = _to_effective(raw, time_map)
            if removed:
                warnings.append(
                    f"{removed} cues fell in spans removed by cleaning and were dropped"
                )
        duration = request.duration_seconds if request.duration_seconds > 0 else None
        if duration:
            late = sum(1 for s in raw if s.start >= duration)
            if late:
                warnings.append(
                    f"{late} cues in {path.name} start after the end of the video "
                    f"({duration:.1f}s) and were dropped: is it the right file?"
                )
        segments = normalize_segments(raw, duration)
        if not segments:
            warnings.append(f"{path.name} has no usable cues: the transcript is empty")
        text = " ".join(s.text for s in segments)
        language = (
            imported.language
            or language_from_name(path)
            or _requested_language(request.language)
            or guess_language(text)
        )
        request.progress.info("transcript imported", file=str(path), segments=len(segments))
        request.progress.update(1.0, 1.0)
        return Transcript(
            segments=segments,
            language=language,
            backend=self.name,
            model=path.name,
            duration_seconds=duration,
            warnings=warnings,
        )


def _requested_language(value: str | None) -> str | None:
    return None if value in (None, "", "auto") else value


def _to_effective(raw: list[RawSegment], time_map: list[Any]) -> tuple[list[RawSegment], int]:
    """Original-timeline segments -> effective timeline; drop the ones wholly in removed spans."""
    entries = sorted(time_map, key=lambda e: e.source_start_seconds)

    def move(t: float) -> float:
        for e in entries:
            if t < e.source_start_seconds:
                return e.cleaned_start_seconds  # inside a removed span: snap to what follows
            if t <= e.source_end_seconds:
                return e.cleaned_start_seconds + (t - e.source_start_seconds)
        return entries[-1].cleaned_end_seconds

    out: list[RawSegment] = []
    removed = 0
    for s in raw:
        start, end = move(s.start), move(s.end)
        if end - start <= 1e-3:
            removed += 1
            continue
        words = [RawWord(move(w.start), move(w.end), w.text) for w in s.words]
        out.append(RawSegment(start, end, s.text, words))
    return out, removed
