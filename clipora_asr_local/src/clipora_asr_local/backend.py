"""The ``local`` ASR backend: faster-whisper on the CPU (or CUDA), fully offline.

The work is what ``WhisperModel.transcribe(path, vad_filter=True)`` does, split open so that the
language is known before decoding starts: VAD runs once, the language is detected on the first 30 s
of speech (as faster-whisper does), and a Mandarin recording then gets a simplified-Chinese prompt
(Whisper base otherwise often writes traditional characters). Silent audio never reaches the model,
which would otherwise hallucinate text on it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from clipora_core.capabilities import ASRRequest
from clipora_core.contracts import Transcript
from clipora_core.errors import CliporaError, StageError
from clipora_core.transcripts import RawSegment, RawWord, normalize_segments

from clipora_asr_local.audio import SAMPLE_RATE, DecodedAudio, decode_16k_mono
from clipora_asr_local.models import (
    ModelKey,
    ResolvedModel,
    cuda_available,
    default_threads,
    load_model,
    resolve_model,
)

SIMPLIFIED_CHINESE_PROMPT = "以下是普通话的句子。"
NO_SPEECH_WARNING = "no speech was detected in the audio: the transcript is empty"


@dataclass(frozen=True)
class DecodeOptions:
    language: str | None
    initial_prompt: str | None
    hotwords: str | None
    beam_size: int
    word_timestamps: bool


class LocalWhisperBackend:
    name = "local"

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.cfg = settings.asr.local
        # Resolving (and joining the shipped weights) here makes a bad model setting fail before
        # any audio is decoded.
        self.model_info: ResolvedModel = resolve_model(self.cfg.model)

    # --- model ----------------------------------------------------------------------------

    def model_key(self, device: str | None = None) -> ModelKey:
        cfg = self.cfg
        if device is None:
            device = cfg.device if cfg.device != "auto" else ("cuda" if cuda_available() else "cpu")
        compute = cfg.compute_type
        if compute == "auto":
            # int8 is the fast CPU path; on CUDA let CTranslate2 pick what the card supports.
            compute = "int8" if device == "cpu" else "auto"
        threads = cfg.cpu_threads or default_threads()
        return ModelKey(str(self.model_info.path), device, compute, threads)

    def _load(self, key: ModelKey) -> Any:
        try:
            return load_model(key)
        except Exception as exc:
            raise StageError(
                f"cannot load Whisper model {self.model_info.name!r} on {key.device} "
                f"({key.compute_type}): {exc}",
                hint="set asr.local.device=cpu or asr.local.compute_type=int8",
            ) from exc

    # --- transcription --------------------------------------------------------------------

    def transcribe(self, request: ASRRequest) -> Transcript:
        progress = request.progress
        t0 = time.perf_counter()
        audio = decode_16k_mono(request.media_path)
        limit = request.duration_seconds if request.duration_seconds > 0 else audio.duration_seconds
        warnings = _audio_warnings(audio)
        progress.info(
            "audio extracted",
            seconds=round(audio.duration_seconds, 1),
            took=round(time.perf_counter() - t0, 2),
        )
        key = self.model_key()
        try:
            raw, language = self._run_checked(key, audio, request, limit)
        except Exception as exc:
            if self.cfg.device != "auto" or key.device == "cpu":
                raise
            # CUDA libraries (cuBLAS, cuDNN) load lazily and may be missing though a GPU is
            # present: auto means "CUDA when it works", so finish on the CPU.
            progress.warning(f"CUDA failed ({exc}); transcribing on the CPU instead")
            key = self.model_key("cpu")
            raw, language = self._run_checked(key, audio, request, limit)
        segments = normalize_segments(raw, limit)
        if not segments:
            warnings.append(NO_SPEECH_WARNING)
        progress.update(limit, limit)
        elapsed = time.perf_counter() - t0
        progress.info(
            "transcribed",
            segments=len(segments),
            language=language or "",
            device=key.device,
            rtf=round(elapsed / audio.duration_seconds, 3) if audio.duration_seconds else 0,
        )
        return Transcript(
            segments=segments,
            language=language,
            backend=self.name,
            model=self.model_info.name,
            duration_seconds=round(limit, 3),
            warnings=warnings,
        )

    def decode_options(self, request: ASRRequest, language: str | None) -> DecodeOptions:
        cfg = self.cfg
        prompt = cfg.initial_prompt.strip() or None
        if prompt is None and language == "zh" and cfg.simplified_chinese:
            prompt = SIMPLIFIED_CHINESE_PROMPT
        words = [w.strip() for w in (request.hotwords or self.settings.asr.hotwords) if w.strip()]
        return DecodeOptions(
            language=language,
            initial_prompt=prompt,
            hotwords=", ".join(words) or None,
            beam_size=cfg.beam_size,
            word_timestamps=cfg.word_timestamps,
        )

    def _requested_language(self, request: ASRRequest) -> str | None:
        value = request.language or self.settings.asr.language
        return None if value in (None, "", "auto") else value

    def _run_checked(
        self, key: ModelKey, audio: DecodedAudio, request: ASRRequest, limit: float
    ) -> tuple[list[RawSegment], str | None]:
        try:
            return self._run(key, audio, request, limit)
        except CliporaError:
            raise
        except (RuntimeError, ValueError, OSError, MemoryError) as exc:
            raise StageError(
                f"local speech recognition failed on {key.device}: {exc}",
                hint="rerun with --debug for details; asr.local.device=cpu avoids GPU problems",
            ) from exc

    def _run(
        self, key: ModelKey, audio: DecodedAudio, request: ASRRequest, limit: float
    ) -> tuple[list[RawSegment], str | None]:
        import numpy as np
        from faster_whisper.transcribe import restore_speech_timestamps
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        progress = request.progress
        samples = audio.samples
        if samples.size == 0:
            return [], None
        chunks: list[dict] | None = None
        if self.cfg.vad:
            chunks = get_speech_timestamps(samples, VadOptions())
            if not chunks:
                return [], None
            samples = np.concatenate([samples[c["start"] : c["end"]] for c in chunks])
            progress.debug(
                "voice activity", speech_seconds=round(samples.size / SAMPLE_RATE, 1), chunks=len(chunks)
            )
        model = self._load(key)
        language = self._requested_language(request)
        if language is None:
            if model.model.is_multilingual:
                language, probability, _ = model.detect_language(audio=samples)
                progress.info("language detected", language=language, probability=round(probability, 2))
            else:
                language = "en"
        opts = self.decode_options(request, language)
        segments_iter, _info = model.transcribe(
            samples,
            language=opts.language,
            beam_size=opts.beam_size,
            initial_prompt=opts.initial_prompt,
            hotwords=opts.hotwords,
            word_timestamps=opts.word_timestamps,
            vad_filter=False,  # done above, once
        )
        if chunks:
            segments_iter = restore_speech_timestamps(segments_iter, chunks, SAMPLE_RATE)
        raw: list[RawSegment] = []
        for seg in segments_iter:
            words = [RawWord(w.start, w.end, w.word) for w in (seg.words or [])]
            raw.append(RawSegment(seg.start, seg.end, seg.text, words))
            progress.update(min(seg.end, limit), limit)
        return raw, language


def _audio_warnings(audio: DecodedAudio) -> list[str]:
    out = []
    if audio.filled_gap_seconds >= 0.5:
        out.append(
            f"the audio track has gaps ({audio.filled_gap_seconds:.1f}s in total); "
            "they were filled with silence to keep times aligned with the video"
        )
    if audio.skipped_packets:
        out.append(f"{audio.skipped_packets} damaged audio packets were skipped")
    return out
