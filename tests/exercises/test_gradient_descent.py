"""Tests of the gradient-descent checks: momentum step, Adam step, mini-batch epoch.

The references are compared with torch.optim (float64) and with the update formulas.
"""

import numpy as np
import pytest
import torch

from dlcourse.exercises import gradient_descent as ex

from .conftest import assert_not_implemented, assert_passes, assert_rejected, solution

# ---------------------------------------------------------------------------------------------
# Momentum
# ---------------------------------------------------------------------------------------------


def momentum_torch(param, grad, velocity, lr, momentum):
    p = torch.tensor(param, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=lr, momentum=momentum)
    optimizer.state[p]["momentum_buffer"] = torch.tensor(velocity)
    p.grad = torch.tensor(grad)
    optimizer.step()
    return p.detach().numpy(), optimizer.state[p]["momentum_buffer"].numpy()


def test_momentum_accepts_torch_sgd_itself(capsys):
    assert_passes(capsys, ex.check_momentum_step, momentum_torch)


@pytest.mark.parametrize("case", ex._MOMENTUM_CASES, ids=lambda case: case.label)
def test_momentum_reference_matches_torch(case):
    for ours, theirs in zip(
        ex._momentum_reference(*case.args), momentum_torch(*case.args), strict=True
    ):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (ex._momentum_velocity_form, "velocity form"),
        (ex._momentum_dampened, "(1 - momentum)"),
        (ex._momentum_stale, "old velocity"),
        (lambda *args: ex._momentum_reference(*args)[::-1], "swapped"),
        (lambda p, g, v, lr, m: p - lr * g, "expected a tuple"),
    ],
)
def test_momentum_rejects_other_conventions(capsys, mistake, fragment):
    assert_rejected(capsys, ex.check_momentum_step, mistake, fragment)


def test_momentum_rejects_an_in_place_update(capsys):
    def in_place(param, grad, velocity, lr, momentum):
        velocity *= momentum
        velocity += grad
        param -= lr * velocity
        return param, velocity

    assert_rejected(capsys, ex.check_momentum_step, in_place, "in place")
    assert_passes(capsys, ex.check_momentum_step, solution("check_momentum_step"))


# ---------------------------------------------------------------------------------------------
# Adam
# ---------------------------------------------------------------------------------------------


def adam(*args):
    return solution("check_adam_step")(*args)


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        (ex._adam_uncorrected, "No bias correction"),
        (ex._adam_first_moment_only, "Only m is bias-corrected"),
        (ex._adam_second_moment_only, "Only v is bias-corrected"),
        (ex._adam_eps_inside, "eps is inside the square root"),
        (ex._adam_stores_corrected, "raw moving averages"),
        (lambda p, g, m, v, t, *rest: adam(p, g, m, v, t + 1, *rest), "step t + 1"),
        (lambda p, g, m, v, t, *rest: adam(p, g, m, v, t - 1, *rest), "step t − 1"),
        (lambda *args: adam(*args)[0], "expected a tuple"),
        (lambda *args: adam(*args)[:2], "expected a tuple"),
        (lambda p, g, *rest: adam(p, -g, *rest), "Revisit Adam"),
    ],
)
def test_adam_step_rejects_mistakes(capsys, mistake, hint):
    assert_rejected(capsys, ex.check_adam_step, mistake, hint)


def test_adam_stub_triple(capsys):
    assert_not_implemented(capsys, ex.check_adam_step, lambda *args: (None, None, None))


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


# ---------------------------------------------------------------------------------------------
# One epoch of mini-batch SGD
# ---------------------------------------------------------------------------------------------


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
    assert_rejected(capsys, ex.check_minibatch_epoch, ex._MINIBATCH_MISTAKES[index][0], hint)


def test_minibatch_epoch_rejects_a_fresh_permutation_per_batch(capsys):
    def reshuffles(w, b, x, y, lr, batch_size, seed):
        rng = np.random.default_rng(seed)
        for _ in range(0, len(x), batch_size):
            batch = rng.permutation(len(x))[:batch_size]
            residual = w * x[batch] + b - y[batch]
            w, b = w - lr * 2 * np.mean(residual * x[batch]), b - lr * 2 * np.mean(residual)
        return w, b

    assert_rejected(capsys, ex.check_minibatch_epoch, reshuffles, "Revisit mini-batch SGD")


def test_minibatch_reference_matches_torch_sgd_on_mse():
    w, b, x, y, lr, batch_size, seed = ex._MINIBATCH_CASES[0].args
    model = torch.nn.Linear(1, 1).double()
    with torch.no_grad():
        model.weight.fill_(w)
        model.bias.fill_(b)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    order = np.random.default_rng(seed).permutation(len(x))
    X, Y = torch.tensor(x[:, None]), torch.tensor(y[:, None])
    for start in range(0, len(x), batch_size):
        batch = torch.from_numpy(order[start : start + batch_size])
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(X[batch]), Y[batch]).backward()
        optimizer.step()
    expected = (model.weight.item(), model.bias.item())
    np.testing.assert_allclose(ex._minibatch_epoch_reference(*ex._MINIBATCH_CASES[0].args), expected,
                               rtol=1e-12)  # fmt: skip
