"""The ffmpeg renderer's options: the ``render.ffmpeg`` config section.

Kept free of heavy imports: the plugin module imports it to register the section."""

from __future__ import annotations

import re
from typing import Literal

from clipora_core.api import Section
from pydantic import Field, field_validator


class RenderProfileSettings(Section):
    preset: Literal[
        "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower"
    ] = Field(
        "veryfast",
        description="libx264 preset for re-encoded video (speed vs. size)",
        json_schema_extra={
            "description_zh": "重新编码视频时 libx264 的速度档位：越快（如 ultrafast）生成越快但文件越大，越慢（如 slow）文件越小。"
        },
    )
    crf: int = Field(
        23,
        ge=0,
        le=51,
        description="libx264 CRF quality (lower is better, 18-28 typical)",
        json_schema_extra={
            "description_zh": "视频画质（libx264 CRF）：数字越小画质越好、文件越大，常用 18 到 28。"
        },
    )
    aspect: str | None = Field(
        None,
        description="Output aspect such as 9:16 or 1:1 (default: the source's)",
        json_schema_extra={
            "description_zh": "短视频的画面比例：与原视频相同、竖屏 9:16、方形 1:1 等。"
        },
    )
    fit: Literal["pad", "crop", "subject"] = Field(
        "pad",
        description=(
            "How the source fills an output of another aspect: pad (bars), crop (centre) or "
            "subject (a crop that follows the host and the product; see render.subject)"
        ),
        json_schema_extra={
            "description_zh": "画面比例与原视频不同时怎样填满：四周加边、从中间裁切，或跟着主播和商品裁切（推荐竖屏用）。"
        },
    )
    width: int | None = Field(
        None,
        gt=0,
        description="Output width in pixels (height follows the aspect if unset)",
        json_schema_extra={
            "description_zh": "输出视频的宽度（像素）。不填高度时，高度按画面比例算出。"
        },
    )
    height: int | None = Field(
        None,
        gt=0,
        description="Output height in pixels (width follows the aspect if unset)",
        json_schema_extra={
            "description_zh": "输出视频的高度（像素）。不填宽度时，宽度按画面比例算出。"
        },
    )
    frame_rate: float | None = Field(
        None,
        gt=0,
        le=120,
        description="Output frame rate (default: the source's, 15-60)",
        json_schema_extra={
            "description_zh": "输出视频每秒多少帧。留空则与原视频相同（原视频帧率不固定时，取 15 到 60 之间的常用帧率）。"
        },
    )
    audio_bitrate: str = Field(
        "128k",
        description="AAC audio bitrate, e.g. 128k",
        json_schema_extra={
            "description_zh": "声音（AAC）的码率，如 128k；越高音质越好，文件也越大。"
        },
    )
    threads: int = Field(
        0,
        ge=0,
        description="Threads per ffmpeg process (0: let ffmpeg decide)",
        json_schema_extra={
            "description_zh": "每个 ffmpeg 进程用几个线程（0：由 ffmpeg 自己决定）。"
        },
    )
    smart_cut: bool = Field(
        True,
        description="Copy whole GOPs and re-encode only window edges when no filter is needed",
        json_schema_extra={
            "description_zh": "不需要处理画面时，中间部分直接复制原视频，只重新编码片段的开头和结尾：生成更快，画质不损失。"
        },
    )

    @field_validator("aspect", mode="before")
    @classmethod
    def _aspect(cls, v: object) -> object:
        if v is None or (isinstance(v, str) and v.strip().lower() in {"", "none", "source"}):
            return None
        text = str(v).strip().replace("/", ":")
        m = re.fullmatch(r"(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)", text)
        if not m or float(m.group(1)) <= 0 or float(m.group(2)) <= 0:
            raise ValueError("aspect must look like 9:16, 16:9 or 1:1")
        return text

    @field_validator("audio_bitrate")
    @classmethod
    def _bitrate(cls, v: str) -> str:
        if not re.fullmatch(r"\d+(\.\d+)?[kKmM]?", v.strip()):
            raise ValueError("audio_bitrate must look like 128k")
        return v.strip()
