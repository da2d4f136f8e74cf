"""The ``asr.aliyun`` config section (pydantic only: ``plugin.py`` imports it, so keep it light)."""

from __future__ import annotations

from typing import Literal

from clipora_core.api import Section
from pydantic import Field, SecretStr, field_validator

ENV_PREFIX = "CLIPORA_ASR__ALIYUN__"
REQUIRED_SECRETS = ("access_key_id", "access_key_secret", "app_key")
REQUIRED_PLAIN = ("oss_endpoint", "oss_bucket_name")


def env_name(key: str) -> str:
    return ENV_PREFIX + key.upper()


class AliyunASRSettings(Section):
    access_key_id: SecretStr = Field(
        SecretStr(""),
        description="Aliyun AccessKey ID (RAM user with OSS and NLS file-transcription access)",
        json_schema_extra={
            "description_zh": "阿里云 AccessKey ID（RAM 用户，需要有 OSS 和智能语音交互录音文件识别的权限）。"
        },
    )
    access_key_secret: SecretStr = Field(
        SecretStr(""),
        description="Aliyun AccessKey secret",
        json_schema_extra={"description_zh": "阿里云 AccessKey Secret。"},
    )
    app_key: SecretStr = Field(
        SecretStr(""),
        description="Appkey of the Intelligent Speech Interaction project (its model sets the language)",
        json_schema_extra={
            "description_zh": "智能语音交互项目的 Appkey（项目选的模型决定识别哪种语言）。"
        },
    )
    region_id: str = Field(
        "cn-beijing",
        description="Region of the file-transcription service",
        json_schema_extra={"description_zh": "录音文件识别服务所在的地域，如 cn-beijing。"},
    )
    filetrans_domain: str = Field(
        "filetrans.cn-beijing.aliyuncs.com",
        description="Host of the file-transcription API",
        json_schema_extra={"description_zh": "录音文件识别 API 的域名。"},
    )
    filetrans_endpoint: str = Field(
        "",
        description=(
            "Full URL override for the file-transcription API (scheme://host[:port]), e.g. a proxy "
            "or a test server; empty: https://<filetrans_domain>"
        ),
        json_schema_extra={
            "description_zh": "录音文件识别 API 的完整地址（scheme://host[:port]），如代理或测试服务器。留空则用 https://<filetrans_domain>。"
        },
    )
    api_version: str = Field(
        "2018-08-17",
        description="File-transcription API version",
        json_schema_extra={"description_zh": "录音文件识别 API 的版本号。"},
    )
    product: str = Field(
        "nls-filetrans",
        description="Product code sent with API requests",
        json_schema_extra={"description_zh": "API 请求里带的产品代码。"},
    )
    version: str = Field(
        "4.0",
        description="Task protocol version sent in the task (4.0)",
        json_schema_extra={"description_zh": "识别任务里带的协议版本号（4.0）。"},
    )
    enable_words: bool = Field(
        True,
        description="Ask for word timestamps (subtitles, emphasis)",
        json_schema_extra={"description_zh": "要求返回每个字词的时间（字幕、按词剪切要用）。"},
    )
    vocabulary_id: str = Field(
        "",
        description=(
            "Business hot-word list (vocabulary) id to use for every task, e.g. one made in the "
            "Aliyun console; when set, the job's hot words are not sent"
        ),
        json_schema_extra={
            "description_zh": "每个任务都使用的业务热词表 ID（如在阿里云控制台建的热词表）；填了以后不再发送任务自己的热词。"
        },
    )
    create_vocabulary: bool = Field(
        True,
        description=(
            "Without vocabulary_id: put asr.hotwords and the job's product names in a hot-word "
            "list of their own (POP API CreateAsrVocab), use it for the task, delete it afterwards"
        ),
        json_schema_extra={
            "description_zh": "没填 vocabulary_id 时：把 asr.hotwords 和本任务的商品名建成一个专用热词表（POP API CreateAsrVocab），识别时使用，用完删除。"
        },
    )
    vocabulary_weight: int = Field(
        3,
        ge=1,
        le=5,  # the API takes integers in [-6, 5]; negative ones suppress a word
        description="Weight of each hot word in that list (1-5; Aliyun calls 2 the usual value)",
        json_schema_extra={
            "description_zh": "这个热词表里每个热词的权重（1 到 5；阿里云建议通常用 2）。"
        },
    )
    vocabulary_domain: str = Field(
        "nls-slp.cn-shanghai.aliyuncs.com",
        description="Host of the hot-word list (POP) API",
        json_schema_extra={"description_zh": "热词表（POP）API 的域名。"},
    )
    vocabulary_endpoint: str = Field(
        "",
        description=(
            "Full URL override for the hot-word list API (scheme://host[:port]); empty: "
            "https://<vocabulary_domain>"
        ),
        json_schema_extra={
            "description_zh": "热词表 API 的完整地址（scheme://host[:port]）。留空则用 https://<vocabulary_domain>。"
        },
    )
    vocabulary_region_id: str = Field(
        "cn-shanghai",
        description="Region of the hot-word list API",
        json_schema_extra={"description_zh": "热词表 API 所在的地域。"},
    )
    vocabulary_api_version: str = Field(
        "2018-11-20",
        description="Hot-word list API version",
        json_schema_extra={"description_zh": "热词表 API 的版本号。"},
    )
    audio_sample_rate: Literal[8000, 16000] = Field(
        16000,
        description="Sample rate of the uploaded audio; must match the appkey's model",
        json_schema_extra={
            "description_zh": "上传音频的采样率（8000 或 16000），必须与 Appkey 所选模型一致。"
        },
    )
    audio_bitrate_kbps: int = Field(
        32,
        ge=8,
        le=160,  # the MPEG-2 layer III maximum at 16 kHz and 8 kHz
        description="MP3 bitrate of the uploaded mono audio (32: about 14 MB/hour)",
        json_schema_extra={
            "description_zh": "上传的单声道 MP3 音频的码率（kbps）；32 大约每小时 14 MB。"
        },
    )
    oss_endpoint: str = Field(
        "",
        description="OSS endpoint URL, e.g. https://oss-cn-beijing.aliyuncs.com",
        json_schema_extra={
            "description_zh": "OSS 访问地址，如 https://oss-cn-beijing.aliyuncs.com。"
        },
    )
    oss_region: str = Field(
        "",
        description="OSS region for V4 signing; empty: taken from oss_endpoint (oss-<region>.…) or region_id",
        json_schema_extra={
            "description_zh": "OSS V4 签名用的地域。留空则从 oss_endpoint（oss-<地域>.…）或 region_id 中取。"
        },
    )
    oss_bucket_name: str = Field(
        "",
        description="Bucket the audio is uploaded to",
        json_schema_extra={"description_zh": "上传音频用的 OSS 存储桶（Bucket）名称。"},
    )
    oss_key_prefix: str = Field(
        "clipora/audio",
        description="Object key prefix for uploads",
        json_schema_extra={"description_zh": "上传的文件在 OSS 里的名称前缀（类似文件夹）。"},
    )
    signed_url_expires_seconds: int = Field(
        3600 * 6,
        gt=0,
        description="Lifetime of the signed download link given to the service",
        json_schema_extra={"description_zh": "交给识别服务的签名下载链接有效多少秒。"},
    )
    multipart_threshold_mb: float = Field(
        10.0,
        gt=0,
        description="Files at least this large upload in resumable parts",
        json_schema_extra={"description_zh": "文件达到这么多 MB 时分片上传（中断后可以接着传）。"},
    )
    multipart_part_size_mb: float = Field(
        5.0,
        ge=0.1,
        description="Part size of resumable uploads",
        json_schema_extra={"description_zh": "分片上传时每片多少 MB。"},
    )
    upload_attempts: int = Field(
        3,
        ge=1,
        description="Attempts per upload before giving up",
        json_schema_extra={"description_zh": "每次上传最多尝试几次，都失败才放弃。"},
    )
    retry_delay_seconds: float = Field(
        2.0,
        ge=0,
        description="Pause before retrying a failed upload (doubles each time)",
        json_schema_extra={"description_zh": "上传失败后等多少秒再重试（每次翻倍）。"},
    )
    request_timeout_seconds: float = Field(
        30.0,
        gt=0,
        description="Connect/read timeout of each HTTP request",
        json_schema_extra={"description_zh": "每个 HTTP 请求连接和读取的超时时间。单位：秒。"},
    )
    poll_interval_seconds: float = Field(
        5.0,
        gt=0,
        description="First pause between task status polls",
        json_schema_extra={"description_zh": "查询识别任务进度的起始间隔。单位：秒。"},
    )
    max_poll_interval_seconds: float = Field(
        30.0,
        gt=0,
        description="Longest pause between polls (the pause grows 1.5x per poll)",
        json_schema_extra={
            "description_zh": "查询任务进度的最长间隔（秒）；间隔每次变为 1.5 倍，直到这个值。"
        },
    )
    max_wait_seconds: float = Field(
        3 * 3600.0,
        gt=0,
        description="Give up when the task has not finished this long after submission",
        json_schema_extra={"description_zh": "任务提交后超过这么多秒还没完成就放弃。"},
    )
    keep_uploaded_audio: bool = Field(
        False,
        description="Keep the uploaded audio in OSS (default: deleted after the task)",
        json_schema_extra={
            "description_zh": "识别完成后把上传的音频留在 OSS 里（默认识别完就删除）。"
        },
    )

    @field_validator("oss_endpoint", "filetrans_endpoint", "vocabulary_endpoint")
    @classmethod
    def _url(cls, v: str) -> str:
        v = v.strip().rstrip("/")
        if v and not v.startswith(("http://", "https://")):
            raise ValueError("must be an http(s):// URL")
        return v

    @field_validator("oss_key_prefix")
    @classmethod
    def _prefix(cls, v: str) -> str:
        return v.strip().strip("/")

    def missing(self) -> list[str]:
        """Required keys that are empty, as dotted config keys."""
        out = [k for k in REQUIRED_SECRETS if not getattr(self, k).get_secret_value().strip()]
        out += [k for k in REQUIRED_PLAIN if not str(getattr(self, k)).strip()]
        return [f"asr.aliyun.{k}" for k in out]

    def secrets(self) -> list[str]:
        """Secret values, for scrubbing any text that leaves this plugin."""
        return [v for k in REQUIRED_SECRETS if (v := getattr(self, k).get_secret_value().strip())]
