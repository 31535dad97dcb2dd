"""Real-browser checks with headless Chromium (Playwright driving Debian's /usr/bin/chromium).

- Every lecture deck (built here into a temporary folder) opens from file:// with the network
  blocked: no failed request, no console error, reveal.js ready, as many slides as the notebook has
  slide cells, all math typeset. Every slide is shown and measured at 1280x720 (heading, body text
  >= 24 px, code and outputs >= 18 px after the fit, inline maths as large as its text, figures
  >= 40% of the slide, zoom >= 90%, no cut box, no overflow); the measurements and a per-deck
  summary go to build/slides/report.json, and a deck fails on any lecture slide that breaks one.
- A slide measures the same whichever way it is reached (→, Space, the URL, the overview); → and
  Space visit every slide in order; G + number goes to that number; C and the contents slide's
  links go where they say. The speaker view shows the notes.
- Screenshots for the README: build/screenshots/lecture-slide.png, figure-slide.png, index.png.

JupyterLab and RISE: test_lab.py. Skipped, with the reason, where Chromium or Playwright is missing
(conftest.py: `.ci/run` installs Chromium; DLCOURSE_CHROMIUM picks another Chromium binary).
"""

from __future__ import annotations

import base64
import dataclasses
import io

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dlcourse.tooling import pipeline, slides

from .conftest import ROOT, SCREENSHOTS, WAIT_MS, Recorder, require_browser

require_browser()

pytestmark = [pytest.mark.slow, pytest.mark.browser]

VIEWPORT = {"width": slides.SLIDE_WIDTH, "height": slides.SLIDE_HEIGHT}
EXECUTED = [
    pipeline.output_path(source)
    for source in pipeline.notebook_sources()
    if pipeline.output_path(source).is_file()
]
SAMPLE = "99_browser_sample"
NOTE_TEXT = "SPEAKER-NOTE: XOR needs a hidden layer."


# -- the sample deck: what the course notebooks may not all have (notes, tall figure, long code) --


def _png(width_in: float, height_in: float) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=100)
    ax.plot([0, 1, 2], [0, 1, 0])
    ax.set_title("a figure taller than the slide")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def sample_notebook() -> nbformat.NotebookNode:
    def cell(kind, source, slide_type, metadata=None, **fields):
        made = new_markdown_cell(source) if kind == "md" else new_code_cell(source, **fields)
        made.metadata.update(metadata or {})
        made.metadata["slideshow"] = {"slide_type": slide_type}
        return made

    long_code = "\n".join(f"value_{i} = {i} * 2  # line {i}" for i in range(40))
    long_output = "".join(f"epoch {i:3d}  loss {1 / (i + 1):.4f}\n" for i in range(120))
    figure = {"image/png": _png(8, 9), "text/plain": "<Figure>"}
    wide_figure = {"image/png": _png(8, 4), "text/plain": "<Figure>"}
    notebook = new_notebook(
        cells=[
            cell(
                "md",
                "# Browser sample\n\nThe sigmoid $\\sigma(z) = \\frac{1}{1 + e^{-z}}$.",
                "slide",
            ),
            cell("md", NOTE_TEXT, "notes"),
            cell(
                "md",
                "## Gradients\n\nFor a weight $w$ and a loss $L$:\n\n"
                "$$\\frac{\\partial L}{\\partial w} = \\frac{\\partial L}"
                "{\\partial \\hat y}\\frac{\\partial \\hat y}{\\partial w}$$\n\n"
                "\\begin{align} a &= b + c \\\\ d &= e \\end{align}",
                "subslide",
            ),
            cell("code", "import numpy as np", "skip", execution_count=1),
            cell("md", "## A long cell\n\nCode and output scroll inside their boxes.", "slide"),
            cell(
                "code",
                long_code,
                "-",
                execution_count=2,
                outputs=[new_output("stream", name="stdout", text=long_output)],
            ),
            cell(
                "md", "## A figure\n\nInline $x^2$ above a figure taller than the slide.", "slide"
            ),
            cell(
                "code",
                "plt.show()",
                "fragment",
                execution_count=3,
                outputs=[new_output("display_data", data=figure)],
            ),
            cell("md", "## A plot\n\nIts code is hidden: the figure fills the slide.", "slide"),
            cell(
                "code",
                "plot_code_hidden()",
                "-",
                execution_count=4,
                outputs=[new_output("display_data", data=wide_figure)],
                metadata={"tags": ["hide-code"], "alt": "A line that rises and falls"},
            ),
            cell(
                "md",
                '## Money is not math\n\n| item | code |\n|---|---|\n| price | `p = "$5"` |',
                "slide",
            ),
        ]
    )
    notebook.metadata["kernelspec"] = dict(pipeline.KERNELSPEC)
    return notebook


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    """Every executed course notebook and the sample, built as `make slides` builds them."""
    folder = tmp_path_factory.mktemp("browser")
    sample = folder / f"{SAMPLE}.ipynb"
    nbformat.write(sample_notebook(), sample)
    out = folder / "slides"
    built = {deck.path.stem: deck for deck in slides.build_slides([*EXECUTED, sample], out)}
    page = slides.render_notebook(sample, out / "notebooks")
    built[SAMPLE] = dataclasses.replace(built[SAMPLE], rendered=page)
    return built


