"""Watch keyword matching: many watches' keywords against an article's fields at once.

Keyword syntax (the user-facing contract)
-----------------------------------------
``traffic``
    A whole word, case-insensitively (full Unicode case folding), in any script:
    ``traffic`` does not match "trafficking", ``deported`` does not match "undeported",
    ``Депортация`` matches "депортация".
``deport*``
    Words starting with ``deport``: "Deported", "deportation".
``forced labor`` (or ``"forced labor"`` with literal double quotes)
    A phrase: its words in order, with any whitespace between them (newlines, NBSP...).
    A ``*`` on the last word makes that word a prefix (``"forced lab*"``).
``/traffick(ing|ed)/`` (or ``/.../i``)
    A Python regular expression, matched case-insensitively on the original text.

A word boundary is the start or end of the text or a non-word character. Word characters are
letters, digits and the underscore of any script (``re``'s ``\\w``) plus combining marks, so that a
boundary never falls inside a written letter. Hyphens and apostrophes are boundaries:
``trafficking`` matches "anti-trafficking" and "trafficking's". A keyword that itself starts or ends
with a non-word character ("#metoo", "u.s.") needs no boundary on that side, like ``\\b``.

Case-insensitive matching: folding, and offsets
-----------------------------------------------
Literal keywords (words, prefixes, phrases) are compared with *folded* text: NFC-normalised, soft
hyphens removed, apostrophe look-alikes (’ ‘ ʼ ʻ ` ´) made ``'``, the Turkic/Kazakh "İ" and "ı"
(and "i̇", which ``str.lower`` makes of "İ") made "i", so that I, ı, İ and i are all alike as with
``re.IGNORECASE``, then ``str.casefold()``: "ß" and "SS" both become "ss", "Σ", "σ" and "ς" all
become "σ". Keywords are folded the same way, so a match is an exact comparison of folded strings.
Accents are not optional: ``cafe`` does not match "café".

Folding can change lengths ("ß" → "ss", "e" + U+0301 → "é"), so the offsets of a match in the
folded text are mapped back to the original: for the usual text (NFC, folds one character to one)
they are the same and nothing is built; otherwise ``_fold`` cuts the text into runs that fold one
to one and *clusters* (a character with its combining marks, or one whose fold has another length)
and a hit starting or ending inside a cluster covers the whole cluster. Hits always carry offsets
into the original field text.

Regular expressions run on the original text with ``re.IGNORECASE`` (simple case folding).

Performance
-----------
An article's fields are joined with NUL separators (which no keyword can match across) and folded
once. All literal keywords are compiled into one trie-shaped alternation (``_Trie``); one
``finditer`` pass finds each non-word character followed by the start of some keyword (a
lookahead, so overlapping keywords are all seen), and only there are the keywords that match
looked up exactly: a dict for words, 1-3 character buckets for prefixes, an anchored ``match``
for phrases and keywords with punctuation. The trie is a filter, looser than the real rules
(re's ``\\w`` boundaries, prefixes accepted early), never stricter. Pure-ASCII texts are scanned
as bytes whose non-word characters are all made spaces, against a trie of the ASCII keywords: a
literal first character lets ``re`` skip to candidates much faster than ``\\W`` does. Keywords
starting with a non-word character ("#metoo") have a trie of their own, run only when the text
contains one of their first characters. Regular-expression keywords are searched one by one per
field, behind one combined pre-check of those that have no groups.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "FIELD_ORDER",
    "Hit",
    "Keyword",
    "KeywordError",
    "KeywordKind",
    "Matcher",
    "WatchTerms",
    "compile_keyword",
    "snippet",
]

KeywordKind = Literal["word", "prefix", "phrase", "regex"]
FIELD_ORDER = ("title", "summary", "body")
"""Fields are searched in this order (any other field comes after them, as given)."""

_SEPARATOR = "\x00"  # joins the fields of an article: not whitespace, and refused in keywords
_APOSTROPHES = "\u2019\u2018\u02bc\u02bb`\u00b4"  # ’ ‘ ʼ ʻ ` ´ : all folded to '
_SOFT_HYPHEN = "\xad"
_COMBINING_DOT = "\u0307"
_REPLACEMENTS = (("\u0130", "i"), ("\u0131", "i"), *((a, "'") for a in _APOSTROPHES))  # İ, ı -> i
_LOOSE_WORD = re.compile(r"\w")  # re's \w: the filter's (looser) notion of a word character


class KeywordError(ValueError):
    """A keyword that is empty or cannot be compiled; the message names the keyword."""


# --- folding -----------------------------------------------------------------------------------


class _OffsetMap:
    """Maps offsets in a folded text back to the original text, piece by piece.

    A piece is ``linear`` when it folded to as many characters as it has (offsets move together);
    otherwise any offset inside it maps to the piece's start (or its end, for an end offset).
    """

    __slots__ = ("_folded", "_linear", "_original")

    def __init__(self, folded: list[int], original: list[int], linear: list[bool]) -> None:
        self._folded = folded  # folded start of each piece
        self._original = original  # original start of each piece, plus the original length
        self._linear = linear

    @classmethod
    def of(cls, pieces: list[tuple[int, int, str]], size: int) -> _OffsetMap:
        """The map of (original start, original end, folded text) pieces of a text of ``size``."""
        starts, offset = [], 0
        for _, _, folded in pieces:
            starts.append(offset)
            offset += len(folded)
        linear = [end - start == len(folded) for start, end, folded in pieces]
        return cls(starts, [start for start, _, _ in pieces] + [size], linear)

    def start(self, offset: int) -> int:
        """The original offset where a match starting at folded ``offset`` starts."""
        k = bisect.bisect_right(self._folded, offset) - 1
        return self._original[k] + (offset - self._folded[k] if self._linear[k] else 0)

    def end(self, offset: int) -> int:
        """The original offset where a match ending at folded ``offset`` (> 0) ends."""
        k = bisect.bisect_right(self._folded, offset - 1) - 1
        if self._linear[k]:
            return self._original[k] + offset - self._folded[k]
        return self._original[k + 1]


def _fold(text: str) -> tuple[str, _OffsetMap | None]:
    """The folded text (see the module docstring), and its offset map (None: same offsets)."""
    if text.isascii():
        folded = text.lower()
        return (folded.replace("`", "'") if "`" in folded else folded), None
    if _SOFT_HYPHEN not in text and _COMBINING_DOT not in text and unicodedata.is_normalized("NFC", text):
        folded = _fold_chars(text)
        if len(folded) == len(text):
            return folded, None
    return _fold_pieces(text)


def _fold_chars(text: str) -> str:
    """Apostrophes, "İ" and "ı" replaced (one character for one), then ``str.casefold``."""
    for old, new in _REPLACEMENTS:
        if old in text:
            text = text.replace(old, new)
    return text.casefold()


def _fold_cluster(cluster: str) -> str:
    """Fold a cluster as a whole: soft hyphens dropped, NFC, then as ``_fold_chars``."""
    folded = _fold_chars(unicodedata.normalize("NFC", cluster.replace(_SOFT_HYPHEN, "")))
    return folded.replace("i" + _COMBINING_DOT, "i")  # "i̇", as str.lower() writes "İ"


def _fold_pieces(text: str) -> tuple[str, _OffsetMap]:
    """The slow path of ``_fold``: fold run by run and cluster by cluster, keeping a map."""
    pieces: list[tuple[int, int, str]] = []  # (original start, original end, folded)
    pos = 0
    for m in _clusters().finditer(text):
        if m.start() > pos:
            pieces.append((pos, m.start(), _fold_chars(text[pos : m.start()])))
        pieces.append((m.start(), m.end(), _fold_cluster(m.group())))
        pos = m.end()
    if pos < len(text) or not pieces:
        pieces.append((pos, len(text), _fold_chars(text[pos:])))
    return "".join(folded for _, _, folded in pieces), _OffsetMap.of(pieces, len(text))


def _planes(end: int) -> Iterator[str]:
    """The code points worth classifying: up to ``end``, and the variation selectors of plane 14."""
    for cp in (*range(end), *range(0xE0100, 0xE01F0)):
        yield chr(cp)


def _class(chars: Iterable[str]) -> str:
    """A regex character-class body (without brackets) for a set of characters, as ranges."""
    cps = sorted(set(map(ord, chars)))
    out, i = [], 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        out.append(re.escape(chr(cps[i])) + (f"-{re.escape(chr(cps[j]))}" if j > i else ""))
        i = j + 1
    return "".join(out)


@functools.cache
def _mark_set() -> frozenset[str]:
    """The combining marks (general category M*), built once, on first use (none in plane 2)."""
    return frozenset(c for c in _planes(0x20000) if unicodedata.category(c)[0] == "M")


@functools.cache
def _marks() -> str:
    """The combining marks as a regex class body."""
    return _class(_mark_set())


@functools.cache
def _clusters() -> re.Pattern[str]:
    """What the slow path folds as a whole: a character with attached marks/soft hyphens/jamo,
    or a character whose NFC form or fold is not one character."""
    odd = (c for c in _planes(0x30000) if len(c.casefold()) != 1 or unicodedata.normalize("NFC", c) != c)
    attached = _marks() + re.escape(_SOFT_HYPHEN) + "\u1160-\u11ff"  # + Hangul medial/final jamo
    return re.compile(f"[^{_SEPARATOR}][{attached}]+|[{_class(odd)}]")  # never swallow a field separator


@functools.cache
def _word_class() -> str:
    """Class body of word characters: re's ``\\w`` and the combining marks."""
    return rf"\w{_marks()}"


