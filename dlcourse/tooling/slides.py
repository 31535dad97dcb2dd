"""The slide build: a reveal.js deck per executed notebook, an index page, fully offline.

``build_slides`` turns each committed ``notebooks/NN_topic.ipynb`` (executed, with outputs) into
``<out>/NN_topic.html`` with nbconvert's ``SlidesExporter`` and writes ``<out>/index.html`` linking
them. Every script, style sheet and font a deck loads comes from ``<out>/assets/``, a copy of the
files vendored under ``dlcourse/tooling/assets/`` (reveal.js 4, MathJax 2.7, require.js, jQuery; see
``dlcourse/tooling/assets/README.md``): nothing is fetched from the network, and the decks work from
``file://`` as well as from any web server. With ``notebooks=True`` the notebooks are also rendered
as HTML pages (``<out>/notebooks/NN_topic.html``) with the same local assets, and with
``student=<folder>`` the student edition (``make student``) is copied to ``<out>/student/`` and zipped
to ``<out>/student-edition.zip``: the site that GitHub Pages publishes.

Every input (each executed notebook, the student edition) is read and checked before anything is
written, and ``<out>`` must be new, empty or a folder this command wrote before
(:mod:`dlcourse.tooling.outputs`): a failing build leaves an existing folder of someone else's alone.

Three decks per notebook (:data:`DECK_KINDS`), from the same executed notebook:

- the **lecture** deck ``<out>/NN_topic.html``: the core path, what is presented (cells tagged
  ``deep-dive``, ``practice`` or ``solution`` dropped);
- the **full** deck ``<out>/full/NN_topic.html``: every cell, deep dives included; solutions stay
  hidden (``skip``);
- the **solution** deck ``<out>/solutions/NN_topic.html``: each exercise's prompt, then its solution
  and the check it passes (built only for notebooks with solutions).

In every deck, ``subslide`` cells start a slide of their own (no vertical stacks: → and Space visit
every slide in order), cells tagged ``hide-code`` show only their output (the figure, scaled by the
template to fill the space under the text), and a figure's ``alt`` cell metadata becomes its
``<img alt>``. Each deck's title slide shows the course's framing (title, day, institution,
academic year, instructor: ``course.toml``, :mod:`dlcourse.tooling.course`), rendered by the build;
a "Contents" slide follows it, linking each section's first slide (:func:`with_contents`; ``C``
in a deck goes there). Each slide has a footer with the course title and the section (the
notebook's title), and a slide number.

Slides follow the cells' ``slideshow.slide_type``; ``notes`` cells become speaker notes (press ``S``
in a deck). Decks are laid out for 1280x720 (``SLIDE_WIDTH``/``SLIDE_HEIGHT``).
"""

from __future__ import annotations

import copy
import html
import re
import shutil
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat

from dlcourse.tooling.course import Course, load_course
from dlcourse.tooling.editions import (
    DEEP_DIVE_TAG,
    EXERCISE_TAG,
    PRACTICE_TAG,
    SOLUTION_TAG,
    tags,
)
from dlcourse.tooling.errors import NotebookError
from dlcourse.tooling.outputs import OutputFolder
from dlcourse.tooling.pipeline import repository_root

