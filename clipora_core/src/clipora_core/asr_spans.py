"""A long recording's transcription spread over an executor's workers, span by span.

When the job's executor runs units on other machines and the recording is longer than one and
a half ``asr.span_seconds``, the timeline is cut into equal spans; each becomes an ``asr_span``
unit that reads the audio of its span (plus ``OVERLAP`` seconds on each side, so a sentence
across a cut is heard whole by both), runs the job's ASR backend on it and returns what it heard.
Neighbours are joined in a pause that both heard (no word there, in either), near the nominal
cut, so nothing is lost or heard twice. The transcripts are joined in order;
the result is the same kind of transcript the backend gives for the whole recording, cached
under the same key.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clipora_core.capabilities import Capability
from clipora_core.contracts import (
    Resources,
    TimeMapEntry,
    Transcript,
    TranscriptSegment,
    TranscriptWord,
    WorkUnit,
)
from clipora_core.errors import StageError
from clipora_core.fileio import read_json

if TYPE_CHECKING:
    from clipora_core.stages.base import StageContext

# Seconds each span also hears on either side of its own part.
OVERLAP = 15.0
SPANS_DIR = "semantic/.spans"


def should_spread(ctx: StageContext, cap: Capability) -> bool:
    """True when this transcription goes out as spans: a remote executor, a backend that
    transcribes the audio file it is given, and a recording long enough to be worth it."""
    executor = ctx.engine.executor
    span = float(ctx.settings.asr.span_seconds)
    if executor is None or not executor.remote or span <= 0:
        return False
    if not (cap.features.get("needs_audio", True) and cap.features.get("kept_audio", True)):
        return False
    return ctx.probe().duration_seconds > 1.5 * span


def asr_gpus(engine: Any) -> float:
    """1 when the job's ASR backend is set to a CUDA device (its options' ``device``), so
    an executor places its units on a node with a GPU; 0 otherwise ("auto" cannot know)."""
    from clipora_core.capabilities import Kind
    from clipora_core.plugins import options_for

    try:
        cap = engine.capability(Kind.ASR, engine.settings.asr.mode, "asr.mode")
        device = getattr(options_for(cap, engine.settings), "device", "")
    except Exception:  # noqa: BLE001 - not knowing means asking for none
        return 0.0
    return 1.0 if str(device).startswith("cuda") else 0.0


def span_bounds(duration: float, span_seconds: float) -> list[tuple[float, float]]:
    """Equal spans of at most ``span_seconds`` covering ``[0, duration]``."""
    n = max(1, math.ceil(duration / span_seconds))
    size = duration / n
    return [(i * size, duration if i == n - 1 else (i + 1) * size) for i in range(n)]


def source_pieces(time_map: list[TimeMapEntry], start: float, end: float) -> list[TimeMapEntry]:
    """The pieces of the recording that make up ``[start, end]`` of the cleaned timeline."""
    if not time_map:
        return [TimeMapEntry(source_start_seconds=start, source_end_seconds=end,
                             cleaned_start_seconds=start, cleaned_end_seconds=end)]  # fmt: skip
    out = []
    for e in time_map:
        lo, hi = max(start, e.cleaned_start_seconds), min(end, e.cleaned_end_seconds)
        if hi - lo > 1e-6:
            shift = e.source_start_seconds - e.cleaned_start_seconds
            out.append(
                TimeMapEntry(
                    source_start_seconds=lo + shift,
                    source_end_seconds=hi + shift,
                    cleaned_start_seconds=lo,
                    cleaned_end_seconds=hi,
                )
            )
    return out


def span_units(ctx: StageContext, language: str | None, hotwords: list[str]) -> list[WorkUnit]:
    job, s = ctx.job, ctx.settings
    duration = ctx.probe().duration_seconds
    config = ctx.engine.config.path
    units = []
    for i, (a, b) in enumerate(span_bounds(duration, float(s.asr.span_seconds))):
        lo, hi = max(0.0, a - OVERLAP), min(duration, b + OVERLAP)
        pieces = source_pieces(ctx.media_time_map(), lo, hi)
        units.append(
            WorkUnit(
                kind="asr_span",
                id=f"{job.job_id}/asr-{i + 1:03d}",
                job_dir=str(job.root),
                config_file=str(config) if config else None,
                config_sets=list(ctx.engine.unit_sets),
                payload={
                    "index": i,
                    "offset": lo,
                    "keep": [a, b],
                    "pieces": [p.model_dump(mode="json") for p in pieces],
                    "language": language,
                    "hotwords": hotwords,
                },
                resources=Resources(cpus=2.0, memory_mb=1536, gpus=asr_gpus(ctx.engine)),
                retries=int(s.batch.retries),
            )
        )
    return units


def transcribe_spans(ctx: StageContext, language: str | None, hotwords: list[str]) -> Transcript:
    """The whole timeline's transcript, each span transcribed by a unit of its own."""
    executor = ctx.engine.executor
    units = span_units(ctx, language, hotwords)
    ctx.progress.info(
        "transcribing in spans on the executor", spans=len(units), executor=executor.describe()
    )
    futures = {executor.submit(u): u for u in units}
    parts: dict[int, Transcript] = {}
    for fut in cf.as_completed(futures):
        unit = futures[fut]
        index = int(unit.payload["index"])
        try:
            result = fut.result()
        except Exception as exc:  # noqa: BLE001 - worker lost: the stage fails with why
            raise StageError(
                f"transcribing span {index + 1} of {len(units)} failed: {exc}"
            ) from None
        if not result.ok:
            raise StageError(
                f"transcribing span {index + 1} of {len(units)} failed: {result.error}"
            )
        parts[index] = Transcript.model_validate(read_json(Path(result.detail["transcript"])))
        ctx.progress.update(len(parts), len(units), message=f"{len(parts)}/{len(units)} spans")
    import shutil

    shutil.rmtree(ctx.job.path(SPANS_DIR), ignore_errors=True)
    duration = ctx.probe().duration_seconds
    bounds = [(float(u.payload["keep"][0]), float(u.payload["keep"][1])) for u in units]
    return join_spans([parts[i] for i in range(len(units))], bounds, duration)


