"""Tests of the neuron checks: sigmoid, neuron forward, decision boundary, XOR by hand."""

import numpy as np
import pytest

from dlcourse.exercises import neuron as ex
from dlcourse.scratch import sigmoid

from .conftest import assert_not_implemented, assert_passes, assert_rejected, run, solution

# ---------------------------------------------------------------------------------------------
# Sigmoid
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mistake", "fragments"),
    [
        (lambda z: 1 / (1 + np.exp(-z)), ("overflow", "±1000")),
        (lambda z: 1 / (1 + np.exp(z)), ("1 - σ(z)",)),
        (np.tanh, ("differ",)),
    ],
)
def test_sigmoid_rejects_overflow_and_sign_errors(capsys, mistake, fragments):
    assert_rejected(capsys, ex.check_sigmoid, mistake, *fragments)


def test_sigmoid_rejects_zeros_for_an_integer_array(capsys):
    def filled_like_input(z):
        z = np.asarray(z)
        out = np.zeros_like(z)
        out[...] = sigmoid(z)
        return out

    assert_rejected(capsys, ex.check_sigmoid, filled_like_input, "integer", "rounded")


def test_sigmoid_rejects_an_answer_that_overwrites_its_input(capsys):
    def overwrites(z):
        z = np.asarray(z, dtype=float) if np.ndim(z) == 0 else z
        z[...] = sigmoid(z)
        return z

    assert_rejected(capsys, ex.check_sigmoid, overwrites, "changed its argument `z` in place")


def test_sigmoid_accepts_a_torch_answer(capsys):
    import torch

    assert_passes(
        capsys, ex.check_sigmoid, lambda z: torch.sigmoid(torch.as_tensor(z, dtype=torch.float64))
    )


# ---------------------------------------------------------------------------------------------
# Neuron forward
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda X, w, b: sigmoid(X @ w), "bias"),
        (lambda X, w, b: X @ w + b, "not applied"),
        (lambda X, w, b: sigmoid(X @ w[:, None] + b), "(n, 1)"),
        (lambda X, w, b: 1 / (1 + np.exp(-(X @ w + b))), "stable sigmoid"),
    ],
)
def test_neuron_forward_rejects_typical_mistakes(capsys, mistake, fragment):
    assert_rejected(capsys, ex.check_neuron_forward, mistake, fragment)


def test_neuron_forward_rejects_a_loop_over_samples(capsys):
    def looped(X, w, b):
        return np.array([sigmoid(x @ w + b) for x in X])

    assert_rejected(capsys, ex.check_neuron_forward, looped, "no loop", "X @ w")


# ---------------------------------------------------------------------------------------------
# Decision boundary
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (lambda w, b: (-b / w[1], -w[0] / w[1]), "swapped"),
        (lambda w, b: (w[0] / w[1], b / w[1]), "signs are flipped"),
        (lambda w, b: (-w[1] / w[0], -b / w[0]), "solved for x1"),
        (lambda w, b: (-w[0] / w[1], b / w[1]), "intercept's sign"),
        (lambda w, b: (-w[0] / w[1], -b), "divided by w2"),
        (lambda w, b: -w[0] / w[1], "expected a tuple"),
    ],
)
def test_decision_boundary_rejects_mistakes(capsys, mistake, hint):
    assert_rejected(capsys, ex.check_decision_boundary, mistake, hint)


def test_decision_boundary_cases_tell_a_swap_from_flipped_signs():
    w, b = ex._BOUNDARY_CASES[0].args
    slope, intercept = ex._boundary_line(w, b)
    assert not np.allclose((intercept, slope), (-slope, -intercept))


def test_decision_boundary_reference_is_on_the_line():
    w, b = np.array([-3.0, 0.5]), 2.0
    slope, intercept = ex._boundary_line(w, b)
    x1 = np.linspace(-2, 2, 5)
    np.testing.assert_allclose(w[0] * x1 + w[1] * (slope * x1 + intercept) + b, 0.0, atol=1e-12)


def test_decision_boundary_stub_pair(capsys):
    assert_not_implemented(capsys, ex.check_decision_boundary, lambda w, b: (None, None))


# ---------------------------------------------------------------------------------------------
# XOR network
# ---------------------------------------------------------------------------------------------


def test_xor_network_accepts_other_widths_and_lists(capsys):
    # four units computing |a1 - a2| - |a1 + a2 - 1| + 0.5 > 0 exactly for XOR
    W1 = [[1, -1], [-1, 1], [1, 1], [-1, -1]]
    b1 = [0, 0, -1, 1]
    assert_passes(capsys, ex.check_xor_network, W1, b1, [[1, 1, -1, -1]], [-0.5])


def test_xor_network_rejects_a_linear_answer_and_names_the_wrong_inputs(capsys):
    W1, b1 = np.ones((2, 2)), np.array([0.0, -1.0])
    result, line = run(capsys, ex.check_xor_network, W1, b1, np.array([[1.0, -1.0]]), [-0.5])
    assert not result and "a = (1, 1)" in line and "< 0 (control)" in line
    assert "a = (0, 1)" not in line  # only the wrong combinations are listed


def test_xor_network_rejects_an_undecided_output(capsys):
    W1, b1, W2 = np.ones((2, 2)), np.array([0.0, -1.0]), np.array([[1.0, -2.0]])
    result, line = run(capsys, ex.check_xor_network, W1, b1, W2, np.array([0.0]))
    assert not result and "a = (0, 0) gives z = 0" in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.ones((2, 3)), np.zeros(2), np.ones((1, 2)), np.zeros(1)), "W1 must have shape"),
        ((np.ones((2, 2)), np.zeros(3), np.ones((1, 2)), np.zeros(1)), "b1 must have shape (2,)"),
        ((np.ones((2, 2)), np.zeros(2), np.ones(2), np.zeros(1)), "W2 must have shape (1, 2)"),
        ((np.ones((2, 2)), np.zeros(2), np.ones((1, 2)), 0.0), "b2 must have shape (1,)"),
        ((np.ones((2, 2)), np.zeros(2), np.ones((1, 2)), np.array([np.nan])), "nan or inf"),
        ((np.ones((2, 2)), "abc", np.ones((1, 2)), np.zeros(1)), "b1 must be numbers"),
    ],
)
def test_xor_network_explains_bad_shapes_without_raising(capsys, args, message):
    result, line = run(capsys, ex.check_xor_network, *args)
    assert not result and message in line


def test_xor_network_stub_with_some_weights_set(capsys):
    assert_not_implemented(capsys, ex.check_xor_network, np.ones((2, 2)), None, None, None)


def test_xor_inputs_cannot_be_edited():
    with pytest.raises(ValueError, match="read-only"):
        ex._XOR_INPUTS[0, 0] = 5.0


def test_the_notebook_sigmoid_is_silent_at_extremes():
    values = solution("check_sigmoid")(np.array([-1000.0, 1000.0]))
    np.testing.assert_allclose(values, [0.0, 1.0], atol=1e-300)
