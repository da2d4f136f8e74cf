"""Tight bodies: fillers and long pauses cut out of body windows, on synthetic word lists."""

from __future__ import annotations

import random

import numpy as np
import pytest
from clipora_core.contracts import TimeWindow
from clipora_live_commerce.settings import LiveCommerceSettings, TightenSettings
from clipora_live_commerce.tighten import HOP, TightenRules, TWord, find_fillers, tighten_windows
from clipora_live_commerce.tighten_plan import rules_from

RULES = rules_from(TightenSettings())


def words(*spec: tuple[str, float, float]) -> list[TWord]:
    return [TWord(s, e, t) for t, s, e in spec]


def win(s: float, e: float) -> TimeWindow:
    return TimeWindow(start_seconds=s, end_seconds=e)


def spans(windows: list[TimeWindow]) -> list[tuple[float, float]]:
    return [(w.start_seconds, w.end_seconds) for w in windows]


def assert_clean(out: list[TimeWindow], ws: list[TWord], removed: set[str]) -> None:
    """No edge inside a word; every word not removed plays whole inside one window."""
    for w in out:
        for t in (w.start_seconds, w.end_seconds):
            assert not any(x.start + 1e-6 < t < x.end - 1e-6 for x in ws), (t, out)
    for x in ws:
        if x.text in removed:
            assert not any(w.start_seconds < (x.start + x.end) / 2 < w.end_seconds for w in out)
        else:
            assert any(w.start_seconds <= x.start and x.end <= w.end_seconds for w in out), (x, out)


def test_mandarin_standalone_fillers_go_determiner_and_particle_stay():
    ws = words(
        ("这款", 0.0, 0.4),
        ("嗯", 0.7, 0.9),
        ("面料", 1.2, 1.6),
        ("很", 1.6, 1.8),
        ("软。", 1.8, 2.1),
        ("那个，", 2.3, 2.6),
        ("颜色", 2.9, 3.3),
        ("也", 3.3, 3.4),
        ("好看", 3.4, 3.8),
        ("啊。", 3.8, 4.0),  # a sentence-final particle, not a filler
        ("我们", 4.1, 4.3),
        ("那个", 4.3, 4.5),  # "that colour": a determiner
        ("颜色", 4.5, 4.9),
    )
    out, trims = tighten_windows([win(0.0, 5.0)], ws, RULES)
    assert [(t.kind, t.text) for t in trims] == [("filler", "嗯"), ("filler", "那个，")]
    assert_clean(out, ws, {"嗯", "那个，"})
    # A little of the pause is kept on each side of a cut.
    assert trims[0].start_seconds == pytest.approx(0.5, abs=0.01)
    assert trims[0].end_seconds == pytest.approx(1.1, abs=0.01)


def test_a_filler_split_over_two_asr_words_and_one_after_a_pause():
    ws = words(
        ("好", 0.0, 0.3),
        ("那", 0.8, 0.95),
        ("个", 0.95, 1.1),
        ("我们", 1.5, 1.8),
        ("看", 1.8, 2.0),
        ("啊", 2.6, 2.8),  # after a pause, before one: a filler
        ("这个", 3.2, 3.5),
    )
    assert find_fillers(ws, RULES) == [(1, 2), (5, 5)]
    out, trims = tighten_windows([win(0.0, 3.6)], ws, RULES)
    assert [t.text for t in trims] == ["那 个", "啊"]
    assert_clean(out, ws, {"那", "个", "啊"})


def test_english_um_uh_and_standalone_like_go_like_as_a_verb_stays():
    ws = words(
        ("So", 0.0, 0.2),
        ("this", 0.2, 0.4),
        ("is,", 0.4, 0.6),
        ("um,", 0.8, 1.0),
        ("my", 1.2, 1.4),
        ("second", 1.4, 1.8),
        ("live.", 1.8, 2.1),
        ("It", 2.3, 2.4),
        ("smells", 2.4, 2.7),
        ("like", 2.7, 2.9),
        ("coffee,", 2.9, 3.3),
        ("which", 3.4, 3.6),
        ("is,", 3.6, 3.8),
        ("like,", 4.0, 4.3),
        ("uh", 4.4, 4.6),
        ("cleaner.", 4.8, 5.3),
        ("I", 5.4, 5.5),
        ("like", 5.5, 5.7),
        ("it.", 5.7, 5.9),
    )
    out, trims = tighten_windows([win(0.0, 6.0)], ws, RULES)
    assert [t.text for t in trims] == ["um,", "like, uh"]
    assert_clean(out, ws, {"um,", "like,", "uh"})


def test_a_long_pause_is_shortened_not_removed():
    ws = words(("first", 0.0, 0.5), ("second", 2.0, 2.5))
    out, trims = tighten_windows([win(0.0, 2.6)], ws, RULES)
    assert spans(out) == [(0.0, 0.6), (1.9, 2.6)]
    assert [(t.kind, round(t.duration, 3)) for t in trims] == [("pause", 1.3)]
    # A pause under the threshold stays whole.
    ws = words(("first", 0.0, 0.5), ("second", 1.0, 1.5))
    assert tighten_windows([win(0.0, 1.6)], ws, RULES) == ([win(0.0, 1.6)], [])


