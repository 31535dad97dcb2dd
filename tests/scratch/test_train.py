"""The NumPy learning loop: train_epoch and evaluate against torch, accuracy, early stopping.

Tolerance: parameters and losses agree with float64 torch to relative error <= 1e-10 after
several epochs of the same mini-batches.
"""

import warnings

import numpy as np
import pytest
import torch

from dlcourse.scratch import (
    MLP,
    SGD,
    AdamW,
    BCEWithLogitsLoss,
    EarlyStopping,
    MSELoss,
    accuracy,
    dense_weight_penalty,
    evaluate,
    l1_penalty,
    relative_error,
    train_epoch,
)
from dlcourse.torch_bridge import to_torch

TOL = 1e-10


def problem(n=50, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, :1] - X[:, 1:2] > 0).astype(np.float64)
    return X, y


def torch_epoch(model, optimizer, X, y, batch_size, order, lam=0.0):
    """The same epoch in torch: same batches, BCE-with-logits, optional L1 on Linear weights."""
    model.train()
    total = 0.0
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            model(torch.tensor(X[batch])), torch.tensor(y[batch])
        )
        weights = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
        (loss + lam * sum(w.abs().sum() for w in weights)).backward()
        optimizer.step()
        total += loss.item() * len(batch)
    return total / len(X)


# Adam divides by sqrt(v): on the Dense bias feeding BatchNorm (exact gradient 0, rounding noise
# in both engines) it would turn noise into full steps, so the Adam case has no BatchNorm.
@pytest.mark.parametrize(
    ("make_ours", "make_theirs", "lam", "batch_norm"),
    [
        (
            lambda p: SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-2),
            lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-2),
            0.0,
            True,
        ),
        (
            lambda p: AdamW(p, lr=1e-2, weight_decay=0.1),
            lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.1),
            1e-3,
            False,
        ),
    ],
)
def test_train_epoch_matches_torch(make_ours, make_theirs, lam, batch_norm):
    X, y = problem()
    model = MLP([5, 8, 1], activation="tanh", batch_norm=batch_norm, rng=0)
    torch_model = to_torch(model)
    ours, theirs = make_ours(model.parameters()), make_theirs(torch_model.parameters())
    penalty = dense_weight_penalty(l1_penalty, lam) if lam else None
    rng, orders = np.random.default_rng(1), np.random.default_rng(1)
    for _ in range(3):
        loss = train_epoch(model, BCEWithLogitsLoss(), ours, X, y, 16, rng, penalty=penalty)
        loss_t = torch_epoch(torch_model, theirs, X, y, 16, orders.permutation(len(X)), lam)
        assert relative_error(loss, loss_t) <= TOL
    for p, p_t in zip(model.parameters(), torch_model.parameters(), strict=True):
        assert relative_error(p, p_t.detach().numpy()) <= TOL
    if batch_norm:
        assert relative_error(model[1].running_mean, torch_model[1].running_mean.numpy()) <= TOL


def test_evaluate_uses_eval_mode_and_restores_modes():
    X, y = problem()
    model = MLP([5, 8, 1], dropout=0.5, batch_norm=True, rng=0)
    model[1].running_mean[:] = 0.3
    loss = BCEWithLogitsLoss()
    first, second = evaluate(model, loss, X, y), evaluate(model, loss, X, y)
    assert first == second  # dropout off, running statistics used (and not updated)
    model.eval()
    assert first == loss(model(X), y)
    model.train()
    evaluate(model, loss, X, y)
    assert all(layer.training for layer in model)
    assert model[1].running_mean.tolist() == [0.3] * 8


def test_early_stopping_restores_the_best_weights_in_place():
    model = MLP([2, 3, 1], batch_norm=True, rng=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    ids = [id(p) for p in model.parameters()]
    stopper = EarlyStopping(patience=2)
    best = [p.copy() for p in model.parameters()] + [model[1].running_var.copy()]
    assert not stopper.step(1.0, model, 0)
    for p in model.parameters():
        p += 1.0
    model[1].running_var[:] = 5.0
    assert not stopper.step(1.5, model, 1)
    assert stopper.step(1.2, model, 2)
    stopper.restore(model)
    assert [id(p) for p in model.parameters()] == ids  # the optimizer still holds them
    for p, saved in zip([*model.parameters(), model[1].running_var], best, strict=True):
        np.testing.assert_array_equal(p, saved)
    assert optimizer.params[0] is model[0].W and stopper.best_epoch == 0


def test_early_stopping_without_restore_keeps_the_last_weights():
    model = MLP([2, 1], rng=0)
    stopper = EarlyStopping(patience=1, restore_best=False)
    stopper.step(1.0, model, 0)
    model[0].W[:] = 7.0
    stopper.step(2.0, model, 1)
    stopper.restore(model)
    assert stopper.best_state is None and model[0].W.tolist() == [[7.0, 7.0]]


def test_accuracy_from_logits_and_probabilities():
    y = np.array([1, 0, 1, 0, 1, 1, 0, 0])
    logits = np.array([2.0, -1.0, 0.5, -3.0, 1.0, -0.2, -0.1, 0.3])
    assert accuracy(y, logits) == 0.75
    p = 1 / (1 + np.exp(-logits))
    assert accuracy(y, p, probabilities=True) == 0.75
    assert accuracy(y[:, None], logits[:, None]) == 0.75
    multi = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 3.0]])
    assert accuracy(np.array([0, 1]), multi) == 0.5


def test_accuracy_detects_probabilities_given_as_logits():
    y = np.array([1, 0, 1, 0, 1, 1, 0, 1])
    p = np.array([0.9, 0.1, 0.8, 0.3, 0.7, 0.6, 0.2, 0.4])  # 7 of 8 right at 0.5
    with pytest.warns(UserWarning, match="expected logits .*look like probabilities"):
        accuracy(y, p)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert accuracy(y, p, probabilities=True) == 0.875
    with pytest.raises(ValueError, match=r"expected probabilities in \[0, 1\] .*logits"):
        accuracy(y, np.array([2.0, -1.0, 0.5, 0.3, 1.0, 1.0, -2.0, 3.0]), probabilities=True)
    with pytest.raises(ValueError, match="accuracy: expected n labels y and output"):
        accuracy(y[:3], p)


def test_train_epoch_bad_input():
    X, y = problem()
    model = MLP([5, 1], rng=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="train_epoch: expected y with 50 rows"):
        train_epoch(model, MSELoss(), optimizer, X, y[:10], 8, 0)
    with pytest.raises(ValueError, match="train_epoch: batch_size: expected a positive integer"):
        train_epoch(model, MSELoss(), optimizer, X, y, 0, 0)
    with pytest.raises(ValueError, match=r"train_epoch: expected X of shape \(batch, n\)"):
        train_epoch(model, MSELoss(), optimizer, X[0], y, 8, 0)