ASSETS = Path(__file__).resolve().parent / "assets"
TEMPLATES = ASSETS / "templates"
# The vendored libraries a deck loads, copied to <out>/assets/.
VENDORED = ("reveal.js", "mathjax", "requirejs", "jquery")
ASSET_DIR = "assets"
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
SLIDE_THEME = "dlcourse"  # assets/reveal.js/dist/theme/dlcourse.css: reveal's white theme, tuned
# locale=en: MathJax would otherwise fetch a translation file for the browser's language.
MATHJAX_QUERY = "config=TeX-AMS_CHTML-full,Safe&locale=en"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
MERMAID_MIME = "text/vnd.mermaid"
MERMAID_FENCE = re.compile(r"^\s*(```|~~~)\s*mermaid\b", re.MULTILINE)
HIDDEN_SLIDE_TYPES = frozenset({"skip", "notes"})
HIDE_CODE_TAG = "hide-code"  # a plotting cell: the slides show its output only
CONTENTS_TAG = "dlcourse-contents"  # the generated "Contents" slide (styled by the template)
TITLE_SLIDE_KEY = "dlcourse_title_slide"  # cell metadata: the cell is on the deck's title slide
CONTENTS_SLIDE = 1  # the contents slide's index (0-based, as in a deck's URL: #/1)
# Where `make handouts` writes each lecture deck's PDF, relative to the slides folder.
HANDOUT_DIR = "../handouts"
# Files that others add to the slides folder on purpose, kept on a rebuild: the browser tests'
# measurements (tests/tooling/test_browser.py) and accessibility report (axe-core).
REPORT_FILE = "report.json"
TEST_REPORTS = (REPORT_FILE, "a11y.json")
# The notebooks link glossary terms as GLOSSARY.md#term; the site links its HTML rendering instead.
GLOSSARY_PAGE = "glossary.html"
GLOSSARY_LINK = re.compile(r"\]\(GLOSSARY\.md(#[\w-]+)?\)")
LECTURE, FULL, SOLUTIONS = "lecture", "full", "solutions"
# Each deck kind and its folder under <out> ("" is <out> itself).
DECK_KINDS = {LECTURE: "", FULL: "full", SOLUTIONS: "solutions"}


@dataclass(frozen=True)
class Deck:
    """One built deck: where it is, its title and how many slides it has.

    A lecture deck (``kind == "lecture"``) carries its ``full`` and ``solutions`` decks (``None``
    where not built: a notebook without solutions has no solution deck).
    """

    source: Path
    path: Path
    title: str
    slides: int
    rendered: Path | None = None
    student: Path | None = None
    kind: str = LECTURE
    full: Deck | None = None
    solutions: Deck | None = None


def asset_urls(prefix: str = ASSET_DIR) -> dict[str, str]:
    """The exporter settings that point every library at ``prefix`` (relative to the deck)."""
    return {
        "reveal_url_prefix": f"{prefix}/reveal.js",
        "mathjax_url": f"{prefix}/mathjax/MathJax.js?{MATHJAX_QUERY}",
        "require_js_url": f"{prefix}/requirejs/require.js",
        "jquery_url": f"{prefix}/jquery/jquery.min.js",
        # Never used: the course templates drop the mermaid loader and notebooks with widget
        # state (which would load the widget renderer) are refused. Empty, not a CDN, regardless.
        "mermaid_js_url": "",
        "mermaid_layout_elk_js_url": "",
        "widget_renderer_url": f"{prefix}/widgets-not-vendored.js",
        "jupyter_widgets_base_url": f"{prefix}/",
    }


def copy_assets(out: Path) -> Path:
    """Copy the vendored libraries to ``<out>/assets``; return that folder."""
    target = Path(out) / ASSET_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name in VENDORED:
        shutil.copytree(ASSETS / name, target / name, dirs_exist_ok=True)
    return target


def slides_exporter(prefix: str = ASSET_DIR):
    """Nbconvert's SlidesExporter with the course's template, theme, size and local assets."""
    from nbconvert import SlidesExporter

    return SlidesExporter(
        template_name="dlcourse_reveal",
        extra_template_basedirs=[str(TEMPLATES)],
        extra_template_paths=[str(TEMPLATES)],  # dlcourse_common/, shared by both templates
        reveal_theme=SLIDE_THEME,
        reveal_transition="slide",
        reveal_number="c/t",
        reveal_width=str(SLIDE_WIDTH),
        reveal_height=str(SLIDE_HEIGHT),
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        **asset_urls(prefix),
    )


