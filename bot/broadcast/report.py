"""Rendering of broadcast progress, reports and lists (pure functions, catalog texts)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.texts import CATALOGS, Language, t
from storage.outbox import Broadcast

MAX_FAILURES_SHOWN = 30


def kind_label(kind: str, lang: Language) -> str:
    key = f"bc_kind_{kind}"
    return t(lang, key) if key in CATALOGS[lang] else kind


def progress_text(
    broadcast_id: int,
    kind: str,
    total: int,
    sent: int,
    failed: int,
    lang: Language,
    *,
    final: bool = False,
) -> str:
    """The creator's progress message: sent / total and failures."""
    return t(
        lang,
        "bc_progress_done" if final else "bc_progress",
        id=broadcast_id,
        kind=kind_label(kind, lang),
        sent=sent,
        total=total,
        failed=failed,
    )


def _when(moment: int, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(moment, tz).strftime("%Y-%m-%d %H:%M")


def report_text(broadcast: Broadcast, lang: Language, tz: ZoneInfo) -> str:
    """The report of one broadcast (final report and /broadcast_status): counts, then each
    failed chat with its reason."""
    lines = [
        t(
            lang,
            "bc_report_header",
            id=broadcast.id,
            kind=kind_label(broadcast.kind, lang),
            status=t(lang, f"bc_status_{broadcast.status}"),
            created=_when(broadcast.created_at, tz),
        ),
        t(
            lang,
            "bc_report_counts",
            sent=broadcast.sent,
            total=broadcast.total,
            failed=broadcast.failed,
            open=broadcast.open,
            cancelled=broadcast.cancelled,
        ),
    ]
    if broadcast.failures:
        lines.append(t(lang, "bc_report_failures"))
        for failure in broadcast.failures[:MAX_FAILURES_SHOWN]:
            lines.append(
                t(
                    lang,
                    "bc_report_failure_row",
                    title=failure.title or str(failure.chat_id),
                    chat_id=failure.chat_id,
                    reason=failure.reason,
                )
            )
        hidden = len(broadcast.failures) - MAX_FAILURES_SHOWN
        if hidden > 0:
            lines.append(t(lang, "bc_report_more", count=hidden))
    return "\n".join(lines)


def broadcasts_list(broadcasts: list[Broadcast], lang: Language, tz: ZoneInfo) -> str:
    if not broadcasts:
        return t(lang, "bc_list_empty")
    lines = [t(lang, "bc_list_header")]
    for item in broadcasts:
        lines.append(
            t(
                lang,
                "bc_list_row",
                id=item.id,
                kind=kind_label(item.kind, lang),
                status=t(lang, f"bc_status_{item.status}"),
                sent=item.sent,
                total=item.total,
                failed=item.failed,
                created=_when(item.created_at, tz),
            )
        )
    lines.append(t(lang, "bc_list_footer"))
    return "\n".join(lines)


def target_label(tag: str | None, count: int, lang: Language) -> str:
    if tag is None:
        return t(lang, "bc_target_all", count=count)
    return t(lang, "bc_target_tag", tag=tag, count=count)
