"""Parse the texts of ticker elements (``KGS/USD = 0.01144 0%``) into exact quotes.

A listing page's ticker strip is a run of elements whose text reads
``PAIR SEP VALUE [CHANGE]``. :func:`parse_quote` reads one such text,
:func:`collapse` reads a whole strip (a marquee repeats it several times) and
:func:`percent_change` compares two values. Numbers are :class:`~decimal.Decimal`
built from the digits as written, so ``0.00008`` stays ``0.00008``.

What is accepted (liberally, after folding NBSP/thin spaces, Unicode minus and
en dash, and stripping bullets ``• · ▪ - * |`` and separators from both ends):

* pair: two codes of 3-5 letters/digits joined by ``/`` (spaces allowed
  around it) or ``-`` -- ``KGS/USD``, ``EUR / USD``, ``BTC-USD`` -- always
  normalised to upper case and ``BASE/QUOTE`` (``BTC-USD`` -> ``BTC/USD``), so
  one pair has one key whatever a site writes; or a name of at most 20
  characters (letters, digits, ``&``, ``'``, ``-``, spaces; starts with a
  letter), kept as written (``Gold``, ``S&P 500``). A name may end with one
  number word of two or more digits (``FTSE 100``) and has no other number
  words, so ``FTSE 100 7 512.3`` reads as ``FTSE 100`` at 7512.3.
* separator: ``=``, ``:`` or just a space. With just a space a *name* must be
  followed by a percent change (``Gold 2,034.50 +0.3%``); otherwise
  ``December 2025`` or ``Page 2`` would read as quotes.
* value: optional sign; thousands grouped by ``,`` ``.`` space or ``'``; a
  decimal point or comma. A lone ``.`` is always a decimal point
  (``1.234`` = 1.234). A lone ``,`` is a decimal comma (``0,10857``,
  ``12,5``) unless it is followed by exactly three digits after a 1-3 digit
  integer part: ``1,234`` is 1234 in English and 1.234 in German, so such a
  text is *not* a quote. No leading zeros (``05``).
* change: a percent figure -- ``0%``, ``-0%`` (kept as ``Decimal('-0')``),
  ``+0.5%``, ``−0.18%``, ``(+0.5%)`` -- with arrows ``▲ ▼`` (and ``△ ▽ ↑ ↓``)
  as sign, before or after it. A bare number is not a percent: a *signed* (or
  arrow-led) bare number right after the value is read as an absolute change
  and ignored (``1.0845 -0.0021 (-0.19%)`` -> change -0.19;
  ``1.0845 -0.0021`` -> change None); an unsigned bare number makes the text
  not a quote (``0.01144 0.5``). Contradicting signs (``▲ -0.18%``) make the
  text not a quote.

A text that reads in more than one way (``Gold 20 134.50 +1%``: "Gold 20" at
134.50, or "Gold" at 20134.50) is not a quote: a wrong number is worse than a
skipped one, and skipped texts are reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Quote", "QuoteBatch", "collapse", "parse_quote", "percent_change"]

_MAX_TEXT = 120  # a ticker element is short; a sentence is not a quote
_MAX_NAME = 20

_UP, _DOWN = "▲△▴↑⬆🔺", "▼▽▾↓⬇🔻"
_ARROW_SIGN = {**dict.fromkeys(_UP, "+"), **dict.fromkeys(_DOWN, "-")}
_ARROW = f"[{_UP}{_DOWN}]"
_EDGES = " •·▪‣◦●∙*|-—,;"
_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u2212\u2012\u2013\ufe63\uff0d", "-"),
        **dict.fromkeys("\u2019\u2032\u02bc", "'"),
        "\uff05": "%",
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad"),
    }
)
_PAD_RE = re.compile(f"({_ARROW}|[()])")
_LEADING_ARROW_RE = re.compile(f"({_ARROW}) (.*)")

_CODE = "[A-Za-z][A-Za-z0-9]{2,4}"
_CODE_PAIR_RE = re.compile(f"({_CODE})(?: ?/ ?|-)({_CODE})")
_NAME_RE = re.compile(r"[^\W\d_](?:[^\W_]|[&' -])*")
_SEP_RE = re.compile(" ?[=:] ?| ")
_NUM = r"(?:[1-9][0-9]{0,2}(?:[ ,'.][0-9]{3})+|[1-9][0-9]*|0)(?:[.,][0-9]+)?"
# After _clean, parts are separated by exactly one space and "(" ")" are padded.
_AMOUNTS_RE = re.compile(
    rf"""
    (?P<vsign>[+-])?(?P<value>{_NUM})
    (?:\ (?P<a1>{_ARROW}))?
    (?:\ (?:(?P<asign>[+-])|(?<={_ARROW}\ ))(?P<abs>{_NUM}))?
    (?:\ (?P<open>\(\ )?(?:(?P<a2>{_ARROW})\ )?(?P<psign>[+-])?(?P<pct>{_NUM})\ ?%(?(open)\ \)))?
    (?:\ (?P<a3>{_ARROW}))?
    """,
    re.VERBOSE,
)
_NUMBER_SEP_RE = re.compile("[ ,'.]")


@dataclass(frozen=True)
class Quote:
    """One ticker reading: ``pair`` is ``BASE/QUOTE`` or a name as written.

    ``change`` is the percent figure the site reports (``-0.18`` for
    ``-0.18%``), or None when the text has none.
    """

    pair: str
    value: Decimal
    change: Decimal | None

    def __str__(self) -> str:
        """``TJS/USD = 0.10857 -0.18%``; parses back to an equal quote."""
        text = f"{self.pair} = {self.value:f}"
        if self.change is None:
            return text
        return f"{text} {'+' if self.change > 0 else ''}{self.change:f}%"


@dataclass(frozen=True)
class QuoteBatch:
    """What one page's ticker texts amount to (see :func:`collapse`)."""

    quotes: tuple[Quote, ...]
    skipped: tuple[str, ...]
    conflicts: tuple[str, ...]


