"""The core's own config sections. Plugins add theirs through ``register_config_sections``,
each at a path of its own (``asr.<backend>``, ``render.<renderer>``): a plugin never adds
fields to a kernel section or another plugin's."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from clipora_core.contracts import Product


class Section(BaseModel):
    """Base for config sections: unknown keys are errors, assignment is validated.

    Every field has a ``description=`` (its help in English: ``config init`` comments, the web
    settings page) and its Chinese help as ``json_schema_extra={"description_zh": "..."}``."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _csv(v: object) -> object:
    if isinstance(v, str):
        return [p.strip() for p in v.split(",") if p.strip()]
    return v


class PathsSettings(Section):
    workdir: Path = Field(
        Path("workdir"),
        description="Where job workspaces (<workdir>/<job-id>/) and caches are stored",
        json_schema_extra={
            "description_zh": "存放任务文件和缓存的文件夹，每个任务在里面有自己的子文件夹（<workdir>/<job-id>/）。"
        },
    )


class LoggingSettings(Section):
    level: Literal["debug", "info", "warning", "error"] = Field(
        "info",
        description="Terminal log level; the job log always records everything",
        json_schema_extra={
            "description_zh": "终端里显示多详细的日志：debug、info、warning 或 error。任务日志总是记录全部内容。"
        },
    )

    @field_validator("level", mode="before")
    @classmethod
    def _lower(cls, v: object) -> object:
        return v.lower() if isinstance(v, str) else v


class MediaSettings(Section):
    ffmpeg_path: Path | None = Field(
        None,
        description="ffmpeg binary every plugin runs (default: the one from the imageio-ffmpeg wheel)",
        json_schema_extra={
            "description_zh": "所有插件使用的 ffmpeg 程序的路径。留空则用随 imageio-ffmpeg 一起安装的 ffmpeg。"
        },
    )


class InspectSettings(Section):
    prober: str = Field(
        "",
        description="Media prober used by the inspect stage",
        json_schema_extra={
            "description_zh": "“检查视频”这一步读取视频信息（时长、分辨率等）用的工具。"
        },
    )
    remux_containers: list[str] = Field(
        default_factory=lambda: ["flv", "mpegts", "ts", "m2ts", "mts"],
        description="Containers remuxed once (stream copy) to a seekable MP4 before analysis",
        json_schema_extra={
            "description_zh": "这些格式的录像（如 flv、ts）分析前先原样转存一次为可以快进快退的 MP4（不重新编码，画质不变）。多个用逗号分隔。"
        },
    )

    _split = field_validator("remux_containers", mode="before")(_csv)


class CleaningSettings(Section):
    enabled: bool = Field(
        False,
        description="Remove unwanted spans (e.g. frozen video) first",
        json_schema_extra={
            "description_zh": "先去掉不需要的部分（如画面卡住不动的地方），再找商品片段。"
        },
    )
    cleaners: list[str] = Field(
        default_factory=list,
        description="Cleaners to run, in order",
        json_schema_extra={
            "description_zh": "要运行的清理工具，按填写的顺序执行（`clipora plugins list` 列出已安装的）。多个用逗号分隔。"
        },
    )

    _split = field_validator("cleaners", mode="before")(_csv)


class ASRSettings(Section):
    mode: str = Field(
        "",
        description="Speech-to-text backend (`clipora plugins list` shows them)",
        json_schema_extra={
            "description_zh": "把直播里的话转成文字的方式，可选的来自已安装的插件：例如本机识别（不联网）、云端识别（更准，但需要密钥），或直接用上传的字幕稿。"
        },
    )
    language: str = Field(
        "auto",
        description="Spoken language: auto, zh, en, ... (auto detects it)",
        json_schema_extra={"description_zh": "直播里说的语言：auto 自动判断，zh 中文，en 英文。"},
    )
    hotwords: list[str] = Field(
        default_factory=list,
        description="Product names and terms that improve recognition (comma-separated in env)",
        json_schema_extra={
            "description_zh": "容易认错的商品名和专业词，填上后语音识别更准。多个用逗号分隔。"
        },
    )
    cache: bool = Field(
        True,
        description="Reuse a transcript of the same audio and settings",
        json_schema_extra={
            "description_zh": "同一段音频、同样的设置已经识别过时，直接用上次的文字稿，不再重新识别。"
        },
    )
    span_seconds: float = Field(
        1200,
        ge=0,
        description="With an executor that runs on several machines (batch --executor ray), "
        "a longer recording is transcribed in spans of about this many seconds at once "
        "(0: in one piece)",
        json_schema_extra={
            "description_zh": "用多台机器批量处理（batch --executor ray）时，较长的录像按每段约这么多秒分开、同时识别。0 表示整段一起识别。单位：秒。"
        },
    )
    product_hotwords: bool = Field(
        True,
        description="Give product-list names to the ASR backend as hotwords",
        json_schema_extra={
            "description_zh": "把商品清单里的商品名作为热词交给语音识别，让商品名识别得更准。"
        },
    )

    _split = field_validator("hotwords", mode="before")(_csv)


