"""The fake capabilities' factories (each is called as ``factory(options, runtime)``, with
the ``fakes`` section as options)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from clipora_core.capabilities import (
    AnalyzerContext,
    ASRBackend,
    ASRRequest,
    Cleaner,
    CleanRequest,
    CleanResult,
    ClusterResult,
    DiscoveryResult,
    PresenceDetector,
    PresenceRequest,
    Prober,
    Renderer,
    RenderOutput,
    RenderRequest,
    SubtitleRequest,
    SubtitleWriter,
    VideoTypeAnalyzer,
)
from clipora_core.contracts import (
    CleaningSummary,
    DiscoveredInterval,
    EditPlanSegment,
    MediaProbe,
    PresenceSample,
    RemovalInterval,
    SemanticItemInterval,
    TimeWindow,
    Transcript,
    TranscriptSegment,
)
from clipora_core.errors import InputError
from clipora_core.fileio import write_json
from clipora_core.timeline import to_effective_time


def write_fake_video(
    path: Path, segments: list[tuple[float, float, str]], *, duration: float | None = None
) -> Path:
    """A JSON 'video' the fake prober and ASR understand."""
    payload = {
        "duration": duration if duration is not None else max(e for _, e, _ in segments),
        "segments": [{"start": s, "end": e, "text": t} for s, e, t in segments],
    }
    write_json(path, payload)
    return path


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(f"{Path(path).name} is not a fake video") from None


class FakeProber(Prober):
    def __init__(self, options: Any = None, runtime: Any = None) -> None:
        self.options = options
        self.runtime = runtime

    def probe(self, path: Path) -> MediaProbe:
        data = _read(path)
        return MediaProbe(
            duration_seconds=float(data["duration"]),
            path=str(path),
            container="json",
            has_video=True,
            has_audio=True,
            video_width=320,
            video_height=240,
        )

    def prepare(self, path: Path, probe: MediaProbe, out_dir: Path) -> Path | None:
        return None


class FakeASR(ASRBackend):
    def __init__(self, options: Any = None, runtime: Any = None) -> None:
        self.options = options
        self.runtime = runtime

    def transcribe(self, request: ASRRequest) -> Transcript:
        fakes = self.options
        self.scratch = request.scratch_dir
        (request.scratch_dir / "asr-started").write_text("started", encoding="utf-8")
        if fakes.asr.sleep_seconds:
            time.sleep(fakes.asr.sleep_seconds)
        if fakes.fail == "asr":
            raise RuntimeError("fake asr exploded")
        raw = [
            {**seg, "start": to_effective_time(seg["start"], request.time_map),
             "end": to_effective_time(seg["end"], request.time_map)}
            for seg in _read(request.media_path)["segments"]
        ]  # fmt: skip
        raw = [seg for seg in raw if seg["end"] > seg["start"]]
        request.progress.info("fake asr started", segments=len(raw))
        segments = []
        for i, seg in enumerate(raw):
            text = seg["text"].upper() if fakes.asr.uppercase else seg["text"]
            segments.append(
                TranscriptSegment(
                    id=f"seg-{i + 1:04d}",
                    start_seconds=seg["start"],
                    end_seconds=seg["end"],
                    text=text,
                )
            )
            request.progress.update(i + 1, len(raw))
        request.progress.warning("fake asr is not a real recognizer")
        return Transcript(segments=segments, language="en", backend="fake")

    def close(self) -> None:
        (self.scratch / "asr-closed").write_text("closed", encoding="utf-8")


class FakeCleaner(Cleaner):
    def __init__(self, options: Any = None, runtime: Any = None) -> None:
        self.options = options
        self.runtime = runtime

    def clean(self, request: CleanRequest) -> CleanResult:
        duration = request.probe.duration_seconds
        if not self.options.remove_span:
            return CleanResult(
                removed_intervals=[],
                keep_intervals=[TimeWindow(start_seconds=0, end_seconds=duration)],
                summary=CleaningSummary(enabled=True),
            )
        a, b = self.options.remove_span
        return CleanResult(
            removed_intervals=[
                RemovalInterval(
                    start_seconds=a,
                    end_seconds=b,
                    detected_start_seconds=a,
                    detected_end_seconds=b,
                    reason="fake",
                )
            ],
            keep_intervals=[
                TimeWindow(start_seconds=0, end_seconds=a),
                TimeWindow(start_seconds=b, end_seconds=duration),
            ],
            summary=CleaningSummary(enabled=True, removed=True, removed_interval_count=1),
        )


class FakeVideoType(VideoTypeAnalyzer):
    def __init__(self, options: Any = None, runtime: Any = None) -> None:
        self.options = options
        self.runtime = runtime

    def discover(self, ctx: AnalyzerContext) -> DiscoveryResult:
        if self.options.fail == "discover":
            raise RuntimeError("fake discover exploded")
        per = self.options.vt.segments_per_item
        segs = ctx.transcript.segments
        intervals = []
        for k, first in enumerate(range(0, len(segs), per), 1):
            chunk = segs[first : first + per]
            intervals.append(
                DiscoveredInterval(
                    id=f"interval-{k:03d}",
                    start_segment_number=first + 1,
                    end_segment_number=first + len(chunk),
                    title=chunk[0].text[:20],
                    start_seconds=chunk[0].start_seconds,
                    end_seconds=chunk[-1].end_seconds,
                )
            )
        return DiscoveryResult(intervals=intervals, debug={"segments_per_item": per})

    def cluster(self, ctx: AnalyzerContext, intervals: list[DiscoveredInterval]) -> ClusterResult:
        items = [
            SemanticItemInterval(
                id=f"semantic-item-{k:03d}",
                windows=[TimeWindow(start_seconds=i.start_seconds, end_seconds=i.end_seconds)],
                title=i.title,
            )
            for k, i in enumerate(intervals, 1)
        ]
        return ClusterResult(items=items)

    def analyze_item(
        self, ctx: AnalyzerContext, item: SemanticItemInterval
    ) -> list[EditPlanSegment]:
        start = item.windows[0].start_seconds
        end = min(item.windows[-1].end_seconds, start + self.options.vt.body_seconds)
        windows = [TimeWindow(start_seconds=start, end_seconds=end)]
        metadata: dict[str, Any] = {}
        report = getattr(ctx, "presence", {}).get(item.id)
        if report is not None:  # the runner ran the presence detector for this item
            metadata["present_windows"] = [w.model_dump() for w in report.present_windows]
        return [
            EditPlanSegment(
                id=f"clip-{item.id}",
                windows=windows,
                title=self.options.vt.clip_title or item.title,
                metadata=metadata,
            )
        ]


class FakeTextWriter(SubtitleWriter):
    def __init__(self, options: Any = None, runtime: Any = None) -> None:
        self.options = options
        self.runtime = runtime

    def write(self, request: SubtitleRequest) -> Path | None:
        lines = [
            s.text
            for s in request.transcript.segments
            for w in request.windows
            if s.start_seconds < w.end_seconds and s.end_seconds > w.start_seconds
        ]
        path = request.out_path.with_name(request.out_path.name + ".txt")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


class FakeRenderer(Renderer):
    def __init__(self, options: Any = None, runtime: Any = None) -> None:
        self.options = options
        self.runtime = runtime

    def render(self, request: RenderRequest) -> RenderOutput:
        if self.options.fail == "render":
            raise RuntimeError("fake renderer exploded")
        speed = request.playback_speed
        duration = sum(w.duration for w in request.windows) / speed
        write_json(
            request.out_path,
            {"windows": [w.model_dump() for w in request.windows], "speed": speed},
        )
        request.progress.update(1, 1)
        return RenderOutput(path=request.out_path, duration_seconds=duration)


class FakePresence(PresenceDetector):
    def __init__(self, options: Any = None, runtime: Any = None) -> None:
        self.options = options
        self.runtime = runtime

    def detect(self, request: PresenceRequest) -> list[PresenceSample]:
        samples = []
        for w in request.windows:
            t = w.start_seconds
            while t < w.end_seconds:
                samples.append(PresenceSample(timestamp_seconds=t, status="present", score=1.0))
                t += request.sample_interval_seconds
        request.progress.info("fake presence sampled", samples=len(samples))
        return samples


class DuckVideoType:
    """Quacks like a video type, but does not subclass the interface."""

    def __init__(self, options: Any = None, runtime: Any = None) -> None:
        self.options = options
        self.runtime = runtime

    def discover(self, ctx: Any) -> Any:
        raise AssertionError("never called")


from clipora_core.api import Executor  # noqa: E402 - the fakes above import nothing heavy


class FakeThreadExecutor(Executor):
    """Runs units on threads of this process (so the fake plugins registered here serve them);
    says its units are remote, so a recording's clips come back through it as units too."""

    remote = True

    def __init__(self, options: Any = None, runtime: Any = None) -> None:
        import concurrent.futures as cf

        self.pool = cf.ThreadPoolExecutor(max_workers=4)
        self.units: list[str] = []

    def submit(self, unit: Any) -> Any:
        from clipora_core.api import UnitResult, run_unit

        self.units.append(f"{unit.kind}:{unit.id}")
        return self.pool.submit(
            lambda: UnitResult.model_validate_json(
                run_unit(unit.model_dump_json(), worker="fake-thread")
            )
        )

    def cpus(self) -> float:
        return 2.0

    def check_shared(self, paths: Any) -> None:
        pass

    def run_waiting(self, work: Any) -> Any:
        return work()

    def describe(self) -> str:
        return "fake threads"

    def close(self) -> None:
        self.pool.shutdown(wait=False)


class FakeExporter:
    """Writes each clip's cuts as JSON (what a real format would put in a timeline)."""

    def __init__(self, options: Any = None, runtime: Any = None) -> None:
        pass

    def export(self, request: Any) -> list[Path]:
        out = request.out_dir / "cuts.json"
        write_json(
            out,
            {
                "source": str(request.source_path),
                "clips": [
                    {"id": c.clip_id, "cuts": [[w.start_seconds, w.end_seconds] for w in c.cuts]}
                    for c in request.clips
                ],
            },
        )
        return [out]


from clipora_core.api import Exporter  # noqa: E402

Exporter.register(FakeExporter)