def parse_quote(text: str) -> Quote | None:
    """The quote that ``text`` reads as, or None when it is not (exactly) one quote."""
    cleaned = _clean(text)
    readings = set(_readings(cleaned)) if len(cleaned) <= _MAX_TEXT else set()
    return readings.pop() if len(readings) == 1 else None


def collapse(texts: Iterable[str]) -> QuoteBatch:
    """Parse the ticker element texts of one page into one quote per pair.

    Repeats of a pair (a marquee renders its strip several times) collapse to
    the first quote, in order of first appearance. Texts that are not quotes
    go to ``skipped`` (stripped, each once; blank ones are ignored). A pair seen
    with another value goes to ``conflicts`` as ``'TJS/USD: 0.10857 vs 0.10901'``
    (each message once); the first value is the one kept. Values that are equal
    as numbers (``0.1085`` and ``0.10850``) do not conflict, and a differing
    change figure alone is not a conflict.
    """
    quotes: dict[str, Quote] = {}
    skipped: dict[str, None] = {}
    conflicts: dict[str, None] = {}
    parsed: dict[str, Quote | None] = {}  # a marquee repeats its strip: each distinct text is parsed once
    for text in texts:
        quote = parsed[text] if text in parsed else parsed.setdefault(text, parse_quote(text))
        if quote is None:
            if text.strip():
                skipped[text.strip()] = None
            continue
        first = quotes.setdefault(quote.pair, quote)
        if first.value != quote.value:
            conflicts[f"{quote.pair}: {first.value:f} vs {quote.value:f}"] = None
    return QuoteBatch(tuple(quotes.values()), tuple(skipped), tuple(conflicts))


def percent_change(old: Decimal, new: Decimal) -> Decimal | None:
    """How far ``new`` moved from ``old`` in percent; None when ``old`` is zero.

    ``(new - old) / |old| * 100``: for the usual positive ``old`` this is
    ``(new - old) / old * 100``; dividing by the magnitude keeps a rise positive
    from a negative base too (as :class:`newswatch.units.Threshold` does).
    """
    if old == 0:
        return None
    return (new - old) / abs(old) * 100


