"""Dense, Dropout and BatchNorm1d against float64 PyTorch (forward, autograd backward, statistics).

Tolerance: relative error (max |a − b| / max |b|, :func:`relative_error`) <= 1e-10 for outputs and
gradients; matrix products and batch sums are summed in a different order than torch's, so these
are compared relative to the array's scale rather than entry by entry.
"""

import inspect

import numpy as np
import pytest
import torch

from dlcourse.runtime import seed_everything
from dlcourse.scratch import BatchNorm1d, Dense, Dropout, Layer


def maths_lines(method) -> int:
    """Statements in a method's body (no signature, docstring, comment or blank line)."""
    body = inspect.getsource(method).splitlines()[1:]
    return sum(1 for line in body if line.strip() and not line.strip().startswith(("#", '"')))


# ---- the Layer protocol: forward/backward validate and cache, _forward/_backward compute ----


class Square(Layer):
    """y = x², written only as maths: the base class validates and caches."""

    def _forward(self, x):
        return x * x

    def _backward(self, grad_out):
        return grad_out * 2.0 * self.x


def test_a_layer_needs_only_forward_and_backward_maths():
    layer = Square()
    x = np.array([[1.0, -2.0]])
    assert layer(x).tolist() == [[1.0, 4.0]]
    assert layer.x is x and layer.out.tolist() == [[1.0, 4.0]]
    assert layer.backward(np.ones((1, 2))).tolist() == [[2.0, -4.0]]
    assert layer([[3]]).tolist() == [[9.0]]  # lists and ints become float64
    with pytest.raises(RuntimeError, match="Square.backward: expected a forward call"):
        Square().backward(np.ones(2))
    with pytest.raises(ValueError, match=r"Square.backward: expected grad_out .*\(1, 1\)"):
        layer.backward(np.ones((1, 2)))
    with pytest.raises(ValueError, match="Square.forward: x: expected an array of real numbers"):
        layer(np.array([1 + 2j]))


def test_dense_backward_reads_like_micrograd():
    # What notebooks show with inspect.getsource: the maths only, no validation.
    assert maths_lines(Dense._forward) == 1
    assert maths_lines(Dense._backward) == 3


def test_dense_and_dropout_follow_the_global_seed():
    def run():
        seed_everything(0)
        layer, dropout = Dense(4, 3), Dropout(0.5)
        dropout(np.ones((6, 4)))
        return layer.W.copy(), dropout.mask.copy()

    (W1, mask1), (W2, mask2) = run(), run()
    np.testing.assert_array_equal(W1, W2)
    np.testing.assert_array_equal(mask1, mask2)
    assert not np.array_equal(Dense(4, 3).W, W1)  # the stream moves on: no repeated weights


# ---- Dense ----


def test_dense_matches_linear_forward_and_backward(close):
    rng = np.random.default_rng(0)
    layer = Dense(7, 5, rng=rng)
    layer.W *= 30.0  # large weights so a transposed or missing term cannot hide in rounding
    X = rng.normal(0, 3, size=(16, 7))
    grad_out = rng.standard_normal((16, 5))

    linear = torch.nn.Linear(7, 5, dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor(layer.W))
        linear.bias.copy_(torch.tensor(layer.b))
    X_t = torch.tensor(X, requires_grad=True)
    out_t = linear(X_t)
    out_t.backward(torch.tensor(grad_out))

    close(layer(X), out_t)
    close(layer.backward(grad_out), X_t.grad)
    close(layer.dW, linear.weight.grad)
    close(layer.db, linear.bias.grad)


def test_dense_accumulates_gradients_like_torch():
    rng = np.random.default_rng(1)
    layer = Dense(3, 2, rng=rng)
    X, g = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer(X)
    layer.backward(g)
    first = layer.dW.copy()
    layer.backward(g)
    np.testing.assert_allclose(layer.dW, 2 * first, rtol=1e-15)
    grads_before = [id(a) for a in layer.grads]
    layer.zero_grad()
    assert not layer.dW.any() and not layer.db.any()
    assert [id(a) for a in layer.grads] == grads_before


def test_dense_params_are_the_attribute_arrays():
    layer = Dense(3, 2, rng=0)
    assert layer.params[0] is layer.W and layer.params[1] is layer.b
    assert layer.grads[0] is layer.dW and layer.grads[1] is layer.db
    assert layer.W.shape == (2, 3) and layer.b.shape == (2,)
    assert layer.W.dtype == np.float64
    assert repr(layer) == "Dense(in_features=3, out_features=2)"


