import re
import string

from bot.dev.sandbox.markup import parse_html
from bot.texts import CATALOGS, Html, escape, language_of, t

# Texts used only as button labels (Telegram shows those as plain text, never parsed).
PLAIN_LABELS = {"cat_kind_full_reduction"}


def test_catalogs_have_the_same_keys() -> None:
    assert set(CATALOGS["zh"]) == set(CATALOGS["en"])


def test_catalogs_have_the_same_placeholders() -> None:
    formatter = string.Formatter()
    for key, zh in CATALOGS["zh"].items():
        en = CATALOGS["en"][key]
        zh_fields = {f for _, f, _, _ in formatter.parse(zh) if f}
        en_fields = {f for _, f, _, _ in formatter.parse(en) if f}
        assert zh_fields == en_fields, key


def test_catalog_html_is_balanced() -> None:
    for catalog in CATALOGS.values():
        for key, text in catalog.items():
            opened = re.findall(r"<(b|i|code|u|s|pre)>", text)
            closed = re.findall(r"</(b|i|code|u|s|pre)>", text)
            assert sorted(opened) == sorted(closed), key


def test_every_catalog_text_is_telegram_html() -> None:
    """The app's Defaults send every text as HTML, so each one, with values filled in, must be
    accepted by Telegram's HTML parser (an unescaped ``<`` or ``&`` would fail the send)."""
    formatter = string.Formatter()
    for language, catalog in CATALOGS.items():
        for key, template in catalog.items():
            if key in PLAIN_LABELS:
                continue
            fields = {field for _, field, _, _ in formatter.parse(template) if field}
            parse_html(t(language, key, **{field: "a<&>b" for field in fields}))


def test_values_are_escaped_unless_marked_safe() -> None:
    assert t("en", "remark_done", user_id=1, remark="<b>x</b> & y") == (
        "Remark of <code>1</code> set: &lt;b&gt;x&lt;/b&gt; &amp; y"
    )
    assert "<b>" in t("en", "remark_done", user_id=1, remark=Html("<b>x</b>"))
    assert escape("a<b") == "a&lt;b"


def test_language_of() -> None:
    assert language_of("zh-hans", "en") == "zh"
    assert language_of("en-US", "zh") == "en"
    assert language_of("de", "zh") == "zh"
    assert language_of(None, "en") == "en"
