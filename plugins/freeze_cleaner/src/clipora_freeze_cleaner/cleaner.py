"""The ``freeze`` cleaner: find frozen video, cut it out, say exactly what moved where."""

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
    TimeMapEntry,
    TimeWindow,
)

from clipora_freeze_cleaner.detect import detect_freezes
from clipora_freeze_cleaner.rebuild import rebuild
from clipora_freeze_cleaner.settings import FreezeCleanerSettings
from clipora_freeze_cleaner.timeline import (
    Span,
    drop_short,
    keep_intervals,
    merge_close,
    removal_spans,
    time_map,
)

OUTPUT_NAME = "active_source.mp4"
DETECT_SHARE = 0.2  # of the progress bar; the re-encode takes the rest


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
            on_progress=lambda f: progress.update(f * DETECT_SHARE),
            media=self.runtime.media,
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
        if not removed:
            progress.update(1.0)
            return CleanResult(
                effective_source_path=request.source_path,
                removed_intervals=[],
                keep_intervals=[TimeWindow(start_seconds=0.0, end_seconds=duration)]
                if duration > 0
                else [],
                time_map=[
                    TimeMapEntry(
                        source_start_seconds=0.0,
                        source_end_seconds=_r(duration),
                        cleaned_start_seconds=0.0,
                        cleaned_end_seconds=_r(duration),
                    )
                ]
                if duration > 0
                else [],
                summary=CleaningSummary(
                    enabled=True,
                    removed=False,
                    original_duration_seconds=_r(duration),
                    cleaned_duration_seconds=_r(duration),
                    cleaners=[self.name],
                ),
            )
        keeps = keep_intervals(removed, duration)
        if not keeps:
            raise StageError(
                f"the whole of {request.source_path.name} is frozen video; nothing would remain",
                hint="disable cleaning (cleaning.enabled: false) or raise "
                "cleaning.freeze.min_remove_duration_seconds",
            )
        out_path = request.out_dir / OUTPUT_NAME
        rebuild(
            request.source_path,
            keeps,
            out_path,
            has_audio=bool(probe.has_audio) if probe is not None else True,
            preset=opts.rebuild_preset,
            crf=opts.rebuild_crf,
            on_progress=lambda f: progress.update(DETECT_SHARE + f * (1 - DETECT_SHARE)),
            media=self.runtime.media,
        )
        progress.update(1.0)
        return CleanResult(
            effective_source_path=out_path,
            removed_intervals=_removal_records(removed, detected, opts),
            keep_intervals=[TimeWindow(start_seconds=_r(s), end_seconds=_r(e)) for s, e in keeps],
            time_map=[
                TimeMapEntry(
                    source_start_seconds=_r(s0),
                    source_end_seconds=_r(s1),
                    cleaned_start_seconds=_r(c0),
                    cleaned_end_seconds=_r(c1),
                )
                for s0, s1, c0, c1 in time_map(keeps)
            ],
            summary=CleaningSummary(
                enabled=True,
                removed=True,
                removed_interval_count=len(removed),
                removed_duration_seconds=_r(sum(e - s for s, e in removed)),
                original_duration_seconds=_r(duration),
                cleaned_duration_seconds=_r(sum(e - s for s, e in keeps)),
                cleaners=[self.name],
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
