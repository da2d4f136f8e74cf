"""Fixtures for the Aliyun ASR tests: tiny media (made once), the local fake Aliyun server, and
settings that point the real oss2 and aliyunsdkcore clients at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aliyun_fake import FakeAliyun
from aliyun_support import (
    AK_ID,
    AK_SECRET,
    APP_KEY,
    BUCKET,
    DURATION,
    RecordingProgress,
    run_ffmpeg,
)
from clipora_core.capabilities import ASRRequest


@dataclass
class Media:
    video: Path  # 160x120 video with a 3 s 440 Hz tone
    silent_video: Path  # the same without an audio stream
    long_audio: Path  # 8 s of tone, audio only: large enough for a multipart upload


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> Media:
    tmp = tmp_path_factory.mktemp("aliyun-media")
    video = tmp / "live recording.mp4"
    run_ffmpeg(
        "-f", "lavfi", "-i", f"testsrc=size=160x120:rate=10:duration={DURATION}",
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={DURATION}",
        "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest",
        str(video),
    )  # fmt: skip
    silent = tmp / "no audio.mp4"
    run_ffmpeg(
        "-f", "lavfi", "-i", f"testsrc=size=160x120:rate=10:duration={DURATION}",
        "-c:v", "libx264", "-preset", "ultrafast", str(silent),
    )  # fmt: skip
    long_audio = tmp / "long.m4a"
    run_ffmpeg(
        "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=16000:duration=8",
        "-c:a", "aac", str(long_audio),
    )  # fmt: skip
    return Media(video, silent, long_audio)


@pytest.fixture
def fake() -> Iterator[FakeAliyun]:
    server = FakeAliyun(AK_ID, AK_SECRET, APP_KEY, BUCKET).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sections() -> list[Any]:
    from clipora_core.plugins import get_host

    return get_host().config_sections()


@pytest.fixture
def make_settings(tmp_path, fake, sections) -> Callable[..., Any]:
    from clipora_core.config import load_config

    config = tmp_path / "clipora.yaml"
    config.write_text("{}\n", encoding="utf-8")

    def make(**overrides: Any) -> Any:
        values = {
            "asr.mode": "aliyun",
            "asr.aliyun.access_key_id": AK_ID,
            "asr.aliyun.access_key_secret": AK_SECRET,
            "asr.aliyun.app_key": APP_KEY,
            "asr.aliyun.oss_endpoint": fake.url,
            "asr.aliyun.oss_bucket_name": BUCKET,
            "asr.aliyun.filetrans_endpoint": fake.url,
            "asr.aliyun.vocabulary_endpoint": fake.url,
            "asr.aliyun.poll_interval_seconds": 0.02,
            "asr.aliyun.max_poll_interval_seconds": 0.05,
            "asr.aliyun.max_wait_seconds": 10,
            "asr.aliyun.retry_delay_seconds": 0.01,
            "asr.aliyun.request_timeout_seconds": 5,
        }
        values.update({f"asr.aliyun.{k}": v for k, v in overrides.items()})
        values = {k: v for k, v in values.items() if v is not None}
        return load_config(config, overrides=values, environ={}, sections=sections).settings

    return make


@pytest.fixture(scope="session")
def backend_factory() -> Any:
    from clipora_core.capabilities import Kind
    from clipora_core.plugins import get_host

    return lambda settings: get_host().create(Kind.ASR, "aliyun", settings)


@pytest.fixture
def make_request(tmp_path) -> Callable[..., ASRRequest]:
    def make(media_path: Path, settings: Any, duration: float = DURATION, **kw: Any) -> ASRRequest:
        scratch = tmp_path / "job" / "semantic"
        scratch.mkdir(parents=True, exist_ok=True)
        return ASRRequest(
            media_path=media_path,
            duration_seconds=duration,
            scratch_dir=scratch,
            progress=RecordingProgress(),
            **kw,
        )

    return make
