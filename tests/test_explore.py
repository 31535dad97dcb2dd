"""Tests of dlcourse.explore: a static figure where nothing is live, the right controls where it is."""

import re
import types

import IPython
import IPython.display
import ipywidgets
import matplotlib.pyplot as plt
import nbformat
import pytest
from matplotlib.figure import Figure

from dlcourse import explore as ex
from dlcourse.tooling import pipeline

CONTROLS = {"lr": (0.001, 1.0, 0.001, 0.1), "epochs": (1, 50, 1, 10), "optimizer": ["sgd", "adam"]}
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PLACEHOLDERS = (WIDGET_MIME, "Loading widget", "jupyter-widgets", "widget-state+json")
#: The explorations issue 18 asks for, by notebook: each has exactly one `explore(` cell.
EXPLORATIONS = {
    "03_gradient_descent": "draw_descent",
    "05_activation_functions": "draw_activation",
    "07_regularization": "draw_dropout",
    "09_breast_cancer_practical": "draw_threshold",
}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    monkeypatch.delenv(ex.STATIC_ENV_VAR, raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    yield
    plt.close("all")


@pytest.fixture
def calls():
    """A list that records the keyword arguments of every call of :func:`draw`."""
    return []


@pytest.fixture
def draw(calls):
    def draw(**params):
        calls.append(params)
        _, ax = plt.subplots()
        ax.plot([0, 1], [0, params.get("lr", 1.0)])

    return draw


@pytest.fixture
def kernel(monkeypatch):
    """A fake IPython kernel shell; ``kernel.shown`` records what was displayed."""
    shell = types.SimpleNamespace(kernel=object(), shown=[])
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shell.shown.append(obj))
    return shell


def test_outside_a_kernel_it_draws_once_at_the_defaults(draw, calls, capsys):
    assert not ex.is_live()
    assert ex.explore(draw, **CONTROLS) is None
    assert calls == [{"lr": 0.1, "epochs": 10, "optimizer": "sgd"}]
    assert len(plt.get_fignums()) == 1  # left open for the script or test to use
    assert capsys.readouterr() == ("", "")


def test_static_in_a_kernel_displays_exactly_one_figure_and_no_widget(kernel, draw, calls):
    ex.explore(draw, **CONTROLS)
    assert len(kernel.shown) == 1 and isinstance(kernel.shown[0], Figure)
    assert plt.get_fignums() == []  # closed, so the inline backend does not show it again
    assert len(calls) == 1


