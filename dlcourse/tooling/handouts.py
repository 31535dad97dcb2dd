"""PDF handouts: each lecture deck printed by headless Chromium, one page per slide.

``build_handouts`` opens each lecture deck that ``make slides`` wrote (``<slides>/NN_topic.html``)
from ``file://`` in Chromium (driven by Playwright; the network is off), waits until reveal.js is
ready, MathJax has typeset every formula and every figure is decoded, and prints it to
``<out>/NN_topic.pdf``.

The deck is not printed in reveal.js's own print mode (``?print-pdf``), which splits a slide over
several pages when its content is taller than a page and gives a page per fragment state. Instead
:data:`HANDOUT_CSS` lays the deck out as a column of slides, one per page, each as the audience
sees it at 1280x720 (``slides.SLIDE_WIDTH`` x ``slides.SLIDE_HEIGHT``): fragments in their final
state (shown), every slide fitted by the deck's own ``fitSlide()``, scaled by reveal.js's scale in
a 1280x720 window, with the footer (course and section) and the slide number under it. A page is
1280x720 CSS pixels: 13.33 x 7.5 in, the 16:9 size slide programs export, and exactly the view
the browser test measures; it prints on A4 or Letter landscape with "fit to page".

Chromium is ``/usr/bin/chromium`` or ``$DLCOURSE_CHROMIUM`` (the one the browser tests drive).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from dlcourse.tooling.errors import BuildError
from dlcourse.tooling.outputs import OutputFolder
from dlcourse.tooling.slides import SLIDE_HEIGHT, SLIDE_WIDTH

CHROMIUM_ENV = "DLCOURSE_CHROMIUM"
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
LECTURE_DECK = re.compile(r"^\d\d_\w+\.html$")  # build/slides/NN_topic.html
WAIT_MS = 60_000  # any single wait in a page (MathJax on a long deck, on a busy machine)
HANDOUT_CLASS = "dlcourse-handout"

# One slide per page: every slide shown, in the flow, exactly a page tall; its fragments shown;
# reveal.js's controls, progress bar, backgrounds and fixed footer/slide number hidden (each page
# gets its own, added by LAYOUT_JS).
HANDOUT_CSS = f"""
@page {{ size: {SLIDE_WIDTH}px {SLIDE_HEIGHT}px; margin: 0; }}
html.{HANDOUT_CLASS}, html.{HANDOUT_CLASS} body {{
    width: {SLIDE_WIDTH}px !important; height: auto !important; margin: 0 !important;
    overflow: visible !important; background: #ffffff;
}}
html.{HANDOUT_CLASS} * {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
html.{HANDOUT_CLASS} .reveal {{
    position: static !important; width: {SLIDE_WIDTH}px !important; height: auto !important;
    overflow: visible !important;
}}
html.{HANDOUT_CLASS} .reveal .slides {{
    position: static !important; inset: auto !important; margin: 0 !important;
    width: {SLIDE_WIDTH}px !important; height: auto !important; transform: none !important;
    zoom: 1 !important; perspective: none !important; overflow: visible !important;
    pointer-events: auto !important;
}}
html.{HANDOUT_CLASS} .reveal .slides > section {{
    display: block !important; position: relative !important; inset: auto !important;
    width: {SLIDE_WIDTH}px !important; height: {SLIDE_HEIGHT}px !important; margin: 0 !important;
    visibility: visible !important; opacity: 1 !important; transform-style: flat !important;
    transform: scale(var(--dlcourse-scale, 1)) !important; transform-origin: 50% 50% !important;
    transition: none !important; break-inside: avoid; break-after: page;
}}
html.{HANDOUT_CLASS} .reveal .slides > section:last-child {{ break-after: auto; }}
html.{HANDOUT_CLASS} .reveal .fragment {{
    opacity: 1 !important; visibility: visible !important; transform: none !important;
    transition: none !important;
}}
html.{HANDOUT_CLASS} .reveal .controls, html.{HANDOUT_CLASS} .reveal .progress,
html.{HANDOUT_CLASS} .reveal .backgrounds, html.{HANDOUT_CLASS} .reveal > .slide-number,
html.{HANDOUT_CLASS} .reveal .speaker-notes, html.{HANDOUT_CLASS} .reveal .pause-overlay,
html.{HANDOUT_CLASS} .reveal aside.notes, html.{HANDOUT_CLASS} .aria-status,
html.{HANDOUT_CLASS} .reveal > .dlcourse-footer {{ display: none !important; }}
html.{HANDOUT_CLASS}.dlcourse-handout-fitted .reveal .slides > section {{
    overflow: clip !important;
}}
html.{HANDOUT_CLASS} .dlcourse-handout-marks {{
    position: absolute; left: 0; top: 0; width: {SLIDE_WIDTH}px; height: 0; z-index: 50;
}}
html.{HANDOUT_CLASS} .dlcourse-handout-marks .dlcourse-footer {{ bottom: auto; }}
html.{HANDOUT_CLASS} .dlcourse-handout-number {{
    position: absolute; right: 16px; height: 25px; box-sizing: border-box; padding: 5px;
    background-color: #1b3a57; color: #ffffff; font-size: 15px; line-height: 15px;
    font-family: Helvetica, Arial, sans-serif;
}}
"""

# Runs in the deck once it is ready and typeset: lays it out for print (HANDOUT_CSS), fits every
# slide with the deck's fitSlide() and returns how many pages (slides) it has.
LAYOUT_JS = """async ([handoutClass, height]) => {
    const frame = () => new Promise(done => requestAnimationFrame(() => done()));
    const slides = document.querySelector('.reveal .slides');
    // Vertical stacks (older decks): their slides become pages of their own, in order.
    for (const stack of Array.from(slides.querySelectorAll(':scope > section.stack'))) {
        for (const child of Array.from(stack.querySelectorAll(':scope > section'))) {
            slides.insertBefore(child, stack);
        }
        stack.remove();
    }
    const footer = document.querySelector('.reveal .dlcourse-footer');
    const footerHeight = footer ? footer.offsetHeight : 0;
    const root = document.documentElement;
    root.style.setProperty('--dlcourse-scale', String(Reveal.getScale() || 1));
    root.classList.add(handoutClass);
    const pages = Array.from(slides.querySelectorAll(':scope > section'));
    pages.forEach(page => {
        page.removeAttribute('hidden');
        page.removeAttribute('aria-hidden');
        page.classList.remove('past', 'future');
        page.classList.add('present');
        page.querySelectorAll('.fragment').forEach(f => f.classList.add('visible'));
    });
    await Promise.all(Array.from(slides.querySelectorAll('img'),
                                 img => img.decode().catch(() => null)));
    await frame();
    if (typeof window.fitSlide === 'function') pages.forEach(page => window.fitSlide(page));
    root.classList.add('dlcourse-handout-fitted');
    // Footer and slide number: where they are on screen, in the margin under the scaled slide.
    // Positioned on the page, outside the slide: an absolutely positioned box inside the slide
    // would be paginated by its untransformed position, below the page.
    const marks = document.createElement('div');
    marks.className = 'dlcourse-handout-marks';
    marks.setAttribute('aria-hidden', 'true');
    pages.forEach((page, index) => {
        let top = 0;
        for (let node = page; node; node = node.offsetParent) top += node.offsetTop;
        if (footer) {
            const copy = footer.cloneNode(true);
            copy.removeAttribute('aria-label');
            copy.style.top = (top + height - 6 - footerHeight) + 'px';
            marks.appendChild(copy);
        }
        const number = document.createElement('div');
        number.className = 'dlcourse-handout-number';
        number.textContent = (index + 1) + '/' + pages.length;
        number.style.top = (top + height - 4 - 25) + 'px';
        marks.appendChild(number);
    });
    document.querySelector('.reveal').appendChild(marks);
    await frame();
    return pages.length;
}"""


@dataclass(frozen=True)
class Handout:
    """One printed handout: the deck it comes from, the PDF and its page count (one per slide)."""

    deck: Path
    path: Path
    pages: int


def chromium() -> Path:
    """The Chromium binary: ``$DLCOURSE_CHROMIUM`` or ``/usr/bin/chromium``; fails when missing."""
    path = Path(os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM)
    if not path.is_file():
        raise BuildError(
            f"handouts: expected Chromium at {path}, got no such file; install it (Debian: "
            f"apt-get install chromium) or set {CHROMIUM_ENV} to a Chromium binary"
        )
    return path


def lecture_decks(folder: Path) -> list[Path]:
    """The lecture decks ``NN_topic.html`` that ``make slides`` wrote into ``folder``, in order.

    Raises:
        BuildError: ``folder`` holds no lecture deck.
    """
    folder = Path(folder)
    decks = sorted(
        path for path in folder.glob("*.html") if LECTURE_DECK.match(path.name) and path.is_file()
    )
    if not decks:
        raise BuildError(
            f"handouts: expected lecture decks NN_topic.html in {folder}, got none; "
            "run `make slides` first"
        )
    return decks


def page_count(pdf: bytes) -> int:
    """How many pages the PDF ``pdf`` (as Chromium writes it: no object streams) has."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def _allow_local(route) -> None:
    """Let file:, data: and blob: URLs load; abort anything on the network."""
    if route.request.url.startswith(("file:", "data:", "blob:")):
        route.continue_()
    else:
        route.abort("blockedbyclient")


def print_deck(context, deck: Path, target: Path) -> Handout:
    """Print the deck ``deck`` to the PDF ``target`` in the browser ``context``: a page per slide.

    Raises:
        BuildError: the deck did not become ready or typeset, or the PDF's page count is not the
            deck's slide count (a slide spilled over its page).
    """
    from playwright.sync_api import Error as PlaywrightError

    deck, target = Path(deck), Path(target)
    page = context.new_page()
    try:
        page.goto(deck.resolve().as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()")
        page.wait_for_function("() => !window.MathJax || MathJax.isReady")
        page.evaluate("() => window.MathJax && new Promise(done => MathJax.Hub.Queue(done))")
        slides = page.evaluate("() => Reveal.getTotalSlides()")
        page.add_style_tag(content=HANDOUT_CSS)
        pages = page.evaluate(LAYOUT_JS, [HANDOUT_CLASS, SLIDE_HEIGHT])
        page.emulate_media(media="screen")  # the deck as on screen, not reveal's print styles
        data = page.pdf(
            width=f"{SLIDE_WIDTH}px",
            height=f"{SLIDE_HEIGHT}px",
            print_background=True,
            prefer_css_page_size=True,
            margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
        )
    except PlaywrightError as error:
        message = str(error).splitlines()[0]
        raise BuildError(f"handouts: {deck.name} could not be printed: {message}") from None
    finally:
        page.close()
    printed = page_count(data)
    if not slides == pages == printed:
        raise BuildError(
            f"handouts: {deck.name}: expected one page per slide ({slides}), got {printed} pages "
            f"from {pages} laid-out slides"
        )
    target.write_bytes(data)
    return Handout(deck, target, printed)


def build_handouts(decks: list[Path], out: Path, browser=None) -> list[Handout]:
    """Print every deck in ``decks`` to ``<out>/<deck name>.pdf``; return the handouts in order.

    ``out`` is checked by :class:`~dlcourse.tooling.outputs.OutputFolder` (new, empty or written
    by this command before) before anything is written. ``browser`` is a Playwright Chromium
    browser to print with (the tests share theirs: one sync Playwright per process); by default
    this function launches its own.

    Raises:
        BuildError: a deck is missing, Chromium is missing, or a deck could not be printed.
        OutputError: ``out`` is not a folder this command may write; nothing was written.
    """
    decks = [Path(deck) for deck in decks]
    if not decks:
        raise BuildError("handouts: expected at least one deck, got none; run `make slides` first")
    missing = [deck for deck in decks if not deck.is_file()]
    if missing:
        raise BuildError(
            f"handouts: expected built decks, got no file {missing[0]}; run `make slides` first"
        )
    folder = OutputFolder(out, "handouts", inputs=decks)
    if browser is not None:
        return _print_all(browser, decks, folder)
    executable = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(executable), args=list(CHROMIUM_ARGS), timeout=WAIT_MS
        )
        try:
            return _print_all(browser, decks, folder)
        finally:
            browser.close()


def _print_all(browser, decks: list[Path], folder: OutputFolder) -> list[Handout]:
    """Print ``decks`` into ``folder`` in a fresh offline context of ``browser``."""
    context = browser.new_context(
        viewport={"width": SLIDE_WIDTH, "height": SLIDE_HEIGHT}, offline=True
    )
    try:
        context.set_default_timeout(WAIT_MS)
        context.route("**/*", _allow_local)
        with folder as target:
            return [print_deck(context, deck, target / f"{deck.stem}.pdf") for deck in decks]
    finally:
        context.close()
