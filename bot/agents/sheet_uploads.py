"""An attached CSV/XLSX read into rows for ``/import_agents`` and ``/import_orders``: checked
before download, parsed in a worker thread within the ``[uploads]`` caps and time limit."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Document

from bot.agents.sheets import SheetError, SheetRow, read_table
from bot.common.errors import InputError
from bot.common.uploads import UploadLimits
from bot.texts import Language, t
from bot.uploads import download_checked, parse_upload


async def read_sheet_upload(
    document: Document,
    headers: dict[str, str],
    required: Sequence[str],
    limits: UploadLimits,
    lang: Language,
) -> list[SheetRow]:
    """The table under the header line; :class:`InputError` says why a file is refused."""
    upload = await download_checked(document, ("csv", "xlsx"), limits, lang)
    try:
        return await parse_upload(
            lambda stop: read_table(upload.kind, upload.data, headers, required, limits, stop),
            limits,
            lang,
        )
    except SheetError as error:
        code, _, detail = error.code.partition(":")
        raise InputError(t(lang, f"io_sheet_{code}", columns=detail, rows=detail)) from None