def test_a_returned_figure_is_shown_once(kernel):
    def draw(p):
        fig, ax = plt.subplots()
        ax.axvline(p)
        return fig

    ex.explore(draw, p=([0.2, 0.5], 0.5))
    assert len(kernel.shown) == 1


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, False),  # a kernel started by nbclient, nbval or papermill
        ({"JPY_SESSION_NAME": "03_gradient_descent.ipynb"}, True),  # started by JupyterLab
        ({"JPY_SESSION_NAME": "x.ipynb", ex.STATIC_ENV_VAR: "1"}, False),
        ({ex.STATIC_ENV_VAR: "0"}, True),
    ],
)
def test_live_only_in_a_notebook_kernel_unless_forced(kernel, monkeypatch, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert ex.is_live() is expected


def test_the_environment_variable_must_be_0_or_1(monkeypatch):
    monkeypatch.setenv(ex.STATIC_ENV_VAR, "yes")
    with pytest.raises(ValueError, match="DLCOURSE_STATIC: expected unset, 0 .* got 'yes'"):
        ex.is_live()


def test_live_displays_the_controls(kernel, monkeypatch, draw):
    monkeypatch.setenv("JPY_SESSION_NAME", "x.ipynb")
    ex.explore(draw, **CONTROLS)
    assert len(kernel.shown) == 2  # the figure inside the widget's output, then the widget
    figure, view = kernel.shown
    assert isinstance(figure, IPython.display.Image) and figure.format == "png"
    assert isinstance(view, ipywidgets.interactive)
    assert plt.get_fignums() == []


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_the_live_renderer_draws_once_at_the_figure_dpi_through_one_renderer():
    renderer = ex.LiveRenderer()
    first, ax = plt.subplots(figsize=(4, 3), dpi=50)
    ax.set(xlabel="a label the default margins would cut", ylabel="$\\sigma(z)$")
    assert _png_size(renderer.png(first)) == (200, 150)  # no tight bounding box: the full figure
    assert first.get_layout_engine() is not None  # given one, so that its labels stay inside
    drawn = first.canvas.get_renderer()
    second, _ = plt.subplots(figsize=(4, 3), dpi=50, layout="constrained")
    assert _png_size(renderer.png(second)) == (200, 150)
    assert second.canvas is first.canvas and second.canvas.get_renderer() is drawn
    assert type(second.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"  # kept
    other = plt.figure(figsize=(2, 2), dpi=50)
    assert _png_size(renderer.png(other)) == (100, 100)  # another size: another renderer
    with pytest.raises(ValueError, match="LiveRenderer.png\\(figure\\): expected a matplotlib"):
        renderer.png(ax)


def test_the_live_renderer_shows_every_figure_as_an_image_and_closes_it(kernel, draw, calls):
    def two(p):
        draw(lr=p)
        fig, ax = plt.subplots()
        ax.axvline(p)
        return fig

    figures = ex.LiveRenderer().show(two, {"p": 0.5})
    assert len(figures) == 2 and calls == [{"lr": 0.5}]
    assert [type(shown) for shown in kernel.shown] == [IPython.display.Image] * 2
    assert all(_png_size(shown.data) for shown in kernel.shown)
    assert plt.get_fignums() == []


def test_live_view_builds_one_control_per_parameter(draw, calls):
    view = ex.live_view(draw, **CONTROLS, speed=[0.5, 1.0, 2.0])
    assert isinstance(view, ipywidgets.interactive)
    lr, epochs, optimizer, speed, output = view.children
    assert isinstance(lr, ipywidgets.FloatSlider)
    assert (lr.min, lr.max, lr.step, lr.value) == (0.001, 1.0, 0.001, 0.1)
    assert lr.readout_format == ".3f" and not lr.continuous_update
    assert isinstance(epochs, ipywidgets.IntSlider)
    assert (epochs.min, epochs.max, epochs.step, epochs.value) == (1, 50, 1, 10)
    assert isinstance(optimizer, ipywidgets.Dropdown)
    assert optimizer.options == ("sgd", "adam") and optimizer.value == "sgd"
    assert isinstance(speed, ipywidgets.SelectionSlider) and speed.value == 0.5
    assert [w.description for w in view.children[:-1]] == ["lr", "epochs", "optimizer", "speed"]
    assert isinstance(output, ipywidgets.Output)
    assert calls == [{"lr": 0.1, "epochs": 10, "optimizer": "sgd", "speed": 0.5}]
    lr.value = 0.5  # what moving the slider does
    optimizer.value = "adam"
    assert calls[-1] == {"lr": 0.5, "epochs": 10, "optimizer": "adam", "speed": 0.5}
    assert len(calls) == 3


def test_continuous_update_is_passed_to_the_sliders(draw):
    view = ex.live_view(draw, continuous_update=True, lr=(0.0, 1.0, 0.05, 0.5))
    assert view.children[0].continuous_update
    assert view.children[0].readout_format == ".2f"


@pytest.mark.parametrize(
    ("controls", "message"),
    [
        ({}, "explore: expected at least one control"),
        ({"lr": (0.0, 1.0, 0.1)}, "explore\\(lr=...\\): expected \\(min, max, step, default\\)"),
        ({"lr": (1.0, 0.0, 0.1, 0.5)}, "min < max, step > 0 and min <= default <= max"),
        ({"lr": (0.0, 1.0, 0.1, 2.0)}, "min <= default <= max"),
        ({"lr": (0.0, 1.0, 0.0, 0.5)}, "step > 0"),
        ({"lr": []}, "at least one choice"),
        ({"lr": ([0.1, 0.2], 0.3)}, "a default among the choices"),
        ({"lr": 0.1}, "expected \\(min, max, step, default\\)"),
    ],
)
def test_bad_controls_are_rejected_in_both_modes(draw, calls, monkeypatch, controls, message):
    for forced in ("1", "0"):
        monkeypatch.setenv(ex.STATIC_ENV_VAR, forced)
        with pytest.raises(ValueError, match=message):
            ex.explore(draw, **controls)
    assert calls == []


def test_draw_must_be_a_function():
    with pytest.raises(ValueError, match="explore\\(draw\\): expected a function"):
        ex.explore("figure", lr=(0.0, 1.0, 0.1, 0.5))


def test_precompute_evaluates_the_grid_once_and_looks_up_the_nearest_point():
    runs = []

    def train(rate, optimizer):
        runs.append((rate, optimizer))
        return f"{optimizer}@{rate}"

    table = ex.precompute(train, rate=[0.0, 0.1, 0.3], optimizer=["sgd", "adam"])
    assert len(runs) == 6
    assert table(rate=0.1 + 0.2, optimizer="adam") == "adam@0.3"  # 0.30000000000000004
    assert table(rate=0.04, optimizer="sgd") == "sgd@0.0"
    assert len(runs) == 6
    assert table.grid == {"rate": [0.0, 0.1, 0.3], "optimizer": ["sgd", "adam"]}
    with pytest.raises(ValueError, match="lookup\\(optimizer=...\\): expected one of"):
        table(rate=0.1, optimizer="rmsprop")
    with pytest.raises(ValueError, match="lookup: expected the parameters"):
        table(rate=0.1)
    with pytest.raises(ValueError, match="precompute\\(rate=...\\): expected a non-empty list"):
        ex.precompute(train, rate=[])


def test_a_precomputed_grid_gives_the_controls(draw, calls):
    table = ex.precompute(lambda rate: rate * 2, rate=[0.0, 0.5])
    view = ex.live_view(lambda rate: draw(lr=table(rate=rate)), **table.grid)
    assert view.children[0].options == (0.0, 0.5)
    assert calls == [{"lr": 0.0}]


@pytest.mark.slow
def test_executed_notebooks_hold_an_image_not_a_widget():
    """The real thing: a kernel started like the pipeline's and nbval's, then one like JupyterLab's."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    explore_cell = "explore(draw, a=(0.0, 1.0, 0.1, 0.5), kind=['x', 'y'])"
    sources = [
        "import os\nimport matplotlib.pyplot as plt\nfrom dlcourse.explore import explore\n"
        "def draw(a, kind):\n    fig, ax = plt.subplots()\n    ax.plot([0, 1], [0, a], label=kind)",
        explore_cell,
        f"os.environ['JPY_SESSION_NAME'] = 'x.ipynb'\n{explore_cell}",
        f"os.environ['{ex.STATIC_ENV_VAR}'] = '1'\n{explore_cell}",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nbclient.NotebookClient(
        notebook, kernel_name="python3", extra_arguments=["--IPKernelApp.log_level=ERROR"]
    ).execute()
    outputs = [cell.outputs for cell in notebook.cells]
    assert outputs[0] == []
    for static in (outputs[1], outputs[3]):
        assert [(o.output_type, sorted(o.data)) for o in static] == [
            ("display_data", ["image/png", "text/plain"])
        ]
    assert [(o.output_type, WIDGET_MIME in o.data) for o in outputs[2]] == [("display_data", True)]


# -- the static rendering of the course's explorations --------------------------------------------


def _exploration_cell(name: str):
    """The executed notebook ``name`` and its one exploration cell (a line starting `explore(`)."""
    ipynb = pipeline.output_path(pipeline.repository_root() / "notebooks" / f"{name}.py")
    if not ipynb.is_file():
        pytest.skip(f"{ipynb.name} has not been built: run `make notebooks`")
    notebook = nbformat.read(ipynb, as_version=4)
    cells = [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and re.search(r"^explore\(", cell.source, re.MULTILINE)
    ]
    assert len(cells) == 1, f"{name}: expected one exploration cell, got {len(cells)}"
    return notebook, cells[0]


def test_every_course_exploration_is_listed_here():
    """A new exploration gets the checks below: list it in EXPLORATIONS."""
    found = {
        source.stem
        for source in pipeline.notebook_sources()
        if re.search(r"^explore\(", source.read_text(encoding="utf-8"), re.MULTILINE)
    }
    assert found == set(EXPLORATIONS)


@pytest.mark.parametrize("name", sorted(EXPLORATIONS))
def test_an_executed_exploration_is_one_image_never_a_widget(name):
    notebook, cell = _exploration_cell(name)
    assert f"explore({EXPLORATIONS[name]}," in cell.source
    outputs = [(o.output_type, sorted(o.get("data", {}))) for o in cell.outputs]
    assert outputs == [("display_data", ["image/png", "text/plain"])], outputs
    assert "widgets" not in notebook.metadata  # no saved widget state either
    text = nbformat.writes(notebook)
    assert [marker for marker in PLACEHOLDERS if marker in text] == []


@pytest.mark.slow
def test_the_lecture_deck_shows_the_exploration_figure(tmp_path):
    """The slide build takes the executed image: the deck holds it, and no widget placeholder."""
    from dlcourse.tooling import slides

    name = "03_gradient_descent"
    _, cell = _exploration_cell(name)
    image = "".join(cell.outputs[0].data["image/png"].split())
    deck = slides.build_deck(
        pipeline.output_path(pipeline.repository_root() / "notebooks" / f"{name}.py"), tmp_path
    )
    html = deck.path.read_text(encoding="utf-8")
    assert f"data:image/png;base64,{image}" in "".join(html.split())
    assert [marker for marker in PLACEHOLDERS if marker in html] == []
