"""Cue phrases, prices and stopwords for Mandarin and English livestream selling.

The patterns are deliberately tolerant of Whisper's mistakes on livestream speech: 这款 often
comes back as 这块/这宽, 三二一 as 扫脑衣, 上链接 as 伤链接, 原价 as 原家, so the robust part of
each phrase (链接, 只要, 第N款...) carries the match.
"""

from __future__ import annotations

import re

ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
ZH_NUM_CHARS = "零〇一二两三四五六七八九十百千万"
ORDINAL = r"(?:[0-9]+|[一二两三四五六七八九十]+)"


def zh_number(text: str) -> int | None:
    """Parse a Chinese numeral such as 一百二十九, 两百四十九, 三十 (None when not one)."""
    if not text or any(ch not in ZH_DIGITS and ch not in ZH_UNITS for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in ZH_DIGITS:
            digit = ZH_DIGITS[ch]
        else:
            unit = ZH_UNITS[ch]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
    return total + section + (digit or 0)


# --- Mandarin -----------------------------------------------------------------------------------

ZH_START = [
    re.compile(p)
    for p in (
        r"下一[款个件条套样]",
        r"第" + ORDINAL + r"[款个件条套样号](?:产品|宝贝|商品)?",
        r"(?<!直)接下来",
        r"开始上",
        r"[再来先]?[来看]看?这[款块宽件]",
        r"给大家(?:介绍|推荐|带来)",
        r"(?:换|上)一[款个件]",
    )
]
ZH_RETURN = [
    re.compile(p)
    for p in (
        r"刚才那",
        r"回到刚才",
        r"返场",
        r"又补了",
        r"补了.{0,4}(?:单|库存)",
        r"再(?:说|讲|来)一下",
        r"问.{0,6}刚才",
    )
]
ZH_CTA = [
    re.compile(p)
    for p in (
        r"链接",
        r"三二一",
        r"321",
        r"3\s*2\s*1",
        r"拍下",
        r"去拍",
        r"下单",
        r"抢",
        r"冲",
        r"抓紧",
        r"库存",
        r"秒杀",
        r"扫脑衣",
    )
]
ZH_PRICE_WORDS = re.compile(
    r"原[价家]|只要|到手|价格|价钱|优惠|折扣|打折|[几多]少钱|便宜|划算|券|包邮|送一"
)
ZH_FILLER = [
    re.compile(p)
    for p in (
        r"大家好",
        r"哈喽",
        r"欢迎",
        r"关注",
        r"点赞",
        r"点个",
        r"稍等",
        r"等人",
        r"喝[口点]水",
        r"休息",
        r"谢谢大家",
        r"拜拜",
        r"再见",
        r"下播",
        r"就到这里",
        r"明天晚上",
        r"福袋",
        r"抽奖",
        r"新进来",
        r"分享",
        r"小红心",
        r"我们就开始",
    )
]

# --- English ------------------------------------------------------------------------------------

_EN_ORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+)"
EN_START = [
    re.compile(p, re.I)
    for p in (
        r"\bnext (?:product|item|one|up|deal)\b",
        r"\b(?:product|item|deal) (?:number )?" + _EN_ORD + r"\b",
        r"(?<!link )\bnumber " + _EN_ORD + r" is\b(?! live| up| open)",
        r"\b(?:first|second|third|fourth|fifth|last) (?:product|item|deal)\b",
        r"\blet'?s (?:start|begin) with\b",
        r"\bmoving on\b",
        r"\blet'?s (?:talk about|look at|check out)\b",
        r"\blet me show you\b",
    )
]
EN_RETURN = [
    re.compile(p, re.I)
    for p in (
        r"\bfrom earlier\b",
        r"\bback to (?:the|our|that)\b",
        r"\brestock",
        r"\basking about\b",
        r"\bonce again\b",
    )
]
EN_CTA = [
    re.compile(p, re.I)
    for p in (
        r"\blink\b",
        r"\b3,? 2,? 1\b",
        r"\bthree,? two,? one\b",
        r"\bgrab (?:it|one|yours)\b",
        r"\badd to (?:your )?cart\b",
        r"\bbuy (?:it )?now\b",
        r"\bgo,? go\b",
        r"\blimited stock\b",
        r"\bdon'?t wait\b",
        r"\bhurry\b",
        r"\bcheck ?out\b",
    )
]
EN_PRICE_WORDS = re.compile(
    r"\$\s?\d|\b\d+(?:\.\d+)? ?(?:dollars|bucks)\b|\bprice\b|\busually\b|\bonly \$?\d|"
    r"\bdiscount|\b\d+ ?% off\b|\bfree (?:shipping|gift)\b|\bdeal\b|\bsave\b",
    re.I,
)
EN_FILLER = [
    re.compile(p, re.I)
    for p in (
        r"\bwelcome\b",
        r"\bhey (?:everyone|guys|y'?all)\b",
        r"\bhello\b",
        r"\bhit (?:that|the) follow\b",
        r"\bfollow\b",
        r"\bwait a (?:few|couple)",
        r"\bgrab (?:some|a) (?:water|drink|coffee)\b",
        r"\bbe right back\b",
        r"\bthank(?:s| you)(?: so much)? for watching\b",
        r"\bbye\b",
        r"\bsee you\b",
        r"\bthat'?s all for today\b",
        r"\bjust joined\b",
        r"\bgiveaway\b",
    )
]

