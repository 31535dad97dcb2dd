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

from dlcourse.tooling.errors import NotebookError
from dlcourse.tooling.outputs import OutputFolder

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


@dataclass(frozen=True)
class Deck:
    """One built deck: where it is, its title and how many slides it has."""

    source: Path
    path: Path
    title: str
    slides: int
    rendered: Path | None = None
    student: Path | None = None


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
        template_name="dlcourse_lab", extra_template_basedirs=[str(TEMPLATES)], **urls
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


def _export(notebook: nbformat.NotebookNode, name: str, out: Path, exporter) -> Path:
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": name}})
    Path(out).mkdir(parents=True, exist_ok=True)
    target = Path(out) / f"{name}.html"
    target.write_text(body, encoding="utf-8")
    return target


def build_deck(ipynb: Path, out: Path, exporter=None, notebook=None) -> Deck:
    """Write the slide deck of the executed notebook ``ipynb`` into ``out``; assets not copied.

    ``notebook`` is ``ipynb`` already read by :func:`read_prepared` (read here when omitted).
    """
    ipynb = Path(ipynb)
    notebook = notebook if notebook is not None else read_prepared(ipynb)
    target = _export(notebook, ipynb.stem, out, exporter or slides_exporter())
    return Deck(ipynb, target, title_of(notebook, ipynb.stem), expected_slide_count(notebook))


def render_notebook(
    ipynb: Path, out: Path, prefix: str = f"../{ASSET_DIR}", exporter=None, notebook=None
) -> Path:
    """Write ``ipynb`` as a notebook HTML page into ``out`` with local assets at ``prefix``."""
    ipynb = Path(ipynb)
    notebook = notebook if notebook is not None else read_prepared(ipynb)
    return _export(notebook, ipynb.stem, out, exporter or html_exporter(prefix))


def build_slides(
    notebooks: list[Path], out: Path, render: bool = False, student: Path | None = None
) -> list[Deck]:
    """Build a deck per executed notebook (``.ipynb``, or its ``.py`` source) into ``out``.

    Copies the assets and writes ``index.html``; with ``render`` the notebooks are also rendered
    as HTML pages under ``out/notebooks/``; with ``student`` (the folder ``make student`` wrote)
    the student edition is copied to ``out/student/`` and zipped. Returns the decks in order.
    Every input is read and checked first; ``out`` is checked by
    :class:`~dlcourse.tooling.outputs.OutputFolder` before anything is written.

    Raises:
        NotebookError: a notebook is missing or cannot be shown offline; nothing was written.
        OutputError: ``out`` is not a folder this command may write; nothing was written.
    """
    ipynbs = [Path(notebook).with_suffix(".ipynb") for notebook in notebooks]
    if not ipynbs:
        raise NotebookError("slides: expected at least one notebook, got none")
    prepared = [read_prepared(ipynb) for ipynb in ipynbs]
    editions = student_notebooks(Path(student)) if student is not None else []
    with OutputFolder(out, "slides", inputs=[*ipynbs, *editions]) as out:
        copy_assets(out)
        exporter = slides_exporter()
        page_exporter = html_exporter(f"../{ASSET_DIR}") if render else None
        decks = []
        for ipynb, notebook in zip(ipynbs, prepared, strict=True):
            deck = build_deck(ipynb, out, exporter, notebook=notebook)
            if render:
                page = render_notebook(
                    ipynb, out / "notebooks", exporter=page_exporter, notebook=notebook
                )
                deck = replace(deck, rendered=page)
            decks.append(deck)
        if student is not None:
            decks = add_student_edition(decks, Path(student), out)
        write_index(decks, out)
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
       max-width: 52rem; margin: 2.5rem auto; padding: 0 1.2rem; color: #1f2933; line-height: 1.5; }}
h1 {{ color: #1b3a57; font-size: 1.8rem; margin-bottom: 0.2rem; }}
p.lead {{ color: #52606d; margin-top: 0; }}
table {{ border-collapse: collapse; width: 100%; margin: 1.5rem 0; }}
th, td {{ text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid #d9e2ec; }}
th {{ color: #52606d; font-weight: 600; font-size: 0.85rem; text-transform: uppercase; }}
td.n {{ color: #7b8794; font-variant-numeric: tabular-nums; width: 2.5rem; }}
a {{ color: #0072b2; }}
kbd {{ border: 1px solid #bcccdc; border-radius: 3px; padding: 0 0.3em; font-size: 0.85em; }}
.keys {{ color: #52606d; font-size: 0.92rem; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="lead">Slides for each notebook of the course, made from the executed notebooks.</p>
<table>
<thead><tr><th>#</th><th>notebook</th><th>slides</th>{extra_headers}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
{student_note}
<p class="keys">In a deck: <kbd>&rarr;</kbd>/<kbd>Space</kbd> next, <kbd>Esc</kbd> overview,
<kbd>F</kbd> full screen, <kbd>S</kbd> speaker view (notes, timer, next slide; allow the pop-up).
</p>
</body>
</html>
"""

INDEX_TITLE = "Day 3 — Deep Learning Foundations (PyTorch)"


def write_index(decks: list[Deck], out: Path, title: str = INDEX_TITLE) -> Path:
    """Write ``out/index.html``: a table linking every deck (and rendered notebook)."""
    out = Path(out)
    rendered = any(deck.rendered for deck in decks)
    student = any(deck.student for deck in decks)
    rows = []
    for deck in decks:
        number = deck.path.stem.split("_", 1)[0]
        title = re.sub(rf"^{re.escape(number)}\s*[—–:.-]\s*", "", deck.title)  # "03 — Topic"
        cells = [
            f'<td class="n">{html.escape(number)}</td>',
            f"<td>{html.escape(title)}</td>",
            f'<td><a href="{deck.path.relative_to(out).as_posix()}">{deck.slides} slides</a></td>',
        ]
        for present, path, label in (
            (rendered, deck.rendered, "notebook"),
            (student, deck.student, "student .ipynb"),
        ):
            if present:
                link = path.relative_to(out).as_posix() if path else ""
                cells.append(f'<td><a href="{link}">{label}</a></td>' if link else "<td></td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    page = INDEX_TEMPLATE.format(
        title=html.escape(title),
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
