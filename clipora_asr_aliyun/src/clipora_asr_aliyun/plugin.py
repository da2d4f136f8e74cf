"""Plugin entry point: registers the ``aliyun`` ASR backend and its ``asr.aliyun`` section.

Imports nothing heavy: oss2, aliyunsdkcore and imageio-ffmpeg load only when a transcription runs.
"""

from __future__ import annotations

from clipora_core.api import (
    Capability,
    CapabilityRegistrar,
    ConfigSection,
    Kind,
    SectionRegistrar,
    hookimpl,
)

# The task carries no language: the appkey's project model decides it. Mandarin and English are
# the models this plugin is used with; Cantonese, Japanese, ... need a project with that model.
LANGUAGES = ["zh", "en"]
# Keys that change the transcript (timeouts, retries, endpoints and clean-up do not).
OUTPUT_KEYS = [
    "asr.aliyun.app_key",
    "asr.aliyun.version",
    "asr.aliyun.enable_words",
    "asr.aliyun.vocabulary_id",
    "asr.aliyun.create_vocabulary",
    "asr.aliyun.vocabulary_weight",
    "asr.aliyun.audio_sample_rate",
    "asr.aliyun.audio_bitrate_kbps",
]


@hookimpl
def register_asr_backends(register: CapabilityRegistrar) -> None:
    register(
        Capability(
            kind=Kind.ASR,
            name="aliyun",
            description=(
                "Aliyun Intelligent Speech Interaction file transcription "
                "(compressed audio uploaded to your OSS bucket)"
            ),
            factory="clipora_asr_aliyun.backend:AliyunFileTransBackend",
            languages=LANGUAGES,
            devices=["cloud"],
            needs_network=True,
            needs_credentials=True,
            config_keys=OUTPUT_KEYS,
            options="asr.aliyun",
            features={"word_timestamps": "when enable_words", "runs": "cloud"},
        )
    )


@hookimpl
def register_config_sections(register: SectionRegistrar) -> None:
    register(
        ConfigSection(path="asr.aliyun", model="clipora_asr_aliyun.settings:AliyunASRSettings")
    )
