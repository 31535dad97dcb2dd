"""The command line: clear messages and exit codes instead of tracebacks."""

import subprocess
import sys

import pytest

from dlcourse import cli, runtime


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "dlcourse", *args], capture_output=True, text=True, env=env
    )


def test_doctor_prints_ticks_and_exits_zero():
    result = run_cli("doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓ torch" in result.stdout and "✗" not in result.stdout
    assert "Traceback" not in result.stderr


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
