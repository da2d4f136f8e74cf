"""Hot words (asr.hotwords and product names) reach the Aliyun file-transcription task as a
business hot-word list made through the POP API, against the local fake (aliyun_fake.py), which
checks the list's limits as Aliyun documents them."""

from __future__ import annotations

import pytest
from aliyun_support import SECRETS, success
from clipora_core.errors import StageError

PRODUCTS = ["保温杯", "面霜", "蓝牙耳机", "iPhone 15 Pro"]


def vocab_actions(fake) -> list[str]:
    return [action for action, _ in fake.vocab_calls]


def hotword_warnings(transcript) -> list[str]:
    return [w for w in transcript.warnings if "hot" in w]


def test_hot_words_reach_the_task_through_a_list_of_their_own(
    fake, media, make_settings, make_request, backend_factory
):
    fake.task_script = [success()]
    settings = make_settings()
    request = make_request(media.video, settings, hotwords=PRODUCTS)
    transcript = backend_factory(settings).transcribe(request)

    assert len(transcript.segments) == 2 and transcript.warnings == []
    (task,) = fake.tasks
    (words,) = fake.task_vocabularies  # the list as it was when the task was submitted
    assert task["vocabulary_id"]
    assert words == {word: 3 for word in PRODUCTS}
    # Made before the task, deleted after it: nothing is left behind in the account.
    assert vocab_actions(fake) == ["CreateAsrVocab", "DeleteAsrVocab"]
    assert fake.vocabs == {}
    assert not (request.scratch_dir / "aliyun" / "vocabulary.json").exists()
    log = request.progress.text()
    assert "aliyun_vocabulary_created" in log and "words=4" in log
    assert f"vocabulary_id={task['vocabulary_id']}" in log
    assert "aliyun_vocabulary_deleted" in log


def test_weight_comes_from_config(fake, media, make_settings, make_request, backend_factory):
    fake.task_script = [success()]
    settings = make_settings(vocabulary_weight=5)
    backend_factory(settings).transcribe(make_request(media.video, settings, hotwords=["面霜"]))
    assert fake.task_vocabularies == [{"面霜": 5}]


def test_configured_vocabulary_id_wins(fake, media, make_settings, make_request, backend_factory):
    fake.task_script = [success()]
    settings = make_settings(vocabulary_id="console-vocab-1")
    transcript = backend_factory(settings).transcribe(
        make_request(media.video, settings, hotwords=PRODUCTS)
    )
    assert fake.tasks[0]["vocabulary_id"] == "console-vocab-1"
    assert fake.vocab_calls == []
    (warning,) = transcript.warnings
    assert "asr.aliyun.vocabulary_id is set" in warning
    assert "4 hot words (asr.hotwords and product names) were not added to it" in warning

    # Without hot words the configured list is used silently.
    fake.task_script = [success()]
    transcript = backend_factory(settings).transcribe(make_request(media.video, settings))
    assert fake.tasks[1]["vocabulary_id"] == "console-vocab-1" and transcript.warnings == []


def test_no_hot_words_no_list(fake, media, make_settings, make_request, backend_factory):
    fake.task_script = [success()]
    settings = make_settings()
    backend_factory(settings).transcribe(make_request(media.video, settings))
    assert "vocabulary_id" not in fake.tasks[0] and fake.vocab_calls == []


def test_create_vocabulary_off(fake, media, make_settings, make_request, backend_factory):
    fake.task_script = [success()]
    settings = make_settings(create_vocabulary=False)
    transcript = backend_factory(settings).transcribe(
        make_request(media.video, settings, hotwords=PRODUCTS)
    )
    assert "vocabulary_id" not in fake.tasks[0] and fake.vocab_calls == []
    assert transcript.warnings == [
        "asr.hotwords and product names are not sent to Aliyun "
        "(asr.aliyun.create_vocabulary is off)"
    ]


