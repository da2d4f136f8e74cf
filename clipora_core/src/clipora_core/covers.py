"""A cover image per clip (``renders/<clip stem>-cover.jpg``, beside the clip): the sharpest of a
few frames spread over the clip, preferring frames where the host is on screen when the job has
presence reports, with the clip's title (the product name) written on it when asked.

Made with the job's ffmpeg after the clips are rendered. Sharpness is the variance of a
Laplacian over a small grey copy of each candidate frame, computed here in plain Python: the
kernel has no image library, and a few 160x160 frames per clip cost milliseconds. A cover is kept
when its clip, title and settings are unchanged since it was made (``metadata.cover_key``).
"""

from __future__ import annotations

import importlib
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clipora_core.capabilities import Kind
from clipora_core.contracts import ExecutionArtifact, PresenceReport, TimeWindow
from clipora_core.errors import CliporaError
from clipora_core.media import Media
from clipora_core.workspace import JobWorkspace, fingerprint

COVER_SUFFIX = "-cover.jpg"
PROBE_SIZE = 160  # candidate frames are compared as PROBE_SIZE x PROBE_SIZE grey images
TITLE_MAX_CHARS = 28
FONT_SUFFIXES = (".otf", ".ttf", ".ttc")


def cover_path(clip: Path) -> Path:
    return clip.with_name(f"{clip.stem}{COVER_SUFFIX}")


def sharpness(gray: bytes, width: int, height: int) -> float:
    """Variance of the 4-neighbour Laplacian of an 8-bit grey image (higher: sharper)."""
    if width < 3 or height < 3 or len(gray) < width * height:
        return 0.0
    total = 0.0
    squares = 0.0
    count = 0
    for y in range(1, height - 1):
        up = gray[(y - 1) * width : y * width]
        row = gray[y * width : (y + 1) * width]
        down = gray[(y + 1) * width : (y + 2) * width]
        for x in range(1, width - 1):
            lap = up[x] + down[x] + row[x - 1] + row[x + 1] - 4 * row[x]
            total += lap
            squares += lap * lap
            count += 1
    mean = total / count
    return squares / count - mean * mean


def clip_times(windows: Sequence[TimeWindow], speed: float, n: int) -> list[tuple[float, float]]:
    """``n`` moments spread over a clip (never its first or last tenth, where cuts and fades
    are): (seconds into the clip, seconds on the job's timeline)."""
    spans = [(w.start_seconds, w.duration / speed) for w in windows]
    length = sum(d for _, d in spans)
    out = []
    for k in range(n):
        t = length * (0.1 + 0.8 * (k + 0.5) / n)
        at = t
        for start, d in spans:
            if at <= d:
                out.append((t, start + at * speed))
                break
            at -= d
    return out


def _present(t: float, windows: Sequence[TimeWindow]) -> bool:
    return any(w.start_seconds <= t <= w.end_seconds for w in windows)


