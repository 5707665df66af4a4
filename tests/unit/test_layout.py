"""The layout rules of docs/ARCHITECTURE.md, checked on the source (no imports executed).

Data flows one way (update -> handler -> service -> repository -> SQLite), so: storage never
imports the bot, handlers or Telegram; nothing in bot/ imports a handler (only the wiring and the
dev tools do); handler modules never import each other; pure modules never import the services;
every package states its purpose; no module grows past ~500 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 500
# Pure modules: parsing, scoring and rendering, unit-tested without Telegram or a database.
PURE = [
    "bot/common",
    "bot/agents/crm.py",
    "bot/agents/contact_log.py",
    "bot/agents/profiles.py",
    "bot/agents/terms.py",
    "bot/agents/quality.py",
    "bot/agents/quality_config.py",
    "bot/agents/sheets.py",
    "bot/agents/membership.py",
    "bot/broadcast/report.py",
    "bot/catalog/model.py",
    "bot/catalog/stock_csv.py",
    "bot/catalog/stock_answers.py",
    "bot/events/festivals.py",
    "bot/events/salutation.py",
    "bot/ops/stats.py",
    "bot/ops/charts.py",
    "bot/ops/backup_files.py",
]


def modules(*roots: str) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        path = ROOT / root
        found.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return found


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def offending(path: Path, prefixes: tuple[str, ...]) -> list[str]:
    return sorted(
        name
        for name in imported(path)
        if any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)
    )


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", modules("storage"), ids=rel)
def test_storage_imports_neither_the_bot_nor_telegram(path: Path) -> None:
    assert offending(path, ("bot", "handlers", "telegram")) == []


@pytest.mark.parametrize(
    "path",
    [p for p in modules("bot") if not rel(p).startswith(("bot/dev/", "bot/app.py"))],
    ids=rel,
)
def test_bot_never_imports_a_handler(path: Path) -> None:
    assert offending(path, ("handlers",)) == []


@pytest.mark.parametrize("path", modules("handlers"), ids=rel)
def test_handlers_never_import_each_other(path: Path) -> None:
    own = rel(path).removesuffix(".py").replace("/", ".")
    package = own.rsplit(".", 1)[0] if path.parent != ROOT / "handlers" else own
    allowed = ("handlers.common", package)
    others = [
        name
        for name in offending(path, ("handlers",))
        if not any(name == ok or name.startswith(ok + ".") for ok in allowed) and name != "handlers"
    ]
    assert others == []


@pytest.mark.parametrize("path", modules(*PURE), ids=rel)
def test_pure_modules_never_import_services_or_storage_access(path: Path) -> None:
    assert (
        offending(path, ("bot.services", "bot.context", "handlers", "storage.db", "aiosqlite"))
        == []
    )


@pytest.mark.parametrize("path", modules("bot/common"), ids=rel)
def test_common_helpers_import_no_feature(path: Path) -> None:
    features = ("bot.agents", "bot.broadcast", "bot.catalog", "bot.events", "bot.ops")
    assert offending(path, (*features, "bot.scheduling", "bot.dev", "bot.config", "telegram")) == []


@pytest.mark.parametrize("path", modules("bot", "handlers", "storage"), ids=rel)
def test_no_module_is_over_500_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


@pytest.mark.parametrize(
    "package", sorted(p.parent for p in (ROOT / "bot").rglob("__init__.py")), ids=rel
)
def test_every_package_states_its_purpose(package: Path) -> None:
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
    assert docstring, f"{rel(package)}/__init__.py has no docstring"
