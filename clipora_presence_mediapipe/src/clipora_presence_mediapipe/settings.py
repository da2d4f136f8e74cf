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
        json_schema_extra={
            "description_zh": "代替自带模型使用的 pose_landmarker .task 文件（相对路径从本配置文件所在的文件夹算起）。"
        },
    )
    min_visible_landmarks: int = Field(
        8,
        ge=1,
        le=33,
        description="Landmarks (of 33) that must be visible to call the host present",
        json_schema_extra={
            "description_zh": "人体 33 个关键点中至少要看得见几个，才算主播在画面里。"
        },
    )
    min_core_landmarks: int = Field(
        3,
        ge=1,
        le=5,
        description="Of nose, shoulders and hips (5), how many must be visible to call the host present",
        json_schema_extra={
            "description_zh": "鼻子、两肩、两髋这 5 个点中至少要看得见几个，才算主播在画面里。"
        },
    )
    min_pose_bbox_area_ratio: float = Field(
        0.02,
        gt=0,
        le=1,
        description="Smallest share of the frame the visible body may cover (filters tiny people far away)",
        json_schema_extra={
            "description_zh": "看得见的身体至少占画面多大比例（0 到 1），用来排除远处很小的人。"
        },
    )
    presence_score_threshold: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Pose score at or above which a sample is 'present'",
        json_schema_extra={"description_zh": "姿态得分达到这个值时，这一帧算“在场”。"},
    )
    uncertain_score_threshold: float = Field(
        0.35,
        ge=0,
        le=1,
        description="Pose score at or above which a sample below the presence bar is 'uncertain' (else 'absent')",
        json_schema_extra={
            "description_zh": "姿态得分没到“在场”、但达到这个值时，算“不确定”（否则算“不在场”）。"
        },
    )
    landmark_visibility: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Visibility at or above which a landmark counts as visible",
        json_schema_extra={"description_zh": "关键点的可见度达到这个值才算看得见。"},
    )
    max_poses: int = Field(
        1,
        ge=1,
        le=5,
        description="People to look for per frame (identity_policy picks one)",
        json_schema_extra={
            "description_zh": "每帧最多找几个人（由 identity_policy 决定哪一个是主播）。"
        },
    )
    identity_policy: IdentityPolicy = Field(
        "largest_pose_wins",
        description=(
            "With several people in frame, which one is the host: largest_pose_wins (the "
            "biggest body) or any_pose_counts (whichever pose scores best)"
        ),
        json_schema_extra={
            "description_zh": "画面里有几个人时谁是主播：largest_pose_wins（身体最大的那个）或 any_pose_counts（姿态得分最高的那个）。"
        },
    )
    max_frame_height: int = Field(
        480,
        ge=64,
        description="Frames are scaled down to this height before detection (speed; the model works at 256 px)",
        json_schema_extra={
            "description_zh": "检测前先把画面缩小到这个高度（像素），加快速度；模型本身按 256 像素处理。"
        },
    )

    @model_validator(mode="after")
    def _consistent(self) -> MediaPipePresenceSettings:
        if self.min_core_landmarks > self.min_visible_landmarks:
            raise ValueError("min_core_landmarks must not exceed min_visible_landmarks")
        if self.uncertain_score_threshold > self.presence_score_threshold:
            raise ValueError("uncertain_score_threshold must not exceed presence_score_threshold")
        return self
