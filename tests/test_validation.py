"""dlcourse._validation: the shared checks behind every "<what>: expected …, got …" message."""

import numpy as np
import pytest
import torch

from dlcourse import _validation as v
from dlcourse.scratch import Sequential


def test_type_name_is_what_users_import():
    assert v.type_name(Sequential()) == "dlcourse.scratch.Sequential"
    assert v.type_name(torch.nn.Sequential()) == "torch.nn.Sequential"
    assert v.type_name(np.zeros(2)) == "numpy.ndarray"
    assert v.type_name([1]) == "list" and v.type_name(list) == "list"


def test_as_float_array_refuses_complex_and_text():
    assert v.as_float_array("x", [1, 2]).dtype == np.float64
    for bad, got in [(np.array([1j]), "dtype complex128"), ("1.5", "str"), ([1j], "list")]:
        with pytest.raises(ValueError, match=f"x: expected an array of real numbers, got {got}"):
            v.as_float_array("x", bad)


def test_require_int_range_and_require_real_interval():
    assert v.require_int("n", np.int64(3), 0, 5) == 3
    with pytest.raises(ValueError, match=r"n: expected an integer in \[0, 5\], got 6"):
        v.require_int("n", 6, 0, 5)
    assert v.require_real("eps", np.float32(0.5), 0, 1, "(0, 1)") == 0.5
    for bad in (float("inf"), float("nan"), 1j, True):
        with pytest.raises(ValueError, match=r"eps: expected a number in \(0, 1\)"):
            v.require_real("eps", bad, 0, 1, "(0, 1)")


def test_require_ints_and_unit_interval():
    assert v.require_ints("sizes", (3, np.int64(4)), 1, 2, "[3, 4]") == [3, 4]
    with pytest.raises(ValueError, match=r"sizes: expected a list of at least 2 integers >= 1"):
        v.require_ints("sizes", [3, 1.5], 1, 2, "[3, 4]")
    with pytest.raises(ValueError, match=r"y: expected p in \[0, 1\], got value nan"):
        v.require_in_unit_interval("y", np.array([0.5, np.nan]), "p")


def test_rng_none_follows_numpys_global_seed():
    np.random.seed(3)  # noqa: NPY002 (what seed_everything does)
    first = v.as_rng("f", None).random()
    np.random.seed(3)  # noqa: NPY002
    assert v.as_rng("f", None).random() == first
    with pytest.raises(ValueError, match="f: expected rng as None, an int seed .*, got str"):
        v.as_rng("f", "0")
