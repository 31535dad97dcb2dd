"""Sequential / MLP: structure, reproducibility, whole-network gradients against autograd.

Tolerance: per-parameter relative error (max |a − b| / max |b|) <= 1e-10 against float64 torch.
"""

import subprocess
import sys

import numpy as np
import pytest
import torch

from dlcourse.runtime import seed_everything
from dlcourse.scratch import (
    MLP,
    SGD,
    Adam,
    BatchNorm1d,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Dense,
    Dropout,
    LeakyReLU,
    MSELoss,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    relative_error,
)
from dlcourse.torch_bridge import to_torch

TOL = 1e-10

TORCH_LOSS = {
    MSELoss: torch.nn.MSELoss,
    BCEWithLogitsLoss: torch.nn.BCEWithLogitsLoss,
    CrossEntropyLoss: torch.nn.CrossEntropyLoss,
}


def data(n=64, d=6, k=3, loss_cls=MSELoss, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 2, size=(n, d))
    if loss_cls is CrossEntropyLoss:
        return X, rng.integers(0, k, size=n)
    if loss_cls is BCEWithLogitsLoss:
        return X, rng.integers(0, 2, size=(n, k)).astype(float)
    return X, rng.standard_normal((n, k))


# ---- the Sequential API ----


def test_sequential_api():
    model = Sequential(Dense(3, 4, rng=0), ReLU(), Dense(4, 2, rng=1))
    assert len(model) == 3
    assert isinstance(model[1], ReLU)
    assert isinstance(model[-1], Dense)
    head = model[:2]
    assert isinstance(head, Sequential) and head[0] is model[0]
    assert list(model) == model.layers
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Dense(in_features=3, out_features=4)\n"
        "  (1): ReLU()\n"
        "  (2): Dense(in_features=4, out_features=2)\n"
        ")"
    )
    params = model.parameters()
    assert params[0] is model[0].W and params[3] is model[2].b
    assert [name for name, _ in model.named_parameters()] == ["0.W", "0.b", "2.W", "2.b"]
    assert [g.shape for g in model.gradients()] == [p.shape for p in params]
    assert model.eval() is model and not model.training and not model[1].training
    assert model.train() is model and model[1].training


def test_zero_grad_resets_accumulated_gradients():
    model = MLP([3, 4, 1], rng=0)
    X = np.ones((2, 3))
    model(X)
    model.backward(np.ones((2, 1)))
    assert any(g.any() for g in model.gradients())
    model.zero_grad()
    assert not any(g.any() for g in model.gradients())


def test_mlp_structure():
    model = MLP([5, 8, 8, 2], activation="tanh", output="sigmoid", dropout=0.2, batch_norm=True)
    kinds = [type(layer) for layer in model]
    assert kinds == [
        Dense, BatchNorm1d, Tanh, Dropout,
        Dense, BatchNorm1d, Tanh, Dropout,
        Dense, Sigmoid,
    ]  # fmt: skip
    plain = MLP([5, 8, 2])
    assert [type(layer) for layer in plain] == [Dense, ReLU, Dense]
    assert MLP([3, 4, 1], rng=7)[0].W.tolist() == MLP([3, 4, 1], rng=7)[0].W.tolist()
    custom = MLP([3, 4, 4, 1], activation=lambda: LeakyReLU(0.2))
    assert custom[1].negative_slope == 0.2 and custom[1] is not custom[3]


def test_mlp_accepts_sizes_as_any_sequence_of_ints():
    assert len(MLP((3, 4, 1), rng=0)) == len(MLP(np.array([3, 4, 1]), rng=0)) == 3


