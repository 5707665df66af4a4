"""How a greeting addresses an agent (pure): the 称谓 of the seller's remark name.

The seller's remarks follow the playbook's form surname + title + region/type ("李女士淘卖",
"顾总-抖音", "欧阳老师定制"); a greeting says only the surname and title ("李女士，中秋快乐").
"""

from __future__ import annotations

import re

# Titles after the surname, longest first so 老师 is not read as 老 + something.
TITLES = ("女士", "先生", "小姐", "老师", "老板", "经理", "总", "姐", "哥")
# Two-character surnames the salutation keeps whole (欧阳女士, not 欧女士).
COMPOUND_SURNAMES = (
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙",
    "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "澹台", "独孤", "南宫", "呼延",
)  # fmt: skip
# A remark this short with no surname + title is used whole (e.g. "阿芳", "Lisa").
SHORT_REMARK = 6
_HAN = r"[\u4e00-\u9fff]"
_TITLED = re.compile("^(" + "|".join(COMPOUND_SURNAMES) + f"|{_HAN})(" + "|".join(TITLES) + ")")


def salutation(remark: str | None, first_name: str) -> str:
    """The name a greeting addresses an agent by: the remark's leading surname + title
    (``李女士淘卖`` → ``李女士``, ``顾总-抖音`` → ``顾总``); else the remark when it is short;
    else the agent's Telegram first name."""
    text = (remark or "").strip()
    if text:
        match = _TITLED.match(text)
        if match:
            return match.group(1) + match.group(2)
        if len(text) <= SHORT_REMARK:
            return text
    return first_name.strip() or text
