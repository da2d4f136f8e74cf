"""The stage runner: composes clean -> inspect -> semantic_discover -> semantic_cluster ->
analyze -> render from the capabilities that config chooses.

Each stage records a fingerprint of its inputs (the upstream stage, the source file) and of the
config that affects it. A completed stage whose fingerprint still matches is reused; otherwise it
reruns, and every later stage is invalidated. ``--force`` reruns a stage regardless.
"""

from __future__ import annotations

import concurrent.futures as cf
import fnmatch
import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from clipora_core.capabilities import (
    AnalyzerContext,
    ASRRequest,
    Capability,
    CleanRequest,
    Kind,
    PresenceRequest,
)
from clipora_core.config import LoadedConfig
from clipora_core.contracts import (
    CleaningSummary,
    DiscoveredInterval,
    DroppedUnit,
    EditPlan,
    EditPlanSegment,
    ExecutionArtifact,
    ExecutionResult,
    ItemEditPlan,
    MediaProbe,
    PresenceReport,
    ProductList,
    SemanticItemInterval,
    SemanticItemSet,
    TimeMapEntry,
    Transcript,
)
from clipora_core.errors import CliporaError, InputError, StageError
from clipora_core.fileio import read_json, write_json
from clipora_core.plugins import PluginHost
from clipora_core.progress import StageProgress
from clipora_core.timeline import (
    compose_time_maps,
    presence_windows,
    to_effective_time,
    to_original_windows,
)
from clipora_core.workspace import STAGES, JobWorkspace, fingerprint, source_identity, stage_failed

# Config that affects each stage (dotted prefixes or fnmatch patterns); the capabilities a stage
# uses add their own ``config_keys``.
STAGE_CONFIG: dict[str, list[str]] = {
    "clean": ["cleaning"],
    "inspect": ["inspect"],
    # The ASR backend's own keys come from its capability's config_keys (only those that change
    # the transcript: a poll interval must not force a new paid transcription).
    "semantic_discover": [
        "asr.mode",
        "asr.language",
        "asr.hotwords",
        "analysis.video_type",
        "analysis.engine",
        "analysis.semantic_*",
    ],
    "semantic_cluster": [
        "analysis.video_type",
        "analysis.engine",
        "analysis.semantic_*",
        "analysis.cluster_*",
    ],
    "analyze": ["analysis", "concurrency.analyze"],
    "render": ["render", "render_subtitles"],
}
# Config keys that never change a stage's output even when under a prefix above. The product
# list counts through the job's stored copy (its digest), not through the config naming it.
NEVER_FINGERPRINT = {
    "asr.cache",
    "concurrency.analyze",
    "analysis.products",
    "analysis.products_file",
}
ASR_CACHE_KEYS = ["asr.mode", "asr.language", "asr.hotwords"]


def effective_hotwords(configured: list[str], products: ProductList | None) -> list[str]:
    """``asr.hotwords`` followed by the product list's names and aliases, each once."""
    words = [w.strip() for w in configured if w.strip()]
    if products is not None:
        words += products.hotwords()
    return list(dict.fromkeys(words))


def _matches(key: str, patterns: list[str]) -> bool:
    return any(key == p or key.startswith(p + ".") or fnmatch.fnmatchcase(key, p) for p in patterns)


def sampled_file_hash(path: Path, samples: int = 16, chunk: int = 1 << 16) -> str:
    """Hash size plus evenly spaced chunks: identifies a multi-GB file without reading it all."""
    size = path.stat().st_size
    h = hashlib.sha256(str(size).encode())
    with open(path, "rb") as fh:
        if size <= samples * chunk:
            h.update(fh.read())
        else:
            step = (size - chunk) // (samples - 1)
            for i in range(samples):
                fh.seek(i * step)
                h.update(fh.read(chunk))
    return h.hexdigest()


