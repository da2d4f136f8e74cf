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
GROUP_SAMPLES = 500_000


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
        # Resampling frames in large groups, as faster-whisper does, halves the decode time.
        fifo = av.AudioFifo()
        chunks: list[Any] = []
        written = 0  # output samples so far, including what waits in the FIFO
        filled = 0
        skipped = 0

        def flush(final: bool = False) -> None:
            frame = fifo.read()
            for out in resampler.resample(frame) if frame is not None else []:
                chunks.append(out.to_ndarray().reshape(-1))
            if final:
                for out in resampler.resample(None):
                    chunks.append(out.to_ndarray().reshape(-1))

        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.InvalidDataError:
                skipped += 1
                continue
            for frame in frames:
                if frame.time is not None:
                    gap = (frame.time - origin) - written / SAMPLE_RATE
                    if gap > GAP_TOLERANCE_SECONDS:
                        flush()
                        pad = int(round(gap * SAMPLE_RATE))
                        chunks.append(np.zeros(pad, dtype=np.int16))
                        written += pad
                        filled += pad
                written += frame.samples * SAMPLE_RATE / frame.sample_rate
                frame.pts = None  # the FIFO insists on contiguous timestamps
                fifo.write(frame)
                if fifo.samples >= GROUP_SAMPLES:
                    flush()
        flush(final=True)

    # Fill one float32 array chunk by chunk: a multi-hour recording never holds two full copies.
    samples = np.empty(sum(c.shape[0] for c in chunks), dtype=np.float32)
    pos = 0
    chunks.reverse()
    while chunks:
        chunk = chunks.pop()
        samples[pos : pos + chunk.shape[0]] = chunk
        pos += chunk.shape[0]
    samples /= 32768.0  # as faster-whisper's decode_audio
    return DecodedAudio(samples=samples, filled_gap_seconds=filled / SAMPLE_RATE, skipped_packets=skipped)
