"""Finding the JSON object in a model's answer."""

from __future__ import annotations

import pytest
from clipora_live_commerce.llm.jsontext import AnswerParseError, extract_json_object


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1}',
        '```json\n{"a": 1}\n```',
        'Here you go:\n{"a": 1}\nAnything else?',
        '<think>maybe {"a": 2} no</think>\n{"a": 1}',
        '```\n{"a": 1}\n```',
    ],
)
def test_object_found_around_fences_prose_and_thinking(text):
    assert extract_json_object(text) == {"a": 1}


def test_braces_and_quotes_inside_strings_do_not_confuse_the_scan():
    text = 'Result: {"title": "A {curly} \\"quoted\\" name", "n": [1, 2]} -- done {not json}'
    assert extract_json_object(text) == {"title": 'A {curly} "quoted" name', "n": [1, 2]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the answer was empty"),
        ("No products here.", "contains no JSON object"),
        ('{"intervals": [1, 2', "not valid JSON"),
        ("[1, 2, 3]", "expected a JSON object"),
    ],
)
def test_errors_say_what_is_wrong(text, message):
    with pytest.raises(AnswerParseError, match=message):
        extract_json_object(text)


def test_both_languages_ship_the_same_prompts_and_they_render():
    from importlib.resources import files

    from clipora_live_commerce.llm.prompts import render_prompt, system_prompt

    root = files("clipora_live_commerce").joinpath("prompts")
    names = {lang: sorted(p.name for p in root.joinpath(lang).iterdir()) for lang in ("zh", "en")}
    assert names["zh"] == names["en"] and len(names["en"]) == 8
    for lang in ("zh", "en"):
        assert "{problems}" not in render_prompt(lang, "repair", problems="- x")
        assert '{"type": "object"}' in render_prompt(
            lang, "schema_hint", schema='{"type": "object"}'
        )
        for stage in ("discover", "cluster", "plan"):
            assert "JSON" in system_prompt(lang, stage)  # json_object mode requires the word
    with pytest.raises(ValueError, match="missing template variable for prompts/en/repair.md"):
        render_prompt("en", "repair")
