"""Taking a document from Telegram for an import: checked before it is downloaded, parsed off
the event loop. Every refusal is an :class:`InputError` whose text names the cap or the accepted
kinds, and nothing has changed when it is raised."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TypeVar

from telegram import Document

from bot.common.errors import InputError
from bot.common.uploads import (
    FileKind,
    UploadLimits,
    UploadRefused,
    check_size,
    kind_of,
    parse_off_loop,
)
from bot.texts import Language, t

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Upload:
    kind: FileKind
    file_name: str
    data: bytes


def refusal(error: UploadRefused, lang: Language, accepted: Collection[FileKind]) -> InputError:
    kinds = ", ".join(sorted(kind.upper() for kind in accepted))
    return InputError(t(lang, f"up_{error.code}", kinds=kinds, **error.values))


async def download_checked(
    document: Document,
    accepted: Collection[FileKind],
    limits: UploadLimits,
    lang: Language,
    *,
    max_bytes: int | None = None,
) -> Upload:
    """The document's bytes, if its name and MIME type are of an ``accepted`` kind and its
    declared size (on the message, then on ``getFile``) and real size are within the kind's cap
    (or ``max_bytes``, when a caller's cap is stricter). A refused file is never downloaded."""
    try:
        kind = kind_of(document.file_name, document.mime_type, accepted)
        cap = min(limits.max_bytes(kind), max_bytes or limits.max_bytes(kind))
        capped = limits.model_copy(update={f"{kind}_max_bytes": cap})
        check_size(document.file_size, kind, capped)
        file = await document.get_file()
        check_size(file.file_size, kind, capped)
        data = bytes(await file.download_as_bytearray())
        check_size(len(data), kind, capped)
    except UploadRefused as error:
        raise refusal(error, lang, accepted) from None
    return Upload(kind, document.file_name or "", data)


async def parse_upload(
    parse: Callable[[threading.Event], T], limits: UploadLimits, lang: Language
) -> T:
    """``parse`` in a worker thread within ``[uploads] parse_timeout_seconds``."""
    try:
        return await parse_off_loop(parse, limits.parse_timeout_seconds)
    except UploadRefused as error:
        raise refusal(error, lang, ()) from None
