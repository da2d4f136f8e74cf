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
    )
    access_key_secret: SecretStr = Field(SecretStr(""), description="Aliyun AccessKey secret")
    app_key: SecretStr = Field(
        SecretStr(""),
        description="Appkey of the Intelligent Speech Interaction project (its model sets the language)",
    )
    region_id: str = Field("cn-beijing", description="Region of the file-transcription service")
    filetrans_domain: str = Field(
        "filetrans.cn-beijing.aliyuncs.com", description="Host of the file-transcription API"
    )
    filetrans_endpoint: str = Field(
        "",
        description=(
            "Full URL override for the file-transcription API (scheme://host[:port]), e.g. a proxy "
            "or a test server; empty: https://<filetrans_domain>"
        ),
    )
    api_version: str = Field("2018-08-17", description="File-transcription API version")
    product: str = Field("nls-filetrans", description="Product code sent with API requests")
    version: str = Field("4.0", description="Task protocol version sent in the task (4.0)")
    enable_words: bool = Field(True, description="Ask for word timestamps (subtitles, emphasis)")
    vocabulary_id: str = Field(
        "",
        description=(
            "Business hot-word list (vocabulary) id to use for every task, e.g. one made in the "
            "Aliyun console; when set, the job's hot words are not sent"
        ),
    )
    create_vocabulary: bool = Field(
        True,
        description=(
            "Without vocabulary_id: put asr.hotwords and the job's product names in a hot-word "
            "list of their own (POP API CreateAsrVocab), use it for the task, delete it afterwards"
        ),
    )
    vocabulary_weight: int = Field(
        3,
        ge=1,
        le=5,  # the API takes integers in [-6, 5]; negative ones suppress a word
        description="Weight of each hot word in that list (1-5; Aliyun calls 2 the usual value)",
    )
    vocabulary_domain: str = Field(
        "nls-slp.cn-shanghai.aliyuncs.com", description="Host of the hot-word list (POP) API"
    )
    vocabulary_endpoint: str = Field(
        "",
        description=(
            "Full URL override for the hot-word list API (scheme://host[:port]); empty: "
            "https://<vocabulary_domain>"
        ),
    )
    vocabulary_region_id: str = Field("cn-shanghai", description="Region of the hot-word list API")
    vocabulary_api_version: str = Field("2018-11-20", description="Hot-word list API version")
    audio_sample_rate: Literal[8000, 16000] = Field(
        16000, description="Sample rate of the uploaded audio; must match the appkey's model"
    )
    audio_bitrate_kbps: int = Field(
        32,
        ge=8,
        le=160,  # the MPEG-2 layer III maximum at 16 kHz and 8 kHz
        description="MP3 bitrate of the uploaded mono audio (32: about 14 MB/hour)",
    )
    oss_endpoint: str = Field(
        "", description="OSS endpoint URL, e.g. https://oss-cn-beijing.aliyuncs.com"
    )
    oss_region: str = Field(
        "",
        description="OSS region for V4 signing; empty: taken from oss_endpoint (oss-<region>.…) or region_id",
    )
    oss_bucket_name: str = Field("", description="Bucket the audio is uploaded to")
    oss_key_prefix: str = Field("clipora/audio", description="Object key prefix for uploads")
    signed_url_expires_seconds: int = Field(
        3600 * 6,
        gt=0,
        description="Lifetime of the signed download link given to the service",
    )
    multipart_threshold_mb: float = Field(
        10.0, gt=0, description="Files at least this large upload in resumable parts"
    )
    multipart_part_size_mb: float = Field(5.0, ge=0.1, description="Part size of resumable uploads")
    upload_attempts: int = Field(3, ge=1, description="Attempts per upload before giving up")
    retry_delay_seconds: float = Field(
        2.0, ge=0, description="Pause before retrying a failed upload (doubles each time)"
    )
    request_timeout_seconds: float = Field(
        30.0, gt=0, description="Connect/read timeout of each HTTP request"
    )
    poll_interval_seconds: float = Field(
        5.0, gt=0, description="First pause between task status polls"
    )
    max_poll_interval_seconds: float = Field(
        30.0, gt=0, description="Longest pause between polls (the pause grows 1.5x per poll)"
    )
    max_wait_seconds: float = Field(
        3 * 3600.0,
        gt=0,
        description="Give up when the task has not finished this long after submission",
    )
    keep_uploaded_audio: bool = Field(
        False, description="Keep the uploaded audio in OSS (default: deleted after the task)"
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
