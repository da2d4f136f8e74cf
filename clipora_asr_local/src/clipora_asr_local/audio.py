"""Audio extraction: the first audio stream as 16 kHz mono float32, streamed in blocks.

Same samples as faster-whisper's ``decode_audio`` (s16 resample, scaled to [-1, 1)), plus what
livestream recordings need: gaps in the audio timestamps (dropped packets) are filled with silence
and a late-starting audio stream is padded, so transcript times stay on the video's timeline, and
a corrupt packet is skipped instead of failing the whole job.

Decoding is a stream (:class:`AudioStream`, read window by window with :class:`SampleReader`) so
that transcribing a multi-hour recording holds one window of samples, not the whole track.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clipora_core.api import InputError, StageError

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


class AudioStream:
    """The first audio stream of ``path`` as int16 16 kHz mono blocks, gaps filled with silence.

    Opening validates the file (InputError / StageError), so a bad input fails before any model
    loads. ``filled_gap_seconds``, ``skipped_packets`` and ``seconds`` count what was read so far.
    """

    def __init__(self, path: Path) -> None:
        import av

        self.path = path
        try:
            self._container = av.open(str(path), metadata_errors="ignore")
        except (av.error.FFmpegError, OSError) as exc:
            raise InputError(
                f"cannot read {path.name}: {exc}", hint="check that the file is a video"
            ) from exc
        if not self._container.streams.audio:
            self._container.close()
            raise StageError(
                f"{path.name} has no audio stream, so there is no speech to transcribe",
                hint="use a recording with sound, or asr.mode=import with a subtitle file",
            )
        self._filled = 0
        self.skipped_packets = 0
        self._emitted = 0

    @property
    def filled_gap_seconds(self) -> float:
        return self._filled / SAMPLE_RATE

    @property
    def seconds(self) -> float:
        """Seconds of samples handed out so far."""
        return self._emitted / SAMPLE_RATE

    def estimated_seconds(self) -> float:
        duration = self._container.duration
        return float(duration) / 1_000_000 if duration else 0.0

    def close(self) -> None:
        self._container.close()

    def __enter__(self) -> AudioStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def blocks(self) -> Iterator[Any]:
        """int16 arrays in timeline order (sizes vary: up to about GROUP_SAMPLES, or a gap)."""
        import av
        import numpy as np

        container = self._container
        stream = container.streams.audio[0]
        origin = (container.start_time or 0) / 1_000_000
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        # Resampling frames in large groups, as faster-whisper does, halves the decode time.
        fifo = av.AudioFifo()
        written = 0.0  # output samples so far, including what waits in the FIFO

        def flush(final: bool = False) -> Iterator[Any]:
            frame = fifo.read()
            outs = list(resampler.resample(frame)) if frame is not None else []
            if final:
                outs += resampler.resample(None)
            for out in outs:
                block = out.to_ndarray().reshape(-1)
                self._emitted += block.shape[0]
                yield block

        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.InvalidDataError:
                self.skipped_packets += 1
                continue
            for frame in frames:
                if frame.time is not None:
                    gap = (frame.time - origin) - written / SAMPLE_RATE
                    if gap > GAP_TOLERANCE_SECONDS:
                        yield from flush()
                        pad = int(round(gap * SAMPLE_RATE))
                        written += pad
                        self._filled += pad
                        self._emitted += pad
                        yield np.zeros(pad, dtype=np.int16)
                written += frame.samples * SAMPLE_RATE / frame.sample_rate
                frame.pts = None  # the FIFO insists on contiguous timestamps
                fifo.write(frame)
                if fifo.samples >= GROUP_SAMPLES:
                    yield from flush()
        yield from flush(final=True)


class SampleReader:
    """Reads an :class:`AudioStream` in float32 pieces of a requested length."""

    def __init__(self, stream: AudioStream) -> None:
        self._blocks = stream.blocks()
        self._pending: Any = None  # the rest of the block last read from
        self.exhausted = False

    def read(self, count: int) -> Any:
        """Up to ``count`` samples as float32 in [-1, 1); fewer only at the end of the stream."""
        import numpy as np

        out = np.empty(count, dtype=np.float32)
        pos = 0
        while pos < count:
            if self._pending is None or self._pending.shape[0] == 0:
                self._pending = next(self._blocks, None)
                if self._pending is None:
                    self.exhausted = True
                    break
            take = min(count - pos, self._pending.shape[0])
            out[pos : pos + take] = self._pending[:take]
            self._pending = self._pending[take:]
            pos += take
        out = out[:pos]
        out /= 32768.0  # as faster-whisper's decode_audio
        return out


def decode_16k_mono(path: Path) -> DecodedAudio:
    """The whole track in memory (for short media and tests; transcription streams instead)."""
    import numpy as np

    with AudioStream(path) as stream:
        reader = SampleReader(stream)
        pieces = []
        while not reader.exhausted:
            pieces.append(reader.read(60 * SAMPLE_RATE))
        samples = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
        return DecodedAudio(
            samples=samples,
            filled_gap_seconds=stream.filled_gap_seconds,
            skipped_packets=stream.skipped_packets,
        )
