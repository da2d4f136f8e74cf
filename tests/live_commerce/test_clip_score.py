"""A clip's score from what is said in it: a clip that names the product, says the price and
tells viewers to buy scores above one that only chats, in Mandarin and in English; length, cut
sentences, the seller's list (names, aliases, price) and the weights all count."""

from __future__ import annotations

from clipora_core.contracts import ClipScore, TimeWindow
from clipora_live_commerce.analyzer import transcript_lines
from clipora_live_commerce.engine import ListedProduct
from clipora_live_commerce.scoring import PARTS, clip_speech, score_segment
from clipora_live_commerce.settings import ScoreSettings
from lc_transcripts import build_transcript

ZH_PITCH = [
    ("这款便携小风扇今天给大家推荐", 3.0),
    ("小风扇三档风速，充一次电用八个小时", 4.0),
    ("原价九十九，今天只要五十九元", 3.5),
    ("三二一上链接，喜欢的宝宝赶紧拍下", 3.5),
]
ZH_CHAT = [
    ("欢迎新进来的宝宝们，大家好", 3.0),
    ("今天天气好热啊，我们聊一会儿", 4.0),
    ("点个关注，等会儿有福袋", 3.5),
    ("嗯，我们慢慢来，不着急", 3.5),
]
EN_PITCH = [
    ("Look at this water bottle, it keeps drinks cold all day.", 3.5),
    ("The water bottle is stainless steel and fits any cup holder.", 4.0),
    ("It is usually $49, today only $29.", 3.0),
    ("The link is up, grab yours now before it sells out.", 3.5),
]
EN_CHAT = [
    ("Hello everyone, welcome to the stream.", 3.0),
    ("Hit that follow button so you don't miss anything.", 3.5),
    ("The weather is so hot today, I'm melting.", 3.5),
    ("We have a giveaway later, stay tuned.", 3.5),
]


def _score(
    script,
    lang: str,
    *,
    title: str = "",
    product: ListedProduct | None = None,
    windows: list[TimeWindow] | None = None,
    options: ScoreSettings | None = None,
    target: float = 14.0,
) -> ClipScore:
    transcript = build_transcript(script, language=lang, words=True)
    lines = transcript_lines(transcript)
    if windows is None:
        windows = [TimeWindow(start_seconds=0.0, end_seconds=lines[-1].end_seconds)]
    score = score_segment(
        windows,
        lines,
        language=lang,  # type: ignore[arg-type]
        product=product,
        title=title,
        hook_seconds=0.0,
        body_target_seconds=target,
        options=options or ScoreSettings(),
    )
    assert score is not None
    return score


def _values(score: ClipScore) -> dict[str, float]:
    return {k: p.value for k, p in score.parts.items()}


def test_a_mandarin_pitch_outscores_chat() -> None:
    pitch = _score(ZH_PITCH, "zh", title="便携小风扇")
    chat = _score(ZH_CHAT, "zh", title="便携小风扇")
    assert set(pitch.parts) == set(PARTS)
    assert pitch.total > chat.total + 30, (pitch, chat)
    p, c = _values(pitch), _values(chat)
    assert p["product_named"] >= 0.8 and c["product_named"] == 0
    assert p["price_stated"] == 1.0 and c["price_stated"] == 0
    assert p["call_to_action"] == 1.0 and c["call_to_action"] == 0
    assert p["hook"] > c["hook"]
    assert p["completeness"] > c["completeness"]
    # Every part says why, in words a seller reads.
    assert "59" in pitch.parts["price_stated"].reason
    assert all(part.reason for part in pitch.parts.values())


def test_an_english_pitch_outscores_chat() -> None:
    pitch = _score(EN_PITCH, "en", title="water bottle")
    chat = _score(EN_CHAT, "en", title="water bottle")
    assert pitch.total > chat.total + 30, (pitch, chat)
    p, c = _values(pitch), _values(chat)
    assert p["product_named"] == 1.0 and c["product_named"] == 0
    assert p["price_stated"] == 1.0 and c["price_stated"] == 0
    assert p["call_to_action"] == 1.0 and c["call_to_action"] == 0
    assert "greeting" in chat.parts["hook"].reason


def test_the_sellers_list_names_and_prices_the_product() -> None:
    listed = ListedProduct(index=0, name="ChillMate Bottle", aliases=("water bottle",), price=29)
    score = _score(EN_PITCH, "en", product=listed)
    assert score.parts["product_named"].value == 1.0  # said through its alias
    assert score.parts["price_stated"].value == 1.0
    other = ListedProduct(index=0, name="ChillMate Bottle", aliases=("water bottle",), price=35)
    wrong = _score(EN_PITCH, "en", product=other)
    assert wrong.parts["price_stated"].value < 1.0 and "35" in wrong.parts["price_stated"].reason


def test_length_fit_peaks_at_the_target() -> None:
    fits = _score(EN_PITCH, "en", title="water bottle", target=14.0)
    short = _score(EN_PITCH, "en", title="water bottle", target=45.0)
    long = _score(EN_PITCH, "en", title="water bottle", target=4.0)
    assert fits.parts["length_fit"].value == 1.0
    assert 0 < short.parts["length_fit"].value < 0.5
    assert long.parts["length_fit"].value == 0.0
    assert fits.total > short.total > long.total
    # A configured target wins over the analyzer's.
    own = _score(EN_PITCH, "en", title="water bottle", options=ScoreSettings(target_seconds=45))
    assert own.parts["length_fit"].value == short.parts["length_fit"].value


def test_a_clip_cut_inside_sentences_is_less_complete() -> None:
    lines = transcript_lines(build_transcript(EN_PITCH, language="en", words=True))
    whole = [TimeWindow(start_seconds=0.0, end_seconds=lines[-1].end_seconds)]
    cut = [TimeWindow(start_seconds=1.5, end_seconds=lines[-1].end_seconds - 1.5)]
    assert not clip_speech(whole, lines).cut_in
    speech = clip_speech(cut, lines)
    assert speech.cut_in and speech.cut_out
    a = _score(EN_PITCH, "en", title="water bottle")
    b = _score(EN_PITCH, "en", title="water bottle", windows=cut)
    assert b.parts["completeness"].value < a.parts["completeness"].value
    assert "mid-sentence" in b.parts["completeness"].reason


def test_weights_and_switching_scores_off() -> None:
    only_length = ScoreSettings.model_validate(
        {"weights": {p: (1 if p == "length_fit" else 0) for p in PARTS}}
    )
    score = _score(EN_CHAT, "en", options=only_length)
    assert score.total == round(100 * score.parts["length_fit"].value, 1)
    lines = transcript_lines(build_transcript(EN_PITCH, language="en"))
    off = score_segment(
        [TimeWindow(start_seconds=0, end_seconds=10)],
        lines,
        language="en",
        product=None,
        title="",
        hook_seconds=0,
        body_target_seconds=45,
        options=ScoreSettings(enabled=False),
    )
    assert off is None
