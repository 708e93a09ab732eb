"""Watch keyword matching: cases as data (keyword_cases.toml), properties, reference agreement, snippets."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswatch.matcher import (
    FIELD_ORDER,
    Hit,
    Keyword,
    KeywordError,
    Matcher,
    WatchTerms,
    compile_keyword,
    snippet,
)

DATA = tomllib.loads((Path(__file__).parent / "keyword_cases.toml").read_text(encoding="utf-8"))
CASES, ERRORS, WATCHES = DATA["case"], DATA["error"], DATA["watch"]


def ids(cases: list[dict]) -> list[str]:
    return [case["id"] for case in cases]


def first_match(keyword: str, text: str) -> str | None:
    """The text matched by compile_keyword(keyword).search, checked against the Matcher's hit."""
    span = compile_keyword(keyword).search(text)
    result = Matcher({"w": WatchTerms([keyword])}).match({"body": text})
    assert (span is None) == (result == {})
    if span is None:
        return None
    assert result == {"w": [Hit(keyword, span[0], span[1], "body")]}
    return text[span[0] : span[1]]


def rendered(hits: list[Hit], fields: dict[str, str]) -> list[str]:
    return [f"{h.keyword} @ {h.field}: {fields[h.field][h.start : h.end]}" for h in hits]


# --- cases as data -----------------------------------------------------------------------------


def test_case_ids_are_unique_and_cases_well_formed() -> None:
    every = ids(CASES) + ids(ERRORS) + ids(WATCHES)
    assert len(every) == len(set(every))
    for case in CASES:
        assert set(case) == {"id", "keyword", "text", "match"}, case["id"]
        assert case["match"] is False or case["match"] in case["text"], case["id"]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_keyword_case(case: dict) -> None:
    expected = case["match"] or None
    assert first_match(case["keyword"], case["text"]) == expected


@pytest.mark.parametrize("case", ERRORS, ids=ids(ERRORS))
def test_invalid_keyword_is_refused(case: dict) -> None:
    with pytest.raises(KeywordError) as info:
        compile_keyword(case["keyword"])
    assert case["message"] in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("case", WATCHES, ids=ids(WATCHES))
def test_watch_case(case: dict) -> None:
    fields = {name: case[name] for name in FIELD_ORDER if name in case}
    matcher = Matcher({"w": WatchTerms(case["keywords"], case.get("exclude", []))})
    result = matcher.match(fields)
    assert rendered(result.get("w", []), fields) == case["hits"]
    assert ("w" in result) == bool(case["hits"])


# --- the API around the cases ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "parts", "prefix"),
    [
        ("Traffic", "word", ("traffic",), False),
        ("deport*", "prefix", ("deport",), True),
        ('"Forced  Labor"', "phrase", ("forced", "labor"), False),
        ("forced lab*", "phrase", ("forced", "lab"), True),
        ("Straße", "word", ("strasse",), False),
        ("/traffick(ing|ed)/i", "regex", (), False),
    ],
)
def test_compile_keyword_kinds(text: str, kind: str, parts: tuple[str, ...], prefix: bool) -> None:
    keyword = compile_keyword(text)
    assert isinstance(keyword, Keyword)
    assert (keyword.text, keyword.kind, keyword.parts, keyword.prefix) == (text, kind, parts, prefix)


def test_regex_keyword_is_case_insensitive_and_keeps_user_flags() -> None:
    keyword = compile_keyword("/^breaking: (?#comment)deport/")
    assert keyword.pattern.flags & re.IGNORECASE
    assert keyword.search("BREAKING: Deportation") == (0, 16)
    assert keyword.search("not breaking: deport") is None


def test_matcher_error_names_the_watch_and_the_keyword() -> None:
    with pytest.raises(KeywordError, match=r'watch "bad": "/traffick\(/" is not a valid regular expression'):
        Matcher({"ok": WatchTerms(["asylum"]), "bad": WatchTerms(["fine", "/traffick(/"])})


def test_each_watch_gets_its_own_hits_for_a_shared_keyword() -> None:
    matcher = Matcher(
        {
            "a": WatchTerms(["asylum", "deport*"]),
            "b": WatchTerms(["deport*"], exclude=["asylum"]),
            "c": WatchTerms(["deport*", "deport*"]),  # a repeated keyword gives one hit
        }
    )
    result = matcher.match({"title": "Deportation and asylum"})
    assert result == {
        "a": [Hit("deport*", 0, 11, "title"), Hit("asylum", 16, 22, "title")],
        "c": [Hit("deport*", 0, 11, "title")],
    }


def test_watch_terms_refuse_a_bare_string() -> None:
    with pytest.raises(TypeError):
        WatchTerms("deport*")


