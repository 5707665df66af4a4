"""Conversation timeouts run on the bot's scheduler (the app has no PTB JobQueue)."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram.ext import ConversationHandler as PtbConversationHandler

import handlers.trainings as training_handlers
from bot.dev.testbed import Testbed
from bot.scheduling.conversations import ConversationHandler
from tests.e2e.helpers import OWNER, texts


async def test_idle_conversation_ends_and_each_update_restarts_its_timer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Testbed(database=tmp_path / "bot.sqlite3") as bed:
        bed.sandbox.add_user(OWNER, "Seller", language_code="zh-hans")
        await bed.say(OWNER, OWNER, "/start")
        scheduler = bed.services.scheduler
        await bed.say(OWNER, OWNER, "/training")
        [timer] = scheduler.timer_keys()
        asked_start = texts(await bed.say(OWNER, OWNER, "培训"))
        assert scheduler.timer_keys() == [timer]  # the same conversation, its timer restarted
        await bed.say(OWNER, OWNER, "/cancel")
        assert scheduler.timer_keys() == []  # an ended conversation has no timer

    monkeypatch.setattr(training_handlers, "CONVERSATION_TIMEOUT", 0.01)
    async with Testbed(database=tmp_path / "again.sqlite3") as bed:
        bed.sandbox.add_user(OWNER, "Seller", language_code="zh-hans")
        await bed.say(OWNER, OWNER, "/start")
        scheduler = bed.services.scheduler
        await bed.say(OWNER, OWNER, "/training")
        await bed.sandbox.wait_for(lambda: scheduler.timer_keys() == [], timeout=10)
        assert asked_start and "开始时间" in asked_start[-1]
        # The conversation is over: the same answer is no longer taken as the title.
        assert texts(await bed.say(OWNER, OWNER, "培训")) == []


async def test_no_conversation_relies_on_ptbs_job_queue(bed: Testbed) -> None:
    """PTB's own conversation_timeout is ignored without a JobQueue (only a warning): every
    timed conversation must be ours."""
    conversations = [
        handler
        for handlers in bed.application.handlers.values()
        for handler in handlers
        if isinstance(handler, PtbConversationHandler)
    ]
    assert conversations
    for handler in conversations:
        assert handler.conversation_timeout is None, handler.name
    timed = [h.name for h in conversations if isinstance(h, ConversationHandler) and h.idle_seconds]
    assert {"catalog", "launch", "training"} <= set(timed)
