"""The ``ffmpeg`` renderer: one mp4 per plan segment, windows in play order.

Two methods, same result on screen:

* ``smart_cut`` (no filter needed: no burn-in, speed 1.0, same size, CFR H.264): whole GOPs inside
  each window are stream-copied, only the partial GOPs at window edges are re-encoded.
* ``reencode``: one ffmpeg process, one accurately seeked input per window (so distant windows do
  not decode what lies between them), a filter graph that cuts each window to whole frames,
  concatenates, changes speed, resizes and burns subtitles in the same encode. A clip with more
  windows than one process may open inputs for (each input loads the source's whole index, see
  ``pieces``) is encoded in pieces of a few windows, on the clip's clock, and joined.

Outputs are written under a temporary name and renamed when complete."""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from clipora_core.api import (
    MediaProbe,
    PluginRuntime,
    Renderer,
    RenderOutput,
    RenderRequest,
    StageError,
    WindowFraming,
)

from clipora_render_ffmpeg.ffmpeg_tools import MP4_OUTPUT, atempo_chain, run_ffmpeg
from clipora_render_ffmpeg.filters import audio_window, join_fade, seek_input, video_window
from clipora_render_ffmpeg.framing import centred, window_filters
from clipora_render_ffmpeg.pieces import (
    encode_audio_track,
    inputs_per_process,
    join_pieces,
    split_evenly,
)
from clipora_render_ffmpeg.profile import FramePlan, plan_frame
from clipora_render_ffmpeg.settings import RenderProfileSettings
from clipora_render_ffmpeg.timeline import Cut, SourceInfo, output_rate, read_source, snap_windows

# H.264 profiles whose streams decode correctly after a re-encoded head from our x264 settings.
SMART_CUT_PROFILES = {"Baseline", "Constrained Baseline", "Main", "High"}