def test_no_piece_shorter_than_the_minimum():
    # "ok" alone between two long pauses would play as a 0.25 s blip: one cut is not made.
    ws = words(("first", 0.0, 1.0), ("ok", 2.0, 2.05), ("last", 3.2, 4.0))
    out, trims = tighten_windows([win(0.0, 4.1)], ws, RULES)
    assert len(trims) == 1
    assert all(w.duration >= RULES.min_window for w in out)
    assert_clean(out, ws, set())


def test_leading_and_trailing_fillers_move_the_window_edges():
    ws = words(("嗯，", 0.1, 0.4), ("这款", 0.7, 1.1), ("很好。", 1.1, 1.6), ("呃", 1.9, 2.1))
    out, trims = tighten_windows([win(0.0, 2.3)], ws, RULES)
    assert spans(out) == [(0.6, 1.7)]
    assert [t.text for t in trims] == ["嗯，", "呃"]


def test_hook_is_protected_and_settings_switch_it_off():
    ws = words(("first", 0.0, 0.5), ("um", 0.8, 1.0), ("second", 2.0, 2.5))
    hook = [win(0.0, 2.6)]
    assert tighten_windows(hook, ws, RULES, protected=hook) == (hook, [])
    off = rules_from(TightenSettings(remove_fillers=False, shorten_pauses=False))
    assert tighten_windows(hook, ws, off) == (hook, [])
    pauses_only = rules_from(TightenSettings(remove_fillers=False))
    _, trims = tighten_windows(hook, ws, pauses_only)
    assert [t.kind for t in trims] == ["pause"]  # the um stays, the pause after it shrinks


def test_settings_validate_and_take_comma_lists():
    s = LiveCommerceSettings.model_validate({"tighten": {"fillers": {"zh": "嗯, 呃"}}})
    assert s.tighten.fillers.zh == ["嗯", "呃"]
    assert s.tighten.enabled
    with pytest.raises(ValueError, match="keep_pause_seconds"):
        TightenSettings(max_pause_seconds=0.3, keep_pause_seconds=0.4)


def _energy(loud: list[tuple[float, float]]):
    """Energy of a recording that is loud (-20 dB) on ``loud`` spans and silent elsewhere."""

    def energy(start: float, end: float) -> tuple[float, np.ndarray]:
        t = start + HOP * (np.arange(int((end - start) / HOP)) + 0.5)
        db = np.full(len(t), -80.0)
        for a, b in loud:
            db[(t >= a) & (t < b)] = -20.0
        return start, db

    return energy


def test_audio_puts_edges_after_the_real_end_of_speech_and_vetoes_cuts_in_speech():
    ws = words(("first", 0.0, 0.5), ("second", 2.0, 2.5), ("third", 4.0, 4.5))
    # The first word really ends at 0.8 (the ASR cut its tail); the second gap is not silent
    # at all (a word the ASR missed).
    energy = _energy([(0.0, 0.8), (2.0, 4.5)])
    out, trims = tighten_windows([win(0.0, 4.6)], ws, RULES, energy)
    assert len(trims) == 1
    assert 0.8 <= trims[0].start_seconds <= 0.95
    assert 1.8 <= trims[0].end_seconds <= 2.0
    assert spans(out)[-1] == (trims[0].end_seconds, 4.6)


def test_random_word_lists_never_cut_inside_a_word():
    rng = random.Random(7)
    vocab = ["好", "嗯", "那个", "啊", "颜色", "um", "like", "this", "uh,", "it."]
    for _ in range(200):
        t, ws = 0.0, []
        for _ in range(rng.randint(3, 25)):
            t += rng.choice([0.0, 0.05, 0.2, 0.7, 1.5])
            d = round(rng.uniform(0.05, 0.6), 2)  # ASR times come in hundredths
            ws.append(TWord(round(t, 2), round(t + d, 2), rng.choice(vocab)))
            t += d
        rules = TightenRules(
            fillers=RULES.fillers,
            standalone_fillers=RULES.standalone_fillers,
            min_window=rng.choice([0.1, 0.3, 1.0]),
        )
        window = win(0.0, t + 0.1)
        out, trims = tighten_windows([window], ws, rules)
        cut = {x.text for x in ws} - {
            x.text
            for x in ws
            if any(w.start_seconds <= x.start and x.end <= w.end_seconds for w in out)
        }
        assert cut <= {"嗯", "那个", "啊", "um", "like", "uh,"}
        for w in out:
            assert w.duration >= rules.min_window - 1e-6 or out == [window]
            for edge in (w.start_seconds, w.end_seconds):
                assert not any(x.start + 1e-6 < edge < x.end - 1e-6 for x in ws)
        total = sum(w.duration for w in out) + sum(x.duration for x in trims)
        assert total == pytest.approx(window.duration, abs=0.01)


def test_nage_hanging_on_a_word_goes_before_a_pause_but_not_at_a_sentence_end():
    ws = words(
        ("我", 0.0, 0.2),
        ("妈", 0.2, 0.4),
        ("那个,", 0.4, 0.8),
        ("老", 1.3, 1.5),
        ("锅。", 1.5, 1.8),
        ("我", 2.0, 2.2),
        ("要", 2.2, 2.4),
        ("那个。", 2.4, 2.8),
        ("好", 3.0, 3.3),
    )
    out, trims = tighten_windows([win(0.0, 3.4)], ws, RULES)
    assert [t.text for t in trims] == ["那个,"]
    assert_clean(out, ws, {"那个,"})
