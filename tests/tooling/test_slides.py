"""The slide build (no browser): decks, index, local assets only, slide counts, clear refusals.

Tests that export a deck with nbconvert are marked slow (`make unit` leaves them out).

The browser checks (decks open offline, math typeset, slides fit, speaker view) are in
tests/tooling/test_browser.py.
"""

import importlib.util
import os
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dlcourse.tooling import editions, pipeline, slides

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = pipeline.repository_root()
EXECUTED = [
    source for source in pipeline.notebook_sources() if pipeline.output_path(source).is_file()
]
MAX_ASSET_BYTES = 4 * 1024 * 1024


def cell(kind, source, slide_type=None, **fields):
    made = new_markdown_cell(source) if kind == "md" else new_code_cell(source, **fields)
    if slide_type is not None:
        made.metadata["slideshow"] = {"slide_type": slide_type}
    return made


def small_notebook(*cells):
    notebook = new_notebook(cells=list(cells))
    notebook.metadata["kernelspec"] = dict(pipeline.KERNELSPEC)
    return notebook


def write(notebook, folder, name="01_sample.ipynb"):
    path = Path(folder) / name
    nbformat.write(notebook, path)
    return path


SAMPLE = small_notebook(
    cell("md", "# Sample title\n\nThe sigmoid $\\sigma(z)$.", "slide"),
    cell("md", "NOTE-TEXT for the speaker", "notes"),
    cell("code", "import numpy as np", "skip", execution_count=1),
    cell("md", "## Second\n\n$$a^2 + b^2 = c^2$$", "subslide"),
    cell(
        "code",
        "print(1)",
        "fragment",
        execution_count=2,
        outputs=[new_output("stream", name="stdout", text="1\n")],
    ),
    cell("md", "## Third", "slide"),
)


