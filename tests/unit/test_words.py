"""One voice in the Chinese catalogs: 您 to the reader, one term per thing."""

from __future__ import annotations

import re

import pytest

from bot.texts import CATALOGS

# (pattern, what to write instead)
RETIRED = [
    (r"你", "您"),
    (r"代理价", "代发价"),
    (r"(?<!建议)零售价", "建议零售价"),
    (r"优秀", "优质 (the top quality tier)"),
    (r"已停用", "已失效 (a group the bot lost)"),
    (r"活跃(的)?群", "正常群 (the group status /groups shows)"),
]


@pytest.mark.parametrize(("pattern", "instead"), RETIRED, ids=[p for p, _ in RETIRED])
def test_chinese_texts_use_one_term_per_thing(pattern: str, instead: str) -> None:
    found = [key for key, text in CATALOGS["zh"].items() if re.search(pattern, text)]
    assert found == [], f"write {instead}: {found}"


def test_the_retired_words_would_be_found() -> None:
    assert re.search(RETIRED[2][0], "零售价 59") and not re.search(RETIRED[2][0], "建议零售价 59")
    assert re.search(RETIRED[5][0], "全部活跃群") and re.search(RETIRED[5][0], "没有活跃的群")
