"""What the class report tests check on any class (the bundled samples, a class of 1,000):
its item analysis recomputed from grades.csv, its links, and that it is one self-contained page
that renders in headless Chromium with its plots."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np

from autograder.rubric.model import Rubric

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def item_rows(markdown: str) -> dict[str, list[str]]:
    """The item analysis table of class_report.md: check id -> its cells."""
    section = markdown.split("## Item analysis", 1)[1].split("###", 1)[0]
    rows = [line.strip("|").split("|") for line in section.splitlines() if line.startswith("| ")]
    return {cells[0].strip(): [c.strip() for c in cells] for cells in rows[1:]}


def recomputed_items(grades_csv: Path, rubric: Rubric) -> dict[str, tuple[int, float, float | None]]:
    """From grades.csv alone (and each check's points in the rubric): check id -> (students,
    facility, item-rest correlation), by numpy's own correlation."""
    with grades_csv.open(newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    points = {check.id: check.points for check in rubric.checks}
    found = {}
    for check_id in (c for c in rows[0] if c in points):
        graded = [row for row in rows if row[check_id] != ""]
        if not graded:
            continue
        item = np.array([float(row[check_id]) for row in graded])
        rest = np.array([float(row["total"]) for row in graded]) - item
        r = None if item.std() == 0 or rest.std() == 0 else float(np.corrcoef(item, rest)[0, 1])
        found[check_id] = (len(graded), float(item.mean() / points[check_id]), r)
    return found


def assert_item_analysis_matches_grades_csv(out: Path, rubric: Rubric) -> int:
    shown = item_rows((out / "class_report.md").read_text(encoding="utf-8"))
    expected = recomputed_items(out / "grades.csv", rubric)
    assert set(shown) == set(expected) and expected
    for check_id, (students, facility, r) in expected.items():
        cells = shown[check_id]
        assert int(cells[3]) == students, check_id
        assert abs(float(cells[4]) - facility) <= 0.0051, (check_id, cells[4], facility)
        assert (cells[5] == "n/a") if r is None else abs(float(cells[5]) - r) <= 0.0051, (
            check_id,
            cells[5],
            r,
        )
    return len(expected)


class Links(HTMLParser):
    """Every href and src of a page, and the tags it uses."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.sources: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name == "href" and value is not None:
                self.hrefs.append(value)
            if name == "src" and value is not None:
                self.sources.append(value)


def page_links(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def assert_links_resolve(page: Path) -> list[Path]:
    """Every link of the page is to a part of it or to a file beside it that exists; the files."""
    parser = page_links(page)
    ids = set(re.findall(r"id='([^']+)'", page.read_text(encoding="utf-8")))
    files = []
    for href in parser.hrefs:
        parsed = urlparse(href)
        assert not parsed.scheme and not parsed.netloc, href
        if href.startswith("#"):
            assert href[1:] in ids, href
            continue
        target = page.parent / unquote(parsed.path)
        assert target.is_file(), href
        files.append(target.resolve())
    return files


def assert_self_contained(page: Path) -> None:
    parser = page_links(page)
    text = page.read_text(encoding="utf-8")
    assert not parser.tags & {"script", "link", "iframe", "object", "embed"}
    assert parser.sources and all(s.startswith("data:image/png;base64,") for s in parser.sources)
    assert "url(" not in text and "@import" not in text


def chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise AssertionError(
        "headless Chromium is needed and not installed: .ci/run installs it (apt-get install chromium)"
    )


PROBE = (
    "<script>window.addEventListener('load', () => {const out = document.createElement('pre');"
    "out.id = 'render-check'; out.textContent = JSON.stringify([...document.images].map("
    "i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight]).concat([[document.title, "
    "document.body.innerText.length]])); document.body.appendChild(out);});</script>"
)


def rendered_images(page: Path, scratch: Path) -> list[list[object]]:
    """The page as headless Chromium lays it out, with nothing reachable outside the file (every
    request goes to a closed proxy port): each image's alt, loaded, and its natural size; last, the
    title and how much text the page shows. A copy of the page gets a probe script; the report
    itself has none."""
    copy = scratch / page.name
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={scratch / 'profile'}",
        "--proxy-server=127.0.0.1:9",
        "--virtual-time-budget=15000",
        "--dump-dom",
        copy.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    found = re.search(r"<pre id=\"render-check\">(.*?)</pre>", done.stdout, re.S)
    assert found, (done.returncode, done.stderr[-2000:])
    return list(json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")))
