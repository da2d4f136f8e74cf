"""With the seller's list, each line's product is one best path over the stream: a pitch that
names its product once and then talks features (or compares with another listed product) is
that product's throughout; a name opening a sentence moves on; a later return joins the item;
a product missing from the list comes out on its own, not folded into a listed one."""

from __future__ import annotations

from clipora_live_commerce.engine import Line, ListedProduct
from clipora_live_commerce.segmenter import segment
from lc_transcripts import build_transcript

LISTED = [
    ListedProduct(0, "20000mAh Slim Power Bank with USB-C PD 22.5W"),
    ListedProduct(1, "Bluetooth Key Finder Tracker Tag 4 Pack"),
    ListedProduct(2, "Magnetic Car Phone Mount for Air Vent with 360 Rotation"),
]

STREAM = [
    ("Evening everyone, welcome in, grab a seat.", 3.0),  # 1
    ("We have a few things tonight, let's get into it.", 3.0, 1.0),
    ("Power bank, twenty thousand milliamp hours, charges your phone four times.", 5.0),  # 3
    ("Two USB-C ports and one USB-A, charge three things at once.", 4.5),
    ("A little screen on the side shows the percentage, no guessing.", 4.0),
    ("It is slim enough for a jacket pocket and airline safe.", 4.0),
    ("Twenty seven pounds tonight, link one.", 3.0, 1.5),  # 7
    ("Tracker tags, four in the pack.", 2.5),  # 8
    ("Put one on your keys, your wallet, your suitcase.", 3.5),
    ("The app shows where you left it last, and it beeps when you walk away.", 4.5),
    ("Much lighter than the power bank, you will not notice it on your keys.", 4.5),
    ("The battery lasts a year and the coin cell is replaceable.", 4.0),
    ("Twenty five pounds for the four pack, link two.", 3.5, 1.5),  # 13
    ("Car mount, magnetic, clips on the air vent.", 3.0),  # 14
    ("A metal plate goes inside your phone case and the phone snaps on.", 4.5),
    ("It rotates all the way round and does not fall off on speed bumps.", 4.5),
    ("Twelve pounds, link three.", 2.5, 2.0),  # 17
    ("Hold on, let me read the comments, hi Sam, welcome.", 3.5, 1.0),  # 18
    ("Lots of you asking about the tracker tags again.", 3.0),  # 19
    ("The tracker tags are still twenty five pounds, link two, go go go.", 4.0, 1.5),  # 20
    ("Salad spinner, not on the list yet, I just grabbed it.", 4.0),  # 21
    ("The salad spinner dries your lettuce in ten seconds, one hand pump.", 4.5),
    ("It doubles as a colander too, nine pounds, link four.", 4.5, 1.5),  # 23
    ("That's it for tonight, thank you so much, bye bye.", 3.0),  # 24
]


def _lines(script: list = STREAM) -> list[Line]:
    t = build_transcript(script, "en")
    return [
        Line(i, s.id, s.start_seconds, s.end_seconds, s.text) for i, s in enumerate(t.segments, 1)
    ]


def _by_product() -> dict[str, list[tuple[int, int]]]:
    seg = segment(_lines(), "en", LISTED)
    out: dict[str, list[tuple[int, int]]] = {}
    for b in seg.blocks:
        out.setdefault(seg.products[b.product].name, []).append((b.first + 1, b.last + 1))
    return out


def test_each_listed_pitch_is_one_block_titled_with_its_listed_name():
    found = _by_product()
    # Line numbers, 1-based: the comparison with the power bank (11) stays in the tags' pitch.
    assert found[LISTED[0].name] == [(3, 7)]
    assert found[LISTED[1].name][0] == (8, 13)
    assert found[LISTED[2].name] == [(14, 17)]


def test_a_return_to_a_listed_product_joins_its_item():
    blocks = _by_product()[LISTED[1].name]
    assert len(blocks) == 2, blocks
    assert blocks[1] in {(19, 20), (18, 20)}


def test_a_product_missing_from_the_list_is_its_own_item():
    found = _by_product()
    unlisted = [name for name in found if name not in {p.name for p in LISTED}]
    assert len(unlisted) == 1, found
    assert "salad spinner" in unlisted[0].lower()
    assert found[unlisted[0]] == [(21, 23)]


NOT_LISTED_YET = [
    ("Hi everyone, welcome back, lots to show you.", 3.0, 1.0),  # 1
    ("Power bank first, twenty thousand milliamp hours.", 3.5),  # 2
    ("It charges your phone four times and it is airline safe.", 4.0),
    ("Twenty seven pounds tonight, link one.", 3.0, 1.5),  # 4
    ("Finally, something for your evening walks.", 3.0),  # 5
    ("A thousand lumens, rechargeable, and a red mode for night.", 4.5),
    ("The strap is washable and it tilts forty five degrees.", 4.0),
    ("It's not on the shop list yet, nineteen pounds, the team is adding it.", 4.5, 1.5),  # 8
    ("Thank you all for coming, good night.", 3.0),  # 9
]


def test_a_pitch_the_host_says_is_not_on_the_list_yet_is_its_own_unlisted_item():
    lines = _lines(NOT_LISTED_YET)
    seg = segment(lines, "en", LISTED)
    blocks = [(b.first + 1, b.last + 1, seg.products[b.product].listed) for b in seg.blocks]
    assert (2, 4, 0) in blocks
    assert (5, 8, None) in blocks
