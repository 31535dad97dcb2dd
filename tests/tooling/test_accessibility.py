"""WCAG 2.1 A/AA checks with axe-core in headless Chromium (issue 17, item 8).

The site is built as `make slides` builds it (decks, index, rendered notebooks) into a temporary
folder and opened from file:// with the network blocked. axe-core (vendored under
tests/tooling/vendor/axe-core/, see its README) runs with the tags wcag2a, wcag2aa, wcag21a and
wcag21aa:

- on every slide of every lecture deck, each shown in turn as a presenter shows it (axe's context
  is the current slide; the page around the slides, i.e. controls, progress bar, slide number and
  footer, is checked once per deck with the slides excluded);
- on the index page and on every rendered notebook, whole.

Besides axe, every ``<img>`` must carry a non-empty ``alt`` that is not nbconvert's default ("No
description has been provided for this image"): axe accepts ``alt=""`` (decorative), the course's
figures are not decorative. The results per page (violations by rule, with node counts) go to
build/slides/a11y.json; a test fails on any violation.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dlcourse.tooling import pipeline, slides

from .conftest import ROOT, WAIT_MS, Recorder, require_browser

pytestmark = [pytest.mark.slow, pytest.mark.browser]

require_browser()

VIEWPORT = {"width": slides.SLIDE_WIDTH, "height": slides.SLIDE_HEIGHT}
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
REPORT = ROOT / "build" / "slides" / "a11y.json"
DEFAULT_ALT = "No description has been provided for this image"
EXECUTED = [
    pipeline.output_path(source)
    for source in pipeline.notebook_sources()
    if pipeline.output_path(source).is_file()
]
NAMES = [path.stem for path in EXECUTED]

# One violation as the report and the failure message show it: the rule, its nodes, an example.
SUMMARY_JS = """
const summarise = (violations, where) => violations.map(v => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    where: where,
    nodes: v.nodes.length,
    examples: v.nodes.slice(0, 3).map(n => ({
        target: n.target.join(' '),
        html: n.html.slice(0, 160),
        why: (n.failureSummary || '').split('\\n').slice(1, 2).join('').trim().slice(0, 200),
    })),
}));
const badAlt = (root, where) => Array.from(root.querySelectorAll('img'))
    .filter(img => !(img.getAttribute('alt') || '').trim()
                   || img.getAttribute('alt').includes(DEFAULT_ALT))
    .map(img => ({where: where, src: (img.getAttribute('src') || '').slice(0, 60),
                  alt: img.getAttribute('alt')}));
""".replace("DEFAULT_ALT", json.dumps(DEFAULT_ALT))

PAGE_JS = """async (tags) => {
    SUMMARY_JS
    const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
    const result = await axe.run(document, options);
    return {violations: summarise(result.violations, 'page'), alt: badAlt(document, 'page'),
            slides: null};
}""".replace("SUMMARY_JS", SUMMARY_JS)

DECK_JS = """async (tags) => {
    SUMMARY_JS
    // Show every slide in turn, as a presenter would (the deck fits it on show), and check it.
    const frame = () => new Promise(done => requestAnimationFrame(() => done()));
    const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
    // The page around the slides: controls, progress bar, slide number, footer, <html> and <head>.
    const around = await axe.run({exclude: [['.reveal .slides']]}, options);
    const violations = summarise(around.violations, 'page');
    const alt = [];
    let slides = 0;
    for (const slide of Reveal.getSlides()) {
        const at = Reveal.getIndices(slide);
        Reveal.slide(at.h, at.v || 0);
        const current = Reveal.getCurrentSlide();
        await Promise.all(Array.from(current.querySelectorAll('img'),
                                     img => img.decode().catch(() => null)));
        await frame();
        await frame();
        const where = `slide ${at.h + 1}`;
        const result = await axe.run(current, options);
        violations.push(...summarise(result.violations, where));
        alt.push(...badAlt(current, where));
        slides += 1;
    }
    return {violations: violations, alt: alt, slides: slides};
}""".replace("SUMMARY_JS", SUMMARY_JS)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The lecture decks, the index and the rendered notebooks, as `make slides` builds them."""
    if not EXECUTED:
        pytest.skip("no executed notebook: run `make notebooks` first")
    out = tmp_path_factory.mktemp("a11y") / "slides"
    decks = {deck.path.stem: deck for deck in slides.build_slides(EXECUTED, out, render=True)}
    return {"out": out, "decks": decks}


