"""群内库存问答、预计补货日期、停产、寄样的简体中文文案。键与 en_agentstock.py 一一对应。"""

CATALOG: dict[str, str] = {
    # --- menu ---
    "stk_cmd_stock_eta": "预计补货日期：/stock_eta 货号 日期（clear 清除）",
    "stk_cmd_discontinue": "标记停产：/discontinue 货号",
    # --- stock answers in groups ---
    "stk_answer_line_in_stock": "✅ {title}（<code>{sku}</code>）：有货",
    "stk_answer_line_low": "⚠️ {title}（<code>{sku}</code>）：库存紧张，仅剩 {qty} 件",
    "stk_answer_line_out": "❌ {title}（<code>{sku}</code>）：已售罄",
    "stk_answer_line_unknown": "❔ {title}（<code>{sku}</code>）：暂无库存信息，请私聊客服确认",
    "stk_answer_line_discontinued": "⛔ {title}（<code>{sku}</code>）：已停产，不再供货",
    "stk_eta_suffix": "，预计 {date} 补货",
    "stk_notice_eta": "　⏳ 预计 {date} 补货",
    "stk_list_discontinued": " ⛔停产",
    "stk_list_eta": " · 预计补货 {date}",
    # --- /stock_eta ---
    "stk_usage_eta": (
        "用法：/stock_eta 货号 日期，例如 /stock_eta A1 12-20 或 /stock_eta A1 2026-12-20；"
        "/stock_eta A1 clear 清除"
    ),
    "stk_err_eta_recurring": "预计补货日期是一个日子，不能是重复时间：{value}",
    "stk_eta_set": "已设置 <code>{sku}</code> 预计补货日期：{date}（库存通知、群内问答和 /stock 会显示）",
    "stk_eta_cleared": "已清除 <code>{sku}</code> 的预计补货日期",
    # --- /discontinue ---
    "stk_usage_discontinue": "用法：/discontinue 货号",
    "stk_discontinue_confirm": (
        "确认将 {title}（<code>{sku}</code>）标记为<b>停产</b>？\n"
        "停产通知会发送到相关的群（只发一次），代理的商品目录不再显示为可售。"
    ),
    "stk_discontinue_yes": "⛔ 确认停产",
    "stk_discontinue_no": "取消",
    "stk_discontinue_dropped": "已取消，商品未改动。",
    "stk_discontinue_already": "<code>{sku}</code> 已经是停产状态，未重复通知。",
    "stk_discontinue_done": "已将 <code>{sku}</code> 标记为停产。",
    "stk_discontinue_sent": "停产通知已提交发送到 {groups} 个群（广播 #{broadcast_id}）。",
    "stk_discontinue_no_groups": "没有可通知的群。",
    "stk_notice_discontinued": (
        "⛔ <b>停产通知</b>\n{title}（<code>{sku}</code>）已停产，不再供货。"
        "请您尽快下架该商品，已下的订单请联系客服确认。"
    ),
    # --- samples: agents ---
    "smp_button": "🧪 申请样品",
    "refused_sample_not_agent": "申请样品需要您先成为我们的代理（在代理群中发言或填写店铺资料）。",
    "smp_product_expired": "该商品已下架或停产，无法申请样品。",
    "smp_already_open": "您已申请过这款样品，正在审核中，请耐心等待。",
    "smp_too_many": "您今天的样品申请次数已达上限（{limit} 次），请明天再试。",
    "refused_sample_slow_down": "操作太频繁，请稍后再试。",
    "smp_requested": "已提交样品申请，审核结果会私信通知您（请确保已私聊启动过本机器人）。",
    "smp_agent_shipped": (
        "🎉 您申请的样品 {title}（<code>{sku}</code>）已寄出！\n快递单号：<code>{tracking}</code>\n"
        "收到后欢迎尽快上架，有问题随时联系我们。"
    ),
    "smp_agent_declined": (
        "很抱歉，您申请的样品 {title}（<code>{sku}</code>）这次暂时无法寄出。"
        "感谢您的支持，如有疑问欢迎联系客服。"
    ),
    "smp_agent_ask": (
        "您好！您申请的样品 {title}（<code>{sku}</code>）已寄出 {days} 天，请问您已经上架了吗？"
    ),
    "smp_listed_button": "✅ 已上架",
    "smp_not_yet_button": "还没有",
    "smp_ask_link": "太好了！请发送您店铺中该商品的链接（http:// 或 https:// 开头），/cancel 取消。",
    "smp_err_link": "链接需要以 http:// 或 https:// 开头，且不超过 {limit} 个字符，请重新发送，或 /cancel 取消。",
    "smp_link_saved": "已记录您的上架链接，谢谢您！",
    "smp_not_yet_saved": "好的，已记录。上架后欢迎告诉我们！",
    "refused_sample_not_yours": "这个按钮不是给您的。",
    "already_done_sample_answer": "这个问题已经回答过了。",
    "smp_link_cancelled": "已取消。",
    # --- samples: admins ---
    "smp_admin_request": (
        "🧪 <b>样品申请 #{id}</b>\n代理：{name}（<code>{user_id}</code>）\n"
        "商品：{title}（<code>{sku}</code>）"
    ),
    "smp_approve_button": "✅ 批准并填写单号",
    "smp_decline_button": "❌ 拒绝",
    "smp_ask_tracking": (
        "请发送样品 #{id}（{title}，<code>{sku}</code>）的快递单号（可含快递公司，最多 {limit} 个字符），"
        "/cancel 取消。"
    ),
    "smp_err_tracking": "快递单号需为 4-{limit} 个字符的单行文字，请重新发送，或 /cancel 取消。",
    "smp_tracking_cancelled": "已取消，样品申请 #{id} 仍待处理。",
    "smp_already_decided": "样品申请 #{id} 已经处理过了。",
    "smp_shipped_done": "已记录样品 #{id} 的单号 <code>{tracking}</code>，代理已打上“已寄样”标签。",
    "smp_agent_told": "代理已收到私信通知。",
    "smp_agent_unreachable": "⚠️ 无法私信该代理（对方可能从未启动本机器人），请另行告知单号。",
    "smp_declined_done": "已拒绝样品申请 #{id}。",
    "smp_asked": "已私信询问代理。",
    "smp_ask_failed": "⚠️ 无法私信该代理（对方可能从未启动本机器人）。",
    "smp_not_shipped": "样品 #{id} 不是已寄出状态。",
    # --- follow-up list and agent card ---
    "smp_fu_header": "🧪 样品跟进：",
    "smp_fu_line": "• {name}（{user_id}）样品已寄 {days} 天，上架了吗？（{title} <code>{sku}</code>）",
    "smp_fu_button": "💬 询问 {name}",
    "smp_card_header": "样品：",
    "smp_card_line": "• <code>{sku}</code> {status}",
    "smp_status_requested": "申请中（{date}）",
    "smp_status_declined": "已拒绝（{date}）",
    "smp_status_shipped": "已寄样 {date}，单号 <code>{tracking}</code>",
    "smp_answer_listed": "；已上架：{url}",
    "smp_answer_not_yet": "；{date} 答复还没上架",
}
