"""Tests of what notebooks 03 (gradient descent) and 04 (backpropagation) add to dlcourse.

Every new exercise check accepts a correct solution, rejects the typical mistakes with their own
hint (never raising), and reports a stub as not implemented; the computational-graph figure renders
and rejects bad input with a clear message. The references of the checks are themselves compared
with independent formulas (Adam's paper form, the batched backprop table, torch.optim).
"""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from dlcourse.exercises import nb03_04 as ex
from dlcourse.plots import plot_computational_graph
from dlcourse.scratch import sigmoid, sigmoid_grad


def outcome(capsys, check, *args):
    """The check's return value and the single line it printed."""
    result = check(*args)
    out = capsys.readouterr().out.strip()
    assert "\n" not in out, out
    return result, out


def stub(*args):
    return None


def raises_not_implemented(*args):
    raise NotImplementedError


# --------------------------------------------------------------------------------------------
# Notebook 03: one Adam step
# --------------------------------------------------------------------------------------------


def adam_solution(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def test_adam_step_accepts_the_solution(capsys):
    ok, out = outcome(capsys, ex.check_adam_step, adam_solution)
    assert ok and out.startswith("✓")


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (ex._adam_uncorrected, "No bias correction"),
        (ex._adam_first_moment_only, "Only m is bias-corrected"),
        (ex._adam_second_moment_only, "Only v is bias-corrected"),
        (ex._adam_eps_inside, "eps is inside the square root"),
        (ex._adam_stores_corrected, "raw moving averages"),
        (lambda *args: adam_solution(*args)[0], "expected a tuple"),
        (lambda *args: adam_solution(*args)[:2], "expected a tuple"),
        (
            lambda p, g, m, v, t, lr, b1, b2, eps: adam_solution(
                p, g, m, v, t + 1, lr, b1, b2, eps
            ),
            "Revisit Adam",
        ),
        (lambda p, g, *rest: adam_solution(p, -g, *rest), "Revisit Adam"),
    ],
)
def test_adam_step_rejects_mistakes(capsys, mistake, hint):
    ok, out = outcome(capsys, ex.check_adam_step, mistake)
    assert not ok and out.startswith("✗") and hint in out


@pytest.mark.parametrize(
    "answer", [None, ..., stub, raises_not_implemented, lambda *args: (None, None, None)]
)
def test_adam_step_stub(capsys, answer):
    ok, out = outcome(capsys, ex.check_adam_step, answer)
    assert not ok and "not implemented yet" in out


def test_adam_step_reports_an_exception_without_raising(capsys):
    def broken(*args):
        raise KeyError("oops")

    ok, out = outcome(capsys, ex.check_adam_step, broken)
    assert not ok and "KeyError" in out


