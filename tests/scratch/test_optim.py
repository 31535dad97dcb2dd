"""Optimizers against torch.optim: 200 steps, every option combination, same parameters and gradients.

Tolerance: after every step, each parameter agrees with torch to relative error (max |a − b| /
max |b|) <= 1e-12. Gradients change scale from step to step (1e-3 to 10) so that eps, the bias
corrections and AMSGrad's maximum all matter.
"""

import itertools

import numpy as np
import pytest
import torch

from dlcourse.scratch import SGD, AdaGrad, Adam, AdamW, Optimizer, RMSProp, relative_error

STEPS = 200
TOL = 1e-12
SHAPES = [(4, 3), (3,), (2, 2, 2)]


def grid(**options) -> list[dict]:
    keys = list(options)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*options.values())]


SGD_OPTIONS = [
    o
    for o in grid(
        lr=[0.01, 0.1],
        momentum=[0.0, 0.9],
        dampening=[0.0, 0.3],
        nesterov=[False, True],
        weight_decay=[0.0, 0.01],
    )
    if not o["nesterov"] or (o["momentum"] > 0 and o["dampening"] == 0)
]
ADAGRAD_OPTIONS = grid(
    lr=[0.01, 0.5],
    lr_decay=[0.0, 0.01],
    weight_decay=[0.0, 0.1],
    initial_accumulator_value=[0.0, 0.5],
    eps=[1e-10, 1e-3],
)
RMSPROP_OPTIONS = grid(
    lr=[0.01],
    alpha=[0.99, 0.9],
    eps=[1e-8, 1e-3],
    weight_decay=[0.0, 0.01],
    momentum=[0.0, 0.9],
    centered=[False, True],
)
# beta1 = 0.3 makes torch's lerp weight 0.7 >= 0.5, its other branch.
ADAM_OPTIONS = grid(
    lr=[1e-3, 0.1],
    betas=[(0.9, 0.999), (0.3, 0.9)],
    eps=[1e-8, 1e-3],
    weight_decay=[0.0, 0.05],
    amsgrad=[False, True],
)
ADAMW_OPTIONS = grid(
    lr=[1e-3, 0.1],
    betas=[(0.9, 0.999), (0.3, 0.9)],
    weight_decay=[0.0, 1e-2, 0.1],
    amsgrad=[False, True],
)

CASES = (
    [(SGD, torch.optim.SGD, o) for o in SGD_OPTIONS]
    + [(AdaGrad, torch.optim.Adagrad, o) for o in ADAGRAD_OPTIONS]
    + [(RMSProp, torch.optim.RMSprop, o) for o in RMSPROP_OPTIONS]
    + [(Adam, torch.optim.Adam, o) for o in ADAM_OPTIONS]
    + [(AdamW, torch.optim.AdamW, o) for o in ADAMW_OPTIONS]
)


def case_id(case) -> str:
    ours, _, options = case
    return ours.__name__ + "-" + "-".join(f"{k}={v}" for k, v in options.items())


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_matches_torch_for_200_steps(case):
    ours_cls, torch_cls, options = case
    rng = np.random.default_rng(0)
    params = [rng.standard_normal(shape) for shape in SHAPES]
    torch_params = [torch.tensor(p, requires_grad=True) for p in params]
    ours = ours_cls(params, **options)
    theirs = torch_cls(torch_params, foreach=False, **options)
    for step in range(STEPS):
        scale = 10.0 ** rng.uniform(-3, 1)
        grads = [scale * rng.standard_normal(shape) for shape in SHAPES]
        ours.step(grads)
        for p_t, g in zip(torch_params, grads, strict=True):
            p_t.grad = torch.tensor(g)
        theirs.step()
        for i, (p, p_t) in enumerate(zip(params, torch_params, strict=True)):
            error = relative_error(p, p_t.detach().numpy())
            assert error <= TOL, f"step {step + 1}, params[{i}]: relative error {error:.2e}"


