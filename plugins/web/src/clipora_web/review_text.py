"""Every word the review page shows, in English and 简体中文, in one place (the template reads
``rt.<key>``; review.js reads the same table from the page's ``data-text``)."""

from __future__ import annotations

from typing import Any

EN: dict[str, str] = {
    "title": "Review clips",
    "intro": "Fix what speech recognition misheard, rename products, trim clips and drop the "
    "ones you do not want; then render only the kept clips.",
    "awaiting": "The clips await your review: nothing is rendered until you render them.",
    "back": "Back to the job",
    "version": "Edits",
    "undo": "Undo",
    "render": "Render kept clips",
    "rendering": "Rendering… the job page shows its progress.",
    "product": "Product",
    "rename": "Rename",
    "merge_into": "Merge into",
    "merge": "Merge",
    "lines": "Transcript",
    "line_fixed": "fixed (heard: {raw})",
    "save_line": "Save",
    "clips": "Clips",
    "variant": "Variant",
    "keep": "Keep",
    "dropped": "Dropped",
    "start": "Start (s)",
    "end": "End (s)",
    "apply_windows": "Apply (snaps to pauses)",
    "add_window": "Add window",
    "remove_window": "Remove",
    "play": "Play",
    "duration": "{s} s",
    "saved": "Saved.",
    "busy": "The job is running; review it once it stops.",
}

ZH: dict[str, str] = {
    "title": "审核片段",
    "intro": "改正识别错的字、给商品改名、剪短或延长片段、去掉不要的片段，然后只渲染保留的片段。",
    "awaiting": "片段等待审核：在你点击渲染之前不会生成视频。",
    "back": "返回任务",
    "version": "修改次数",
    "undo": "撤销",
    "render": "渲染保留的片段",
    "rendering": "正在渲染……任务页面显示进度。",
    "product": "商品",
    "rename": "改名",
    "merge_into": "合并到",
    "merge": "合并",
    "lines": "字幕文本",
    "line_fixed": "已改正（原文：{raw}）",
    "save_line": "保存",
    "clips": "片段",
    "variant": "版本",
    "keep": "保留",
    "dropped": "已去掉",
    "start": "开始（秒）",
    "end": "结束（秒）",
    "apply_windows": "应用（对齐到停顿）",
    "add_window": "添加一段",
    "remove_window": "删除",
    "play": "播放",
    "duration": "{s} 秒",
    "saved": "已保存。",
    "busy": "任务正在运行；停止后再审核。",
}

TEXT: dict[str, dict[str, str]] = {"en": EN, "zh-CN": ZH}


def language(request: Any) -> str:
    """The page's language, chosen as every other page chooses it."""
    try:
        from clipora_web.i18n import request_language
    except ImportError:  # a web UI without the language switch: English
        return "en"
    lang = request_language(request)
    return lang if lang in TEXT else "en"


def texts(lang: str) -> dict[str, str]:
    return TEXT.get(lang, EN)
