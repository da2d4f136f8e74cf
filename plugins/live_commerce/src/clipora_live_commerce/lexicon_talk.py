"""What livestream talk that is *not* a pitch sounds like, and what pitch talk sounds like.

Written from how hosts on Douyin, Taobao Live, Kuaishou, TikTok Shop and Amazon Live talk, not
from any benchmark script. Patterns are matched on lower-cased English text; Whisper's usual
mistakes (这宽 for 这款) are tolerated where they are common.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class TalkPatterns:
    attributes: list[re.Pattern[str]]
    greeting: list[re.Pattern[str]]
    thanks_follow: list[re.Pattern[str]]
    shipping: list[re.Pattern[str]]
    giveaway: list[re.Pattern[str]]
    personal: list[re.Pattern[str]]
    stream_meta: list[re.Pattern[str]]
    goodbye: list[re.Pattern[str]]
    viewer_reference: list[re.Pattern[str]]
    demonstrative: list[re.Pattern[str]]
    discourse_start: re.Pattern[str]
    not_for_sale: re.Pattern[str]  # a thing shown or asked about that the shop does not sell
    # The product being pitched is not in the shop's list yet ("the team's adding it").
    not_listed_yet: re.Pattern[str]


def _c(*ps: str, flags: int = 0) -> list[re.Pattern[str]]:
    return [re.compile(p, flags) for p in ps]


_EN = TalkPatterns(
    attributes=_c(
        r"\bsizes?\b",
        r"\bcolou?rs?\b|\bshades?\b|\bin (?:black|white|grey|gray|pink|blue|green|red|beige|navy)\b",
        r"\bfabric\b|\bmaterial\b|\bmade (?:of|from|with)\b|\bcotton\b|\bleather\b|\bstainless\b|\bsilicone\b",
        r"\bwaterproof\b|\bbattery\b|\bcharg(?:e|es|ing)\b|\bwatts?\b|\bcapacity\b|\bounces?\b|\bml\b|\bliters?\b",
        r"\bingredients?\b|\bformula\b|\bskin\b|\btexture\b|\bscent\b|\bsmells?\b",
        r"\bfits?\b|\btrue to size\b|\bsize (?:up|down)\b|\bstretch(?:y)?\b|\bwash(?:able|es)?\b",
        r"\bcomes (?:in|with)\b|\byou get\b|\bit has\b|\bthey have\b|\bfeatures?\b",
        r"\bweighs?\b|\blightweight\b|\bdurable\b|\bdishwasher\b|\bnon-?stick\b",
    ),
    greeting=_c(
        r"\bwelcome\b",
        r"\bhello\b",
        r"\b(?:hi|hey) (?:everybody|everyone|guys|y'?all|friends|babe|girls)\b",
        r"\bjust (?:joined|joining|came in|got here)\b",
        r"\bwatching from\b|\bwhere (?:is|are) everybody\b|\bwhere are you\b",
        r"\bwe(?:'re| are) live\b",
        r"\bgood (?:morning|evening|afternoon)\b",
    ),
    thanks_follow=_c(
        r"\bthank(?:s| you)(?: so much)? for (?:the )?(?:follow|following|sub|share|sharing|gift|rose|watching|coming|joining|being here|the like)",
        r"\b(?:tap|hit|smash|drop) (?:that |the )?(?:follow|like|heart|share)\b",
        r"\bfollow(?:ed|ers?)?\b",
        r"\bshare the (?:stream|live)\b|\bsent (?:a|me a) (?:rose|gift|heart)\b",
    ),
    shipping=_c(
        r"\bship(?:s|ping|ped)?\b",
        r"\bdeliver(?:y|ed|s)?\b|\btracking\b|\bpackag(?:e|ing)\b|\barriv(?:e|es|ed)\b",
        r"\breturns?\b|\brefunds?\b|\bexchanges?\b|\bcustomer service\b|\bmessage the shop\b",
        r"\bwarranty\b|\bdamaged\b|\border (?:status|issue|hasn'?t)\b",
    ),
    giveaway=_c(
        r"\bgiveaway\b|\braffle\b|\blucky draw\b|\bdraw(?:ing)?\b|\bwinners?\b|\bmystery (?:bag|box)\b",
        r"\bfree gift for\b|\bspin the wheel\b",
    ),
    personal=_c(
        r"\bmy (?:dog|cat|puppy|kids?|son|daughter|husband|wife|boyfriend|girlfriend|mom|mum|dad|sister|brother|day|weekend|nails|hair|outfit)\b",
        r"\bweather\b|\braining\b|\bsnow(?:ing)?\b|\bso hot\b|\bso cold\b",
        r"\bweekend\b|\bbirthday\b|\bvacation\b|\bwedding\b|\bdentist\b",
        r"\bnot for sale\b|\bisn'?t for sale\b|\bnot (?:from|in) the shop\b|\bnot selling\b",
        r"\bhow old\b|\bi'?m (?:\d+|twenty|thirty|forty)\b",
    ),
    stream_meta=_c(
        r"\bbe right back\b|\bgive me (?:a|one|two) (?:sec|second|minute)\b|\bhold on\b",
        r"\b(?:drink|sip|grab|get) (?:a )?(?:sip of |drink of |some )?(?:water|coffee|tea)\b",
        r"\bcamera\b|\bmic\b|\blighting\b|\bcan you (?:hear|see) me\b|\bsound check\b|\bthe sound\b",
        r"\bchat\b|\bcomments?\b|\bin the chat\b",
    ),
    goodbye=_c(
        r"\bbye\b|\bgoodnight\b|\bgood night\b|\bsee you\b|\bthat'?s (?:it|all) for (?:tonight|today)\b",
        r"\bnext (?:week|stream|live|show|time)\b|\btomorrow\b|\bschedule\b",
    ),
    viewer_reference=_c(
        r"\b[A-Z][a-z]+ (?:says|said|asks|asked|is asking|wants to know|wrote)\b",
        r"\b(?:hi|hey|thank you|thanks) [A-Z][a-z]+\b",
    ),
    demonstrative=_c(
        r"\bthis (?:one|is)\b|\bthese (?:are|ones)\b|\bit'?s\b|\bthey'?re\b|\bit has\b|\blook at (?:this|these|the|that|how)\b",
    ),
    discourse_start=re.compile(
        r"^(?:ok(?:ay)?|alright|all right|so|next|now|and now|oh,? (?:and|wait)|also|moving on|"
        r"last (?:one|thing)|let'?s|let me|you guys|check (?:this|these) out)\b"
    ),
    not_for_sale=re.compile(
        r"\bnot for sale\b|\bisn'?t for sale\b|\bnot (?:from|in) the shop\b(?! list)|"
        r"\bnot selling (?:it|that|this)\b"
    ),
    not_listed_yet=re.compile(
        r"\bnot (?:yet )?(?:on|in) the (?:shop(?:'s)? |store )?(?:list|cart)\b|"
        r"\b(?:isn'?t|is not|aren'?t|are not)(?: even)?(?: showing)? (?:on|in) the "
        r"(?:shop(?:'s)? |store )?(?:list|cart)\b|\bno link (?:for (?:it|them|this|these) )?yet\b|"
        r"\blink (?:isn'?t|is not) up yet\b"
    ),
)

_ZH = TalkPatterns(
    attributes=_c(
        r"尺码|码数|[SML]码|大码|小码|均码",
        r"颜色|[黑白灰粉蓝绿红黄紫]色|色号",
        r"面料|材质|成分|配方|纯棉|真丝|羊毛|不锈钢|硅胶|实木|陶瓷",
        r"容量|毫升|升|克|斤|电池|续航|充电|功率|瓦",
        r"质地|口感|味道|香味|肤感|吸收|保湿|防水|轻便|耐用",
        r"适合|推荐|效果|功能|设计|做工|版型",
        r"送[一你了]|赠品|配[一送]",
    ),
    greeting=_c(
        r"欢迎|大家好|哈喽|嗨|宝宝们好|家人们好|新进来|刚进来|进直播间|哪里的宝宝",
    ),
    thanks_follow=_c(
        r"关注|点赞|点个赞|小红心|分享|灯牌|粉丝团|加团|谢谢.{0,6}(?:关注|礼物|分享|小心心|支持|点赞|嘉年华|火箭|花)",
    ),
    shipping=_c(
        r"发货|快递|物流|包邮|顺丰|退换|退货|换货|七天无理由|运费险|售后|客服|破损|补发|到货|收货",
    ),
    giveaway=_c(r"福袋|抽奖|中奖|红包|免单|幸运|抽[一个]"),
    personal=_c(
        r"我家[猫狗]|我的[猫狗]|我老公|我妈|我男朋友|我女儿|我儿子|我闺蜜|我今天",
        r"天气|下雨|好热|好冷|周末|生日|放假|旅游",
        r"不卖|不是链接里的|私服|不是我们家的|没有链接",
        r"多大了|几岁",
    ),
    stream_meta=_c(
        r"喝[口点]水|稍等|等一下|等我一下|马上回来|调一下|镜头|灯光|麦|听得到|听不到|看得到|卡了",
        r"评论|公屏|弹幕|扣[一1]|打[一1]",
    ),
    goodbye=_c(r"下播|拜拜|再见|晚安|明天|下次|下周|预告|今天就到这|今天就这些|下场直播"),
    viewer_reference=_c(
        r"(?:宝宝|姐妹|朋友|家人)?[\u4e00-\u9fff]{1,4}(?:说|问)(?:了|一下)?[，,:：]"
    ),
    demonstrative=_c(r"这[款个件条双瓶套支盒把台只宽块]|它|咱们家|我们家"),
    discourse_start=re.compile(
        r"^(?:好|好的|那|那么|接下来|然后|来|哎|对了|还有|下面|最后|再来|ok|okay)"
    ),
    not_for_sale=re.compile(r"不卖|非卖品|不是链接里的|不是我们家的|没有链接|私服"),
    not_listed_yet=re.compile(
        r"(?:列表|清单|小黄车|购物车|橱窗)里(?:面)?(?:暂时)?还?没(?:有)?(?:上架|上|挂)|"
        r"暂时还没上架|还没(?:有)?上架|链接还没(?:有)?(?:上|挂)|还没上(?:链接|车)"
    ),
)


@lru_cache(maxsize=2)
def patterns(lang: str) -> TalkPatterns:
    return _ZH if lang == "zh" else _EN
