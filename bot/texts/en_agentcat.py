"""English texts of the agents' catalog, inline mode and materials (issue 13 items 1-3).
Keys match zh_agentcat.py one to one."""

CATALOG: dict[str, str] = {
    # --- /products for agents ---
    "refused_catalog_agent": (
        "🔒 The catalog and agent prices are for approved agents only.\n"
        "To become an agent: join one of our agent groups and send /profile here to submit your "
        "store profile; once it is approved you can browse products, see agent prices and take "
        "product materials."
    ),
    "refused_catalog_short": "🔒 Only approved agents can take materials. Send me /products to see how.",
    "ac_err_photo_file": "Send a JPG, PNG or WebP image file of at most {limit} MB (or send it as a photo).",
    "ac_private_only": "Please browse the catalog in your private chat with me.",
    "ac_browse_intro": (
        "🛍 <b>Catalog</b> ({count} products)\n"
        "Tap a category below, or search with /products words or SKU, e.g. /products dress, "
        "/products A1."
    ),
    "ac_catalog_empty": "There are no products yet.",
    "ac_button_category": "{category} ({count})",
    "ac_button_all": "All products ({count})",
    "ac_search_header": "🔍 Results for “{query}”: {count}",
    "ac_category_header": "📂 {category}: {count}",
    "ac_all_header": "🛍 All products: {count}",
    "ac_more_results": "(only the first {limit} shown; try more specific words)",
    "ac_no_results": "No product matches “{query}”. Try other words, or /products to browse.",
    "ac_row": (
        "• <b>{title}</b>  <code>{sku}</code>\n"
        "  Agent price {agent_price} · Retail price {price} · {state}{promos}\n"
        "  👉 {link}"
    ),
    "ac_row_link": '<a href="{url}">details and materials</a>',
    "ac_row_promos": " · 🔥 {titles}",
    "ac_err_query_long": "The search is too long (at most {limit} characters); try shorter words.",
    "ac_category_gone": "The categories have changed; send /products again.",
    # --- the product card ---
    "ac_card_title": "<b>{title}</b>",
    "ac_card_sku": "SKU: <code>{sku}</code>",
    "ac_card_agent_price": "🤝 Agent price: {price}",
    "ac_card_no_agent_price": "🤝 Agent price: ask us",
    "ac_card_price": "🏷 Retail price: {price}",
    "ac_card_stock": "📦 Stock: {state}",
    "ac_card_promo": "🔥 {title} ({kind}, until {end})",
    "ac_card_more": "…",
    # --- materials ---
    "ac_button_materials": "📦 Get materials",
    "ac_materials_sent": "📦 The materials are in your private chat with me.",
    "ac_materials_too_soon": (
        "You took this product's materials less than {minutes} minutes ago; see our private chat."
    ),
    "ac_materials_start_bot": "Open a private chat with me and tap Start: the materials follow.",
    "ac_materials_unknown": "This product is no longer listed.",
    "ac_materials_header": (
        "📦 Materials of <b>{title}</b> ({sku}): {count} original photo(s); the copy follows."
    ),
    "ac_materials_copy": "{title}\n\n{description}",
    "ac_materials_link": "🔗 1688 listing: {url}",
    "ac_materials_prices": "SKU {sku} · Agent price {agent_price} · Retail price {price}",
    # --- inline ---
    "ac_inline_become_agent": "Become an agent",
    "ac_inline_price": "Retail price {price}",
    "ac_retail_title": "<b>{title}</b>",
    "ac_retail_price": "🏷 Price: {price}",
    # --- the seller's side ---
    "ac_takes_header": "📦 Who took the materials of <b>{sku}</b> ({count} times):",
    "ac_takes_row": "• {at} — {who}",
    "ac_takes_empty": "Nobody has taken the materials of {sku} yet.",
    "ac_usage_link": "Usage: /product_link SKU URL (http or https; - clears it)",
    "ac_link_set": "✅ The 1688 link of {sku} is now: {url}",
    "ac_link_cleared": "✅ The 1688 link of {sku} is cleared.",
    "ac_card_link": "🔗 1688: {url}",
    "cmd_products_agent": "The catalog: browse, or /products words or SKU to search",
    "cmd_product_link": "Set a product's 1688 link: /product_link SKU URL",
}
