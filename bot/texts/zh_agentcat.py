"""代理商品目录、内联模式与素材（issue 13 第 1–3 项）的简体中文文案。键与 en_agentcat.py 一一对应。"""

CATALOG: dict[str, str] = {
    # --- /products for agents ---
    "refused_catalog_agent": (
        "🔒 商品目录和代发价只对已认证的代理开放。\n"
        "成为代理：加入我们的代理群，并在与我的私聊中发送 /profile 提交店铺资料，"
        "审核通过后即可查看商品、代发价并获取素材。"
    ),
    "refused_catalog_short": "🔒 只有已认证的代理可以获取素材。私聊我发送 /products 了解如何成为代理。",
    "ac_err_photo_file": "请发送 JPG、PNG 或 WebP 格式、不超过 {limit} MB 的图片文件（或直接发送图片）。",
    "ac_private_only": "请在与我的私聊中查看商品目录。",
    "ac_browse_intro": (
        "🛍 <b>商品目录</b>（共 {count} 款）\n"
        "点下方类目浏览，或发送 /products 关键词 / 货号 搜索，例如 /products 连衣裙、/products A1。"
    ),
    "ac_catalog_empty": "目前还没有商品。",
    "ac_button_category": "{category}（{count}）",
    "ac_button_all": "全部商品（{count}）",
    "ac_search_header": "🔍 「{query}」的搜索结果：{count} 款",
    "ac_category_header": "📂 {category}：{count} 款",
    "ac_all_header": "🛍 全部商品：{count} 款",
    "ac_more_results": "（只显示前 {limit} 款，请换个更具体的关键词）",
    "ac_no_results": "没有找到「{query}」相关的商品。可以换个关键词，或发送 /products 按类目浏览。",
    "ac_row": (
        "• <b>{title}</b>  <code>{sku}</code>\n"
        "  代发价 {agent_price} · 建议零售价 {price} · {state}{promos}\n"
        "  👉 {link}"
    ),
    "ac_row_link": '<a href="{url}">查看详情与素材</a>',
    "ac_row_promos": " · 🔥 {titles}",
    "ac_err_query_long": "关键词太长了（最多 {limit} 个字），请换个短一点的关键词。",
    "ac_category_gone": "类目已变化，请重新发送 /products。",
    # --- the product card ---
    "ac_card_title": "<b>{title}</b>",
    "ac_card_sku": "货号：<code>{sku}</code>",
    "ac_card_agent_price": "🤝 代发价：{price}",
    "ac_card_no_agent_price": "🤝 代发价：请联系客服",
    "ac_card_price": "🏷 建议零售价：{price}",
    "ac_card_stock": "📦 库存：{state}",
    "ac_card_promo": "🔥 {title}（{kind}，至 {end}）",
    "ac_card_more": "…",
    # --- materials ---
    "ac_button_materials": "📦 获取素材",
    "ac_materials_sent": "📦 素材已私聊发给您。",
    "ac_materials_too_soon": "您在 {minutes} 分钟内已获取过这款商品的素材，请查看与我的私聊。",
    "ac_materials_start_bot": "请先打开与我的私聊，点「开始」后会自动发送素材。",
    "ac_materials_unknown": "这款商品已下架。",
    "ac_materials_header": "📦 <b>{title}</b>（{sku}）的素材：原图 {count} 张，文案见下一条。",
    "ac_materials_copy": "{title}\n\n{description}",
    "ac_materials_link": "🔗 1688 链接：{url}",
    "ac_materials_prices": "货号 {sku} · 代发价 {agent_price} · 建议零售价 {price}",
    # --- inline ---
    "ac_inline_become_agent": "成为代理",
    "ac_inline_price": "建议零售价 {price}",
    "ac_retail_title": "<b>{title}</b>",
    "ac_retail_price": "🏷 售价：{price}",
    # --- the seller's side ---
    "ac_takes_header": "📦 <b>{sku}</b> 的素材获取记录（共 {count} 次）：",
    "ac_takes_row": "• {at} — {who}",
    "ac_takes_empty": "{sku} 还没有人获取素材。",
    "ac_usage_link": "用法：/product_link 货号 链接（http 或 https，发送 - 清除）",
    "ac_link_set": "✅ {sku} 的 1688 链接已设为：{url}",
    "ac_link_cleared": "✅ 已清除 {sku} 的 1688 链接。",
    "ac_card_link": "🔗 1688：{url}",
    "cmd_products_agent": "商品目录：按类目浏览，或 /products 关键词/货号 搜索",
    "cmd_product_link": "设置商品的 1688 链接：/product_link 货号 链接",
}
