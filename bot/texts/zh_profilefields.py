"""中文：代理的地区（省/市）与 1688/旺旺号（人群画像），/profile 的两个选填步骤、卡片、导入导出列与按旺旺号导入采购记录。键与 en_profilefields.py 一一对应。"""

CATALOG: dict[str, str] = {
    # --- the /profile conversation: two optional steps after the order mode ---
    "pff_skip": "跳过",
    "pff_ask_region": "选填 1/2：您所在的地区（省/市），如「浙江 杭州」或「广东省深圳市」。不填请点「跳过」或发送 -。",
    "pff_ask_buyer_id": (
        "选填 2/2：您在 1688 下单用的会员名（旺旺号），方便我们核对您的采购记录。"
        "不填请点「跳过」或发送 -。"
    ),
    "pff_current": "当前：{value}（点「跳过」保留不变，点「清除」删去）",
    "pff_clear": "清除",
    "pff_err_region": "地区「{value}」无效：只写省/市名称（汉字或字母，可用空格分隔），最多 {max} 个字，如「浙江 杭州」。",
    "pff_err_buyer_id": "旺旺号「{value}」无效：写 1–{max} 个字符，不能有换行等控制字符。",
    "pff_err_buyer_taken": (
        "旺旺号「{value}」已登记在另一位代理名下，一个旺旺号只能属于一位代理。"
        "如果这是您的账号，请联系卖家处理；也可以点「跳过」。"
    ),
    # --- cards: the agent's own, the seller's /agent, the review copy ---
    "pff_card_persona": "地区：{region} · 1688/旺旺号：{buyer_id}",
    "pff_review_buyer_taken": "不能通过：旺旺号「{value}」已属于代理 {holder}。请退回这份申请，或先用代理表改正。",
    # --- spreadsheets ---
    "io_col_region": "地区",
    "io_col_buyer_id": "旺旺号",
    "pff_err_order_agent": "代理「{value}」无效：写用户ID、@用户名或 1688/旺旺号。",
    "pff_err_order_ambiguous": "「{value}」同时对应多位代理（{ids}）：请改写用户ID。",
    "pff_err_buyer_dup_row": "旺旺号「{value}」与第 {line} 行重复：一个旺旺号只能属于一位代理。",
    "pff_err_buyer_held": "旺旺号「{value}」已属于代理 {holder}：一个旺旺号只能属于一位代理。",
    "pff_err_buyer_race": "导入期间有旺旺号被其他代理占用，没有导入任何数据，请重新发送文件。",
}