@dataclass
class Pipeline:
    job: JobWorkspace | None
    config: LoadedConfig
    host: PluginHost
    force: set[str] = field(default_factory=set)
    ran: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    stream_render: bool = False
    _presence_detector: Any = None
    _presence_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def settings(self) -> Any:
        return self.config.settings

    # --- capability lookup --------------------------------------------------------------------

    def capability(self, kind: Kind, name: str, config_key: str) -> Capability:
        return self.host.get(kind, name, config_key)

    def instance(self, kind: Kind, name: str, config_key: str) -> Any:
        cap = self.capability(kind, name, config_key)
        try:
            factory = cap.load()
        except ImportError as exc:
            raise StageError(
                f"{kind.value} {name!r} from {cap.distribution or cap.plugin} failed to import: {exc}",
                hint=f"reinstall {cap.distribution or 'the plugin'}",
            ) from exc
        return factory(self.settings)

    def stage_capabilities(self, name: str) -> list[Capability]:
        s = self.settings
        caps: list[Capability] = []
        if name == "clean" and s.cleaning.enabled:
            caps += [
                self.capability(Kind.CLEANER, c, "cleaning.cleaners") for c in s.cleaning.cleaners
            ]
            caps.append(self.capability(Kind.PROBER, s.inspect.prober, "inspect.prober"))
        elif name == "inspect":
            caps.append(self.capability(Kind.PROBER, s.inspect.prober, "inspect.prober"))
        elif name == "semantic_discover":
            caps.append(self.capability(Kind.ASR, s.asr.mode, "asr.mode"))
            caps.append(self.capability(Kind.VIDEO_TYPE, self.video_type, "analysis.video_type"))
        elif name in ("semantic_cluster", "analyze"):
            caps.append(self.capability(Kind.VIDEO_TYPE, self.video_type, "analysis.video_type"))
            if name == "analyze" and s.analysis.pose_presence.enabled:
                caps.append(
                    self.capability(
                        Kind.PRESENCE_DETECTOR,
                        s.analysis.pose_presence.detector,
                        "analysis.pose_presence.detector",
                    )
                )
        elif name == "render":
            caps.append(self.capability(Kind.RENDERER, s.render.renderer, "render.renderer"))
            from clipora_core.rendering import burn_in_format, subtitle_formats

            for fmt in subtitle_formats(s, burn_in_format(self)):
                caps.append(self.capability(Kind.SUBTITLE_WRITER, fmt, "render_subtitles.formats"))
        return caps

    @property
    def video_type(self) -> str:
        from_job = self.job.manifest.analysis_video_type if self.job is not None else ""
        return from_job or self.settings.analysis.video_type

    # --- fingerprints -------------------------------------------------------------------------

    def config_fingerprint(self, name: str) -> str:
        """Fingerprint of the config and capabilities that affect stage ``name`` (no inputs)."""
        caps = self.stage_capabilities(name)
        patterns = list(STAGE_CONFIG[name])
        for cap in caps:
            # "stage:key" limits a key to one stage; a plain key counts wherever the
            # capability is used.
            for key in cap.config_keys:
                stage, sep, rest = key.rpartition(":")
                if not sep or stage == name:
                    patterns.append(rest)
        dumped = _flat(fingerprintable(self.settings))
        config = {
            k: v
            for k, v in sorted(dumped.items())
            if _matches(k, patterns) and k not in NEVER_FINGERPRINT
        }
        return fingerprint(
            {
                "config": config,
                "capabilities": sorted(f"{c.kind.value}:{c.name}@{c.version}" for c in caps),
            }
        )

    def fingerprint_for(self, name: str) -> str:
        idx = STAGES.index(name)
        upstream = self.job.stage(STAGES[idx - 1]).fingerprint if idx else None
        payload: dict[str, Any] = {
            "stage": name,
            "upstream": upstream,
            "config": self.config_fingerprint(name),
        }
        products = self.job.products() if name == "semantic_discover" else None
        if products is not None:
            # Only with a list, so jobs without one keep the fingerprints they had.
            payload["products"] = {
                "digest": products.digest(),
                "asr_hotwords": bool(self.settings.asr.product_hotwords),
            }
        if name == "clean":
            # The file as it is now: a recording replaced in place makes every stage stale.
            src = self.job.manifest.source
            try:
                st = Path(src.path).stat()
                payload["source"] = [src.path, st.st_size, st.st_mtime_ns]
            except OSError:
                payload["source"] = [src.path, None, None]
        return fingerprint(payload)

    def asr_hotwords(self) -> list[str]:
        """The hotwords the ASR request gets: config's, then the job's product names."""
        s = self.settings
        products = self.job.products() if s.asr.product_hotwords else None
        return effective_hotwords(list(s.asr.hotwords), products)

    def is_fresh(self, name: str) -> bool:
        state = self.job.stage(name)
        return state.status == "completed" and state.fingerprint == self.fingerprint_for(name)

    # --- running ------------------------------------------------------------------------------

    def run_through(self, last: str, force: set[str] | None = None) -> None:
        """Run every stage up to ``last``, reusing fresh ones."""
        force = set(force or ())
        # Items go to render as soon as they are analyzed when the run includes render.
        self.stream_render = last == "render"
        stages = STAGES[: STAGES.index(last) + 1]
        self.preflight(last)
        for name in stages:
            self.run_stage(name, force=name in force)

    def _update_summary(self) -> None:
        """What a user wants at a glance, kept in the manifest (web UI and scripts read it)."""
        job = self.job
        summary: dict[str, Any] = {
            "stages_completed": [n for n in STAGES if job.stage(n).status == "completed"]
        }
        items = job.path("semantic/semantic_item_set.json")
        if items.is_file():
            item_set = read_json(items)
            summary["items"] = len(item_set.get("intervals", []))
            not_pitched = (item_set.get("metadata") or {}).get("products_not_pitched")
            if not_pitched is not None:
                summary["products_not_pitched"] = not_pitched
        result = job.path("renders/execution_result.json")
        if result.is_file() and job.stage("render").status == "completed":
            data = read_json(result)
            summary["clips_rendered"] = data.get("success_count", 0)
            summary["clips_failed"] = data.get("failure_count", 0)
        summary["dropped"] = sum(1 for d in job.manifest.dropped if d.kind == "dropped")
        summary["failed"] = sum(1 for d in job.manifest.dropped if d.kind == "failed")
        job.update(summary=summary)

    def preflight(self, last: str) -> None:
        """Fail before any work when config names a capability that is not installed."""
        for name in STAGES[: STAGES.index(last) + 1]:
            self.stage_capabilities(name)

    def run_stage(self, name: str, force: bool = False) -> bool:
        """Run one stage (prerequisites must be fresh). Returns True when it actually ran."""
        if not force and self.is_fresh(name):
            self.reused.append(name)
            StageProgress(self.job, name).event(
                "reused", "finished earlier with the same inputs and config"
            )
            return False
        fp = self.fingerprint_for(name)
        if force:
            self.force.add(name)
        self.job.set_stage(name, "running")
        progress = StageProgress(self.job, name)
        progress.event("started")
        try:
            detail = getattr(self, f"_stage_{name}")(progress)
        except BaseException as exc:
            stage_failed(self.job, name, exc)
            reason = self.job.stage(name).detail
            progress.event("failed", reason, level=40)
            raise
        self.job.set_stage(name, "completed", detail or "", fingerprint=fp)
        self._update_summary()
        progress.finish()
        progress.event("completed", detail or "")
        invalidated = self.job.invalidate_after(name)
        if invalidated:
            progress.debug("later stages invalidated", stages=",".join(invalidated))
        self.ran.append(name)
        return True

    # --- stages -------------------------------------------------------------------------------

    def _source_or_fail(self) -> Path:
        src = self.job.source_path
        if not src.exists():
            raise InputError(
                f"source video not found: {src}", hint="restore the file or start a new job"
            )
        return src

    def _probe(self, path: Path) -> MediaProbe:
        prober = self.instance(Kind.PROBER, self.settings.inspect.prober, "inspect.prober")
        return prober.probe(path)

    def _stage_clean(self, progress: StageProgress) -> str:
        src = self._source_or_fail()
        self.job.update(source=source_identity(src))
        s = self.settings
        self.job.clear_dirs("clean")
        if not s.cleaning.enabled:
            self.job.update(effective_source_path=str(src), cleaning=CleaningSummary(enabled=False))
            return "disabled"
        current = src
        probe = self._probe(current)
        original_duration = probe.duration_seconds
        time_map: list[TimeMapEntry] = []
        removed_all = []
        keep = []
        out_dir = self.job.path("clean")
        for i, name in enumerate(s.cleaning.cleaners):
            cleaner = self.instance(Kind.CLEANER, name, "cleaning.cleaners")
            step_dir = out_dir if len(s.cleaning.cleaners) == 1 else out_dir / f"{i + 1:02d}-{name}"
            step_dir.mkdir(parents=True, exist_ok=True)
            result = cleaner.clean(
                CleanRequest(
                    source_path=current,
                    probe=probe,
                    out_dir=step_dir,
                    settings=s,
                    progress=progress,
                )
            )
            removed_all += result.removed_intervals
            keep = result.keep_intervals
            time_map = compose_time_maps(time_map, result.time_map)
            if Path(result.effective_source_path) != current:
                current = Path(result.effective_source_path)
                probe = self._probe(current)
        removed = bool(removed_all)
        summary = CleaningSummary(
            enabled=True,
            removed=removed,
            removed_interval_count=len(removed_all),
            removed_duration_seconds=round(
                sum(r.end_seconds - r.start_seconds for r in removed_all), 6
            ),
            original_duration_seconds=original_duration,
            cleaned_duration_seconds=probe.duration_seconds if removed else original_duration,
            cleaners=list(s.cleaning.cleaners),
        )
        self.job.write_json("clean/removed_intervals.json", removed_all)
        self.job.write_json("clean/keep_intervals.json", keep)
        self.job.write_json("clean/time_map.json", time_map)
        self.job.write_json("clean/summary.json", summary)
        self.job.update(effective_source_path=str(current), cleaning=summary)
        return f"removed_intervals={len(removed_all)} removed_seconds={summary.removed_duration_seconds:.1f}"

    def _stage_inspect(self, progress: StageProgress) -> str:
        src = self._source_or_fail()
        effective = self.job.effective_source if self.job.effective_source.exists() else src
        if effective != src and not self.settings.cleaning.enabled:
            effective = src
        self.job.clear_dirs("inspect")
        prober = self.instance(Kind.PROBER, self.settings.inspect.prober, "inspect.prober")
        probe = prober.probe(effective)
        if (
            probe.container
            and probe.container.split(",")[0] in self.settings.inspect.remux_containers
        ):
            out_dir = self.job.path("inspect")
            out_dir.mkdir(parents=True, exist_ok=True)
            progress.info("remuxing to a seekable mp4 (stream copy)", container=probe.container)
            prepared = prober.prepare(effective, probe, out_dir)
            if prepared is not None:
                effective = Path(prepared)
                probe = prober.probe(effective)
        if not probe.has_video:
            raise InputError(f"{effective.name} has no video stream", hint="pass a video file")
        if probe.duration_seconds <= 0:
            raise InputError(
                f"{effective.name} has no playable duration", hint="check the file plays"
            )
        self.job.write_json("inspect/probe.json", probe)
        self.job.update(probe=probe, effective_source_path=str(effective))
        if not probe.has_audio:
            progress.warning("the video has no audio track: speech-based stages will stop")
        return (
            f"duration={probe.duration_seconds:.1f}s {probe.video_width}x{probe.video_height} "
            f"audio={'yes' if probe.has_audio else 'no'}"
        )

    def _time_map(self) -> list[TimeMapEntry]:
        path = self.job.path("clean/time_map.json")
        if not path.is_file():
            return []
        return [TimeMapEntry.model_validate(e) for e in read_json(path)]

    def _require_probe(self) -> MediaProbe:
        probe = self.job.manifest.probe
        if probe is None:
            raise StageError(
                "the inspect stage has not run", hint="run `clipora run` on the video first"
            )
        return probe

    def transcript(self, progress: StageProgress) -> Transcript:
        s = self.settings
        probe = self._require_probe()
        cap = self.capability(Kind.ASR, s.asr.mode, "asr.mode")
        if not probe.has_audio and cap.features.get("needs_audio", True):
            raise InputError(
                f"{self.job.source_path.name} has no audio track, so there is no speech to transcribe",
                hint="use a recording with sound, or asr.mode=import with a subtitle file",
            )
        media = self.job.effective_source
        dumped = _flat(fingerprintable(s))
        asr_config = {
            k: v
            for k, v in sorted(dumped.items())
            if _matches(k, ASR_CACHE_KEYS + cap.config_keys) and k != "asr.cache"
        }
        hotwords = self.asr_hotwords()
        key_data: dict[str, Any] = {
            "media": sampled_file_hash(media),
            "duration": round(probe.duration_seconds, 3),
            "backend": f"{cap.name}@{cap.version}",
            "config": asr_config,
        }
        if hotwords != effective_hotwords(list(s.asr.hotwords), None):
            # Product names changed what the backend hears; without them the key stays as it
            # was, so cached transcripts made before product lists existed are still found.
            key_data["hotwords"] = hotwords
        key = fingerprint(key_data)
        cache_file = Path(s.paths.workdir) / "_cache" / "asr" / cap.name / f"{key}.json"
        if s.asr.cache and cap.features.get("cacheable", True) and cache_file.is_file():
            try:
                transcript = Transcript.model_validate(read_json(cache_file))
                progress.info("transcript reused from cache", action="cache_hit", key=key)
                return _by_sentence(transcript)
            except (ValueError, ValidationError):
                progress.warning("ignoring a damaged ASR cache entry", key=key)
        backend = self.instance(Kind.ASR, s.asr.mode, "asr.mode")
        scratch = self.job.path("semantic")
        scratch.mkdir(parents=True, exist_ok=True)
        language = None if s.asr.language in ("", "auto") else s.asr.language
        try:
            transcript = backend.transcribe(
                ASRRequest(
                    media_path=media,
                    duration_seconds=probe.duration_seconds,
                    scratch_dir=scratch,
                    settings=s,
                    progress=progress,
                    language=language,
                    hotwords=hotwords,
                    source_path=self.job.source_path,
                    time_map=self._time_map(),
                )
            )
        finally:
            # A local model can hold hundreds of MB: hand it back before analysis and rendering.
            close = getattr(backend, "close", None)
            if callable(close):
                close()
        transcript = _by_sentence(transcript)
        for warning in transcript.warnings:
            progress.warning(warning)
        if s.asr.cache and cap.features.get("cacheable", True):
            write_json(cache_file, transcript)
        return transcript

    def _context(
        self, progress: StageProgress, transcript: Transcript | None = None
    ) -> AnalyzerContext:
        if transcript is None:
            transcript = Transcript.model_validate(self.job.read_json("semantic/transcript.json"))
        return AnalyzerContext(
            job=self.job,
            settings=self.settings,
            progress=progress,
            transcript=transcript,
            probe=self._require_probe(),
            plugins=self.host,
            products=self._products_on_effective_timeline(),
        )

    def _products_on_effective_timeline(self) -> ProductList | None:
        products = self.job.products()
        time_map = self._time_map()
        if products is None or not time_map:
            return products
        moved = []
        for p in products.products:
            if p.start_seconds is None or p.end_seconds is None:
                moved.append(p)
                continue
            start = to_effective_time(p.start_seconds, time_map)
            end = to_effective_time(p.end_seconds, time_map)
            moved.append(
                p.model_copy(update={"start_seconds": start, "end_seconds": max(end, start + 0.5)})
            )
        return products.model_copy(update={"products": moved})

    def _stage_semantic_discover(self, progress: StageProgress) -> str:
        for rel in ("semantic/discovered_intervals.json", "semantic/window_plans.json"):
            self.job.clear_dirs(rel)
        self.job.update(analysis_video_type=self.video_type)
        transcript = self.transcript(progress)
        self.job.write_json("semantic/transcript.json", transcript)
        progress.info(
            "transcript ready",
            segments=len(transcript.segments),
            language=transcript.language or "",
        )
        analyzer = self.instance(Kind.VIDEO_TYPE, self.video_type, "analysis.video_type")
        ctx = self._context(progress, transcript)
        result = analyzer.discover(ctx)
        self.job.clear_dirs("semantic/transcript.raw.json")
        if result.transcript is not None:
            # Later stages and the subtitles use the analyzer's corrections; the ASR's own words
            # stay available next to them.
            self.job.write_json("semantic/transcript.raw.json", transcript)
            self.job.write_json("semantic/transcript.json", result.transcript)
        self.job.write_json("semantic/discovered_intervals.json", result.intervals)
        self.job.write_json("semantic/window_plans.json", result.debug)
        self.job.record_dropped(ctx.dropped, "semantic_discover")
        return f"segments={len(transcript.segments)} intervals={len(result.intervals)}"

    def _stage_semantic_cluster(self, progress: StageProgress) -> str:
        self.job.clear_dirs(
            "semantic/items", "semantic/semantic_item_set.json", "semantic/cluster_plan.json"
        )
        analyzer = self.instance(Kind.VIDEO_TYPE, self.video_type, "analysis.video_type")
        ctx = self._context(progress)
        intervals = [
            DiscoveredInterval.model_validate(d)
            for d in self.job.read_json("semantic/discovered_intervals.json")
        ]
        result = analyzer.cluster(ctx, intervals)
        min_duration = self.settings.analysis.semantic_min_duration_seconds
        time_map = self._time_map()
        kept: list[SemanticItemInterval] = []
        for item in result.items:
            if item.total_duration_seconds < min_duration:
                ctx.dropped.append(
                    DroppedUnit(
                        stage="semantic_cluster",
                        unit="item",
                        id=item.id,
                        reason=(
                            f"too short: {item.total_duration_seconds:.1f}s < "
                            f"analysis.semantic_min_duration_seconds={min_duration:g}"
                        ),
                    )
                )
                continue
            item.original_windows = to_original_windows(item.windows, time_map)
            kept.append(item)
        metadata: dict[str, Any] = {"interval_count": len(kept)}
        if ctx.products is not None:
            metadata["products_not_pitched"] = list(result.products_not_pitched)
            if result.products_not_pitched:
                progress.warning(
                    "on the product list but not found in the speech: "
                    + ", ".join(result.products_not_pitched)
                )
        item_set = SemanticItemSet(
            job_id=self.job.job_id,
            intervals=kept,
            metadata=metadata,
            dropped=[d for d in ctx.dropped if d.stage == "semantic_cluster"],
        )
        self.job.write_json("semantic/cluster_plan.json", result.debug)
        paths = [str(self.job.write_json(f"semantic/items/{i.id}.json", i)) for i in kept]
        self.job.write_json("semantic/semantic_item_set.json", item_set)
        outputs = dict(self.job.manifest.outputs, semantic_items=paths)
        self.job.update(outputs=outputs)
        self.job.record_dropped(ctx.dropped, "semantic_cluster")
        for d in ctx.dropped:
            progress.warning(f"dropped {d.unit} {d.id}: {d.reason}")
        if not kept:
            progress.warning("no product-selling items were found; nothing to clip")
        return f"items={len(kept)} dropped={len(ctx.dropped)}"

    def item_set(self) -> SemanticItemSet:
        return SemanticItemSet.model_validate(self.job.read_json("semantic/semantic_item_set.json"))

    def analyze_item(
        self, analyzer: Any, ctx: AnalyzerContext, item: SemanticItemInterval
    ) -> list[ItemEditPlan]:
        probe = self._require_probe()
        if self.settings.analysis.pose_presence.enabled and item.id not in ctx.presence:
            ctx.presence[item.id] = self.detect_presence(item, ctx.progress)
        segments = analyzer.analyze_item(ctx, item)
        time_map = self._time_map()
        source_fp = sampled_file_hash(self.job.effective_source)
        plans = []
        for seg in segments:
            seg.original_windows = to_original_windows(seg.windows, time_map)
            seg.metadata.setdefault("semantic_item_id", item.id)
            self._check_windows(seg, probe)
            plan = ItemEditPlan(
                item_plan_id=seg.id,
                semantic_item_id=item.id,
                subtitle_plan_id=None,
                source_path=str(self.job.effective_source),
                source_probe=probe,
                strategy=self.video_type,
                segments=[seg],
                metadata={
                    "semantic_interval_title": item.title,
                    "semantic_interval_summary": item.summary,
                },
                source_fingerprint=source_fp,
            )
            self.job.write_json(f"analysis/items/{seg.id}.json", plan)
            plans.append(plan)
        return plans

    def detect_presence(
        self, item: SemanticItemInterval, progress: StageProgress
    ) -> PresenceReport:
        """Sample the host's presence inside the item's windows (one detector per job)."""
        cfg = self.settings.analysis.pose_presence
        with self._presence_lock:
            if self._presence_detector is None:
                self._presence_detector = self.instance(
                    Kind.PRESENCE_DETECTOR, cfg.detector, "analysis.pose_presence.detector"
                )
            detector = self._presence_detector
        samples = detector.detect(
            PresenceRequest(
                source_path=self.job.effective_source,
                windows=item.windows,
                sample_interval_seconds=cfg.sample_interval_seconds,
                settings=self.settings,
                progress=progress,
                out_dir=self.job.path("analysis/presence"),
            )
        )
        present, absent = presence_windows(samples, cfg.sample_interval_seconds, item.windows)
        report = PresenceReport(
            semantic_item_id=item.id,
            detector=cfg.detector,
            sample_interval_seconds=cfg.sample_interval_seconds,
            samples=samples,
            present_windows=present,
            absent_windows=absent,
        )
        self.job.write_json(f"analysis/presence/{item.id}.json", report)
        return report

    def close_presence(self) -> None:
        detector, self._presence_detector = self._presence_detector, None
        close = getattr(detector, "close", None)
        if callable(close):
            close()

    def _check_windows(self, seg: EditPlanSegment, probe: MediaProbe) -> None:
        dur = probe.duration_seconds
        for w in seg.windows:
            if dur and w.end_seconds > dur + 0.05:
                raise StageError(
                    f"segment {seg.id} window ends at {w.end_seconds:.2f}s after the source ends ({dur:.2f}s)"
                )

    def _stage_analyze(self, progress: StageProgress) -> str:
        self.job.clear_dirs("analysis")
        items = self.item_set().intervals
        analyzer = self.instance(Kind.VIDEO_TYPE, self.video_type, "analysis.video_type")
        ctx = self._context(progress)
        plans_by_item: dict[str, list[ItemEditPlan]] = {}
        done = 0
        lock = threading.Lock()
        streamer = self._streamer(progress)

        def work(item: SemanticItemInterval) -> None:
            nonlocal done
            try:
                plans = self.analyze_item(analyzer, ctx, item)
            except CliporaError as exc:
                with lock:
                    ctx.dropped.append(
                        DroppedUnit(
                            stage="analyze",
                            unit="item",
                            id=item.id,
                            reason=exc.one_line(),
                            kind="failed",
                        )
                    )
                progress.warning(f"item {item.id} failed: {exc.one_line()}")
                plans = []
            except Exception as exc:  # noqa: BLE001 - one bad item must not sink the others
                with lock:
                    ctx.dropped.append(
                        DroppedUnit(
                            stage="analyze",
                            unit="item",
                            id=item.id,
                            reason=f"{type(exc).__name__}: {exc}",
                            kind="failed",
                        )
                    )
                progress.warning(f"item {item.id} failed: {type(exc).__name__}: {exc}")
                plans = []
            with lock:
                plans_by_item[item.id] = plans
                done += 1
            progress.update(done, len(items), message=item.id)
            if streamer is not None:
                streamer.submit([seg for p in plans for seg in p.segments])

        workers = max(1, int(self.settings.concurrency.analyze))
        try:
            with cf.ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(work, items))
        finally:
            if streamer is not None:
                streamer.close()
            self.close_presence()
        segments = [
            seg
            for item in items
            for plan in plans_by_item.get(item.id, [])
            for seg in plan.segments
        ]
        plan = self.build_edit_plan(segments, ctx.dropped)
        self.job.write_json("analysis/edit_plan.json", plan)
        self.job.record_dropped(ctx.dropped, "analyze")
        failed = [d for d in ctx.dropped if d.kind == "failed"]
        if items and not segments:
            raise StageError(
                f"every item failed to analyze ({len(failed)}); see {self.job.log_path}"
            )
        return f"segments={len(segments)} items={len(items)} failed={len(failed)}"

    def _streamer(self, progress: StageProgress) -> _RenderStreamer | None:
        if not self.stream_render or self.job.stage("render").status == "completed":
            return None
        from clipora_core.rendering import ClipRenderer

        try:
            clips = ClipRenderer.prepare(self)
        except CliporaError as exc:
            progress.debug("clips will render after analysis", reason=exc.one_line())
            return None
        return _RenderStreamer(clips, self.job, int(self.settings.concurrency.render))

    def build_edit_plan(
        self, segments: list[EditPlanSegment], dropped: list[DroppedUnit]
    ) -> EditPlan:
        probe = self._require_probe()
        metadata: dict[str, Any] = {"segment_count": len(segments)}
        if dropped:
            metadata["skipped_semantic_items"] = [
                {"semantic_item_id": d.id, "error": d.reason} for d in dropped if d.unit == "item"
            ]
        return EditPlan(
            plan_id=self.job.job_id,
            source_path=str(self.job.effective_source),
            source_probe=probe,
            strategy=self.video_type,
            segments=segments,
            metadata=metadata,
            source_fingerprint=sampled_file_hash(self.job.effective_source),
        )

    # --- render -------------------------------------------------------------------------------

    def load_plan(self, plan_path: Path, require_segments: bool = True) -> EditPlan:
        try:
            data = read_json(plan_path)
        except FileNotFoundError:
            raise InputError(f"plan not found: {plan_path}") from None
        except ValueError as exc:
            raise InputError(f"plan {plan_path} is not valid JSON: {exc}") from None
        try:
            if isinstance(data, dict) and "item_plan_id" in data:
                item = ItemEditPlan.model_validate(data)
                data = EditPlan(
                    plan_id=item.item_plan_id,
                    source_path=item.source_path,
                    source_probe=item.source_probe,
                    strategy=item.strategy,
                    segments=item.segments,
                    source_fingerprint=item.source_fingerprint,
                ).model_dump(mode="json")
            plan = EditPlan.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise InputError(f"plan {plan_path} is invalid: {loc}: {first['msg']}") from None
        self.validate_plan(plan, plan_path)
        if require_segments and not plan.segments:
            raise InputError(f"{plan_path} has no segments to render")
        return plan

    def validate_plan(self, plan: EditPlan, where: Path | str = "plan") -> None:
        probe = self._require_probe()
        effective = self.job.effective_source
        if plan.source_fingerprint and plan.source_fingerprint != sampled_file_hash(effective):
            raise InputError(
                f"{where} was made for another source ({plan.source_path}), not this job's video",
                hint="render it in the job it came from",
            )
        if not plan.source_fingerprint and Path(plan.source_path).resolve() != effective.resolve():
            raise InputError(
                f"{where} references another source ({plan.source_path})",
                hint=f"its source_path must be {effective}",
            )
        dur = probe.duration_seconds
        for seg in plan.segments:
            for w in seg.windows:
                if w.end_seconds > dur + 0.05:
                    raise InputError(
                        f"{where}: segment {seg.id} window {w.start_seconds:.2f}-{w.end_seconds:.2f}s "
                        f"falls outside the source (duration {dur:.2f}s)"
                    )

    def render_plan(self, plan: EditPlan, progress: StageProgress) -> ExecutionResult:
        from clipora_core.rendering import ClipRenderer

        clips = ClipRenderer.prepare(self)
        clips.remove_stale({seg.id for seg in plan.segments})
        results: dict[str, ExecutionArtifact] = {}
        lock = threading.Lock()
        total_seconds = sum(seg.duration for seg in plan.segments) or 1.0
        done_seconds = 0.0

        def work(seg: EditPlanSegment) -> None:
            nonlocal done_seconds
            art = clips.render(seg, StageProgress(self.job, "render"))
            with lock:
                results[seg.id] = art
                done_seconds += seg.duration
                n = len(results)
            if not art.success:
                progress.warning(f"clip {seg.id} failed: {art.error_detail}")
            elif art.metadata.get("reused"):
                progress.info(f"clip {n}/{len(plan.segments)} reused", clip=seg.id)
            else:
                progress.info(
                    f"clip {n}/{len(plan.segments)} rendered",
                    clip=seg.id,
                    path=Path(art.output_path).name,
                )
            progress.update(done_seconds, total_seconds, message=f"{n}/{len(plan.segments)} clips")

        workers = max(1, int(self.settings.concurrency.render))
        with cf.ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(work, plan.segments))
        artifacts = [results[seg.id] for seg in plan.segments]
        result = ExecutionResult(
            plan_id=plan.plan_id,
            artifacts=artifacts,
            success_count=sum(a.success for a in artifacts),
            failure_count=sum(not a.success for a in artifacts),
        )
        self.job.write_json("renders/execution_result.json", result)
        outputs = dict(
            self.job.manifest.outputs, renders=[a.output_path for a in artifacts if a.success]
        )
        self.job.update(outputs=outputs)
        self.job.record_dropped(
            [
                DroppedUnit(
                    stage="render", unit="clip", id=a.clip_id, reason=a.error_detail, kind="failed"
                )
                for a in artifacts
                if not a.success
            ],
            "render",
        )
        return result

    def _stage_render(self, progress: StageProgress) -> str:
        if "render" in self.force:
            self.job.clear_dirs("renders")
        plan_path = self.job.path("analysis/edit_plan.json")
        if not plan_path.is_file():
            raise StageError(
                "there is no edit plan to render", hint="run `clipora analyze <job>` first"
            )
        plan = self.load_plan(plan_path, require_segments=False)
        if not plan.segments:
            progress.warning("the edit plan has no segments; nothing to render")
            self.job.write_json(
                "renders/execution_result.json", ExecutionResult(plan_id=plan.plan_id)
            )
            return "success=0 failure=0"
        result = self.render_plan(plan, progress)
        if result.success_count == 0:
            raise StageError(
                f"every clip failed to render ({result.failure_count}): {result.artifacts[0].error_detail}"
            )
        return f"success={result.success_count} failure={result.failure_count}"