def offline_context(browser):
    """A browser context with the network off: only file:// (and data:) may load."""
    context = browser.new_context(viewport=VIEWPORT, offline=True)
    context.set_default_timeout(WAIT_MS)
    recorder = Recorder(context, lambda url: url.startswith(("file://", "data:", "blob:")))
    return context, recorder


def open_deck(context, recorder, deck, hash=""):
    page = context.new_page()
    page.goto(deck.path.as_uri() + hash)
    page.wait_for_function("() => window.Reveal && Reveal.isReady()")
    page.wait_for_function("() => window.MathJax && MathJax.isReady")
    page.evaluate("() => new Promise(done => MathJax.Hub.Queue(done))")
    page.evaluate("() => Reveal.configure({transition: 'none', fragments: false})")
    return page


RAW_MATH = """() => {
    const root = document.querySelector('.reveal .slides');
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const raw = [];
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (node.parentElement.closest('pre, code, script, style, .MathJax_Preview')) continue;
        const text = node.textContent;
        if (/\\$[^$]+\\$/.test(text) || /\\\\\\(|\\\\\\[|\\\\begin\\{/.test(text)) {
            raw.push(text.trim().slice(0, 80));
        }
    }
    const errors = root.querySelectorAll('[class*="merror"], [class*="noError"], .MathJax_Error');
    return {raw: raw, errors: errors.length, typeset: MathJax.Hub.getAllJax(root).length};
}"""

