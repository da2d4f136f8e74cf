"""The ``pyav`` prober: what the inspect stage knows about a source, read with PyAV.

No ffprobe is needed (the imageio-ffmpeg wheel has none). Bad inputs raise ``InputError`` with one
line that says what is wrong and what to do."""

from __future__ import annotations

import os
import statistics
import struct
from fractions import Fraction
from pathlib import Path
from typing import Any

from clipora_core.api import (
    InputError,
    MediaProbe,
    PluginRuntime,
    Prober,
    StageError,
    StreamInfo,
)

VFR_SAMPLE_PACKETS = 200
_MP4_FAMILY = {".mp4", ".m4v", ".mov", ".m4a", ".3gp", ".3g2", ".mj2"}
_EXT_FORMAT = {
    ".mkv": "matroska",
    ".webm": "webm",
    ".ts": "mpegts",
    ".m2ts": "mpegts",
    ".mts": "mpegts",
    ".mov": "mov",
    ".m4v": "mp4",
    ".flv": "flv",
}


class PyAVProber(Prober):
    """Factory result for ``inspect.prober = pyav``."""

    def __init__(self, options: Any = None, runtime: PluginRuntime | None = None) -> None:
        # ``options`` is the kernel's ``inspect`` section.
        remux = getattr(options, "remux_containers", None)
        self.remux_containers = {
            c.lower() for c in (remux or ["flv", "mpegts", "ts", "m2ts", "mts"])
        }
        self.runtime = runtime or PluginRuntime()

    # --- probe -------------------------------------------------------------------------------

    def probe(self, path: Path) -> MediaProbe:
        path = Path(path)
        size = check_readable_file(path)
        import av

        try:
            container = av.open(str(path), metadata_errors="ignore")
        except PermissionError as exc:
            raise _unreadable(path) from exc
        except av.error.FFmpegError as exc:
            raise _not_media(path, exc) from exc
        with container:
            return _probe_open(container, path, size)

    # --- prepare -----------------------------------------------------------------------------

    def needs_remux(self, path: Path, probe: MediaProbe) -> bool:
        names = set(str(getattr(probe, "format_names", "") or "").split(","))
        names.add(probe.container)
        names.add(Path(path).suffix.lower().lstrip("."))
        return bool({n for n in names if n} & self.remux_containers)

    def prepare(self, path: Path, probe: MediaProbe, out_dir: Path) -> Path | None:
        """Remux FLV / MPEG-TS (``inspect.remux_containers``) once to ``out_dir/source.mp4``.

        Stream copy (no re-encode). The file appears under its final name only when complete."""
        if not self.needs_remux(path, probe):
            return None
        from clipora_render_ffmpeg.ffmpeg_tools import run_ffmpeg

        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / "source.mp4"
        tmp = out_dir / f".source.partial-{os.getpid()}.mp4"
        base = [
            "-fflags",
            "+genpts",
            "-i",
            str(path),
            "-map",
            "0:v:0",
            "-map",
            "0:a:0?",
            "-dn",
            "-sn",
            "-map_metadata",
            "0",
            "-movflags",
            "+faststart",
        ]
        try:
            try:
                run_ffmpeg(
                    [*base, "-c", "copy", "-f", "mp4", str(tmp)],
                    media=self.runtime.media,
                    what=f"remuxing {path.name} to MP4",
                )
            except StageError:
                # Some recorder audio (e.g. PCM A-law in FLV) cannot live in MP4: keep the video
                # bit-exact and convert only the audio.
                run_ffmpeg(
                    [*base, "-c:v", "copy", "-c:a", "aac", "-b:a", "192k", "-f", "mp4", str(tmp)],
                    media=self.runtime.media,
                    what=f"remuxing {path.name} to MP4",
                )
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return target


# --- checks ----------------------------------------------------------------------------------


def check_readable_file(path: Path) -> int:
    """Fail with one clear line unless ``path`` is a non-empty readable file; return its size."""
    if not path.exists():
        raise InputError(f"input video not found: {path}", hint="check the path")
    if path.is_dir():
        raise InputError(
            f"input is a folder, not a video file: {path}", hint="pass the video file inside it"
        )
    if not path.is_file():
        raise InputError(f"input is not a regular file: {path}")
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except PermissionError as exc:
        raise _unreadable(path) from exc
    except OSError as exc:
        raise InputError(f"cannot read input video {path}: {exc.strerror or exc}") from exc
    size = path.stat().st_size
    if size == 0:
        raise InputError(
            f"input video is empty (0 bytes): {path}",
            hint="the recording or copy failed; use the complete file",
        )
    return size


