"""Framing clips around their subjects for a renderer that crops (``Renderer.subject_crop``):
the configured presence detector locates the host and the product in a clip's windows, and
``reframe`` plans the crop's path through each window."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from clipora_core.capabilities import Kind, PresenceRequest, WindowFraming
from clipora_core.contracts import MediaProbe, TimeWindow
from clipora_core.errors import ConfigError
from clipora_core.progress import StageProgress
from clipora_core.reframe import FramingOptions, plan_framing

if TYPE_CHECKING:
    from clipora_core.stages.base import StageContext


class SubjectFramer:
    def __init__(
        self, ctx: StageContext, probe: MediaProbe, crop: tuple[int, int], locator: Any
    ) -> None:
        self.ctx = ctx
        self.size = (int(probe.video_width or 1280), int(probe.video_height or 720))
        self.crop = crop
        self.locator = locator  # None: no detector installed, clips are cropped at the centre
        self._lock = threading.Lock()
        self._warned = False

    @classmethod
    def start(cls, ctx: StageContext, probe: MediaProbe, crop: tuple[int, int]) -> SubjectFramer:
        name = ctx.settings.analysis.pose_presence.detector
        try:
            locator = ctx.instance(Kind.PRESENCE_DETECTOR, name, "analysis.pose_presence.detector")
        except ConfigError:
            locator = None
        return cls(ctx, probe, crop, locator)

    def frame(
        self, cuts: Sequence[TimeWindow], metadata: dict[str, Any], progress: StageProgress
    ) -> list[WindowFraming]:
        """A framing per cut (windows in the file the renderer reads); what was decided goes
        into the clip's ``metadata`` under ``framing``."""
        cfg = self.ctx.settings.render.subject
        samples = None
        if self.locator is not None:
            samples = self.locator.locate(
                PresenceRequest(
                    source_path=self.ctx.job.effective_source,
                    windows=list(cuts),
                    sample_interval_seconds=cfg.sample_seconds,
                    progress=progress,
                )
            )
        if samples is None:
            with self._lock:
                warn, self._warned = not self._warned, True
            if warn:
                progress.warning(
                    "no presence detector here can locate the host; clips are cropped at the "
                    "centre (install a presence plugin that can, then render with --force)"
                )
        opts = FramingOptions(
            max_speed=cfg.max_speed,
            margin=cfg.margin,
            smoothing_seconds=cfg.smoothing_seconds,
            min_fit=cfg.min_fit,
            hands=cfg.hands,
        )
        plans = plan_framing(cuts, samples or [], self.size, self.crop, opts)
        metadata["framing"] = {
            "crop": list(self.crop),
            "located": samples is not None,
            "windows": [
                {
                    "mode": p.framing.mode,
                    "samples": p.samples,
                    "fitting": p.fitting,
                    "keys": [list(k) for k in p.framing.keys],
                }
                for p in plans
            ],
        }
        return [p.framing for p in plans]

    def close(self) -> None:
        """Release the detector (a model held in memory)."""
        locator, self.locator = self.locator, None
        if locator is not None:
            locator.close()