def test_too_many_and_too_long_words_are_left_out_with_a_warning(
    fake, media, make_settings, make_request, backend_factory
):
    too_long = [
        "这是一个名字特别特别长的商品",  # 14 Chinese characters
        "one two three four five six",  # 6 English words
        "保温杯 Pro Max",  # mixed: 3 + 6 letters = 9, fits
        "超大号保温杯 Pro",  # mixed: 6 + 3 = 9, fits
        "儿童保温杯Pro Max",  # mixed: 5 + 6 = 11, too long
    ]
    many = [f"商品{i}号" for i in range(140)]
    hotwords = [
        "面霜（50g）",  # punctuation is removed: 面霜50g
        "面霜（50g）",  # the same twice: counted once
        "!!!",  # nothing left
        *too_long,
        *many,
    ]
    fake.task_script = [success()]
    settings = make_settings()
    transcript = backend_factory(settings).transcribe(
        make_request(media.video, settings, hotwords=hotwords)
    )

    (words,) = fake.task_vocabularies
    assert len(words) == 128  # the fake refuses more, as the service documents
    assert list(words)[:3] == ["面霜50g", "保温杯 Pro Max", "超大号保温杯 Pro"]
    assert list(words)[3:] == many[:125]  # the first ones, in the order given
    (warning,) = transcript.warnings
    # 3 too long + 1 empty + 15 beyond the limit, of 147 distinct words
    assert warning.startswith("19 of 147 hot words were left out of the Aliyun hot-word list")
    assert "3 longer than 10 characters or 5 English words" in warning
    assert "'这是一个名字特别特别长的商品'" in warning
    assert "1 with nothing but punctuation" in warning
    assert "15 beyond the 128-word limit" in warning
    assert "\n" not in warning


def test_list_creation_failure_still_transcribes_with_one_warning(
    fake, media, make_settings, make_request, backend_factory
):
    # The account already holds the 10 lists Aliyun allows: CreateAsrVocab is refused.
    for i in range(10):
        fake.vocabs[f"other-{i}"] = {"Name": f"other {i}", "WordWeights": {"词": 2}}
    fake.task_script = [success()]
    settings = make_settings()
    request = make_request(media.video, settings, hotwords=PRODUCTS)
    transcript = backend_factory(settings).transcribe(request)

    assert len(transcript.segments) == 2
    assert "vocabulary_id" not in fake.tasks[0]
    (warning,) = transcript.warnings
    assert warning.startswith("could not create the Aliyun hot-word list (Aliyun CreateAsrVocab")
    assert "VocabQuotaExceeded, HTTP 400" in warning
    assert warning.endswith("transcribed without the job's 4 hot words")
    assert len(fake.vocabs) == 10  # nothing of ours, nothing of theirs deleted
    assert vocab_actions(fake) == ["CreateAsrVocab"]


@pytest.mark.parametrize("status", [500, 403])
def test_list_api_errors_do_not_fail_the_transcription(
    fake, media, make_settings, make_request, backend_factory, status
):
    fake.fail_actions = {"CreateAsrVocab": status}
    fake.task_script = [success()]
    settings = make_settings()
    transcript = backend_factory(settings).transcribe(
        make_request(media.video, settings, hotwords=PRODUCTS)
    )
    assert len(transcript.segments) == 2 and "vocabulary_id" not in fake.tasks[0]
    (warning,) = transcript.warnings
    assert f"HTTP {status}" in warning and "could not create the Aliyun hot-word list" in warning


def test_unreachable_list_api_does_not_fail_the_transcription(
    fake, media, make_settings, make_request, backend_factory
):
    fake.task_script = [success()]
    settings = make_settings(vocabulary_endpoint="http://127.0.0.1:9", request_timeout_seconds=2)
    transcript = backend_factory(settings).transcribe(
        make_request(media.video, settings, hotwords=PRODUCTS)
    )
    assert len(transcript.segments) == 2 and "vocabulary_id" not in fake.tasks[0]
    (warning,) = transcript.warnings
    assert "could not reach the service" in warning


