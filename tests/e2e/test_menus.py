"""The phone-sized menus: the admin's /start task buttons, /help topics, command menus per
scope and language (as the sandbox recorded setMyCommands), agent commands typed in groups."""

from __future__ import annotations

from pathlib import Path

from bot.commands import ADMIN_COMMANDS, HELP_TOPICS
from bot.common.callbacks import MenuTask, encode
from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group, texts

AGENT = 2001
ASSISTANT = 300


def _buttons(message) -> list[tuple[str, str]]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data") or b.get("url", "")) for row in rows for b in row]


async def test_admin_start_is_a_short_menu_with_task_buttons(bed: Testbed) -> None:
    sent = await bed.say(OWNER, OWNER, "/start")
    assert len(sent) == 1
    menu = sent[0]
    assert len(menu.text.split("\n")) <= 10 and "供货商" in menu.text
    buttons = _buttons(menu)
    assert [label for label, _ in buttons] == [
        "📣 群发",
        "👥 代理",
        "⭐ 低质代理",
        "🛍 商品",
        "⏰ 定时",
        "📊 统计",
        "❓ 帮助",
    ]
    answer = texts(await bed.click(OWNER, menu, encode(MenuTask("broadcast"))))
    assert len(answer) == 1 and "/broadcast — " in answer[0] and "/retract" in answer[0]
    assert "/groups" not in answer[0]
    stats = texts(await bed.click(OWNER, menu, encode(MenuTask("stats"))))[0]
    assert "/stats" in stats and "/backup" in stats
    topics = texts(await bed.click(OWNER, menu, encode(MenuTask("help"))))[0]
    assert all(f"/help {topic.name}" in topics for topic in HELP_TOPICS)


async def test_menu_buttons_are_for_admins_only(bed: Testbed) -> None:
    chat_id = await make_group(bed, "代理群")
    await join(bed, chat_id, AGENT, "李")
    menu = (await bed.say(OWNER, OWNER, "/start"))[0]
    bed.sandbox.reset_calls()
    sent = await bed.run(
        lambda: bed.sandbox.click(AGENT, OWNER, menu.message_id, encode(MenuTask("agents")))
    )
    assert sent == []
    answers = [c for c in bed.sandbox.calls() if c.method.lower() == "answercallbackquery"]
    assert answers and "管理员" in str(answers[-1].params.get("text"))


async def test_shop_name_from_config(tmp_path: Path) -> None:
    async with Testbed(
        database=tmp_path / "bot.sqlite3", overrides={"bot": {"shop_name": "好物铺"}}
    ) as bed:
        bed.sandbox.add_user(OWNER, "Seller", language_code="zh-hans")
        assert "好物铺" in texts(await bed.say(OWNER, OWNER, "/start"))[0]
        chat_id = await make_group(bed, "代理群")
        await join(bed, chat_id, AGENT, "李")
        greeting = texts(await bed.say(AGENT, AGENT, "/start"))[0]
        assert "我是好物铺的代理助手" in greeting and "您" in greeting
        # A visitor (in none of the groups) is told whose assistant this is too.
        bed.sandbox.add_user(AGENT + 1, "路人", language_code="zh-hans")
        visitor = texts(await bed.say(AGENT + 1, AGENT + 1, "/start"))[0]
        assert "这是好物铺代理群的助手" in visitor


async def test_help_topics_for_admins(bed: Testbed) -> None:
    topics = texts(await bed.say(OWNER, OWNER, "/help"))[0]
    assert len(topics.split("\n")) <= 15
    assert "/help broadcast" in topics and "/remove" not in topics
    quality = texts(await bed.say(OWNER, OWNER, "/help quality"))[0]
    assert "/lowquality" in quality and "/remove" in quality
    by_title = texts(await bed.say(OWNER, OWNER, "/help 群发"))[0]
    assert "/broadcast — " in by_title
    unknown = texts(await bed.say(OWNER, OWNER, "/help <b>nope</b>"))[0]
    assert "&lt;b&gt;nope" in unknown and "broadcast、agents" in unknown


def test_every_admin_command_is_in_a_topic() -> None:
    grouped = {name for topic in HELP_TOPICS for name in topic.commands}
    assert [name for name, _ in ADMIN_COMMANDS if name not in grouped] == []


