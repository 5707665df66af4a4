from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.dev.testbed import DEFAULT_OWNER, Testbed
from tests.adversarial import tally

OWNER = DEFAULT_OWNER


@pytest.fixture
async def bed(tmp_path: Path) -> AsyncIterator[Testbed]:
    async with Testbed(database=tmp_path / "bot.sqlite3") as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


# The adversarial suite's counts, summed from every worker's reports and printed at the end.
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    tally.pytest_runtest_logreport(report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    tally.pytest_terminal_summary(terminalreporter)