@functools.cache
def _word_char() -> re.Pattern[str]:
    return re.compile(f"[{_word_class()}]")


@functools.cache
def _word_run() -> re.Pattern[str]:
    return re.compile(f"[{_word_class()}]*")


def _is_word_at(text: str, i: int) -> bool:
    """Whether ``text[i]`` exists and is a word character (combining marks included)."""
    return _word_char().match(text, i) is not None


# --- keywords ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keyword:
    """One compiled keyword (see the module docstring for the syntax).

    ``parts`` are the folded words of a literal keyword (empty for a regex). ``pattern`` is, for a
    regex, the user's pattern compiled with ``re.IGNORECASE`` for the original text; for a literal
    keyword, the parts joined by whitespace, escaped, without boundaries, for folded text.
    """

    text: str
    kind: KeywordKind
    parts: tuple[str, ...]
    prefix: bool
    pattern: re.Pattern[str]

    def search(self, text: str) -> tuple[int, int] | None:
        """The span of this keyword's first match in ``text``, or None.

        One keyword on its own, with no shared work: fine for a check or a test, while
        ``Matcher`` is the way to match many keywords against many articles.
        """
        if self.kind == "regex":
            m = self.pattern.search(text)
            return m.span() if m else None
        folded, offsets = _fold(text)
        pos = 0
        while m := self.pattern.search(folded, pos):
            end = _literal_end(self, folded, m.start())
            if end is not None:
                return (m.start(), end) if offsets is None else (offsets.start(m.start()), offsets.end(end))
            pos = m.start() + 1
        return None


