"""dlcourse.torch_bridge: a scratch model and its torch copy compute the same numbers.

Tolerance: relative error (max |a − b| / max |b|) <= 1e-10 against float64 torch.
"""

import numpy as np
import pytest
import torch

from dlcourse.scratch import MLP, relative_error
from dlcourse.torch_bridge import copy_weights_to_torch, to_torch

TOL = 1e-10


def assert_close(actual, expected) -> None:
    error = relative_error(actual, expected.detach().numpy())
    assert error <= TOL, f"relative error {error:.2e} > {TOL:.0e}"


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
    assert_close(model(X), torch_model(torch.tensor(X)))
    assert_close(model[1].running_var, torch_model[1].running_var)
    assert to_torch(model, dtype=torch.float32)[0].weight.dtype == torch.float32


def test_copy_weights_to_torch_copies_parameters_and_statistics():
    model = MLP([4, 8, 2], batch_norm=True, rng=0)
    model.train()
    model(np.random.default_rng(2).standard_normal((6, 4)))
    torch_model = torch.nn.Sequential(
        torch.nn.Linear(4, 8, dtype=torch.float64),
        torch.nn.BatchNorm1d(8, dtype=torch.float64),
        torch.nn.ReLU(),
        torch.nn.Linear(8, 2, dtype=torch.float64),
    ).eval()
    model[3].b[:] = 42.0
    copy_weights_to_torch(model, torch_model)
    assert torch_model[3].bias.tolist() == [42.0, 42.0]
    np.testing.assert_array_equal(torch_model[1].running_mean.numpy(), model[1].running_mean)
    X = np.random.default_rng(3).standard_normal((6, 4))
    assert_close(model.eval()(X), torch_model(torch.tensor(X)))


def test_bridge_rejects_mismatched_structures():
    model = MLP([4, 8, 2], rng=0)
    f64 = torch.float64
    with pytest.raises(
        ValueError, match="expected a torch Sequential of 3 modules .*, got 2 modules"
    ):
        copy_weights_to_torch(model, torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU()))
    wrong_type = torch.nn.Sequential(
        torch.nn.Linear(4, 8, dtype=f64), torch.nn.Tanh(), torch.nn.Linear(8, 2, dtype=f64)
    )
    with pytest.raises(
        ValueError,
        match=r"expected torch.nn.ReLU at index 1 \(to match dlcourse.scratch.ReLU\), "
        r"got torch.nn.Tanh",
    ):
        copy_weights_to_torch(model, wrong_type)
    wrong_shape = torch.nn.Sequential(
        torch.nn.Linear(4, 8, dtype=f64), torch.nn.ReLU(), torch.nn.Linear(8, 3, dtype=f64)
    )
    with pytest.raises(
        ValueError, match=r"expected weight of shape \(2, 8\) at index 2 .*, got \(3, 8\)"
    ):
        copy_weights_to_torch(model, wrong_shape)


def test_messages_qualify_class_names():
    model = MLP([4, 8, 2], rng=0)
    with pytest.raises(
        ValueError,
        match="copy_weights_to_torch: expected a torch.nn.Sequential, "
        "got dlcourse.scratch.Sequential",
    ):
        copy_weights_to_torch(model, model)
    with pytest.raises(
        ValueError, match="to_torch: expected a dlcourse.scratch.Sequential, got torch.nn.Linear"
    ):
        to_torch(torch.nn.Linear(2, 2))
