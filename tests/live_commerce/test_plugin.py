"""Registration, settings and engine choice of the live_commerce video type."""

from __future__ import annotations

import subprocess
import sys

import pytest
from clipora_core.plugins import get_host
from clipora_live_commerce.analyzer import LiveCommerceAnalyzer
from clipora_live_commerce.engine import Engine
from clipora_live_commerce.engines import resolve_engine_name
from clipora_live_commerce.lexicon import zh_number

from clipora_core import Kind


def test_capability_is_registered_with_languages_engines_and_config_keys():
    cap = get_host().get(Kind.VIDEO_TYPE, "live_commerce")
    assert cap.languages == ["zh", "en"]
    assert cap.features["engines"] == ["offline", "llm"]
    assert cap.options == "analysis.live_commerce"
    assert "analysis.live_commerce.provider.model" in cap.config_keys
    assert "analysis.live_commerce.prompt_overrides" in cap.config_keys
    assert "analysis.live_commerce.provider.timeout" not in cap.config_keys
    assert cap.load() is LiveCommerceAnalyzer


def test_options_live_in_their_own_section_below_analysis(settings_for):
    a = settings_for().analysis
    assert a.video_type == "live_commerce"  # the kernel's field
    lc = a.live_commerce
    assert lc.semantic_window_target_seconds == 600.0
    assert lc.semantic_window_max_seconds == 840.0
    assert lc.segment_gap_bridge_seconds == 1.0
    assert lc.variants_per_segment == 2
    assert lc.provider.model and lc.prompt_overrides.semantic.system == ""


def test_window_limits_are_validated(settings_for):
    from clipora_core.errors import ConfigError

    with pytest.raises(ConfigError, match="semantic_window_max_seconds"):
        settings_for(
            **{
                "analysis.live_commerce.semantic_window_target_seconds": 900,
                "analysis.live_commerce.semantic_window_max_seconds": 300,
            }
        )


def test_plugin_module_imports_nothing_heavy():
    code = (
        "import sys, clipora_live_commerce.plugin as p; "
        "print(sorted(m for m in ('jieba','pypinyin','httpx','numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _settings(engine="auto", key=None):
    from clipora_live_commerce.settings import LiveCommerceSettings

    return LiveCommerceSettings.model_validate(
        {"engine": engine, "provider": {"api_key": key or ""}}
    )


def test_auto_engine_is_offline_without_a_provider_key():
    assert resolve_engine_name(_settings()) == "offline"
    assert resolve_engine_name(_settings(key="")) == "offline"
    assert resolve_engine_name(_settings(key="sk-test")) == "llm"
    assert resolve_engine_name(_settings("offline", key="sk-test")) == "offline"
    assert resolve_engine_name(_settings("llm")) == "llm"


def test_default_analyzer_uses_the_offline_engine(settings_for):
    engine = LiveCommerceAnalyzer(
        settings_for(**{"analysis.live_commerce.engine": "auto"}).analysis.live_commerce
    ).engine
    assert isinstance(engine, Engine)
    assert engine.name == "offline"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一百二十九", 129),
        ("两百四十九", 249),
        ("三十", 30),
        ("十二", 12),
        ("一千零五", 1005),
        ("三百一十六", 316),
        ("九十九", 99),
        ("价格", None),
    ],
)
def test_chinese_numerals(text, value):
    assert zh_number(text) == value
