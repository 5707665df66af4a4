"""``agentbot demo``: the real bot against the local sandbox, playing a scripted story.

No token and no network: the sandbox is a Bot API server on 127.0.0.1 and the database is a
temporary file. Every line of the transcript is what the sandbox saw on the wire.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import sys
import tempfile
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from bot.agents.removals import wait_for_removals
from bot.dev.demo.broadcast import scene_broadcast
from bot.dev.demo.catalog import scene_new_product, scene_promotion, scene_stock
from bot.dev.demo.ops import scene_dashboard
from bot.dev.demo.profiles import scene_profiles
from bot.dev.demo.schedule import scene_schedule
from bot.dev.sandbox import SentMessage
from bot.dev.testbed import DEFAULT_OWNER, Testbed

OWNER = DEFAULT_OWNER
_TAG = re.compile(r"<[^>]+>")
# Transcript layout: who acts at USER_INDENT, the bot's messages one level deeper, and the
# further lines of a message aligned under its first line ("🤖" is two columns wide).
USER_INDENT = "  "
BOT_INDENT = "      "
CONTINUATION = BOT_INDENT + "     "


def plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


def display_width(text: str) -> int:
    """Terminal columns of ``text``: CJK and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class Transcript:
    """What the scenes share: the testbed, display names, and the ids the story created."""

    def __init__(self, bed: Testbed, names: dict[int, str], *, step: bool = False) -> None:
        self.bed = bed
        self.names = names
        self.groups: list[int] = []
        self.agents: dict[str, int] = {}
        # --step: a scene's header waits (with the pause before it) until its first action,
        # because scene() is synchronous and must not block the event loop the bot runs on.
        self.step = step
        self._scenes_shown = 0
        self._pending_title: str | None = None

    def chat_name(self, chat_id: int) -> str:
        return self.names.get(chat_id, str(chat_id))

    def scene(self, title: str) -> None:
        if self.step and self._scenes_shown:
            self._pending_title = title
            return
        self._header(title)

    def _header(self, title: str) -> None:
        self._scenes_shown += 1
        print(f"\n━━ {title} " + "━" * max(3, 76 - display_width(title)))

    async def begin_pending_scene(self) -> None:
        """In --step mode: wait for Enter, then print the header of the scene that starts."""
        title, self._pending_title = self._pending_title, None
        if title is None:
            return
        if self.step:
            try:
                await asyncio.to_thread(input, "\n   ⏎  Enter for the next scene ")
            except EOFError:
                self.step = False
        self._header(title)

    def note(self, text: str) -> None:
        """An aside in the transcript (what the sandbox saw), under the last message."""
        print(f"{BOT_INDENT}({text})")

    def show(self, sent: list[SentMessage]) -> None:
        if self._pending_title is not None:
            self._header(self._pending_title)
            self._pending_title = None
        for message in sent:
            body = plain(message.text or message.caption or "")
            if message.photo:
                body = f"[photo] {body}"
            elif message.document:
                body = f"[document {message.document.get('file_name', '')}] {body}"
            lines = body.splitlines() or [""]
            print(f"{BOT_INDENT}🤖 → {self.chat_name(message.chat_id)}: {lines[0]}")
            for line in lines[1:]:
                print(f"{CONTINUATION}{line}".rstrip())
            if message.reply_markup:
                markup = message.reply_markup
                rows = markup.get("inline_keyboard") or markup.get("keyboard", [])
                buttons = " ".join(f"[{b['text']}]" for row in rows for b in row)
                if buttons:
                    print(f"{CONTINUATION}{buttons}")

    async def act(
        self, who: str, what: str, inject: Callable[[], dict[str, Any]]
    ) -> list[SentMessage]:
        await self.begin_pending_scene()
        print(f"{USER_INDENT}👤 {who}: {what}")
        sent = await self.bed.run(inject)
        self.show(sent)
        return sent

    async def say(self, user_id: int, chat_id: int, text: str) -> list[SentMessage]:
        where = "" if chat_id == user_id else f" in {self.chat_name(chat_id)}"
        return await self.act(
            f"{self.names[user_id]}{where}",
            text,
            lambda: self.bed.sandbox.send_text(chat_id, user_id, text),
        )


Scene = Callable[[Transcript], Awaitable[None]]


async def run_demo(
    *, verbose: bool = False, step: bool = False, scenes: Sequence[Scene] | None = None
) -> int:
    """Play ``scenes``: the whole story (:data:`SCENES`) unless a test passes a shorter one."""
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR)
    if step and not sys.stdin.isatty():
        print("(--step: standard input is not a terminal, so the demo does not pause)")
        step = False
    with tempfile.TemporaryDirectory(prefix="agentbot-demo-") as folder:
        async with Testbed(database=Path(folder) / "demo.sqlite3") as bed:
            await play(bed, step=step, scenes=scenes)
    print("\nDemo finished: every message above went through the local Bot API sandbox.")
    return 0