def compile_keyword(text: str) -> Keyword:
    """Compile one keyword as written in the config; raises KeywordError if empty or invalid."""
    stripped = text.strip()
    if stripped.startswith("/"):
        return _compile_regex(text, stripped)
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        stripped = stripped[1:-1].strip()
    prefix = stripped.endswith("*")
    body = stripped[:-1] if prefix else stripped
    _check_literal(text, body, prefix)
    parts = tuple(_fold(body)[0].split())
    kind: KeywordKind = "phrase" if len(parts) > 1 else "prefix" if prefix else "word"
    return Keyword(text, kind, parts, prefix, re.compile(r"\s++".join(map(re.escape, parts))))


def _check_literal(text: str, body: str, prefix: bool) -> None:
    """Refuse empty keywords, a misplaced "*" and control characters (they cannot be in an article)."""
    if not body.strip():
        raise KeywordError(f'"{text}" is empty: write a word, a phrase or a /regular expression/')
    if "*" in body:
        raise KeywordError(f'"{text}": "*" is only allowed at the end of the keyword')
    if prefix and body[-1].isspace():
        raise KeywordError(f'"{text}": "*" must follow a word directly, as in "deport*"')
    if any(unicodedata.category(c) == "Cc" and not c.isspace() for c in body):
        raise KeywordError(f'"{text}" contains a control character')


