"""The audio of a cleaned timeline: the recording's kept pieces, joined, for backends that read
a file (an ASR model, a cloud upload). Audio only, so it costs a small share of a video decode.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from clipora_core.contracts import TimeMapEntry
from clipora_core.media import Media

RATE = 16_000  # what speech models resample to anyway; lossless (FLAC) at that rate


def kept_audio_graph(time_map: list[TimeMapEntry]) -> str:
    """One ``atrim`` per kept piece (sample-exact, so the joined audio stays in step with the
    cleaned timeline however many pieces there are), joined by ``concat``. The pieces come in
    time order, so no branch holds audio while another one plays."""
    n = len(time_map)
    head = f"[0:a:0]aresample={RATE},aformat=channel_layouts=mono,asplit={n}"
    head += "".join(f"[s{i}]" for i in range(n))
    pieces = [
        f"[s{i}]atrim=start={e.source_start_seconds:.6f}:end={e.source_end_seconds:.6f},"
        f"asetpts=PTS-STARTPTS[k{i}]"
        for i, e in enumerate(time_map)
    ]
    tail = "".join(f"[k{i}]" for i in range(n)) + f"concat=n={n}:v=0:a=1[kept]"
    return ";".join([head, *pieces, tail])


def extract_kept_audio(
    source: Path,
    time_map: list[TimeMapEntry],
    out_path: Path,
    media: Media,
    on_progress: Callable[[float], None] | None = None,
) -> Path:
    """Write the kept pieces of ``source``'s first audio stream to ``out_path`` (mono FLAC)."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.part")
    total = sum(e.cleaned_end_seconds - e.cleaned_start_seconds for e in time_map)
    media.run(
        [
            "-i",
            source,
            "-filter_complex",
            kept_audio_graph(time_map),
            "-map",
            "[kept]",
            "-c:a",
            "flac",
            "-f",
            "flac",
            tmp,
        ],
        what=f"reading the kept audio of {source.name}",
        on_progress=(lambda t: on_progress(min(1.0, t / total))) if on_progress and total else None,
    )
    tmp.replace(out_path)
    return out_path
