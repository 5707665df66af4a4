"""Pure unit tests: HTML parsing, command entities, rate windows, body decoding."""

from __future__ import annotations

import pytest

from bot.dev.sandbox import ApiError, SandboxLimits
from bot.dev.sandbox.faults import RateLimiter, _Window
from bot.dev.sandbox.markup import EntityParseError, command_entities, parse_html, utf16_len
from bot.dev.sandbox.server import decode_field


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_parse_html_entities_and_offsets() -> None:
    text, entities = parse_html(
        '<b>a<i>b</i></b> 😀<pre><code class="language-py">x</code></pre>'
        '<span class="tg-spoiler">s</span><tg-emoji emoji-id="5">👍</tg-emoji>'
        "<blockquote expandable>q</blockquote>&lt;&#65;&#x42;&quot;"
    )
    assert text == 'ab 😀xs👍q<AB"'
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bold", 0, 2),
        ("italic", 1, 1),
        ("pre", 5, 1),
        ("spoiler", 6, 1),
        ("custom_emoji", 7, 2),
        ("expandable_blockquote", 9, 1),
    ]
    assert entities[2]["language"] == "py"
    assert utf16_len("😀a") == 3


@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("a < b", 'Unsupported start tag ""'),
        ("<br>", 'Unsupported start tag "br"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag"),
        ("Tom & Jerry", "Character entity expected"),
        ("&nbsp;", "Character entity expected"),
        ("<span>x</span>", 'must have class "tg-spoiler"'),
        ("<b", "Unclosed start tag"),
    ],
)
def test_parse_html_errors(html: str, fragment: str) -> None:
    with pytest.raises(EntityParseError, match=None) as info:
        parse_html(html)
    assert fragment in str(info.value)


def test_parse_html_lenient_ampersand() -> None:
    assert parse_html("Tom & Jerry", strict_ampersand=False)[0] == "Tom & Jerry"


def test_command_entities() -> None:
    assert command_entities("/start x") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert command_entities("/start@my_bot") == [{"type": "bot_command", "offset": 0, "length": 13}]
    assert command_entities("hello /start") == []
    assert command_entities("/") == []


def test_decode_field_keeps_strings() -> None:
    assert decode_field("text", "123") == "123"
    assert decode_field("data", "[1]") == "[1]"
    assert decode_field("chat_id", "-100123") == -100123
    assert decode_field("chat_id", "@channel") == "@channel"
    assert decode_field("reply_markup", '{"inline_keyboard": []}') == {"inline_keyboard": []}
    assert decode_field("disable_notification", "true") is True


def test_private_window_and_math() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limits = SandboxLimits(
        global_per_second=None, per_chat_per_minute=None, per_private_chat_per_second=1.0
    )
    limiter.charge(limits, 1, private=True)
    with pytest.raises(ApiError) as info:
        limiter.charge(limits, 1, private=True)
    assert info.value.status == 429 and info.value.parameters == {"retry_after": 1}
    limiter.charge(limits, 2, private=True)
    clock.now += 1.0
    limiter.charge(limits, 1, private=True)
    # Groups are not limited by the private-chat limit.
    for _ in range(5):
        limiter.charge(limits, -5, private=False)
    window = _Window(60.0)
    window.add(0.0, 5)
    assert window.wait_needed(10.0, 5, 1) == 50.0
    assert window.wait_needed(10.0, 10, 5) == 0.0
    assert window.wait_needed(10.0, 4, 10) == 60.0