def _compile_regex(text: str, stripped: str) -> Keyword:
    """A ``/.../`` or ``/.../i`` keyword, compiled case-insensitively."""
    if len(stripped) >= 3 and stripped.endswith("/i"):
        source = stripped[1:-2]
    elif len(stripped) >= 2 and stripped.endswith("/"):
        source = stripped[1:-1]
    else:
        raise KeywordError(f'"{text}" starts with "/" but is not a /regular expression/ (end it with "/")')
    if not source:
        raise KeywordError(f'"{stripped}" is an empty regular expression')
    try:
        pattern = re.compile(source, re.IGNORECASE)
    except re.error as exc:
        raise KeywordError(f'"{stripped}" is not a valid regular expression: {exc.msg}') from None
    if pattern.match(""):
        raise KeywordError(f'"{stripped}" matches empty text, so it would match every article')
    return Keyword(text, "regex", (), False, pattern)


def _head(kw: Keyword) -> str:
    """The leading word characters of a literal keyword (folded)."""
    return _word_run().match(kw.parts[0]).group()


def _bounded(kw: Keyword) -> tuple[bool, bool]:
    """Whether a literal keyword needs a word boundary before it, and after it."""
    first, last = kw.parts[0][0], kw.parts[-1][-1]
    return _is_word_at(first, 0), not kw.prefix and _is_word_at(last, 0)


def _literal_end(kw: Keyword, folded: str, p: int) -> int | None:
    """The folded end of literal ``kw`` matching at folded offset ``p``, or None if it does not."""
    before, after = _bounded(kw)
    if before and p and _is_word_at(folded, p - 1):
        return None
    m = kw.pattern.match(folded, p)
    if m is None:
        return None
    if kw.prefix:
        return _word_run().match(folded, m.end()).end()
    return None if after and _is_word_at(folded, m.end()) else m.end()


# --- the combined literal matcher --------------------------------------------------------------


class _Trie:
    """Keywords as sequences of regex atoms, merged into one alternation regex.

    It only says where *some* keyword may start: a prefix keyword accepts as soon as its prefix is
    seen (longer keywords under it are dropped), and boundaries are re's looser ``\\w`` ones.
    """

    _ACCEPT = ""

    def __init__(self) -> None:
        self.root: dict[str, dict] = {}

    def add(self, atoms: list[str]) -> None:
        """Add one keyword's atoms; the keyword accepts once they are all matched."""
        node = self.root
        for atom in atoms:
            if self._ACCEPT in node:
                return
            node = node.setdefault(atom, {})
        node.clear()
        node[self._ACCEPT] = {}

    def pattern(self) -> str:
        """The alternation; at the top, non-ASCII first characters are tried first (the trie for
        non-ASCII texts is mostly run on Cyrillic and other non-Latin text)."""
        return self._emit(dict(sorted(self.root.items(), key=lambda item: item[0].isascii())))

    def _emit(self, node: dict[str, dict]) -> str:
        if self._ACCEPT in node:
            return ""
        alternatives = [atom + self._emit(child) for atom, child in node.items()]
        return alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"


def _atoms(kw: Keyword) -> list[str]:
    """A literal keyword as regex atoms for folded text: one per character, ``\\s++`` between
    words, and a final ``(?!\\w)`` unless it is a prefix or ends with a non-word character."""
    atoms: list[str] = []
    for i, part in enumerate(kw.parts):
        atoms += [r"\s++"] if i else []
        atoms += map(re.escape, part)
    return atoms + _end_atom(kw)


def _gap_atoms(kw: Keyword) -> list[str]:
    """The atoms of an ASCII keyword for the ASCII filter, which runs on bytes whose non-word
    characters are all spaces (``_ASCII_GAPS``): each run of them becomes `` ++``."""
    atoms: list[str] = []
    for c in " ".join(kw.parts):
        if _LOOSE_WORD.match(c):
            atoms.append(re.escape(c))
        elif atoms[-1] != " ++":
            atoms.append(" ++")
    return atoms + _end_atom(kw)


def _end_atom(kw: Keyword) -> list[str]:
    """The final word-boundary check, unless the keyword is a prefix or ends with a non-word character."""
    return [] if kw.prefix or not _LOOSE_WORD.match(kw.parts[-1][-1]) else [r"(?!\w)"]


_ASCII_NON_WORD = bytes(b for b in range(128) if not _LOOSE_WORD.match(chr(b)))
_ASCII_GAPS = bytes.maketrans(_ASCII_NON_WORD, b" " * len(_ASCII_NON_WORD))