def html_exporter(prefix: str):
    """Nbconvert's HTMLExporter (lab template) with the course's local assets."""
    from nbconvert import HTMLExporter

    urls = {key: value for key, value in asset_urls(prefix).items() if key != "reveal_url_prefix"}
    return HTMLExporter(
        template_name="dlcourse_lab",
        extra_template_basedirs=[str(TEMPLATES)],
        extra_template_paths=[str(TEMPLATES)],
        **urls,
    )


def _slide_type(cell: nbformat.NotebookNode) -> str:
    slideshow = cell.get("metadata", {}).get("slideshow", {})
    return slideshow.get("slide_type", "-") if isinstance(slideshow, dict) else "-"


def expected_slide_count(notebook: nbformat.NotebookNode) -> int:
    """How many slides (reveal.js counts subslides too) the deck of ``notebook`` has.

    As nbconvert builds it: the first visible cell opens a slide whatever its type, then every
    ``slide`` or ``subslide`` cell opens one more.
    """
    visible = [cell for cell in notebook.cells if _slide_type(cell) not in HIDDEN_SLIDE_TYPES]
    if not visible:
        return 0
    first = notebook.cells.index(visible[0])
    later = notebook.cells[first + 1 :]
    return 1 + sum(_slide_type(cell) in {"slide", "subslide"} for cell in later)


def title_of(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The first Markdown heading of the notebook, else ``fallback``."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#{1,2}\s+(.+?)\s*#*\s*$", cell.source, re.MULTILINE)
            if match:
                return match.group(1).strip()
    return fallback