def test_dense_initialisations():
    fan_in, fan_out = 400, 300
    torch_init = Dense(fan_in, fan_out, rng=0)
    bound = 1 / np.sqrt(fan_in)
    for array in (torch_init.W, torch_init.b):
        assert np.abs(array).max() <= bound
    # U(-a, a) has std a/sqrt(3); 120,000 draws estimate it to well under 1%.
    assert torch_init.W.std() == pytest.approx(bound / np.sqrt(3), rel=0.01)

    he = Dense(fan_in, fan_out, rng=0, init="he")
    assert he.W.std() == pytest.approx(np.sqrt(2 / fan_in), rel=0.01)
    assert not he.b.any()

    xavier = Dense(fan_in, fan_out, rng=0, init="xavier")
    xavier_bound = np.sqrt(6 / (fan_in + fan_out))
    assert np.abs(xavier.W).max() <= xavier_bound
    assert xavier.W.std() == pytest.approx(xavier_bound / np.sqrt(3), rel=0.01)

    np.testing.assert_array_equal(Dense(3, 2, rng=5).W, Dense(3, 2, rng=5).W)


def test_dense_bad_input():
    layer = Dense(3, 4, rng=0)
    with pytest.raises(
        ValueError, match=r"^Dense.forward: expected x of shape \(batch, 3\), got \(5, 4\)$"
    ):
        layer(np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"expected x of shape \(batch, 3\), got \(3,\)"):
        layer(np.zeros(3))
    with pytest.raises(RuntimeError, match="Dense.backward: expected a forward call"):
        layer.backward(np.zeros((5, 4)))
    layer(np.zeros((5, 3)))
    with pytest.raises(
        ValueError, match=r"Dense.backward: expected grad_out .* of shape \(5, 4\), got \(5, 3\)"
    ):
        layer.backward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="Dense: in_features: expected a positive integer, got 0"):
        Dense(0, 3)
    with pytest.raises(
        ValueError, match=r"Dense: init: expected one of \('torch', 'he', 'xavier'\), got 'lecun'"
    ):
        Dense(2, 3, init="lecun")
    with pytest.raises(
        ValueError,
        match="Dense: expected rng as None, an int seed or a numpy.random.Generator, got str",
    ):
        Dense(2, 3, rng="seed")


# ---- Dropout ----


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_mask_scaling_and_expected_value(p):
    layer = Dropout(p, rng=0)
    X = np.full((1000, 1000), 2.0)
    out = layer(X)
    scale = 1 / (1 - p)
    assert set(np.unique(layer.mask)) == {0.0, scale}
    np.testing.assert_array_equal(out, X * layer.mask)
    # 1e6 Bernoulli(1-p) draws: the kept fraction's standard error is below 5e-4, so 3e-3 is > 6 sigma.
    assert np.mean(layer.mask > 0) == pytest.approx(1 - p, abs=3e-3)
    assert out.mean() == pytest.approx(2.0, rel=3e-3 * scale)
    g = np.random.default_rng(1).standard_normal(X.shape)
    np.testing.assert_array_equal(layer.backward(g), g * layer.mask)


def test_dropout_is_identity_in_eval_and_for_p_zero():
    X = np.random.default_rng(2).standard_normal((5, 4))
    layer = Dropout(0.5, rng=0).eval()
    np.testing.assert_array_equal(layer(X), X)
    np.testing.assert_array_equal(layer.backward(X), X)
    np.testing.assert_array_equal(Dropout(0.0)(X), X)


def test_dropout_draws_fresh_masks():
    layer = Dropout(0.5, rng=0)
    X = np.ones((10, 10))
    layer(X)
    first = layer.mask.copy()
    layer(X)
    assert not np.array_equal(first, layer.mask)


class Draws:
    """A stand-in generator whose ``random`` returns fixed uniform draws."""

    def __init__(self, u):
        self.u = u

    def random(self, shape):
        assert shape == self.u.shape
        return self.u


@pytest.mark.parametrize("p", [0.2, 0.7])
def test_dropout_matches_torch_for_the_same_mask_in_train_and_eval(p, close):
    x = np.random.default_rng(3).normal(size=(50, 8)) + 10.0  # no zero entries
    x_t = torch.tensor(x, requires_grad=True)
    torch.manual_seed(0)
    out_t = torch.nn.functional.dropout(x_t, p=p, training=True)
    grad_out = np.random.default_rng(4).normal(size=x.shape)
    out_t.backward(torch.tensor(grad_out))
    kept = out_t.detach().numpy() != 0
    layer = Dropout(p)
    layer.rng = Draws(np.where(kept, 0.999, 0.0))  # kept exactly where torch kept
    close(layer(x), out_t, tol=1e-15)
    close(layer.backward(grad_out), x_t.grad, tol=1e-15)
    layer.eval()
    np.testing.assert_array_equal(layer(x), torch.nn.Dropout(p).eval()(torch.tensor(x)).numpy())


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5, float("nan")])
def test_dropout_rejects_p_outside_unit_interval(p):
    with pytest.raises(ValueError, match=r"Dropout: p: expected a number in \[0, 1\), got"):
        Dropout(p)