class References(HTMLParser):
    """The URLs that a page loads: script src, link href, img src."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "img" and attrs.get("src") and not attrs["src"].startswith("data:"):
            self.urls.append(attrs["src"])


def references(page: Path) -> list[str]:
    parser = References()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.urls


def assert_local(url: str, base: Path) -> None:
    parts = urlsplit(url)
    assert not parts.scheme and not parts.netloc, f"{base.name} loads {url} from the network"
    target = (base.parent / unquote(parts.path)).resolve()
    assert target.is_file(), f"{base.name} references {url}, which is not in the build"


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    notebook = write(SAMPLE, folder)
    out = folder / "slides"
    decks = slides.build_slides([notebook], out, render=True)
    return out, decks


@pytest.mark.slow
def test_build_writes_a_deck_an_index_and_the_assets(sample_build):
    out, (deck,) = sample_build
    assert deck.path == out / "01_sample.html" and deck.path.is_file()
    assert deck.title == "Sample title" and deck.slides == 3
    assert (out / "index.html").is_file()
    for name in slides.VENDORED:
        assert (out / slides.ASSET_DIR / name).is_dir()
    html = deck.path.read_text(encoding="utf-8")
    assert 'class="notes"' in html and "NOTE-TEXT" in html
    assert "import numpy" not in html, "a skip cell reached the slides"
    assert f"width: {slides.SLIDE_WIDTH}" in html and f"height: {slides.SLIDE_HEIGHT}" in html
    assert "mermaid" not in html.lower()


@pytest.mark.slow
def test_deck_and_rendered_notebook_load_only_files_of_the_build(sample_build):
    out, (deck,) = sample_build
    for page in (deck.path, deck.rendered, out / "index.html"):
        for url in references(page):
            assert_local(url, page)
    deck_urls = references(deck.path)
    assert any("reveal.js/dist/reveal.css" in url for url in deck_urls)
    assert any("mathjax/MathJax.js" in url and "locale=en" in url for url in deck_urls)
    # The scripts that require.js loads at run time.
    html = deck.path.read_text(encoding="utf-8")
    for module in re.findall(r'"([^"]+/(?:dist/reveal|plugin/notes/notes)\.js)"', html):
        assert_local(module, deck.path)
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html)


def test_vendored_style_sheets_reference_only_vendored_files():
    for sheet in slides.ASSETS.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", sheet.read_text()):
            if url.startswith("data:"):
                continue
            assert not urlsplit(url).scheme, f"{sheet.name} loads {url}"
            path = urlsplit(url).path
            assert (sheet.parent / path).resolve().is_file(), f"{sheet.name}: {url} is missing"


@pytest.mark.slow
def test_index_links_every_deck_and_rendered_notebook(sample_build):
    out, (_deck,) = sample_build
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="01_sample.html"' in index and "3 slides" in index
    assert 'href="notebooks/01_sample.html"' in index
    assert "Sample title" in index and "speaker view" in index


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["slide", "-", "subslide", "fragment", "slide"], 3),
        (["skip", "notes", "-", "slide"], 2),  # the first visible cell opens a slide
        (["fragment", "subslide", "subslide"], 3),
        (["skip", "notes"], 0),
    ],
)
def test_expected_slide_count_follows_nbconvert(types, expected):
    notebook = small_notebook(*(cell("md", f"cell {i}", kind) for i, kind in enumerate(types)))
    assert slides.expected_slide_count(notebook) == expected


def test_a_mermaid_diagram_is_refused_with_a_clear_message(tmp_path):
    notebook = small_notebook(cell("md", "# T\n\n```mermaid\ngraph LR; A-->B\n```", "slide"))
    with pytest.raises(pipeline.NotebookError, match="mermaid.*matplotlib"):
        slides.build_deck(write(notebook, tmp_path), tmp_path)


@pytest.mark.slow
def test_widget_state_and_views_are_dropped(tmp_path):
    view = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    notebook = small_notebook(
        cell("md", "# T", "slide"),
        cell(
            "code",
            "bar",
            "-",
            execution_count=1,
            outputs=[
                new_output(
                    "display_data",
                    data={slides.WIDGET_MIME: view, "text/plain": "progress 100%"},
                )
            ],
        ),
    )
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    deck = slides.build_deck(write(notebook, tmp_path), tmp_path)
    html = deck.path.read_text(encoding="utf-8")
    assert "progress 100%" in html
    assert "widget-view" not in html and "unpkg" not in html and "html-manager" not in html


def test_a_notebook_that_was_never_executed_gets_a_clear_message(tmp_path):
    with pytest.raises(pipeline.NotebookError, match="make notebooks"):
        slides.build_deck(tmp_path / "05_missing.ipynb", tmp_path)


def browser_tests_run() -> bool:
    chromium = Path(os.environ.get("DLCOURSE_CHROMIUM", "/usr/bin/chromium"))
    return chromium.is_file() and importlib.util.find_spec("playwright") is not None


@pytest.mark.slow
@pytest.mark.skipif(not EXECUTED, reason="no executed notebook yet: run `make notebooks`")
@pytest.mark.skipif(
    browser_tests_run(), reason="tests/tooling/test_browser.py builds and opens every deck"
)
def test_every_course_notebook_builds_into_a_deck(tmp_path):
    decks = slides.build_slides(EXECUTED, tmp_path)
    assert [deck.path.stem for deck in decks] == [source.stem for source in EXECUTED]
    for deck in decks:
        notebook = nbformat.read(pipeline.output_path(deck.source.with_suffix(".py")), 4)
        assert deck.slides == slides.expected_slide_count(notebook) > 0
        for url in references(deck.path):
            assert_local(url, deck.path)


@pytest.mark.slow
def test_cli_builds_slides_and_reports_a_missing_notebook(tmp_path):
    notebook = write(SAMPLE, tmp_path)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "dlcourse", "slides", "--out", str(out), str(notebook)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "01_sample.html (3 slides)" in result.stdout and (out / "index.html").is_file()
    missing = tmp_path / "07_missing.py"
    missing.write_text("# %%\n")
    command = [sys.executable, "-m", "dlcourse", "slides", "--out", str(out), str(missing)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 1 and "make notebooks" in result.stderr
    assert "Traceback" not in result.stderr


def test_vendored_assets_are_small_and_keep_their_licences():
    files = [path for path in slides.ASSETS.rglob("*") if path.is_file()]
    total = sum(path.stat().st_size for path in files)
    assert total < MAX_ASSET_BYTES, f"vendored assets weigh {total / 2**20:.1f} MB"
    for name in slides.VENDORED:
        assert list((slides.ASSETS / name).glob("LICENSE*")) or name == "requirejs"
    assert "MIT license" in (slides.ASSETS / "requirejs" / "require.js").read_text()[:400]
    fonts = slides.ASSETS / "reveal.js" / "dist" / "theme" / "fonts" / "source-sans-pro"
    assert (fonts / "LICENSE").is_file()
    assert (slides.ASSETS / "README.md").is_file()
    assert not [path for path in files if path.suffix == ".map"]


def test_package_data_ships_every_asset():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = config["package-data"]["dlcourse.tooling"]
    package = ROOT / "dlcourse" / "tooling"
    shipped = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    assets = {path for path in slides.ASSETS.rglob("*") if path.is_file()}
    assert assets <= shipped, sorted(str(path) for path in assets - shipped)[:5]


def test_makefile_has_the_slides_target():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^slides: install$", makefile, re.MULTILINE)
    assert "-m dlcourse slides" in makefile and "make slides" in makefile


@pytest.mark.slow
def test_the_site_publishes_the_student_edition(tmp_path):
    notebook = write(SAMPLE, tmp_path)
    student = tmp_path / "student"
    student.mkdir()
    nbformat.write(editions.student_edition(SAMPLE), student / "01_sample.ipynb")
    out = tmp_path / "site"
    (deck,) = slides.build_slides([notebook], out, render=True, student=student)
    assert deck.student == out / "student" / "01_sample.ipynb" and deck.student.is_file()
    with zipfile.ZipFile(out / slides.STUDENT_ZIP) as archive:
        assert archive.namelist() == ["student/01_sample.ipynb"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="student/01_sample.ipynb"' in index and slides.STUDENT_ZIP in index
    with pytest.raises(pipeline.NotebookError, match="make student"):
        slides.build_slides([notebook], out, student=tmp_path / "empty")
