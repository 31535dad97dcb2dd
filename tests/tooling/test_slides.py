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

from dlcourse.tooling import course, editions, outputs, pipeline, slides

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = pipeline.repository_root()
EXECUTED = [
    source for source in pipeline.notebook_sources() if pipeline.output_path(source).is_file()
]
MAX_ASSET_BYTES = 4 * 1024 * 1024
DEFAULT_ALT = "No description has been provided for this image"
COURSE = course.Course(
    title="Test Course Title",
    day="Day 9",
    institution="Test U",
    academic_year="2099",
    instructor="X",
    repository="https://example.org/course.git",
)


def cell(kind, source, slide_type=None, tags=(), alt=None, **fields):
    made = new_markdown_cell(source) if kind == "md" else new_code_cell(source, **fields)
    if slide_type is not None:
        made.metadata["slideshow"] = {"slide_type": slide_type}
    if tags:
        made.metadata["tags"] = list(tags)
    if alt is not None:
        made.metadata["alt"] = alt
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


# A 1x1 PNG: what a plotting cell outputs.
PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def figure_output():
    return new_output("display_data", data={"image/png": PIXEL, "text/plain": "<Figure>"})


# The course's conventions: core path, a figure with hidden code, an in-class exercise, a deep
# dive and a practice exercise (issue 13), each cell's text naming where it may appear.
COURSE_SAMPLE = small_notebook(
    cell("md", "# 02 — Course sample\n\nCORE-INTRO", "slide"),
    cell("md", "## A figure\n\nCORE-FIGURE-TEXT", "slide"),
    cell(
        "code",
        "PLOT_CODE_HIDDEN = plt.plot()",
        "-",
        tags=["hide-code"],
        alt="A rising line: loss against epochs",
        execution_count=1,
        outputs=[figure_output()],
    ),
    cell("md", "## Exercise 1 — sigmoid\n\nPROMPT-ONE", "subslide", tags=["exercise"]),
    cell("code", "def sigmoid(z):\n    STUB_ONE", "-", tags=["exercise"], execution_count=2),
    cell(
        "code",
        "def sigmoid(z):\n    SOLUTION_ONE\n\n\nassert check_sigmoid(sigmoid)",
        "skip",
        tags=["solution"],
        execution_count=3,
    ),
    cell("md", "## Deep dive — agreement\n\nDEEP-DIVE-TEXT", "slide", tags=["deep-dive"]),
    cell("code", "DEEP_CODE = 1", "-", tags=["deep-dive"], execution_count=4),
    cell("md", "## Summary\n\nCORE-SUMMARY", "slide"),
    cell("md", "## Practice — Exercise 2\n\nPROMPT-TWO", "slide", tags=["exercise", "practice"]),
    cell("code", "STUB_TWO = None", "-", tags=["exercise", "practice"], execution_count=5),
    cell(
        "code",
        "SOLUTION_TWO = 2",
        "skip",
        tags=["solution", "practice"],
        execution_count=6,
        outputs=[new_output("stream", name="stdout", text="✓ CHECK-TWO passed\n")],
    ),
)


def section_texts(page: Path) -> list[str]:
    """The text of each top-level slide of a deck, in order."""
    html = page.read_text(encoding="utf-8")
    body = html[html.index('<div class="slides">') :]
    return [
        re.sub(r"<[^>]+>", " ", part) for part in re.findall(r"<section.*?</section>", body, re.S)
    ]


@pytest.fixture(scope="module")
def course_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    out = folder / "slides"
    decks = slides.build_slides(
        [write(COURSE_SAMPLE, folder, "02_course.ipynb")], out, course=COURSE
    )
    return out, decks[0]


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
    assert deck.title == "Sample title" and deck.slides == 4  # with the contents slide
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
    assert 'href="01_sample.html"' in index and "4 slides" in index
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
    assert "01_sample.html (4 slides)" in result.stdout and (out / "index.html").is_file()
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


# -- the three decks, hidden plotting code, alt text, linear navigation, course framing -----------


def sources(notebook):
    return "\n".join(cell.source for cell in notebook.cells)


