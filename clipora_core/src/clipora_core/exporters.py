"""What an ``exporter`` plugin implements: a job's clips as files an editor opens."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clipora_core.contracts import MediaProbe, TimeWindow
    from clipora_core.progress import StageProgress


@dataclass
class ExportClip:
    """One clip of the plan as an editor sees it: cuts of the original recording, in order."""

    clip_id: str
    title: str
    variant: str
    # The clip's pieces on the original recording's clock (cleaning already mapped through).
    cuts: list[TimeWindow]
    # The rendered mp4, when the job has rendered this clip (an editor may link it instead).
    rendered_path: Path | None = None


@dataclass
class ExportRequest:
    source_path: Path  # the original recording every cut refers to
    probe: MediaProbe  # the recording's (frame rate, size, duration)
    clips: list[ExportClip]
    out_dir: Path  # write here (the kernel made it)
    progress: StageProgress
    playback_speed: float = 1.0  # what the rendered clips use; timelines stay at 1.0


class Exporter(ABC):
    """What an ``exporter`` factory returns: a job's clips as files an editor opens."""

    @abstractmethod
    def export(self, request: ExportRequest) -> list[Path]:
        """Write the files (one timeline per clip, or one with every clip) and return them."""