def check(browser, url: str, deck: bool) -> dict:
    """Open ``url`` offline, wait for it to settle, run axe (per slide when ``deck``).

    ``browser`` is the session's Chromium (conftest.py); only file:, data: and blob: URLs load.
    """
    context = browser.new_context(viewport=VIEWPORT, offline=True)
    context.set_default_timeout(WAIT_MS)
    recorder = Recorder(context, lambda url: url.startswith(("file://", "data:", "blob:")))
    try:
        page = context.new_page()
        page.goto(url)
        page.evaluate("() => document.fonts.ready.then(() => true)")  # heights are final
        if deck:
            page.wait_for_function("() => window.Reveal && Reveal.isReady()")
            page.evaluate("() => Reveal.configure({transition: 'none', fragments: false})")
        if page.evaluate("() => !!document.querySelector('script[src*=MathJax]')"):
            page.wait_for_function("() => window.MathJax && MathJax.isReady")
            page.evaluate("() => new Promise(done => MathJax.Hub.Queue(done))")
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(DECK_JS if deck else PAGE_JS, WCAG_TAGS)
        assert recorder.blocked == [], f"{url} tried the network: {recorder.blocked[:3]}"
        return found
    finally:
        context.close()


def record(key: str, found: dict) -> None:
    """Merge one page's results (violations by rule, node counts) into build/slides/a11y.json."""
    by_rule: dict[str, int] = {}
    for violation in found["violations"]:
        by_rule[violation["rule"]] = by_rule.get(violation["rule"], 0) + violation["nodes"]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(REPORT.read_text()) if REPORT.is_file() else {}
    report["tags"] = WCAG_TAGS
    report.setdefault("pages", {})[key] = {
        "slides": found["slides"],
        "violations": dict(sorted(by_rule.items())),
        "bad_alt": len(found["alt"]),
        "details": found["violations"],
    }
    report["pages"] = dict(sorted(report["pages"].items()))
    REPORT.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")


def assert_accessible(key: str, found: dict) -> None:
    record(key, found)
    lines = [
        f"{v['where']}: {v['rule']} ({v['impact']}, {v['nodes']} nodes) {v['help']}; e.g. "
        + "; ".join(f"{e['target']}: {e['why']}" for e in v["examples"][:2])
        for v in found["violations"]
    ]
    lines += [f"{a['where']}: <img src={a['src']}...> alt={a['alt']!r}" for a in found["alt"]]
    assert lines == [], f"{key}: {len(lines)} WCAG 2.1 A/AA problem(s):\n" + "\n".join(lines[:40])


@pytest.mark.parametrize("name", NAMES)
def test_lecture_deck_has_no_wcag_violation_on_any_slide(name, site, browser):
    deck = site["decks"][name]
    found = check(browser, deck.path.as_uri(), deck=True)
    assert found["slides"] == deck.slides
    assert_accessible(f"deck/{name}", found)


def test_index_has_no_wcag_violation(site, browser):
    found = check(browser, (site["out"] / "index.html").as_uri(), deck=False)
    assert_accessible("index", found)


BAD_PAGE = """<!DOCTYPE html><html lang="en"><head><title>bad</title></head><body><main>
<h1>A page axe must fault</h1>
<p style="color: #408080; background: #f5f5f5">a comment colour at 4.17:1</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="DEFAULT_ALT">
</main></body></html>"""


def test_the_check_finds_what_it_must(tmp_path, browser):
    """The harness is live: a low-contrast text and two figures without alt text are reported."""
    page = tmp_path / "bad.html"
    page.write_text(BAD_PAGE.replace("DEFAULT_ALT", DEFAULT_ALT), encoding="utf-8")
    found = check(browser, page.as_uri(), deck=False)
    assert {v["rule"] for v in found["violations"]} == {"color-contrast", "image-alt"}
    assert len(found["alt"]) == 2


class Images(HTMLParser):
    """The ``alt`` of every ``<img>`` of a page (``None`` where it has none)."""

    def __init__(self) -> None:
        super().__init__()
        self.alts: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs).get("alt"))


def test_every_figure_of_every_page_has_its_own_alt_text(site):
    """All the built pages (lecture, full and solution decks, notebooks), without a browser."""
    pages = [page for page in site["out"].rglob("*.html") if "assets" not in page.parts]
    assert len(pages) >= 2 * len(NAMES)
    bad, figures = [], 0
    for page in pages:
        images = Images()
        images.feed(page.read_text(encoding="utf-8"))
        figures += len(images.alts)
        bad += [
            f"{page.relative_to(site['out'])}: alt={alt!r}"
            for alt in images.alts
            if not (alt or "").strip() or DEFAULT_ALT in alt
        ]
    assert figures > 0
    assert bad == [], f"figures without their alt text (cell metadata `alt`): {bad[:10]}"


@pytest.mark.parametrize("name", NAMES)
def test_rendered_notebook_has_no_wcag_violation(name, site, browser):
    page = site["decks"][name].rendered
    found = check(browser, page.as_uri(), deck=False)
    assert_accessible(f"notebook/{name}", found)
