"""Rendering clips from plan segments: subtitles, renderer calls, and per-clip records.

Every finished clip gets a record (``renders/.clips/<clip>.json``) holding a fingerprint of the
segment, the render config and the source. A rerun after a crash, or the render stage after
``clipora run`` already streamed clips while analyzing, reuses clips whose record still matches,
so finished clips are never rendered twice.
"""

from __future__ import annotations

import importlib
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clipora_core.capabilities import (
    Kind,
    Renderer,
    RenderRequest,
    SubtitleRequest,
    SubtitleStyle,
)
from clipora_core.contracts import (
    EditPlanSegment,
    ExecutionArtifact,
    MediaProbe,
    TimeMapEntry,
    TimeWindow,
    Transcript,
)
from clipora_core.errors import CliporaError, ConfigError
from clipora_core.fileio import read_json, write_json
from clipora_core.progress import StageProgress
from clipora_core.review import effective_transcript_path
from clipora_core.subject_framing import SubjectFramer
from clipora_core.timeline import to_original_windows
from clipora_core.workspace import fingerprint

if TYPE_CHECKING:
    from clipora_core.engine import Engine
    from clipora_core.stages.base import StageContext

RECORDS_DIR = ".clips"


def subtitle_formats(settings: Any, burn_format: str | None) -> list[str]:
    """Writers a render needs: the sidecar formats, plus the renderer's burn-in format (its
    capability's ``burn_in_format`` feature) when subtitles are burned."""
    sub = settings.render_subtitles
    if sub.mode == "disabled":
        return []
    fmts = list(sub.formats) if sub.mode != "burned_only" else []
    if sub.mode in ("both", "burned_only"):
        if not burn_format:
            raise ConfigError(
                f"render.renderer={settings.render.renderer!r} cannot burn subtitles in",
                hint="set render_subtitles.mode=sidecar_only, or use a renderer that can",
            )
        fmts.append(burn_format)
    return list(dict.fromkeys(fmts))


def burn_in_format(engine: Engine) -> str | None:
    """The subtitle format the configured renderer burns in, if it can burn any."""
    s = engine.settings
    cap = engine.capability(Kind.RENDERER, s.render.renderer, "render.renderer")
    fmt = cap.features.get("burn_in_format")
    return fmt if isinstance(fmt, str) and fmt else None