def test_regex_keywords_with_inline_flags_or_groups() -> None:
    keywords = ["/(?s)forced.labor/", "/(de)port\\w*/", "/asylum/", "/refugee/"]
    matcher = Matcher({"w": WatchTerms(keywords)})
    result = matcher.match({"title": "Forced\nlabor", "body": "deported refugees"})
    assert [(h.keyword, h.field, h.start, h.end) for h in result["w"]] == [
        ("/(?s)forced.labor/", "title", 0, 12),
        ("/(de)port\\w*/", "body", 0, 8),
        ("/refugee/", "body", 9, 16),
    ]
    assert Matcher({"w": WatchTerms(["/asylum/", "/refugee/"])}).match({"title": "nothing here"}) == {}


def test_other_fields_come_after_title_summary_body() -> None:
    matcher = Matcher({"w": WatchTerms(["asylum", "deport*", "border"])})
    fields = {"tags": "asylum", "body": "deported", "title": "border"}
    assert [(h.keyword, h.field) for h in matcher.match(fields)["w"]] == [
        ("border", "title"),
        ("deport*", "body"),
        ("asylum", "tags"),
    ]


def test_matcher_with_no_watches_or_no_text() -> None:
    assert Matcher({}).match({"title": "anything"}) == {}
    assert Matcher({"w": WatchTerms(["asylum"])}).match({}) == {}
    assert Matcher({"w": WatchTerms(["asylum"])}).match({"title": "", "body": ""}) == {}


def test_many_keywords_in_one_matcher() -> None:
    words = [f"w{i}x" for i in range(3000)]
    matcher = Matcher({"words": WatchTerms(words), "prefixes": WatchTerms([f"{w}*" for w in words[::7]])})
    result = matcher.match({"title": "w14x w15x-w2999xyz", "summary": "w2999x"})
    assert [(h.keyword, h.start) for h in result["words"]] == [("w14x", 0), ("w15x", 5), ("w2999x", 0)]
    assert [(h.keyword, h.end) for h in result["prefixes"]] == [("w14x*", 4)]


def test_casefold_never_drops_a_character() -> None:
    """_fold keeps offsets as they are when the folded text is as long as the original: that
    relies on no character folding to nothing (so equal length means one to one)."""
    assert all(chr(cp).casefold() for cp in range(sys.maxunicode + 1))


def test_core_module_imports_no_heavy_dependency() -> None:
    code = "import sys, newswatch.matcher; print(sorted({'scrapy', 'apscheduler', 'apprise'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- properties --------------------------------------------------------------------------------

# Letters whose case variants all fold back to the same thing (Latin, Kazakh and Uzbek Latin,
# Russian/Kazakh/Uzbek Cyrillic, German ß), and digits.
LETTERS = "abcdefghijklmnopqrstuvwxyzäöüğışñūəçāēīōабвгдеёжзийклмнопрстуфхцчшщъыьэюяқғңүұһәөіўҳß0123456789"
CASINGS = [str.lower, str.upper, str.title, str.swapcase, str.casefold, str.capitalize]
words = st.text(alphabet=LETTERS, min_size=1, max_size=12)


@settings(deadline=None)  # the first example may build the lazily made Unicode tables
@given(word=words, casing=st.sampled_from(CASINGS), before=st.text(max_size=30), after=st.text(max_size=30))
def test_plain_word_matches_itself_between_spaces_in_any_case(word: str, casing, before: str, after: str) -> None:
    text = f"{before} {casing(word)} {after}"
    assert compile_keyword(word).search(text) is not None
    assert "w" in Matcher({"w": WatchTerms([word])}).match({"summary": text})


@settings(deadline=None)  # the first example may build the lazily made Unicode tables
@given(word=words, casing=st.sampled_from(CASINGS), glue=st.sampled_from(LETTERS))
def test_plain_word_does_not_match_inside_a_longer_word(word: str, casing, glue: str) -> None:
    assert compile_keyword(word).search(f"{casing(word)}{glue} {glue}{casing(word)}") is None


FIXED = Matcher(
    {
        "words": WatchTerms(["traffic", "депортация", "straße", "oʻzbek", "2025", "a"]),
        "prefixes": WatchTerms(["deport*", "депорт*", "ǆ*", "x*"], exclude=["/exclu(de)?/"]),
        "phrases": WatchTerms(['"forced labor"', "human traf*", "u.s. army", "#me too"]),
        "regexes": WatchTerms(["/(\\w)\\1/", "/^\\W/", "/[\\u0300-\\u036f]/"]),
    }
)


@settings(deadline=None)  # the first example may build the lazily made Unicode tables
@given(title=st.text(), summary=st.text(), body=st.text())
def test_matching_never_raises_and_hits_are_in_their_field(title: str, summary: str, body: str) -> None:
    fields = {"title": title, "summary": summary, "body": body}
    for hits in FIXED.match(fields).values():
        assert hits
        for hit in hits:
            assert 0 <= hit.start <= hit.end <= len(fields[hit.field])