@pytest.mark.parametrize("case", ex._ADAM_CASES, ids=lambda case: case.label)
def test_adam_reference_matches_torch_resumed_from_the_same_state(case):
    param, grad, m, v, t, lr, beta1, beta2, eps = case.args
    p = torch.tensor(param, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    p.grad = torch.tensor(grad, dtype=torch.float64)
    optimizer.step()  # creates the state; overwrite it with step t - 1 and restart from param
    state = optimizer.state[p]
    state["step"].fill_(t - 1)
    state["exp_avg"].copy_(torch.tensor(m))
    state["exp_avg_sq"].copy_(torch.tensor(v))
    with torch.no_grad():
        p.copy_(torch.tensor(param))
    optimizer.step()
    ours = ex._adam_reference(*case.args)
    theirs = (p.detach().numpy(), state["exp_avg"].numpy(), state["exp_avg_sq"].numpy())
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    for a, b in zip(ours, adam_solution(*case.args), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------------------------
# Notebook 03: one epoch of mini-batch SGD
# --------------------------------------------------------------------------------------------


def minibatch_solution(w, b, x, y, lr, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(x))
    for start in range(0, len(x), batch_size):
        batch = order[start : start + batch_size]
        residual = w * x[batch] + b - y[batch]
        w, b = w - lr * 2 * np.mean(residual * x[batch]), b - lr * 2 * np.mean(residual)
    return w, b


def test_minibatch_epoch_accepts_the_solution(capsys):
    ok, out = outcome(capsys, ex.check_minibatch_epoch, minibatch_solution)
    assert ok and out.startswith("✓")


@pytest.mark.parametrize(
    ("index", "hint"),
    [
        (0, "original order"),
        (1, "last, smaller batch"),
        (2, "summed over the batch"),
        (3, "½·MSE"),
        (4, "one full-batch step"),
    ],
)
def test_minibatch_epoch_rejects_mistakes(capsys, index, hint):
    ok, out = outcome(capsys, ex.check_minibatch_epoch, ex._MINIBATCH_MISTAKES[index][0])
    assert not ok and out.startswith("✗") and hint in out


def test_minibatch_epoch_rejects_a_fresh_permutation_per_batch(capsys):
    def reshuffles(w, b, x, y, lr, batch_size, seed):
        rng = np.random.default_rng(seed)
        for _ in range(0, len(x), batch_size):
            batch = rng.permutation(len(x))[:batch_size]
            residual = w * x[batch] + b - y[batch]
            w, b = w - lr * 2 * np.mean(residual * x[batch]), b - lr * 2 * np.mean(residual)
        return w, b

    ok, out = outcome(capsys, ex.check_minibatch_epoch, reshuffles)
    assert not ok and "Revisit mini-batch SGD" in out


@pytest.mark.parametrize("answer", [None, stub, lambda *args: (None, None)])
def test_minibatch_epoch_stub(capsys, answer):
    ok, out = outcome(capsys, ex.check_minibatch_epoch, answer)
    assert not ok and "not implemented yet" in out


@pytest.mark.parametrize("case", ex._MINIBATCH_CASES, ids=lambda case: case.label)
def test_minibatch_reference_equals_the_formula(case):
    np.testing.assert_allclose(
        ex._minibatch_epoch_reference(*case.args), minibatch_solution(*case.args), rtol=1e-12
    )


# --------------------------------------------------------------------------------------------
# Notebook 04: central difference
# --------------------------------------------------------------------------------------------


def central_solution(f, x, eps):
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        plus, minus = x.astype(float), x.astype(float)
        plus[index] += eps
        minus[index] -= eps
        grad[index] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def test_central_difference_accepts_the_solution(capsys):
    ok, out = outcome(capsys, ex.check_central_difference, central_solution)
    assert ok and out.startswith("✓")


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (ex._forward_difference, "forward difference"),
        (lambda f, x, eps: 2 * central_solution(f, x, eps), "2·eps apart"),
        (lambda f, x, eps: central_solution(f, x, eps).ravel()[:, None], "expected shape"),
        (lambda f, x, eps: central_solution(f, x, eps) / 2, "Perturb one entry at a time"),
    ],
)
def test_central_difference_rejects_mistakes(capsys, mistake, hint):
    ok, out = outcome(capsys, ex.check_central_difference, mistake)
    assert not ok and out.startswith("✗") and hint in out


@pytest.mark.parametrize("answer", [None, ..., stub, raises_not_implemented])
def test_central_difference_stub(capsys, answer):
    ok, out = outcome(capsys, ex.check_central_difference, answer)
    assert not ok and "not implemented yet" in out


def test_central_difference_cases_are_close_to_the_exact_gradient():
    x = np.array([0.3, -1.2, 2.0, 0.0])
    exact = np.cos(x) * x**2 + 2 * x * np.sin(x)
    np.testing.assert_allclose(
        ex._central_reference(ex._wavy, x, 1e-4), exact, rtol=1e-6, atol=1e-7
    )


# --------------------------------------------------------------------------------------------
# Notebook 04: hidden-layer delta
# --------------------------------------------------------------------------------------------


def delta_solution(W2, delta2, z1):
    return (delta2 @ W2) * sigmoid_grad(z1)


def test_hidden_delta_accepts_the_solution(capsys):
    ok, out = outcome(capsys, ex.check_hidden_delta, delta_solution)
    assert ok and out.startswith("✓")


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (lambda W2, d2, z1: d2 @ W2, "derivative of the activation is missing"),
        (lambda W2, d2, z1: (d2 @ W2) * sigmoid(z1), "multiplied by σ(z1)"),
        (lambda W2, d2, z1: (d2 @ W2) * z1, "multiplied by z1"),
        (lambda W2, d2, z1: W2.T @ d2, "expected shape"),
        (lambda W2, d2, z1: (d2 @ W2) * (1 - sigmoid(z1)), "output error sent back"),
    ],
)
def test_hidden_delta_rejects_mistakes(capsys, mistake, hint):
    ok, out = outcome(capsys, ex.check_hidden_delta, mistake)
    assert not ok and out.startswith("✗") and hint in out