def _unreadable(path: Path) -> InputError:
    return InputError(
        f"cannot read input video {path}: permission denied",
        hint="make the file readable (e.g. chmod a+r) and run again",
    )


def _not_media(path: Path, exc: Exception) -> InputError:
    problem = mp4_structure_problem(path)
    if problem:
        return InputError(
            f"input video is truncated or incomplete: {path} ({problem})",
            hint="the recording was probably interrupted; use a complete file",
        )
    return InputError(
        f"not a video file (no known media format): {path}",
        hint="check that this is a video such as MP4, MOV, MKV, FLV or MPEG-TS",
    )


def mp4_structure_problem(path: Path) -> str | None:
    """For an MP4/MOV-like file, why its top-level boxes show it is cut short (else None)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(12)
            if len(head) < 8 or head[4:8] not in {b"ftyp", b"mdat", b"moov", b"wide", b"free"}:
                return None
            pos, seen = 0, set()
            while pos + 8 <= size:
                fh.seek(pos)
                hdr = fh.read(16)
                box_size, kind = struct.unpack(">I4s", hdr[:8])
                if box_size == 1 and len(hdr) >= 16:
                    box_size = struct.unpack(">Q", hdr[8:16])[0]
                elif box_size == 0:
                    box_size = size - pos
                if box_size < 8:
                    return "damaged MP4 box structure"
                seen.add(kind)
                if pos + box_size > size:
                    if kind == b"moov" or b"moov" not in seen:
                        return "MP4 index (moov) is missing or cut off"
                    return "media data is cut off before its declared end"
                pos += box_size
            if b"moov" not in seen:
                return "MP4 index (moov) is missing"
    except OSError:
        return None
    return None


# --- probing an open container ---------------------------------------------------------------


def _probe_open(container: Any, path: Path, size: int) -> MediaProbe:
    import av

    fmt_names = [n for n in (container.format.name or "").split(",") if n]
    video = container.streams.video[0] if container.streams.video else None
    audio = container.streams.audio[0] if container.streams.audio else None
    if video is None:
        what = "an audio-only file" if audio is not None else "no video or audio streams"
        raise InputError(
            f"no video stream in {path} ({what})", hint="Clipora needs a video recording"
        )

    streams = [_stream_info(s) for s in container.streams]
    rotation, first_frame_ok, pts_deltas, tb = 0, False, [], video.time_base
    try:
        rotation, first_frame_ok, pts_deltas = _scan_video(container, video)
    except av.error.FFmpegError as exc:
        raise InputError(
            f"cannot decode the video stream of {path}: {exc}",
            hint="the file may be damaged; re-export the recording",
        ) from exc
    if not first_frame_ok:
        problem = mp4_structure_problem(path) if path.suffix.lower() in _MP4_FAMILY else None
        if problem:
            raise InputError(
                f"input video is truncated or incomplete: {path} ({problem})",
                hint="the recording was probably interrupted; use a complete file",
            )
        raise InputError(
            f"the video stream of {path} has no decodable frames",
            hint="the file may be damaged; re-export the recording",
        )

    width, height = int(video.codec_context.width), int(video.codec_context.height)
    if rotation % 180:
        width, height = height, width
    for info in streams:
        if info.index == video.index:
            info.rotation = rotation

    avg = video.average_rate
    base = video.base_rate or video.guessed_rate
    vfr = is_variable_frame_rate(pts_deltas, float(tb) if tb else 0.0)
    rate = _frame_rate(avg, base, pts_deltas, tb)

    duration = container.duration / 1_000_000 if container.duration else 0.0
    if not duration:
        duration = max((s.duration_seconds or 0.0) for s in streams)
    start = container.start_time / 1_000_000 if container.start_time is not None else 0.0
    v_start = float(video.start_time * tb) if video.start_time is not None and tb else start

    probe = MediaProbe(
        duration_seconds=round(duration, 6),
        audio_codec=audio.codec_context.name if audio is not None else "",
        video_codec=video.codec_context.name,
        video_width=width,
        video_height=height,
        video_avg_frame_rate=_ratio_text(avg),
        video_r_frame_rate=_ratio_text(base),
        path=str(path),
        container=_container_name(fmt_names, path),
        size_bytes=size,
        has_video=True,
        has_audio=audio is not None,
        frame_rate=round(rate, 6) if rate else None,
        variable_frame_rate=vfr,
        rotation=rotation,
        streams=streams,
    )
    # Extra (allowed) fields: what the renderer and remux need to know.
    probe.format_names = ",".join(fmt_names)  # type: ignore[attr-defined]
    probe.start_seconds = round(start, 6)  # type: ignore[attr-defined]
    probe.video_start_seconds = round(v_start, 6)  # type: ignore[attr-defined]
    probe.pix_fmt = video.codec_context.pix_fmt  # type: ignore[attr-defined]
    return probe


def _scan_video(container: Any, video: Any) -> tuple[int, bool, list[int]]:
    """Rotation of the first decoded frame and pts deltas of the first packets (for VFR)."""
    pts: list[int] = []
    rotation, got_frame = 0, False
    for packet in container.demux(video):
        if packet.pts is not None:
            pts.append(packet.pts)
        if not got_frame and packet.size:
            try:
                for frame in packet.decode():
                    rotation = int(round(getattr(frame, "rotation", 0) or 0)) % 360
                    got_frame = True
                    break
            except Exception:  # noqa: BLE001 - leading undecodable packets are common in TS
                pass
        if len(pts) >= VFR_SAMPLE_PACKETS and got_frame:
            break
    if not got_frame:
        try:
            for frame in video.codec_context.decode(None):
                rotation = int(round(getattr(frame, "rotation", 0) or 0)) % 360
                got_frame = True
                break
        except Exception:  # noqa: BLE001
            pass
    pts.sort()
    deltas = [b - a for a, b in zip(pts, pts[1:], strict=False) if b > a]
    # Display rotation is counter-clockwise in ffmpeg; keep it as a 0/90/180/270 angle.
    return rotation, got_frame, deltas


def is_variable_frame_rate(deltas: list[int], tick_seconds: float) -> bool:
    """True when frame intervals vary beyond timestamp rounding (e.g. 33/34 ms in FLV)."""
    if len(deltas) < 10:
        return False
    median = statistics.median(deltas)
    tolerance = max(0.1 * median, 2.0)
    off = sum(1 for d in deltas if abs(d - median) > tolerance)
    return off / len(deltas) > 0.05


def _frame_rate(
    avg: Fraction | None, base: Fraction | None, deltas: list[int], tb: Any
) -> float | None:
    for candidate in (avg, base):
        if candidate and 1 <= float(candidate) <= 240:
            return float(candidate)
    if deltas and tb:
        median = statistics.median(deltas) * float(tb)
        return 1.0 / median if median > 0 else None
    return None


def _stream_info(stream: Any) -> StreamInfo:
    kind = stream.type if stream.type in {"video", "audio", "subtitle", "data"} else "other"
    cc = stream.codec_context
    duration = None
    if stream.duration is not None and stream.time_base:
        duration = round(float(stream.duration * stream.time_base), 6)
    info = StreamInfo(
        index=stream.index,
        kind=kind,
        codec=getattr(cc, "name", "") or "",
        duration_seconds=duration,
    )
    if kind == "video":
        info.width, info.height = int(cc.width), int(cc.height)
        rate = stream.average_rate or stream.base_rate
        info.frame_rate = round(float(rate), 6) if rate else None
        info.pix_fmt = cc.pix_fmt
    elif kind == "audio":
        info.sample_rate = int(cc.sample_rate or 0) or None
        info.channels = int(getattr(cc, "channels", 0) or 0) or None
    return info


def _ratio_text(rate: Fraction | None) -> str:
    if not rate:
        return ""
    return f"{rate.numerator}/{rate.denominator}"


def _container_name(fmt_names: list[str], path: Path) -> str:
    ext = path.suffix.lower()
    wanted = _EXT_FORMAT.get(ext, ext.lstrip("."))
    if wanted in fmt_names:
        return wanted
    if "mp4" in fmt_names and ext not in {".mov"}:
        return "mp4"
    if "matroska" in fmt_names:
        return "matroska"
    return fmt_names[0] if fmt_names else ext.lstrip(".")