def _clean(text: str) -> str:
    """Fold look-alike characters, single-space the text and trim its edges.

    A leading arrow (``▲ EUR/USD 1.08 +0.2%``) is moved to the end, where the
    grammar reads arrows.
    """
    text = _PAD_RE.sub(r" \1 ", text.translate(_FOLD))
    text = " ".join(text.split()).strip(_EDGES)
    leading = _LEADING_ARROW_RE.fullmatch(text)
    return f"{leading[2]} {leading[1]}" if leading else text


def _readings(cleaned: str) -> Iterator[Quote]:
    """Every way ``cleaned`` splits into a valid pair and valid amounts."""
    for sep in _SEP_RE.finditer(cleaned):
        if sep.start() > _MAX_NAME:
            return
        pair = _pair(cleaned[: sep.start()])
        if pair is None:
            continue
        name, is_code = pair
        need_change = not is_code and sep.group() == " "
        amounts = _amounts(cleaned[sep.end() :], need_change)
        if amounts is not None:
            yield Quote(name, *amounts)


def _pair(head: str) -> tuple[str, bool] | None:
    """``(pair, is_code_pair)`` for a valid pair text, else None."""
    code = _CODE_PAIR_RE.fullmatch(head)
    if code:
        return f"{code[1].upper()}/{code[2].upper()}", True
    return (head, False) if _is_name(head) else None


def _is_name(head: str) -> bool:
    """A short name such as ``Gold`` or ``S&P 500`` (see the module docstring)."""
    if len(head) > _MAX_NAME or not _NAME_RE.fullmatch(head) or not (head[-1].isalnum() or head[-1] == "&"):
        return False
    *words, last = head.split(" ")
    return not any(word.isdigit() for word in words) and not (last.isdigit() and len(last) < 2)


def _amounts(rest: str, need_change: bool) -> tuple[Decimal, Decimal | None] | None:
    """``(value, change)`` read from the text after the separator, or None."""
    match = _AMOUNTS_RE.fullmatch(rest)
    signs = _signs(match) if match else set()
    if match is None or len(signs) > 1:
        return None
    value = _decimal(match["vsign"], match["value"])
    if match["pct"] is None:
        return None if need_change or value is None else (value, None)
    change = _decimal(signs.pop() if signs else "", match["pct"])
    return None if value is None or change is None else (value, change)


def _signs(match: re.Match[str]) -> set[str]:
    """The directions the change part states: signs and arrows must agree."""
    arrows = {_ARROW_SIGN[a] for a in (match["a1"], match["a2"], match["a3"]) if a}
    return arrows | {s for s in (match["asign"], match["psign"]) if s}


def _decimal(sign: str | None, raw: str) -> Decimal | None:
    """The exact Decimal of a matched number, or None when its separators are ambiguous."""
    digits = _plain_digits(raw)
    return None if digits is None else Decimal(f"{sign or ''}{digits}")


def _plain_digits(raw: str) -> str | None:
    """``1 234,56`` -> ``1234.56``; None for ``1,234`` or inconsistent separators."""
    seps = _NUMBER_SEP_RE.findall(raw)
    groups = _NUMBER_SEP_RE.split(raw)
    point = _last_is_point(groups, seps)
    if point is None:
        return None
    whole, whole_seps = (groups[:-1], seps[:-1]) if point else (groups, seps)
    if not _valid_grouping(whole, whole_seps) or (point and seps[-1] in whole_seps):
        return None
    return "".join(whole) + (f".{groups[-1]}" if point else "")


def _last_is_point(groups: list[str], seps: list[str]) -> bool | None:
    """Whether the last separator is the decimal point; None when nobody can tell."""
    if not seps or seps[-1] in " '":
        return False  # "1234", "1 234", "1'234"
    if len(set(seps)) > 1:
        return True  # "1,234.56", "1.234,56", "1 234,56"
    if len(seps) > 1:
        return False  # "1,234,567", "1.234.567"
    if seps[0] == ".":
        return True
    grouping_like = 1 <= len(groups[0]) <= 3 and groups[0] != "0" and len(groups[1]) == 3
    return None if grouping_like else True


def _valid_grouping(groups: list[str], seps: list[str]) -> bool:
    """Thousands groups: one kind of separator, 1-3 leading digits, then threes."""
    if not seps:
        return True
    return len(set(seps)) == 1 and 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
