"""The ``freeze`` cleaner: find frozen video and say exactly which spans to drop (the kernel
cuts them out of the timeline; nothing is re-encoded)."""

from __future__ import annotations

from clipora_core.api import (
    Cleaner,
    CleaningSummary,
    CleanRequest,
    CleanResult,
    InputError,
    PluginRuntime,
    RemovalInterval,
    StageError,
    TimeWindow,
)

from clipora_freeze_cleaner.detect import detect_freezes
from clipora_freeze_cleaner.settings import FreezeCleanerSettings
from clipora_freeze_cleaner.timeline import (
    Span,
    drop_short,
    keep_intervals,
    merge_close,
    removal_spans,
)


def _r(x: float) -> float:
    return round(x, 6)


class FreezeCleaner(Cleaner):
    name = "freeze"

    def __init__(
        self, options: FreezeCleanerSettings | None = None, runtime: PluginRuntime | None = None
    ) -> None:
        self.options = options or FreezeCleanerSettings()
        self.runtime = runtime or PluginRuntime()

    def clean(self, request: CleanRequest) -> CleanResult:
        opts = self.options
        probe = request.probe
        progress = request.progress
        if probe is not None and not probe.has_video and probe.streams:
            raise InputError(
                f"{request.source_path.name} has no video stream, so there is no frozen video "
                "to remove",
                hint="set cleaning.enabled: false for audio-only input",
            )
        duration = float(probe.duration_seconds or 0.0) if probe is not None else 0.0
        detected, seen = detect_freezes(
            request.source_path,
            opts.freezedetect_noise_db,
            opts.freezedetect_min_duration_seconds,
            duration_hint=duration,
            on_progress=progress.update,
            media=self.runtime.media,
            # Freezes this long are removed, so the fast path must never miss one.
            certain_seconds=opts.min_remove_duration_seconds,
        )
        duration = duration or seen
        removed = removal_spans(
            detected,
            duration,
            merge_gap=opts.merge_gap_seconds,
            min_remove=opts.min_remove_duration_seconds,
            min_keep=opts.min_keep_duration_seconds,
        )
        progress.info(
            "freeze detection done",
            detected=len(detected),
            removing=len(removed),
            removed_seconds=round(sum(e - s for s, e in removed), 3),
        )
        keeps = keep_intervals(removed, duration) if removed else [(0.0, duration)]
        if removed and not keeps:
            raise StageError(
                f"the whole of {request.source_path.name} is frozen video; nothing would remain",
                hint="disable cleaning (cleaning.enabled: false) or raise "
                "cleaning.freeze.min_remove_duration_seconds",
            )
        progress.update(1.0)
        kept = sum(e - s for s, e in keeps)
        return CleanResult(
            removed_intervals=_removal_records(removed, detected, opts),
            keep_intervals=[
                TimeWindow(start_seconds=_r(s), end_seconds=_r(e)) for s, e in keeps if e > s
            ],
            summary=CleaningSummary(
                enabled=True,
                removed=bool(removed),
                removed_interval_count=len(removed),
                removed_duration_seconds=_r(sum(e - s for s, e in removed)),
                original_duration_seconds=_r(duration),
                cleaned_duration_seconds=_r(kept),
                cleaners=[self.name],
                virtual=True,
            ),
        )


def _removal_records(
    removed: list[Span], detected: list[Span], opts: FreezeCleanerSettings
) -> list[RemovalInterval]:
    """Each removal with the merged detector span(s) inside it (they differ when a short keep
    was absorbed or the span was clamped to the source ends)."""
    merged = drop_short(
        merge_close(detected, opts.merge_gap_seconds), opts.min_remove_duration_seconds
    )
    out = []
    for start, end in removed:
        inside = [(s, e) for s, e in merged if s < end and e > start]
        det_start = min((s for s, _ in inside), default=start)
        det_end = max((e for _, e in inside), default=end)
        out.append(
            RemovalInterval(
                start_seconds=_r(start),
                end_seconds=_r(end),
                detected_start_seconds=_r(det_start),
                detected_end_seconds=_r(det_end),
                reason="frozen",
            )
        )
    return out
