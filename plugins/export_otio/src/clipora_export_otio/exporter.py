"""A job's clips as OpenTimelineIO timelines, written by OTIO's adapters (no hand-made XML).

One timeline per clip, named after it: a video track and an audio track holding the clip's
cuts of the original recording, in plan order, at the recording's frame rate. Each cut refers
to the recording by file URL with its whole length as the available range, so the editor
relinks nothing and can extend a cut. Playback speed and subtitles are not in the timeline
(say so in the docs: an editor applies them); an EDL holds the video cuts only.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from clipora_core.api import ExportClip, Exporter, ExportRequest


def frame_rate(request: ExportRequest) -> float:
    """The recording's rate, as the exact fraction an editor knows (30000/1001, not 29.97)."""
    raw = request.probe.frame_rate or 30.0
    return float(Fraction(str(raw)).limit_denominator(1001))


def timeline(clip: ExportClip, request: ExportRequest, rate: float) -> Any:
    import opentimelineio as otio

    rt, tr = otio.opentime.RationalTime, otio.opentime.TimeRange
    length = request.probe.duration_seconds
    reference = otio.schema.ExternalReference(
        target_url=request.source_path.resolve().as_uri(),
        available_range=tr(rt(0, rate), rt(round(length * rate), rate)),
    )
    tl = otio.schema.Timeline(name=f"{clip.title} {clip.variant}".strip())
    tl.metadata["clipora"] = {"clip_id": clip.clip_id, "variant": clip.variant}
    tracks = [otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)]
    if request.probe.has_audio:
        tracks.append(otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio))
    for cut in clip.cuts:
        start = round(cut.start_seconds * rate)
        frames = max(1, round(cut.end_seconds * rate) - start)
        for track in tracks:
            track.append(
                otio.schema.Clip(
                    name=request.source_path.name,
                    media_reference=reference.clone(),
                    source_range=tr(rt(start, rate), rt(frames, rate)),
                )
            )
    tl.tracks.extend(tracks)
    return tl


class OtioExporter(Exporter):
    adapter = "otio_json"
    suffix = ".otio"

    def __init__(self, options: Any = None, runtime: Any = None) -> None:
        pass

    def export(self, request: ExportRequest) -> list[Path]:
        import opentimelineio as otio

        rate = frame_rate(request)
        files = []
        for n, clip in enumerate(request.clips, start=1):
            out = request.out_dir / f"{clip.variant}-{clip.clip_id}{self.suffix}"
            otio.adapters.write_to_file(
                timeline(clip, request, rate), str(out), adapter_name=self.adapter
            )
            files.append(out)
            request.progress.update(
                n, len(request.clips), message=f"{n}/{len(request.clips)} timelines"
            )
        return files


class OtioJson(OtioExporter):
    pass


class FcpxXml(OtioExporter):
    adapter = "fcpx_xml"
    suffix = ".fcpxml"


class FcpXml(OtioExporter):
    adapter = "fcp_xml"
    suffix = ".xml"


class Cmx3600(OtioExporter):
    adapter = "cmx_3600"
    suffix = ".edl"
