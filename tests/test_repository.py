"""Repository checks: notebooks paired and clean, environment.yml in step, workflows valid.

And the package's import graph: the student library never reaches into the course build.
"""

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from dlcourse.tooling import pipeline

ROOT = pipeline.repository_root()
SOURCES = pipeline.notebook_sources()
# conda-forge names that differ from PyPI's
CONDA_NAMES = {"torch": "pytorch"}


def requirement_name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].strip().lower()


def test_there_are_notebooks():
    assert SOURCES and SOURCES[0].name == "00_environment_check.py"


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.stem)
def test_notebook_is_up_to_date_with_its_source(source):
    assert pipeline.pairing_problems(source) == []


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.stem)
def test_committed_notebook_is_clean(source):
    notebook = nbformat.read(pipeline.output_path(source), as_version=4)
    for index, cell in enumerate(notebook.cells, start=1):
        assert "slide_type" in cell.metadata.get("slideshow", {}), f"cell {index}: no slide type"
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"cell {index} raised"
            assert output.get("name") != "stderr", f"cell {index} wrote to stderr: {output['text']}"
        assert not re.search(r"(/home/|/root/|/Users/|[A-Z]:\\\\)", cell.source), (
            f"cell {index}: absolute path"
        )
    # RISE's default theme fetches Google Fonts; `white` keeps live slides offline.
    assert notebook.metadata.get("rise", {}).get("theme") == "white", "no rise: theme: white"
    first_code = next(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "seed_everything(" in first_code and "get_device()" in first_code


def environment_yml() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = [
        requirement
        for requirement in project["dependencies"]
        + extras["lab"]
        + extras["build"]
        + extras["test"]
        if requirement_name(requirement) != "dlcourse"  # the test extra includes build and lab
    ]
    environment = environment_yml()
    conda = [dep for dep in environment["dependencies"] if isinstance(dep, str)]
    pip = next(dep["pip"] for dep in environment["dependencies"] if isinstance(dep, dict))
    conda_specs = {requirement_name(dep): dep for dep in conda}
    for requirement in wanted:
        name = requirement_name(requirement)
        conda_name = CONDA_NAMES.get(name, name)
        assert conda_name in conda_specs, f"{name} is in pyproject.toml but not in environment.yml"
        bound = requirement[len(name) :]
        conda_spec = conda_specs[conda_name]
        assert conda_spec.endswith(bound), f"{name}: {requirement} vs {conda_spec}"
    assert environment["channels"] == ["conda-forge"]
    assert "-e ." in pip


# -- Binder: what repo2docker reads (https://repo2docker.readthedocs.io, "Configuration files") -----

# repo2docker's pattern for the Python version of an environment.yml (buildpacks/conda): without a
# match it builds with its own default Python instead of the one the file asks for.
REPO2DOCKER_PYTHON = re.compile(r"python\s*=+\s*([\d\.]*)")
# Files that would make repo2docker read something else than environment.yml, or ignore it.
REPO2DOCKER_OTHERS = ["binder", ".binder", "requirements.txt", "runtime.txt", "setup.py", "Pipfile"]
REPO2DOCKER_SCRIPTS = ["postBuild", "start"]


def test_binder_reads_the_root_environment_yml_and_nothing_that_contradicts_it():
    present = [name for name in REPO2DOCKER_OTHERS if (ROOT / name).exists()]
    assert not present, f"repo2docker would read {present} (keep environment.yml the one file)"
    python = next(
        dep
        for dep in environment_yml()["dependencies"]
        if isinstance(dep, str) and dep[:6] == "python"
    )
    match = REPO2DOCKER_PYTHON.match(python)
    assert match and match.group(1), f"environment.yml: expected python=X.Y, got {python!r}"
    minimum = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    version = tuple(int(part) for part in match.group(1).split(".")[:2])
    floor = tuple(int(part) for part in minimum.removeprefix(">=").split(".")[:2])
    assert version >= floor, f"environment.yml's Python {version} is below {minimum}"


def commands_in(text: str) -> list[str]:
    """The non-comment lines of a shell script (or YAML) ``text``."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def test_nothing_binder_reads_needs_the_makefile():
    read = [ROOT / "environment.yml"] + [
        ROOT / name for name in REPO2DOCKER_SCRIPTS if (ROOT / name).exists()
    ]
    for path in read:
        needs = [line for line in commands_in(path.read_text()) if re.search(r"\bmake\b", line)]
        assert not needs, f"{path.name} calls make: {needs}"


def test_the_make_check_catches_a_script_that_calls_make():
    assert commands_in("#!/bin/bash\n# make lab is not needed\nmake install\n") == ["make install"]


@pytest.mark.slow
def test_workflows_are_valid_against_githubs_schema():
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, workflows),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_script_pins_torch_and_calls_the_readme_command():
    script = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "torch==2.13.0" in script and "make test" in script
    assert "make test" in readme and "make lab" in readme


@pytest.mark.parametrize("module", sorted((ROOT / "dlcourse").rglob("*.py")), ids=lambda p: p.name)
def test_no_module_level_name_is_defined_twice(module):
    """Sections appended by different notebooks must not silently replace each other's helpers."""
    tree = ast.parse(module.read_text())
    names = [
        node.name
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    names += [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id != "__all__"
    ]
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert not repeated, f"{module.name} defines {repeated} more than once"


# -- the import graph: the student library apart from the course build ----------------------------

PACKAGE = ROOT / "dlcourse"
BUILD_PACKAGE = "dlcourse.tooling"
# The third-party packages only the course build needs (pyproject's `build` extra).
BUILD_ONLY = {"jupytext", "nbformat", "nbclient", "nbconvert"}
SHARED_PRIVATE = {"dlcourse._validation"}  # the one private module every package may import


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imports(path: Path) -> list[tuple[str, bool]]:
    """Every module ``path`` imports, absolute, with whether the import is at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path)
    package = name if is_package(path) else name.rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, id(node) in top_level))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                relative = Path(*candidate.split("."))
                if (ROOT / relative).with_suffix(".py").is_file() or (ROOT / relative).is_dir():
                    found.append((candidate, id(node) in top_level))
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def in_build(name: str) -> bool:
    return name == BUILD_PACKAGE or name.startswith(BUILD_PACKAGE + ".")


def test_the_import_parser_sees_relative_and_lazy_imports(tmp_path):
    nested = ROOT / "dlcourse" / "tooling" / "cli.py"
    found = dict(imports(nested))
    assert found["dlcourse.tooling.errors"] is True
    assert found["dlcourse.tooling.pipeline"] is False  # imported inside a command
    main = dict(imports(PACKAGE / "__main__.py"))
    assert main == {"dlcourse.tooling.cli": False}


@pytest.mark.parametrize("module", MODULES, ids=module_name)
def test_the_student_library_never_imports_the_course_build(module):
    name = module_name(module)
    if in_build(name):
        return
    found = imports(module)
    if name == "dlcourse.__main__":
        # `python -m dlcourse` delegates to the build's command line, lazily (inside a function).
        assert all(not top for target, top in found if in_build(target)), found
        return
    reached = sorted(target for target, _ in found if in_build(target))
    assert not reached, f"{name} imports the course build: {reached}"
    third_party = sorted({target.split(".")[0] for target, _ in found} & BUILD_ONLY)
    assert not third_party, f"{name} imports {third_party}, which only the build extra installs"


@pytest.mark.parametrize("module", MODULES, ids=module_name)
def test_no_module_imports_a_private_module_of_another_package(module):
    name = module_name(module)
    importer_package = name if is_package(module) else name.rpartition(".")[0]
    for target, _ in imports(module):
        parts = target.split(".")
        if parts[0] != "dlcourse" or target in SHARED_PRIVATE:
            continue
        for index, part in enumerate(parts[1:], start=1):
            if part.startswith("_") and not part.startswith("__"):
                owner = ".".join(parts[:index])
                assert importer_package == owner or importer_package.startswith(owner + "."), (
                    f"{name} imports {target}, a private module of {owner}"
                )
                break


def test_the_console_script_and_python_m_point_at_the_command_line():
    import importlib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts["dlcourse"].partition(":")
    assert callable(getattr(importlib.import_module(module), function))
    assert in_build(module)