async def play(bed: Testbed, *, step: bool = False, scenes: Sequence[Scene] | None = None) -> None:
    story = Transcript(bed, {OWNER: "卖家 (owner)"}, step=step)
    bed.sandbox.add_user(OWNER, "王", username="seller_wang", language_code="zh-hans")
    for scene in SCENES if scenes is None else scenes:
        await scene(story)
        await story.begin_pending_scene()


async def scene_groups_and_agents(story: Transcript) -> None:
    sandbox = story.bed.sandbox
    names = story.names
    story.scene("1. 卖家启动机器人 / the seller starts the bot")
    await story.say(OWNER, OWNER, "/start")

    story.scene("2. 机器人被拉进三个代理群 / the bot is added to three agent groups")
    groups = story.groups
    for title in ("一件代发代理群", "批发客户群", "定制VIP群"):
        chat_id = sandbox.add_group(title, members=[OWNER])
        names[chat_id] = title
        groups.append(chat_id)
        await story.act(
            "卖家", f"adds the bot to {title}", partial(sandbox.add_bot_to_group, chat_id, OWNER)
        )

    story.scene("3. 代理进群 / agents join")
    agents = [
        (2001, "李", "li_taobao", groups[0]),
        (2002, "顾", "gu_custom", groups[2]),
        (2003, "张", "zhang_pdd", groups[0]),
        (2004, "刷单号", "spam_shop", groups[1]),
    ]
    for user_id, name, username, chat_id in agents:
        names[user_id] = name
        story.agents[username] = user_id
        sandbox.add_user(user_id, name, username=username, language_code="zh-hans")
        await story.act(
            name, f"joins {names[chat_id]}", partial(sandbox.add_member, chat_id, user_id)
        )
    await story.say(2001, groups[0], "老板，新款什么时候上？")


async def scene_crm(story: Transcript) -> None:
    sandbox = story.bed.sandbox
    groups = story.groups
    story.scene("4. 卖家给群打标签 / the seller tags the groups")
    await story.say(OWNER, OWNER, f"/tag_group {groups[0]} 一件代发")
    await story.say(OWNER, OWNER, f"/tag_group {groups[1]} 批发")
    await story.say(OWNER, OWNER, f"/tag_group {groups[2]} 定制 VIP")
    await story.say(OWNER, OWNER, "/groups")

    story.scene("5. 卖家整理代理档案 / the seller keeps agent records")
    await story.say(OWNER, OWNER, "/remark @li_taobao 李女士淘卖")
    await story.say(OWNER, OWNER, "/tag @li_taobao 已成交 代理商")
    await story.say(OWNER, OWNER, "/mode @li_taobao 一件代发")
    await story.say(OWNER, OWNER, "/remark @gu_custom 顾总定制")
    await story.say(OWNER, OWNER, "/tag @gu_custom VIP客户 已寄样")
    await story.say(OWNER, OWNER, "/contacted @gu_custom 寄了三件样品")
    await story.say(OWNER, OWNER, "/agents")
    await story.say(OWNER, OWNER, "/agents tag:VIP客户")
    await story.say(OWNER, OWNER, "/agent @li_taobao")
    await story.say(OWNER, OWNER, "/mode @li_taobao 零售")

    story.scene("6. 移除无效代理 / removing an invalid agent")
    prompt = await story.say(OWNER, OWNER, "/remove @spam_shop 刷单，不卖货")
    confirm = prompt[0]
    assert confirm.reply_markup is not None
    data = confirm.reply_markup["inline_keyboard"][0][0]["callback_data"]
    await story.act(
        "卖家",
        "taps [确认移除]",
        lambda: sandbox.click(OWNER, confirm.chat_id, confirm.message_id, data),
    )
    await wait_for_removals(story.bed.application)  # the removal runs as a background job
    edited = sandbox.messages(OWNER)[-1]
    story.show([edited])
    bans = sandbox.calls("banChatMember")
    story.note(
        f"sandbox: banChatMember ×{len(bans)}, unbanChatMember ×"
        f"{len(sandbox.calls('unbanChatMember'))} — the agent can rejoin only by invitation"
    )

    story.scene("7. 陌生人尝试管理命令 / a stranger tries an admin command")
    story.names[666] = "陌生人"
    sandbox.add_user(666, "陌生人", language_code="zh-hans")
    await story.say(666, 666, "/remove @li_taobao")


# The story, scene by scene; features append their scenes here in the order they tell it.
SCENES: list[Scene] = [scene_groups_and_agents, scene_crm]
SCENES += [scene_broadcast]
SCENES += [scene_new_product, scene_promotion, scene_stock]
SCENES += [scene_schedule]
SCENES += [scene_profiles]
# The dashboard sums up the whole story: keep it the last scene.
SCENES += [scene_dashboard]
