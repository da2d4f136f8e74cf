"""Audio extraction: the first audio stream, once, as 16 kHz mono float32 in memory.

Same samples as faster-whisper's ``decode_audio`` (s16 resample, scaled to [-1, 1)), plus what
livestream recordings need: gaps in the audio timestamps (dropped packets) are filled with silence
and a late-starting audio stream is padded, so transcript times stay on the video's timeline, and
a corrupt packet is skipped instead of failing the whole job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clipora_core.errors import InputError, StageError

SAMPLE_RATE = 16000
GAP_TOLERANCE_SECONDS = 0.1


@dataclass
class DecodedAudio:
    samples: Any  # numpy float32, mono, 16 kHz
    filled_gap_seconds: float = 0.0
    skipped_packets: int = 0

    @property
    def duration_seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def decode_16k_mono(path: Path) -> DecodedAudio:
    import av
    import numpy as np

    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, OSError) as exc:
        raise InputError(f"cannot read {path.name}: {exc}", hint="check that the file is a video") from exc
    with container:
        if not container.streams.audio:
            raise StageError(
                f"{path.name} has no audio stream, so there is no speech to transcribe",
                hint="use a recording with sound, or asr.mode=import with a subtitle file",
            )
        stream = container.streams.audio[0]
        origin = (container.start_time or 0) / 1_000_000
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        chunks: list[Any] = []
        written = 0
        filled = 0
        skipped = 0

        def add(frames: list[Any]) -> None:
            nonlocal written
            for out in frames:
                arr = out.to_ndarray().reshape(-1)
                chunks.append(arr)
                written += arr.shape[0]

        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.InvalidDataError:
                skipped += 1
                continue
            for frame in frames:
                if frame.time is not None:
                    expected = written / SAMPLE_RATE
                    gap = (frame.time - origin) - expected
                    if gap > GAP_TOLERANCE_SECONDS:
                        pad = int(round(gap * SAMPLE_RATE))
                        chunks.append(np.zeros(pad, dtype=np.int16))
                        written += pad
                        filled += pad
                add(resampler.resample(frame))
        add(resampler.resample(None))

    pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    samples = pcm.astype(np.float32) / 32768.0
    return DecodedAudio(samples=samples, filled_gap_seconds=filled / SAMPLE_RATE, skipped_packets=skipped)
