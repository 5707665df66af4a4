"""Rendering of broadcast progress, reports and lists (pure functions, catalog texts)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.texts import CATALOGS, Language, t
from storage.outbox import Broadcast


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
) -> str:
    """The creator's progress message while the broadcast is sent: sent / total and failures
    (when it is done, the message becomes the report: :func:`report_rows`)."""
    return t(
        lang,
        "bc_progress",
        id=broadcast_id,
        kind=kind_label(kind, lang),
        sent=sent,
        total=total,
        failed=failed,
    )


def _when(moment: int, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(moment, tz).strftime("%Y-%m-%d %H:%M")


def report_rows(broadcast: Broadcast, lang: Language, tz: ZoneInfo) -> tuple[str, list[str]]:
    """The report of one broadcast as a paged list (the final report that its progress message
    becomes, and /broadcast_status): counts in the header, then each failed chat with its
    reason, one row each."""
    header = [
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
        header.append(t(lang, "bc_report_failures"))
    rows = [
        t(
            lang,
            "bc_report_failure_row",
            title=failure.title or str(failure.chat_id),
            chat_id=failure.chat_id,
            reason=failure.reason,
        )
        for failure in broadcast.failures
    ]
    return "\n".join(header), rows


def broadcasts_rows(
    broadcasts: list[Broadcast], lang: Language, tz: ZoneInfo
) -> tuple[str, list[str]]:
    """/broadcasts as a paged list: one row per broadcast, newest first."""
    if not broadcasts:
        return t(lang, "bc_list_empty"), []
    rows = [
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
        for item in broadcasts
    ]
    return t(lang, "bc_list_header") + "\n" + t(lang, "bc_list_footer"), rows


def target_label(tag: str | None, count: int, lang: Language) -> str:
    if tag is None:
        return t(lang, "bc_target_all", count=count)
    return t(lang, "bc_target_tag", tag=tag, count=count)
