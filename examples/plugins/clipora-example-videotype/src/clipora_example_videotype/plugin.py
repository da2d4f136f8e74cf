"""Hooks of the example plugin. Registering is cheap: the analyzer module is imported only when
a stage uses the ``even_chunks`` video type (``factory`` is a lazy import path)."""

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
def register_video_types(register: CapabilityRegistrar) -> None:
    register(
        Capability(
            kind=Kind.VIDEO_TYPE,
            name="even_chunks",
            description="Fixed-length chunks of speech, one clip each (talks, lectures)",
            factory="clipora_example_videotype.analyzer:EvenChunksAnalyzer",
            languages=["*"],
            # Config that changes the output, scoped to the stage that reads it ("stage:key"):
            # a new chunk length reruns discovery and everything after it, a new clip length
            # only the analyze stage (and render).
            config_keys=[
                "semantic_discover:analysis.even_chunks.chunk_seconds",
                "analyze:analysis.even_chunks.max_clip_seconds",
            ],
            # The factory receives this section (validated) as its options, and nothing else
            # of the configuration.
            options="analysis.even_chunks",
        )
    )


@hookimpl
def register_config_sections(register: SectionRegistrar) -> None:
    # A lazy 'module:Class' reference: pydantic and the model load only when config is read.
    register(
        ConfigSection(
            path="analysis.even_chunks",
            model="clipora_example_videotype.settings:EvenChunksSettings",
        )
    )
