"""The subtitle writers' options: the ``render_subtitles.layout`` config section."""

from __future__ import annotations

from clipora_core.api import Section
from pydantic import Field, field_validator

_COLOUR = r"^&H[0-9A-Fa-f]{8}$"


class SubtitleLayoutSettings(Section):
    max_line_chars_cjk: int = Field(
        16,
        ge=4,
        le=60,
        description="Longest subtitle line in Chinese/Japanese/Korean characters",
        json_schema_extra={
            "description_zh": "一行字幕最多几个中文（或日文、韩文）字，超过就分行。"
        },
    )
    max_line_chars_latin: int = Field(
        42,
        ge=10,
        le=120,
        description="Longest subtitle line in Latin characters (English)",
        json_schema_extra={"description_zh": "一行英文字幕最多几个字母（含空格），超过就分行。"},
    )
    cue_gap_fill_seconds: float = Field(
        0.4,
        ge=0,
        le=5,
        description="Keep a line on screen across pauses shorter than this",
        json_schema_extra={
            "description_zh": "说话停顿短于这么多秒时，字幕继续留在屏幕上，不会闪一下消失。单位：秒。"
        },
    )
    word_highlight: bool = Field(
        False,
        description="Burned-in captions light up each word (each character in Chinese) as it "
        "is spoken (ASS karaoke)",
        json_schema_extra={"description_zh": "烧进视频的字幕逐字变色，说到哪个字亮哪个字。"},
    )
    highlight_colour: str = Field(
        "&H0000E5FF",
        pattern=_COLOUR,
        description="Colour of the spoken words with word_highlight, ASS &HAABBGGRR (default yellow)",
        json_schema_extra={
            "description_zh": "逐字变色（word_highlight）时正在说的字的颜色，格式为 ASS 颜色 &HAABBGGRR（AA 是透明度，00 为不透明；之后依次是蓝、绿、红）。默认黄色。"
        },
    )
    text_colour: str | None = Field(
        None,
        pattern=_COLOUR,
        description="Colour of burned-in caption text, ASS &HAABBGGRR (default: the theme's white)",
        json_schema_extra={
            "description_zh": "烧进视频的字幕文字颜色，格式为 ASS 颜色 &HAABBGGRR（AA 是透明度，00 为不透明；之后依次是蓝、绿、红）。留空则用字幕样式自带的白色。"
        },
    )
    outline_colour: str | None = Field(
        None,
        pattern=_COLOUR,
        description="Colour of the caption outline, ASS &HAABBGGRR (default: the theme's black)",
        json_schema_extra={
            "description_zh": "字幕描边的颜色，格式为 ASS 颜色 &HAABBGGRR（AA 是透明度，00 为不透明；之后依次是蓝、绿、红）。留空则用字幕样式自带的黑色。"
        },
    )
    banner: bool = Field(
        False,
        description="A banner with the clip's product name, and its price when the seller's "
        "list gives one, across the top of burned-in clips (bottom when captions are at the top)",
        json_schema_extra={
            "description_zh": "在烧了字幕的短视频顶部加一条横幅，写上商品名，商品清单里有价格时也写上价格（字幕在顶部时横幅放到底部）。"
        },
    )
    banner_price_format: str = Field(
        "¥{price}",
        max_length=40,
        description="How the banner writes the price; {price} is the number",
        json_schema_extra={
            "description_zh": "横幅里价格的写法，{price} 会换成价格数字，如 ¥{price} 或 到手价{price}元。必须包含 {price}。"
        },
    )
    banner_colour: str = Field(
        "&H00303AE6",
        pattern=_COLOUR,
        description="Background of the banner, ASS &HAABBGGRR (default red)",
        json_schema_extra={
            "description_zh": "横幅的底色，格式为 ASS 颜色 &HAABBGGRR（AA 是透明度，00 为不透明；之后依次是蓝、绿、红）。默认红色。"
        },
    )

    @field_validator("banner_price_format")
    @classmethod
    def _price_format(cls, v: str) -> str:
        if "{price}" not in v:
            raise ValueError("banner_price_format must contain {price}")
        return v
