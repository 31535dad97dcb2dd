"""JupyterLab in a real browser (headless Chromium driven by Playwright).

- JupyterLab, started on 127.0.0.1 as `make lab` starts it, opens a course notebook, runs all
  cells and shows no error output (screenshot build/screenshots/jupyterlab.png).
- The same notebook opens in RISE and shows its first slide (build/screenshots/rise.png).
- The explorations (dlcourse.explore) are live there: notebooks 03, 05, 07 and 09 run up to their
  exploration cell, the slider is moved with the keyboard on its handle, and the figure changes
  (03: the learning rate goes from good to divergent; 09: the decision threshold). The time from
  each key press to the redrawn figure decoded in the page goes to build/explore_timing.json
  (screenshots build/screenshots/explore-*.png). The median over the moves must stay under
  EXPLORE_BOUND_S; the max is recorded too (one move can meet a busy machine: `make test` runs
  other tests beside this one on the 2 cores).

Skipped, with the reason, where Chromium or Playwright is missing (see conftest.py).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dlcourse.tooling import pipeline

from .conftest import ROOT, SCREENSHOTS, WAIT_MS, Recorder, require_browser

sync_api = require_browser()

pytestmark = [pytest.mark.slow, pytest.mark.browser]

LAB_NOTEBOOK = "00_environment_check.ipynb"
LAB_START_S = 120
LAB_RUN_MS = 240_000  # run all cells of the notebook, on a busy 2-core machine
EXPLORE_BOUND_S = 0.3  # issue 18: each slider move redraws within 0.3 s on the 2-core machine
MOVE_MS = 10_000  # a move that has not redrawn by then has failed, not just been slow
TIMING = ROOT / "build" / "explore_timing.json"


@dataclasses.dataclass(frozen=True)
class Exploration:
    """One notebook's exploration cell and the slider moves the test makes (one key press each)."""

    notebook: str
    call: str  # text that only the exploration cell holds
    slider: str  # the description of the slider that is moved
    keys: tuple[str, ...]
    readouts: tuple[str, str] | None = None  # the slider's readout before and after the moves