def test_params_updated_in_place_and_grads_untouched():
    p = np.ones(3)
    g = np.full(3, 2.0)
    optimizer = SGD([p], lr=0.5, momentum=0.9)
    optimizer.step([g])
    assert optimizer.params[0] is p
    np.testing.assert_array_equal(p, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(g, [2.0, 2.0, 2.0])
    assert optimizer.state[0]["momentum_buffer"] is not g  # a copy: the model zeroes its grads


def test_state_uses_torch_names():
    p = [np.ones(2)]
    g = [np.ones(2)]
    expected = {
        SGD(p, lr=0.1, momentum=0.9): {"momentum_buffer"},
        AdaGrad(p): {"step", "sum"},
        RMSProp(p, momentum=0.9, centered=True): {
            "step",
            "square_avg",
            "momentum_buffer",
            "grad_avg",
        },
        Adam(p, amsgrad=True): {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
    }
    for optimizer, keys in expected.items():
        optimizer.step(g)
        assert set(optimizer.state[0]) == keys, type(optimizer).__name__


def test_sgd_first_momentum_step_is_the_gradient():
    p = np.zeros(1)
    optimizer = SGD([p], lr=1.0, momentum=0.9, dampening=0.5)
    optimizer.step([np.ones(1)])
    assert p.tolist() == [-1.0]  # buffer = g on step 1, not (1 - dampening) g
    optimizer.step([np.ones(1)])
    assert p.tolist() == [-1.0 - (0.9 + 0.5)]


# ---- bad input ----


@pytest.mark.parametrize("cls", [SGD, AdaGrad, RMSProp, Adam, AdamW])
@pytest.mark.parametrize("lr", [0.0, -0.1])
def test_rejects_non_positive_lr(cls, lr):
    with pytest.raises(
        ValueError, match=rf"{cls.__name__}: lr: expected a number in \(0, inf\), got"
    ):
        cls([np.zeros(2)], lr=lr)


def test_rejects_mismatched_gradient_lists():
    params = [np.zeros((4, 3)), np.zeros(3)]
    optimizer = Adam(params)
    with pytest.raises(
        ValueError, match=r"Adam.step: expected a list of 2 gradients \(one per parameter\), got 1"
    ):
        optimizer.step([np.zeros((4, 3))])
    with pytest.raises(
        ValueError, match=r"Adam.step: expected grads\[1\] of shape \(3,\), got \(4,\)"
    ):
        optimizer.step([np.zeros((4, 3)), np.zeros(4)])
    with pytest.raises(
        ValueError, match="Adam.step: expected a list of 2 gradients .*, got numpy.ndarray"
    ):
        optimizer.step(np.zeros(3))
    assert not optimizer.state[0], "a rejected step must not change any state"


def test_rejects_bad_params_and_options():
    with pytest.raises(
        ValueError, match=r"SGD: params\[1\]: expected a float numpy array .*, got list"
    ):
        SGD([np.zeros(2), [0.0, 1.0]], lr=0.1)
    with pytest.raises(
        ValueError, match=r"SGD: params\[0\]: expected a float numpy array .*, got dtype int64"
    ):
        SGD([np.zeros(2, dtype=np.int64)], lr=0.1)
    with pytest.raises(
        ValueError, match="SGD: params: expected a non-empty list of float arrays, got list"
    ):
        SGD([], lr=0.1)
    with pytest.raises(
        ValueError,
        match=r"SGD: nesterov: expected momentum > 0 and dampening = 0, got momentum=0.0",
    ):
        SGD([np.zeros(2)], lr=0.1, nesterov=True)
    with pytest.raises(
        ValueError, match=r"SGD: momentum: expected a number in \[0, inf\), got -0.5"
    ):
        SGD([np.zeros(2)], lr=0.1, momentum=-0.5)
    with pytest.raises(
        ValueError, match=r"Adam: betas\[1\]: expected a number in \[0, 1\), got 1.0"
    ):
        Adam([np.zeros(2)], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match=r"RMSProp: alpha: expected a number in \[0, 1\], got 1.5"):
        RMSProp([np.zeros(2)], alpha=1.5)


def test_rejects_read_only_params_before_any_step():
    frozen = np.zeros(2)
    frozen.flags.writeable = False
    with pytest.raises(
        ValueError, match=r"SGD: params\[1\]: expected a writable array .*, got a read-only array"
    ):
        SGD([np.zeros(3), frozen], lr=0.1)


@pytest.mark.parametrize("cls", [SGD, AdaGrad, RMSProp, Adam, AdamW])
def test_rejects_a_parameter_listed_twice(cls):
    p = np.zeros(3)
    with pytest.raises(
        ValueError,
        match=rf"{cls.__name__}: params\[1\]: expected each parameter once .*, "
        r"got the same array as params\[0\]",
    ):
        cls([p, p], lr=0.1)
    W = np.zeros((2, 2))
    with pytest.raises(ValueError, match="got the same array as params"):
        cls([W, W[0]], lr=0.1)  # a view shares the memory too
    cls([np.zeros(3), np.zeros(3)], lr=0.1)  # equal values, distinct arrays: fine


@pytest.mark.parametrize(
    ("cls", "option"),
    [(AdaGrad, "eps"), (RMSProp, "eps"), (Adam, "eps"), (AdamW, "eps"), (SGD, "momentum")],
)
def test_rejects_infinite_hyperparameters(cls, option):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: {option}: expected a number"):
        cls([np.zeros(2)], lr=0.1, **{option: float("inf")})


def test_rejects_complex_input():
    with pytest.raises(ValueError, match=r"params\[0\]: expected a float numpy array"):
        SGD([np.zeros(2, dtype=complex)], lr=0.1)
    with pytest.raises(ValueError, match="SGD: lr: expected a number"):
        SGD([np.zeros(2)], lr=0.1 + 0j)
    p = np.zeros(2)
    optimizer = SGD([p], lr=0.1)
    with pytest.raises(ValueError, match=r"grads\[0\]: expected an array of real numbers"):
        optimizer.step([np.array([1 + 1j, 0])])
    assert p.tolist() == [0.0, 0.0]


def test_base_class_and_repr():
    optimizer = SGD([np.zeros(2)], lr=0.1)
    assert isinstance(optimizer, Optimizer)
    assert repr(optimizer).startswith("SGD(lr=0.1, momentum=0.0")
