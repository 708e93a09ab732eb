"""Keeping secrets out of logs, errors and output, and out of a config file others can read."""

from __future__ import annotations

import html
import logging
import re
import stat
import tomllib
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

from newswatch import tomldoc

_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@", re.IGNORECASE)
_ENV_REF = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
_SECRET_PARAMS = {"pass", "password", "pwd", "token", "secret", "apikey", "api_key", "key", "auth", "access_token"}
_TOKEN_SHAPES = (
    re.compile(r"\d{6,12}:[A-Za-z0-9_-]{30,}"),  # Telegram bot token
    re.compile(r"xox[abposr]-[A-Za-z0-9-]{10,}"),  # Slack token
    re.compile(r"(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}"),  # a long random-looking run
)


class Masker:
    """Replaces every known secret value, in any spelling, and credentials inside URLs, with ``****``.

    A secret reaches text raw, percent-encoded (``%20`` or ``%C3%A9``, either hex case, as Scrapy and
    Apprise write URLs) or form-encoded (``+`` for a space): each character of it may appear in any
    of those forms, so every spelling is masked.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 3}, key=len, reverse=True)
        self._pattern = re.compile("|".join(_spellings(s) for s in self.secrets)) if self.secrets else None

    def __call__(self, text: str) -> str:
        if self._pattern is not None:
            text = self._pattern.sub("****", text)
        return _URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}****@", text)


def in_userinfo(match: re.Match[str]) -> bool:
    """True when the ``${VAR}`` reference ``match`` stands in a URL's ``user:password@`` part."""
    before, after = match.string[: match.start()], match.string[match.end() :]
    scheme_end = before.find("://")
    if scheme_end < 0 or "/" in before[scheme_end + 3 :]:
        return False
    return "@" in after.split("/", 1)[0]


def url_credential(value: str) -> str:
    """A user name or password as it must be written inside a URL: every reserved character percent-encoded.

    A password holding ``@ / # ? %`` written raw would be split at the wrong place by any URL parser
    (Apprise's included) and shown in part where only the masked URL should be.
    """
    return quote(value, safe="")


def _spellings(secret: str) -> str:
    """A regular expression matching ``secret`` raw, percent-encoded or form-encoded, character by character."""
    return "".join(_char_spellings(c) for c in secret)


def _char_spellings(char: str) -> str:
    forms = [re.escape(char), "".join(f"%(?i:{b:02X})" for b in char.encode("utf-8", "surrogatepass"))]
    if char == " ":
        forms.append(r"\+")
    if html.escape(char) != char:
        forms.append(re.escape(html.escape(char)))
    return "(?:" + "|".join(forms) + ")"


class MaskingFilter(logging.Filter):
    """Masks secrets in every record a handler writes: libraries log URLs too (urllib3 its request paths)."""

    def __init__(self) -> None:
        super().__init__()
        self.masker = Masker(())

    def add(self, secrets: Iterable[str]) -> None:
        """Mask these too, from now on (secrets of earlier configs stay masked)."""
        self.masker = Masker([*self.masker.secrets, *secrets])

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot format: the handler reports it, unchanged
            return True
        record.msg, record.args = self.masker(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.masker(record.exc_text)
        if record.stack_info:
            record.stack_info = self.masker(record.stack_info)
        return True


def mask_logs(secrets: Iterable[str]) -> None:
    """Mask ``secrets`` and URL credentials in whatever the root logger's handlers write from now on."""
    for handler in logging.getLogger().handlers:
        found = next((f for f in handler.filters if isinstance(f, MaskingFilter)), None)
        if found is None:
            found = MaskingFilter()
            handler.addFilter(found)
        found.add(secrets)


def literal_credentials(raw_text: str) -> list[str]:
    """Keys of notifier URLs in the TOML ``raw_text`` that hold a credential written out, not a ``${VAR}``."""
    try:
        notifiers = tomldoc.loads(raw_text, ("notifiers",)).get("notifiers")
    except tomllib.TOMLDecodeError:
        return []
    if not isinstance(notifiers, list):
        return []
    return [
        f"notifiers[{i}].url"
        for i, notifier in enumerate(notifiers)
        if isinstance(notifier, dict) and isinstance(notifier.get("url"), str) and _has_literal_secret(notifier["url"])
    ]


def _has_literal_secret(url: str) -> bool:
    """A password, a secret query parameter or a token-shaped string left once ``${VAR}`` references are removed."""
    bare = _ENV_REF.sub("", url)
    try:
        parts = urlsplit(bare)
        password = parts.password
    except ValueError:  # not a URL at all: Apprise refuses it anyway
        return False
    if password or any(name.lower() in _SECRET_PARAMS and value for name, value in parse_qsl(parts.query)):
        return True
    return any(shape.search(bare) for shape in _TOKEN_SHAPES)


def exposed_credentials(path: Path) -> str | None:
    """A warning if the config file at ``path`` holds literal credentials and its group or others may read it."""
    try:
        mode = path.stat().st_mode
        keys = literal_credentials(path.read_text(encoding="utf-8")) if mode & (stat.S_IRGRP | stat.S_IROTH) else []
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not keys:
        return None
    return (
        f"{path} is readable by other users (mode {stat.filemode(mode)}) and holds credentials in "
        f"{', '.join(keys)}: run `chmod 600 {path}`, or take them from the environment with ${{VAR}}"
    )
