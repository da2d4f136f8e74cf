"""Plugin entry point: registers the ``mediapipe`` presence detector and its config section.

Imports nothing heavy: MediaPipe, OpenCV, PyAV and numpy load only when detection runs.
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


@hookimpl
def register_presence_detectors(register: CapabilityRegistrar) -> None:
    register(
        Capability(
            kind=Kind.PRESENCE_DETECTOR,
            name="mediapipe",
            description="Host on screen or not, from MediaPipe Pose Landmarker (model shipped, offline)",
            factory="clipora_presence_mediapipe.detector:MediaPipePresenceDetector",
            devices=["cpu"],
            needs_network=False,
            config_keys=["analysis.pose_presence"],
            options="analysis.pose_presence.mediapipe",
            features={
                "model": "pose_landmarker_full (float16, bundled)",
                "statuses": ["present", "absent", "uncertain"],
                "runs": "local",
            },
        )
    )


@hookimpl
def register_config_sections(register: SectionRegistrar) -> None:
    register(
        ConfigSection(
            path="analysis.pose_presence.mediapipe",
            model="clipora_presence_mediapipe.settings:MediaPipePresenceSettings",
            moved={
                "analysis.pose_presence.model_path": "analysis.pose_presence.mediapipe.model_path"
            },
        )
    )


@hookimpl
def register_defaults(register: DefaultRegistrar) -> None:
    register(ConfigDefault(path="analysis.pose_presence.detector", value="mediapipe"))
