"""Keyword matching micro-benchmark: ``newswatch.matcher.Matcher`` against a naive per-keyword loop.

Synthetic data, generated here: articles of a title and a summary (about 300
characters together, a third of them in Russian) drawn from common words, each
with two words from a pool of 20,000 invented words (Latin and Cyrillic). The
keywords are the first K words of that pool: mostly whole words, every fifth a
prefix (``stem*``), every tenth a two-word phrase, in watches of ten keywords.
So with K keywords about 2·K/20,000 of the words that could match do.

The naive loop is what one writes first: one precompiled ``re`` pattern per
keyword (``\\b`` boundaries, ``re.IGNORECASE``), ``search`` over title and summary
of every article, keyword by keyword. Where the whole loop would take too long
it runs on a sample of the articles and is scaled up (the table says so). On the
articles the naive loop saw, both must name the same watches for each article.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.site import _EN_WORDS, _RU_WORDS

POOL = 20_000
PER_WATCH = 10
NAIVE_BUDGET = 20.0  # seconds the naive loop may take in full; beyond it, a sample
_LATIN = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "bre", "dan", "gor", "hul", "kes", "mor", "pil", "sat",
          "tor", "vin", "xa", "ye"]
_CYRILLIC = ["ка", "ло", "ми", "не", "ру", "та", "во", "зи", "бре", "дан", "гор", "хул", "кес", "мор", "пил",
             "сат", "тор", "вин", "жа", "ще"]


@dataclass(frozen=True)
class Article:
    title: str
    summary: str


@dataclass(frozen=True)
class KeywordResult:
    keywords: int
    articles: int
    build: float  # seconds to compile the Matcher
    matcher: float  # seconds for all articles
    naive: float  # seconds for all articles (measured or estimated)
    naive_sample: int  # articles the naive loop really ran on
    matched: int  # articles with at least one matching watch (Matcher)
    disagreements: int  # articles where Matcher and the naive loop name different watches

    @property
    def speedup(self) -> float:
        return self.naive / self.matcher if self.matcher else float("inf")


def pool(rng: random.Random) -> list[str]:
    """POOL distinct invented words (3-4 syllables), 30% Cyrillic, none a common word."""
    common = set(_EN_WORDS) | set(_RU_WORDS)
    words: dict[str, None] = {}
    while len(words) < POOL:
        syllables = _CYRILLIC if rng.random() < 0.3 else _LATIN
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(3, 4)))
        if word not in common:
            words[word] = None
    return list(words)


def companion(word: str) -> str:
    """The word that follows ``word`` in its phrase keyword."""
    return "region" if word.isascii() else "регион"


def keywords_for(words: Sequence[str]) -> list[str]:
    """The keyword spelling of each pool word: a word, a prefix (every 5th) or a phrase (every 10th)."""
    out = []
    for i, word in enumerate(words):
        if i % 10 == 9:
            out.append(f"{word} {companion(word)}")
        elif i % 5 == 4:
            out.append(word[:-2] + "*")
        else:
            out.append(word)
    return out


def articles(count: int, words: Sequence[str], rng: random.Random) -> list[Article]:
    """``count`` articles of about 300 characters, each with two pool words somewhere."""
    out = []
    for _ in range(count):
        vocab = _RU_WORDS if rng.random() < 0.33 else _EN_WORDS
        title = [rng.choice(vocab) for _ in range(rng.randint(8, 11))]
        summary = [rng.choice(vocab) for _ in range(rng.randint(22, 28))]
        for target in (title, summary):
            word = rng.choice(words)
            pos = rng.randrange(len(target) + 1)
            target[pos:pos] = [word, companion(word)] if rng.random() < 0.5 else [word.capitalize()]
        out.append(Article(" ".join(title).capitalize(), " ".join(summary).capitalize() + "."))
    return out


def naive_patterns(keywords: Sequence[str]) -> list[re.Pattern[str]]:
    patterns = []
    for kw in keywords:
        prefix = kw.endswith("*")
        body = r"\s+".join(map(re.escape, kw.rstrip("*").split()))
        patterns.append(re.compile(rf"\b{body}" + ("" if prefix else r"\b"), re.IGNORECASE))
    return patterns


def run_naive(texts: Sequence[Article], watches: list[tuple[str, list[re.Pattern[str]]]]) -> list[frozenset[str]]:
    """For each article, the watches one of whose keywords ``re.search`` finds in title or summary."""
    out = []
    for a in texts:
        hit = set()
        for name, patterns in watches:
            for pattern in patterns:
                if pattern.search(a.title) or pattern.search(a.summary):
                    hit.add(name)
                    break
        out.append(frozenset(hit))
    return out


def bench_one(count: int, texts: list[Article], words: list[str], log: Callable[[str], None]) -> KeywordResult:
    from newswatch.matcher import Matcher, WatchTerms

    keywords = keywords_for(words[:count])
    groups = {f"w{i // PER_WATCH:04d}": keywords[i : i + PER_WATCH] for i in range(0, count, PER_WATCH)}
    clock = time.perf_counter()
    matcher = Matcher({name: WatchTerms(tuple(kws)) for name, kws in groups.items()})
    build = time.perf_counter() - clock
    clock = time.perf_counter()
    found = [frozenset(matcher.match({"title": a.title, "summary": a.summary})) for a in texts]
    matched_time = time.perf_counter() - clock

    naive_watches = [(name, naive_patterns(kws)) for name, kws in groups.items()]
    probe = texts[:200]
    clock = time.perf_counter()
    run_naive(probe, naive_watches)
    per_article = (time.perf_counter() - clock) / len(probe)
    sample = len(texts) if per_article * len(texts) <= NAIVE_BUDGET else max(200, int(NAIVE_BUDGET / per_article))
    clock = time.perf_counter()
    naive_found = run_naive(texts[:sample], naive_watches)
    naive_time = (time.perf_counter() - clock) * len(texts) / sample
    disagreements = sum(1 for a, b in zip(found[:sample], naive_found, strict=True) if a != b)
    result = KeywordResult(count, len(texts), build, matched_time, naive_time, sample,
                           sum(1 for f in found if f), disagreements)
    log(f"keywords={count}: Matcher {matched_time:.2f} s (build {build:.2f} s), naive {naive_time:.1f} s"
        f"{'' if sample == len(texts) else f' (estimated from {sample} articles)'}, "
        f"{result.matched} articles matched, {disagreements} disagreements")
    return result


def run(counts: Sequence[int], article_count: int, log: Callable[[str], None] = print) -> list[KeywordResult]:
    """The micro-benchmark for each keyword count in ``counts``."""
    rng = random.Random(7)
    words = pool(rng)
    rng.shuffle(words)
    texts = articles(article_count, words, rng)
    return [bench_one(count, texts, words, log) for count in counts]
