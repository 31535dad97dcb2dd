"""Losses against float64 PyTorch: values and dL/d(y_hat), extremes included, plus bad input.

Tolerances: loss values to relative error <= 1e-10; gradients elementwise to rtol 1e-10 (atol 0).
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlcourse.scratch import (
    SGD,
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_penalty,
    l2_penalty,
    mae,
    mse,
    relative_error,
)

RTOL = 1e-10
EXTREME_LOGITS = np.array([-1000.0, -100.0, -50.0, -30.0, 0.0, 30.0, 50.0, 100.0, 1000.0])
SHAPES = [(64,), (64, 1), (32, 3)]


def logits(shape, seed=0) -> np.ndarray:
    z = np.random.default_rng(seed).normal(0.0, 10.0, size=shape).ravel()
    z[: EXTREME_LOGITS.size] = EXTREME_LOGITS
    return z.reshape(shape)


def binary_targets(shape, seed=1, soft=False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.random(shape) if soft else rng.integers(0, 2, size=shape).astype(np.float64)


def torch_reference(torch_loss, y_hat: np.ndarray, *args):
    """(value, dL/dy_hat) from autograd; ``args`` are converted to tensors where arrays."""
    y_hat_t = torch.tensor(y_hat, requires_grad=True)
    targs = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    value = torch_loss(y_hat_t, *targs)
    value.backward()
    return value.item(), y_hat_t.grad.numpy()


def check(loss, y_hat, y, expected_value, expected_grad):
    value = loss(y_hat, y)
    assert isinstance(value, float)
    assert relative_error(value, expected_value) <= RTOL
    grad = loss.backward()
    assert grad.shape == y_hat.shape
    np.testing.assert_allclose(grad, expected_grad, rtol=RTOL, atol=0)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mse_and_l1_match_torch(shape, reduction):
    rng = np.random.default_rng(2)
    y_hat = rng.normal(0, 50, size=shape)
    y = rng.normal(0, 50, size=shape)
    y.ravel()[:5] = y_hat.ravel()[:5]  # ties: L1's sign(0) = 0
    for ours, theirs, plain in [(MSELoss, F.mse_loss, mse), (L1Loss, F.l1_loss, mae)]:
        value, grad = torch_reference(lambda a, b, f=theirs: f(a, b, reduction=reduction), y_hat, y)
        check(ours(reduction=reduction), y_hat, y, value, grad)
        assert relative_error(plain(y_hat, y, reduction=reduction), value) <= RTOL


def test_mse_has_no_half():
    y_hat, y = np.array([3.0]), np.array([1.0])
    loss = MSELoss()
    assert loss(y_hat, y) == 4.0
    assert loss.backward().tolist() == [4.0]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("soft", [False, True])
def test_bce_matches_torch(shape, soft):
    # Probabilities from extreme logits (1e-44, 1 - 1e-22 = 1.0, ...) plus exact 0 and 1, where
    # torch clamps the log at -100 and floors the gradient's denominator at 1e-12.
    p = torch.sigmoid(torch.tensor(logits(shape))).numpy().copy()
    p.ravel()[[0, -1]] = 0.0, 1.0
    y = binary_targets(shape, soft=soft)
    value, grad = torch_reference(F.binary_cross_entropy, p, y)
    check(BCELoss(), p, y, value, grad)
    assert relative_error(binary_cross_entropy(p, y), value) <= RTOL


def test_bce_clamps_log_at_minus_100():
    assert binary_cross_entropy(np.array([0.0]), np.array([1.0])) == 100.0
    assert binary_cross_entropy(np.array([1.0]), np.array([0.0]), reduction="sum") == 100.0


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("soft", [False, True])
@pytest.mark.parametrize("pos_weight", [None, 3.0, "per-output"])
def test_bce_with_logits_matches_torch(shape, soft, pos_weight):
    z = logits(shape)
    y = binary_targets(shape, soft=soft)
    if pos_weight == "per-output":
        pos_weight = np.linspace(0.5, 4.0, shape[-1])
    pw_t = None if pos_weight is None else torch.as_tensor(pos_weight, dtype=torch.float64)
    value, grad = torch_reference(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pw_t), z, y
    )
    check(BCEWithLogitsLoss(pos_weight=pos_weight), z, y, value, grad)
    assert relative_error(binary_cross_entropy_with_logits(z, y, pos_weight), value) <= RTOL


def test_bce_with_logits_is_stable_at_huge_logits():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = binary_cross_entropy_with_logits(np.array([1000.0, -1000.0]), np.array([0.0, 1.0]))
    assert value == 1000.0


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_matches_torch(weighted, reduction):
    z = logits((40, 5), seed=3)
    z[0] = 1000.0  # equal huge logits in one row
    labels = np.random.default_rng(4).integers(0, 5, size=40)
    weight = np.array([0.5, 1.0, 2.0, 3.0, 0.1]) if weighted else None
    w_t = None if weight is None else torch.tensor(weight)
    value, grad = torch_reference(
        lambda a, b: F.cross_entropy(a, b, weight=w_t, reduction=reduction), z, labels
    )
    loss = CrossEntropyLoss(weight=weight, reduction=reduction)
    # The gradient rows sum to zero (softmax − onehot), so entries are cancellations of O(1/N)
    # terms: compared relative to the array's scale, not entry by entry.
    value_ours = loss(z, labels)
    assert relative_error(value_ours, value) <= RTOL
    assert relative_error(loss.backward(), grad) <= RTOL
    assert relative_error(cross_entropy(z, labels, weight, reduction), value) <= RTOL


def test_loss_repr_and_forward_alias():
    loss = MSELoss()
    assert repr(loss) == "MSELoss(reduction='mean')"
    assert loss.forward(np.zeros(2), np.ones(2)) == 1.0


# ---- bad input: ValueError naming what was expected and what was received ----


@pytest.mark.parametrize("loss", [MSELoss(), L1Loss(), BCELoss(), BCEWithLogitsLoss()])
def test_shape_mismatch_names_both_shapes(loss):
    with pytest.raises(
        ValueError, match=r"expected y of shape \(4, 1\) \(the shape of y_hat\), got \(4,\)"
    ):
        loss(np.full((4, 1), 0.5), np.zeros(4))


def test_cross_entropy_rejects_float_labels():
    with pytest.raises(
        ValueError, match=r"cross_entropy: expected y as integer class labels .*, got dtype float64"
    ):
        CrossEntropyLoss()(np.zeros((3, 2)), np.array([0.0, 1.0, 1.0]))


def test_cross_entropy_rejects_bad_labels_and_shapes():
    with pytest.raises(ValueError, match=r"expected labels in \[0, 1\], got label 2"):
        cross_entropy(np.zeros((3, 2)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"expected y of shape \(3,\), got \(3, 1\)"):
        cross_entropy(np.zeros((3, 2)), np.zeros((3, 1), dtype=int))
    with pytest.raises(
        ValueError, match=r"expected y_hat \(logits\) of shape \(batch, n_classes\), got \(3,\)"
    ):
        cross_entropy(np.zeros(3), np.zeros(3, dtype=int))
    with pytest.raises(
        ValueError, match=r"expected weight \(one per class\) of shape \(2,\), got \(3,\)"
    ):
        cross_entropy(np.zeros((3, 2)), np.zeros(3, dtype=int), weight=np.ones(3))


def test_bce_rejects_values_outside_unit_interval():
    with pytest.raises(
        ValueError, match=r"expected y_hat as probabilities in \[0, 1\], got value 1.5"
    ):
        BCELoss()(np.array([0.5, 1.5]), np.array([0.0, 1.0]))


@pytest.mark.parametrize("target", [2.0, -1.0])
def test_bce_rejects_targets_outside_unit_interval(target):
    y = np.array([0.0, target])
    for loss in (BCELoss(), BCEWithLogitsLoss()):
        with pytest.raises(
            ValueError, match=rf"expected y \(targets\) in \[0, 1\], got value {target}"
        ):
            loss(np.array([0.5, 0.5]), y)


def test_bce_with_logits_gives_nan_at_infinite_logits_as_torch():
    # Kept for parity with torch: (1 − y)·z is 0·inf = NaN; dlcourse.training.fit warns on it.
    z, y = np.array([np.inf, -np.inf]), np.array([1.0, 0.0])
    expected = F.binary_cross_entropy_with_logits(torch.tensor(z), torch.tensor(y)).item()
    with np.errstate(invalid="ignore"):
        value = binary_cross_entropy_with_logits(z, y)
    assert np.isnan(value) and np.isnan(expected)


def test_losses_reject_complex_input():
    with pytest.raises(ValueError, match="mse: y_hat: expected an array of real numbers"):
        mse(np.array([1 + 1j]), np.array([1.0]))


def penalty_inputs():
    rng = np.random.default_rng(5)
    params = [rng.normal(size=(3, 4)), rng.normal(size=2)]
    params[0][0, 0] = 0.0  # |x| at 0: subgradient 0, as torch's autograd
    return params


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (l1_penalty, lambda ps, lam: lam * sum(p.abs().sum() for p in ps)),
        (l2_penalty, lambda ps, lam: 0.5 * lam * sum((p * p).sum() for p in ps)),
    ],
)
def test_penalties_match_autograd(ours, theirs):
    params, lam = penalty_inputs(), 0.3
    value, grads = ours(params, lam)
    params_t = [torch.tensor(p, requires_grad=True) for p in params]
    value_t = theirs(params_t, lam)
    value_t.backward()
    assert relative_error(value, value_t.item()) <= RTOL
    for grad, p_t in zip(grads, params_t, strict=True):
        np.testing.assert_allclose(grad, p_t.grad.numpy(), rtol=RTOL, atol=0)


def test_l2_penalty_is_sgd_weight_decay():
    lam, lr = 0.1, 0.5
    decayed, penalised = [p.copy() for p in penalty_inputs()], [p.copy() for p in penalty_inputs()]
    grads = [np.ones_like(p) for p in decayed]
    SGD(decayed, lr=lr, weight_decay=lam).step(grads)
    _, extra = l2_penalty(penalised, lam)
    SGD(penalised, lr=lr).step([g + e for g, e in zip(grads, extra, strict=True)])
    for a, b in zip(decayed, penalised, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-15)


def test_penalties_reject_bad_input():
    with pytest.raises(ValueError, match=r"l1_penalty: lam: expected a number in \[0, inf\)"):
        l1_penalty([np.ones(2)], -1.0)
    with pytest.raises(ValueError, match="l2_penalty: params: expected a non-empty list of arrays"):
        l2_penalty(np.ones(2), 0.1)


def test_bad_reduction_and_pos_weight():
    with pytest.raises(
        ValueError, match=r"MSELoss: reduction: expected one of \('mean', 'sum'\), got 'none'"
    ):
        MSELoss(reduction="none")
    with pytest.raises(
        ValueError, match=r"expected pos_weight broadcastable to y_hat's shape \(4, 2\), got \(3,\)"
    ):
        binary_cross_entropy_with_logits(np.zeros((4, 2)), np.zeros((4, 2)), pos_weight=np.ones(3))


def test_backward_before_call():
    with pytest.raises(RuntimeError, match="MSELoss.backward: expected a call loss"):
        MSELoss().backward()
