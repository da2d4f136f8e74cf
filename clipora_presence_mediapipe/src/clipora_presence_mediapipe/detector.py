"""The ``mediapipe`` presence detector: MediaPipe Pose Landmarker over sampled frames.

One detector object holds one landmarker for its whole life (a job): it is created on the first
``detect`` and released by ``close()`` (or leaving a ``with`` block). Calls from several threads
share it under a lock; MediaPipe graphs are not safe to run concurrently.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from clipora_core.api import (
    InputError,
    PluginRuntime,
    PresenceDetector,
    PresenceRequest,
    PresenceSample,
    SubjectSample,
)

from clipora_presence_mediapipe.sampling import sample_times
from clipora_presence_mediapipe.scoring import classify
from clipora_presence_mediapipe.settings import MediaPipePresenceSettings

BUNDLED_MODEL = "pose_landmarker_full.task"
DETECTOR_NAME = "mediapipe"


def bundled_model_path() -> Path:
    """The Pose Landmarker (full) model shipped inside this package (see NOTICE)."""
    path = Path(str(resources.files("clipora_presence_mediapipe") / "models" / BUNDLED_MODEL))
    if not path.is_file():
        raise InputError(
            f"presence: the bundled pose model is missing ({path})",
            hint="reinstall clipora-presence-mediapipe or set analysis.pose_presence.mediapipe.model_path",
        )
    return path


class MediaPipePresenceDetector(PresenceDetector):
    """``detect(request) -> list[PresenceSample]``; one landmarker per object, closed by ``close``."""

    name = DETECTOR_NAME

    def __init__(
        self,
        options: MediaPipePresenceSettings | None = None,
        runtime: PluginRuntime | None = None,
    ) -> None:
        self.cfg = options or MediaPipePresenceSettings()
        self.model_path = Path(self.cfg.model_path) if self.cfg.model_path else None
        self._landmarker: Any = None
        self._lock = threading.Lock()
        self._closed = False
        self._warm = False
        self.stats = {"frames": 0, "detect_seconds": 0.0, "decode_seconds": 0.0, "windows": 0}

    # --- lifecycle ---------------------------------------------------------------------------

    def model_file(self) -> Path:
        if self.model_path is None:
            return bundled_model_path()
        if not self.model_path.is_file():
            raise InputError(
                f"analysis.pose_presence.mediapipe.model_path {self.model_path} is not a file",
                hint="point it at a MediaPipe pose_landmarker .task file, or leave it empty to use the bundled model",
            )
        return self.model_path

    def _ensure_landmarker(self) -> Any:
        if self._closed:
            raise RuntimeError("this presence detector was closed")
        if self._landmarker is None:
            self._landmarker = _create_landmarker(self.model_file(), self.cfg)
        return self._landmarker

    def close(self) -> None:
        with self._lock:
            landmarker, self._landmarker = self._landmarker, None
            self._closed = True
        if landmarker is not None:
            with _captured_stderr():
                landmarker.close()

    def __enter__(self) -> MediaPipePresenceDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- detection ---------------------------------------------------------------------------

    def detect_rgb(self, rgb: Any) -> list[list[Any]]:
        """Pose landmarks of every person found in one HxWx3 uint8 RGB image."""
        import mediapipe as mp
        import numpy as np

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        with self._lock:
            landmarker = self._ensure_landmarker()
            if self._warm:
                result = landmarker.detect(image)
            else:
                # The first inference prints LiteRT warnings (memory alignment, logging
                # before InitGoogle) straight to fd 2, through the progress bars.
                with _captured_stderr():
                    result = landmarker.detect(image)
                self._warm = True
        return list(result.pose_landmarks or [])

    def detect(self, request: PresenceRequest) -> list[PresenceSample]:
        samples = [self._classify_frame(f) for f in self._frames(request, "presence sampling")]
        samples.sort(key=lambda s: s.timestamp_seconds)
        return samples

    def locate(self, request: PresenceRequest) -> list[SubjectSample]:
        """The host's body and raised hands from the pose; where no pose is found, the region
        that stands out most (spectral-residual saliency), e.g. a product shown on its own."""
        from clipora_presence_mediapipe.subjects import pose_boxes, salient_box

        out: list[SubjectSample] = []
        for frame in self._frames(request, "locating subjects"):
            boxes = pose_boxes(self.detect_rgb(frame.rgb), self.cfg)
            if not boxes:
                found = salient_box(frame.rgb)
                boxes = [found] if found is not None else []
            out.append(SubjectSample(timestamp_seconds=frame.timestamp_seconds, boxes=boxes))
        out.sort(key=lambda s: s.timestamp_seconds)
        return out

    def _frames(self, request: PresenceRequest, what: str) -> Iterator[Any]:
        """The request's sampled frames, in window order, with progress."""
        from clipora_presence_mediapipe.frames import VideoReader

        interval = float(request.sample_interval_seconds)
        if interval <= 0:
            raise InputError("presence: sample_interval_seconds must be positive")
        plan = [
            sample_times(float(w.start_seconds), float(w.end_seconds), interval)
            for w in sorted(request.windows, key=lambda w: w.start_seconds)
        ]
        total = sum(len(times) for times in plan)
        if total == 0:
            return
        progress = request.progress
        progress.update(0, total)
        with self._lock:
            self._ensure_landmarker()  # fail on a bad model before decoding anything
        progress.info(
            what,
            detector=self.name,
            windows=len(plan),
            samples=total,
            sample_interval_seconds=interval,
            identity_policy=self.cfg.identity_policy,
        )
        seen: set[float] = set()
        done = missing = 0
        with VideoReader(request.source_path, self.cfg.max_frame_height) as reader:
            for window_times in plan:
                times = [t for t in window_times if t not in seen]
                seen.update(times)
                got = 0
                t0 = time.perf_counter()
                for frame in reader.frames_at(times):
                    t1 = time.perf_counter()
                    self.stats["decode_seconds"] += t1 - t0
                    yield frame
                    t0 = time.perf_counter()
                    self.stats["detect_seconds"] += t0 - t1
                    got += 1
                    done += 1
                    progress.update(done, total)
                self.stats["windows"] += 1
                missing += len(times) - got
        if missing:
            progress.warning(
                f"presence: {missing} sample time(s) lie past the end of the video; not judged"
            )
        self.stats["frames"] += done
        progress.update(total, total)

    def _classify_frame(self, frame: Any) -> PresenceSample:
        poses = self.detect_rgb(frame.rgb)
        verdict = classify(poses, self.cfg)
        m = verdict.metrics
        return PresenceSample(
            timestamp_seconds=frame.timestamp_seconds,
            status=verdict.status,
            score=round(verdict.score, 4),
            reason=verdict.reason,
            metadata={
                "frame_seconds": round(frame.frame_seconds, 3),
                "visible_landmark_count": m.visible_landmark_count,
                "core_landmark_count": m.core_landmark_count,
                "pose_bbox_area_ratio": round(m.bbox_area_ratio, 4),
                "pose_bbox": {k: round(v, 4) for k, v in m.bbox.items()} if m.bbox else None,
                "mean_visibility": round(m.mean_visibility, 4),
                "candidate_count": verdict.candidate_count,
                "identity_policy": self.cfg.identity_policy,
            },
        )


