"""Logs name people only by id: no logging call of ours is given a name, a username, a remark
or any other personal text (DESIGN.md invariant 9). A static scan of every log call."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "storage")
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
LOGGERS = {"log", "logger", "logging", "LOG"}
# Attributes that hold a person's name or the seller's / agent's free text about a person.
PERSONAL = {
    "first_name",
    "last_name",
    "username",
    "full_name",
    "display_name",
    "name",
    "remark",
    "last_contact_note",
    "comment",
    "mention_html",
    "mention_markdown",
    "link",
}


def _log_calls(tree: ast.AST) -> list[ast.Call]:
    calls = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in LOG_METHODS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in LOGGERS
        ):
            calls.append(node)
    return calls


def _personal_attributes(call: ast.Call) -> list[str]:
    found = []
    for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
        for node in ast.walk(argument):
            if isinstance(node, ast.Attribute) and node.attr in PERSONAL:
                found.append(node.attr)
    return found


def test_scanner_finds_a_name_in_a_log_call() -> None:
    tree = ast.parse('log.info("agent %s joined", user.username)\nlog.info("x %s", user.id)')
    calls = _log_calls(tree)
    assert len(calls) == 2
    assert _personal_attributes(calls[0]) == ["username"] and not _personal_attributes(calls[1])


def test_no_log_call_is_given_personal_data() -> None:
    offenders = []
    files = [path for package in PACKAGES for path in (ROOT / package).rglob("*.py")]
    assert len(files) > 50
    calls = 0
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _log_calls(tree):
            calls += 1
            for attribute in _personal_attributes(call):
                offenders.append(f"{path.relative_to(ROOT)}:{call.lineno} {attribute}")
    assert calls > 20
    assert offenders == []