@dataclass
class CoverMaker:
    """Covers for one job's clips, with the settings of ``render.cover``."""

    job: JobWorkspace
    media: Media
    settings: Any  # CoverSettings
    playback_speed: float = 1.0
    font: Path | None = None
    _presence: dict[str, list[TimeWindow] | None] = field(default_factory=dict)

    @classmethod
    def for_engine(cls, engine: Any, job: JobWorkspace) -> CoverMaker:
        s = engine.settings
        font = find_font(engine) if s.render.cover.overlay_title else None
        return cls(
            job=job,
            media=engine.runtime.media,
            settings=s.render.cover,
            playback_speed=float(s.render.playback_speed),
            font=font,
        )

    def key(self, art: ExecutionArtifact) -> str:
        clip = Path(art.output_path)
        st = clip.stat()
        return fingerprint(
            {
                "settings": self.settings.model_dump(mode="json"),
                "title": self.title(art) if self.settings.overlay_title else "",
                "font": str(self.font) if self.font else None,
                "clip": [clip.name, st.st_size, st.st_mtime_ns],
                "host": [w.model_dump() for w in self.present_windows(art) or []],
            }
        )

    @staticmethod
    def title(art: ExecutionArtifact) -> str:
        title = " ".join(str(art.metadata.get("title") or "").split())
        if len(title) > TITLE_MAX_CHARS:
            title = title[: TITLE_MAX_CHARS - 1].rstrip() + "…"
        return title

    def present_windows(self, art: ExecutionArtifact) -> list[TimeWindow] | None:
        """Where the host is on screen in the clip's item (None: not known)."""
        item = art.metadata.get("semantic_item_id")
        if not self.settings.prefer_host or not isinstance(item, str):
            return None
        if item not in self._presence:
            rel = f"analysis/presence/{item}.json"
            windows = None
            if self.job.path(rel).is_file():
                try:
                    report = PresenceReport.model_validate(self.job.read_json(rel))
                    windows = list(report.present_windows)
                except (ValueError, OSError):
                    windows = None
            self._presence[item] = windows
        return self._presence[item]

    def make(self, art: ExecutionArtifact, previous: ExecutionArtifact | None = None) -> None:
        """Give ``art`` its cover (``cover_path``, ``metadata.cover_key``); a frame that cannot
        be read leaves it without one, logged, never failing the clip."""
        clip = Path(art.output_path)
        if not art.success or not clip.is_file():
            return
        key = self.key(art)
        target = cover_path(clip)
        if (
            previous is not None
            and previous.metadata.get("cover_key") == key
            and target.is_file()
            and target.stat().st_mtime_ns >= clip.stat().st_mtime_ns
        ):
            art.cover_path = str(target)
            art.metadata["cover_key"] = key
            art.metadata["cover_seconds"] = previous.metadata.get("cover_seconds")
            return
        with tempfile.TemporaryDirectory(prefix=".cover-", dir=clip.parent) as tmp:
            try:
                at = self._sharpest(art, Path(tmp))
                self._write(art, at, target, Path(tmp))
            except CliporaError as exc:
                self.job.log(f"no cover for {clip.name}: {exc.one_line()}", level="warning")
                return
        art.cover_path = str(target)
        art.metadata["cover_key"] = key
        art.metadata["cover_seconds"] = round(at, 3)

    def _sharpest(self, art: ExecutionArtifact, tmp: Path) -> float:
        """Seconds into the clip of the sharpest candidate frame."""
        n = int(self.settings.candidates)
        windows = art.windows or [
            TimeWindow(start_seconds=0, end_seconds=art.duration_seconds or 1)
        ]
        times = clip_times(windows, self.playback_speed, n)
        present = self.present_windows(art)
        if present:
            # The host on screen makes the cover; only when no candidate shows the host do
            # they all count.
            times = [t for t in times if _present(t[1], present)] or times
        if art.duration_seconds:
            times = [(min(t, art.duration_seconds * 0.95), e) for t, e in times]
        if len(times) == 1:
            return times[0][0]
        args: list[str] = []
        for t, _ in times:
            args += ["-ss", f"{t:.3f}", "-i", str(art.output_path)]
        outs = []
        for k in range(len(times)):
            out = tmp / f"candidate-{k}.gray"
            outs.append(out)
            args += ["-map", f"{k}:v:0", "-frames:v", "1",
                     "-vf", f"scale={PROBE_SIZE}:{PROBE_SIZE},format=gray",
                     "-f", "rawvideo", str(out)]  # fmt: skip
        self.media.run(args, what=f"reading frames of {Path(art.output_path).name}")
        best, best_t = -1.0, times[0][0]
        for (t, _), out in zip(times, outs, strict=True):
            if not out.is_file():
                continue
            value = sharpness(out.read_bytes(), PROBE_SIZE, PROBE_SIZE)
            if value > best:
                best, best_t = value, t
        return best_t

    def _write(self, art: ExecutionArtifact, at: float, target: Path, tmp: Path) -> None:
        args = ["-ss", f"{at:.3f}", "-i", str(Path(art.output_path).resolve()), "-frames:v", "1"]
        title = self.title(art) if self.settings.overlay_title else ""
        out = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}.tmp.jpg")
        if title:
            args += ["-vf", self._drawtext(title, tmp)]
        args += ["-q:v", "2", str(out.resolve())]
        try:
            # From the scratch folder: the filter names its font and text files relatively,
            # so no path needs filter escaping.
            self.media.run(args, what=f"writing the cover of {target.name}", cwd=tmp)
        except CliporaError:
            out.unlink(missing_ok=True)
            raise
        out.replace(target)

    def _drawtext(self, title: str, tmp: Path) -> str:
        (tmp / "title.txt").write_text(title, encoding="utf-8")
        opts = ["textfile=title.txt"]
        if self.font is not None:
            shutil.copyfile(self.font, tmp / f"font{self.font.suffix}")
            opts.insert(0, f"fontfile=font{self.font.suffix}")
        # About 14 lines' height, smaller when a long title would not fit the width (a CJK
        # character is about one em wide, a Latin one about half).
        ems = sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in title) + 1.5
        y = "h*0.06" if self.settings.title_position == "top" else "h-text_h-h*0.08"
        opts += [
            f"fontsize='min(h/14,w/{ems:.2f})'",
            "fontcolor=white",
            "box=1",
            "boxcolor=black@0.55",
            "boxborderw=12",
            "x='(w-text_w)/2'",
            f"y='{y}'",
        ]
        return "drawtext=" + ":".join(opts)