class _LiteralIndex:
    """Finds every literal keyword match in a folded text: trie regexes, then exact lookups.

    Word-initial keywords are found after a non-word character: pure-ASCII texts are scanned as
    bytes with every non-word character made a space (a literal prefix, which ``re`` scans for
    fast), other texts with ``\\W``. Keywords starting with a non-word character have their own trie.
    """

    def __init__(self, keywords: Sequence[Keyword | None]) -> None:
        self._exact: dict[str, list[int]] = {}  # whole word -> keyword ids
        self._prefixes: dict[str, list[tuple[str, int]]] = {}  # first 1-3 characters -> (prefix, id)
        self._complex: dict[str, list[int]] = {}  # phrases & co: first word or first character -> ids
        self._keywords = {kid: kw for kid, kw in enumerate(keywords) if kw is not None}
        self._tries = {"all": _Trie(), "ascii": _Trie(), "symbol": _Trie()}
        for kid, kw in self._keywords.items():
            self._index(kid, kw)
        self._bucket_lengths = sorted({len(key) for key in self._prefixes})
        self._marks = _mark_set()
        self._all = _compile(self._tries["all"], r"\W(?=", f")[{_word_class()}]+")
        self._ascii = _compile(self._tries["ascii"], " (?=", r")\w+", bytes)
        self._symbols = _compile(self._tries["symbol"])
        self._symbol_firsts = {kw.parts[0][0] for kw in self._keywords.values() if not _LOOSE_WORD.match(kw.parts[0])}

    def _index(self, kid: int, kw: Keyword) -> None:
        word_initial = _LOOSE_WORD.match(kw.parts[0]) is not None
        head = _head(kw)
        if not word_initial:
            self._complex.setdefault(kw.parts[0][0], []).append(kid)
        elif len(kw.parts) > 1 or head != kw.parts[0]:
            self._complex.setdefault(head, []).append(kid)
        elif kw.prefix:
            self._prefixes.setdefault(head[:3], []).append((head, kid))
        else:
            self._exact.setdefault(head, []).append(kid)
        self._tries["all" if word_initial else "symbol"].add(_atoms(kw))
        if word_initial and all(part.isascii() for part in kw.parts):
            self._tries["ascii"].add(_gap_atoms(kw))

    def scan(self, folded: str) -> list[tuple[int, int, int]]:
        """Every (keyword id, folded start, folded end) match; a keyword's matches come by start."""
        found: list[tuple[int, int, int]] = []
        if folded.isascii():  # a match is the gap before a keyword's first word, and that word
            if self._ascii is not None:
                for m in self._ascii.finditer(folded.encode("ascii").translate(_ASCII_GAPS)):
                    self._at(folded, m.start() + 1, m.end(), found)
        elif self._all is not None:
            for m in self._all.finditer(folded):
                self._at(folded, m.start() + 1, m.end(), found)
        if self._symbols is not None and any(c in folded for c in self._symbol_firsts):
            self._scan_symbols(self._symbols, folded, found)
        return found

    def _scan_symbols(self, symbols: re.Pattern[str], folded: str, found: list[tuple[int, int, int]]) -> None:
        """Add the matches of keywords starting with a non-word character (no boundary needed)."""
        pos = 0
        while m := symbols.search(folded, pos):
            pos = m.start()
            self._complex_at(folded, pos, folded[pos], found)
            pos += 1

    def _at(self, folded: str, p: int, end: int, found: list[tuple[int, int, int]]) -> None:
        """Add the matches of word-initial keywords at ``p``, for the word ``folded[p:end]``."""
        if folded[p - 1] in self._marks:  # a combining mark: p is inside a word after all
            return
        word = folded[p:end]
        if word in self._exact:
            found += [(kid, p, end) for kid in self._exact[word]]
        for n in self._bucket_lengths:
            for prefix, kid in self._prefixes.get(word[:n], ()) if n <= end - p else ():
                if word.startswith(prefix):
                    found.append((kid, p, end))
        if word in self._complex:
            self._complex_at(folded, p, word, found)

    def _complex_at(self, folded: str, p: int, key: str, found: list[tuple[int, int, int]]) -> None:
        """Add the matches at ``p`` of the phrases and other keywords filed under ``key``."""
        for kid in self._complex.get(key, ()):
            end = _literal_end(self._keywords[kid], folded, p)
            if end is not None:
                found.append((kid, p, end))


