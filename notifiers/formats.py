"""Message formats: how an alert payload reads on each kind of service.

Contract of a ``MessageFormat``: ``render(payload)`` returns one or more
``Message``s, each body at most ``limit`` characters; every text that comes
from a page (title, snippet, source, keywords) is escaped for the format, so
a title such as ``<b>&*_[`` arrives as written, never as markup.
Implementations: ``TextFormat`` (any service), ``EmailFormat`` (HTML body;
Apprise adds the plain-text alternative), ``TelegramFormat`` (Telegram's HTML subset).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from notifiers.blocks import Block, blocks_of


@dataclass(frozen=True)
class Message:
    """One message to hand to Apprise."""

    title: str
    body: str
    body_format: str  # an Apprise NotifyFormat value: "text" or "html"


class MessageFormat:
    """Renders alert payloads for one kind of service (see the module docstring)."""

    schemes: ClassVar[tuple[str, ...]] = ()
    body_format: ClassVar[str] = "text"
    limit: ClassVar[int] = 32_000
    separator: ClassVar[str] = "\n\n"
    use_title: ClassVar[bool] = True  # False: the service shows no title, so it goes into the body
    title_limit: ClassVar[int] = 32_000  # Apprise trims titles to each service's own maximum
    registry: ClassVar[dict[str, type[MessageFormat]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for scheme in cls.schemes:
            if scheme in MessageFormat.registry:
                raise ValueError(f"two formats claim the scheme {scheme!r}")
            MessageFormat.registry[scheme] = cls

    def render(self, payload: dict[str, Any]) -> list[Message]:
        """The messages for ``payload``, split between blocks where one would exceed ``limit``."""
        title = self.title(payload) if self.use_title else ""
        parts = [self._fit(b) for b in blocks_of(payload)]
        return [Message(title, body, self.body_format) for body in self._pack(parts)]

    def title(self, payload: dict[str, Any]) -> str:
        """The message's title (plain text): the payload's, at most ``title_limit`` characters."""
        return shorten(str(payload.get("title") or "newswatch"), self.title_limit)

    def block(self, block: Block) -> str:
        """One block (an article, a ticker move, a notice) as text of this format."""
        raise NotImplementedError

    def _pack(self, parts: list[str]) -> list[str]:
        bodies: list[str] = []
        for part in parts:
            if bodies and len(bodies[-1]) + len(self.separator) + len(part) <= self.limit:
                bodies[-1] += self.separator + part
            else:
                bodies.append(part)
        return bodies or [""]

    def _fit(self, block: Block) -> str:
        """Render ``block``, shortening its quote, then its heading, until it fits ``limit``.

        The *text* is shortened, then escaped, so escaping that lengthens it (``&`` → ``&amp;``)
        never cuts a heading to nothing.
        """
        text = self.block(block)
        for attribute in ("quote", "heading"):
            value = getattr(block, attribute)
            if len(text) > self.limit and value:
                block = self._shortest_cut(block, attribute, value)
                text = self.block(block)
        return text

    def _shortest_cut(self, block: Block, attribute: str, value: str) -> Block:
        """``block`` with ``attribute`` cut to the longest prefix (plus "…") whose rendering fits ``limit``."""
        fits, low, high = replace(block, **{attribute: "…"}), 0, len(value) - 1
        while low < high:  # invariant: a cut to ``low`` characters fits (or nothing does)
            middle = (low + high + 1) // 2
            candidate = replace(block, **{attribute: value[:middle].rstrip() + "…"})
            if len(self.block(candidate)) <= self.limit:
                fits, low = candidate, middle
            else:
                high = middle - 1
        return fits


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary where there is one near the end, with "…", to at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 3 // 4 else cut).rstrip() + "…"


class TextFormat(MessageFormat):
    """Plain text, for every service without a richer format here."""

    def block(self, block: Block) -> str:
        lines = [block.heading]
        lines += [block.link] if block.link else []
        lines += [f"{label}: {value}" for label, value in block.fields]
        lines += [block.quote] if block.quote else []
        return "\n".join(lines)


class EmailFormat(MessageFormat):
    """An HTML email body; Apprise sends it with a plain-text alternative.

    The Subject names the watch (``[deportation] <title>``) and is at most 200
    characters: SMTP refuses lines over 1000 octets, and Apprise folds the header
    at its spaces as RFC 5322 asks. In the body the heading is the link.
    """

    schemes = ("mailto", "mailtos")
    body_format = "html"
    separator = "\n<hr>\n"
    title_limit = 200

    def title(self, payload: dict[str, Any]) -> str:
        if payload.get("kind") == "article" and payload.get("watch"):
            return shorten(f"[{payload['watch']}] {payload.get('title') or ''}".strip(), self.title_limit)
        return super().title(payload)

    def block(self, block: Block) -> str:
        e = html.escape
        heading = f'<a href="{e(block.link)}">{e(block.heading)}</a>' if block.link else e(block.heading)
        parts = [f"<h3>{heading}</h3>"]
        # The address again, as text: the plain-text alternative keeps no link targets.
        parts += [f'<p><small><a href="{e(block.link)}">{e(block.link)}</a></small></p>'] if block.link else []
        parts += ["<p>" + "<br>\n".join(f"{e(k)}: {e(v)}" for k, v in block.fields) + "</p>"] if block.fields else []
        parts += [f"<blockquote>{e(block.quote)}</blockquote>"] if block.quote else []
        return "\n".join(parts)


class TelegramFormat(MessageFormat):
    """Telegram's HTML subset (<b>, <i>, <a>); 4096 characters per message."""

    schemes = ("tgram",)
    body_format = "html"
    limit = 4096
    use_title = False

    def block(self, block: Block) -> str:
        e = html.escape
        heading = f"<b>{e(block.heading)}</b>"
        lines = [heading, f'<a href="{e(block.link)}">{e(block.link)}</a>'] if block.link else [heading]
        lines += [f"{e(k)}: {e(v)}" for k, v in block.fields]
        lines += [f"<i>{e(block.quote)}</i>"] if block.quote else []
        return "\n".join(lines)


def format_for(url: str) -> MessageFormat:
    """The format for an Apprise URL, by its scheme; plain text when none is registered."""
    scheme = url.split("://", 1)[0].lower()
    return MessageFormat.registry.get(scheme, TextFormat)()
