"""Cutting a list into pages that each fit one Telegram message (pure, no Telegram).

A list is a header and rendered items (HTML, one per row, already escaped). Pages are cut by
the length Telegram counts: after the HTML is parsed (tags removed, ``&amp;`` is one character),
in UTF-16 code units (:func:`bot.common.splitting.visible_length`, the same mechanism that
splits long texts). Room is left on every page for the footer ("page k/n") whatever the number
of pages; an item too long for a page on its own is cut (tags closed) and ends with "…".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.common.splitting import TEXT_LIMIT, split_html, visible_length

ELLIPSIS = "…"
SEPARATOR = "\n"

# Renders the footer of page ``k`` (1-based) of ``n``.
Footer = Callable[[int, int], str]


def _truncated(item: str, budget: int) -> str:
    """``item`` cut to at most ``budget`` visible characters, the last one being "…"."""
    if budget <= len(ELLIPSIS):
        return ELLIPSIS[:budget]
    parts = split_html(item, budget - len(ELLIPSIS))
    return (parts[0] if parts else "") + ELLIPSIS


def paginate(
    header: str,
    items: Sequence[str],
    footer: Footer,
    *,
    page_size: int | None = None,
    limit: int = TEXT_LIMIT,
) -> list[str]:
    """The full text of every page: ``header``, the page's items one per line, and (only when
    there is more than one page) ``footer(k, n)``. Each page is at most ``limit`` long as
    Telegram counts it and holds at most ``page_size`` items (when given). Every item appears
    on exactly one page, in order. An empty ``items`` gives one page with the header only."""
    bodies = page_bodies(header, items, footer, page_size=page_size, limit=limit)
    count = len(bodies)
    return [page_text(header, body, footer, number, count) for number, body in enumerate(bodies, 1)]


def page_text(header: str, body: Sequence[str], footer: Footer, number: int, count: int) -> str:
    """Page ``number`` (1-based) of ``count``: the header, the items, the footer when
    ``count`` > 1. A list kept page by page (the items of each of :func:`page_bodies`) shows
    the same text as :func:`paginate`."""
    text = SEPARATOR.join([header, *body])
    if count > 1:
        text += SEPARATOR + footer(number, count)
    return text


def page_bodies(
    header: str,
    items: Sequence[str],
    footer: Footer,
    *,
    page_size: int | None = None,
    limit: int = TEXT_LIMIT,
    most_pages: int | None = None,
) -> list[list[str]]:
    """The items of every page of :func:`paginate` (an item too long for a page alone comes
    back cut), for a list kept page by page: page k's text is
    ``page_text(header, bodies[k], footer, k + 1, len(bodies))``. A list cut piece by piece
    (the rows of an unfinished last page carried into the next call) passes ``most_pages``,
    its whole length: the room kept for the footer is then the same in every call, and so is
    every cut."""
    if page_size is not None and page_size < 1:
        raise ValueError("page_size must be at least 1")
    # The widest footer any page can get: n is at most one page per item.
    most_pages = max(len(items) if most_pages is None else most_pages, 1)
    footer_room = visible_length(SEPARATOR + footer(most_pages, most_pages))
    header_width = visible_length(header)
    budget = limit - footer_room - header_width
    item_room = budget - visible_length(SEPARATOR)
    if item_room < 1:
        raise ValueError("the header and footer leave no room for items")
    bodies: list[list[str]] = []
    current: list[str] = []
    used = 0
    for item in items:
        width = visible_length(item)
        if width > item_room:
            item = _truncated(item, item_room)
            width = visible_length(item)
        needed = width + visible_length(SEPARATOR)
        full = page_size is not None and len(current) >= page_size
        if current and (used + needed > budget or full):
            bodies.append(current)
            current, used = [], 0
        current.append(item)
        used += needed
    if current or not bodies:
        bodies.append(current)
    return bodies