# Price amounts: 199元 / 一百二十九块 / 只要129 / $29 / 29 dollars.
ZH_PRICE_AMOUNT = re.compile(
    r"(?:原[价家]|只要|到手价?|价格是?|现在|今天)\s*([0-9]+(?:\.[0-9]+)?|[" + ZH_NUM_CHARS + r"]+)"
    r"|([0-9]+(?:\.[0-9]+)?|[" + ZH_NUM_CHARS + r"]+)\s*(?:元|块)"
)
EN_PRICE_AMOUNT = re.compile(r"\$\s?(\d+(?:\.\d+)?)|\b(\d+(?:\.\d+)?) ?(?:dollars|bucks)\b", re.I)

# Words never taken as a product name or as topic evidence.
ZH_STOP = set(
    [
        "我们",
        "你们",
        "大家",
        "宝宝",
        "宝宝们",
        "姐妹",
        "姐妹们",
        "家人",
        "家人们",
        "今天",
        "现在",
        "这个",
        "那个",
        "这款",
        "这块",
        "这宽",
        "一个",
        "一下",
        "一款",
        "产品",
        "宝贝",
        "商品",
        "东西",
        "直播间",
        "直播",
        "链接",
        "价格",
        "原价",
        "原家",
        "只要",
        "真的",
        "非常",
        "特别",
        "就是",
        "还是",
        "可以",
        "已经",
        "没有",
        "一点",
        "然后",
        "所以",
        "因为",
        "但是",
        "如果",
        "什么",
        "怎么",
        "这样",
        "那样",
        "时候",
        "的话",
        "一定",
        "而且",
        "也是",
        "不是",
        "还有",
        "这边",
        "那边",
        "第一款",
        "第二款",
        "第三款",
        "第四款",
        "第五款",
        "接下来",
        "下一款",
        "开始",
        "准备",
        "赶紧",
        "大家好",
        "欢迎",
        "关注",
        "好的",
        "对呀",
        "好了",
        "喜欢",
        "一起",
        "知道",
        "感觉",
        "觉得",
        "自己",
        "多少",
        "几个",
        "小时",
        "左右",
        "里面",
        "上面",
        "下面",
        "今天",
        "明天",
        "晚上",
        "早上",
    ]
)
EN_STOP = set(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "so",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "it's",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "they",
        "them",
        "their",
        "you",
        "your",
        "yours",
        "we",
        "our",
        "us",
        "i",
        "me",
        "my",
        "he",
        "she",
        "his",
        "her",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "just",
        "really",
        "very",
        "super",
        "also",
        "too",
        "not",
        "no",
        "yes",
        "okay",
        "ok",
        "alright",
        "right",
        "well",
        "um",
        "uh",
        "oh",
        "like",
        "get",
        "got",
        "go",
        "going",
        "gone",
        "come",
        "coming",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "first",
        "second",
        "third",
        "last",
        "next",
        "product",
        "products",
        "item",
        "items",
        "number",
        "today",
        "now",
        "only",
        "usually",
        "still",
        "more",
        "most",
        "all",
        "any",
        "some",
        "every",
        "everyone",
        "guys",
        "stream",
        "live",
        "link",
        "deal",
        "deals",
        "dollars",
        "dollar",
        "bucks",
        "price",
        "up",
        "out",
        "off",
        "over",
        "about",
        "into",
        "than",
        "then",
        "when",
        "what",
        "which",
        "who",
        "how",
        "why",
        "if",
        "as",
        "even",
        "much",
        "many",
        "lot",
        "lots",
        "thing",
        "things",
        "make",
        "makes",
        "made",
        "want",
        "let",
        "let's",
        "lets",
        "see",
        "look",
        "take",
    ]
)
# Price talk and measures repeat across products: never product names.
EN_STOP |= {
    "normally",
    "sell",
    "sells",
    "selling",
    "sold",
    "cost",
    "costs",
    "hour",
    "hours",
    "minute",
    "minutes",
    "day",
    "days",
    "week",
    "weeks",
    "year",
    "years",
    "comment",
    "comments",
    "stock",
}