@pytest.mark.parametrize("answer", [None, ..., stub])
def test_hidden_delta_stub(capsys, answer):
    ok, out = outcome(capsys, ex.check_hidden_delta, answer)
    assert not ok and "not implemented yet" in out


# --------------------------------------------------------------------------------------------
# Notebook 04: a complete backward pass
# --------------------------------------------------------------------------------------------


def backward_solution(X, y, W1, b1, W2, b2):
    Z1 = X @ W1.T + b1
    H1 = sigmoid(Z1)
    D2 = (H1 @ W2.T + b2 - y) / len(X)
    D1 = (D2 @ W2) * sigmoid_grad(Z1)
    return D1.T @ X, D1.sum(axis=0), D2.T @ H1, D2.sum(axis=0)


def test_backward_pass_accepts_the_solution(capsys):
    ok, out = outcome(capsys, ex.check_backward_pass, backward_solution)
    assert ok and out.startswith("✓")


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (lambda *a: tuple(len(a[0]) * g for g in backward_solution(*a)), "N times too large"),
        (lambda *a: tuple(2 * g for g in backward_solution(*a)), "twice too large"),
        (ex._backward_no_activation_grad, "sigmoid's derivative"),
        (lambda *a: backward_solution(*a)[::-1], "dW1"),
        (lambda *a: backward_solution(*a)[:2], "expected a tuple"),
    ],
)
def test_backward_pass_rejects_mistakes(capsys, mistake, hint):
    ok, out = outcome(capsys, ex.check_backward_pass, mistake)
    assert not ok and out.startswith("✗") and hint in out


@pytest.mark.parametrize("answer", [None, stub, lambda *a: (None, None, None, None)])
def test_backward_pass_stub(capsys, answer):
    ok, out = outcome(capsys, ex.check_backward_pass, answer)
    assert not ok and "not implemented yet" in out


@pytest.mark.parametrize("case", ex._BACKWARD_CASES, ids=lambda case: case.label)
def test_backward_reference_matches_autograd_with_half_mse(case):
    X, y, W1, b1, W2, b2 = (torch.tensor(a, dtype=torch.float64) for a in case.args)
    params = [p.requires_grad_() for p in (W1, b1, W2, b2)]
    y_hat = torch.sigmoid(X @ params[0].T + params[1]) @ params[2].T + params[3]
    (0.5 * ((y_hat - y) ** 2).mean()).backward()
    for ours, p in zip(ex._backward_reference(*case.args), params, strict=True):
        np.testing.assert_allclose(ours, p.grad.numpy(), rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------------------------
# Notebook 04: computational graph figure
# --------------------------------------------------------------------------------------------

NODES = {"x": (0, 1, "$x$"), "w": (0, -1, "$w$"), "z": (2, 0, "$z = wx$"), "L": (4, 0, "$L$")}
EDGES = [("x", "z"), ("w", "z"), ("z", "L")]


def test_computational_graph_draws_boxes_arrows_and_both_passes():
    ax = plot_computational_graph(
        NODES, EDGES, forward={"x": "1.5", "z": "0.3"}, backward={"w": "∂L/∂w = 2", "L": "1"}
    )
    texts = [t.get_text() for t in ax.texts]
    assert texts[: len(NODES)] == [label for _, _, label in NODES.values()]
    assert {"1.5", "0.3", "∂L/∂w = 2", "1"} <= set(texts)
    arrows = [c for c in ax.get_children() if type(c).__name__ == "Annotation"]
    assert len(arrows) == len(EDGES)
    plt.close(ax.figure)


def test_computational_graph_draws_on_a_given_axes():
    fig, ax = plt.subplots()
    assert plot_computational_graph(NODES, EDGES, ax=ax) is ax
    plt.close(fig)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"nodes": {}}, "nodes: expected a non-empty mapping"),
        ({"nodes": {"x": (0, 1)}}, "a triple (x, y, label)"),
        ({"edges": [("x", "y")]}, "unknown ['y']"),
        ({"edges": [("x",)]}, "pairs (from_name, to_name)"),
        ({"forward": {"q": "1"}}, "forward: expected node names"),
        ({"backward": {"q": "1"}}, "backward: expected node names"),
    ],
)
def test_computational_graph_rejects_bad_input(kwargs, message):
    arguments = {"nodes": NODES, "edges": EDGES, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        plot_computational_graph(**arguments)
    plt.close("all")
