"""Host presence inside an item's windows, from the configured detector (one per analyze run)."""

from __future__ import annotations

import threading
from typing import Any

from clipora_core.capabilities import Kind, PresenceRequest
from clipora_core.contracts import PresenceReport, SemanticItemInterval
from clipora_core.progress import StageProgress
from clipora_core.stages.base import StageContext
from clipora_core.timeline import presence_windows, to_effective_time, to_original_windows


class PresenceSampler:
    def __init__(self, ctx: StageContext) -> None:
        self.ctx = ctx
        self.cfg = ctx.settings.analysis.pose_presence
        self._detector: Any = None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return bool(self.cfg.enabled)

    def report(self, item: SemanticItemInterval, progress: StageProgress) -> PresenceReport:
        cfg, job = self.cfg, self.ctx.job
        with self._lock:
            if self._detector is None:
                self._detector = self.ctx.instance(
                    Kind.PRESENCE_DETECTOR, cfg.detector, "analysis.pose_presence.detector"
                )
            detector = self._detector
        # The detector reads the recording itself: the item's windows on its clock, and the
        # samples back on the cleaned timeline.
        cut = self.ctx.media_time_map()
        samples = detector.detect(
            PresenceRequest(
                source_path=job.effective_source,
                windows=to_original_windows(item.windows, cut) if cut else item.windows,
                sample_interval_seconds=cfg.sample_interval_seconds,
                progress=progress,
                out_dir=job.path("analysis/presence"),
            )
        )
        if cut:
            samples = [
                x.model_copy(
                    update={
                        "timestamp_seconds": round(to_effective_time(x.timestamp_seconds, cut), 6)
                    }
                )
                for x in samples
            ]
        present, absent = presence_windows(samples, cfg.sample_interval_seconds, item.windows)
        report = PresenceReport(
            semantic_item_id=item.id,
            detector=cfg.detector,
            sample_interval_seconds=cfg.sample_interval_seconds,
            samples=samples,
            present_windows=present,
            absent_windows=absent,
        )
        job.write_json(f"analysis/presence/{item.id}.json", report)
        return report

    def close(self) -> None:
        detector, self._detector = self._detector, None
        if detector is not None:
            detector.close()