def _spans_of(seg: TranscriptSegment) -> list[tuple[float, float]]:
    return [(w.start_seconds, w.end_seconds) for w in seg.words] or [
        (seg.start_seconds, seg.end_seconds)
    ]


def cut_point(left: Transcript, right: Transcript, near: float) -> float:
    """Where to cut between two neighbouring spans: in the longest pause around ``near`` that
    neither of them heard a word in (both heard this stretch, thanks to the overlap), so no
    word is lost or heard twice. ``near`` when they heard no pause there."""
    lo, hi = near - 0.8 * OVERLAP, near + 0.8 * OVERLAP
    heard = sorted(
        (a, b)
        for t in (left, right)
        for seg in t.segments
        for a, b in _spans_of(seg)
        if b > lo and a < hi
    )
    best, best_score, edge = near, -1.0, lo
    for a, b in [*heard, (hi, hi)]:
        if a > edge:
            gap = min(a, hi) - edge
            middle = (edge + min(a, hi)) / 2
            score = gap - 0.05 * abs(middle - near)
            if score > best_score:
                best, best_score = middle, score
        edge = max(edge, b)
    return best


def clip_transcript(t: Transcript, start: float, end: float) -> list[TranscriptSegment]:
    """The segments (and words) of ``t`` whose middle lies in ``[start, end)``; a segment across
    an edge keeps the words on this side."""
    out = []
    for seg in t.segments:
        if seg.words:
            words = [w for w in seg.words if start <= (w.start_seconds + w.end_seconds) / 2 < end]
            if not words:
                continue
            if len(words) == len(seg.words):
                out.append(seg)
                continue
            text = "".join(w.text for w in words).strip()
            out.append(
                seg.model_copy(
                    update={
                        "start_seconds": words[0].start_seconds,
                        "end_seconds": words[-1].end_seconds,
                        "text": text,
                        "words": words,
                    }
                )
            )
        elif start <= (seg.start_seconds + seg.end_seconds) / 2 < end:
            out.append(seg)
    return out


def join_spans(
    parts: list[Transcript], bounds: list[tuple[float, float]], duration: float
) -> Transcript:
    """One transcript of the spans' overlapping transcripts, cut between neighbours in a
    pause both heard."""
    cuts = [0.0]
    for i in range(len(parts) - 1):
        cuts.append(cut_point(parts[i], parts[i + 1], bounds[i][1]))
    cuts.append(math.inf)
    segments: list[TranscriptSegment] = []
    for i, part in enumerate(parts):
        for seg in clip_transcript(part, cuts[i], cuts[i + 1]):
            segments.append(seg.model_copy(update={"id": f"seg-{len(segments) + 1:04d}"}))
    languages = [p.language for p in parts if p.language]
    first = parts[0]
    return Transcript(
        segments=segments,
        language=max(set(languages), key=languages.count) if languages else None,
        backend=first.backend,
        model=first.model,
        duration_seconds=duration,
        warnings=list(dict.fromkeys(w for p in parts for w in p.warnings)),
    )


def shifted(transcript: Transcript, offset: float) -> Transcript:
    """The span's transcript on the recording's timeline."""
    segments = [
        TranscriptSegment(
            id=seg.id,
            start_seconds=seg.start_seconds + offset,
            end_seconds=seg.end_seconds + offset,
            text=seg.text,
            words=[
                TranscriptWord(
                    start_seconds=w.start_seconds + offset,
                    end_seconds=w.end_seconds + offset,
                    text=w.text,
                )
                for w in seg.words
            ],
        )
        for seg in transcript.segments
    ]
    return transcript.model_copy(update={"segments": segments, "text": ""})


def run_span(unit: WorkUnit, job: Any, engine: Any) -> dict[str, Any]:
    """On the worker: the span's audio, the backend on it, the kept part written beside the
    job's transcript (the driver joins them)."""
    from clipora_core.capabilities import ASRRequest, Kind
    from clipora_core.fileio import write_json
    from clipora_core.kept_audio import extract_kept_audio
    from clipora_core.progress import StageProgress

    p = unit.payload
    index = int(p["index"])
    pieces = [TimeMapEntry.model_validate(x) for x in p["pieces"]]
    # A folder of its own: spans may run at once on one node, and a backend may tidy its
    # scratch folder.
    scratch = job.path(f"{SPANS_DIR}/{index:03d}")
    scratch.mkdir(parents=True, exist_ok=True)
    media = engine.runtime.media
    audio = extract_kept_audio(job.effective_source, pieces, scratch / f"{index:03d}.flac", media)
    backend = engine.instance(Kind.ASR, engine.settings.asr.mode, "asr.mode")
    try:
        transcript = backend.transcribe(
            ASRRequest(
                media_path=audio,
                duration_seconds=sum(
                    e.cleaned_end_seconds - e.cleaned_start_seconds for e in pieces
                ),
                scratch_dir=scratch,
                progress=StageProgress(job, "semantic_discover"),
                language=p.get("language"),
                hotwords=list(p.get("hotwords") or []),
                source_path=job.source_path,
            )
        )
    finally:
        backend.close()
        audio.unlink(missing_ok=True)
    part = shifted(transcript, float(p["offset"]))
    out = scratch / f"{index:03d}.json"
    write_json(out, part)
    return {"transcript": str(out), "segments": len(part.segments)}
