"""Write the fresh held-out pages into tests/crawler/addcorpus (split = "fresh"); truth written from reading each page."""
import gzip, hashlib, json, pathlib, re, subprocess, sys
from urllib.parse import urljoin, urldefrag
from parsel import Selector
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from fresh_grab import grab
root = pathlib.Path("/work/wt-addpages2/tests/crawler/addcorpus")
P, T, R, G, H = "postlight/parser", "adbar/trafilatura", "reuteras/rssfixer", "PuerkitoBio/goquery", "html2rss/html2rss"
LIC = {P: "MIT (LICENSE-MIT)", T: "Apache-2.0 (LICENSE)", R: "MIT (LICENSE)", G: "BSD-3-Clause (LICENSE)", H: "MIT (LICENSE)"}
PAGES = [  # name, kind, repo, path, url when the page has no canonical link, (headline selector, min_items) for listings
 ("nccgroup_research", "listing", R, "src/tests/data/input/nccgroup.html", "https://research.nccgroup.com/", (".blog-box-top-text a", 8)),
 ("tripwire_blog", "listing", R, "src/tests/data/input/tripwire.html", None, ("article div.col-lg-9 > a", 16)),
 ("truesec_hub", "listing", R, "src/tests/data/input/truesec.html", None, ("h2 a[href*='/hub/']", 5)),
 ("metalreview_home", "listing", G, "testdata/metalreview.html", "https://metalreview.com/", ("a[href^='/reviews/6']", 10)),
 ("welt_home", "listing", H, "spec/fixtures/vcr_cassettes/welt.yml#body", None, ("article h4.c-teaser__headline a", 20)),
 ("heise_article", "article", T, "tests/cache/heise.de.lithium.html", "https://www.heise.de/newsticker/meldung/Lithium-aus-dem-Schredder-4451133.html", None),
 ("nouvellerepublique_article", "article", T, "tests/cache/lanouvellerepublique.fr.martin.html", "https://www.lanouvellerepublique.fr/", None),
 ("fairkom_about", "page", T, "tests/cache/fairkom.eu.about.html", None, None),
 ("wiredjp_article", "article", P, "fixtures/wired.jp.html", None, None),
 ("github_repo", "page", P, "fixtures/github.com.html", None, None),
 ("pastebin_paste", "page", P, "fixtures/pastebin.com.html", None, None),
 ("twitter_status", "article", P, "fixtures/twitter.com.html", None, None),
 ("whitehouse_blogpost", "article", P, "fixtures/obamawhitehouse.archives.gov--empty.html", None, None),
 ("asciijp_article", "article", P, "fixtures/weekly.ascii.jp.html", "https://weekly.ascii.jp/elem/000/001/848/1848409/", None),
 ("gowiki_article", "article", G, "testdata/gowiki.html", "https://en.wikipedia.org/wiki/Go_(programming_language)", None),
 ("gotesting_docs", "page", G, "testdata/gotesting.html", "https://golang.org/pkg/testing/", None),
 ("reddit_thread", "article", P, "fixtures/www.reddit.com--title-only.html", None, None),
 ("provokin_signin", "form", G, "testdata/page.html", "https://provok.in/", None),
]
def norm(u): return urldefrag(u)[0].rstrip("/")
def text(a): return " ".join(" ".join(a.css("::text").getall()).split())
sources = json.loads((root / "sources.json").read_text())
known = {r["sha256"] for r in sources if r.get("split") != "fresh"} | {r["sha256"] for r in json.load(open("/work/devcorpus/sources.json"))}
sources = [r for r in sources if r.get("split") != "fresh"]
for name, kind, repo, path, url, sel in PAGES:
    git = f"/work/.mirror/{repo.replace('/', '+')}/repo"
    commit = subprocess.run(["git", "-C", git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    data = grab(repo.replace("/", "+"), path)
    sha = hashlib.sha256(data).hexdigest()
    assert sha not in known, name
    m = re.search(rb'<link[^>]*rel=["\']canonical["\'][^>]*href=["\'](https?://[^"\']+)', data)
    m = m or re.search(rb'<meta[^>]*property=["\']og:url["\'][^>]*content=["\'](https?://[^"\']+)', data)
    url = m.group(1).decode() if m else url
    assert url, name
    (root / "pages" / f"{name}.html.gz").write_bytes(gzip.compress(data, mtime=0))
    sources.append(dict(name=name, kind=kind, repo=repo, commit=commit, path=path, licence=LIC[repo], url=url, sha256=sha, bytes=len(data), split="fresh"))
    truth = {"name": name, "kind": kind, "listing": kind == "listing", "feed": None}
    if sel:
        css, floor = sel
        page = Selector(text=data.decode("utf-8", "replace"))
        anchors = [a for a in page.css(css) if text(a)]
        links = [norm(urljoin(url, a.attrib["href"].strip())) for a in anchors]
        titles = {l: text(a) for l, a in zip(links, anchors)}
        unique = list(dict.fromkeys(links))
        truth.update(items=len(links), min_items=min(floor, len(unique)), links=unique, titles=[titles[l] for l in unique[:5]])
        print(f"{name:22} items={len(links)} unique={len(unique)} min={truth['min_items']} {[t[:40] for t in truth['titles'][:3]]}")
    (root / "pages" / f"{name}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1))
(root / "sources.json").write_text(json.dumps(sources, ensure_ascii=False, indent=1))
print(len(PAGES), "fresh pages")