class PosePresenceSettings(Section):
    enabled: bool = Field(
        False,
        description="Keep clips out of spans where the host is absent",
        json_schema_extra={"description_zh": "主播不在画面里的时段不做成短视频。"},
    )
    detector: str = Field(
        "",
        description="Presence detector to use",
        json_schema_extra={"description_zh": "判断主播在不在画面里用的检测工具。"},
    )
    sample_interval_seconds: float = Field(
        1.0,
        gt=0,
        description="Seconds between samples",
        json_schema_extra={"description_zh": "每隔多少秒看一帧画面，判断主播在不在。单位：秒。"},
    )
    min_presence_ratio: float = Field(
        0.9,
        ge=0,
        le=1,
        description="Share of samples in a window that must show the host",
        json_schema_extra={
            "description_zh": "一段内容里至少要有多大比例的画面能看到主播（0 到 1，0.9 即 90%）；达不到时只留下主播在画面里的部分。"
        },
    )
    max_absent_gap_seconds: float = Field(
        3.0,
        gt=0,
        description="Longest absence tolerated inside a window",
        json_schema_extra={
            "description_zh": "一段内容里主播一次最多离开画面几秒还算在场；离开更久时只留下主播在画面里的部分。单位：秒。"
        },
    )


class AnalysisSettings(Section):
    video_type: str = Field(
        "",
        description="Video type analyzer to use",
        json_schema_extra={
            "description_zh": "按哪种视频类型来分析和切片（`clipora plugins list` 列出已安装的）。"
        },
    )
    semantic_min_duration_seconds: float = Field(
        10.0,
        gt=0,
        # A flash sale or a quick pitch of 15-20 s is still a clip sellers post.
        description="Items shorter than this (summed windows) are dropped and listed",
        json_schema_extra={
            "description_zh": "一个商品的讲解加起来短于这么多秒时，不做成短视频，只列在舍弃清单里。单位：秒。"
        },
    )
    products: list[str | Product] = Field(
        default_factory=list,
        description="The seller's product list inline: 'name', 'name | alias | alias' or "
        "{name, aliases, price, start_seconds, end_seconds} (see README, Product list)",
        json_schema_extra={
            "description_zh": "直接在这里写商品清单，每行一个：'商品名'、'商品名 | 别名 | 别名'，或 {name, aliases, price, start_seconds, end_seconds}（见 README 的 Product list 一节）。"
        },
    )
    products_file: Path | None = Field(
        None,
        description="Product list file (.txt, .csv, .yaml, .json); wins over analysis.products, "
        "and --products wins over both",
        json_schema_extra={
            "description_zh": "商品清单文件（.txt、.csv、.yaml、.json）。新建任务时上传的清单优先。"
        },
    )
    pose_presence: PosePresenceSettings = Field(default_factory=PosePresenceSettings)

    _split = field_validator("products", mode="before")(_csv)


class ConcurrencySettings(Section):
    analyze: int = Field(
        1,
        gt=0,
        description="Parallel items during analyze",
        json_schema_extra={"description_zh": "挑选片段时同时处理几个商品。"},
    )
    render: int = Field(
        2,
        gt=0,
        description="Parallel clip renders (ffmpeg processes)",
        json_schema_extra={"description_zh": "同时生成几个短视频（即同时运行几个 ffmpeg）。"},
    )