async def test_command_menus_per_scope_and_language(bed: Testbed) -> None:
    sandbox = bed.sandbox
    for code in ("", "zh", "en"):
        private = [c["command"] for c in sandbox.commands({"type": "all_private_chats"}, code)]
        assert private[:2] == ["start", "help"] and "groups" not in private
        group = [c["command"] for c in sandbox.commands({"type": "all_group_chats"}, code)]
        assert group == ["help", "profile"]
        admin = sandbox.commands({"type": "chat", "chat_id": OWNER}, code)
        names = [c["command"] for c in admin]
        # Grouped, most used first: start and help, then the broadcast topic, agents...
        assert names[:4] == ["start", "help", "broadcast", "broadcasts"]
        assert names.index("agents") < names.index("lowquality") < names.index("groups")
        assert names.index("groups") < names.index("grant")
        assert set(names) >= {name for name, _ in ADMIN_COMMANDS}
        assert admin[2]["description"].startswith("📣 ")
    english = sandbox.commands({"type": "chat", "chat_id": OWNER}, "en")
    chinese = sandbox.commands({"type": "chat", "chat_id": OWNER}, "zh")
    assert english[2]["description"] != chinese[2]["description"]


async def test_admin_menu_follows_grant_and_revoke(bed: Testbed) -> None:
    sandbox = bed.sandbox
    sandbox.add_user(ASSISTANT, "助理", language_code="zh-hans")
    await bed.say(ASSISTANT, ASSISTANT, "/start")
    scope = {"type": "chat", "chat_id": ASSISTANT}
    assert sandbox.commands(scope) == []
    await bed.say(OWNER, OWNER, f"/grant {ASSISTANT}")
    for code in ("", "zh", "en"):
        assert "broadcast" in [c["command"] for c in sandbox.commands(scope, code)]
    await bed.say(OWNER, OWNER, f"/revoke {ASSISTANT}")
    for code in ("", "zh", "en"):
        assert sandbox.commands(scope, code) == []


async def test_help_in_a_group_never_lists_admin_commands(bed: Testbed) -> None:
    chat_id = await make_group(bed, "代理群")
    await join(bed, chat_id, AGENT, "李")
    await join(bed, chat_id, 2002, "王")
    # An agent who never started the bot: a short answer in the group, with a private button.
    sent = await bed.say(chat_id, 2002, "/help")
    assert len(sent) == 1 and sent[0].chat_id == chat_id
    assert "/profile" in sent[0].text and "/broadcast" not in sent[0].text
    assert _buttons(sent[0]) == [("私聊机器人", "https://t.me/agentbot_demo_bot")]
    # Within 10 minutes the group is not answered again.
    assert await bed.say(chat_id, 2002, "/help") == []
    # An agent who started the bot gets the agent commands privately; nothing in the group.
    await bed.say(AGENT, AGENT, "/start")
    private = await bed.say(chat_id, AGENT, "/help")
    assert [m.chat_id for m in private] == [AGENT] and "/myprofile" in private[0].text
    # The owner typing /help in the group gets the topics privately, never in the group.
    owner = await bed.say(chat_id, OWNER, "/help")
    assert [m.chat_id for m in owner] == [OWNER] and "/help broadcast" in owner[0].text


async def test_profile_in_a_group_points_to_the_private_chat(bed: Testbed) -> None:
    chat_id = await make_group(bed, "代理群")
    await join(bed, chat_id, AGENT, "李")
    sent = await bed.say(chat_id, AGENT, "/profile")
    assert len(sent) == 1 and sent[0].chat_id == chat_id
    assert "私聊" in sent[0].text and "您" in sent[0].text
    assert _buttons(sent[0]) == [("私聊机器人", "https://t.me/agentbot_demo_bot?start=profile")]
    assert await bed.say(chat_id, AGENT, "/profile") == []


async def test_a_pending_group_gets_no_answer(bed: Testbed) -> None:
    bed.sandbox.add_user(666, "路人", language_code="zh-hans")
    chat_id = bed.sandbox.add_group("路人的群", members=[666])
    await bed.run(lambda: bed.sandbox.add_bot_to_group(chat_id, 666))
    assert await bed.say(chat_id, 666, "/help") == []
    assert await bed.say(chat_id, 666, "/profile") == []