def test_lecture_deck_is_the_core_path():
    text = sources(slides.lecture_deck(COURSE_SAMPLE))
    for kept in ("CORE-INTRO", "CORE-FIGURE-TEXT", "PROMPT-ONE", "STUB_ONE", "CORE-SUMMARY"):
        assert kept in text
    for dropped in ("SOLUTION_ONE", "DEEP-DIVE-TEXT", "DEEP_CODE", "PROMPT-TWO", "SOLUTION_TWO"):
        assert dropped not in text


def test_full_deck_keeps_deep_dives_and_practice_and_hides_solutions():
    deck = slides.full_deck(COURSE_SAMPLE)
    text = sources(deck)
    for kept in ("DEEP-DIVE-TEXT", "DEEP_CODE", "PROMPT-TWO", "STUB_TWO", "CORE-SUMMARY"):
        assert kept in text
    solutions = [cell for cell in deck.cells if "solution" in editions.tags(cell)]
    assert len(solutions) == 2
    assert {slides._slide_type(cell) for cell in solutions} == {"skip"}


def test_solution_deck_shows_each_prompt_then_its_solution_and_check():
    deck = slides.solution_deck(COURSE_SAMPLE)
    text = sources(deck)
    order = ["Course sample", "PROMPT-ONE", "SOLUTION_ONE", "PROMPT-TWO", "SOLUTION_TWO"]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)
    for dropped in ("STUB_ONE", "STUB_TWO", "DEEP-DIVE-TEXT", "CORE-SUMMARY", "CORE-FIGURE-TEXT"):
        assert dropped not in text
    assert "## Exercise 1 — sigmoid — solution" in text
    one, two = (cell for cell in deck.cells if "solution" in editions.tags(cell))
    # The assert shows nothing: the deck says the check passed; an existing ✓ is kept as is.
    assert one.outputs[-1]["text"] == "✓ check_sigmoid(sigmoid) passed\n"
    assert [output["text"] for output in two.outputs] == ["✓ CHECK-TWO passed\n"]
    assert slides.expected_slide_count(deck) == 5


def test_every_deck_is_flat():
    for make in slides.DECK_VARIANTS.values():
        assert "subslide" not in {slides._slide_type(cell) for cell in make(COURSE_SAMPLE).cells}


@pytest.mark.slow
def test_build_writes_the_three_decks_and_the_index_links_them(course_build):
    out, deck = course_build
    assert deck.path == out / "02_course.html" and deck.kind == "lecture"
    assert deck.full.path == out / "full" / "02_course.html" and deck.full.kind == "full"
    assert deck.solutions.path == out / "solutions" / "02_course.html"
    # Each with its contents slide.
    assert (deck.slides, deck.full.slides, deck.solutions.slides) == (5, 7, 6)
    for built in (deck, deck.full, deck.solutions):
        assert len(section_texts(built.path)) == built.slides
        for url in references(built.path):
            assert_local(url, built.path)
    lecture = deck.path.read_text(encoding="utf-8")
    assert "DEEP-DIVE-TEXT" not in lecture and "SOLUTION_ONE" not in lecture
    assert "DEEP-DIVE-TEXT" in deck.full.path.read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    for link in ("02_course.html", "full/02_course.html", "solutions/02_course.html"):
        assert f'href="{link}"' in index


@pytest.mark.slow
def test_the_index_title_is_the_course_title(course_build):
    out, _deck = course_build
    index = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<title>(.*?)</title>", index).group(1) == "Day 9 — Test Course Title"
    assert re.search(r"<h1>(.*?)</h1>", index).group(1) == "Day 9 — Test Course Title"
    assert "Test U · 2099 · X" in index


@pytest.mark.slow
def test_plotting_code_is_hidden_and_the_figure_carries_its_alt_text(course_build):
    _out, deck = course_build
    for built in (deck, deck.full):
        html = built.path.read_text(encoding="utf-8")
        assert "PLOT_CODE_HIDDEN" not in html
        images = re.findall(r"<img[^>]*>", html)
        assert len(images) == 1
        assert 'alt="A rising line: loss against epochs"' in images[0]
        assert "celltag_hide-code" in html
        assert DEFAULT_ALT not in html