class BatchSettings(Section):
    executor: str = Field(
        "",
        description="Where `clipora batch` runs its recordings (an executor's name: local, ray)",
        json_schema_extra={
            "description_zh": "`clipora batch` 批量处理录像时在哪里运行：local（本机）或 ray（Ray 集群，可用多台机器）。"
        },
    )
    recordings: int = Field(
        0,
        ge=0,
        description="Recordings worked on at once on one machine (0: one per 2 CPUs the executor has)",
        json_schema_extra={
            "description_zh": "一台机器上同时处理几个录像。0 表示按 CPU 数自动决定（每 2 个 CPU 一个）。"
        },
    )
    cpus_per_recording: float = Field(
        2.0,
        gt=0,
        description="CPUs one recording's unit asks the executor for",
        json_schema_extra={"description_zh": "处理一个录像要占用几个 CPU。"},
    )
    memory_mb_per_recording: int = Field(
        1536,
        gt=0,
        description="Memory (MB) one recording's unit asks the executor for",
        json_schema_extra={"description_zh": "处理一个录像要占用多少内存，单位 MB。"},
    )
    retries: int = Field(
        2,
        ge=0,
        le=10,
        description="Times a unit whose worker died (killed, out of memory) is run again before it counts as failed",
        json_schema_extra={
            "description_zh": "处理录像的进程意外退出（被终止、内存不足）时最多重做几次，超过才算失败。"
        },
    )
    thumbnails: bool = Field(
        True,
        description="A thumbnail per clip for the batch report",
        json_schema_extra={"description_zh": "在批量处理报告里给每个短视频配一张缩略图。"},
    )


class SubjectFramingSettings(Section):
    """How a crop follows the subjects when the renderer frames them (``fit: subject``)."""

    sample_seconds: float = Field(
        0.5,
        gt=0,
        le=5,
        description="Seconds between the frames looked at for the subjects",
        json_schema_extra={
            "description_zh": "跟着主播和商品裁切（fit 选 subject）时，每隔多少秒看一帧画面来找主播和商品的位置。单位：秒。"
        },
    )
    max_speed: float = Field(
        0.25,
        gt=0,
        le=5,
        description="Fastest the crop may move, in source widths (or heights) per second",
        json_schema_extra={
            "description_zh": "裁切框移动的最快速度，按原画面宽度（或高度）算：0.25 即每秒最多移动四分之一个宽度。"
        },
    )
    margin: float = Field(
        0.05,
        ge=0,
        le=0.3,
        description="Room kept around the subjects, as a share of the crop",
        json_schema_extra={
            "description_zh": "主播和商品四周留出的空间，占裁切画面的比例（0.05 即 5%）。"
        },
    )
    smoothing_seconds: float = Field(
        1.0,
        ge=0,
        le=10,
        description="Seconds over which the crop's moves are eased",
        json_schema_extra={"description_zh": "裁切框移动时用多少秒慢慢过渡；数值越大，镜头越稳。"},
    )
    min_fit: float = Field(
        0.7,
        ge=0,
        le=1,
        description=(
            "Share of a window's frames in which the subjects must fit the crop; below it the "
            "window shows the whole frame over a blurred copy"
        ),
        json_schema_extra={
            "description_zh": "一段画面里，至少要有多大比例的帧能把主播和商品都放进裁切框（0 到 1）；达不到时，这段改为显示完整画面，空白处用模糊的画面填满。"
        },
    )
    hands: bool = Field(
        True,
        description="Keep what the host holds toward the camera in frame too, not only the host",
        json_schema_extra={
            "description_zh": "裁切时也把主播拿向镜头的商品留在画面里，而不只跟着主播。"
        },
    )


class CoverSettings(Section):
    """A cover image per clip (``<clip>-cover.jpg`` beside it): its sharpest frame."""

    enabled: bool = Field(
        True,
        description="Write a cover image beside each clip",
        json_schema_extra={"description_zh": "给每个短视频做一张封面图（最清晰的一帧）。"},
    )
    overlay_title: bool = Field(
        False,
        description="Write the clip's title (the product name) on the cover",
        json_schema_extra={"description_zh": "在封面图上写上短视频的标题（商品名）。"},
    )
    title_position: Literal["top", "bottom"] = Field(
        "bottom",
        description="Where the title goes on the cover: top or bottom",
        json_schema_extra={"description_zh": "标题写在封面的哪里：top（顶部）或 bottom（底部）。"},
    )
    candidates: int = Field(
        6,
        ge=1,
        le=30,
        description="Frames compared for sharpness; the sharpest is the cover",
        json_schema_extra={"description_zh": "挑封面时比较几帧画面，最清晰的一帧做封面。"},
    )
    prefer_host: bool = Field(
        True,
        description="With pose_presence on, only frames where the host is on screen are candidates",
        json_schema_extra={
            "description_zh": "开启主播在场检测（pose_presence）时，只从主播在画面里的帧中挑封面。"
        },
    )