@dataclass
class ClipRenderer:
    ctx: StageContext
    config_fingerprint: str
    renderer: Any = None
    writers: dict[str, Any] = field(default_factory=dict)
    transcript: Transcript | None = None
    probe: MediaProbe | None = None
    time_map: list[TimeMapEntry] = field(default_factory=list)
    media_time_map: list[TimeMapEntry] = field(default_factory=list)
    style: SubtitleStyle | None = None
    burn_format: str | None = None
    framer: SubjectFramer | None = None  # with a renderer that crops to the subjects
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def prepare(cls, ctx: StageContext, sweep: bool = True) -> ClipRenderer:
        """Everything a clip render needs, read once. ``sweep``: remove a killed render's
        leftovers first (only by whoever holds the job lock; a remote clip unit does not)."""
        s = ctx.settings
        job = ctx.job
        self = cls(ctx=ctx, config_fingerprint=ctx.engine.config_fingerprint("render"))
        self.renderer = ctx.instance(Kind.RENDERER, s.render.renderer, "render.renderer")
        self.burn_format = burn_in_format(ctx.engine)
        fmts = subtitle_formats(s, self.burn_format)
        transcript = effective_transcript_path(job)
        if fmts and transcript.is_file():
            self.transcript = Transcript.model_validate(read_json(transcript))
            for fmt in fmts:
                self.writers[fmt] = ctx.instance(
                    Kind.SUBTITLE_WRITER, fmt, "render_subtitles.formats"
                )
            self.style = _style(ctx, fmts)
        # The renderer decodes the file itself: its probe, and the plan's cleaned-timeline
        # windows mapped onto it (a window across a removed span becomes two cuts).
        self.probe = ctx.media_probe()
        self.time_map = ctx.time_map()
        self.media_time_map = ctx.media_time_map()
        crop = self.renderer.subject_crop(self.probe)
        if crop is not None:
            self.framer = SubjectFramer.start(ctx, self.probe, crop)
        if sweep:
            self.remove_leftovers()
        return self

    def remove_leftovers(self) -> None:
        """Temporary files of a render that was killed (we hold the job lock: nobody else is
        writing here). Hidden names are scratch by convention; ``.clips`` holds the records."""
        if not self.out_dir.is_dir():
            return
        for entry in self.out_dir.iterdir():
            if not entry.name.startswith(".") or entry.name == RECORDS_DIR:
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)

    @property
    def out_dir(self) -> Path:
        return self.ctx.job.path("renders")

    def _record_path(self, clip_id: str) -> Path:
        return self.out_dir / RECORDS_DIR / f"{clip_id}.json"

    def clip_fingerprint(self, seg: EditPlanSegment) -> str:
        source = self.ctx.job.effective_source
        try:
            st = source.stat()
            identity = [str(source), st.st_size, st.st_mtime_ns]
        except OSError:
            identity = [str(source), None, None]
        return fingerprint(
            {
                "segment": seg.model_dump(mode="json", include={"id", "windows", "variant"}),
                "cuts": [w.model_dump(mode="json") for w in self.cuts(seg)],
                "config": self.config_fingerprint,
                "source": identity,
                "subtitles": self.subtitle_text(seg),
            }
        )

    def subtitle_text(self, seg: EditPlanSegment) -> list[Any]:
        """What the clip's subtitles say (the transcript lines it shows, and its title): a
        reviewed line or name renders again only the clips that show it."""
        if self.transcript is None:
            return []
        lines = [
            [t.id, t.text]
            for t in self.transcript.segments
            if any(
                t.start_seconds < w.end_seconds and t.end_seconds > w.start_seconds
                for w in seg.windows
            )
        ]
        return [seg.title, lines]

    def cuts(self, seg: EditPlanSegment) -> list[TimeWindow]:
        """The segment's windows in the file the renderer reads."""
        if not self.media_time_map:
            return list(seg.windows)
        return to_original_windows(seg.windows, self.media_time_map)

    def reusable(self, seg: EditPlanSegment) -> ExecutionArtifact | None:
        path = self._record_path(seg.id)
        if not path.is_file():
            return None
        try:
            record = read_json(path)
            art = ExecutionArtifact.model_validate(record["artifact"])
        except (ValueError, KeyError, OSError):
            return None
        if record.get("fingerprint") != self.clip_fingerprint(seg) or not art.success:
            return None
        files = [art.output_path, *art.subtitle_paths.values()]
        if art.burned_output_path:
            files.append(art.burned_output_path)
        if not all(Path(f).is_file() for f in files):
            return None
        return art

    def _write_subtitles(
        self, seg: EditPlanSegment, art: ExecutionArtifact, stem: str
    ) -> Path | None:
        """Each writer's file for this clip: sidecars go into ``art``; the file to burn in (a
        hidden one unless it is also a sidecar) is returned."""
        assert self.probe is not None
        s = self.ctx.settings
        sub = s.render_subtitles
        width, height = _output_size(self.renderer, self.probe)
        burn: Path | None = None
        for fmt, writer in self.writers.items():
            # Writers are set up only together with a transcript and a style.
            assert self.transcript is not None and self.style is not None
            sidecar = fmt in sub.formats and sub.mode != "burned_only"
            target = self.out_dir / (stem if sidecar else f".{stem}.burn")
            path = writer.write(
                SubtitleRequest(
                    transcript=self.transcript,
                    windows=seg.windows,
                    playback_speed=float(s.render.playback_speed),
                    width=width,
                    height=height,
                    out_path=target,
                    style=self.style,
                    language=self.transcript.language,
                    title=seg.title,
                    price=seg.price,
                )
            )
            if path is None:
                continue
            if fmt == self.burn_format and sub.mode in ("both", "burned_only"):
                burn = Path(path)
            if sidecar:
                art.subtitle_paths[fmt] = str(path)
        return burn

    def _artifact(self, seg: EditPlanSegment, out: Path) -> ExecutionArtifact:
        """The clip's record before rendering (failed until it is rendered)."""
        return ExecutionArtifact(
            clip_id=seg.id,
            output_path=str(out),
            success=False,
            windows=seg.windows,
            original_windows=seg.original_windows
            or to_original_windows(seg.windows, self.time_map),
            metadata={
                "title": seg.title,
                "variant": seg.variant,
                "semantic_item_id": seg.metadata.get("semantic_item_id"),
            },
        )

    def render(
        self, seg: EditPlanSegment, progress: StageProgress, metadata: dict[str, Any] | None = None
    ) -> ExecutionArtifact:
        """Render one segment (or reuse its finished clip); never raises for a clip failure.
        ``metadata`` is added to a new clip's record (where it was rendered, say)."""
        reused = self.reusable(seg)
        if reused is not None:
            reused.metadata["reused"] = True
            reused.metadata["title"] = seg.title  # a renamed product's clip keeps its frames
            return reused
        s = self.ctx.settings
        sub, out_dir = s.render_subtitles, self.out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        stem = f"{seg.variant}-{seg.id}"
        out = out_dir / f"{stem}.mp4"
        art = self._artifact(seg, out)
        assert self.probe is not None
        burn: Path | None = None
        try:
            burn = self._write_subtitles(seg, art, stem)
            art.metadata["subtitle_cues"] = bool(art.subtitle_paths or burn)
            fonts_dir = self.style.fonts_dir if (burn and self.style) else None
            framing = None
            if self.framer is not None:
                framing = self.framer.frame(self.cuts(seg), art.metadata, progress)

            def request(out_path: Path, burn_in: Path | None, plain: Path | None) -> RenderRequest:
                return RenderRequest(
                    source_path=self.ctx.job.effective_source,
                    probe=self.probe,  # type: ignore[arg-type]
                    windows=self.cuts(seg),
                    out_path=out_path,
                    progress=progress,
                    playback_speed=float(s.render.playback_speed),
                    parallel_renders=int(s.concurrency.render),
                    clip_id=seg.id,
                    burn_subtitles=burn_in,
                    fonts_dir=fonts_dir,
                    plain_out_path=plain,
                    framing=framing,
                )

            both = sub.mode == "both" and burn is not None
            burned = None
            if both:
                # The subtitled clip first: a renderer may write the plain one from the same
                # decode (plain_path), else the plain one is rendered on its own below.
                burned = self.renderer.render(request(out_dir / f"{stem}-subtitled.mp4", burn, out))
                art.burned_output_path = str(burned.path)
            if burned is not None and burned.plain_path is not None:
                primary = burned
            else:
                burn_in = burn if sub.mode == "burned_only" else None
                primary = self.renderer.render(request(out, burn_in, None))
            art.metadata.update(primary.metadata)
            art.metadata.update(metadata or {})
            art.duration_seconds = primary.duration_seconds
            art.success = True
        except CliporaError as exc:
            art.error_detail = exc.one_line()
        except Exception as exc:  # noqa: BLE001 - report per clip, keep rendering the rest
            art.error_detail = f"{type(exc).__name__}: {exc}"
        finally:
            if burn is not None and burn.name.startswith("."):
                burn.unlink(missing_ok=True)
        if art.success:
            write_json(
                self._record_path(seg.id),
                {"fingerprint": self.clip_fingerprint(seg), "artifact": art},
            )
        return art

    def close(self) -> None:
        """Release the subject locator (a model held in memory)."""
        if self.framer is not None:
            self.framer.close()

    def remove_stale(self, keep_ids: set[str]) -> None:
        """Delete clips (and records) of segments no longer in the plan."""
        records = self.out_dir / RECORDS_DIR
        if not records.is_dir():
            return
        for rec in records.glob("*.json"):
            if rec.stem in keep_ids:
                continue
            try:
                art = ExecutionArtifact.model_validate(read_json(rec)["artifact"])
                for f in [art.output_path, *art.subtitle_paths.values(), art.burned_output_path]:
                    if f:
                        Path(f).unlink(missing_ok=True)
            except (ValueError, KeyError, OSError):
                pass
            rec.unlink(missing_ok=True)


def _output_size(renderer: Renderer, probe: MediaProbe) -> tuple[int, int]:
    w, h = renderer.output_size(probe)
    return int(w), int(h)


def _style(ctx: StageContext, fmts: list[str]) -> SubtitleStyle:
    sub = ctx.settings.render_subtitles
    fonts_dir = sub.fonts_dir
    family = sub.font_family
    for fmt in fmts:
        cap = ctx.capability(Kind.SUBTITLE_WRITER, fmt, "render_subtitles.formats")
        ref = cap.features.get("bundled_fonts_dir")
        if fonts_dir is None and isinstance(ref, str) and ":" in ref:
            module, _, attr = ref.partition(":")
            fonts_dir = getattr(importlib.import_module(module), attr)()
            family = family or cap.features.get("bundled_font_family")
            break
    return SubtitleStyle(
        position_preset=sub.position_preset,
        font_theme=sub.font_theme,
        font_family=family or "Noto Sans SC",
        fonts_dir=Path(fonts_dir) if fonts_dir else None,
        font_scale_multiplier=sub.font_scale_multiplier,
    )
