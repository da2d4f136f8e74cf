"""The ``local`` ASR backend: faster-whisper on the CPU (or CUDA), fully offline.

The work is what ``WhisperModel.transcribe(path, vad_filter=True)`` does, split open so that the
language is known before decoding starts and memory stays flat on multi-hour recordings: the audio
is decoded and transcribed in windows of ``asr.local.chunk_seconds`` (cut in a pause, times shifted
back onto the media timeline); VAD runs once per window, the language is detected on the first
30 s of speech (as faster-whisper does) and kept for every later window, and a Mandarin recording
gets a simplified-Chinese prompt (Whisper base otherwise often writes traditional characters).
Silent audio never reaches the model, which would otherwise hallucinate text on it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from clipora_core.api import (
    ASRBackend,
    ASRRequest,
    CliporaError,
    PluginRuntime,
    RawSegment,
    RawWord,
    StageError,
    Transcript,
    normalize_segments,
)

from clipora_asr_local.audio import SAMPLE_RATE, AudioStream, SampleReader
from clipora_asr_local.models import (
    ModelKey,
    ResolvedModel,
    cuda_available,
    default_threads,
    forget_models,
    load_model,
    resolve_model,
)
from clipora_asr_local.settings import LocalASRSettings

SIMPLIFIED_CHINESE_PROMPT = "以下是普通话的句子。"
NO_SPEECH_WARNING = "no speech was detected in the audio: the transcript is empty"


# faster-whisper puts hotwords and the previous window's text in one prompt; together they
# must leave room in Whisper's 448-token context, or decoding fails ("maximum decoding length
# must be > 0"). Half the context goes to previous text, so hotwords get well under the rest.
HOTWORD_TOKEN_BUDGET = 120


def _token_estimate(text: str) -> float:
    # Whisper's byte-level BPE: about 1.5 tokens per CJK character, 0.3 per other character.
    return sum(1.5 if "\u3000" <= ch <= "\u9fff" else 0.3 for ch in text) + 1


def fit_hotwords(words: list[str], budget: float = HOTWORD_TOKEN_BUDGET) -> list[str]:
    """The hotwords, in order, that fit the prompt budget."""
    kept: list[str] = []
    used = 0.0
    for w in words:
        cost = _token_estimate(w)
        if used + cost > budget:
            continue
        kept.append(w)
        used += cost
    return kept


@dataclass(frozen=True)
class DecodeOptions:
    language: str | None
    initial_prompt: str | None
    hotwords: str | None
    beam_size: int
    word_timestamps: bool


class LocalWhisperBackend(ASRBackend):
    name = "local"

    def __init__(
        self, options: LocalASRSettings | None = None, runtime: PluginRuntime | None = None
    ) -> None:
        self.cfg = options or LocalASRSettings()
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

    def close(self) -> None:
        """Called by the runner when transcription ends: free the model (about 600 MB with
        its working memory) before analysis and rendering; the next job loads it again in
        about a second."""
        forget_models()

    # --- transcription --------------------------------------------------------------------

    def transcribe(self, request: ASRRequest) -> Transcript:
        progress = request.progress
        t0 = time.perf_counter()
        # A bad file or one without sound fails here, before the model loads.
        AudioStream(request.media_path).close()
        key = self.model_key()
        try:
            run = self._run_checked(key, request)
        except Exception as exc:
            if self.cfg.device != "auto" or key.device == "cpu":
                raise
            # CUDA libraries (cuBLAS, cuDNN) load lazily and may be missing though a GPU is
            # present: auto means "CUDA when it works", so finish on the CPU.
            progress.warning(f"CUDA failed ({exc}); transcribing on the CPU instead")
            key = self.model_key("cpu")
            run = self._run_checked(key, request)
        limit = request.duration_seconds if request.duration_seconds > 0 else run.audio_seconds
        segments = normalize_segments(run.segments, limit)
        warnings = _audio_warnings(run)
        if not segments:
            warnings.append(NO_SPEECH_WARNING)
        progress.update(limit, limit)
        elapsed = time.perf_counter() - t0
        progress.info(
            "transcribed",
            segments=len(segments),
            language=run.language or "",
            device=key.device,
            windows=run.windows,
            rtf=round(elapsed / run.audio_seconds, 3) if run.audio_seconds else 0,
        )
        return Transcript(
            segments=segments,
            language=run.language,
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
        words = [w.strip() for w in request.hotwords if w.strip()]
        kept = fit_hotwords(words)
        if len(kept) < len(words) and request.progress is not None:
            request.progress.warning(
                f"{len(words) - len(kept)} of {len(words)} hotwords left out: Whisper's prompt "
                f"holds about {HOTWORD_TOKEN_BUDGET} tokens of them"
            )
        return DecodeOptions(
            language=language,
            initial_prompt=prompt,
            hotwords=", ".join(kept) or None,
            beam_size=cfg.beam_size,
            word_timestamps=cfg.word_timestamps,
        )

    def _requested_language(self, request: ASRRequest) -> str | None:
        value = request.language
        return None if value in (None, "", "auto") else value

    def _run_checked(self, key: ModelKey, request: ASRRequest) -> WindowedRun:
        try:
            return self._run(key, request)
        except CliporaError:
            raise
        except (RuntimeError, ValueError, OSError, MemoryError) as exc:
            raise StageError(
                f"local speech recognition failed on {key.device}: {exc}",
                hint="rerun with --debug for details; asr.local.device=cpu avoids GPU problems",
            ) from exc

    def _run(self, key: ModelKey, request: ASRRequest) -> WindowedRun:
        """Decode and transcribe window by window, so memory stays flat in recording length."""
        progress = request.progress
        run = WindowedRun(language=self._requested_language(request))
        model = None
        with AudioStream(request.media_path) as stream:
            total = (
                request.duration_seconds
                if request.duration_seconds > 0
                else stream.estimated_seconds()
            )
            decode_started = time.perf_counter()
            for offset, samples in audio_windows(stream, self.cfg.chunk_seconds):
                run.decode_seconds += time.perf_counter() - decode_started
                run.windows += 1
                window_end = offset + samples.size / SAMPLE_RATE
                progress.debug(
                    "audio window",
                    index=run.windows,
                    start=round(offset, 2),
                    end=round(window_end, 2),
                )
                if model is None:
                    model = self._load(key)
                for seg in self._transcribe_window(model, samples, request, run):
                    words = [
                        RawWord(w.start + offset, w.end + offset, w.word) for w in (seg.words or [])
                    ]
                    run.segments.append(
                        RawSegment(seg.start + offset, seg.end + offset, seg.text, words)
                    )
                    run.report(progress, min(seg.end + offset, window_end), total)
                run.report(progress, window_end, total)
                del samples
                decode_started = time.perf_counter()
            run.audio_seconds = stream.seconds
            run.filled_gap_seconds = stream.filled_gap_seconds
            run.skipped_packets = stream.skipped_packets
        progress.info(
            "audio extracted",
            seconds=round(run.audio_seconds, 1),
            windows=run.windows,
            took=round(run.decode_seconds, 2),
        )
        return run

    def _transcribe_window(
        self, model: Any, samples: Any, request: ASRRequest, run: WindowedRun
    ) -> Any:
        """Segments of one window, in window time; detects the language on the first speech."""
        import numpy as np
        from faster_whisper.transcribe import restore_speech_timestamps
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        progress = request.progress
        if samples.size == 0:
            return []
        window = samples
        chunks: list[dict] | None = None
        if self.cfg.vad:
            chunks = get_speech_timestamps(samples, VadOptions())
            if not chunks:
                return []
            samples = np.concatenate([samples[c["start"] : c["end"]] for c in chunks])
            progress.debug(
                "voice activity",
                speech_seconds=round(samples.size / SAMPLE_RATE, 1),
                chunks=len(chunks),
            )
        if run.language is None:
            # Detected once, on the first window with speech; later windows reuse it.
            if model.model.is_multilingual:
                run.language, probability, _ = model.detect_language(audio=samples)
                progress.info(
                    "language detected", language=run.language, probability=round(probability, 2)
                )
            else:
                run.language = "en"
        opts = self.decode_options(request, run.language)
        if chunks and self.cfg.batch_size > 1:
            return self._transcribe_batched(model, window, opts)
        segments_iter, _info = model.transcribe(
            samples,
            **asdict(opts),
            vad_filter=False,  # done above, per window
        )
        if chunks:
            segments_iter = restore_speech_timestamps(segments_iter, chunks, SAMPLE_RATE)
        return segments_iter

    def _transcribe_batched(self, model: Any, window: Any, opts: DecodeOptions) -> Any:
        """The window's speech cut by VAD into chunks of at most 30 s, decoded ``batch_size`` at
        a time (faster-whisper's batched pipeline, which restores window times itself). Each
        chunk is decoded without the previous chunk's text as context, and as one segment timed
        by its words: asking Whisper for its own timestamps here lost the end of a chunk (the
        batched pipeline never seeks on to decode what is left)."""
        from faster_whisper import BatchedInferencePipeline

        segments_iter, _info = BatchedInferencePipeline(model).transcribe(
            window,
            **asdict(opts),
            without_timestamps=True,
            vad_filter=True,
            batch_size=self.cfg.batch_size,
        )
        return segments_iter


@dataclass
class WindowedRun:
    """What a windowed transcription gathered: raw segments on the media timeline, and stats."""

    language: str | None
    segments: list[RawSegment] = field(default_factory=list)
    windows: int = 0
    audio_seconds: float = 0.0
    decode_seconds: float = 0.0
    filled_gap_seconds: float = 0.0
    skipped_packets: int = 0
    _done: float = 0.0

    def report(self, progress: Any, position: float, total: float) -> None:
        # Progress is the audio position, never moving backwards (Whisper's segment ends may).
        self._done = max(self._done, position)
        if total > 0:
            progress.update(min(self._done, total), total)


def audio_windows(stream: AudioStream, chunk_seconds: float) -> Iterator[tuple[float, Any]]:
    """(start seconds, float32 samples) windows of about ``chunk_seconds`` covering the stream.

    Each cut is placed in the quietest half second of the window's last quarter (at most the
    last 30 s), so a word is not split between windows; the audio after the cut opens the next.
    A window reads that much further ahead, so the recording's end never makes a tiny window.
    """
    import numpy as np

    size = max(int(chunk_seconds * SAMPLE_RATE), 4 * QUIET_SPAN)
    search = min(size // 4, 30 * SAMPLE_RATE)
    reader = SampleReader(stream)
    carry = np.empty(0, dtype=np.float32)
    start = 0
    while True:
        fresh = reader.read(size + search - carry.size)
        window = np.concatenate([carry, fresh]) if carry.size else fresh
        del fresh
        if reader.exhausted:
            if window.size:
                yield start / SAMPLE_RATE, window
            return
        cut = quiet_cut(window[:size], search)
        carry = window[cut:].copy()
        yield start / SAMPLE_RATE, window[:cut]
        start += cut
        del window


QUIET_SPAN = SAMPLE_RATE // 2  # the pause a cut is centred in
_FRAME = SAMPLE_RATE // 10


def quiet_cut(samples: Any, search: int) -> int:
    """Index in the last ``search`` samples at the centre of the quietest half second."""
    import numpy as np

    first = max(samples.size - search, 0) // _FRAME
    frames = samples[first * _FRAME : samples.size // _FRAME * _FRAME].reshape(-1, _FRAME)
    energy = np.square(frames, dtype=np.float64).mean(axis=1)
    span = QUIET_SPAN // _FRAME
    if energy.size < span:
        return samples.size
    smoothed = np.convolve(energy, np.ones(span) / span, mode="valid")
    # The latest of equally quiet spans keeps windows close to chunk_seconds.
    best = smoothed.size - 1 - int(np.argmin(smoothed[::-1]))
    return (first + best) * _FRAME + QUIET_SPAN // 2


def _audio_warnings(audio: WindowedRun) -> list[str]:
    out = []
    if audio.filled_gap_seconds >= 0.5:
        out.append(
            f"the audio track has gaps ({audio.filled_gap_seconds:.1f}s in total); "
            "they were filled with silence to keep times aligned with the video"
        )
    if audio.skipped_packets:
        out.append(f"{audio.skipped_packets} damaged audio packets were skipped")
    return out