def _compile(trie: _Trie, before: str = "", after: str = "", kind: type = str) -> re.Pattern | None:
    """The trie's alternation between ``before`` and ``after``, compiled for ``kind`` (str, or bytes)."""
    if not trie.root:
        return None
    pattern = before + trie.pattern() + after
    return re.compile(pattern.encode("ascii") if kind is bytes else pattern)


# --- watches -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WatchTerms:
    """A watch's keywords (any one matching is enough) and exclude keywords (any one vetoes)."""

    keywords: Sequence[str]
    exclude: Sequence[str] = ()

    def __post_init__(self) -> None:
        if isinstance(self.keywords, str) or isinstance(self.exclude, str):
            raise TypeError("WatchTerms takes sequences of keywords, not a single string")


@dataclass(frozen=True)
class Hit:
    """Where a keyword matched: ``keyword`` as written in the config, offsets into ``field``'s text."""

    keyword: str
    start: int
    end: int
    field: str


class _RegexKeywords:
    """The regex keywords, searched one by one per field behind one combined pre-check."""

    def __init__(self, keywords: Sequence[Keyword | None]) -> None:
        self._items = [(kid, kw) for kid, kw in enumerate(keywords) if kw is not None]
        groupless = [(kid, kw) for kid, kw in self._items if kw.pattern.groups == 0]  # safe to combine
        self._any = _combined([kw.pattern.pattern for _, kw in groupless]) if len(groupless) > 1 else None
        self._unchecked = [item for item in self._items if item not in groupless]

    def __bool__(self) -> bool:
        return bool(self._items)

    def scan(self, text: str) -> Iterator[tuple[int, int, int]]:
        """(keyword id, start, end) of each regex keyword's first match in ``text``."""
        may_match = self._any is None or self._any.search(text) is not None
        for kid, kw in self._items if may_match else self._unchecked:
            m = kw.pattern.search(text)
            if m:
                yield kid, m.start(), m.end()


def _combined(patterns: list[str]) -> re.Pattern[str] | None:
    """One regex matching wherever any of ``patterns`` (which have no groups) would."""
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error:  # e.g. inline global flags, only allowed at the start of a pattern
        return None


class Matcher:
    """Matches many watches' keyword sets against an article's fields at once."""

    def __init__(self, watches: Mapping[str, WatchTerms]) -> None:
        """Compile every watch's keywords; raises KeywordError naming the watch and the keyword."""
        ids: dict[str, int] = {}
        keywords: list[Keyword] = []
        self._owners: list[list[tuple[str, int]]] = []  # keyword id -> (watch, index in keywords or -1)
        for name, terms in watches.items():
            for index, text in [*enumerate(terms.keywords), *((-1, text) for text in terms.exclude)]:
                kid = ids.setdefault(text, len(ids))
                if kid == len(keywords):
                    keywords.append(_compile_for(name, text))
                    self._owners.append([])
                if not any(watch == name and (i < 0) == (index < 0) for watch, i in self._owners[kid]):
                    self._owners[kid].append((name, index))  # a keyword repeated in a watch counts once
        self._texts = [kw.text for kw in keywords]
        self._literal = _LiteralIndex([kw if kw.kind != "regex" else None for kw in keywords])
        self._regex = _RegexKeywords([kw if kw.kind == "regex" else None for kw in keywords])

    def match(self, fields: Mapping[str, str]) -> dict[str, list[Hit]]:
        """Watch name -> hits, for the watches with a keyword match and no exclude match.

        ``fields`` maps field names ("title", "summary", "body", ...) to text. Each keyword gives
        its first hit, searching fields in ``FIELD_ORDER`` then by position; a watch's hits are in
        that same order.
        """
        names = [n for n in FIELD_ORDER if fields.get(n)]
        if len(fields) > len(names):
            names += [n for n in fields if n not in FIELD_ORDER and fields[n]]
        if not names:
            return {}
        texts = [fields[n] for n in names]
        found = self._literal_hits(texts)
        if self._regex:
            for i, text in enumerate(texts):
                for kid, start, end in self._regex.scan(text):
                    found.setdefault(kid, (i, start, end))
        return self._assemble(found, names) if found else {}

    def _literal_hits(self, texts: list[str]) -> dict[int, tuple[int, int, int]]:
        """Keyword id -> (field index, start, end) of each literal keyword's first hit."""
        folded, offsets = _fold(_SEPARATOR + _SEPARATOR.join(texts))
        matches = self._literal.scan(folded)
        if not matches:
            return {}
        starts = list(itertools.accumulate((len(text) + 1 for text in texts[:-1]), initial=1))
        found: dict[int, tuple[int, int, int]] = {}
        for kid, start, end in matches:
            if kid not in found:
                if offsets is not None:
                    start, end = offsets.start(start), offsets.end(end)
                i = bisect.bisect_right(starts, start) - 1
                found[kid] = (i, start - starts[i], end - starts[i])
        return found

    def _assemble(self, found: dict[int, tuple[int, int, int]], names: list[str]) -> dict[str, list[Hit]]:
        """Group the first hits by watch (in field, position and keyword order), minus excluded watches."""
        by_watch: dict[str, list[tuple[int, int, int, int, int]]] = {}
        excluded: set[str] = set()
        for kid, (i, start, end) in found.items():
            for watch, index in self._owners[kid]:
                if index < 0:
                    excluded.add(watch)
                else:
                    by_watch.setdefault(watch, []).append((i, start, index, end, kid))
        texts = self._texts
        return {
            watch: [Hit(texts[kid], start, end, names[i]) for i, start, _, end, kid in sorted(items)]
            for watch, items in by_watch.items()
            if watch not in excluded
        }