# ---- BatchNorm1d ----


def batchnorm_pair(num_features=4, momentum=0.1, eps=1e-5, seed=0):
    rng = np.random.default_rng(seed)
    ours = BatchNorm1d(num_features, momentum=momentum, eps=eps)
    ours.gamma[:] = rng.normal(1.0, 0.5, num_features)
    ours.beta[:] = rng.normal(0.0, 0.5, num_features)
    theirs = torch.nn.BatchNorm1d(num_features, momentum=momentum, eps=eps, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.gamma))
        theirs.bias.copy_(torch.tensor(ours.beta))
    return ours, theirs


def compare_step(close, ours, theirs, X, grad_out):
    X_t = torch.tensor(X, requires_grad=True)
    out_t = theirs(X_t)
    out_t.backward(torch.tensor(grad_out))
    close(ours(X), out_t)
    close(ours.backward(grad_out), X_t.grad)
    close(ours.dgamma, theirs.weight.grad)
    close(ours.dbeta, theirs.bias.grad)
    close(ours.running_mean, theirs.running_mean)
    close(ours.running_var, theirs.running_var)


@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_batchnorm_train_then_eval_matches_torch(momentum, close):
    ours, theirs = batchnorm_pair(momentum=momentum)
    rng = np.random.default_rng(3)
    for step in range(5):
        X = rng.normal(5.0 * step, 1.0 + step, size=(32, 4))
        compare_step(close, ours, theirs, X, rng.standard_normal((32, 4)))
        ours.zero_grad()
        theirs.zero_grad()
    ours.eval()
    theirs.eval()
    X = rng.normal(3.0, 2.0, size=(8, 4))
    compare_step(close, ours, theirs, X, rng.standard_normal((8, 4)))
    # Eval mode must not touch the running statistics.
    before = ours.running_mean.copy()
    ours(X)
    np.testing.assert_array_equal(ours.running_mean, before)


def test_batchnorm_statistics_are_biased_then_unbiased():
    layer = BatchNorm1d(1, momentum=1.0)
    X = np.array([[1.0], [3.0]])
    out = layer(X)
    np.testing.assert_allclose(out.ravel(), [-1.0, 1.0], rtol=1e-5)  # biased var 1 (+eps)
    assert layer.running_mean.tolist() == [2.0]
    assert layer.running_var.tolist() == [2.0]  # unbiased var


def test_batchnorm_bad_input():
    layer = BatchNorm1d(3)
    with pytest.raises(
        ValueError, match=r"BatchNorm1d.forward: expected x of shape \(batch, 3\), got \(4, 2\)"
    ):
        layer(np.zeros((4, 2)))
    with pytest.raises(
        ValueError, match="expected more than 1 sample per batch in training mode, got 1"
    ):
        layer(np.zeros((1, 3)))
    layer.eval()(np.zeros((1, 3)))  # one sample is fine with running statistics
    with pytest.raises(
        ValueError, match=r"BatchNorm1d: momentum: expected a number in \[0, 1\], got 1.5"
    ):
        BatchNorm1d(3, momentum=1.5)
    with pytest.raises(
        ValueError, match=r"BatchNorm1d: eps: expected a number in \(0, inf\), got 0"
    ):
        BatchNorm1d(3, eps=0)


def test_batchnorm_eps_accepts_numpy_numbers_and_rejects_inf():
    assert BatchNorm1d(3, eps=np.float32(1e-5)).eps == pytest.approx(1e-5)
    with pytest.raises(
        ValueError, match=r"BatchNorm1d: eps: expected a number in \(0, inf\), got inf"
    ):
        BatchNorm1d(3, eps=float("inf"))
    with pytest.raises(ValueError, match="BatchNorm1d: eps: expected a number"):
        BatchNorm1d(3, eps=1e-5 + 0j)


def test_batchnorm_keeps_the_maths_apart():
    assert maths_lines(BatchNorm1d._forward) <= 10
    assert maths_lines(BatchNorm1d._backward) <= 10
