"""The front door stays short and every local link in it and in docs/ leads somewhere.

A newcomer reads README.md first (issue 29); the rest lives in docs/*.md. A page moved or a
heading renamed must not leave a link pointing at nothing, so every relative link and every
#anchor is resolved here the way GitHub renders them.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README_MAX_LINES = 300
# [text](target) and ![alt](target); the target stops at whitespace or ")"
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def outside_code(text: str) -> list[str]:
    """The lines of a Markdown text outside fenced code blocks, inline code blanked out
    (a link or heading inside code is an example, not a link)."""
    lines, fence = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fence = not fence
            continue
        if not fence:
            lines.append(re.sub(r"`[^`]*`", lambda m: m.group(0) if "](" not in m.group(0)
                                else "``", line))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (letters of any
    script, digits, '_' and '-' stay), each space a hyphen."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = text.lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for line in outside_code(path.read_text(encoding="utf-8")):
        m = HEADING.match(line)
        if not m:
            continue
        base = slug(m.group(2))
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def local_links(path: Path) -> list[str]:
    targets = []
    for line in outside_code(path.read_text(encoding="utf-8")):
        for target in LINK.findall(line):
            if not re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, mailto: … are not ours
                targets.append(target)
    return targets


def test_slug_is_githubs():
    assert slug("Query syntax (`photofinder/query.py`)") == "query-syntax-photofinderquerypy"
    assert slug("`search --json` and `--batch`") == "search---json-and---batch"
    assert slug("Indexing 64 camera JPEGs (4000×3000, quality 90)") == \
        "indexing-64-camera-jpegs-40003000-quality-90"
    assert slug("Что делает photofinder") == "что-делает-photofinder"


def test_the_readme_is_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail to docs/"


def test_the_screenshot_is_near_the_top_of_the_readme():
    head = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:40]
    assert any("](docs/screenshot.png)" in line for line in head)
    assert (ROOT / "docs" / "screenshot.png").stat().st_size > 10_000


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_local_link_resolves(page: Path):
    broken = []
    for target in local_links(page):
        file_part, _, anchor = target.partition("#")
        dest = (page.parent / file_part).resolve() if file_part else page
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {dest.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_every_docs_page_links_back_and_is_listed():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert text.startswith("# "), f"{page.name} has no title"
        assert "](../README.md)" in text, f"{page.name} has no link back to the README"
        if page.name != "README.md":
            assert f"](docs/{page.name})" in readme, f"README.md does not link {page.name}"
