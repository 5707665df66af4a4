"""The adversarial suite's counts: cases run, unhandled exceptions, refused calls that changed
the database, messages to an attacker outside the allow-list.

Each test adds its counts to its item's ``user_properties`` (they travel with the test reports
from xdist workers to the controller); ``pytest_runtest_logreport`` sums them and
``pytest_terminal_summary`` prints the total (both hooked in from tests/conftest.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

PROPERTY = "adversarial_counts"


@dataclass
class Counts:
    cases: int = 0
    exceptions: int = 0
    refused_changes: int = 0
    leaks: int = 0

    def add(self, other: Counts) -> None:
        for name in (f.name for f in fields(self)):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_property(self) -> tuple[str, dict[str, int]]:
        return PROPERTY, asdict(self)


TOTAL = Counts()
_seen_reports = 0


def pytest_runtest_logreport(report: Any) -> None:
    global _seen_reports
    if report.when != "teardown":
        return
    for name, value in report.user_properties:
        if name == PROPERTY:
            TOTAL.add(Counts(**value))
            _seen_reports += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _seen_reports:
        return
    terminalreporter.write_sep("-", "adversarial suite")
    terminalreporter.write_line(
        f"tests {_seen_reports}, cases run {TOTAL.cases}, unhandled exceptions "
        f"{TOTAL.exceptions}, refused calls that changed data {TOTAL.refused_changes}, "
        f"messages to an attacker outside the allow-list {TOTAL.leaks}"
    )
