"""Tests of the forward-pass checks: parameter count, MLP forward, collapse, ReLU bump."""

import numpy as np
import pytest
import torch

from dlcourse.exercises import forward_pass as ex
from dlcourse.scratch import relu

from .conftest import assert_not_implemented, assert_passes, assert_rejected, solution

# ---------------------------------------------------------------------------------------------
# Parameter count
# ---------------------------------------------------------------------------------------------


def pairs(sizes):
    return zip(sizes[:-1], sizes[1:], strict=True)


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (lambda s: sum(a * b for a, b in pairs(s)), "Only the weights"),
        (lambda s: sum((a + 1) * b for a, b in pairs(s)) + s[0], "input layer has no bias"),
        (lambda s: sum(a * (b + 1) for a, b in pairs(s)), "receiving"),
        (lambda s: sum((a + 1) * b for a, b in pairs(s)) + 1, "Count, for each pair"),
    ],
)
def test_parameter_count_rejects_mistakes(capsys, mistake, hint):
    assert_rejected(capsys, ex.check_parameter_count, mistake, hint)


def test_parameter_count_reference_counts_an_mlp():
    assert ex._mlp_parameter_count([3, 4, 1]) == 21
    linear = torch.nn.Sequential(torch.nn.Linear(30, 64), torch.nn.Linear(64, 1))
    assert ex._mlp_parameter_count([30, 64, 1]) == sum(p.numel() for p in linear.parameters())


def test_parameter_count_accepts_a_correct_answer_that_pops_its_list(capsys):
    def popping(sizes):
        total = 0
        while len(sizes) > 1:
            n_in = sizes.pop(0)
            total += (n_in + 1) * sizes[0]
        return total

    assert_passes(capsys, ex.check_parameter_count, popping)
    assert_passes(capsys, ex.check_parameter_count, solution("check_parameter_count"))


def test_parameter_count_accepts_a_0d_tensor(capsys):
    count = solution("check_parameter_count")
    assert_passes(capsys, ex.check_parameter_count, lambda sizes: torch.tensor(count(sizes)))


# ---------------------------------------------------------------------------------------------
# MLP forward
# ---------------------------------------------------------------------------------------------


def relu_everywhere(X, layers):
    H = X
    for W, b in layers:
        H = np.maximum(H @ W.T + b, 0.0)
    return H


def no_relu(X, layers):
    H = X
    for W, b in layers:
        H = H @ W.T + b
    return H


def not_transposed(X, layers):
    H = X
    for k, (W, b) in enumerate(layers):
        H = H @ W + b
        if k + 1 < len(layers):
            H = np.maximum(H, 0.0)
    return H


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (relu_everywhere, "after the output layer"),
        (no_relu, "No ReLU at all"),
        (not_transposed, "Loop over the layers"),  # a shape error on the first case
    ],
)
def test_mlp_forward_rejects_mistakes(capsys, mistake, hint):
    assert_rejected(capsys, ex.check_mlp_forward, mistake, hint)


def test_mlp_forward_rejects_missing_biases_and_samples_as_columns(capsys):
    forward = solution("check_mlp_forward")
    no_bias = lambda X, layers: forward(X, [(W, np.zeros_like(b)) for W, b in layers])  # noqa: E731
    assert_rejected(capsys, ex.check_mlp_forward, no_bias, "biases are missing")
    assert_rejected(
        capsys,
        ex.check_mlp_forward,
        lambda X, layers: forward(X, layers).T,
        "expected shape (5, 1), got shape (1, 5)",
    )


def test_mlp_forward_catches_a_transpose_on_square_layers(capsys):
    forward = solution("check_mlp_forward")

    def transposed_only_when_square(X, layers):
        square = all(W.shape[0] == W.shape[1] for W, _ in layers)
        return not_transposed(X, layers) if square else forward(X, layers)

    assert_rejected(capsys, ex.check_mlp_forward, transposed_only_when_square, "transpose")


def test_mlp_forward_accepts_an_answer_that_consumes_its_layer_list(capsys):
    def popping(X, layers):
        H = X
        while layers:
            W, b = layers.pop(0)
            H = H @ W.T + b
            if layers:
                H = np.maximum(H, 0.0)
        return H

    assert_passes(capsys, ex.check_mlp_forward, popping)
    assert_passes(capsys, ex.check_mlp_forward, popping)  # the cases were not emptied


def test_mlp_forward_reference_matches_torch():
    X, layers = ex._MLP_CASES[1].args
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2), torch.nn.ReLU(),
        torch.nn.Linear(2, 4),
    ).double()  # fmt: skip
    with torch.no_grad():
        for linear, (W, b) in zip(model[::2], layers, strict=True):
            linear.weight.copy_(torch.tensor(W))
            linear.bias.copy_(torch.tensor(b))
        expected = model(torch.tensor(X)).numpy()
    np.testing.assert_allclose(ex._mlp_forward(X, layers), expected, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------------------------
# Collapse of linear layers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (ex._collapse_bias_sum, "pass through the later layers"),
        (ex._collapse_last_bias, "biases are missing"),
        (lambda layers: ex._collapse_reference(layers)[::-1], "W: expected shape"),
    ],
)
def test_collapse_rejects_mistakes(capsys, mistake, hint):
    assert_rejected(capsys, ex.check_collapse, mistake, hint)


def test_collapse_catches_the_order_on_square_layers(capsys):
    collapse = solution("check_collapse")

    def reversed_when_possible(layers):
        try:
            return ex._collapse_reversed(layers)
        except ValueError:
            return collapse(layers)

    assert_rejected(capsys, ex.check_collapse, reversed_when_possible, "wrong order")


def test_collapse_reference_matches_the_product_formula():
    layers = ex._random_dense_weights([3, 5, 2, 4], 0)
    (W1, b1), (W2, b2), (W3, b3) = layers
    W_ref, b_ref = ex._collapse_reference(layers)
    np.testing.assert_allclose(W_ref, W3 @ W2 @ W1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b_ref, W3 @ (W2 @ b1 + b2) + b3, rtol=1e-12, atol=1e-12)


def test_collapse_stub_pair(capsys):
    assert_not_implemented(capsys, ex.check_collapse, lambda layers: (None, None))


# ---------------------------------------------------------------------------------------------
# ReLU bump
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (lambda x, l, p, r: (relu(x - l) - 2 * relu(x - p) + relu(x - r)) / (p - l), "spacing"),
        (lambda x, l, p, r: relu(x - l) - 2 * relu(x - p) + relu(x - r), "height at the peak"),
        (lambda x, l, p, r: (relu(x - l) - relu(x - p)) / (p - l), "ramp"),
        (lambda x, l, p, r: np.exp(-((x - p) ** 2)), "change of slope"),
    ],
)
def test_relu_bump_rejects_mistakes(capsys, mistake, hint):
    assert_rejected(capsys, ex.check_relu_bump, mistake, hint)


def test_relu_bump_reference_is_the_hat_function():
    x = np.linspace(-3, 5, 81)
    hat = np.interp(x, [-1.0, 0.5, 3.0], [0.0, 1.0, 0.0], left=0.0, right=0.0)
    np.testing.assert_allclose(ex._relu_bump(x, -1.0, 0.5, 3.0), hat, rtol=1e-12, atol=1e-12)
