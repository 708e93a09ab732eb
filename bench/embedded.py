"""The benches with a report of their own, embedded in bench/RESULTS.md as they were last written.

Each of them takes minutes to tens of minutes and needs nginx or redis-server, so ``bench/run.py``
embeds their last reports (each names its own command, date and machine load) and, with
``--with-scale``, runs them first with their default arguments.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent

SECTION_TITLE = "## At scale: the benches with a report of their own"
ARGS = {"workers.py": ["--sources", "10000"]}  # the size where the script's default is smaller
REPORTS = (  # (report, the script that writes it, what it measures)
    ("SCALE.md", "scale.py", "`once` over 1,000 and 10,000 sources on nginx, the floor, a grown database, reads"),
    ("DAEMON_SOAK.md", "daemon_soak.py", "the daemon with 10,000 sources every 10 minutes for 15 minutes"),
    ("DAEMON.md", "daemon_scale.py", "daemon start-up and SIGTERM at 1,000 / 10,000 / 50,000 sources"),
    ("WORKERS.md", "workers.py", "crawl workers over Redis (issue 18): 1, 2, 3 workers against one writer"),
)


def run_all(python: str = sys.executable) -> None:
    """Regenerate every embedded report (its script's defaults, or ARGS; nginx and redis-server needed)."""
    for _, script, _ in REPORTS:
        print(f"running bench/{script} ...", flush=True)
        subprocess.run([python, str(BENCH / script), *ARGS.get(script, [])], check=True)


def demoted(text: str) -> str:
    """A report's Markdown two heading levels down (under a ### heading here), without its title line."""
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join("##" + line if line.startswith("#") else line for line in lines).strip()


def section() -> str:
    parts = [SECTION_TITLE,
             "Embedded as last written (each says its command, date and machine load; `python bench/run.py "
             "--with-scale` runs them all first; `python bench/embedded.py` re-embeds them after one ran). "
             "What each measures:\n\n"
             + "\n".join(f"- `bench/{report}` (`python bench/{script}`): {what}" for report, script, what in REPORTS)]
    for report, _, _ in REPORTS:
        path = BENCH / report
        body = demoted(path.read_text(encoding="utf-8")) if path.exists() else "(not written yet)"
        parts.append(f"### bench/{report}\n\n{body}")
    return "\n\n".join(parts)



def refresh(results: Path = BENCH / "RESULTS.md") -> None:
    """Rewrite RESULTS.md's embedded section from the reports as they are now (the rest of it unchanged)."""
    text = results.read_text(encoding="utf-8")
    head = text.split("\n" + SECTION_TITLE, 1)[0].rstrip("\n")
    results.write_text(head + "\n\n" + section() + "\n", encoding="utf-8")


if __name__ == "__main__":  # python bench/embedded.py: after a bench of its own ran, without rerunning run.py
    refresh()
    print(f"rewrote the embedded section of {BENCH / 'RESULTS.md'}")