MEASURE = """(current) => {
    // What the audience sees on the current slide, in slide pixels after the fit's zoom (CSS zoom:
    // computed font sizes and offset heights are unzoomed, so multiply by every zoom above).
    const zoomOf = el => {
        let zoom = 1;
        for (let node = el; node && node !== current; node = node.parentElement) {
            zoom *= parseFloat(node.style.zoom || '1');
        }
        return zoom;
    };
    const size = el => parseFloat(getComputedStyle(el).fontSize) * zoomOf(el);
    const shown = el => el.offsetParent !== null && el.textContent.trim();
    const round = (value, digits) => value === null ? null : Number(value.toFixed(digits));
    const smallest = selector => {
        const sizes = Array.from(current.querySelectorAll(selector)).filter(shown).map(size);
        return sizes.length ? round(Math.min(...sizes), 1) : null;
    };
    // A box is cut when it scrolls, down or sideways.
    const boxes = '.jp-InputArea-editor pre, .jp-OutputArea-output > pre, ' +
        '.jp-OutputArea-output.jp-RenderedHTMLCommon';
    const cut = Array.from(current.querySelectorAll(boxes)).filter(box =>
        box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1).length;
    // Inline maths against the text around it (display maths stands alone).
    const maths = Array.from(current.querySelectorAll('.mjx-chtml'))
        .filter(math => !math.closest('.MJXc-display') && math.offsetParent !== null)
        .map(math => parseFloat(getComputedStyle(math).fontSize) /
                     parseFloat(getComputedStyle(math.parentElement).fontSize));
    // A figure: an output image (not inside an HTML output box); its height on the slide.
    const slideHeight = current.getBoundingClientRect().height;
    const figures = Array.from(current.querySelectorAll('.jp-OutputArea-output img'))
        .filter(img => !img.closest('.jp-OutputArea-output.jp-RenderedHTMLCommon'))
        .map(img => img.getBoundingClientRect().height / slideHeight);
    const zooms = Array.from(current.children).filter(part => !part.matches('aside.notes'))
        .map(part => parseFloat(part.style.zoom || '1'));
    return {
        heading: Array.from(current.querySelectorAll('h1, h2, h3')).some(shown),
        body_px: smallest('.jp-RenderedMarkdown p, .jp-RenderedMarkdown li, ' +
                          '.jp-RenderedMarkdown td, .jp-RenderedMarkdown th, .dlcourse-title-card p'),
        code_px: smallest('.jp-InputArea-editor pre, .jp-OutputArea-output pre, ' +
                          '.jp-OutputArea-output td, .jp-OutputArea-output th'),
        math_scale: maths.length ? round(Math.min(...maths), 3) : null,
        figure_share: figures.length ? round(Math.max(...figures), 2) : null,
        fit: round(zooms.length ? Math.min(...zooms) : 1, 3),
        cut_boxes: cut,
        overflow_px: Math.max(0, current.scrollHeight - current.clientHeight),
        code_visible: Array.from(current.querySelectorAll('.jp-InputArea-editor')).some(shown),
    };
}"""

SETTLE = """async () => {
    // What the audience sees once the slide's figures are decoded and the deck has refitted it.
    const frame = () => new Promise(done => requestAnimationFrame(() => done()));
    const current = Reveal.getCurrentSlide();
    await Promise.all(Array.from(current.querySelectorAll('img'),
                                 img => img.decode().catch(() => null)));
    await document.fonts.ready;
    await frame();
    await frame();
}"""

WALK = """async () => {
    // Show every slide in turn (as a presenter would, so that the deck fits it) and measure it.
    const settle = SETTLE_JS;
    const measured = [];
    const measure = MEASURE_JS;
    for (const slide of Reveal.getSlides()) {
        const at = Reveal.getIndices(slide);
        Reveal.slide(at.h, at.v || 0);
        await settle();
        const current = Reveal.getCurrentSlide();
        const heading = current.querySelector('h1, h2, h3');
        const text = (heading || current).textContent.replace(/\u00b6/g, '');
        const what = text.trim().replace(/\\s+/g, ' ').slice(0, 60);
        measured.push(Object.assign({slide: at.h + 1, title: what}, measure(current)));
    }
    return measured;
}""".replace("MEASURE_JS", MEASURE).replace("SETTLE_JS", SETTLE)
REPORT = ROOT / "build" / "slides" / slides.REPORT_FILE

# What a lecture slide must meet on a projector (issue 17, item 4), each check by name.
BODY_PX, CODE_PX, FIGURE_SHARE, MIN_FIT = 24, 18, 0.40, 0.9
CHECKS = {
    "heading": lambda entry: not entry["heading"],
    "body_px": lambda entry: entry["body_px"] is not None and entry["body_px"] < BODY_PX,
    "code_px": lambda entry: entry["code_px"] is not None and entry["code_px"] < CODE_PX,
    "math": lambda entry: entry["math_scale"] is not None and entry["math_scale"] < 0.99,
    "figure": lambda entry: (
        entry["figure_share"] is not None and entry["figure_share"] < FIGURE_SHARE
    ),
    "fit": lambda entry: entry["fit"] < MIN_FIT - 1e-6,
    "cut": lambda entry: entry["cut_boxes"] > 0,
    "overflow": lambda entry: entry["overflow_px"] > 1,
}


