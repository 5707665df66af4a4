"""``/ratings <agent>`` as a paged list: the agent's average in the header, then one row per
rating, newest first (read again at every page turn)."""

from __future__ import annotations

from bot.common.render import local_time
from bot.services import Services
from bot.texts import Language, t

RATINGS_LISTED = 1000  # the latest ratings of an agent that /ratings pages through


async def ratings_rows(
    services: Services, user_id: int, lang: Language
) -> tuple[str, list[str]] | None:
    """The header and a row per rating of agent ``user_id`` (None: no such agent)."""
    agent = await services.agents.get(user_id)
    if agent is None:
        return None
    ratings = await services.profiles.ratings(user_id, limit=RATINGS_LISTED)
    summary = await services.profiles.rating_summary(user_id)
    header = t(
        lang,
        "rt_header",
        name=agent.display_name,
        mean=f"{summary.mean or 0:.1f}",
        count=summary.count,
    )
    raters: dict[int, str] = {}
    rows = []
    for rating in ratings:
        if rating.rated_by not in raters:
            rater = await services.agents.get(rating.rated_by)
            raters[rating.rated_by] = rater.display_name if rater else str(rating.rated_by)
        rows.append(
            t(
                lang,
                "rt_row",
                stars="★" * rating.stars,
                at=local_time(rating.at, services.settings.tz, lang),
                by=raters[rating.rated_by],
                comment=rating.comment or "",
            )
        )
    return header, rows
