"""Decode the frames to sample: one seek and one forward decode per window (PyAV).

The earlier tool ran one ffmpeg process per sample, seeking the input every time and writing
JPEGs to disk (reference-spec 10.4 #49). Here a window is decoded once from the keyframe before
its start, and only the sampled frames are converted (scaled down) to RGB arrays in memory.
Times are on the file's own timeline, zero at the container start, as ``ffmpeg -ss`` counts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
from clipora_core.api import InputError

# A frame counts as "at" a sample time if it starts no more than this before it (half a frame at
# 60 fps would be 8 ms; the slack also absorbs timestamp rounding in remuxed files).
_EARLY_SLACK = 0.02


@dataclass
class SampledFrame:
    timestamp_seconds: float  # the requested sample time
    frame_seconds: float  # when the decoded frame starts
    rgb: Any  # HxWx3 uint8, C-contiguous, display orientation


class VideoReader:
    """An open video file; ``frames_at`` samples one window."""

    def __init__(self, path: Path, max_height: int = 480) -> None:
        self.path = Path(path)
        self.max_height = max_height
        if not self.path.is_file():
            raise InputError(
                f"presence: video not found: {self.path}", hint="rerun clean/inspect for this job"
            )
        try:
            self.container = av.open(str(self.path), metadata_errors="ignore")
        except av.error.FFmpegError as exc:
            raise InputError(f"presence: cannot open video {self.path}: {exc}") from exc
        if not self.container.streams.video:
            self.container.close()
            raise InputError(f"presence: no video stream in {self.path}")
        self.stream = self.container.streams.video[0]
        self.stream.thread_type = "AUTO"
        start = self.container.start_time
        self.origin = start / 1_000_000 if start is not None else 0.0

    def close(self) -> None:
        self.container.close()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _seek(self, seconds: float) -> None:
        tb = self.stream.time_base
        target = seconds + self.origin
        if tb:
            self.container.seek(int(target / tb), stream=self.stream, backward=True)
        else:
            self.container.seek(int(target * 1_000_000), backward=True)

    def frames_at(self, times: Sequence[float]) -> Iterator[SampledFrame]:
        """Yield one frame per requested time (sorted), decoding forward from a single seek.

        Times past the end of the stream yield nothing; the caller notices the shortfall.
        """
        pending = sorted(times)
        if not pending:
            return
        try:
            self._seek(max(0.0, pending[0]))
            decoder = self.container.decode(self.stream)
            for frame in decoder:
                if frame.time is None:
                    continue
                t = float(frame.time) - self.origin
                # Several samples may fall on one frame (very low frame rates).
                while pending and t + _EARLY_SLACK >= pending[0]:
                    yield SampledFrame(pending.pop(0), t, self._rgb(frame))
                if not pending:
                    break
        except av.error.FFmpegError as exc:
            raise InputError(f"presence: cannot decode {self.path}: {exc}") from exc

    def _rgb(self, frame: Any) -> Any:
        width, height = frame.width, frame.height
        if height > self.max_height:
            width = max(2, round(width * self.max_height / height / 2) * 2)
            height = self.max_height
        rgb = frame.to_ndarray(format="rgb24", width=width, height=height)
        # Display matrix: counter-clockwise degrees; np.rot90 turns counter-clockwise too.
        turns = (round((getattr(frame, "rotation", 0) or 0) / 90)) % 4
        if turns:
            rgb = np.rot90(rgb, turns)
        return np.ascontiguousarray(rgb)