@pytest.mark.slow
def test_decks_navigate_linearly_with_a_number_and_a_footer(course_build):
    _out, deck = course_build
    html = deck.path.read_text(encoding="utf-8")
    body = html[html.index('<div class="slides">') :]
    assert not re.search(r"<section[^>]*>\s*<section", body), "a vertical stack was built"
    assert 'navigationMode: "linear"' in html and 'slideNumber: "c/t"' in html
    footer = re.search(r'<footer[^>]*class="dlcourse-footer"[^>]*>(.*?)</footer>', html, re.S)
    assert footer, "no footer"
    text = re.sub(r"<[^>]+>", " ", footer.group(1))
    assert "Day 9 — Test Course Title" in text and "02 — Course sample" in text


@pytest.mark.slow
def test_changing_the_course_config_changes_the_index_and_the_footer(tmp_path):
    notebook = write(SAMPLE, tmp_path)
    config = tmp_path / "course.toml"
    config.write_text(
        (ROOT / "course.toml")
        .read_text(encoding="utf-8")
        .replace('title = "Deep Learning Foundations (PyTorch)"', 'title = "Renamed Course 42"'),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    command = [sys.executable, "-m", "dlcourse", "slides", "--out", str(out), "--course"]
    result = subprocess.run([*command, str(config), str(notebook)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "full:" in result.stdout
    for page in (out / "index.html", out / "01_sample.html", out / "full" / "01_sample.html"):
        assert "Renamed Course 42" in page.read_text(encoding="utf-8"), page
    default = slides.build_slides([notebook], tmp_path / "default")
    assert "Renamed Course 42" not in (tmp_path / "default" / "index.html").read_text()
    assert default[0].solutions is None  # no solution cell, no solution deck


def test_the_course_config_is_read_and_checked(tmp_path):
    loaded = course.load_course()
    assert loaded.title and loaded.day and loaded.heading.startswith(loaded.day)
    broken = tmp_path / "course.toml"
    broken.write_text('[course]\ntitle = "T"\nday = 3\n')
    with pytest.raises(course.BuildError, match="expected a string for 'day', got 3"):
        course.load_course(broken)
    with pytest.raises(course.BuildError, match="expected a file"):
        course.load_course(tmp_path / "missing.toml")


@pytest.mark.skipif(not EXECUTED, reason="no executed notebook yet: run `make notebooks`")
def test_every_course_figure_with_hidden_code_has_alt_text():
    missing = [
        f"{source.stem} cell {index}"
        for source in EXECUTED
        for index, made in enumerate(nbformat.read(pipeline.output_path(source), 4).cells, 1)
        if made.cell_type == "code"
        and any("image/png" in output.get("data", {}) for output in made.get("outputs", []))
        and not made.metadata.get("alt")
    ]
    assert missing == [], f"figures without an `alt` cell metadata: {missing[:10]}"


# -- title slide, contents slide, index as the day's entry point, the browser test's report -------


def test_the_contents_slide_links_each_section_once():
    notebook = small_notebook(
        cell("md", "# 05 — Topic\n\nINTRO", "slide"),
        cell("code", "setup()", "skip"),
        cell("md", "## First idea", "slide"),
        cell("md", "## First idea (continued)", "slide"),
        cell("md", "more of it", "-"),
        cell("md", "## Second idea", "subslide"),
        cell("md", "no heading here", "slide"),
        cell("md", "## Third idea — continued", "slide"),
    )
    deck = slides.with_contents(slides.lecture_deck(notebook))
    contents = [made for made in deck.cells if slides.CONTENTS_TAG in editions.tags(made)]
    assert len(contents) == 1 and deck.cells.index(contents[0]) == 2  # after the title slide
    assert contents[0].source.splitlines()[2:] == [
        "1. [First idea](#/2)",
        "2. [Second idea](#/4)",
        "3. [Third idea — continued](#/6)",
    ]
    assert slides.expected_slide_count(deck) == 7
    title_slide = [made for made in deck.cells if made.metadata.get(slides.TITLE_SLIDE_KEY)]
    assert [made.source for made in title_slide] == ["# 05 — Topic\n\nINTRO", "setup()"]
    alone = small_notebook(cell("md", "# Only a title", "slide"))
    assert slides.expected_slide_count(slides.with_contents(alone)) == 1


@pytest.mark.slow
def test_every_title_slide_shows_the_course_framing_from_the_config(course_build):
    _out, deck = course_build
    for built in (deck, deck.full, deck.solutions):
        first, second = section_texts(built.path)[:2]
        for line in ("Day 9 — Test Course Title", "Test U · 2099", "X"):
            assert line in first, (built.kind, line)
        assert "Test U" not in second and "Contents" in second
    html = deck.path.read_text(encoding="utf-8")
    assert html.count('dlcourse-title-card">') == 1
    assert '<a href="#/2">A figure</a>' in html and '<a href="#/3">Exercise 1' in html


@pytest.mark.slow
def test_the_index_opens_the_day_and_links_the_handouts(tmp_path):
    opening = small_notebook(cell("md", "# 00 — The day\n\nPROGRAMME", "slide"))
    paths = [write(SAMPLE, tmp_path), write(opening, tmp_path, "00_day.ipynb")]
    out = tmp_path / "slides"
    decks = slides.build_slides(sorted(paths), out, course=COURSE)
    assert slides.opening_deck(decks).path == out / "00_day.html"
    index = (out / "index.html").read_text(encoding="utf-8")
    start = index.index("Start here")
    assert start < index.index("<table>") and 'href="00_day.html">The day</a>' in index[start:]
    for stem in ("00_day", "01_sample"):
        assert f'href="../handouts/{stem}.pdf"' in index
    assert 'href="../handouts/"' in index


@pytest.mark.slow
def test_a_rebuild_keeps_the_browser_report_and_still_refuses_foreign_files(tmp_path):
    notebook = write(SAMPLE, tmp_path)
    out = tmp_path / "slides"
    slides.build_slides([notebook], out, course=COURSE)
    for name in slides.TEST_REPORTS:  # what the browser tests write there
        (out / name).write_text('{"01_sample": {}}\n')
    slides.build_slides([notebook], out, course=COURSE)
    for name in slides.TEST_REPORTS:
        assert (out / name).read_text() == '{"01_sample": {}}\n'
        assert name not in (out / outputs.MARKER).read_text()
    (out / "mine.txt").write_text("not the build's")
    with pytest.raises(outputs.OutputError, match="1 entries it did not create"):
        slides.build_slides([notebook], out, course=COURSE)


def test_the_course_config_has_the_course_and_its_repository(tmp_path):
    loaded = course.load_course()
    assert "Università di Pavia" in loaded.institution and loaded.day == "Day 3"
    assert loaded.instructor and loaded.academic_year.endswith("2025-2026")
    assert loaded.repository.startswith("https://github.com/")
    text = (ROOT / "course.toml").read_text(encoding="utf-8")
    broken = tmp_path / "course.toml"
    broken.write_text(re.sub(r'repository = ".*"', 'repository = "github.com/x"', text))
    with pytest.raises(course.BuildError, match="https:// URL for 'repository'"):
        course.load_course(broken)


def test_glossary_links_point_at_the_sites_glossary_page(tmp_path):
    notebook = new_notebook(
        cells=[new_markdown_cell("A [logit](GLOSSARY.md#logit) and [terms](GLOSSARY.md).")]
    )
    root = slides.link_glossary(notebook, "")
    nested = slides.link_glossary(notebook, "../")
    assert root.cells[0].source == "A [logit](glossary.html#logit) and [terms](glossary.html)."
    assert "](../glossary.html#logit)" in nested.cells[0].source
    assert notebook.cells[0].source.count("GLOSSARY.md") == 2  # the input is left alone

    glossary = tmp_path / "GLOSSARY.md"
    glossary.write_text("# Glossary\n\n### out-of-fold\n\nScored by a model that never saw it.\n")
    page = slides.write_glossary(tmp_path / "site", slides.html_exporter("assets"), glossary)
    assert page.name == "glossary.html"
    assert 'id="out-of-fold"' in page.read_text()


def test_every_glossary_anchor_the_notebooks_use_exists_on_the_glossary_page(tmp_path):
    page = slides.write_glossary(tmp_path, slides.html_exporter("assets"))
    ids = set(re.findall(r'id="([^"]+)"', page.read_text()))
    used = {
        anchor
        for source in pipeline.notebook_sources()
        for anchor in re.findall(r"GLOSSARY\.md#([\w-]+)", source.read_text())
    }
    assert used, "the notebooks link no glossary term"
    assert sorted(used - ids) == []
