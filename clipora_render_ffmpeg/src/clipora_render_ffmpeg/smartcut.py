"""Smart cut: stream-copy whole GOPs inside each window (and, past the last keyframe, the frames
that play on their own), re-encode only the partial GOPs at the window edges. AAC audio is
copied frame by frame (``audiocopy``); other audio is re-encoded for the whole clip.

Every piece goes to MPEG-TS, whose H.264 carries its parameter sets in-band before each IDR
frame, so encoded and copied pieces (different SPS/PPS) concatenate into one valid stream
(``pieces.join_pieces``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clipora_render_ffmpeg.audiocopy import AudioNotCopyable, copy_audio
from clipora_render_ffmpeg.ffmpeg_tools import run_ffmpeg
from clipora_render_ffmpeg.pieces import (
    encode_audio_track,
    inputs_per_process,
    join_pieces,
    split_evenly,
)
from clipora_render_ffmpeg.timeline import Cut, SourceInfo

if TYPE_CHECKING:
    from clipora_core.api import RenderRequest

    from clipora_render_ffmpeg.renderer import FFmpegRenderer

# Below this many copyable frames a window is simply re-encoded: a copy piece costs more
# bookkeeping than it saves.
MIN_COPY_FRAMES = 2


@dataclass
class Piece:
    kind: str  # "encode" | "copy"
    window: int
    start: float  # on the -ss timeline
    frames: int
    first_pts: int | None = None  # copy: pts of the first keyframe


@dataclass
class SmartCutResult:
    ok: bool
    reason: str = ""
    stats: dict[str, Any] = field(default_factory=dict)


class _NotSmart(Exception):
    pass


def smart_cut(
    renderer: FFmpegRenderer,
    request: RenderRequest,
    source: SourceInfo,
    cuts: list[Cut],
    fps: Fraction,
    work: Path,
    out: Path,
) -> SmartCutResult:
    import av

    progress = request.progress
    try:
        with av.open(str(source.path)) as container:
            video = container.streams.video[0]
            pieces: list[Piece] = []
            for i, cut in enumerate(cuts):
                pieces += _plan_window(container, video, source, cut, fps, i)
    except _NotSmart as exc:
        return SmartCutResult(False, str(exc))
    progress.update(0.05)

    names = [f"p{k:03d}.ts" for k in range(len(pieces))]
    audio_stats: dict[str, Any] = {}
    encode_audio = False
    if source.has_audio:
        try:
            audio_stats = copy_audio(source, cuts, work / "audio.m4a")
        except AudioNotCopyable as exc:
            encode_audio = True
            audio_stats = {"audio": "reencoded", "audio_copy_skipped": str(exc)}
    # GOPs are copied in a thread while ffmpeg encodes the edges: both cores stay busy.
    failure: list[BaseException] = []

    def copy_pieces() -> None:
        import av

        try:
            # One open for every piece: opening parses the whole index (0.17 s at 8 hours).
            with av.open(str(source.path)) as src:
                for piece, name in zip(pieces, names, strict=True):
                    if piece.kind == "copy":
                        _copy_gops(src, piece, work / name)
        except BaseException as exc:  # re-raised below, in the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=copy_pieces, daemon=True)
    worker.start()
    try:
        _encode_edges(renderer, request, source, cuts, pieces, names, work, fps, encode_audio)
    finally:
        worker.join()
    if failure:
        raise failure[0]
    progress.update(0.9)

    join_pieces(
        renderer,
        request,
        [(name, piece.frames) for piece, name in zip(pieces, names, strict=True)],
        fps,
        "audio.m4a" if source.has_audio else None,
        work,
        out,
    )

    copied = sum(p.frames for p in pieces if p.kind == "copy")
    encoded = sum(p.frames for p in pieces if p.kind == "encode")
    return SmartCutResult(
        True,
        stats={
            "copied_frames": copied,
            "reencoded_frames": encoded,
            "copied_seconds": round(float(copied / fps), 3),
            "reencoded_seconds": round(float(encoded / fps), 3),
            "pieces": len(pieces),
            **audio_stats,
        },
    )


def _plan_window(
    container: Any, video: Any, source: SourceInfo, cut: Cut, fps: Fraction, window: int
) -> list[Piece]:
    """Split one window into encode / copy / encode pieces by its keyframes."""
    tb = video.time_base
    abs_start = cut.start + source.container_start
    abs_end = abs_start + cut.duration
    container.seek(int(abs_start / tb), stream=video, backward=True, any_frame=False)
    packets: list[tuple[int, bool]] = []  # (pts, keyframe) in decode order
    for packet in container.demux(video):
        if packet.pts is None:
            if packet.dts is None:
                continue
            raise _NotSmart("packets without timestamps")
        packets.append((packet.pts, bool(packet.is_keyframe)))
        if packet.dts is not None and float(packet.dts * tb) > abs_end + 1.0:
            break

    def index(pts: int) -> int:
        return round((float(pts * tb) - abs_start) * fps)

    keys = [(n, index(pts)) for n, (pts, key) in enumerate(packets) if key]
    inside = [(n, k) for n, k in keys if 0 <= k < cut.frames]
    whole = [Piece("encode", window, cut.start, cut.frames)]
    if not inside:
        return whole
    (n1, k1), (nl, kl) = inside[0], inside[-1]
    copied = sorted(index(pts) for pts, _ in packets[n1:nl])
    if copied != list(range(k1, kl)):
        # Open GOPs (frames that lean on the previous GOP) or irregular timing: copying would
        # show broken or duplicated frames.
        raise _NotSmart("source GOPs are open or frame timing is irregular")
    # After the last keyframe, copy the longest run of packets (in decode order) that shows
    # exactly the next frames: every packet only leans on packets decoded before it, so such
    # a prefix of a GOP plays on its own. Without B-frames that is the whole rest of the
    # window; with B-frames it ends on a mini-GOP boundary, a few frames before the window end.
    end, seen, limit = kl, set(), cut.frames
    for m, (pts, _) in enumerate(packets[nl:], start=1):
        k = index(pts)
        if k >= limit or k < kl:
            break
        seen.add(k)
        if len(seen) == m and max(seen) == kl + m - 1:
            end = kl + m
    if end - k1 < MIN_COPY_FRAMES:
        return whole
    pieces = []
    if k1 > 0:
        pieces.append(Piece("encode", window, cut.start, k1))
    pieces.append(
        Piece("copy", window, cut.start + float(k1 / fps), end - k1, first_pts=packets[n1][0])
    )
    if end < cut.frames:
        pieces.append(Piece("encode", window, cut.start + float(end / fps), cut.frames - end))
    return pieces


def _encode_edges(
    renderer: FFmpegRenderer,
    request: RenderRequest,
    source: SourceInfo,
    cuts: list[Cut],
    pieces: list[Piece],
    names: list[str],
    work: Path,
    fps: Fraction,
    encode_audio: bool,
) -> None:
    """Re-encode every edge piece, in batches of a few pieces per ffmpeg process; then the
    audio track when it could not be copied."""
    edges = [(p, n) for p, n in zip(pieces, names, strict=True) if p.kind == "encode"]
    total = sum(c.duration for c in cuts)
    # Batches run side by side when cores are free: one x264 encoder on a few short edges
    # leaves a core idle. Within a pipeline that renders clips in parallel, they run in turn.
    parallel = renderer.process_budget()
    # Every input loads the source's whole index: a few inputs per process (pieces.py).
    size = min(inputs_per_process(source), max(1, -(-len(edges) // parallel)))
    batches = [edges[i : i + size] for i in range(0, len(edges), size)]
    encoded = [0.0] * len(batches)
    lock = threading.Lock()

    def run(index: int) -> None:
        def report(t: float) -> None:
            with lock:
                encoded[index] = t
                done = sum(encoded)
            request.progress.update(0.05 + 0.75 * min(1.0, done / total))

        _encode_batch(renderer, request, source, batches[index], work, fps, report, f"b{index}")

    if len(batches) == 1 or parallel == 1:
        for i in range(len(batches)):
            run(i)
    elif batches:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=parallel) as pool:
            for future in [pool.submit(run, i) for i in range(len(batches))]:
                future.result()
    if encode_audio:
        groups = split_evenly(cuts, inputs_per_process(source))
        encode_audio_track(renderer, request, source, groups, work)


def _encode_batch(
    renderer: FFmpegRenderer,
    request: RenderRequest,
    source: SourceInfo,
    batch: list[tuple[Piece, str]],
    work: Path,
    fps: Fraction,
    report: Any,
    prefix: str,
) -> None:
    """One ffmpeg process and one x264 encoder for a batch of edge pieces: each piece has its
    own accurately seeked input, the pieces are concatenated, every piece starts on a forced IDR
    frame, and the segment muxer splits the stream there into one MPEG-TS file per piece.

    One encoder instead of one per piece keeps memory flat in the number of windows (each
    x264 instance at 720p holds about 100 MB of lookahead and reference frames)."""
    inputs: list[str] = []
    graph: list[str] = []
    splits: list[int] = []
    frames_so_far = 0
    half = 0.5 / float(fps)
    for k, (piece, _) in enumerate(batch):
        ss = max(0.0, piece.start - half)
        # One decoding thread per input: edges are short, and frame threads would each hold
        # their own set of frames.
        inputs += [
            "-threads",
            "1",
            "-ss",
            f"{ss:.6f}",
            "-t",
            f"{float(piece.frames / fps) + 1.0:.6f}",
            "-i",
            str(source.path),
        ]
        graph.append(f"[{k}:v:0]trim=end_frame={piece.frames},setpts=PTS-STARTPTS[e{k}]")
        if k:
            splits.append(frames_so_far)
        frames_so_far += piece.frames
    labels = "".join(f"[e{k}]" for k in range(len(batch)))
    # Frame times from the frame count alone, so x264 (whose rate control reads them) sees the
    # same regular timeline on every run, whatever concat derives from each input's end. The
    # other half of determinism is in FFmpegRenderer.x264_args.
    graph.append(
        f"{labels}concat=n={len(batch)}:v=1:a=0,"
        f"setpts=N*{fps.denominator}/({fps.numerator}*TB)[edges]"
    )
    keyframes = "+".join(f"eq(n,{f})" for f in [0, *splits])
    run_ffmpeg(
        [
            *inputs,
            "-filter_complex",
            ";".join(graph),
            "-map",
            "[edges]",
            *renderer.x264_args(source.pix_fmt),
            "-force_key_frames",
            f"expr:{keyframes}",
            "-forced-idr",
            "1",
            "-fps_mode",
            "passthrough",
            *renderer.thread_args(),
            "-f",
            "segment",
            "-segment_format",
            "mpegts",
            *(["-segment_frames", ",".join(map(str, splits))] if splits else []),
            "-reset_timestamps",
            "1",
            f"{prefix}-%03d.ts",
        ],
        media=renderer.runtime.media,
        what=f"cutting {request.clip_id or 'clip'} window edges",
        cwd=work,
        on_progress=report,
    )
    for k, (_, name) in enumerate(batch):
        segment = work / f"{prefix}-{k:03d}.ts"
        if not segment.is_file():
            from clipora_core.api import StageError

            raise StageError(f"smart cut: ffmpeg wrote no piece {k} of {len(batch)} edges")
        segment.replace(work / name)


def _copy_gops(src: Any, piece: Piece, target: Path) -> None:
    """Copy ``piece.frames`` packets (decode order) from the keyframe at ``first_pts`` of the
    open source ``src`` on."""
    import av

    with av.open(str(target), "w", format="mpegts") as dst:
        video = src.streams.video[0]
        out = dst.add_stream_from_template(video)
        src.seek(piece.first_pts, stream=video, backward=True, any_frame=False)
        started, count = False, 0
        for packet in src.demux(video):
            if packet.pts is None:
                continue
            if not started:
                if packet.is_keyframe and packet.pts == piece.first_pts:
                    started = True
                else:
                    continue
            packet.stream = out
            dst.mux(packet)
            count += 1
            if count == piece.frames:
                break
    if count != piece.frames:
        from clipora_core.api import StageError

        raise StageError(f"smart cut copied {count} frames where {piece.frames} were expected")