@settings(deadline=None)  # the first example may build the lazily made Unicode tables
@given(keyword=st.text(max_size=20), text=st.text(max_size=60))
def test_any_keyword_compiles_or_is_refused_cleanly(keyword: str, text: str) -> None:
    try:
        compiled = compile_keyword(keyword)
    except KeywordError as exc:
        assert f'"{keyword}"' in str(exc) or f'"{keyword.strip()}"' in str(exc)
        return
    span = compiled.search(text)
    assert span is None or 0 <= span[0] <= span[1] <= len(text)


# --- the combined matcher agrees with matching keyword by keyword ------------------------------

VOCAB = [
    "traffic", "trafficking", "deport", "deported", "forced", "labor", "straße", "strasse", "fuß",
    "депортация", "депорт", "қазақ", "oʻzbek", "o'zbek", "u.s.", "anti-trafficking", "a", "ab", "ǆemal",
    "c++", "#metoo", "2025", "ﬁle", "i", "ı", "İstanbul", "café",
]  # fmt: skip
SEPARATORS = [" ", " ", "  ", "\n", "\u00a0", "-", "'", "’", ", ", ".", "", "\u0301", "\u00ad", "\x00"]
REGEXES = ["/traff\\w+/", "/\\d+/", "/депорт/", "/(a)\\1/", "/^a/", "/ab\\b/"]


@st.composite
def keywords(draw) -> str:
    kind = draw(st.sampled_from(["word", "prefix", "phrase", "regex"]))
    if kind == "regex":
        return draw(st.sampled_from(REGEXES))
    parts = draw(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=3 if kind == "phrase" else 1))
    parts = [draw(st.sampled_from(CASINGS))(part) for part in parts]
    if kind == "prefix":
        parts[-1] = parts[-1][: draw(st.integers(1, len(parts[-1])))] + "*"
    keyword = " ".join(parts)
    return f'"{keyword}"' if draw(st.booleans()) else keyword


@st.composite
def texts(draw) -> str:
    tokens = draw(st.lists(st.sampled_from(VOCAB) | st.text(alphabet=LETTERS, max_size=4), max_size=12))
    out = []
    for token in tokens:
        out += [draw(st.sampled_from(CASINGS))(token), draw(st.sampled_from(SEPARATORS))]
    return "".join(out)


def reference_match(watches: dict[str, WatchTerms], fields: dict[str, str]) -> dict[str, list[Hit]]:
    """What Matcher.match must return, found keyword by keyword with Keyword.search."""
    result = {}
    for name, terms in watches.items():
        if any(first_hit(keyword, fields) for keyword in terms.exclude):
            continue
        found = [
            (hit, i) for i, keyword in enumerate(dict.fromkeys(terms.keywords)) if (hit := first_hit(keyword, fields))
        ]
        if found:
            order = [*FIELD_ORDER, *fields]
            found.sort(key=lambda item: (order.index(item[0].field), item[0].start, item[1]))
            result[name] = [hit for hit, _ in found]
    return result


def first_hit(keyword: str, fields: dict[str, str]) -> Hit | None:
    compiled = compile_keyword(keyword)
    for name in [*FIELD_ORDER, *(f for f in fields if f not in FIELD_ORDER)]:
        span = compiled.search(fields.get(name, ""))
        if span is not None:
            return Hit(keyword, span[0], span[1], name)
    return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    watches=st.dictionaries(
        st.sampled_from(["w1", "w2", "w3"]),
        st.builds(WatchTerms, st.lists(keywords(), min_size=1, max_size=5), st.lists(keywords(), max_size=2)),
        min_size=1,
    ),
    title=texts(),
    summary=texts(),
    body=texts(),
)
def test_matcher_agrees_with_keyword_by_keyword_reference(
    watches: dict[str, WatchTerms], title: str, summary: str, body: str
) -> None:
    fields = {"title": title, "summary": summary, "body": body}
    assert Matcher(watches).match(fields) == reference_match(watches, fields)


# --- Keyword.search agrees with an independent tokenizing reference -----------------------------

WORD_ALPHABET = LETTERS + "ẞ"  # "İ" is left to the cases: "İ".lower() adds a combining dot
TEXT_ALPHABET = WORD_ALPHABET + " \n\u00a0-'’`.,;ʼ"


