"""Product launches: a scheduled product post, optionally preceded by a 预热 teaser, within the
launch frequency cap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.broadcast.outbox import Payload
from bot.catalog.model import normalize_sku
from bot.catalog.service import product_payload
from bot.common.callbacks import LaunchPick, encode, fits
from bot.common.errors import InputError
from bot.common.timeparse import local_iso
from bot.scheduling.broadcasts import resolve_targets
from bot.scheduling.kinds import LaunchCheck, check_launch
from bot.scheduling.model import Submission, Targets, renderer
from bot.texts import Language, t
from storage.catalog import Product
from storage.schedule_models import Schedule

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True, slots=True)
class LaunchPlan:
    product: Product
    targets: Targets
    launch_at: int
    teaser_at: int | None
    check: LaunchCheck


async def plan_launch(
    services: Services,
    sku: str,
    targets: Targets,
    launch_at: int,
    teaser_at: int | None,
    lang: Language,
) -> LaunchPlan:
    """Validate a launch (known SKU, teaser before launch, target groups exist) and check the
    frequency cap at the launch's (quiet-hours adjusted) time."""
    product = await services.products.get(normalize_sku(sku, lang))
    if product is None:
        raise InputError(t(lang, "sch_err_sku", sku=sku))
    if teaser_at is not None and teaser_at >= launch_at:
        raise InputError(t(lang, "sch_err_teaser_order"))
    if not await resolve_targets(services, targets):
        raise InputError(t(lang, "sch_err_no_groups"))
    due = services.scheduler.due_time(launch_at, True)
    return LaunchPlan(
        product, targets, launch_at, teaser_at, await check_launch(services, targets, due)
    )


async def schedule_launch(
    services: Services, plan: LaunchPlan, creator_id: int
) -> tuple[Schedule | None, Schedule]:
    """Create the teaser (if any) and launch schedules; returns (teaser, launch)."""
    lang = services.settings.language
    sku = plan.product.sku
    params = {"sku": sku, "targets": plan.targets.to_dict(), "launch_at": plan.launch_at}
    teaser = None
    if plan.teaser_at is not None:
        teaser = await services.scheduler.create(
            "teaser",
            t(lang, "sch_teaser_title", title=plan.product.title),
            params,
            plan.teaser_at,
            creator_id=creator_id,
            ref=f"product:{sku}",
        )
    launch = await services.scheduler.create(
        "broadcast_product",
        t(lang, "sch_launch_title", title=plan.product.title),
        params | {"broadcast_kind": "product"},
        plan.launch_at,
        creator_id=creator_id,
        ref=f"product:{sku}",
    )
    return teaser, launch


def teaser_payload(product: Product, launch_at: int, services: Services) -> Payload:
    lang = services.settings.language
    text = t(
        lang,
        "sch_teaser_text",
        title=product.title,
        when=local_iso(launch_at, services.settings.tz),
        category=product.category,
    )
    return Payload(kind="photo", text=text, media=product.photos[:1])


@renderer("teaser")
async def _teaser(services: Services, schedule: Schedule, planned: int) -> list[Submission]:
    params = schedule.params
    product = await services.products.get(str(params["sku"]))
    if product is None:
        return []
    return [
        Submission(
            kind="teaser",
            payload=teaser_payload(product, int(params["launch_at"]), services),
            chat_ids=await resolve_targets(services, Targets.from_dict(params["targets"])),
            creator_id=schedule.creator_id,
            ref=f"teaser:{product.sku}",
            report=True,
        )
    ]


@renderer("broadcast_product")
async def _launch(services: Services, schedule: Schedule, planned: int) -> list[Submission]:
    params = schedule.params
    product = await services.products.get(str(params["sku"]))
    if product is None:
        return []
    return [
        Submission(
            kind="product",
            payload=product_payload(product, services),
            chat_ids=await resolve_targets(services, Targets.from_dict(params["targets"])),
            creator_id=schedule.creator_id,
            ref=f"product:{product.sku}",
            report=True,
        )
    ]


def launch_offer(
    product: Product, tag: str | None, teaser: bool, lang: Language
) -> tuple[str, tuple[tuple[tuple[str, str], ...], ...]]:
    """What to show once a product is saved for a later launch (the "Schedule…" / "Teaser
    first" buttons of the product preview): the text and one button that asks for the
    time(s). The button (``lp:<l|t>:<sku>:<tag, * for all groups, ? to ask>``) is handled by
    handlers/launches.py."""
    mode: Literal["l", "t"] = "t" if teaser else "l"
    pick = LaunchPick(mode, product.sku, tag or "*")
    if not fits(pick):  # a long tag does not fit: the conversation asks for it
        pick = LaunchPick(mode, product.sku, "?")
    data = encode(pick)
    label = t(lang, "sch_offer_teaser" if teaser else "sch_offer_launch")
    return t(lang, "sch_offer_saved", sku=product.sku, title=product.title), (((label, data),),)
