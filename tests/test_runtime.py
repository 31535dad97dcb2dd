"""dlcourse.runtime: seeding, device choice and the environment report."""

import random

import numpy as np
import pytest
import torch

from dlcourse import runtime


def test_seed_everything_makes_python_numpy_and_torch_repeat():
    runtime.seed_everything(123)
    first = (random.random(), np.random.rand(), torch.rand(2).tolist())  # noqa: NPY002
    runtime.seed_everything(123)
    assert (random.random(), np.random.rand(), torch.rand(2).tolist()) == first  # noqa: NPY002
    assert torch.are_deterministic_algorithms_enabled()


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True, None, 2**32])
def test_seed_everything_rejects_bad_seeds_before_reseeding_anything(bad):
    random.seed(7)
    expected = random.random()
    random.seed(7)
    with pytest.raises(
        ValueError, match=r"seed_everything: seed: expected an integer in \[0, 4294967295\]"
    ):
        runtime.seed_everything(bad)
    assert random.random() == expected  # Python's generator was not reseeded first


def test_seed_everything_accepts_the_largest_numpy_seed():
    runtime.seed_everything(2**32 - 1)
    runtime.seed_everything(np.int64(5))


def test_get_device_defaults_to_best_available(monkeypatch):
    monkeypatch.delenv(runtime.DEVICE_ENV_VAR, raising=False)
    assert runtime.get_device().type == runtime.available_devices()[0]


def test_get_device_honours_argument_and_environment(monkeypatch):
    monkeypatch.setenv(runtime.DEVICE_ENV_VAR, "cpu")
    assert runtime.get_device() == torch.device("cpu")
    assert runtime.get_device("CPU") == torch.device("cpu")


def test_unknown_device_lists_what_is_available(monkeypatch):
    monkeypatch.setenv(runtime.DEVICE_ENV_VAR, "tpu")
    with pytest.raises(ValueError, match=r"unknown device 'tpu'.*environment variable.*available"):
        runtime.get_device()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_unavailable_device_says_so_and_lists_alternatives(monkeypatch):
    monkeypatch.delenv(runtime.DEVICE_ENV_VAR, raising=False)
    with pytest.raises(ValueError, match=r"'cuda'.*not available.*available here: .*cpu"):
        runtime.get_device("cuda")


def test_missing_and_too_old_packages_are_reported_with_a_fix():
    missing = runtime.check_package("no_such_module_xyz", "no-such-dist", "1.0", "testing")
    assert not missing.ok and "missing" in missing.detail and "pip install" in missing.fix
    old = runtime.check_package("numpy", "numpy", "999.0", "testing")
    assert not old.ok and "older than 999.0" in old.detail


def test_version_comparison_handles_local_and_pre_release_tags():
    assert not runtime._too_old("2.13.0+cpu", "2.1")
    assert runtime._too_old("1.26.0rc1", "1.26")
    assert runtime._too_old("0.9", "0.13")
    assert not runtime._too_old("unknown", "1.0")


def test_environment_report_passes_here_and_formats_fixes():
    checks = runtime.environment_report()
    assert all(check.ok for check in checks), runtime.format_report(checks)
    names = [check.name for check in checks]
    assert {"python", "torch", "jupyter kernel", "device"} <= set(names)
    text = runtime.format_report([runtime.Check("x", False, "missing", "do this")])
    assert text.splitlines() == ["✗ x  missing", "    fix: do this"]


def test_on_colab_the_report_leaves_out_jupyterlab_and_the_kernel(monkeypatch):
    import sys
    import types

    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    names = {check.name for check in runtime.environment_report()}
    assert runtime.running_in_colab()
    assert not names & runtime.NOT_ON_COLAB
    assert {"python", "torch", "ipywidgets", "device"} <= names
