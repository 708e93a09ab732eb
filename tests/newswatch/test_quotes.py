"""Ticker text parsing: cases as data (quote_cases.toml), the real seed strip, properties."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newswatch.quotes import Quote, QuoteBatch, collapse, parse_quote, percent_change

CASES = tomllib.loads((Path(__file__).parent / "quote_cases.toml").read_text(encoding="utf-8"))["case"]
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
STRIP_SEED = "002_a1fb695dfdf5c8e4.txt"  # the later snapshot: ticker strip, repeated 8 times
NO_STRIP_SEED = "000_94caf2e2b091f4a6.txt"  # the earlier snapshot: no ticker strip at all
SEED_QUOTES = [
    ("KGS/USD", "0.01144", "0"),
    ("KZT/USD", "0.00198", "-0"),
    ("TJS/USD", "0.10857", "-0.18"),
    ("UZS/USD", "0.00008", "0"),
    ("TMT/USD", "0.28571", "0"),
]


def seed_lines(name: str) -> list[str]:
    """The lines of one seed page, or a skip when the shared seeds are not next to the repo."""
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"seed page {path} not found: the shared seeds live in ../shared next to the repo root")
    return path.read_text(encoding="utf-8").splitlines()


def as_written(number: Decimal | None) -> str | None:
    return None if number is None else format(number, "f")


# --- cases as data -----------------------------------------------------------------


def test_case_ids_are_unique_and_cases_well_formed() -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))
    for case in CASES:
        assert case.get("none", False) != ("pair" in case), case["id"]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_parse_quote_case(case: dict) -> None:
    quote = parse_quote(case["text"])
    if case.get("none"):
        assert quote is None
        return
    assert quote is not None
    assert (quote.pair, as_written(quote.value), as_written(quote.change)) == (
        case["pair"],
        case["value"],
        case.get("change"),
    )


def test_values_are_decimals_kept_exact() -> None:
    quote = parse_quote("UZS/USD = 0.00008 0%")
    assert quote is not None
    assert isinstance(quote.value, Decimal) and isinstance(quote.change, Decimal)
    assert str(quote.value) == "0.00008"


def test_minus_zero_equals_zero_but_keeps_its_sign() -> None:
    quote = parse_quote("KZT/USD = 0.00198 -0%")
    assert quote is not None and quote.change is not None
    assert quote.change == 0 and quote.change.is_signed()


def test_quote_str_reads_like_the_ticker() -> None:
    assert str(Quote("TJS/USD", Decimal("0.10857"), Decimal("-0.18"))) == "TJS/USD = 0.10857 -0.18%"
    assert str(Quote("Gold", Decimal("2034.50"), Decimal("0.3"))) == "Gold = 2034.50 +0.3%"
    assert str(Quote("KGS/USD", Decimal("0.01144"), None)) == "KGS/USD = 0.01144"


# --- collapse -----------------------------------------------------------------------


def test_collapse_real_seed_strip() -> None:
    lines = seed_lines(STRIP_SEED)
    strip = [line for line in lines if line.strip().startswith("•")]
    assert len(strip) == 8 * len(SEED_QUOTES)  # the marquee renders the strip 8 times

    batch = collapse(strip)

    assert [(q.pair, as_written(q.value), as_written(q.change)) for q in batch.quotes] == SEED_QUOTES
    assert batch.skipped == () and batch.conflicts == ()


def test_collapse_whole_seed_page_finds_only_the_strip() -> None:
    lines = seed_lines(STRIP_SEED)

    batch = collapse(lines)

    assert [q.pair for q in batch.quotes] == [pair for pair, _, _ in SEED_QUOTES]
    assert batch.conflicts == ()
    assert "05 December 2025" in batch.skipped
    assert "Viewing results 1 - 6 of 8" in batch.skipped
    other = {line.strip() for line in lines if line.strip() and not line.strip().startswith("•")}
    assert set(batch.skipped) == other


def test_collapse_page_without_strip_has_no_quotes() -> None:
    lines = seed_lines(NO_STRIP_SEED)

    batch = collapse(lines)

    assert batch.quotes == () and batch.conflicts == ()
    assert "Viewing results 1 - 6 of 5" in batch.skipped


def test_collapse_keeps_first_quote_and_order_of_first_appearance() -> None:
    batch = collapse(["TJS/USD = 0.10857 -0.18%", "KGS/USD = 0.01144 0%", "TJS/USD = 0.10857 +0.1%"])

    assert batch == QuoteBatch(
        quotes=(
            Quote("TJS/USD", Decimal("0.10857"), Decimal("-0.18")),
            Quote("KGS/USD", Decimal("0.01144"), Decimal("0")),
        ),
        skipped=(),
        conflicts=(),
    )


def test_collapse_reports_conflicting_values_once() -> None:
    texts = ["TJS/USD = 0.10857 -0.18%", "TJS/USD = 0.10901 +0.4%"] * 4

    batch = collapse(texts)

    assert batch.quotes == (Quote("TJS/USD", Decimal("0.10857"), Decimal("-0.18")),)
    assert batch.conflicts == ("TJS/USD: 0.10857 vs 0.10901",)


def test_collapse_equal_numbers_written_differently_do_not_conflict() -> None:
    batch = collapse(["TJS/USD = 0.1085", "TJS/USD = 0.10850", "EUR / USD = 1.08", "EUR/USD = 1.08"])

    assert [q.pair for q in batch.quotes] == ["TJS/USD", "EUR/USD"]
    assert batch.conflicts == ()


def test_collapse_conflict_message_shows_small_values_without_exponent() -> None:
    batch = collapse(["UZS/USD = 0.0000001", "UZS/USD = 0.0000002"])

    assert batch.conflicts == ("UZS/USD: 0.0000001 vs 0.0000002",)


def test_collapse_skips_stripped_garbage_once_and_ignores_blanks() -> None:
    batch = collapse(
        ["", "   ", "\u00a0\n", "  Viewing results 1 - 6 of 8\n", "Viewing results 1 - 6 of 8", "Gold = 2,034"]
    )

    assert batch.quotes == ()
    assert batch.skipped == ("Viewing results 1 - 6 of 8", "Gold = 2,034")


def test_collapse_accepts_any_iterable() -> None:
    batch = collapse(text for text in ["KGS/USD = 0.01144 0%"])

    assert batch.quotes == (Quote("KGS/USD", Decimal("0.01144"), Decimal("0")),)


# --- percent_change -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("50", "75", "50"),
        ("80", "60", "-25"),
        ("0.01144", "0.01144", "0"),
        ("-10", "-5", "50"),  # a rise from a negative base still reads as a rise
    ],
)
def test_percent_change(old: str, new: str, expected: str) -> None:
    assert percent_change(Decimal(old), Decimal(new)) == Decimal(expected)


def test_percent_change_is_exact_decimal() -> None:
    change = percent_change(Decimal("0.10857"), Decimal("0.10901"))

    assert isinstance(change, Decimal)
    assert change.quantize(Decimal("0.0001")) == Decimal("0.4053")


@pytest.mark.parametrize("zero", ["0", "-0", "0.000"])
def test_percent_change_from_zero_is_none(zero: str) -> None:
    assert percent_change(Decimal(zero), Decimal("1")) is None


# --- properties ---------------------------------------------------------------------

CODES = st.from_regex(r"[A-Z][A-Z0-9]{2,4}", fullmatch=True)
WORDS = st.from_regex(r"[A-Za-z][A-Za-z&]{0,5}", fullmatch=True)
NAMES = st.builds(
    lambda words, number: " ".join([*words, *number]),
    st.lists(WORDS, min_size=1, max_size=3),
    st.lists(st.from_regex(r"[1-9][0-9]{1,3}", fullmatch=True), max_size=1),
).filter(lambda name: len(name) <= 20)
PAIRS = st.builds(lambda a, b: f"{a}/{b}", CODES, CODES) | NAMES
VALUES = st.integers(0, 8).flatmap(
    lambda places: st.decimals(-(10**9), 10**9, places=places, allow_nan=False, allow_infinity=False)
)
CHANGES = st.none() | st.integers(0, 4).flatmap(
    lambda places: st.decimals(-1000, 1000, places=places, allow_nan=False, allow_infinity=False)
)
QUOTES = st.builds(Quote, PAIRS, VALUES, CHANGES)
TICKERISH = st.text(alphabet=st.sampled_from(list("KGSUD/=: .,'-+%()▲▼•0123456789\u00a0\u2212")), max_size=40)


@given(st.text() | TICKERISH)
def test_parse_quote_never_raises(text: str) -> None:
    quote = parse_quote(text)
    assert quote is None or (quote.value.is_finite() and (quote.change is None or quote.change.is_finite()))


@given(QUOTES)
def test_formatted_quote_parses_back_equal(quote: Quote) -> None:
    change = "" if quote.change is None else f" {quote.change:f}%"
    assert parse_quote(f"{quote.pair} = {quote.value:f}{change}") == quote
    assert parse_quote(str(quote)) == quote


@given(QUOTES, st.sampled_from(["", " ", "\n  ", "• ", "\u00a0· ", "- "]), st.sampled_from(["", " ", " •", "\n"]))
def test_bullets_and_whitespace_around_a_quote_do_not_matter(quote: Quote, before: str, after: str) -> None:
    assert parse_quote(f"{before}{quote}{after}") == quote


@given(st.lists(QUOTES, max_size=6), st.integers(1, 8))
def test_collapse_of_repeated_strip_is_the_strip(quotes: list[Quote], repeats: int) -> None:
    first: dict[str, Quote] = {}
    for quote in quotes:
        first.setdefault(quote.pair, quote)

    batch = collapse([str(q) for q in quotes] * repeats)

    assert batch.quotes == tuple(first.values())
    assert batch.skipped == ()


@given(VALUES.filter(lambda d: d != 0), VALUES)
def test_percent_change_has_the_direction_of_the_move(old: Decimal, new: Decimal) -> None:
    change = percent_change(old, new)

    assert change is not None
    assert (change > 0) == (new > old) and (change < 0) == (new < old)
