"""简体中文：新代理「待完善」状态，代理自己的数据（/mydata、/forgetme）。键与 en_agentdata.py 一致。"""

CATALOG: dict[str, str] = {
    "cmd_mydata": "下载我的全部数据（JSON 文件）",
    "cmd_forgetme": "删除我的数据",
    # --- newcomers ---
    "agentdata_tier_newcomer": "待完善",
    "agentdata_row_newcomer": "{row} · 待完善",
    "agentdata_card_newcomer": (
        "<b>质量：待完善</b>（尚未提交店铺资料；入群 {days} 天内不评级，{until} 起参与评级）"
    ),
    # --- /mydata ---
    "agentdata_mydata_caption": (
        "这是我们保存的关于您的全部数据（JSON，UTF-8）：共 {sections} 类、{rows} 条记录。"
    ),
    "agentdata_mydata_wait": "您每小时只能导出一次数据，请在 {at} 之后再试。",
    "agentdata_nothing_stored": "我们没有保存关于您的代理数据。",
    # --- /forgetme ---
    "agentdata_forget_ask": (
        "确定要删除我们保存的关于您的数据吗？\n"
        "将删除：姓名、用户名、备注、标签、店铺资料及审核记录、评分和评语、采购记录、"
        "培训报名和签到、联系记录等。{kept}\n"
        "此操作无法撤销。若您仍在卖家的群里发言，机器人会重新记下您的 Telegram 名字。"
    ),
    "agentdata_forget_kept": "\n您已被移出卖家的群：我们只保留您的数字 ID，以记住这一决定。",
    "agentdata_forget_yes": "确认删除",
    "agentdata_forget_no": "取消",
    "agentdata_forget_done": "已删除您的数据。",
    "agentdata_forget_cancelled": "已取消，您的数据没有改变。",
    "agentdata_forget_already": "这个操作已经执行过了。",
    "agentdata_forget_owner": "代理 <code>{user_id}</code> 通过 /forgetme 删除了自己的数据。",
    "agentdata_forget_owner_kept": (
        "代理 <code>{user_id}</code> 通过 /forgetme 删除了自己的数据（已移除的代理：只保留数字 ID）。"
    ),
}