def token_reference(keyword: str, text: str) -> tuple[int, int] | None:
    """Words/prefixes/phrases by tokenizing: runs of re's \\w, compared after str.casefold."""

    def fold(s: str) -> str:
        for old in "’‘ʼʻ`´":
            s = s.replace(old, "'")
        return s.replace("İ", "i").replace("ı", "i").casefold()

    prefix = keyword.endswith("*")
    parts = fold(keyword.rstrip("*")).split()
    tokens = [(m.start(), m.end(), fold(m.group())) for m in re.finditer(r"\w+", fold_positions(text))]
    for i in range(len(tokens) - len(parts) + 1):
        run = tokens[i : i + len(parts)]
        gaps_ok = all(text[a[1] : b[0]].isspace() for a, b in itertools.pairwise(run))
        words_ok = all(t[2] == p for t, p in zip(run[:-1], parts[:-1], strict=True))
        last_ok = run[-1][2].startswith(parts[-1]) if prefix else run[-1][2] == parts[-1]
        if gaps_ok and words_ok and last_ok:
            return run[0][0], run[-1][1]
    return None


def fold_positions(text: str) -> str:
    """text with apostrophe look-alikes as "'" (one character for one: offsets are unchanged)."""
    return re.sub("[’‘ʼʻ`´]", "'", text)


@st.composite
def token_cases(draw) -> tuple[str, str]:
    parts = draw(st.lists(st.text(alphabet=WORD_ALPHABET, min_size=1, max_size=5), min_size=1, max_size=3))
    keyword = " ".join(parts) + ("*" if draw(st.booleans()) else "")
    pieces = draw(st.lists(st.sampled_from(parts) | st.text(alphabet=TEXT_ALPHABET, max_size=6), max_size=10))
    seps = st.sampled_from([" ", "\n", "\u00a0 ", "-", "'", "ʻ", ""])
    text = "".join(draw(st.sampled_from(CASINGS))(piece) + draw(seps) for piece in pieces)
    return keyword, text


@settings(max_examples=500, deadline=None)
@given(case=token_cases())
def test_keyword_search_agrees_with_tokenizing_reference(case: tuple[str, str]) -> None:
    keyword, text = case
    assert compile_keyword(keyword).search(text) == token_reference(keyword, text)


# --- snippets ----------------------------------------------------------------------------------

LOREM = (
    "Kazakhstan reports 134 human trafficking cases in the first half of 2025, the Interior Ministry said,\n"
    "adding that most victims were\u00a0recruited online with   promises of well-paid work abroad."
)


def test_snippet_cuts_at_words_and_marks_both_cuts() -> None:
    start = LOREM.index("Interior")
    text = snippet(LOREM, start, start + len("Interior"), width=60)
    assert text == "…first half of 2025, the Interior Ministry said, adding that…"
    assert len(text) <= 62


def test_snippet_at_start_has_no_leading_ellipsis_and_collapses_whitespace() -> None:
    assert snippet("Trafficking\n\n  cases   rose\u00a0sharply", 0, 11) == "Trafficking cases rose sharply"
    assert snippet(LOREM, 0, 10, width=30) == "Kazakhstan reports 134 human…"


def test_snippet_at_end_and_with_a_short_width() -> None:
    end = len(LOREM) - 1
    assert snippet(LOREM, end - 6, end, width=30) == "…of well-paid work abroad."
    assert snippet(LOREM, LOREM.index("human"), LOREM.index("human") + 5, width=3) == "…human…"


def test_snippet_of_an_empty_match_or_text() -> None:
    assert snippet("", 0, 0) == ""
    assert snippet("one two three", 4, 4, width=3) == "…two…"


def test_snippet_keeps_the_whole_word_around_a_partial_match() -> None:
    text = "the undeported remain here"
    assert snippet(text, 6, 12, width=10) == "…undeported…"


@settings(deadline=None)  # the first example may build the lazily made Unicode tables
@given(
    pieces=st.lists(st.text(alphabet="abcхыз-'.", min_size=1, max_size=12), min_size=1, max_size=40),
    spaces=st.lists(st.sampled_from([" ", "  ", "\n", "\u00a0", " \t "]), min_size=40, max_size=40),
    pick=st.integers(0, 39),
    width=st.integers(0, 200),
)
def test_snippet_properties(pieces: list[str], spaces: list[str], pick: int, width: int) -> None:
    text = "".join(p + s for p, s in zip(pieces, spaces, strict=False))
    pick %= len(pieces)
    start = sum(len(p) + len(s) for p, s in zip(pieces[:pick], spaces, strict=False))
    word = pieces[pick]
    result = snippet(text, start, start + len(word), width)
    body = result.removeprefix("…").removesuffix("…")
    assert " ".join(body.split()) == body
    assert len(body) <= max(width, len(word))
    shown, n = body.split(), len(body.split())
    # the snippet is whole words of the text, around the picked one, "…" on each side that was cut
    assert any(
        pieces[i : i + n] == shown
        and i <= pick < i + n
        and result.startswith("…") == (i > 0)
        and result.endswith("…") == (i + n < len(pieces))
        for i in range(len(pieces))
    )
