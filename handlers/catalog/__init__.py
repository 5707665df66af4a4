"""The seller's catalog: the /newproduct and /promo conversations, /products, /product, /promos.

Both conversations run in the seller's private chat, keep their draft in ``user_data`` and save
nothing until *Send now*: /cancel (or the Cancel button, or the timeout) leaves no trace. Every
step handler is gated by ``@admin_only`` and raises :class:`InputError` on bad input, which
replies with the reason and keeps the conversation at the same step.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.common.callbacks import (
    CatalogCategory,
    MaterialsRequest,
    ProductCategory,
    ProductStep,
    ProductTarget,
    PromoKindChoice,
    PromoStep,
    PromoTarget,
    matches,
    matches_exactly,
)
from bot.scheduling.conversations import ConversationHandler
from handlers.catalog.agents import (
    START_LINK,
    agents_only,
    catalog_rows,
    category_pressed,
    materials_pressed,
    start_link,
)
from handlers.catalog.drafts import TEXT, cancel, stale_button, timed_out, wrong_input
from handlers.catalog.lists import (
    product_command,
    product_link_command,
    products_command,
    products_rows,
    promos_command,
    promos_rows,
    takes_list,
)
from handlers.catalog.products import (
    NP_AGENT_PRICE,
    NP_CATEGORY,
    NP_DESCRIPTION,
    NP_PHOTOS,
    NP_PREVIEW,
    NP_PRICE,
    NP_SKU,
    NP_TITLE,
    newproduct_start,
    np_agent_price,
    np_category_button,
    np_category_text,
    np_description,
    np_done,
    np_later,
    np_photo,
    np_photo_file,
    np_price,
    np_send,
    np_sku,
    np_target,
    np_title,
)
from handlers.catalog.promotions import (
    PM_END,
    PM_KIND,
    PM_PREVIEW,
    PM_RULES,
    PM_SKUS,
    PM_START,
    PM_TITLE,
    pm_end,
    pm_kind_button,
    pm_kind_text,
    pm_rules,
    pm_send,
    pm_skus,
    pm_start,
    pm_target,
    pm_title,
    promo_start,
)
from handlers.common import list_page_handler

CATALOG_BUTTONS = (
    ProductCategory,
    ProductTarget,
    ProductStep,
    PromoKindChoice,
    PromoTarget,
    PromoStep,
)
# A draft left alone this long is dropped (nothing was saved) and the seller is told.
CONVERSATION_TIMEOUT = 30 * 60


def conversation() -> ConversationHandler[Any]:
    """/newproduct and /promo as ONE conversation, so that starting one while the other is
    open replaces it (``allow_reentry``) instead of leaving two drafts competing for the same
    messages."""
    states: dict[object, list[Any]] = {
        NP_SKU: [MessageHandler(TEXT, np_sku)],
        NP_TITLE: [MessageHandler(TEXT, np_title)],
        NP_PRICE: [MessageHandler(TEXT, np_price)],
        NP_AGENT_PRICE: [MessageHandler(TEXT, np_agent_price)],
        NP_CATEGORY: [
            MessageHandler(TEXT, np_category_text),
            CallbackQueryHandler(np_category_button, pattern=matches(ProductCategory)),
        ],
        NP_DESCRIPTION: [MessageHandler(TEXT, np_description)],
        NP_PHOTOS: [
            MessageHandler(filters.UpdateType.MESSAGE & filters.PHOTO, np_photo),
            MessageHandler(filters.UpdateType.MESSAGE & filters.Document.IMAGE, np_photo_file),
            CommandHandler("done", np_done),
            CallbackQueryHandler(np_done, pattern=matches_exactly(ProductStep("done"))),
        ],
        NP_PREVIEW: [
            CallbackQueryHandler(np_target, pattern=matches(ProductTarget)),
            CallbackQueryHandler(np_send, pattern=matches_exactly(ProductStep("send"))),
            CallbackQueryHandler(
                np_later,
                pattern=matches_exactly(ProductStep("later"), ProductStep("teaser")),
            ),
        ],
        PM_TITLE: [MessageHandler(TEXT, pm_title)],
        PM_KIND: [
            MessageHandler(TEXT, pm_kind_text),
            CallbackQueryHandler(pm_kind_button, pattern=matches(PromoKindChoice)),
        ],
        PM_RULES: [MessageHandler(TEXT, pm_rules)],
        PM_START: [MessageHandler(TEXT, pm_start)],
        PM_END: [MessageHandler(TEXT, pm_end)],
        PM_SKUS: [MessageHandler(TEXT, pm_skus)],
        PM_PREVIEW: [
            CallbackQueryHandler(pm_target, pattern=matches(PromoTarget)),
            CallbackQueryHandler(pm_send, pattern=matches_exactly(PromoStep("send"))),
        ],
        ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
    }
    # The buttons live on messages of this private chat; tracking the conversation per chat and
    # user (not per message) is intended, so PTB's per_message hint does not apply.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("newproduct", newproduct_start),
                CommandHandler("promo", promo_start),
            ],
            states=states,
            fallbacks=[
                CommandHandler("cancel", cancel),
                CallbackQueryHandler(
                    cancel, pattern=matches_exactly(ProductStep("cancel"), PromoStep("cancel"))
                ),
                MessageHandler(filters.UpdateType.MESSAGE & ~filters.COMMAND, wrong_input),
            ],
            name="catalog",
            per_user=True,
            per_chat=True,
            allow_reentry=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
        )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(conversation())
    # Any other button of a draft: one that has ended, or of the other conversation's steps.
    application.add_handler(CallbackQueryHandler(stale_button, pattern=matches(*CATALOG_BUTTONS)))
    application.add_handler(CommandHandler("products", products_command))
    application.add_handler(CommandHandler("product", product_command))
    application.add_handler(CommandHandler("promos", promos_command))
    application.add_handler(list_page_handler("products", products_rows))
    application.add_handler(list_page_handler("promos", promos_rows))
    # The agents' catalog (handlers/catalog/agents.py).
    application.add_handler(CommandHandler("product_link", product_link_command))
    application.add_handler(list_page_handler("takes", takes_list))
    application.add_handler(list_page_handler("catalog", catalog_rows, agents_only))
    application.add_handler(
        CallbackQueryHandler(category_pressed, pattern=matches(CatalogCategory))
    )
    application.add_handler(
        CallbackQueryHandler(materials_pressed, pattern=matches(MaterialsRequest))
    )
    # Before handlers/start.py's /start (group 0, registered first): a card_/materials_ deep
    # link is handled here, in group -1, and stops there; any other /start passes through. A
    # MessageHandler on new private messages, so an edit never re-runs it (commands proper
    # live in group 0, where ignore_edits covers them).
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.Regex(START_LINK),
            start_link,
        ),
        group=-1,
    )