EXPLORATIONS = [
    # η: 0.07 (good, zig-zags) -> 0.085 (divergent) in three steps of 0.005, then down by five
    # steps twice. Every move reaches a value not drawn before (nothing is served from a cache).
    Exploration(
        "03_gradient_descent",
        "explore(draw_descent",
        "lr",
        ("ArrowRight",) * 3 + ("PageDown", "PageDown"),
        ("0.070", "0.085"),
    ),
    Exploration(
        "09_breast_cancer_practical",
        "explore(draw_threshold",
        "threshold",
        ("PageDown", "PageDown", "ArrowLeft", "PageUp", "PageUp"),
    ),
    Exploration(
        "05_activation_functions",
        "explore(draw_activation",
        "threshold",
        ("PageUp", "PageUp", "ArrowLeft", "PageDown", "PageDown"),
    ),
    Exploration("07_regularization", "explore(draw_dropout", "p", ("ArrowRight",) * 5),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lab_command(root_dir: Path, port: int, token: str) -> list[str]:
    """`make lab`'s command (jupyter lab --ServerApp.root_dir=...) with headless LAB_ARGS."""
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [str(jupyter)] if jupyter.is_file() else [sys.executable, "-m", "jupyter"]
    command += [
        "lab",
        f"--ServerApp.root_dir={root_dir}",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        # No calls home for news or updates (they fail offline anyway).
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI runs as root
    return command


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a copy of the course notebook (the repository is untouched)."""
    source = ROOT / "notebooks" / LAB_NOTEBOOK
    if not source.is_file():
        pytest.skip(f"{LAB_NOTEBOOK} has not been built: run `make notebooks`")
    makefile = (ROOT / "Makefile").read_text()
    assert "jupyter lab --ServerApp.root_dir=notebooks" in makefile, "make lab changed: update me"
    home = tmp_path_factory.mktemp("lab")
    notebooks = home / "notebooks"
    notebooks.mkdir()
    for name in [LAB_NOTEBOOK] + [f"{e.notebook}.ipynb" for e in EXPLORATIONS]:
        if (ROOT / "notebooks" / name).is_file():
            shutil.copy(ROOT / "notebooks" / name, notebooks / name)
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "DLCOURSE_DEVICE": os.environ.get("DLCOURSE_DEVICE", "cpu"),
    }
    env.pop("DLCOURSE_STATIC", None)  # `make test` sets it; the explorations must be live here
    # Answer JupyterLab's "get notified about Jupyter news?" question in advance: no.
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    log_path = home / "lab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            lab_command(notebooks, port, token),
            cwd=home,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    headers = {"Authorization": f"token {token}"}
    try:
        deadline = time.monotonic() + LAB_START_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited ({process.returncode}):\n{log_path.read_text()}")
            try:
                request = urllib.request.Request(f"{base}/api/status", headers=headers)
                with opener.open(request, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start in {LAB_START_S}s:\n{log_path.read_text()}")
            time.sleep(0.5)
        yield {"base": base, "token": token, "log": log_path}
    finally:
        try:  # shuts the kernels down too
            request = urllib.request.Request(f"{base}/api/shutdown", method="POST", headers=headers)
            opener.open(request, timeout=10).close()
        except OSError:
            pass
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def lab_context(browser, lab):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(WAIT_MS)
    recorder = Recorder(
        context, lambda url: url.startswith((lab["base"] + "/", "data:", "blob:", "ws://127.0.0.1"))
    )
    return context, recorder


KERNEL_IDLE = """() => {
    const name = document.querySelector('.jp-NotebookPanel-toolbar .jp-KernelName');
    const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
    return !!name && !/No Kernel/.test(name.textContent) && !!status
        && status.getAttribute('data-status') === 'idle';
}"""

ALL_RAN = """() => {
    const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
    const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
    return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()))
        && status && status.getAttribute('data-status') === 'idle';
}"""


def menu(page, bar_item: str, entry: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=bar_item).first.click()
    page.locator(".lm-Menu-itemLabel").get_by_text(entry, exact=True).click()


def open_notebook(context, lab, name: str):
    """A page with notebook ``name`` open in JupyterLab, its kernel idle and its outputs cleared."""
    page = context.new_page()
    # reset: the workspace forgets the notebooks earlier tests opened, so this one is the only one
    page.goto(f"{lab['base']}/lab/tree/{name}?reset&token={lab['token']}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=LAB_START_S * 1000)
    deadline = time.monotonic() + LAB_START_S
    while not page.evaluate(KERNEL_IDLE):  # the kernel starts by itself; pick it if asked
        dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
        if dialog.count():
            dialog.get_by_role("button", name="Select").click()
        assert time.monotonic() < deadline, "the kernel did not start"
        page.wait_for_timeout(250)
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function("() => !document.querySelector('.jp-OutputArea-output')")
    return page


def test_jupyterlab_runs_a_course_notebook_without_errors(lab, browser):
    context, recorder = lab_context(browser, lab)
    try:
        page = open_notebook(context, lab, LAB_NOTEBOOK)
        menu(page, "Run", "Run All Cells")
        page.wait_for_function(ALL_RAN, timeout=LAB_RUN_MS)
        errors = page.evaluate("""() => [...document.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
            .map(e => e.textContent.slice(0, 300))""")
        figures = page.locator(".jp-OutputArea-output.jp-RenderedImage img").count()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "jupyterlab.png"))
        assert errors == [], f"error output in JupyterLab: {errors}"
        assert figures >= 1, "the notebook's figure did not appear"
        assert recorder.blocked == [], f"JupyterLab tried the network: {recorder.blocked[:3]}"
    finally:
        context.close()


def test_notebook_opens_in_rise_on_its_first_slide(lab, browser):
    context, recorder = lab_context(browser, lab)
    try:
        page = context.new_page()
        page.goto(f"{lab['base']}/rise/{LAB_NOTEBOOK}?token={lab['token']}")
        slide = page.locator(".reveal .slides section.present").first
        slide.wait_for(timeout=LAB_START_S * 1000)
        title = pipeline.read_source(ROOT / "notebooks" / LAB_NOTEBOOK.replace(".ipynb", ".py"))
        heading = re.search(r"^#\s+(.+)$", title.cells[0].source, re.MULTILINE).group(1)
        sync_api.expect(slide).to_contain_text(heading.strip(), timeout=WAIT_MS)
        assert page.evaluate("() => document.querySelector('.reveal').classList.contains('ready')")
        page.wait_for_timeout(500)  # let the slide transition end
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "rise.png"))
        # The notebooks ask RISE for the `white` theme, whose fonts are local (the default theme
        # would fetch Google Fonts).
        assert recorder.blocked == [], f"RISE tried the network: {recorder.blocked[:3]}"
    finally:
        context.close()


# -- explorations: live sliders --------------------------------------------------------------------

WATCH_REDRAWS = """(cell) => {
    // Seconds from each key press in the cell to the redrawn figure, decoded, in its output (a
    // new image element: a redraw may give the same picture, e.g. a threshold above the maximum).
    const state = {pressed: null, times: []};
    const image = () => cell.querySelector('.widget-output .jp-OutputArea-output img');
    let shown = image();
    cell.addEventListener('keydown', event => { state.pressed = event.timeStamp; }, true);
    new MutationObserver(() => {
        const img = image();
        if (!img || img === shown || state.pressed === null) return;
        const pressed = state.pressed;
        shown = img;
        state.pressed = null;
        img.decode().catch(() => null).then(() => {
            state.times.push((performance.now() - pressed) / 1000);
        });
    }).observe(cell, {subtree: true, childList: true});
    window.exploreRedraws = state;
}"""


def _record_timing(name: str, entry: dict) -> None:
    """Merge one exploration's timings into build/explore_timing.json."""
    TIMING.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(TIMING.read_text()) if TIMING.is_file() else {}
    report[name] = entry
    TIMING.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")


@pytest.mark.parametrize("exploration", EXPLORATIONS, ids=[e.notebook[:2] for e in EXPLORATIONS])
def test_exploration_slider_redraws_the_figure_in_jupyterlab(lab, browser, exploration):
    name = f"{exploration.notebook}.ipynb"
    if not (ROOT / "notebooks" / name).is_file():
        pytest.skip(f"{name} has not been built: run `make notebooks`")
    context, recorder = lab_context(browser, lab)
    try:
        page = open_notebook(context, lab, name)
        cell = page.locator(".jp-Notebook .jp-CodeCell", has_text=exploration.call)
        sync_api.expect(cell).to_have_count(1)
        cell.locator(".jp-InputPrompt").click()  # select the cell (command mode)
        menu(page, "Run", "Run All Above Selected Cell")
        cell.locator(".jp-InputPrompt").click()
        page.keyboard.press("Control+Enter")  # run the selected cell, stay on it
        slider = cell.locator(
            ".widget-slider",
            has=page.locator(".widget-label").get_by_text(exploration.slider, exact=True),
        )
        figure = cell.locator(".widget-output .jp-OutputArea-output img")
        figure.wait_for(timeout=LAB_RUN_MS)
        page.wait_for_function(KERNEL_IDLE, timeout=LAB_RUN_MS)
        readout = slider.locator(".widget-readout")
        first = readout.inner_text()
        if exploration.readouts:
            assert first == exploration.readouts[0]
        before = figure.get_attribute("src")
        shots = SCREENSHOTS / f"explore-{exploration.notebook[:2]}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        figure.screenshot(path=f"{shots}-before.png")

        page.evaluate(WATCH_REDRAWS, cell.element_handle())
        handle = slider.locator(".noUi-handle")
        for move, key in enumerate(exploration.keys):
            before_move = readout.inner_text()
            handle.press(key)
            try:
                page.wait_for_function(
                    "n => window.exploreRedraws.times.length > n", arg=move, timeout=MOVE_MS
                )
            except sync_api.TimeoutError:
                state = page.evaluate("() => window.exploreRedraws")
                pytest.fail(
                    f"{exploration.notebook}: {key} moved {exploration.slider} from {before_move} "
                    f"to {readout.inner_text()} but the figure was not redrawn in {MOVE_MS} ms "
                    f"(redraws so far: {state['times']}, pressed: {state['pressed']})"
                )
            page.wait_for_function(KERNEL_IDLE, timeout=MOVE_MS)
            if exploration.readouts and move == 2:  # good -> divergent
                assert readout.inner_text() == exploration.readouts[1]
                assert figure.get_attribute("src") != before
                figure.screenshot(path=f"{shots}-after.png")
        times = page.evaluate("() => window.exploreRedraws.times")
        if not exploration.readouts:
            assert readout.inner_text() != first
            figure.screenshot(path=f"{shots}-after.png")
        assert figure.get_attribute("src") != before, "the figure did not change"
        text = cell.locator(".jp-OutputArea").first.inner_text()
        assert "Loading widget" not in text and "Error displaying widget" not in text
        errors = cell.locator('[data-mime-type="application/vnd.jupyter.stderr"]')
        assert errors.count() == 0, errors.all_inner_texts()
        assert recorder.blocked == [], f"JupyterLab tried the network: {recorder.blocked[:3]}"

        entry = {
            "slider": exploration.slider,
            "keys": list(exploration.keys),
            "seconds_per_move": [round(t, 3) for t in times],
            "median_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3),
            "bound_s": EXPLORE_BOUND_S,
            "cpus": os.cpu_count(),
        }
        _record_timing(exploration.notebook, entry)
        assert len(times) == len(exploration.keys)
        assert entry["median_s"] <= EXPLORE_BOUND_S, (
            f"{exploration.notebook}: slow redraws: {entry}"
        )
    finally:
        context.close()
