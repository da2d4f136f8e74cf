"""The ``analysis.pose_presence.mediapipe`` config section (pydantic only: imported by
``plugin.py``, so keep it light).

The shared switches (``enabled``, ``detector``, ``sample_interval_seconds``,
``min_presence_ratio``, ``max_absent_gap_seconds``) live in the core's ``analysis.pose_presence``;
these are the model file and the pose thresholds that only mean something for a landmark model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from clipora_core.api import Section
from pydantic import Field, model_validator

IdentityPolicy = Literal["largest_pose_wins", "any_pose_counts"]


class MediaPipePresenceSettings(Section):
    model_path: Path | None = Field(
        None,
        description="A pose_landmarker .task file to use instead of the bundled one (relative to this file)",
    )
    min_visible_landmarks: int = Field(
        8,
        ge=1,
        le=33,
        description="Landmarks (of 33) that must be visible to call the host present",
    )
    min_core_landmarks: int = Field(
        3,
        ge=1,
        le=5,
        description="Of nose, shoulders and hips (5), how many must be visible to call the host present",
    )
    min_pose_bbox_area_ratio: float = Field(
        0.02,
        gt=0,
        le=1,
        description="Smallest share of the frame the visible body may cover (filters tiny people far away)",
    )
    presence_score_threshold: float = Field(
        0.6, ge=0, le=1, description="Pose score at or above which a sample is 'present'"
    )
    uncertain_score_threshold: float = Field(
        0.35,
        ge=0,
        le=1,
        description="Pose score at or above which a sample below the presence bar is 'uncertain' (else 'absent')",
    )
    landmark_visibility: float = Field(
        0.5, ge=0, le=1, description="Visibility at or above which a landmark counts as visible"
    )
    max_poses: int = Field(
        1, ge=1, le=5, description="People to look for per frame (identity_policy picks one)"
    )
    identity_policy: IdentityPolicy = Field(
        "largest_pose_wins",
        description=(
            "With several people in frame, which one is the host: largest_pose_wins (the "
            "biggest body) or any_pose_counts (whichever pose scores best)"
        ),
    )
    max_frame_height: int = Field(
        480,
        ge=64,
        description="Frames are scaled down to this height before detection (speed; the model works at 256 px)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> MediaPipePresenceSettings:
        if self.min_core_landmarks > self.min_visible_landmarks:
            raise ValueError("min_core_landmarks must not exceed min_visible_landmarks")
        if self.uncertain_score_threshold > self.presence_score_threshold:
            raise ValueError("uncertain_score_threshold must not exceed presence_score_threshold")
        return self