class _RenderStreamer:
    """Renders analyzed items' clips in the background while later items are analyzed."""

    def __init__(self, clips: Any, job: JobWorkspace, workers: int) -> None:
        self.clips = clips
        self.job = job
        self.pool = cf.ThreadPoolExecutor(max_workers=max(1, workers))
        self.futures: list[cf.Future] = []

    def submit(self, segments: list[EditPlanSegment]) -> None:
        for seg in segments:
            self.futures.append(self.pool.submit(self._one, seg))

    def _one(self, seg: EditPlanSegment) -> None:
        progress = StageProgress(self.job, "render")
        art = self.clips.render(seg, progress)
        if art.success:
            verb = "reused" if art.metadata.get("reused") else "rendered while analyzing"
            progress.info(f"clip {verb}", clip=seg.id)

    def close(self) -> None:
        self.pool.shutdown(wait=True)


def _by_sentence(transcript: Transcript) -> Transcript:
    from clipora_core.transcripts import split_sentences

    segments = split_sentences(transcript.segments)
    if len(segments) == len(transcript.segments):
        return transcript
    return transcript.model_copy(update={"segments": segments})


def fingerprintable(settings: Any) -> Any:
    """Settings as JSON-safe data where each secret becomes a short hash of its value: switching
    credentials (e.g. to an app key with another language model) changes fingerprints, while
    the secret itself never reaches a manifest or log."""
    from pydantic import SecretStr

    def walk(value: Any) -> Any:
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            return "secret:" + hashlib.sha256(secret.encode()).hexdigest()[:12] if secret else ""
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        if isinstance(value, Path):
            return str(value)
        return value

    return walk(settings.model_dump(mode="python"))


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(v, dict):
                out.update(_flat(v, f"{prefix}{k}."))
            else:
                out[f"{prefix}{k}"] = v
    return out


def cpu_count() -> int:
    return os.cpu_count() or 1
