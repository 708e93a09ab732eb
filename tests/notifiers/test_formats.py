"""Message formats: escaping of hostile page text, splitting at service limits."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifiers.formats import EmailFormat, TelegramFormat, TextFormat, format_for

HOSTILE = 'Deported <b>bold</b> & *star* _under_ [link](http://evil.example) `code` "q"'


def article(title: str = HOSTILE, snippet: str = "…was <i>deported</i> from Poland…", **extra: object) -> dict:
    payload = {
        "kind": "article", "article_id": 1, "watch": "deportation", "notify": [], "title": title,
        "url": "https://news.example/a?x=1&y=2", "source": "demo", "published": "2025-06-01T10:00:00+00:00",
        "keywords": ["deport*"], "snippet": snippet,
    }
    payload.update(extra)
    return payload


@pytest.mark.parametrize(
    ("url", "kind"),
    [("mailto://127.0.0.1:25?to=a@b.c", EmailFormat), ("mailtos://u:p@smtp.example.com", EmailFormat),
     ("tgram://123:abc/456", TelegramFormat), ("json://127.0.0.1/x", TextFormat), ("ntfy://topic", TextFormat)],
)
def test_format_is_chosen_by_scheme(url: str, kind: type) -> None:
    assert type(format_for(url)) is kind


def test_text_keeps_page_text_as_written() -> None:
    [message] = TextFormat().render(article())
    assert message.body_format == "text"
    assert HOSTILE in message.body
    assert "https://news.example/a?x=1&y=2" in message.body
    assert "Matched: deport*" in message.body and "Source: demo" in message.body


@pytest.mark.parametrize("fmt", [EmailFormat(), TelegramFormat()], ids=["email", "telegram"])
def test_html_formats_escape_page_text(fmt: object) -> None:
    [message] = fmt.render(article())  # type: ignore[attr-defined]
    assert message.body_format == "html"
    assert "<b>bold</b>" not in message.body and "<i>deported</i>" not in message.body
    assert html.escape(HOSTILE) in message.body
    assert html.unescape(message.body).count(HOSTILE) == 1
    assert 'href="https://news.example/a?x=1&amp;y=2"' in message.body


def test_telegram_puts_the_title_in_the_body() -> None:
    [message] = TelegramFormat().render(article())
    assert message.title == ""
    assert message.body.startswith("<b>[deportation] ")


def test_telegram_splits_a_long_digest_between_articles() -> None:
    items = [article(title=f"Article {i} " + "x" * 300, snippet="y" * 400, article_id=i) for i in range(40)]
    messages = TelegramFormat().render({"kind": "digest", "title": "40 new", "source": "demo", "items": items})
    assert len(messages) > 1
    assert all(len(m.body) <= 4096 for m in messages)
    bodies = "".join(m.body for m in messages)
    assert all(f"Article {i} " in bodies for i in range(40))
    assert all(m.body.count("<b>") == m.body.count("</b>") for m in messages)


def test_telegram_trims_one_oversized_article_instead_of_failing() -> None:
    [message] = TelegramFormat().render(article(snippet="z" * 10_000))
    assert len(message.body) <= 4096
    assert message.body.endswith("…</i>")
    assert "[deportation]" in message.body


def test_ticker_message_has_pair_values_change_and_source() -> None:
    payload = {"kind": "ticker", "title": "TJS/USD moved -0.18%", "pair": "TJS/USD", "previous": "0.10877",
               "value": "0.10857", "change": "-0.18%", "source": "demo", "observed_at": "2025-12-05T10:00:00+00:00"}
    [message] = TextFormat().render(payload)
    for text in ("TJS/USD", "0.10877", "0.10857", "-0.18%", "demo"):
        assert text in message.body


@pytest.mark.parametrize("char", ["&", '"', "<"])
def test_telegram_shortens_a_heading_before_escaping_it(char: str) -> None:
    [message] = TelegramFormat().render(article(title=char * 5000, snippet=""))
    assert len(message.body) <= 4096
    bold = message.body.split("<b>", 1)[1].split("</b>", 1)[0]
    assert bold.startswith("[deportation] ") and bold.endswith("…")
    assert html.unescape(bold).count(char) > 500  # as much of the title as fits, not an empty heading
    assert "&" not in re.sub(r"&(amp|lt|gt|quot|#x27);", "", bold)  # no entity cut in half


@given(title=st.text(min_size=1, max_size=6000), snippet=st.text(max_size=6000))
@settings(max_examples=60, deadline=None)
def test_every_telegram_message_fits_and_keeps_a_heading(title: str, snippet: str) -> None:
    for message in TelegramFormat().render(article(title=title, snippet=snippet)):
        assert len(message.body) <= 4096
        assert message.body.startswith("<b>[deportation] ") and "</b>" in message.body


def test_email_subject_names_the_watch_and_is_capped() -> None:
    fmt = EmailFormat()
    assert fmt.render(article())[0].title == f"[deportation] {HOSTILE}"
    long_word = fmt.render(article(title="x" * 5000))[0].title
    assert len(long_word) <= 200 and long_word.startswith("[deportation] xxx") and long_word.endswith("…")
    words = fmt.render(article(title=" ".join(["Deportation"] * 100)))[0].title
    assert len(words) <= 200 and words.endswith("Deportation…")  # cut between words


def test_email_heading_is_the_link() -> None:
    [message] = EmailFormat().render(article())
    assert message.body.startswith(f'<h3><a href="https://news.example/a?x=1&amp;y=2">[deportation] '
                                   f'{html.escape(HOSTILE)}</a></h3>')
