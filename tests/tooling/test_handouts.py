"""PDF handouts (``make handouts``): one page per slide, nothing blank, maths typeset, figures in place.

The browser tests print a sample deck (a fragment holding maths, a figure in a fragment, a subslide,
a cell too long for its slide, speaker notes) and one real lecture deck, both built here into a
temporary folder as ``make slides`` builds them, and read the PDFs back with pypdf. They are
skipped, with the reason, where Chromium or Playwright is missing (as tests/tooling/test_browser.py).
The command-line checks (missing decks, a foreign output folder) need no browser.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dlcourse.tooling import cli, handouts, pipeline, slides

from .conftest import CHROMIUM

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason=f"handouts need Chromium at {CHROMIUM} (Debian: apt-get install chromium; or set "
    f"{handouts.CHROMIUM_ENV}); .ci/run installs it",
)
SAMPLE = "98_handout_sample"
# The sample's slides, by heading, in order.
HEADINGS = ["Handout sample", "Gradients", "Chain rule", "A figure", "A long cell", "The end"]
FRAGMENT_TEXT = "Revealed last: the gradient."
NOTE_TEXT = "SPEAKER-NOTE: never printed."
# Raw TeX in a PDF's text: a delimiter, or one of the control words the notebook's Markdown uses
# (code may print "\nb1 =": a backslash before letters is not TeX by itself).
TEX_DELIMITERS = ("$$", "\\(", "\\[")
TEX_WORDS = {"frac", "sum", "mathcal", "partial", "begin"}
REAL_DECK = "01_artificial_neuron"


def _png() -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=80)
    ax.plot([0, 1, 2], [0, 1, 0])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def sample_notebook() -> nbformat.NotebookNode:
    """Six slides: title, a maths fragment, a subslide, a figure fragment, a long cell, the end."""

    def cell(kind, source, slide_type, tags=(), **fields):
        made = new_markdown_cell(source) if kind == "md" else new_code_cell(source, **fields)
        made.metadata["slideshow"] = {"slide_type": slide_type}
        if tags:
            made.metadata["tags"] = list(tags)
        return made

    figure = {"image/png": _png(), "text/plain": "<Figure>"}
    long_output = "".join(f"epoch {i:3d}  loss {1 / (i + 1):.4f}\n" for i in range(120))
    notebook = new_notebook(
        cells=[
            cell(
                "md",
                "# Handout sample\n\nThe sigmoid $\\sigma(z) = \\frac{1}{1 + e^{-z}}$.",
                "slide",
            ),
            cell("code", "import numpy as np", "skip", execution_count=1),
            cell("md", "## Gradients\n\nThe loss sums over samples.", "slide"),
            cell(
                "md",
                f"{FRAGMENT_TEXT}\n\n$$\\frac{{\\partial L}}{{\\partial w}} = "
                "\\sum_{i=1}^{n} \\mathcal{L}_i$$",
                "fragment",
            ),
            cell("md", NOTE_TEXT, "notes"),
            cell(
                "md",
                "## Chain rule\n\n\\begin{align} a &= b + c \\\\ d &= e \\end{align}",
                "subslide",
            ),
            cell("md", "## A figure\n\nInline $x^2$ above the figure.", "slide"),
            cell(
                "code",
                "plt.show()",
                "fragment",
                tags=[slides.HIDE_CODE_TAG],
                execution_count=2,
                outputs=[new_output("display_data", data=figure)],
            ),
            cell("md", "## A long cell", "slide"),
            cell(
                "code",
                "\n".join(f"value_{i} = {i} * 2" for i in range(40)),
                "-",
                execution_count=3,
                outputs=[new_output("stream", name="stdout", text=long_output)],
            ),
            cell("md", "## The end\n\nNext: the notebook.", "slide"),
        ]
    )
    notebook.metadata["kernelspec"] = dict(pipeline.KERNELSPEC)
    return notebook


def raw_tex(text: str, notebook: nbformat.NotebookNode) -> list[str]:
    """The raw TeX left in ``text``: delimiters, and control words of ``notebook``'s Markdown."""
    words = set(TEX_WORDS)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            words.update(re.findall(r"\\([A-Za-z]{2,})", cell.source))
    pattern = rf"\\(?:{'|'.join(sorted(words))})(?![A-Za-z])"
    return re.findall(pattern, text) + [mark for mark in TEX_DELIMITERS if mark in text]


def _build(notebook_path: Path, out: Path) -> slides.Deck:
    """The lecture deck of ``notebook_path``, built as ``make slides`` builds it."""
    (deck,) = slides.build_slides([notebook_path], out)
    return deck


def _pages(pdf: Path) -> list:
    pypdf = pytest.importorskip(
        "pypdf", reason="the handout tests need pypdf: pip install -e '.[test]'"
    )
    return pypdf.PdfReader(str(pdf)).pages


