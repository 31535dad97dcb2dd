"""Sequential / MLP: structure, whole-network gradients against autograd, the torch bridge.

Tolerance: per-parameter relative error (max |a − b| / max |b|) <= 1e-10 against float64 torch.
"""

import subprocess
import sys

import numpy as np
import pytest
import torch

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
from dlcourse.torch_bridge import (
    benchmark_scratch_vs_torch,
    copy_weights_from_torch,
    copy_weights_to_torch,
    to_torch,
)

TOL = 1e-10

TORCH_LOSS = {
    MSELoss: torch.nn.MSELoss,
    BCEWithLogitsLoss: torch.nn.BCEWithLogitsLoss,
    CrossEntropyLoss: torch.nn.CrossEntropyLoss,
}


def close(actual, expected, tol=TOL):
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else expected
    error = relative_error(actual, expected)
    assert error <= tol, f"relative error {error:.2e} > {tol:.0e}"


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


def test_mlp_and_sequential_bad_input():
    with pytest.raises(
        ValueError, match=r"MLP: sizes: expected a list of at least 2 positive ints"
    ):
        MLP([3])
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
    with pytest.raises(ValueError, match="Sequential: layer 1: expected a layer with forward"):
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
def test_mlp_gradients_match_autograd(sizes, activation, output, batch_norm, loss_cls):
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
def test_training_matches_torch_step_by_step(ours_cls, torch_cls, options):
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


# ---- torch bridge ----


def test_to_torch_same_outputs_and_modes():
    model = MLP([4, 8, 8, 2], activation="leaky_relu", batch_norm=True, dropout=0.3, rng=0)
    model.train()
    model(np.random.default_rng(0).standard_normal((16, 4)))  # non-trivial running statistics
    model.eval()
    torch_model = to_torch(model)
    assert not torch_model.training and not torch_model[3].training
    assert isinstance(torch_model[2], torch.nn.LeakyReLU)
    assert torch_model[3].p == 0.3
    assert torch_model[0].weight.dtype == torch.float64
    X = np.random.default_rng(1).standard_normal((5, 4))
    close(model(X), torch_model(torch.tensor(X)))
    assert to_torch(model, dtype=torch.float32)[0].weight.dtype == torch.float32


def test_copy_weights_both_ways_keeps_array_identity():
    model = MLP([4, 8, 2], batch_norm=True, rng=0)
    torch_model = torch.nn.Sequential(
        torch.nn.Linear(4, 8, dtype=torch.float64),
        torch.nn.BatchNorm1d(8, dtype=torch.float64),
        torch.nn.ReLU(),
        torch.nn.Linear(8, 2, dtype=torch.float64),
    )
    with torch.no_grad():
        torch_model[1].running_mean.uniform_(-1, 1)
    ids = [id(p) for p in model.parameters()]
    copy_weights_from_torch(torch_model, model)
    assert [id(p) for p in model.parameters()] == ids
    np.testing.assert_array_equal(model[0].W, torch_model[0].weight.detach().numpy())
    np.testing.assert_array_equal(model[1].running_mean, torch_model[1].running_mean.numpy())
    X = np.random.default_rng(2).standard_normal((6, 4))
    close(model(X), torch_model(torch.tensor(X)))

    model[3].b[:] = 42.0
    copy_weights_to_torch(model, torch_model)
    assert torch_model[3].bias.tolist() == [42.0, 42.0]


def test_bridge_rejects_mismatched_structures():
    model = MLP([4, 8, 2], rng=0)
    f64 = torch.float64
    with pytest.raises(
        ValueError, match="expected a torch Sequential of 3 modules .*, got 2 modules"
    ):
        copy_weights_from_torch(torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU()), model)
    wrong_type = torch.nn.Sequential(
        torch.nn.Linear(4, 8, dtype=f64), torch.nn.Tanh(), torch.nn.Linear(8, 2, dtype=f64)
    )
    with pytest.raises(
        ValueError, match=r"expected nn.ReLU at index 1 \(to match ReLU\), got Tanh"
    ):
        copy_weights_to_torch(model, wrong_type)
    wrong_shape = torch.nn.Sequential(
        torch.nn.Linear(4, 8, dtype=f64), torch.nn.ReLU(), torch.nn.Linear(8, 3, dtype=f64)
    )
    with pytest.raises(
        ValueError, match=r"expected weight of shape \(2, 8\) at index 2 .*, got \(3, 8\)"
    ):
        copy_weights_from_torch(wrong_shape, model)
    with pytest.raises(
        ValueError, match="copy_weights_from_torch: expected a torch.nn.Sequential, got Linear"
    ):
        copy_weights_from_torch(torch.nn.Linear(4, 8), model)


def test_scratch_package_never_imports_torch():
    code = "import sys, dlcourse.scratch; assert 'torch' not in sys.modules, 'torch was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_benchmark_reports_both_timings():
    result = benchmark_scratch_vs_torch(repeats=3)
    assert set(result) == {"scratch_ms", "torch_ms", "ratio"}
    assert result["scratch_ms"] > 0 and result["torch_ms"] > 0
    assert result["ratio"] == pytest.approx(result["scratch_ms"] / result["torch_ms"])