def _compile_for(watch: str, text: str) -> Keyword:
    """``compile_keyword``, with the watch's name in the error message."""
    try:
        return compile_keyword(text)
    except KeywordError as exc:
        raise KeywordError(f'watch "{watch}": {exc}') from None


# --- snippets ----------------------------------------------------------------------------------

_NON_SPACE = re.compile(r"\S+")


def snippet(text: str, start: int, end: int, width: int = 160) -> str:
    """About ``width`` characters of ``text`` around ``text[start:end]``, whitespace collapsed.

    The context is cut at whitespace, never inside a word, and "…" marks each side that was cut.
    The matched text is always kept whole, with the rest of the words it touches.
    """
    start, end = sorted(max(0, min(i, len(text))) for i in (start, end))
    lo, hi = _word_edge(text, start, -1, width), _word_edge(text, end, 1, width)
    size = len(" ".join(text[lo:hi].split()))
    left = _whole_words(text, max(0, lo - width), lo)[::-1]
    right = _whole_words(text, hi, min(len(text), hi + width))
    lo, hi = _grow(lo, hi, size, left, right, width)
    body = " ".join(text[lo:hi].split())
    return ("…" if text[:lo].strip() else "") + body + ("…" if text[hi:].strip() else "")


def _word_edge(text: str, i: int, step: int, limit: int) -> int:
    """Move ``i`` to the edge of the word it is in (at most ``limit`` characters away)."""
    for _ in range(limit):
        nxt = i if step > 0 else i - 1
        if not 0 <= nxt < len(text) or text[nxt].isspace():
            break
        i += step
    return i


def _whole_words(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Spans of the words inside ``text[lo:hi]``, leaving out any word the window cuts."""
    spans = [m.span() for m in _NON_SPACE.finditer(text, lo, hi)]
    if spans and spans[0][0] == lo > 0 and not text[lo - 1].isspace():
        spans.pop(0)
    if spans and spans[-1][1] == hi < len(text) and not text[hi].isspace():
        spans.pop()
    return spans


def _grow(lo: int, hi: int, size: int, left: list, right: list, width: int) -> tuple[int, int]:
    """Add whole words, nearest first and one side then the other, while the snippet fits ``width``."""
    li = ri = 0
    while True:
        grown = False
        if li < len(left) and size + 1 + left[li][1] - left[li][0] <= width:
            size, lo, li, grown = size + 1 + left[li][1] - left[li][0], left[li][0], li + 1, True
        if ri < len(right) and size + 1 + right[ri][1] - right[ri][0] <= width:
            size, hi, ri, grown = size + 1 + right[ri][1] - right[ri][0], right[ri][1], ri + 1, True
        if not grown:
            return lo, hi
