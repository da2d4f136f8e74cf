"""Plugin entry point: registers the ``local`` ASR backend and its ``asr.local`` section.

Imports nothing heavy: faster-whisper, PyAV and numpy load only when a transcription runs.
"""

from __future__ import annotations

from clipora_core.api import (
    Capability,
    CapabilityRegistrar,
    ConfigDefault,
    ConfigSection,
    DefaultRegistrar,
    Kind,
    SectionRegistrar,
    hookimpl,
)

# Whisper's multilingual set (faster_whisper.tokenizer._LANGUAGE_CODES), kept here so listing
# plugins does not import faster-whisper.
# fmt: off
WHISPER_LANGUAGES = [
    "af", "am", "ar", "as", "az", "ba", "be", "bg", "bn", "bo", "br", "bs", "ca", "cs", "cy",
    "da", "de", "el", "en", "es", "et", "eu", "fa", "fi", "fo", "fr", "gl", "gu", "ha", "haw",
    "he", "hi", "hr", "ht", "hu", "hy", "id", "is", "it", "ja", "jw", "ka", "kk", "km", "kn",
    "ko", "la", "lb", "ln", "lo", "lt", "lv", "mg", "mi", "mk", "ml", "mn", "mr", "ms", "mt",
    "my", "ne", "nl", "nn", "no", "oc", "pa", "pl", "ps", "pt", "ro", "ru", "sa", "sd", "si",
    "sk", "sl", "sn", "so", "sq", "sr", "su", "sv", "sw", "ta", "te", "tg", "th", "tk", "tl",
    "tr", "tt", "uk", "ur", "uz", "vi", "yi", "yo", "zh", "yue",
]
# fmt: on


@hookimpl
def register_asr_backends(register: CapabilityRegistrar) -> None:
    register(
        Capability(
            kind=Kind.ASR,
            name="local",
            description="Offline Whisper (faster-whisper); Whisper base ships with the package",
            factory="clipora_asr_local.backend:LocalWhisperBackend",
            languages=WHISPER_LANGUAGES,
            devices=["cpu", "cuda"],
            needs_network=False,
            config_keys=["asr.local"],
            options="asr.local",
            features={"word_timestamps": True, "runs": "local"},
        )
    )


@hookimpl
def register_config_sections(register: SectionRegistrar) -> None:
    # Lazy reference: pydantic is imported only when config is loaded.
    register(ConfigSection(path="asr.local", model="clipora_asr_local.settings:LocalASRSettings"))


@hookimpl
def register_defaults(register: DefaultRegistrar) -> None:
    register(ConfigDefault(path="asr.mode", value="local"))  # offline: no key, no network
