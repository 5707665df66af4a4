"""中文：按分组私信（/dm）、免打扰（/mute）、多标签选群、问候的称谓与营销（键与 en_reach.py 一一对应）。"""

CATALOG: dict[str, str] = {
    "reach_usage_dm": (
        "用法：/dm 对象 内容（或发送一张图片，图片说明写 /dm 对象 内容）。\n"
        "对象：tag:标签、tier:等级、mode:下单方式、platform:平台、group:群ID，"
        "或代理（ID、@用户名、备注，用 , ， 、 分隔）。\n"
        "多位代理用空格分隔时，请把内容写在下一行。\n"
        "例如：/dm tag:VIP客户 新品到了，欢迎来拿图"
    ),
    "reach_err_segment": "⚠️ 看不懂对象「{value}」。可写 {keys}，或代理（ID、@用户名、备注，用 , ， 、 分隔）。",
    "reach_err_too_many": "⚠️ 一次最多列出 {max} 位代理；更多代理请用 tag: 等分组。",
    "reach_err_nobody": "⚠️ 「{target}」里没有可以私信的代理：共 {total} 位，{unreachable} 位无法送达，{muted} 位已免打扰。",
    "reach_preview_header": "👀 私信预览：下一条就是代理收到的内容。",
    "reach_confirm": (
        "📬 私信对象：{target}\n"
        "✅ 可送达：{reachable} 位代理\n"
        "⛔ 无法送达：{unreachable} 位（未启动机器人 {never}，已屏蔽机器人 {blocked}）\n"
        "🔕 已免打扰，不发送：{muted} 位\n"
        "确认发送？"
    ),
    "reach_confirm_names": "无法送达：{names}",
    "reach_send_button": "📨 发送",
    "reach_queued": "📨 私信 #{id} 已加入发送队列：{count} 位代理（每位每秒最多 1 条）。进度和报告见下一条消息。",
    "reach_reason_never_started": "{name}：未启动机器人",
    "reach_reason_blocked": "{name}：已屏蔽机器人",
    "reach_usage_mute": "用法：/mute 代理（ID 或 @用户名）。免打扰的代理不再收到私信推广（/dm、节日问候里的营销）。",
    "reach_usage_unmute": "用法：/unmute 代理（ID 或 @用户名）。",
    "reach_muted": "🔕 已为 {name} 开启免打扰：不再收到私信推广。",
    "reach_unmuted": "🔔 已为 {name} 关闭免打扰。",
    "reach_already_muted": "{name} 已经是免打扰。",
    "reach_not_muted": "{name} 没有开启免打扰。",
    "reach_card_muted": "🔕 免打扰：不接收私信推广",
    "bc_kind_dm": "私信",
    "cmd_dm": "私信一组代理：/dm tag:VIP客户 内容",
    "cmd_mute": "免打扰：不再给代理发私信推广",
    "cmd_unmute": "取消免打扰",
    "reach_grt_audience_all": "批准后在节日当天发送到所有群，并私聊每位已启动机器人的代理（{count} 位）。",
    "reach_grt_audience_segment": "批准后在节日当天只私聊「{segment}」里已启动机器人的代理（{count} 位），不发到群里。",
    "reach_grt_example": "称呼取备注里的姓氏和称谓：「{remark}」→「{name}」。",
    "reach_grt_promotion_hint": "也可以批准时附上一个进行中的促销：祝福之后作为第二条私信发送（免打扰的代理不发）。",
    "reach_grt_no_groups": "（只私聊这一组代理，不发到群里）",
    "reach_grt_approve_promo": "✅ 批准并附促销：{title}",
    "reach_grt_promo_gone": "这个促销已结束或已取消，请直接批准或选择其他促销。",
    "reach_grt_with_promo": "祝福之后私信发送促销「{title}」（免打扰的代理不发）。",
    "reach_grt_segment_saved": "✅ {festival}问候只私聊「{segment}」里的代理（现有 {count} 位已启动机器人），不发到群里。",
    "reach_grt_segment_cleared": "✅ {festival}问候发送到所有群和每位已启动机器人的代理。",
    "reach_grt_segment_usage": "用法：/greeting 节日 对象 tag:标签（或 tier:等级、mode:下单方式），/greeting 节日 对象 全部 恢复发给所有人。",
    "reach_tags_hint": "可以点选多个标签（✓），再点「完成」：发送到这些标签下的所有群。",
    "reach_tags_done": "完成（已选 {count} 个标签）",
    "reach_tags_none": "请先点选至少一个标签，或选择全部正常群。",
    "reach_err_tag_empty": "⚠️ 标签「{tag}」下没有正常的群，没有安排任何发送。现有的群标签：{tags}",
    "reach_no_tags": "（还没有群标签，用 /tag_group 添加）",
    "reach_tag_offer": "给 {name} 加哪个标签？点一下即可添加：",
    "reach_tag_added": "已添加标签「{tag}」",
}