def find_font(engine: Any) -> Path | None:
    """The font file titles are written with: one from ``render_subtitles.fonts_dir``, else the
    font a subtitle writer bundles (the same one burned-in subtitles use)."""
    s = engine.settings.render_subtitles
    family = "".join((s.font_family or "").split()).lower()
    dirs: list[Path] = []
    if s.fonts_dir:
        dirs.append(Path(s.fonts_dir))
    for cap in engine.host.capabilities(Kind.SUBTITLE_WRITER):
        ref = cap.features.get("bundled_fonts_dir")
        if isinstance(ref, str) and ":" in ref:
            module, _, attr = ref.partition(":")
            try:
                dirs.append(Path(getattr(importlib.import_module(module), attr)()))
            except Exception:  # noqa: BLE001 - a plugin's missing font only costs the title font
                continue
            bundled = "".join(str(cap.features.get("bundled_font_family") or "").split())
            family = family or bundled.lower()
    for d in dirs:
        fonts = sorted(p for p in d.glob("*") if p.suffix.lower() in FONT_SUFFIXES)
        if fonts:
            # The configured (or bundled) family's file first, else any.
            named = [p for p in fonts if family and family in p.stem.lower().replace("-", "")]
            return (named or fonts)[0]
    return None


def make_covers(
    engine: Any,
    job: JobWorkspace,
    artifacts: list[ExecutionArtifact],
    previous: dict[str, ExecutionArtifact],
    workers: int = 1,
) -> None:
    """Covers for the successful clips of ``artifacts`` (set on them), with ``render.cover``;
    covers of clips no longer rendered, or all of them when covers are off, are removed."""
    import concurrent.futures as cf

    keep: set[Path] = set()
    if engine.settings.render.cover.enabled:
        maker = CoverMaker.for_engine(engine, job)
        with cf.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            list(pool.map(lambda a: maker.make(a, previous.get(a.clip_id)), artifacts))
        keep = {Path(a.cover_path) for a in artifacts if a.cover_path}
    renders = job.path("renders")
    if renders.is_dir():
        for old in renders.glob(f"*{COVER_SUFFIX}"):
            if old not in keep:
                old.unlink(missing_ok=True)