def _body(text: str, deck: slides.Deck) -> str:
    """A page's text without what every page shows: the footer and the slide number."""
    course = slides.load_course().heading
    for mark in (course, deck.title):
        text = text.replace(mark, " ")
    return re.sub(r"\b\d+/\d+\b", " ", text).strip()


@pytest.fixture(scope="module")
def printed(tmp_path_factory, browser):
    """The sample deck and a real lecture deck, built and printed to PDF handouts."""
    pytest.importorskip("playwright.sync_api", reason="handouts need playwright")
    folder = tmp_path_factory.mktemp("handouts")
    sample = folder / f"{SAMPLE}.ipynb"
    nbformat.write(sample_notebook(), sample)
    decks = [_build(sample, folder / "sample-slides")]
    real = pipeline.repository_root() / "notebooks" / f"{REAL_DECK}.ipynb"
    if real.is_file():
        decks.append(_build(real, folder / "real-slides"))
    out = folder / "handouts"
    made = handouts.build_handouts([deck.path for deck in decks], out, browser=browser)
    return {deck.path.stem: (deck, handout) for deck, handout in zip(decks, made, strict=True)}


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_sample_handout_has_a_page_per_slide_in_order_with_fragments_shown(printed):
    deck, handout = printed[SAMPLE]
    pages = _pages(handout.path)
    assert len(pages) == deck.slides == handout.pages >= len(HEADINGS)
    texts = [page.extract_text() for page in pages]
    for number, text in enumerate(texts, start=1):
        assert f"{number}/{len(pages)}" in text, f"page {number}: no slide number"
    # Each slide on its own page, in order (the build may add slides, e.g. a contents slide).
    page_of = {}
    for heading in HEADINGS:
        found = [number for number, text in enumerate(texts) if text.startswith(heading)]
        assert len(found) == 1, f"expected one page headed {heading!r}, got pages {found}"
        page_of[heading] = found[0]
    assert list(page_of.values()) == sorted(page_of.values()), f"pages out of order: {page_of}"
    gradients = texts[page_of["Gradients"]]
    assert FRAGMENT_TEXT in gradients, "the fragment's hidden text is not on its slide's page"
    assert "∂" in gradients and "∑" in gradients, "the fragment's maths is not typeset"
    assert NOTE_TEXT not in "".join(texts), "speaker notes were printed"
    # The figure (in a fragment) is on its slide's page and nowhere else.
    images = [number for number, page in enumerate(pages) for _ in page.images]
    assert images == [page_of["A figure"]], f"expected the figure on its slide's page: {images}"
    width, height = (float(side) for side in pages[0].mediabox.upper_right)
    assert (round(width * 4 / 3), round(height * 4 / 3)) == (
        slides.SLIDE_WIDTH,
        slides.SLIDE_HEIGHT,
    )


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("name", [SAMPLE, REAL_DECK])
def test_handout_has_no_blank_page_and_no_raw_tex(name, printed):
    if name not in printed:
        pytest.skip(f"{name}.ipynb has not been built: run `make notebooks`")
    deck, handout = printed[name]
    pages = _pages(handout.path)
    assert len(pages) == deck.slides == handout.pages
    notebook = nbformat.read(deck.source, as_version=4)
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert _body(text, deck), f"{name}: page {number} is blank (footer only)"
        raw = raw_tex(text, notebook)
        assert raw == [], f"{name}: page {number} shows raw TeX {raw[:3]}"
    # Every figure on its slide's page: the deck's <section>s (one per slide, no stacks) and
    # the handout's pages hold the same images.
    sections = deck.path.read_text(encoding="utf-8").split("<section")[1:]
    in_deck = [section.split("</section>")[0].count("<img") for section in sections]
    assert [len(page.images) for page in pages] == in_deck, f"{name}: figures moved pages"


def test_handouts_without_decks_say_to_build_the_slides(tmp_path, capsys):
    assert cli.main(["handouts", "--slides", str(tmp_path), "--out", str(tmp_path / "h")]) == 1
    error = capsys.readouterr().err
    assert error.startswith("✗ handouts:") and "run `make slides` first" in error
    assert not (tmp_path / "h").exists()


def test_handouts_never_write_into_a_foreign_folder(tmp_path, capsys):
    deck = tmp_path / "slides" / "01_topic.html"
    deck.parent.mkdir()
    deck.write_text("<html></html>")
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    assert cli.main(["handouts", "--slides", str(deck.parent), "--out", str(out)]) == 1
    assert "✗ handouts --out" in capsys.readouterr().err
    assert sorted(path.name for path in out.iterdir()) == ["mine.txt"]


def test_lecture_decks_are_the_numbered_decks_only(tmp_path):
    for name in ("index.html", "02_b.html", "01_a.html", "notes.html"):
        (tmp_path / name).write_text("")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "01_a.html").write_text("")
    assert [path.name for path in handouts.lecture_decks(tmp_path)] == ["01_a.html", "02_b.html"]