def failing(measured: list[dict]) -> dict[str, list[str]]:
    """The slides that break each check: {check: ["slide 3 (Title)", ...]}, failing checks only."""
    found = {
        check: [f"slide {entry['slide']} ({entry['title']})" for entry in measured if broken(entry)]
        for check, broken in CHECKS.items()
    }
    return {check: names for check, names in found.items() if names}


def summary(measured: list[dict]) -> dict:
    """A deck's numbers for the report: slides, slides with code, the smallest sizes, failures."""

    def least(key):
        values = [entry[key] for entry in measured if entry[key] is not None]
        return min(values) if values else None

    return {
        "lecture_slides": len(measured),
        "slides_with_visible_code": sum(entry["code_visible"] for entry in measured),
        "smallest_code_px": least("code_px"),
        "smallest_body_px": least("body_px"),
        "smallest_figure_share": least("figure_share"),
        "smallest_math_scale": least("math_scale"),
        "min_fit": least("fit"),
        "failing": {check: len(names) for check, names in failing(measured).items()},
    }


def go_to(page, index):
    page.evaluate("h => Reveal.slide(h)", index)
    page.evaluate(SETTLE)


# -- slide decks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [path.stem for path in EXECUTED] + [SAMPLE])
def test_deck_opens_offline_with_every_slide_typeset_and_measured(name, decks, browser):
    deck = decks[name]
    context, recorder = offline_context(browser)
    try:
        page = open_deck(context, recorder, deck)
        assert page.evaluate("() => Reveal.getTotalSlides()") == deck.slides
        math = page.evaluate(RAW_MATH)
        assert math["raw"] == [], f"math left untypeset: {math['raw'][:3]}"
        assert math["errors"] == 0, "MathJax could not typeset some math"
        if name == SAMPLE:
            assert math["typeset"] >= 4

        shots = SCREENSHOTS / "slides"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"{name}-title.png"))
        measured = page.evaluate(WALK)
        assert recorder.blocked == [], f"{name} tried the network: {recorder.blocked[:3]}"
        assert recorder.failed == [], f"{name}: failed requests: {recorder.failed[:3]}"
        assert recorder.errors == [], f"{name}: console errors: {recorder.errors[:3]}"
        if name == SAMPLE:  # the sample's long box scrolls on purpose, its tall figure shrinks
            assert [entry["fit"] for entry in measured] == [1.0] * 3 + [MIN_FIT] + [1.0] * 3
            assert failing(measured).get("cut") == ["slide 4 (A long cell)"]
            return
        _record(name, measured)
        broken = failing(measured)
        assert broken == {}, (
            f"{name}: lecture slides that break a check (heading; body text "
            f">= {BODY_PX}px; code and outputs >= {CODE_PX}px; inline maths as large as its text; "
            f"figures >= {FIGURE_SHARE:.0%} of the slide; fit >= {MIN_FIT:.0%}; no cut box; no "
            f"overflow): {broken}"
        )
    finally:
        context.close()


def _record(name: str, measured: list[dict]) -> None:
    """Merge one deck's summary and per-slide measurements into build/slides/report.json."""
    import json

    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(REPORT.read_text()) if REPORT.is_file() else {}
    report = {key: value for key, value in report.items() if "summary" in value}  # older format
    report[name] = {"summary": summary(measured), "slides": measured}
    REPORT.write_text(json.dumps(dict(sorted(report.items())), indent=1, ensure_ascii=False) + "\n")


# -- the same fit whichever way a slide is reached; linear navigation, G + number, contents -------

KEYS = {"ArrowRight": "→", " ": "Space"}


def press(page, key, times=1):
    for _ in range(times):
        page.keyboard.press(key)
    page.evaluate(SETTLE)


def measure_current(page):
    return page.evaluate(f"() => ({MEASURE})(Reveal.getCurrentSlide())")