class ReviewSettings(Section):
    enabled: bool = Field(
        False,
        description="Stop after analyze so the clips can be reviewed and edited; "
        "`clipora render <job>` (or the web UI's review page) renders them afterwards",
        json_schema_extra={
            "description_zh": "选好片段后先停下，等你审核、修改后再生成视频：在网页的审核页面点渲染，或运行 `clipora render <job>`。"
        },
    )


class RenderSettings(Section):
    renderer: str = Field(
        "",
        description="Clip renderer",
        json_schema_extra={"description_zh": "生成短视频用的渲染工具。"},
    )
    playback_speed: float = Field(
        1.0,
        gt=0,
        le=4,
        description="Playback speed of clips",
        json_schema_extra={
            "description_zh": "短视频的播放速度：1 为原速，1.25 为快四分之一，最高 4。"
        },
    )
    cover: CoverSettings = Field(default_factory=CoverSettings)
    subject: SubjectFramingSettings = Field(default_factory=SubjectFramingSettings)


class RenderSubtitlesSettings(Section):
    mode: Literal["disabled", "sidecar_only", "both", "burned_only"] = Field(
        "sidecar_only",
        description="disabled | sidecar_only | both (sidecars + a -subtitled.mp4) | burned_only",
        json_schema_extra={
            "description_zh": "字幕烧进视频里（发布即可用），还是只给单独的字幕文件（.srt/.vtt，由剪辑师再加），或者不要字幕。"
        },
    )
    formats: list[str] = Field(
        default_factory=list,
        description="Sidecar subtitle formats (subtitle writers' names)",
        json_schema_extra={
            "description_zh": "单独字幕文件的格式，填字幕格式的名称（`clipora plugins list` 列出已安装的）。多个用逗号分隔。"
        },
    )
    position_preset: Literal["bottom", "top", "short_video_safe"] = Field(
        "bottom",
        description="Burn-in position: bottom, top, short_video_safe",
        json_schema_extra={
            "description_zh": "烧进视频的字幕放在哪里：底部、顶部，或避开短视频平台按钮的位置。"
        },
    )
    font_theme: Literal["default", "short_video_bold", "minimal"] = Field(
        "default",
        description="Burn-in font theme: default, short_video_bold, minimal",
        json_schema_extra={"description_zh": "烧进视频的字幕用什么样式：标准、短视频粗体或简约。"},
    )
    font_family: str | None = Field(
        None,
        description="Font family for burn-in (default: the bundled Noto Sans SC)",
        json_schema_extra={
            "description_zh": "烧进视频的字幕用的字体名称。留空则用自带的思源黑体（Noto Sans SC）。"
        },
    )
    fonts_dir: Path | None = Field(
        None,
        description="Folder with extra fonts for burn-in",
        json_schema_extra={
            "description_zh": "放额外字体文件的文件夹，烧字幕时可以使用里面的字体。"
        },
    )
    font_scale_multiplier: float = Field(
        1.0,
        gt=0,
        description="Scale subtitle size",
        json_schema_extra={
            "description_zh": "字幕大小的倍数：1 为默认大小，1.2 为大两成，0.8 为小两成。"
        },
    )

    @field_validator("formats", mode="before")
    @classmethod
    def _formats(cls, v: object) -> object:
        v = _csv(v)
        if isinstance(v, list):
            return [str(x).lower() for x in v]
        return v


CORE_SECTIONS: dict[str, type[BaseModel]] = {
    "paths": PathsSettings,
    "logging": LoggingSettings,
    "media": MediaSettings,
    "inspect": InspectSettings,
    "cleaning": CleaningSettings,
    "asr": ASRSettings,
    "analysis": AnalysisSettings,
    "concurrency": ConcurrencySettings,
    "batch": BatchSettings,
    "review": ReviewSettings,
    "render": RenderSettings,
    "render_subtitles": RenderSubtitlesSettings,
}


def core_section_paths() -> frozenset[str]:
    """Every kernel section path, nested ones included (``analysis.pose_presence``)."""
    out: set[str] = set()

    def walk(path: str, model: type[BaseModel]) -> None:
        out.add(path)
        for name, info in model.model_fields.items():
            sub = info.annotation
            if isinstance(sub, type) and issubclass(sub, Section):
                walk(f"{path}.{name}", sub)

    for path, model in CORE_SECTIONS.items():
        walk(path, model)
    return frozenset(out)
