"""简体中文：大规模代理名单（/lowquality 的评分时间）。键与 en_roster.py 一致。"""

CATALOG: dict[str, str] = {
    "roster_lq_scored_at": "<i>评分更新于 {at}</i>",
    "roster_lq_catching_up": "<i>部分评分已超过一天，正在后台更新，稍后再发 /lowquality 查看。</i>",
}