def test_wrong_secret_warns_about_the_list_without_leaking_it(
    fake, media, make_settings, make_request, backend_factory
):
    # The fake's OSS checks only the key id, so the list API is the first to refuse the secret.
    settings = make_settings(access_key_secret="wrong-secret-value-123")
    request = make_request(media.video, settings, hotwords=PRODUCTS)
    with pytest.raises(StageError) as err:  # then SubmitTask fails the stage
        backend_factory(settings).transcribe(request)
    assert "file transcription rejected the credentials" in err.value.one_line()
    assert fake.calls_to("POST", Action="CreateAsrVocab") and fake.vocabs == {}
    text = request.progress.text() + err.value.one_line()
    assert "wrong-secret" not in text and all(secret not in text for secret in SECRETS)


def test_a_list_left_behind_is_reused_by_the_next_run(
    fake, media, make_settings, make_request, backend_factory
):
    # First run: deleting the list fails, so its id stays with the job.
    fake.fail_actions = {"DeleteAsrVocab": 503}
    fake.task_script = [success()]
    settings = make_settings()
    request = make_request(media.video, settings, hotwords=PRODUCTS)
    transcript = backend_factory(settings).transcribe(request)
    assert len(transcript.segments) == 2
    (vocab_id,) = fake.vocabs
    assert "could not delete the hot-word list" in request.progress.text()
    assert (request.scratch_dir / "aliyun" / "vocabulary.json").exists()

    # Second run, with a changed product list: that list is updated, not a new one made.
    fake.fail_actions = {}
    fake.task_script, fake.polls = [success()], 0
    request = make_request(media.video, settings, hotwords=["面霜", "洗面奶"])
    backend_factory(settings).transcribe(request)
    assert vocab_actions(fake) == [
        "CreateAsrVocab",
        "DeleteAsrVocab",
        "UpdateAsrVocab",
        "DeleteAsrVocab",
    ]
    assert fake.vocab_calls[2][1]["Id"] == vocab_id
    assert fake.tasks[1]["vocabulary_id"] == vocab_id
    assert fake.task_vocabularies[1] == {"面霜": 3, "洗面奶": 3}
    assert fake.vocabs == {}
    assert not (request.scratch_dir / "aliyun" / "vocabulary.json").exists()


def test_a_list_gone_from_the_account_is_made_again(
    fake, media, make_settings, make_request, backend_factory
):
    fake.fail_actions = {"DeleteAsrVocab": 503}
    fake.task_script = [success()]
    settings = make_settings()
    backend_factory(settings).transcribe(make_request(media.video, settings, hotwords=PRODUCTS))
    fake.vocabs.clear()  # someone deleted it in the console

    fake.fail_actions = {}
    fake.task_script, fake.polls = [success()], 0
    request = make_request(media.video, settings, hotwords=PRODUCTS)
    transcript = backend_factory(settings).transcribe(request)
    assert vocab_actions(fake)[2:] == ["UpdateAsrVocab", "CreateAsrVocab", "DeleteAsrVocab"]
    assert fake.task_vocabularies[1] == {word: 3 for word in PRODUCTS}
    assert transcript.warnings == []
    assert "aliyun_vocabulary_stale" in request.progress.text()


def test_settings_that_change_the_transcript_are_config_keys():
    from clipora_core.capabilities import Kind
    from clipora_core.plugins import get_host

    keys = get_host().get(Kind.ASR, "aliyun").config_keys
    for key in ("vocabulary_id", "create_vocabulary", "vocabulary_weight"):
        assert f"asr.aliyun.{key}" in keys
    # Where the list API lives does not change what is transcribed.
    assert not any("vocabulary_domain" in k or "vocabulary_endpoint" in k for k in keys)


def test_weight_outside_the_documented_range_is_a_config_error(make_settings):
    from clipora_core.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        make_settings(vocabulary_weight=6)
    assert "asr.aliyun.vocabulary_weight" in err.value.one_line()