@contextlib.contextmanager
def _captured_stderr() -> Iterator[Callable[[], str]]:
    """Send file descriptor 2 to a temp file for the duration (native code writes there).

    MediaPipe's LiteRT runtime prints dozens of INFO/WARNING lines while loading a model and
    has no switch for it; they would tear through the terminal's progress bars. What it said
    is available to the caller (for an error message) through the yielded function.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield lambda: (sink.seek(0), sink.read().decode("utf-8", "replace"))[1]
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _create_landmarker(model: Path, cfg: MediaPipePresenceSettings) -> Any:
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)),
        running_mode=vision.RunningMode.IMAGE,
        num_poses=cfg.max_poses,
        min_pose_detection_confidence=0.5,
        min_pose_presence_confidence=0.5,
        min_tracking_confidence=0.5,
        output_segmentation_masks=False,
    )
    with _captured_stderr() as said:
        try:
            return vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            detail = " ".join(str(exc).split())[:200]
            native = [
                line for line in said().splitlines() if "ERROR" in line or line.startswith("E")
            ]
            if native:
                detail += " | " + " ".join(native[-1].split())[:200]
            raise InputError(
                f"presence: cannot load pose model {model}: {detail}",
                hint="analysis.pose_presence.mediapipe.model_path must be a MediaPipe pose_landmarker .task file",
            ) from exc
