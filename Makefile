# Task runner for the Day 3 course. Quick start: `make lab` (students) and `make test` (CI).
# Variables you may set:
#   PYTHON      the interpreter that creates .venv        (default: python3)
#   TORCH_SPEC  the PyTorch requirement pip installs      (default: torch; CI pins torch==2.13.0;
#               a laptop without a GPU may use the CPU-only index, see README.md)
#   TORCH_INDEX a package index for PyTorch alone         (e.g. https://download.pytorch.org/whl/cpu)
#   LAB_ARGS    extra arguments for JupyterLab            (e.g. LAB_ARGS=--no-browser)
#   NOTEBOOKS   notebook sources for `make notebooks`/`make bench` (default: all)
#   PYTEST_ARGS extra arguments for pytest                (e.g. PYTEST_ARGS="-k scratch")

PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch
TORCH_INDEX ?=
LAB_ARGS ?=
NOTEBOOKS ?=
PYTEST_ARGS ?=
# The course's models are small: one BLAS/torch thread each is fastest, keeps two notebooks under
# test from fighting over two cores, and gives every run (build, test, bench, lab) the same numbers.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.dlcourse-installed
WORKERS ?= 2
NBVAL := --nbval-lax --nbval-current-env --nbval-cell-timeout=600

.PHONY: help install lab-config lab test lint unit test-notebooks test-student test-core notebooks \
        check-notebooks slides handouts student core budget bench doctor clean

help:
	@echo "make lab             install (first time) and open JupyterLab on notebooks/"
	@echo "make test            install (first time) and run the whole test suite"
	@echo "make unit            the unit tests without the slow ones (under 30 s)"
	@echo "make notebooks       execute notebooks/NN_*.py into their .ipynb (NOTEBOOKS=... for some)"
	@echo "make test-notebooks  run the notebooks with nbval (DLCOURSE_DEVICE=cuda for a GPU)"
	@echo "make slides          build the offline reveal.js slides and index in build/slides/"
	@echo "make handouts        print each lecture deck to a PDF, a page per slide (build/handouts/)"
	@echo "make student         write the student edition to build/student/"
	@echo "make core            write the core variant (deep dives removed) to build/core/"
	@echo "make budget          lecture slides and core minutes per notebook (build/budget.json)"
	@echo "make bench           time and measure every notebook (build/bench.json)"
	@echo "make doctor          check the environment"
	@echo "make lint            ruff and the notebook pairing check"

# The stamp makes a second `make lab`/`make test` skip the install; editing pyproject.toml redoes it.
# The `dev` extra holds `test`, which holds `build` (the course build: pipeline, slides, budget).
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH_SPEC)" $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# JupyterLab for the course: no "Jupyter news?" pop-up, and each notebook listed once (its paired
# NN_topic.py source is hidden from the file browser). Installed into .venv, so nothing global changes.
JUPYTER_CONFIG := dlcourse/tooling/jupyter
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
SERVER_CONFIG := $(VENV)/etc/jupyter/jupyter_server_config.d/dlcourse.json

$(LAB_SETTINGS): $(JUPYTER_CONFIG)/overrides.json $(STAMP)
	@mkdir -p $(dir $@)
	cp $< $@

$(SERVER_CONFIG): $(JUPYTER_CONFIG)/jupyter_server_config.json $(STAMP)
	@mkdir -p $(dir $@)
	cp $< $@

lab-config: $(LAB_SETTINGS) $(SERVER_CONFIG)

# Jupyter refuses to run as root unless told to: containers and CI machines often are root.
ROOT_ARGS := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

lab: install lab-config
	@echo "Students: work in your own copy of the student edition (no answers, no outputs):"
	@echo "  make student && cp -r build/student ~/day3-notebooks   (see build/student/README.md)"
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ROOT_ARGS) $(LAB_ARGS)

doctor: install
	$(PY) -m dlcourse doctor

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) -m dlcourse check-notebooks

# Fast feedback: everything but the tests marked slow (slide builds, subprocesses, the browser).
unit: install
	$(PY) -m pytest -n $(WORKERS) --dist loadfile -m "not slow" tests $(PYTEST_ARGS)

test-notebooks: install
	DLCOURSE_STATIC=1 $(PY) -m pytest -n $(WORKERS) --dist loadfile $(NBVAL) notebooks $(PYTEST_ARGS)

test-student: student
	DLCOURSE_STATIC=1 $(PY) -m pytest -n $(WORKERS) --dist loadfile $(NBVAL) build/student

# The core variant runs top to bottom: no core cell needs a deep-dive cell.
test-core: core
	DLCOURSE_STATIC=1 $(PY) -m pytest -n $(WORKERS) --dist loadfile $(NBVAL) build/core

# One pytest run for unit tests, notebooks, the student edition and the core variant keeps both
# cores busy.
test: lint student core
	DLCOURSE_STATIC=1 $(PY) -m pytest -n $(WORKERS) --dist loadfile $(NBVAL) tests notebooks build/student \
		build/core $(PYTEST_ARGS)

notebooks: install
	$(PY) -m dlcourse notebooks $(NOTEBOOKS)

check-notebooks: install
	$(PY) -m dlcourse check-notebooks

# Decks (and rendered notebooks) from the committed, executed .ipynb files; no network needed.
# The commands replace only what they wrote before (a marker file lists it): no `rm -rf` here.
slides: install
	$(PY) -m dlcourse slides --notebooks --out build/slides $(NOTEBOOKS)

# PDF handouts of the lecture decks, printed by the Chromium the browser tests drive
# (/usr/bin/chromium or DLCOURSE_CHROMIUM).
handouts: slides
	$(PY) -m dlcourse handouts --slides build/slides --out build/handouts

student: install
	$(PY) -m dlcourse student --out build/student

core: install
	$(PY) -m dlcourse core --out build/core

# Counts of content from the .py sources (nothing is executed).
budget: install
	$(PY) -m dlcourse budget --out build/budget.json $(NOTEBOOKS)

bench: install
	$(PY) -m dlcourse bench $(NOTEBOOKS)

clean:
	rm -rf build .pytest_cache
