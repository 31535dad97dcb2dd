"""The command line: clear messages and exit codes instead of tracebacks."""

import subprocess
import sys

import pytest

from dlcourse import runtime
from dlcourse.tooling import cli


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "dlcourse", *args], capture_output=True, text=True, env=env
    )


@pytest.mark.slow
def test_doctor_prints_ticks_and_exits_zero():
    result = run_cli("doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓ torch" in result.stdout and "✗" not in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_doctor_reports_a_bad_device_variable_without_traceback(monkeypatch):
    import os

    env = {**os.environ, runtime.DEVICE_ENV_VAR: "quantum"}
    result = run_cli("doctor", env=env)
    assert result.returncode == 1
    assert "✗ device" in result.stdout and "unknown device 'quantum'" in result.stdout
    assert "Traceback" not in result.stderr


def test_doctor_exit_code_is_one_when_a_package_is_missing(monkeypatch, capsys):
    broken = runtime.check_package("no_such_module_xyz", "no-such-dist", "1.0", "testing")
    monkeypatch.setattr(runtime, "environment_report", lambda: [broken])
    assert cli.main(["doctor"]) == 1
    output = capsys.readouterr().out
    assert "✗ no-such-dist" in output and "fix:" in output


def test_unknown_notebook_is_a_clear_error(capsys):
    assert cli.main(["notebooks", "notebooks/99_missing.py"]) == 1
    assert "expected an existing .py file, got notebooks/99_missing.py" in capsys.readouterr().err


def test_unknown_command_is_rejected_by_argparse():
    with pytest.raises(SystemExit):
        cli.main(["fly"])


BUILD_ONLY = ("jupytext", "nbformat", "nbclient", "nbconvert")


@pytest.fixture
def without_the_build_extra(monkeypatch):
    """As if only the student library were installed: the build extra's packages cannot import."""
    for name in list(sys.modules):
        if name.split(".")[0] in BUILD_ONLY or name.startswith("dlcourse.tooling"):
            monkeypatch.delitem(sys.modules, name)
    for name in BUILD_ONLY:
        monkeypatch.setitem(sys.modules, name, None)


def test_doctor_needs_only_the_student_library(without_the_build_extra, monkeypatch, capsys):
    from dlcourse.__main__ import main

    numpy_only = [runtime.check_package("numpy", "numpy", "1.0", "arrays")]
    monkeypatch.setattr(runtime, "environment_report", lambda: numpy_only)
    assert main(["doctor"]) == 0
    assert "All set" in capsys.readouterr().out


def test_a_build_command_without_the_build_extra_says_what_to_install(
    without_the_build_extra, capsys
):
    assert cli.main(["budget", "--out", "unused.json"]) == 1
    error = capsys.readouterr().err
    missing = error.removeprefix("✗ missing package '").split("'")[0]
    assert missing in BUILD_ONLY and "pip install -e '.[build]'" in error


def test_python_m_dlcourse_runs_the_tooling_command_line(capsys):
    from dlcourse.__main__ import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "budget" in capsys.readouterr().out
