"""Repository checks: notebooks paired and clean, environment.yml in step, workflows valid."""

import ast
import re
import subprocess
import sys

import nbformat
import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from dlcourse import pipeline

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


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
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


def test_ci_script_pins_the_cpu_wheel_and_calls_the_readme_command():
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