def reached(browser, deck, indices, route):
    """Open ``deck`` and reach each slide of ``indices`` (0-based, rising) by ``route``.

    Returns each slide's measurements. The URL route opens the deck afresh for each slide; the
    others go on from the previous slide, from the first one: → or Space, or O (the overview), →
    there, O again.
    """
    measured = {}
    context, recorder = offline_context(browser)
    try:
        page = None if route == "url" else open_deck(context, recorder, deck)
        at = 0
        for index in indices:
            if route == "url":
                page = open_deck(context, recorder, deck, f"#/{index}")
            elif route in ("→", "Space"):
                press(page, "ArrowRight" if route == "→" else " ", index - at)
            else:
                press(page, "o")
                press(page, "ArrowRight", index - at)
                press(page, "o")
            at = index
            assert page.evaluate("() => Reveal.getIndices().h") == index, route
            assert not page.evaluate("() => Reveal.isOverview()")
            measured[index] = measure_current(page)
        assert recorder.errors == [], recorder.errors
        return measured
    finally:
        context.close()


ROUTES = ("→", "Space", "url", "overview")


def test_a_slide_fits_the_same_whichever_way_it_is_reached(decks, browser):
    # The sample's maths slide, its long slide (zoomed to the floor) and its hidden-code figure.
    indices = (2, 3, 5)
    by_route = {route: reached(browser, decks[SAMPLE], indices, route) for route in ROUTES}
    for index in indices:
        first = by_route["→"][index]
        differ = {route: got[index] for route, got in by_route.items() if got[index] != first}
        assert differ == {}, f"slide {index + 1} by →: {first}; otherwise: {differ}"
    assert by_route["url"][3]["fit"] == MIN_FIT
    assert by_route["url"][5]["figure_share"] >= FIGURE_SHARE
    assert by_route["url"][2]["math_scale"] >= 1


