"""The transcript semantic_discover starts from: the ASR backend's, through a shared cache.

The cache key holds the media (sampled hash), the backend and version, the config keys that
change what it hears, and the hotwords when a product list added some. Backends whose
capability says ``cacheable: False`` (a transcript read from a file) skip the cache, and those
that say ``needs_audio: False`` accept a video without sound.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from clipora_core.asr_spans import should_spread, transcribe_spans
from clipora_core.capabilities import ASRRequest, Kind
from clipora_core.contracts import ProductList, Transcript
from clipora_core.errors import InputError
from clipora_core.fileio import read_json, write_json
from clipora_core.fingerprints import fingerprintable, flat, matches, sampled_file_hash
from clipora_core.kept_audio import extract_kept_audio
from clipora_core.stages.base import StageContext
from clipora_core.workspace import fingerprint

ASR_CACHE_KEYS = ["asr.mode", "asr.language", "asr.hotwords"]


def effective_hotwords(configured: list[str], products: ProductList | None) -> list[str]:
    """``asr.hotwords`` followed by the product list's names and aliases, each once."""
    words = [w.strip() for w in configured if w.strip()]
    if products is not None:
        words += products.hotwords()
    return list(dict.fromkeys(words))


def asr_hotwords(ctx: StageContext) -> list[str]:
    """The hotwords the ASR request gets: config's, then the job's product names."""
    s = ctx.settings
    products = ctx.job.products() if s.asr.product_hotwords else None
    return effective_hotwords(list(s.asr.hotwords), products)


def by_sentence(transcript: Transcript) -> Transcript:
    from clipora_core.transcripts import split_sentences

    segments = split_sentences(transcript.segments)
    if len(segments) == len(transcript.segments):
        return transcript
    return transcript.model_copy(update={"segments": segments})


def transcribe(ctx: StageContext) -> Transcript:
    s, job, progress = ctx.settings, ctx.job, ctx.progress
    probe = ctx.probe()
    cap = ctx.capability(Kind.ASR, s.asr.mode, "asr.mode")
    if not probe.has_audio and cap.features.get("needs_audio", True):
        raise InputError(
            f"{job.source_path.name} has no audio track, so there is no speech to transcribe",
            hint="use a recording with sound, or asr.mode=import with a subtitle file",
        )
    cacheable = bool(cap.features.get("cacheable", True)) and s.asr.cache
    media = job.effective_source
    cut = ctx.media_time_map()
    dumped = flat(fingerprintable(s))
    asr_config = {
        k: v
        for k, v in sorted(dumped.items())
        if matches(k, ASR_CACHE_KEYS + cap.config_keys) and k != "asr.cache"
    }
    hotwords = asr_hotwords(ctx)
    key_data: dict[str, Any] = {
        "media": sampled_file_hash(media),
        "duration": round(probe.duration_seconds, 3),
        "backend": f"{cap.name}@{cap.version}",
        "config": asr_config,
    }
    if cut:
        # The backend hears only the kept pieces of the recording.
        key_data["kept"] = [[e.source_start_seconds, e.source_end_seconds] for e in cut]
    if hotwords != effective_hotwords(list(s.asr.hotwords), None):
        # Product names changed what the backend hears; without them the key stays as it
        # was, so cached transcripts made before product lists existed are still found.
        key_data["hotwords"] = hotwords
    key = fingerprint(key_data)
    cache_file = Path(s.paths.workdir) / "_cache" / "asr" / cap.name / f"{key}.json"
    if cacheable and cache_file.is_file():
        try:
            transcript = Transcript.model_validate(read_json(cache_file))
            progress.info("transcript reused from cache", action="cache_hit", key=key)
            return by_sentence(transcript)
        except (ValueError, ValidationError):
            progress.warning("ignoring a damaged ASR cache entry", key=key)
    language = None if s.asr.language in ("", "auto") else s.asr.language
    if should_spread(ctx, cap):
        transcript = transcribe_spans(ctx, language, hotwords)
    else:
        transcript = _transcribe_here(ctx, cut, language, hotwords)
    transcript = by_sentence(transcript)
    for warning in transcript.warnings:
        progress.warning(warning)
    if cacheable:
        write_json(cache_file, transcript)
    return transcript


def _transcribe_here(
    ctx: StageContext, cut: list[Any], language: str | None, hotwords: list[str]
) -> Transcript:
    s, job, progress = ctx.settings, ctx.job, ctx.progress
    cap = ctx.capability(Kind.ASR, s.asr.mode, "asr.mode")
    media, probe = job.effective_source, ctx.probe()
    backend = ctx.instance(Kind.ASR, s.asr.mode, "asr.mode")
    scratch = job.path("semantic")
    scratch.mkdir(parents=True, exist_ok=True)
    kept_audio: Path | None = None
    try:
        # A backend that reads the recording itself (``kept_audio: False``) maps its times
        # through ``request.time_map``, as one reading subtitles beside it does.
        if cut and cap.features.get("needs_audio", True) and cap.features.get("kept_audio", True):
            progress.info("reading the audio of the kept parts", pieces=len(cut))
            kept_audio = extract_kept_audio(
                media, cut, scratch / ".kept_audio.flac", ctx.engine.runtime.media
            )
        transcript = backend.transcribe(
            ASRRequest(
                media_path=kept_audio or media,
                duration_seconds=probe.duration_seconds,
                scratch_dir=scratch,
                progress=progress,
                language=language,
                hotwords=hotwords,
                source_path=job.source_path,
                time_map=ctx.time_map(),
            )
        )
    finally:
        # A local model can hold hundreds of MB: hand it back before analysis and rendering.
        backend.close()
        if kept_audio is not None:
            kept_audio.unlink(missing_ok=True)
    return transcript