def prepare(notebook: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """A copy of ``notebook`` ready for an offline export; refuses what needs a CDN.

    Widget views are dropped (their state is not saved; the text fallback stays), and so is the
    notebook's widget state. Mermaid diagrams are refused: mermaid is not vendored.
    """
    notebook = copy.deepcopy(notebook)
    notebook.metadata.pop("widgets", None)
    for index, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "markdown" and MERMAID_FENCE.search(cell.source):
            raise NotebookError(
                f"{name}: cell {index} has a mermaid diagram, which the offline slides cannot "
                "draw (mermaid is not vendored); draw it with matplotlib (dlcourse.plots) instead"
            )
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if MERMAID_MIME in data:
                raise NotebookError(
                    f"{name}: cell {index} outputs a mermaid diagram, which the offline slides "
                    "cannot draw; output a matplotlib figure instead"
                )
            data.pop(WIDGET_MIME, None)
    if expected_slide_count(notebook) == 0:
        raise NotebookError(f"{name}: every cell is skip or notes; there is no slide")
    return notebook


def _set_slide_type(cell: nbformat.NotebookNode, slide_type: str) -> None:
    cell.setdefault("metadata", {})["slideshow"] = {"slide_type": slide_type}


def for_slides(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` as every deck shows it: flat, plotting code hidden.

    ``subslide`` becomes ``slide`` (no vertical stacks, so that → and Space visit every slide in
    order and the number on a slide is the one ``G`` jumps to); cells tagged ``hide-code`` keep
    their output only (nbconvert's ``transient.remove_source``).
    """
    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        if _slide_type(cell) == "subslide":
            _set_slide_type(cell, "slide")
        if cell.cell_type == "code" and HIDE_CODE_TAG in tags(cell):
            cell.metadata.setdefault("transient", {})["remove_source"] = True
    return notebook


def lecture_deck(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The core path: ``notebook`` without its ``deep-dive``, ``practice`` and ``solution`` cells."""
    dropped = {DEEP_DIVE_TAG, PRACTICE_TAG, SOLUTION_TAG}
    notebook = for_slides(notebook)
    notebook.cells = [cell for cell in notebook.cells if not dropped & set(tags(cell))]
    return notebook


def full_deck(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Every cell of ``notebook``, deep dives included; ``solution`` cells hidden (``skip``)."""
    notebook = for_slides(notebook)
    for cell in notebook.cells:
        if SOLUTION_TAG in tags(cell):
            _set_slide_type(cell, "skip")
    return notebook


def link_glossary(notebook: nbformat.NotebookNode, prefix: str) -> nbformat.NotebookNode:
    """A copy of ``notebook`` whose ``GLOSSARY.md#term`` links point at ``<prefix>glossary.html``.

    ``prefix`` is the way from the page's folder to the site's root (``""`` or ``"../"``).
    """
    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = GLOSSARY_LINK.sub(
                lambda match: f"]({prefix}{GLOSSARY_PAGE}{match.group(1) or ''})", cell.source
            )
    return notebook


def write_glossary(out: Path, exporter, source: Path | None = None) -> Path:
    """Render the glossary (Markdown, ``### term`` headings) as ``<out>/glossary.html``.

    nbconvert gives each heading the id the notebooks' links use (``### out-of-fold`` →
    ``#out-of-fold``, as on GitHub).
    """
    source = source or repository_root() / "notebooks" / "GLOSSARY.md"
    text = Path(source).read_text(encoding="utf-8")
    page = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    return _export(page, Path(GLOSSARY_PAGE).stem, out, exporter)


def _heading(cell: nbformat.NotebookNode) -> str | None:
    match = re.search(r"^#{1,6}\s+(.+?)\s*#*\s*$", cell.source, re.MULTILINE)
    return match.group(1).strip() if match else None


def _check_passed(cell: nbformat.NotebookNode) -> None:
    """Show under a solution code cell that its ``assert check_…`` passed (it shows nothing)."""
    if any("✓" in str(output.get("text", output.get("data", ""))) for output in cell.outputs):
        return
    asserts = [
        line.strip()
        for line in cell.source.splitlines()
        if re.match(r"\s*assert\s+check_\w+\(", line)
    ]
    if asserts and not any(output.get("output_type") == "error" for output in cell.outputs):
        text = "".join(f"✓ {line[len('assert ') :]} passed\n" for line in asserts)
        cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=text))


def solution_deck(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The title slide, then for each exercise: its prompt, then its solution and passed check.

    A prompt is a Markdown cell tagged ``exercise``; its solution is the ``solution`` cells after
    it, on a slide of their own headed "<prompt heading> — solution". Stubs and the rest of the
    notebook are left out. A notebook without ``solution`` cells gives a deck without exercises.
    """
    notebook = for_slides(notebook)
    visible = [cell for cell in notebook.cells if _slide_type(cell) not in HIDDEN_SLIDE_TYPES]
    cells = [visible[0]] if visible else []
    heading = None  # the heading of the prompt whose solution has not started yet
    for cell in notebook.cells:
        cell_tags = set(tags(cell))
        if SOLUTION_TAG in cell_tags:
            if heading is not None:
                title = nbformat.v4.new_markdown_cell(f"## {heading} — solution")
                _set_slide_type(title, "slide")
                cells.append(title)
                heading = None
            _set_slide_type(cell, "-")
            if cell.cell_type == "code":
                _check_passed(cell)
            cells.append(cell)
        elif EXERCISE_TAG in cell_tags and cell.cell_type == "markdown" and cell is not cells[0]:
            _set_slide_type(cell, "slide")
            cells.append(cell)
            heading = _heading(cell) or "Exercise"
    notebook.cells = cells
    return notebook


def _slides(notebook: nbformat.NotebookNode) -> list[list[nbformat.NotebookNode]]:
    """The cells of each slide of ``notebook`` (flat: no subslides), as nbconvert groups them.

    Hidden cells before the first visible one belong to the first slide.
    """
    groups: list[list[nbformat.NotebookNode]] = [[]]
    started = False
    for cell in notebook.cells:
        kind = _slide_type(cell)
        if started and kind == "slide":
            groups.append([])
        started = started or kind not in HIDDEN_SLIDE_TYPES
        groups[-1].append(cell)
    return groups if started else []


def _slide_heading(cells: list[nbformat.NotebookNode]) -> str | None:
    for cell in cells:
        if cell.cell_type == "markdown" and _slide_type(cell) not in HIDDEN_SLIDE_TYPES:
            heading = _heading(cell)
            if heading:
                return heading
    return None


# "Momentum (continued)", "Momentum (cont.)", "Momentum — continued": the section "Momentum"; in
# a solution deck, "Exercise 1 — solution" continues "Exercise 1".
CONTINUED = re.compile(
    r"\s*(\((continued|cont\.?|solution)\)|[—–-]\s*(continued|cont\.?|solution))\s*$", re.I
)


def contents_entries(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """Each section of ``notebook``: (its first slide's index in the framed deck, its heading).

    The index counts the title slide (0) and the contents slide (1). A slide whose heading
    repeats the previous one (a continuation slide) is not a new section.
    """
    entries: list[tuple[int, str]] = []
    previous = None
    for index, cells in enumerate(_slides(notebook)[1:], start=CONTENTS_SLIDE + 1):
        heading = _slide_heading(cells)
        section = CONTINUED.sub("", heading) if heading else previous
        if heading and section != previous:
            entries.append((index, heading))
        previous = section
    return entries


def with_contents(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the flat deck ``notebook`` with its title slide marked and a "Contents" slide.

    The cells of the first slide carry :data:`TITLE_SLIDE_KEY` (the template adds the course's
    framing to that slide); the contents slide, second, links each section's first slide
    (``#/N``, N counted from 0 as reveal.js does). A deck of one slide gets no contents slide.
    """
    notebook = copy.deepcopy(notebook)
    groups = _slides(notebook)
    if not groups:
        return notebook
    for cell in groups[0]:
        cell.metadata[TITLE_SLIDE_KEY] = True
    entries = contents_entries(notebook)
    if len(groups) < 2 or not entries:
        return notebook
    lines = [
        f"{number}. [{heading}](#/{index})"
        for number, (index, heading) in enumerate(entries, start=1)
    ]
    contents = nbformat.v4.new_markdown_cell("## Contents\n\n" + "\n".join(lines))
    _set_slide_type(contents, "slide")
    contents.metadata["tags"] = [CONTENTS_TAG]
    notebook.cells.insert(notebook.cells.index(groups[1][0]), contents)
    return notebook


def has_solutions(notebook: nbformat.NotebookNode) -> bool:
    """Whether any cell of ``notebook`` is tagged ``solution``."""
    return any(SOLUTION_TAG in tags(cell) for cell in notebook.cells)


DECK_VARIANTS = {LECTURE: lecture_deck, FULL: full_deck, SOLUTIONS: solution_deck}


def _read_executed(ipynb: Path) -> nbformat.NotebookNode:
    ipynb = Path(ipynb)
    if not ipynb.is_file():
        raise NotebookError(
            f"{ipynb.name} is missing: run `make notebooks` to execute its .py source first"
        )
    return nbformat.read(ipynb, as_version=4)


def read_prepared(ipynb: Path) -> nbformat.NotebookNode:
    """The executed notebook ``ipynb``, read and checked by :func:`prepare`."""
    ipynb = Path(ipynb)
    return prepare(_read_executed(ipynb), ipynb.name)


def _export(
    notebook: nbformat.NotebookNode, name: str, out: Path, exporter, framing: dict | None = None
) -> Path:
    resources = {"metadata": {"name": name}, "dlcourse": framing or {}}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    Path(out).mkdir(parents=True, exist_ok=True)
    target = Path(out) / f"{name}.html"
    target.write_text(body, encoding="utf-8")
    return target


def framing(course: Course, section: str) -> dict[str, str]:
    """What the templates show of the course: the title slide's lines, the footer's text."""
    return {
        "course": course.heading,
        "byline": course.byline,
        "section": section,
        "where": course.where,
        "instructor": course.instructor,
    }


def build_deck(
    ipynb: Path,
    out: Path,
    exporter=None,
    notebook=None,
    kind: str = LECTURE,
    course: Course | None = None,
) -> Deck:
    """Write the ``kind`` deck (lecture, full, solutions) of the executed notebook ``ipynb``.

    Written into ``out`` (the kind's folder is not added here); assets not copied. ``notebook`` is
    ``ipynb`` already read by :func:`read_prepared` (read here when omitted); ``course`` is the
    course's framing (default: ``course.toml``).
    """
    ipynb = Path(ipynb)
    notebook = notebook if notebook is not None else read_prepared(ipynb)
    title = title_of(notebook, ipynb.stem)
    variant = with_contents(DECK_VARIANTS[kind](notebook))
    variant = link_glossary(variant, "../" if DECK_KINDS[kind] else "")
    course = course if course is not None else load_course()
    target = _export(
        variant, ipynb.stem, out, exporter or slides_exporter(), framing(course, title)
    )
    return Deck(ipynb, target, title, expected_slide_count(variant), kind=kind)


def render_notebook(
    ipynb: Path, out: Path, prefix: str = f"../{ASSET_DIR}", exporter=None, notebook=None
) -> Path:
    """Write ``ipynb`` as a notebook HTML page into ``out`` with local assets at ``prefix``."""
    ipynb = Path(ipynb)
    notebook = notebook if notebook is not None else read_prepared(ipynb)
    notebook = link_glossary(notebook, "../")  # pages sit in <site>/notebooks/
    return _export(notebook, ipynb.stem, out, exporter or html_exporter(prefix))


def build_slides(
    notebooks: list[Path],
    out: Path,
    render: bool = False,
    student: Path | None = None,
    course: Course | None = None,
) -> list[Deck]:
    """Build the three decks per executed notebook (``.ipynb``, or its ``.py`` source) into ``out``.

    Lecture decks go to ``out``, full decks to ``out/full/``, solution decks to
    ``out/solutions/`` (for notebooks with solutions). Copies the assets and writes ``index.html``;
    with ``render`` the notebooks are also rendered as HTML pages under ``out/notebooks/``; with
    ``student`` (the folder ``make student`` wrote) the student edition is copied to
    ``out/student/`` and zipped. ``course`` is the course's framing (default: ``course.toml``).
    Returns the lecture decks in order, each carrying its full and solution decks. Every input is
    read and checked first; ``out`` is checked by
    :class:`~dlcourse.tooling.outputs.OutputFolder` before anything is written; the browser
    tests' reports there (:data:`TEST_REPORTS`) are accepted and kept.

    Raises:
        NotebookError: a notebook is missing or cannot be shown offline; nothing was written.
        OutputError: ``out`` is not a folder this command may write; nothing was written.
        BuildError: the course config is missing or malformed; nothing was written.
    """
    ipynbs = [Path(notebook).with_suffix(".ipynb") for notebook in notebooks]
    if not ipynbs:
        raise NotebookError("slides: expected at least one notebook, got none")
    prepared = [read_prepared(ipynb) for ipynb in ipynbs]
    editions = student_notebooks(Path(student)) if student is not None else []
    course = course if course is not None else load_course()
    with OutputFolder(out, "slides", inputs=[*ipynbs, *editions], artefacts=TEST_REPORTS) as out:
        copy_assets(out)
        # The decks in a subfolder load the same assets one level up.
        exporters = {
            kind: slides_exporter(f"../{ASSET_DIR}" if folder else ASSET_DIR)
            for kind, folder in DECK_KINDS.items()
        }
        page_exporter = html_exporter(f"../{ASSET_DIR}") if render else None
        decks = []
        for ipynb, notebook in zip(ipynbs, prepared, strict=True):
            built = {
                kind: build_deck(
                    ipynb,
                    out / folder,
                    exporters[kind],
                    notebook=notebook,
                    kind=kind,
                    course=course,
                )
                for kind, folder in DECK_KINDS.items()
                if kind != SOLUTIONS or has_solutions(notebook)
            }
            deck = replace(built[LECTURE], full=built[FULL], solutions=built.get(SOLUTIONS))
            if render:
                page = render_notebook(
                    ipynb, out / "notebooks", exporter=page_exporter, notebook=notebook
                )
                deck = replace(deck, rendered=page)
            decks.append(deck)
        if student is not None:
            decks = add_student_edition(decks, Path(student), out)
        write_glossary(out, html_exporter(ASSET_DIR))
        write_index(decks, out, course=course)
    return decks


STUDENT_DIR, STUDENT_ZIP = "student", "student-edition.zip"


def student_notebooks(student: Path) -> list[Path]:
    """The notebooks of the student edition in ``student``; fails when there is none."""
    editions = sorted(Path(student).glob("*.ipynb"))
    if not editions:
        raise NotebookError(f"student edition: no notebook in {student}; run `make student` first")
    return editions


def add_student_edition(decks: list[Deck], student: Path, out: Path) -> list[Deck]:
    """Copy the student edition's notebooks to ``out/student/`` and zip them; link them to decks."""
    editions = student_notebooks(student)
    target = Path(out) / STUDENT_DIR
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(Path(out) / STUDENT_ZIP, "w", zipfile.ZIP_DEFLATED) as archive:
        for edition in editions:
            shutil.copy2(edition, target / edition.name)
            archive.write(edition, f"{STUDENT_DIR}/{edition.name}")
    by_name = {edition.stem: target / edition.name for edition in editions}
    return [replace(deck, student=by_name.get(deck.path.stem)) for deck in decks]


INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       max-width: 60rem; margin: 2.5rem auto; padding: 0 1.2rem; color: #1f2933; line-height: 1.5; }}
h1 {{ color: #1b3a57; font-size: 1.8rem; margin-bottom: 0.2rem; }}
h2 {{ color: #1b3a57; font-size: 1.25rem; margin: 1.8rem 0 0.4rem; }}
p.lead {{ color: #3e4c59; margin-top: 0; }}
p.start {{ font-size: 1.15rem; }}
table {{ border-collapse: collapse; width: 100%; margin: 1rem 0 1.5rem; }}
th, td {{ text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid #d9e2ec; }}
th {{ color: #3e4c59; font-weight: 600; font-size: 0.85rem; text-transform: uppercase; }}
td.n {{ color: #3e4c59; font-variant-numeric: tabular-nums; width: 2.5rem; }}
a {{ color: #005a8c; }}
kbd {{ border: 1px solid #bcccdc; border-radius: 3px; padding: 0 0.3em; font-size: 0.85em; }}
.keys {{ color: #3e4c59; font-size: 0.92rem; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p class="lead">{byline}</p>
{start}
<h2>Decks</h2>
<p>Three decks per notebook, made from the executed notebooks: the <b>lecture</b> deck (the core
path, what is presented), the <b>full</b> deck (with the deep dives and practice exercises) and the
<b>solutions</b> deck (each exercise, then its solution and its passed check). The
<b>handout</b> is the lecture deck as a PDF, one page per slide (<code>make handouts</code> writes
them to the <a href="{handouts}/">handouts folder</a>).</p>
<table>
<thead><tr><th>#</th><th>notebook</th><th>lecture</th><th>full</th><th>solutions</th>\
<th>handout</th>{extra_headers}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
{student_note}
<p>Terms the notebooks link: the <a href="{glossary}">glossary</a>.</p>
<p class="keys">In a deck: <kbd>&rarr;</kbd>/<kbd>Space</kbd> next slide (every slide, in order),
<kbd>&larr;</kbd> previous, <kbd>G</kbd> then the slide's number and <kbd>Enter</kbd> to jump
there, <kbd>C</kbd> the contents slide, <kbd>O</kbd> overview, <kbd>F</kbd> full screen,
<kbd>S</kbd> speaker view (notes, timer, next slide; allow the pop-up).</p>
</main>
</body>
</html>
"""


def _link(deck: Deck | None, out: Path, label: str) -> str:
    if deck is None:
        return "<td></td>"
    return f'<td><a href="{deck.path.relative_to(out).as_posix()}">{html.escape(label)}</a></td>'


def handout_link(deck: Deck) -> str:
    """Where ``make handouts`` writes the PDF of ``deck``, relative to the slides folder."""
    return f"{HANDOUT_DIR}/{deck.path.stem}.pdf"


def _short_title(deck: Deck) -> tuple[str, str]:
    """``("03", "Gradient descent")`` from ``03_gradient_descent`` titled "03 — Gradient descent"."""
    number = deck.path.stem.split("_", 1)[0]
    return number, re.sub(rf"^{re.escape(number)}\s*[—–:.-]\s*", "", deck.title)


def opening_deck(decks: list[Deck]) -> Deck | None:
    """The day's opening deck: the lecture deck of notebook ``00``, if built."""
    return next((deck for deck in decks if _short_title(deck)[0] == "00"), None)


def write_index(decks: list[Deck], out: Path, course: Course | None = None) -> Path:
    """Write ``out/index.html``, the day's entry point: the course's title and every deck.

    First the opening deck (notebook ``00``'s lecture deck, where built); then per notebook its
    lecture, full and solution decks, its handout (``../handouts/NN_topic.pdf``, written by
    ``make handouts``) and its rendered notebook and student edition, where built. ``course``
    gives the title (default: ``course.toml``).
    """
    out = Path(out)
    course = course if course is not None else load_course()
    rendered = any(deck.rendered for deck in decks)
    student = any(deck.student for deck in decks)
    rows = []
    for deck in decks:
        number, name = _short_title(deck)
        cells = [
            f'<td class="n">{html.escape(number)}</td>',
            f"<td>{html.escape(name)}</td>",
            _link(deck, out, f"{deck.slides} slides"),
            _link(deck.full, out, f"{deck.full.slides} slides" if deck.full else ""),
            _link(deck.solutions, out, "solutions"),
            f'<td><a href="{handout_link(deck)}">PDF</a></td>',
        ]
        for present, path, label in (
            (rendered, deck.rendered, "notebook"),
            (student, deck.student, "student .ipynb"),
        ):
            if present:
                link = path.relative_to(out).as_posix() if path else ""
                cells.append(f'<td><a href="{link}">{label}</a></td>' if link else "<td></td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    opening = opening_deck(decks)
    start = (
        f'<p class="start">Start here: <a href="{opening.path.relative_to(out).as_posix()}">'
        f"{html.escape(_short_title(opening)[1])}</a>, the day's opening deck "
        "(the programme, the timetable and what to have ready).</p>"
        if opening
        else ""
    )
    page = INDEX_TEMPLATE.format(
        title=html.escape(course.heading),
        byline=html.escape(course.byline),
        start=start,
        handouts=HANDOUT_DIR,
        glossary=GLOSSARY_PAGE,
        rows="\n".join(rows),
        extra_headers=("<th>rendered</th>" if rendered else "")
        + ("<th>student edition</th>" if student else ""),
        student_note=(
            f'<p>Student edition (no solutions, no outputs): <a href="{STUDENT_ZIP}">'
            f"{STUDENT_ZIP}</a>: unzip it and open the notebooks in JupyterLab in the course "
            "environment (<code>make lab</code>).</p>"
            if student
            else ""
        ),
    )
    target = out / "index.html"
    target.write_text(page, encoding="utf-8")
    return target
