"""中文：分页列表（培训报名名单）（键与 en_lists.py 一一对应）。"""

CATALOG: dict[str, str] = {
    "lists_rsvp_counts": "参加（{yes}）· 不参加（{no}）· 待定（{maybe}）· 已到场（{present}）",
    "lists_rsvp_yes": "参加",
    "lists_rsvp_no": "不参加",
    "lists_rsvp_maybe": "待定",
    "lists_rsvp_row": "{answer}：{name}",
    "lists_rsvp_row_present": "{answer}：{name}（已到场）",
    "lists_rsvp_present_only": "已到场：{name}",
    "lists_rsvp_mark_prompt": "点按钮登记到场（前 {count} 位未登记的报名者）：",
}
