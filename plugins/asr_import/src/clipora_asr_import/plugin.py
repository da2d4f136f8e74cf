"""Plugin entry point: registers the ``import`` ASR backend and its ``asr.imported`` section.

(The section cannot be called ``asr.import``: ``import`` is not a valid Python attribute name.)
Imports nothing heavy: pysubs2 loads only when a file is imported.
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


@hookimpl
def register_asr_backends(register: CapabilityRegistrar) -> None:
    register(
        Capability(
            kind=Kind.ASR,
            name="import",
            description="Use an existing .srt, .vtt or Whisper/WhisperX .json transcript (any language)",
            factory="clipora_asr_import.backend:ImportedTranscriptBackend",
            languages=["*"],
            formats=["srt", "vtt", "ass", "json"],
            devices=["cpu"],
            needs_network=False,
            config_keys=["asr.imported"],
            options="asr.imported",
            features={
                "word_timestamps": "when the file has them",
                "runs": "local",
                # Reads a file, not the audio; re-reading it is cheaper than a cache entry.
                "needs_audio": False,
                "cacheable": False,
            },
        )
    )


@hookimpl
def register_config_sections(register: SectionRegistrar) -> None:
    # Lazy reference: pydantic is imported only when config is loaded.
    register(
        ConfigSection(path="asr.imported", model="clipora_asr_import.settings:ImportedASRSettings")
    )
