"""The ``import`` backend: existing subtitles and Whisper/WhisperX JSON become the transcript."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from asr_media import RecordingProgress
from clipora_core.capabilities import ASRRequest, Kind
from clipora_core.contracts import TimeMapEntry
from clipora_core.errors import InputError
from clipora_core.transcripts import check_invariants

SRT = """1
00:00:01,000 --> 00:00:03,500
Welcome to the live stream.

2
00:00:03,200 --> 00:00:06,000
This water bottle is
<i>only $29</i> today.

3
00:00:07,000 --> 00:00:09,000
The link is up.
"""

VTT = """WEBVTT

00:00:00.500 --> 00:00:02.000
大家好，欢迎来到直播间。

00:00:02.500 --> 00:00:05.000
今天第一款是保温杯，
今天只要一百二十九。
"""

WHISPER_JSON = {
    "text": " Welcome. The price is $29.",
    "language": "en",
    "segments": [
        {"id": 0, "seek": 0, "start": 0.0, "end": 1.5, "text": " Welcome.", "tokens": [1, 2]},
        {"id": 1, "seek": 0, "start": 1.5, "end": 4.0, "text": " The price is $29."},
    ],
}

WHISPERX_JSON = {
    "segments": [
        {
            "start": 0.2,
            "end": 2.4,
            "text": " The bottle costs 29 dollars.",
            "words": [
                {"word": "The", "start": 0.2, "end": 0.4, "score": 0.9},
                {"word": "bottle", "start": 0.4, "end": 0.9, "score": 0.9},
                {"word": "costs", "start": 0.9, "end": 1.3, "score": 0.8},
                {"word": "29"},  # WhisperX cannot align numerals
                {"word": "dollars.", "start": 1.9, "end": 2.6, "score": 0.7},
            ],
        }
    ],
    "word_segments": [],
}


def run_import(
    settings, media: Path, *, source: Path | None = None, duration: float = 20.0, time_map=None
):
    from clipora_core.plugins import get_host

    backend = get_host().create(Kind.ASR, "import", settings)
    language = settings.asr.language
    request = ASRRequest(
        media_path=media,
        duration_seconds=duration,
        scratch_dir=media.parent,
        progress=RecordingProgress(),
        source_path=source,
        language=None if language in ("", "auto") else language,
    )
    if time_map is not None:
        request.time_map = time_map  # proposed ASRRequest field; read with getattr
    return backend.transcribe(request)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_capability_describes_the_backend():
    from clipora_core.plugins import get_host

    cap = get_host().get(Kind.ASR, "import")
    assert cap.languages == ["*"]
    assert cap.features["word_timestamps"] == "when the file has them"
    # It reads a file: a video without sound is fine and nothing goes to the ASR cache.
    assert cap.features["needs_audio"] is False and cap.features["cacheable"] is False
    assert not cap.needs_network


def test_srt_next_to_the_original_video(tmp_path, make_settings):
    source = tmp_path / "show.mp4"
    source.write_bytes(b"")
    write(tmp_path / "show.srt", SRT)
    effective = tmp_path / "job" / "effective.mp4"  # the job's copy: no sidecar next to it
    effective.parent.mkdir()
    t = run_import(make_settings(**{"asr.mode": "import"}), effective, source=source)
    assert [s.text for s in t.segments] == [
        "Welcome to the live stream.",
        "This water bottle is only $29 today.",
        "The link is up.",
    ]
    assert check_invariants(t.segments, 20.0) == []
    # The overlapping second cue starts where the first ends.
    assert t.segments[1].start_seconds == pytest.approx(3.5)
    assert t.backend == "import" and t.model == "show.srt"
    assert t.warnings == []


def test_vtt_in_mandarin_from_config_path(tmp_path, make_settings):
    vtt = write(tmp_path / "subs.vtt", VTT)
    t = run_import(make_settings(**{"asr.imported.path": str(vtt)}), tmp_path / "video.mp4")
    assert t.language == "zh"
    assert t.segments[1].text == "今天第一款是保温杯，今天只要一百二十九。"
    assert t.segments[0].start_seconds == pytest.approx(0.5)


def test_gb18030_srt_and_language_from_the_file_name(tmp_path, make_settings):
    source = tmp_path / "live.flv"
    source.write_bytes(b"")
    write(
        tmp_path / "live.zh.srt", "1\n00:00:01,000 --> 00:00:02,000\n保温杯一百二十九\n", "gb18030"
    )
    t = run_import(make_settings(), source, source=source)
    assert t.text == "保温杯一百二十九"
    assert t.language == "zh"


def test_whisper_json(tmp_path, make_settings):
    path = write(tmp_path / "w.json", json.dumps(WHISPER_JSON))
    t = run_import(make_settings(**{"asr.imported.path": str(path)}), tmp_path / "v.mp4")
    assert t.language == "en"
    assert [s.text for s in t.segments] == ["Welcome.", "The price is $29."]
    assert [s.id for s in t.segments] == ["seg-0001", "seg-0002"]
    assert all(s.words == [] for s in t.segments)


def test_whisperx_json_with_words(tmp_path, make_settings):
    path = write(tmp_path / "x.json", json.dumps(WHISPERX_JSON))
    t = run_import(make_settings(**{"asr.imported.path": str(path)}), tmp_path / "v.mp4")
    (seg,) = t.segments
    assert [w.text for w in seg.words] == ["The", "bottle", "costs", "dollars."]
    # The last word ran past its segment: clamped inside it.
    assert seg.words[-1].end_seconds == pytest.approx(2.4)
    assert check_invariants(t.segments, 20.0) == []
    assert any("1 words" in w and "no times" in w for w in t.warnings)


def test_our_own_transcript_json_round_trips(tmp_path, make_settings, english_run):
    path = tmp_path / "transcript.json"
    path.write_text(english_run.transcript.model_dump_json(), encoding="utf-8")
    settings = make_settings(**{"asr.imported.path": str(path)})
    t = run_import(settings, tmp_path / "v.mp4", duration=english_run.duration)
    assert [s.text for s in t.segments] == [s.text for s in english_run.transcript.segments]
    assert [len(s.words) for s in t.segments] == [
        len(s.words) for s in english_run.transcript.segments
    ]
    assert t.language == "en"


def test_cleaning_time_map_moves_cues_to_the_effective_timeline(tmp_path, make_settings):
    path = write(tmp_path / "s.srt", SRT)
    # Cleaning removed 4-7 s of the original: cue 3 (7-9 s) moves to 4-6 s.
    time_map = [
        TimeMapEntry(
            source_start_seconds=0,
            source_end_seconds=4,
            cleaned_start_seconds=0,
            cleaned_end_seconds=4,
        ),
        TimeMapEntry(
            source_start_seconds=7,
            source_end_seconds=20,
            cleaned_start_seconds=4,
            cleaned_end_seconds=17,
        ),
    ]
    t = run_import(
        make_settings(**{"asr.imported.path": str(path)}),
        tmp_path / "v.mp4",
        duration=17,
        time_map=time_map,
    )
    assert [(s.start_seconds, s.end_seconds) for s in t.segments] == [
        (1.0, 3.5),
        (3.5, 4.0),
        (4.0, 6.0),
    ]


def test_cues_after_the_video_end_are_dropped_with_a_warning(tmp_path, make_settings):
    path = write(tmp_path / "s.srt", SRT)
    t = run_import(
        make_settings(**{"asr.imported.path": str(path)}), tmp_path / "v.mp4", duration=5.0
    )
    assert len(t.segments) == 2
    assert t.segments[-1].end_seconds == 5.0
    assert any("after the end of the video" in w for w in t.warnings)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.json", "{not json", "invalid JSON at line 1"),
        ("list.json", '{"text": "hi"}', "no 'segments' list"),
        (
            "seg.json",
            '{"segments": [{"start": 1, "text": "x"}]}',
            "segment 1 lacks start, end or text",
        ),
        ("empty.srt", "", "the file is empty"),
        ("junk.srt", "this is not a subtitle file\n", "no subtitle cues found"),
        ("notes.txt", "hello", "unsupported format .txt"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path, make_settings, name, content, message):
    path = write(tmp_path / name, content)
    with pytest.raises(InputError) as err:
        run_import(make_settings(**{"asr.imported.path": str(path)}), tmp_path / "v.mp4")
    line = err.value.one_line()
    assert message in line and name in line and "\n" not in line


def test_missing_files_say_where_they_looked(tmp_path, make_settings):
    with pytest.raises(InputError, match="does not exist"):
        run_import(
            make_settings(**{"asr.imported.path": str(tmp_path / "nope.srt")}), tmp_path / "v.mp4"
        )
    source = tmp_path / "stream.mp4"
    with pytest.raises(InputError) as err:
        run_import(make_settings(), source, source=source)
    assert "stream.srt, stream.vtt, stream.json" in err.value.one_line()
    assert "asr.imported.path" in err.value.one_line()


def test_several_tagged_sidecars_ask_which_one(tmp_path, make_settings):
    source = tmp_path / "stream.mp4"
    write(tmp_path / "stream.en.srt", SRT)
    write(tmp_path / "stream.zh.srt", SRT)
    with pytest.raises(InputError, match="several transcripts next to stream.mp4"):
        run_import(make_settings(), source, source=source)