def test_mlp_follows_the_global_seed():
    def run():
        seed_everything(0)
        model = MLP([4, 8, 1], dropout=0.5)
        model(np.ones((5, 4)))
        return [p.copy() for p in model.parameters()], model[2].mask.copy()

    (params1, mask1), (params2, mask2) = run(), run()
    for a, b in zip(params1, params2, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(mask1, mask2)


def test_mlp_and_sequential_bad_input():
    with pytest.raises(
        ValueError, match=r"MLP: sizes: expected a list of at least 2 integers >= 1, e.g."
    ):
        MLP([3])
    with pytest.raises(ValueError, match=r"MLP: sizes: .*, got '30'"):
        MLP("30")
    with pytest.raises(ValueError, match=r"MLP: sizes: .*, got \[3, 0, 1\]"):
        MLP([3, 0, 1])
    with pytest.raises(
        ValueError, match=r"MLP: activation: expected one of .*'relu'.*, got 'swish'"
    ):
        MLP([3, 4, 1], activation="swish")
    with pytest.raises(ValueError, match="MLP: activation: expected a name or a class/factory"):
        MLP([3, 4, 1], activation=ReLU())
    with pytest.raises(ValueError, match=r"MLP: dropout: expected a number in \[0, 1\), got 1.0"):
        MLP([3, 4, 1], dropout=1.0)
    with pytest.raises(
        ValueError, match="Sequential: layer 1: expected a layer with forward.*, got str without"
    ):
        Sequential(Dense(3, 4), "relu")
    model = MLP([3, 4, 1], rng=0)
    with pytest.raises(
        ValueError, match=r"Dense.forward: expected x of shape \(batch, 3\), got \(2, 5\)"
    ):
        model(np.zeros((2, 5)))


# ---- whole-network gradients against autograd ----

CASES = [
    # (sizes, activation, output, batch_norm, loss)
    ([6, 16, 16, 3], "relu", "identity", False, MSELoss),
    ([6, 16, 16, 3], "tanh", "identity", True, CrossEntropyLoss),
    ([6, 16, 3], "sigmoid", "identity", True, BCEWithLogitsLoss),
    ([6, 16, 16, 3], "leaky_relu", "tanh", False, MSELoss),
    ([6, 16, 3], "relu", "softmax", False, MSELoss),
]


@pytest.mark.parametrize(("sizes", "activation", "output", "batch_norm", "loss_cls"), CASES)
def test_mlp_gradients_match_autograd(sizes, activation, output, batch_norm, loss_cls, close):
    model = MLP(sizes, activation=activation, output=output, batch_norm=batch_norm, rng=0)
    torch_model = to_torch(model)
    X, y = data(d=sizes[0], k=sizes[-1], loss_cls=loss_cls)
    loss = loss_cls()

    value = loss(model(X), y)
    grad_X = model.backward(loss.backward())

    X_t = torch.tensor(X, requires_grad=True)
    value_t = TORCH_LOSS[loss_cls]()(torch_model(X_t), torch.tensor(y))
    value_t.backward()

    assert relative_error(value, value_t.item()) <= TOL
    close(grad_X, X_t.grad)
    torch_params = list(torch_model.parameters())
    assert len(torch_params) == len(model.parameters())
    for (name, _), grad, p_t in zip(
        model.named_parameters(), model.gradients(), torch_params, strict=True
    ):
        if name in feeds_batchnorm_bias(model):
            # BatchNorm subtracts the batch mean, so this bias has no effect: its exact gradient
            # is 0 and both engines return rounding noise, which has no relative error to speak of.
            assert np.abs(grad).max() <= 1e-12 and p_t.grad.abs().max() <= 1e-12
            continue
        error = relative_error(grad, p_t.grad.numpy())
        assert error <= TOL, f"{name}: relative error {error:.2e}"


def feeds_batchnorm_bias(model) -> set[str]:
    return {
        f"{i}.b"
        for i, (layer, following) in enumerate(
            zip(model.layers[:-1], model.layers[1:], strict=True)
        )
        if isinstance(layer, Dense) and isinstance(following, BatchNorm1d)
    }


@pytest.mark.parametrize(
    ("ours_cls", "torch_cls", "options"),
    [
        (SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
        (Adam, torch.optim.Adam, {"lr": 1e-2}),
    ],
)
def test_training_matches_torch_step_by_step(ours_cls, torch_cls, options, close):
    model = MLP([6, 16, 16, 3], activation="tanh", batch_norm=True, rng=1)
    torch_model = to_torch(model)
    ours = ours_cls(model.parameters(), **options)
    theirs = torch_cls(torch_model.parameters(), **options)
    loss, torch_loss = CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    X, y = data(loss_cls=CrossEntropyLoss, seed=2)
    X_t, y_t = torch.tensor(X), torch.tensor(y)
    for _ in range(30):
        model.zero_grad()
        loss(model(X), y)
        model.backward(loss.backward())
        ours.step(model.gradients())
        theirs.zero_grad()
        torch_loss(torch_model(X_t), y_t).backward()
        theirs.step()
    for (name, p), p_t in zip(model.named_parameters(), torch_model.parameters(), strict=True):
        assert relative_error(p, p_t.detach().numpy()) <= 1e-9, name
    close(model[1].running_var, torch_model[1].running_var)


def test_scratch_package_never_imports_torch():
    code = "import sys, dlcourse.scratch; assert 'torch' not in sys.modules, 'torch was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