def test_arrow_and_space_visit_every_slide_in_order_and_g_jumps_to_a_number(decks, browser):
    deck = decks[EXECUTED[-1].stem] if EXECUTED else decks[SAMPLE]
    context, recorder = offline_context(browser)
    try:
        page = open_deck(context, recorder, deck)
        page.evaluate("() => Reveal.configure({fragments: true})")  # as presented
        total = page.evaluate("() => Reveal.getTotalSlides()")
        for key, label in KEYS.items():
            page.evaluate("() => Reveal.slide(0, 0, -1)")
            seen = [0]
            for _ in range(total * 4):  # fragments take key presses too
                page.keyboard.press(key)
                index = page.evaluate("() => Reveal.getIndices().h")
                if index != seen[-1]:
                    seen.append(index)
                if page.evaluate("() => Reveal.isLastSlide() && !Reveal.availableFragments().next"):
                    break
            assert seen == list(range(total)), f"{label} visits {seen}"
        for number in (total, 2, max(1, total // 2)):
            page.keyboard.press("g")
            page.keyboard.type(str(number))
            page.keyboard.press("Enter")
            page.evaluate(SETTLE)
            shown = page.locator(".reveal .slide-number").inner_text()
            assert shown.split("/")[0].strip() == str(number), (number, shown)
            assert page.evaluate("() => Reveal.getIndices().h") == number - 1
        assert recorder.errors == [], recorder.errors
    finally:
        context.close()


def test_the_contents_slide_links_every_section(decks, browser):
    deck = decks[SAMPLE]
    context, recorder = offline_context(browser)
    try:
        page = open_deck(context, recorder, deck)
        press(page, "ArrowRight", 3)
        press(page, "c")  # C: the contents slide, from anywhere
        assert page.evaluate("() => Reveal.getIndices().h") == slides.CONTENTS_SLIDE
        links = page.locator(".reveal .slides section.present .celltag_dlcourse-contents li a")
        names = [name.strip() for name in links.all_inner_texts()]
        assert names == ["Gradients", "A long cell", "A figure", "A plot", "Money is not math"]
        links.nth(3).click()
        page.evaluate(SETTLE)
        heading = page.locator(".reveal .slides section.present h2").first.inner_text()
        assert heading.strip().rstrip("¶") == "A plot"
        assert page.evaluate("() => Reveal.getIndices().h") == 5
        assert measure_current(page)["fit"] == 1.0
        assert recorder.errors == [], recorder.errors
    finally:
        context.close()


def test_title_slide_shows_the_course_framing_and_screenshots(decks, browser):
    """Screenshots for the README: a lecture slide with code, a figure slide, the index."""
    from dlcourse.tooling.course import load_course

    course = load_course()
    context, recorder = offline_context(browser)
    try:
        shots = {}
        for name in [path.stem for path in EXECUTED if not path.stem.startswith("00")]:
            page = open_deck(context, recorder, decks[name])
            card = page.locator(".reveal .slides section.present .dlcourse-title-card")
            for line in (course.heading, course.institution, course.academic_year):
                assert line in card.inner_text()
            found = page.evaluate(FIND_SHOTS)
            for shot, index in found.items():
                if index is not None and shot not in shots:
                    go_to(page, index)
                    page.wait_for_timeout(400)  # the progress bar's and controls' animations
                    shots[shot] = f"{name} slide {index + 1}"
                    page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"))
            page.close()
            if len(shots) == len(found):
                break
        if EXECUTED:
            assert set(shots) == {"lecture-slide", "figure-slide"}, shots
        page = context.new_page()
        page.goto((decks[SAMPLE].path.parent / "index.html").as_uri())
        page.screenshot(path=str(SCREENSHOTS / "index.png"))
        assert recorder.errors == [], recorder.errors
    finally:
        context.close()


FIND_SHOTS = """() => {
    // The first slide that shows code and no figure, and the first figure slide whose code is hidden.
    const slides = Reveal.getSlides();
    const find = test => { const at = slides.findIndex(test); return at < 0 ? null : at; };
    return {
        "lecture-slide": find(s => s.querySelector('.jp-InputArea-editor') && !s.querySelector('img')
                                  && s.querySelector('.jp-InputArea-editor pre').textContent
                                      .split('\\n').length <= 10),
        "figure-slide": find(s => s.querySelector('.celltag_hide-code img')),
    };
}"""


def test_speaker_view_shows_the_notes(decks, browser):
    context, recorder = offline_context(browser)
    try:
        page = open_deck(context, recorder, decks[SAMPLE])
        with page.expect_popup() as popup:
            page.keyboard.press("s")
        speaker = popup.value
        speaker.wait_for_function(
            "text => { const notes = document.querySelector('.speaker-controls-notes .value');"
            " return notes && notes.textContent.includes(text); }",
            arg=NOTE_TEXT,
        )
        # The speaker view shows the current and the upcoming slide in frames of the same deck.
        speaker.wait_for_selector("#current-slide iframe")
        speaker.set_viewport_size(VIEWPORT)
        speaker.screenshot(path=str(SCREENSHOTS / "slides" / "speaker-view.png"))
        assert recorder.blocked == [] and recorder.failed == [], recorder.failed
        assert recorder.errors == [], recorder.errors
    finally:
        context.close()


def test_rendered_notebook_and_index_open_offline(decks, browser):
    context, recorder = offline_context(browser)
    try:
        deck = decks[SAMPLE]
        page = context.new_page()
        page.goto(deck.rendered.as_uri())
        page.wait_for_function("() => window.MathJax && MathJax.isReady")
        page.evaluate("() => new Promise(done => MathJax.Hub.Queue(done))")
        assert page.evaluate(RAW_MATH.replace(".reveal .slides", "main"))["raw"] == []
        page.goto((deck.path.parent / "index.html").as_uri())
        page.get_by_role("link", name=f"{deck.slides} slides").first.wait_for()
        assert recorder.blocked == [] and recorder.failed == [], recorder.failed
        assert recorder.errors == [], recorder.errors
    finally:
        context.close()