class FFmpegRenderer(Renderer):
    """Factory result for ``render.renderer = ffmpeg``."""

    def __init__(
        self, options: RenderProfileSettings | None = None, runtime: PluginRuntime | None = None
    ) -> None:
        self.options = options or RenderProfileSettings()
        self.runtime = runtime or PluginRuntime()
        # Clips rendering at once, from the request being rendered (sizes ffmpeg's processes).
        self.parallel_renders = 1

    def _opt(self, name: str, default: Any) -> Any:
        value = getattr(self.options, name, default)
        return default if value is None and default is not None else value

    def output_size(self, probe: MediaProbe) -> tuple[int, int]:
        frame = plan_frame(probe.video_width or 1280, probe.video_height or 720, self.options)
        return frame.width, frame.height

    def subject_crop(self, probe: MediaProbe) -> tuple[int, int] | None:
        frame = plan_frame(probe.video_width or 1280, probe.video_height or 720, self.options)
        return frame.subject

    # --- entry point -------------------------------------------------------------------------

    def render(self, request: RenderRequest) -> RenderOutput:
        started = time.monotonic()
        if self.runtime.cancelled():
            raise StageError(
                f"clip {request.clip_id or request.out_path.name}: the run was stopped"
            )
        if not request.windows:
            raise StageError(f"clip {request.clip_id or request.out_path.name} has no windows")
        source = read_source(Path(request.source_path).resolve(), request.probe)
        speed = float(request.playback_speed)
        self.parallel_renders = max(1, int(request.parallel_renders))
        fps = output_rate(source, self._opt("frame_rate", None))
        frame = plan_frame(source.width, source.height, self.options)
        cuts = snap_windows(list(request.windows), source, fps)
        framings = self._framings(request, source, frame)
        burn = Path(request.burn_subtitles).resolve() if request.burn_subtitles else None
        if burn is not None and not burn.is_file():
            raise StageError(f"subtitle file to burn in not found: {burn}")

        out_path = Path(request.out_path).resolve()
        out_path.parent.mkdir(parents=True, exist_ok=True)
        tmp_out = out_path.with_name(f".{out_path.stem}.partial-{uuid.uuid4().hex[:8]}.mp4")
        # The clip without subtitles too, from the same decode: only where it needs filters
        # anyway (a plain clip smart cut can make is cheaper made that way, on its own).
        plain_path = None
        if (
            request.plain_out_path is not None
            and burn is not None
            and self._smart_cut_blocker(source, fps, frame, speed, None) is not None
        ):
            plain_path = Path(request.plain_out_path).resolve()
        tmp_plain = (
            plain_path.with_name(f".{plain_path.stem}.partial-{uuid.uuid4().hex[:8]}.mp4")
            if plain_path
            else None
        )
        work = Path(tempfile.mkdtemp(prefix=f".{out_path.stem}.work-", dir=out_path.parent))
        metadata: dict[str, Any] = {}
        try:
            reason = self._smart_cut_blocker(source, fps, frame, speed, burn)
            done = False
            if reason is None:
                from clipora_render_ffmpeg.smartcut import smart_cut

                result = smart_cut(self, request, source, cuts, fps, work, tmp_out)
                if result.ok:
                    metadata.update(method="smart_cut", **result.stats)
                    done = True
                else:
                    reason = result.reason
            if not done:
                metadata.update(
                    self._reencode(
                        request,
                        source,
                        cuts,
                        fps,
                        frame,
                        speed,
                        burn,
                        work,
                        tmp_out,
                        tmp_plain,
                        framings,
                    )
                )
                metadata["method"] = "reencode"
                if reason:
                    metadata["smart_cut_skipped"] = reason
            video_s, audio_s, total = output_durations(tmp_out)
            if plain_path is not None and tmp_plain is not None and metadata.get("plain_output"):
                os.replace(tmp_plain, plain_path)
            else:
                plain_path = None
            os.replace(tmp_out, out_path)
        finally:
            tmp_out.unlink(missing_ok=True)
            if tmp_plain is not None:
                tmp_plain.unlink(missing_ok=True)
            shutil.rmtree(work, ignore_errors=True)
        request.progress.update(1.0)
        expected = sum(c.duration for c in cuts) / speed
        metadata.update(
            expected_duration_seconds=round(expected, 6),
            video_duration_seconds=video_s,
            audio_duration_seconds=audio_s,
            width=frame.width,
            height=frame.height,
            frame_rate=f"{fps.numerator}/{fps.denominator}",
            playback_speed=speed,
            burned_subtitles=burn is not None,
            windows=[
                {
                    "start_seconds": round(c.start, 6),
                    "end_seconds": round(c.start + c.duration, 6),
                    "frames": c.frames,
                }
                for c in cuts
            ],
            elapsed_seconds=round(time.monotonic() - started, 3),
        )
        return RenderOutput(
            path=out_path, duration_seconds=total, metadata=metadata, plain_path=plain_path
        )

    # --- decisions ---------------------------------------------------------------------------

    @staticmethod
    def _framings(
        request: RenderRequest, source: SourceInfo, frame: FramePlan
    ) -> list[WindowFraming] | None:
        """Each window's framing with ``fit: subject`` (a held centre crop where the request
        brought none); None otherwise."""
        if frame.subject is None:
            return None
        given = list(request.framing or [])
        if len(given) != len(request.windows):
            given = [centred(frame, source.width, source.height) for _ in request.windows]
        return given

    def _smart_cut_blocker(
        self, source: SourceInfo, fps: Any, frame: FramePlan, speed: float, burn: Path | None
    ) -> str | None:
        """Why smart cut cannot apply (None when it can)."""
        if not self._opt("smart_cut", True):
            return "disabled by render.ffmpeg.smart_cut"
        if burn is not None:
            return "subtitles are burned in"
        if abs(speed - 1.0) > 1e-9:
            return "playback speed is not 1.0"
        if frame.resized or (frame.width, frame.height) != (source.width, source.height):
            return "output size differs from the source"
        if source.codec != "h264":
            return f"source codec {source.codec} (smart cut handles h264)"
        if source.variable_frame_rate:
            return "variable frame rate source"
        if source.rotation:
            return "rotated source"
        if source.pix_fmt not in {"yuv420p", "yuvj420p"}:
            return f"pixel format {source.pix_fmt}"
        if source.profile and source.profile not in SMART_CUT_PROFILES:
            # A lossless or 4:4:4 stream (High 4:4:4 Predictive) does not decode after a head
            # encoded with the usual tools: the copied frames come out as noise.
            return f"H.264 profile {source.profile}"
        if source.rate is None or fps != source.rate:
            return "output frame rate differs from the source"
        return None

    # --- common pieces -----------------------------------------------------------------------

    def process_budget(self) -> int:
        """ffmpeg processes one render may run at once: the cores left to it by the other
        clips rendering in parallel (``concurrency.render``), at most two."""
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cores = os.cpu_count() or 1
        return max(1, min(2, cores // self.parallel_renders))

    def thread_args(self) -> list[str]:
        threads = int(self._opt("threads", 0) or 0)
        return ["-threads", str(threads)] if threads else []

    def x264_args(self, pix_fmt: str = "yuv420p") -> list[str]:
        return [
            "-c:v",
            "libx264",
            "-preset",
            str(self._opt("preset", "veryfast")),
            "-crf",
            str(self._opt("crf", 23)),
            # x264's threaded lookahead decides frame types from however many frames have
            # arrived: two renders of one plan differed in about 1 of 5 runs on a busy machine.
            # Without it (about 10 % more wall time at 720p) every render is bit-identical.
            "-x264-params",
            "sync-lookahead=0",
            "-pix_fmt",
            pix_fmt,
        ]

    def audio_args(self) -> list[str]:
        return ["-c:a", "aac", "-b:a", str(self._opt("audio_bitrate", "128k"))]

    # --- full re-encode ----------------------------------------------------------------------

    @staticmethod
    def _subtitle_filter(request: RenderRequest, burn: Path | None, work: Path) -> str | None:
        """The burn-in filter, reading a copy of the .ass (and the fonts) inside ``work``."""
        if burn is None:
            return None
        shutil.copyfile(burn, work / "subs.ass")
        sub = "subtitles=filename=subs.ass"
        if request.fonts_dir and Path(request.fonts_dir).is_dir():
            # A link with a plain name: no path escaping inside the filter graph.
            (work / "fonts").symlink_to(Path(request.fonts_dir).resolve(), target_is_directory=True)
            sub += ":fontsdir=fonts"
        return sub

    def _reencode(
        self,
        request: RenderRequest,
        source: SourceInfo,
        cuts: list[Cut],
        fps: Any,
        frame: FramePlan,
        speed: float,
        burn: Path | None,
        work: Path,
        out: Path,
        plain: Path | None = None,
        framings: list[WindowFraming] | None = None,
    ) -> dict[str, Any]:
        """One ffmpeg run decodes the windows, joins them, and encodes ``out`` (and, with
        ``plain``, the same frames without the burned subtitles: one decode, split after the
        common filters, two encodes; the audio filtered once and encoded for each)."""
        groups = split_evenly(cuts, inputs_per_process(source))
        if len(groups) > 1:
            return self._reencode_groups(
                request, source, cuts, groups, fps, frame, speed, burn, work, out, framings
            )
        stats: dict[str, Any] = {}
        copied_audio: Path | None = None
        if source.has_audio and abs(speed - 1.0) <= 1e-9:
            # AAC frames copied as smart cut does: no second generation of audio loss, and
            # no audio decode or encode in the ffmpeg run.
            from clipora_render_ffmpeg.audiocopy import AudioNotCopyable, copy_audio

            try:
                stats = copy_audio(source, cuts, work / "audio.m4a")
                copied_audio = work / "audio.m4a"
            except AudioNotCopyable as exc:
                stats = {"audio": "reencoded", "audio_copy_skipped": str(exc)}
        encode_audio = source.has_audio and copied_audio is None
        fade = join_fade(cuts)
        inputs: list[str] = []
        graph: list[str] = []
        pairs: list[str] = []
        for i, cut in enumerate(cuts):
            opts, offset = seek_input(cut)
            inputs += [*opts, *([] if encode_audio else ["-an"]), "-i", str(source.path)]
            graph.append(video_window(f"{i}:v:0", offset, cut, fps, f"v{i}"))
            if framings is not None:
                graph += window_filters(i, framings[i], frame, f"v{i}")
                pairs.append(f"[f{i}]")
            else:
                pairs.append(f"[v{i}]")
            if encode_audio:
                graph.append(
                    audio_window(f"{i}:a:0", offset, cut, source.audio_sample_rate, f"a{i}", fade)
                )
                pairs.append(f"[a{i}]")
        audio = 1 if encode_audio else 0
        concat_out = "[cv][ca]" if audio else "[cv]"
        graph.append(f"{''.join(pairs)}concat=n={len(cuts)}:v=1:a={audio}{concat_out}")

        # Frame times from the frame count: a regular timeline for x264 on every run (see
        # smartcut._encode_batch).
        post: list[str] = [f"setpts=N*{fps.denominator}/({fps.numerator}*TB)"]
        if abs(speed - 1.0) > 1e-9:
            post += [f"setpts=PTS/{speed:.6f}", f"fps={fps.numerator}/{fps.denominator}"]
        post += frame.filters
        sub = self._subtitle_filter(request, burn, work)
        dual = plain is not None and sub is not None
        if dual:
            graph.append(f"[cv]{','.join(post)},split=2[vs][vp]")
            graph.append(f"[vs]{sub},format=yuv420p[vout]")
            graph.append("[vp]format=yuv420p[vplain]")
        else:
            if sub:
                post.append(sub)
            post.append("format=yuv420p")
            graph.append(f"[cv]{','.join(post)}[vout]")
        maps = ["-map", "[vout]"]
        plain_maps = ["-map", "[vplain]"]
        audio_codec: list[str] = []
        if audio:
            tempo = ",".join(atempo_chain(speed)) if abs(speed - 1.0) > 1e-9 else "anull"
            if dual:
                graph.append(f"[ca]{tempo},asplit=2[aout][aplain]")
                plain_maps += ["-map", "[aplain]"]
            else:
                graph.append(f"[ca]{tempo}[aout]")
            maps += ["-map", "[aout]"]
            audio_codec = self.audio_args()
        elif copied_audio is not None:
            inputs += ["-i", copied_audio.name]
            maps += ["-map", f"{len(cuts)}:a:0"]
            plain_maps += ["-map", f"{len(cuts)}:a:0"]
            audio_codec = ["-c:a", "copy"]

        total = sum(c.duration for c in cuts) / speed
        encode = [
            *self.x264_args(),
            "-fps_mode",
            "passthrough",
            *audio_codec,
            *self.thread_args(),
            *MP4_OUTPUT,
        ]
        args = [*inputs, "-filter_complex", ";".join(graph), *maps, *encode, str(out)]
        if dual:
            args += [*plain_maps, *encode, str(plain)]
            stats["plain_output"] = "same decode"
        run_ffmpeg(
            args,
            media=self.runtime.media,
            what=f"rendering {request.clip_id or out.name}",
            on_progress=lambda t: request.progress.update(min(t / total, 0.99)),
            cwd=work,
        )
        return stats

    def _reencode_groups(
        self,
        request: RenderRequest,
        source: SourceInfo,
        cuts: list[Cut],
        groups: list[list[Cut]],
        fps: Any,
        frame: FramePlan,
        speed: float,
        burn: Path | None,
        work: Path,
        out: Path,
        framings: list[WindowFraming] | None = None,
    ) -> dict[str, Any]:
        """The full re-encode for more windows than one ffmpeg process may open inputs for
        (``pieces.inputs_per_process``): each group of windows is encoded by its own process
        into an MPEG-TS piece, on the clip's frame clock (so burned subtitles stay in time),
        and the pieces are joined with the clip's audio.

        At a playback speed other than 1.0, piece k starts at output frame
        round(input frames before it / speed): the pieces' frame counts add up to the clip's,
        with no rounding error piling up from piece to piece."""
        from clipora_render_ffmpeg.audiocopy import AudioNotCopyable, copy_audio

        normal = abs(speed - 1.0) <= 1e-9
        starts = [0]
        for group in groups:
            starts.append(starts[-1] + sum(c.frames for c in group))
        # Output frame at which each piece starts (half-way cases round down, as snap_windows).
        out_starts = [math.ceil(n / speed - 0.5 - 1e-9) for n in starts]
        counts = [out_starts[k + 1] - out_starts[k] for k in range(len(groups))]
        stats: dict[str, Any] = {"pieces": len(groups)}
        audio: str | None = None
        if source.has_audio:
            audio = "audio.m4a"
            try:
                if not normal:
                    raise AudioNotCopyable(f"playback speed {speed:g}")
                stats.update(copy_audio(source, cuts, work / audio))
            except AudioNotCopyable as exc:
                seconds = [float(n / fps) for n in counts]
                encode_audio_track(self, request, source, groups, work, audio, speed, seconds)
                stats.update(audio="reencoded", audio_copy_skipped=str(exc))
        sub = self._subtitle_filter(request, burn, work)
        total = sum(c.duration for c in cuts) / speed
        encoded = [0.0] * len(groups)
        lock = threading.Lock()
        rate = f"{fps.numerator}/{fps.denominator}"

        def encode(k: int) -> tuple[str, int]:
            group, name = groups[k], f"r{k:03d}.ts"
            inputs: list[str] = []
            graph: list[str] = []
            first = sum(len(g) for g in groups[:k])
            labels = ""
            for i, cut in enumerate(group):
                opts, offset = seek_input(cut)
                inputs += [*opts, "-an", "-i", str(source.path)]
                graph.append(video_window(f"{i}:v:0", offset, cut, fps, f"v{i}"))
                if framings is not None:
                    graph += window_filters(i, framings[first + i], frame, f"v{i}")
                    labels += f"[f{i}]"
                else:
                    labels += f"[v{i}]"
            graph.append(f"{labels}concat=n={len(group)}:v=1:a=0[cv]")
            # Frame times on the clip's clock, so the subtitles filter shows this piece's cues.
            post = [f"setpts=(N+{starts[k]})*{fps.denominator}/({fps.numerator}*TB)"]
            if not normal:
                begin = float(out_starts[k] / fps)
                post += [
                    f"setpts=PTS/{speed:.6f}",
                    f"fps={rate}:start_time={begin:.6f}:round=near",
                    "tpad=stop_mode=clone:stop_duration=1",
                    f"trim=end_frame={counts[k]}",
                ]
            post += frame.filters
            if sub:
                post.append(sub)
            post += ["setpts=PTS-STARTPTS", "format=yuv420p"]
            graph.append(f"[cv]{','.join(post)}[vout]")

            def report(t: float) -> None:
                with lock:
                    encoded[k] = t
                    done = sum(encoded)
                request.progress.update(min(0.95 * done / total, 0.95))

            run_ffmpeg(
                [
                    *inputs,
                    "-filter_complex",
                    ";".join(graph),
                    "-map",
                    "[vout]",
                    *self.x264_args(),
                    "-fps_mode",
                    "passthrough",
                    *self.thread_args(),
                    "-f",
                    "mpegts",
                    name,
                ],
                media=self.runtime.media,
                what=f"rendering {request.clip_id or out.name} (part {k + 1} of {len(groups)})",
                on_progress=report,
                cwd=work,
            )
            return name, counts[k]

        workers = min(self.process_budget(), len(groups))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pieces = list(pool.map(encode, range(len(groups))))
        join_pieces(self, request, pieces, fps, audio, work, out)
        return stats


def output_durations(path: Path) -> tuple[float | None, float | None, float]:
    """(video, audio, container) durations of a rendered file, read back with PyAV."""
    import av

    with av.open(str(path)) as c:
        durations: dict[str, float] = {}
        for s in c.streams:
            if s.type in {"video", "audio"} and s.duration is not None and s.type not in durations:
                durations[s.type] = round(float(s.duration * s.time_base), 6)
        total = c.duration / 1e6 if c.duration else max(durations.values(), default=0.0)
    return durations.get("video"), durations.get("audio"), round(total, 6)
