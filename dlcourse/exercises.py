"""Self-checks for the notebooks' exercises: print ✓ or a helpful ✗, return a bool, never raise.

A notebook exercise ends with a call such as ``check_sigmoid(sigmoid)``. The check runs the
student's function on its own inputs (including extremes such as z = ±1000), compares with the
reference implementation in :mod:`dlcourse.scratch` within a stated tolerance, and prints one line:

* ``✓ <what>`` when every case matches;
* ``✗ <what>: <what is off>. Hint: <the concept to revisit>`` otherwise (never the answer);
* ``… <what>: not implemented yet`` for a stub (``None``, ``...``, a function returning ``None``
  or ``...``, or raising ``NotImplementedError``), so the student edition runs top to bottom.

A check never raises: an exception in the student's code is reported as ✗ with its type and
message. Numerical warnings (overflow, invalid value, division by zero) count as failures, because
the point of several exercises is a formula that stays finite and silent at extreme inputs.

Layout: the core helpers come first (``report``, ``is_stub``, ``not_implemented``, ``compare``,
``check_close``, ``check_function``); then one section per notebook topic. New checks go at the end
of the file, in a section named after their notebook, built on ``check_function``/``check_close``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from dlcourse.scratch.activations import sigmoid, sigmoid_grad, softmax
from dlcourse.scratch.losses import binary_cross_entropy
from dlcourse.scratch.optim import SGD

__all__ = [
    "ATOL",
    "RTOL",
    "Case",
    "check_bce",
    "check_close",
    "check_function",
    "check_momentum_step",
    "check_neuron_forward",
    "check_sigmoid",
    "check_sigmoid_grad",
    "check_softmax",
    "compare",
    "is_stub",
    "not_implemented",
    "report",
]

#: Default tolerances: a value passes when ``|got - expected| <= ATOL + RTOL * |expected|``.
RTOL = 1e-6
ATOL = 1e-8

# ===================================================================================================
# Core helpers
# ===================================================================================================


def report(ok: bool, what: str, hint: str) -> bool:
    """Print ``✓ <what>`` or ``✗ <what>: <hint>`` and return ``ok`` as a bool."""
    print(f"✓ {what}" if ok else f"✗ {what}: {hint}", flush=True)
    return bool(ok)


def is_stub(answer: object) -> bool:
    """True for the placeholders an exercise stub leaves: ``None`` or ``...`` (Ellipsis)."""
    return answer is None or answer is Ellipsis


def not_implemented(what: str) -> bool:
    """Print ``… <what>: not implemented yet`` and return False."""
    print(f"… {what}: not implemented yet", flush=True)
    return False


def _tolerance(rtol: float, atol: float) -> str:
    return f"rtol={rtol:g}, atol={atol:g}"


def _as_array(value: object) -> np.ndarray | None:
    """``value`` as a float array (a torch tensor is detached first), or None if not numeric."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu()
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def compare(
    got: object,
    expected: object,
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
    names: Sequence[str] | None = None,
) -> str | None:
    """What is wrong with ``got`` compared with ``expected``, or None when it matches.

    Arrays match when shapes are equal, every value is finite, and
    ``|got - expected| <= atol + rtol * |expected|`` element-wise. A tuple ``expected`` (several
    outputs) needs a tuple or list of the same length, compared item by item; ``names`` label the
    items in the message.
    """
    if isinstance(expected, tuple):
        labels = list(names) if names is not None else [f"output {i}" for i in range(len(expected))]
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            size = f"{len(got)} values" if isinstance(got, (tuple, list)) else type(got).__name__
            return f"expected a tuple ({', '.join(labels)}), got {size}"
        for label, item, target in zip(labels, got, expected, strict=True):
            problem = compare(item, target, rtol=rtol, atol=atol)
            if problem is not None:
                return f"{label}: {problem}"
        return None
    values = _as_array(got)
    if values is None:
        return f"expected numbers, got {type(got).__name__}"
    target = np.asarray(expected, dtype=np.float64)
    if values.shape != target.shape:
        wanted = "a single number" if target.shape == () else f"shape {target.shape}"
        return f"expected {wanted}, got shape {values.shape}"
    if not np.all(np.isfinite(values)):
        return "the result contains nan or inf"
    error = np.abs(values - target)
    bad = error > atol + rtol * np.abs(target)
    if bad.any():
        where = "" if target.shape == () else f" (first at index {np.argwhere(bad)[0].tolist()})"
        return (
            f"{int(bad.sum())} of {bad.size} value(s) differ, max |got - expected| = "
            f"{error.max():.3g}{where}"
        )
    return None


def check_close(
    answer: object,
    expected: object,
    what: str,
    hint: str = "",
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> bool:
    """Check a value answer (a number or an array) against ``expected``; never raises."""
    if is_stub(answer):
        return not_implemented(what)
    try:
        problem = compare(answer, expected, rtol=rtol, atol=atol)
    except Exception as error:  # a check must never raise, whatever the answer is
        problem = f"could not compare ({type(error).__name__}: {error})"
    if problem is None:
        return report(True, f"{what} ({_tolerance(rtol, atol)})", "")
    return report(False, what, f"{problem} ({_tolerance(rtol, atol)}). {hint}".strip())


@dataclass(frozen=True)
class Case:
    """One test input of a function check: a label for messages and the positional arguments."""

    label: str
    args: tuple = field(default_factory=tuple)


@dataclass(frozen=True)
class _Outcome:
    value: object = None
    error: BaseException | None = None
    warning: str | None = None


def _copy(arg: object) -> object:
    return arg.copy() if isinstance(arg, np.ndarray) else arg


def _call(fn: Callable, args: tuple) -> _Outcome:
    """Run the student's function on copies of ``args``, recording exceptions and warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # the defaults could have been changed by the notebook; overflow must be visible here
            with np.errstate(over="warn", invalid="warn", divide="warn"):
                value = fn(*(_copy(arg) for arg in args))
        except Exception as error:
            return _Outcome(error=error)
    numeric = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    return _Outcome(value=value, warning=str(numeric[0].message) if numeric else None)


def _quietly(fn: Callable, args: tuple) -> object:
    """A known mistake's output, or None when it cannot be computed (it may overflow, raise)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return fn(*args)
        except Exception:
            return None


def _unimplemented(value: object) -> bool:
    """A stub's return value: ``None``, ``...``, or a tuple of them (``return None, None``)."""
    if isinstance(value, (tuple, list)) and value:
        return all(is_stub(item) for item in value)
    return is_stub(value)


def _never_raises(check: Callable[..., bool]) -> Callable[..., bool]:
    """Turn an unexpected error inside a check into a ✗ line, so a notebook keeps running."""

    @functools.wraps(check)
    def guarded(*args, **kwargs) -> bool:
        try:
            return check(*args, **kwargs)
        except Exception as error:
            what = check.__name__.removeprefix("check_")
            return report(False, what, f"the check failed ({type(error).__name__}: {error})")

    return guarded


@_never_raises
def check_function(
    fn: object,
    what: str,
    cases: Sequence[Case],
    reference: Callable,
    hint: str,
    *,
    mistakes: Sequence[tuple[Callable, str]] = (),
    rtol: float = RTOL,
    atol: float = ATOL,
    names: Sequence[str] | None = None,
) -> bool:
    """Check a student's function against ``reference`` on every case; never raises.

    For each case, ``fn(*case.args)`` (on copies of the arrays) must run without an exception or
    a numerical RuntimeWarning and :func:`compare` equal to ``reference(*case.args)``. The first
    failing case is reported. When the wrong output matches a known mistake
    (``mistake(*case.args)``), that mistake's hint is printed instead of the generic ``hint``.

    Args:
        fn: the student's function (a stub gives "not implemented yet").
        what: the name shown in the message, e.g. ``"sigmoid"``.
        cases: inputs to try, in order; put an ordinary one first (it is also the stub probe).
        reference: the correct function, from :mod:`dlcourse.scratch`.
        hint: what to revisit when no known mistake explains the output.
        mistakes: ``(wrong_function, hint)`` pairs describing typical errors.
        rtol, atol: tolerances of the comparison (stated in the message).
        names: labels of the outputs when the function returns a tuple.

    Returns:
        True when every case passes.
    """
    if is_stub(fn):
        return not_implemented(what)
    if not callable(fn):
        return report(False, what, f"expected a function, got {type(fn).__name__}")
    tolerance = _tolerance(rtol, atol)
    for index, case in enumerate(cases):
        outcome = _call(fn, case.args)
        stub = index == 0 and outcome.error is None and _unimplemented(outcome.value)
        if stub or isinstance(outcome.error, NotImplementedError):
            return not_implemented(what)
        if outcome.error is not None:
            error = f"{type(outcome.error).__name__}: {outcome.error}"
            return report(False, what, f"raised {error} for {case.label}. {hint}")
        if outcome.warning is not None:
            return report(
                False,
                what,
                f"numerical warning for {case.label} ('{outcome.warning}'): the computation is "
                f"not numerically stable there. {hint}",
            )
        problem = compare(outcome.value, reference(*case.args), rtol=rtol, atol=atol, names=names)
        if problem is None:
            continue
        for mistake, mistake_hint in mistakes:
            wrong = _quietly(mistake, case.args)
            if wrong is not None and compare(outcome.value, wrong, rtol=rtol, atol=atol) is None:
                return report(False, what, f"wrong result for {case.label}. {mistake_hint}")
        return report(False, what, f"for {case.label}: {problem} ({tolerance}). {hint}")
    plural = "s" if len(cases) != 1 else ""
    return report(True, f"{what}: correct on {len(cases)} test case{plural} ({tolerance})", "")


# ===================================================================================================
# 01 — the artificial neuron
# ===================================================================================================

_Z_ORDINARY = np.array([-3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 4.0])
_Z_EXTREME = np.array([-1000.0, -40.0, 40.0, 1000.0])
_Z_GRID = np.linspace(-6.0, 6.0, 12).reshape(3, 4)

_SIGMOID_CASES = (
    Case("ordinary z in [-3, 4]", (_Z_ORDINARY,)),
    Case("a 2-D batch of z", (_Z_GRID,)),
    Case("extreme z = ±1000 and ±40", (_Z_EXTREME,)),
    Case("a scalar z = 0.3", (0.3,)),
)


def check_sigmoid(fn: Callable) -> bool:
    """Check ``fn(z) = σ(z) = 1 / (1 + e^(-z))`` element-wise, finite and silent at z = ±1000."""
    return check_function(
        fn,
        "sigmoid",
        _SIGMOID_CASES,
        sigmoid,
        "Revisit the logistic function: it maps any real z into (0, 1), acting element-wise, and "
        "np.exp overflows for arguments above ~709, so look for an algebraically equal form that "
        "never exponentiates a large positive number.",
        mistakes=[
            (
                lambda z: np.exp(-np.asarray(z)) / (1 + np.exp(-np.asarray(z))),
                "That is 1 - σ(z): check the sign of the exponent.",
            ),
        ],
    )


_RNG_NEURON = np.random.default_rng(1)
_NEURON_CASES = (
    Case(
        "X of shape (5, 3)",
        (_RNG_NEURON.normal(size=(5, 3)), np.array([0.5, -1.0, 2.0]), 0.1),
    ),
    Case(
        "one feature, X of shape (4, 1)",
        (np.array([[-2.0], [0.0], [1.0], [3.0]]), np.array([1.5]), -0.5),
    ),
    Case(
        "large weights (z up to ±1000)",
        (np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5]]), np.array([1000.0, -800.0]), 0.0),
    ),
)


def _neuron(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return sigmoid(X @ w + b)


def check_neuron_forward(fn: Callable) -> bool:
    """Check ``fn(X, w, b) = σ(X w + b)`` for a batch: ``X: (n, d)``, ``w: (d,)``, ``b`` scalar.

    The result must have shape ``(n,)``, one probability per sample.
    """
    return check_function(
        fn,
        "neuron forward",
        _NEURON_CASES,
        _neuron,
        "A neuron computes a weighted sum of its inputs plus the bias, z = w·x + b, then applies "
        "its activation; for a batch, do it for every row of X at once (matrix-vector product). "
        "The output has one value per sample: shape (n,). Use a numerically stable sigmoid.",
        mistakes=[
            (lambda X, w, b: sigmoid(X @ w), "The bias b is missing from the pre-activation z."),
            (lambda X, w, b: X @ w + b, "That is z: the activation σ is not applied."),
            (
                lambda X, w, b: sigmoid(X @ w + b)[:, None],
                "Shape (n, 1): the output should be a flat vector of shape (n,).",
            ),
        ],
    )


# ===================================================================================================
# 03 — gradient descent and optimizers
# ===================================================================================================


def _momentum_reference(param, grad, velocity, lr, momentum):
    param = np.array(param, dtype=np.float64)
    optimizer = SGD([param], lr=lr, momentum=momentum)
    # start from the given velocity: torch keeps it as the "momentum_buffer" state
    optimizer.state[0]["momentum_buffer"] = np.array(velocity, dtype=np.float64)
    optimizer.step([np.asarray(grad, dtype=np.float64)])
    return param, optimizer.state[0]["momentum_buffer"]


def _momentum_velocity_form(param, grad, velocity, lr, momentum):
    velocity = momentum * velocity - lr * grad
    return param + velocity, velocity


def _momentum_dampened(param, grad, velocity, lr, momentum):
    velocity = momentum * velocity + (1 - momentum) * grad
    return param - lr * velocity, velocity


def _momentum_stale(param, grad, velocity, lr, momentum):
    return param - lr * velocity, momentum * velocity + grad


_MOMENTUM_CASES = (
    Case(
        "a first step (velocity = 0)",
        (np.array([1.0, -2.0, 0.5]), np.array([0.2, -0.4, 1.0]), np.zeros(3), 0.1, 0.9),
    ),
    Case(
        "a step with velocity [0.5, 0.5, -1]",
        (
            np.array([1.0, -2.0, 0.5]),
            np.array([0.2, -0.4, 1.0]),
            np.array([0.5, 0.5, -1.0]),
            0.05,
            0.9,
        ),
    ),
    Case(
        "a 2-D parameter, momentum 0.5",
        (np.arange(6.0).reshape(2, 3), np.ones((2, 3)), np.full((2, 3), 0.3), 0.01, 0.5),
    ),
    Case(
        "momentum 0.99 against the gradient",
        (np.array([3.0, -1.0]), np.array([1.0, -2.0]), np.array([-0.7, 0.7]), 0.1, 0.99),
    ),
)


def check_momentum_step(fn: Callable) -> bool:
    """Check one SGD-with-momentum step in PyTorch's convention.

    ``fn(param, grad, velocity, lr, momentum) -> (new_param, new_velocity)`` with
    ``new_velocity = momentum * velocity + grad`` and ``new_param = param - lr * new_velocity``
    (``torch.optim.SGD`` with ``dampening=0``; the velocity starts at 0).
    """
    return check_function(
        fn,
        "momentum step",
        _MOMENTUM_CASES,
        _momentum_reference,
        "Revisit momentum in PyTorch's convention: the velocity accumulates past gradients, "
        "decayed by the momentum factor, and the parameter then moves against it, scaled by the "
        "learning rate.",
        names=("new_param", "new_velocity"),
        mistakes=[
            (
                _momentum_velocity_form,
                "That is the velocity form (learning rate inside the velocity, opposite sign). "
                "This exercise uses PyTorch's convention, where lr only enters the parameter "
                "update.",
            ),
            (
                _momentum_dampened,
                "The gradient is scaled by (1 - momentum): that is a moving average (dampening), "
                "which torch.optim.SGD does not apply by default.",
            ),
            (
                _momentum_stale,
                "The parameter moved with the old velocity: update the velocity first, then use it.",
            ),
            (
                lambda *args: _momentum_reference(*args)[::-1],
                "The outputs are swapped: return (new_param, new_velocity).",
            ),
        ],
    )


# ===================================================================================================
# 05 — activation functions
# ===================================================================================================


def check_sigmoid_grad(fn: Callable) -> bool:
    """Check ``fn(z) = σ'(z)``, the sigmoid's derivative, element-wise; silent at z = ±1000.

    (The formula is the exercise, so it is not written here; the reference is
    ``dlcourse.scratch.activations.sigmoid_grad``.)
    """
    return check_function(
        fn,
        "sigmoid derivative",
        _SIGMOID_CASES,
        sigmoid_grad,
        "Differentiate σ(z) = 1 / (1 + e^(-z)) with the chain rule and write the result in terms "
        "of σ(z) itself; it peaks at 1/4 for z = 0 and vanishes for large |z|.",
        mistakes=[
            (
                sigmoid,
                "You return σ(z) itself; the derivative has a second factor (check its value at "
                "z = 0, which is 1/4).",
            ),
            (
                lambda z: np.asarray(z) * (1 - np.asarray(z)),
                "The product form applies to σ(z), not to z: compute σ(z) first.",
            ),
            (
                lambda z: 1 - sigmoid(z) ** 2,
                "That is the form of tanh's derivative; redo the chain rule for σ.",
            ),
        ],
    )


_SOFTMAX_CASES = (
    Case("a vector of 4 logits", (np.array([1.0, 2.0, 0.5, -1.0]),)),
    Case(
        "a batch of 3 samples x 4 classes",
        (np.array([[1.0, 2.0, 0.5, -1.0], [0.0, 0.0, 0.0, 0.0], [-2.0, 3.0, 1.0, 0.1]]),),
    ),
    Case("logits of 1000", (np.array([[1000.0, 1000.0, 999.0], [-1000.0, 0.0, 1000.0]]),)),
)


def check_softmax(fn: Callable) -> bool:
    """Check ``fn(z) = softmax`` over the last axis (classes) for 1-D and 2-D ``z``.

    ``softmax(z)_c = e^(z_c) / sum_k e^(z_k)``; must stay finite and silent for logits of 1000.
    """
    return check_function(
        fn,
        "softmax",
        _SOFTMAX_CASES,
        softmax,
        "Each sample's outputs must be positive and sum to 1 over the classes (the last axis). "
        "For large logits, use the fact that softmax does not change when the same constant is "
        "subtracted from every logit of a sample.",
        mistakes=[
            (
                lambda z: softmax(z, axis=0),
                "You normalised over the batch (axis 0); normalise each sample over its classes.",
            ),
            (
                lambda z: np.exp(z) / np.exp(z).sum(),
                "Each row must sum to 1: sum over the class axis only, keeping the dimensions.",
            ),
        ],
    )


# ===================================================================================================
# 06 — loss functions
# ===================================================================================================

_BCE_CASES = (
    Case("4 predictions", (np.array([0.9, 0.2, 0.6, 0.4]), np.array([1.0, 0.0, 1.0, 1.0]))),
    Case(
        "confident predictions (p = 1e-7, 1 - 1e-7)",
        (np.array([1e-7, 1 - 1e-7, 0.5]), np.array([0.0, 1.0, 1.0])),
    ),
    Case(
        "confidently wrong (p = 1e-7 for a positive)", (np.array([1e-7, 0.3]), np.array([1.0, 0.0]))
    ),
)


def _bce_terms(p, y):
    p, y = np.asarray(p), np.asarray(y)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def check_bce(fn: Callable) -> bool:
    """Check ``fn(y_hat, y)``: the mean binary cross-entropy of probabilities ``y_hat``.

    ``BCE = -(1/N) sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)]``, a single number, for
    ``y_hat`` (probabilities, not logits) and ``y`` (0/1 labels) of shape ``(N,)``.
    """
    return check_function(
        fn,
        "binary cross-entropy",
        _BCE_CASES,
        binary_cross_entropy,
        "BCE is the negative log-likelihood of Bernoulli labels, averaged over samples: each "
        "sample contributes the log of the probability the model gave to its true class.",
        mistakes=[
            (
                lambda p, y: -_bce_terms(p, y).mean(),
                "The sign is flipped: a loss is the *negative* log-likelihood (always >= 0).",
            ),
            (
                lambda p, y: _bce_terms(p, y).sum(),
                "That is the sum over samples; the loss is the mean.",
            ),
            (_bce_terms, "One value per sample: average them into a single number."),
            (
                lambda p, y: -(np.asarray(y) * np.log(p)).mean(),
                "Only the positive samples contribute: the y = 0 samples need their term too.",
            ),
        ],
    )


# --- notebook 01/02 ---
# 01: the decision boundary of a neuron, hand-set weights for XOR (epistasis).
# 02: parameter counting, an MLP's batched forward pass, the collapse of linear layers, a ReLU bump.

# Imported here, not at the top, so that this section's edits stay inside the section.
from dlcourse.scratch.activations import ReLU, relu  # noqa: E402
from dlcourse.scratch.layers import Dense  # noqa: E402
from dlcourse.scratch.network import MLP, Sequential  # noqa: E402

__all__ += [
    "XOR_INPUTS",
    "XOR_TARGETS",
    "check_collapse",
    "check_decision_boundary",
    "check_mlp_forward",
    "check_parameter_count",
    "check_relu_bump",
    "check_xor_network",
]

_BOUNDARY_CASES = (
    Case("w = [1, 2], b = -1", (np.array([1.0, 2.0]), -1.0)),
    Case("w = [-3, 0.5], b = 2", (np.array([-3.0, 0.5]), 2.0)),
    Case("w = [2, -4], b = 0.5", (np.array([2.0, -4.0]), 0.5)),
)


def _boundary_line(w, b):
    w = np.asarray(w, dtype=np.float64)
    return -w[0] / w[1], -b / w[1]


def check_decision_boundary(fn: Callable) -> bool:
    """Check ``fn(w, b) -> (slope, intercept)`` of a two-input neuron's decision boundary.

    ``w: (2,)``, ``b`` a number, ``w[1] != 0``. The boundary is where ``z = w1 x1 + w2 x2 + b = 0``
    (so ``σ(z) = 0.5``), written as the line ``x2 = slope * x1 + intercept``:
    ``slope = -w1 / w2`` and ``intercept = -b / w2``.
    """
    return check_function(
        fn,
        "decision boundary",
        _BOUNDARY_CASES,
        _boundary_line,
        "The boundary is the set of points where the pre-activation z is exactly 0: write "
        "w1 x1 + w2 x2 + b = 0 and solve it for x2.",
        names=("slope", "intercept"),
        mistakes=[
            (
                lambda w, b: (w[0] / w[1], b / w[1]),
                "The signs are flipped: move w1 x1 and b to the other side of the equation.",
            ),
            (
                lambda w, b: (-w[1] / w[0], -b / w[0]),
                "You solved for x1: the line should give x2 as a function of x1.",
            ),
            (
                lambda w, b: (-w[0] / w[1], b / w[1]),
                "The intercept's sign is wrong: the bias moves to the other side too.",
            ),
            (
                lambda w, b: (-w[0] / w[1], -b),
                "The intercept must also be divided by w2.",
            ),
        ],
    )


#: Carrier status of two SNPs (minor allele present = 1) and the XOR phenotype (case = 1).
XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([0, 1, 1, 0])


def _xor_parts(W1, b1, W2, b2) -> tuple[list[np.ndarray] | None, str | None]:
    """The four arrays as float64 with consistent shapes, or a message saying what is off."""
    arrays = []
    for name, value in zip(("W1", "b1", "W2", "b2"), (W1, b1, W2, b2), strict=True):
        array = _as_array(value)
        if array is None:
            return None, f"{name} must be numbers, got {type(value).__name__}"
        if not np.all(np.isfinite(array)):
            return None, f"{name} contains nan or inf"
        arrays.append(array)
    W1, b1, W2, b2 = arrays
    if W1.ndim != 2 or W1.shape[1] != 2:
        return None, f"W1 must have shape (hidden units, 2), got {W1.shape}"
    hidden = W1.shape[0]
    expected = {"b1": (hidden,), "W2": (1, hidden), "b2": (1,)}
    for name, array in zip(("b1", "W2", "b2"), (b1, W2, b2), strict=True):
        if array.shape != expected[name]:
            return None, (
                f"{name} must have shape {expected[name]} for {hidden} hidden units, "
                f"got {array.shape}"
            )
    return arrays, None


@_never_raises
def check_xor_network(W1: object, b1: object, W2: object, b2: object) -> bool:
    """Check hand-set weights of a 2-H-1 ReLU network that computes XOR of two carrier flags.

    The network is ``z = W2 relu(W1 a + b1) + b2`` with ``W1: (H, 2)``, ``b1: (H,)``,
    ``W2: (1, H)``, ``b2: (1,)`` (``nn.Linear``'s layout) and an identity output: a logit. For
    each of the four inputs ``a`` in ``XOR_INPUTS`` (carrier of SNP 1, carrier of SNP 2) it must
    predict a case (``z > 0``) exactly when one SNP is carried, and a control (``z < 0``)
    otherwise; ``z = 0`` is undecided and fails. Any number of hidden units H >= 1 is accepted.
    """
    what = "XOR network"
    if any(is_stub(value) for value in (W1, b1, W2, b2)):
        return not_implemented(what)
    arrays, problem = _xor_parts(W1, b1, W2, b2)
    if problem is not None:
        return report(False, what, problem)
    W1, b1, W2, b2 = arrays
    layer_1, layer_2 = Dense(2, W1.shape[0], rng=0), Dense(W1.shape[0], 1, rng=0)
    layer_1.W[...], layer_1.b[...], layer_2.W[...], layer_2.b[...] = W1, b1, W2, b2
    z = Sequential(layer_1, ReLU(), layer_2)(XOR_INPUTS)[:, 0]
    wrong = [
        f"a = ({int(a[0])}, {int(a[1])}) gives z = {value:.3g}, should be "
        f"{'> 0 (case)' if target else '< 0 (control)'}"
        for a, value, target in zip(XOR_INPUTS, z, XOR_TARGETS, strict=True)
        if not (value > 0 if target else value < 0)
    ]
    if wrong:
        return report(
            False,
            what,
            "; ".join(wrong) + ". Hint: one hidden unit can count the carried SNPs "
            "(a1 + a2); another can fire only when both are carried; the output then subtracts "
            "enough of the second from the first, and its bias sets the threshold.",
        )
    return report(True, f"{what}: all 4 genotype combinations classified correctly", "")


def _mlp_parameter_count(sizes):
    return sum(p.size for p in MLP(list(sizes), rng=0).parameters())


_PARAMETER_CASES = (
    Case("sizes = [3, 4, 1]", ([3, 4, 1],)),
    Case("sizes = [2, 4, 1]", ([2, 4, 1],)),
    Case("sizes = [30, 64, 64, 1]", ([30, 64, 64, 1],)),
    Case("sizes = [2000, 128, 4]", ([2000, 128, 4],)),
)


def check_parameter_count(fn: Callable) -> bool:
    """Check ``fn(sizes) -> int``: the trainable parameters of the MLP ``sizes[0] -> ... ``.

    Each dense layer ``l`` has an ``(n_l, n_{l-1})`` weight matrix and ``n_l`` biases, so the total
    is ``sum_l (n_{l-1} + 1) n_l``; activations have no parameters. Compared with the number of
    entries of ``dlcourse.scratch.MLP(sizes).parameters()``.
    """
    return check_function(
        fn,
        "parameter count",
        _PARAMETER_CASES,
        _mlp_parameter_count,
        "Count, for each pair of consecutive layers, one weight per connection (every unit of the "
        "previous layer to every unit of the next) plus one bias per unit of the next layer.",
        rtol=0.0,
        atol=0.0,
        mistakes=[
            (
                lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)),
                "Only the weights are counted: every unit outside the input layer has a bias too.",
            ),
            (
                lambda sizes: (
                    sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)) + sizes[0]
                ),
                "The input layer has no bias: it only holds the data.",
            ),
            (
                lambda sizes: sum(a * (b + 1) for a, b in zip(sizes[:-1], sizes[1:], strict=True)),
                "The biases belong to the receiving layer (one per output unit), not to the inputs.",
            ),
        ],
    )


def _random_dense_weights(sizes, seed):
    """Weights ``[(W_1, b_1), ...]`` of shapes ``(n_l, n_{l-1})`` and ``(n_l,)`` for a case."""
    rng = np.random.default_rng(seed)
    return [
        (rng.normal(size=(n_out, n_in)), rng.normal(size=n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
    ]


def _stack_of_dense(layers, activation=None):
    """A scratch Sequential of Dense layers with the given weights, ``activation`` between them."""
    modules = []
    for k, (W, b) in enumerate(layers):
        dense = Dense(W.shape[1], W.shape[0], rng=0)
        dense.W[...], dense.b[...] = W, b
        modules.append(dense)
        if activation is not None and k + 1 < len(layers):
            modules.append(activation())
    return Sequential(*modules)


_RNG_MLP = np.random.default_rng(2)
_MLP_CASES = (
    Case(
        "3 -> 4 -> 1, a batch of 5",
        (_RNG_MLP.normal(size=(5, 3)), _random_dense_weights([3, 4, 1], 20)),
    ),
    Case(
        "3 -> 5 -> 2 -> 4, a batch of 6",
        (_RNG_MLP.normal(size=(6, 3)), _random_dense_weights([3, 5, 2, 4], 21)),
    ),
    Case(
        "square layers 4 -> 4 -> 4, so a transpose cannot hide",
        (_RNG_MLP.normal(size=(4, 4)), _random_dense_weights([4, 4, 4], 22)),
    ),
    Case(
        "a single layer 3 -> 2 (no hidden layer)", (np.eye(3), _random_dense_weights([3, 2], 23))
    ),
)


def _mlp_forward(X, layers):
    return _stack_of_dense(layers, ReLU)(X)


def _mlp_forward_with(X, layers, transform, last):
    """A forward pass with a wrong ingredient, for the known-mistake messages."""
    H = X
    for k, (W, b) in enumerate(layers):
        H = transform(H, W, b)
        if k + 1 < len(layers) or last:
            H = np.maximum(H, 0.0)
    return H


def check_mlp_forward(fn: Callable) -> bool:
    """Check ``fn(X, layers)``: the forward pass of a ReLU MLP on a batch.

    ``X: (N, n_0)`` holds one sample per row; ``layers`` is a list ``[(W_1, b_1), ..., (W_L, b_L)]``
    with ``W_l: (n_l, n_{l-1})`` (``nn.Linear``'s layout) and ``b_l: (n_l,)``. Every hidden layer
    computes ``H_l = ReLU(H_{l-1} W_l^T + b_l)``; the output layer has no activation (identity).
    The result is ``(N, n_L)``, compared with ``dlcourse.scratch`` Dense and ReLU layers.
    """
    return check_function(
        fn,
        "MLP forward",
        _MLP_CASES,
        _mlp_forward,
        "Loop over the layers: each one multiplies the batch by its transposed weight matrix, adds "
        "its bias (broadcast over the rows) and, except for the last layer, applies ReLU. The "
        "result has one row per sample and one column per output unit.",
        mistakes=[
            (
                lambda X, layers: _mlp_forward_with(X, layers, lambda H, W, b: H @ W.T + b, True),
                "ReLU is also applied after the output layer: the output's activation depends on "
                "the task, and here it is the identity.",
            ),
            (
                lambda X, layers: _stack_of_dense(layers)(X),
                "No ReLU at all: without activations the layers collapse into one linear map.",
            ),
            (
                lambda X, layers: _mlp_forward_with(X, layers, lambda H, W, b: H @ W.T, False),
                "The biases are missing.",
            ),
            (
                lambda X, layers: _mlp_forward_with(X, layers, lambda H, W, b: H @ W + b, False),
                "W_l is (n_out, n_in): multiply the batch by its transpose.",
            ),
        ],
    )


_COLLAPSE_CASES = (
    Case("two layers 3 -> 4 -> 1", (_random_dense_weights([3, 4, 1], 30),)),
    Case("three layers 3 -> 5 -> 2 -> 4", (_random_dense_weights([3, 5, 2, 4], 31),)),
    Case("three square layers 3 -> 3 -> 3 -> 3", (_random_dense_weights([3, 3, 3, 3], 32),)),
    Case("one layer 2 -> 2", (_random_dense_weights([2, 2], 33),)),
)


def _collapse_reference(layers):
    """Read the single affine map off the network itself: b = f(0), column i of W = f(e_i) - f(0)."""
    n_in = layers[0][0].shape[1]
    outputs = _stack_of_dense(layers)(np.vstack([np.zeros(n_in), np.eye(n_in)]))
    b = outputs[0]
    return (outputs[1:] - b).T, b


def _collapse_reversed(layers):
    W, b = np.eye(layers[0][0].shape[1]), np.zeros(layers[0][0].shape[1])
    for W_l, b_l in layers:
        W, b = W @ W_l, b + b_l
    return W, b


def _collapse_bias_sum(layers):
    W = _collapse_reference(layers)[0]
    return W, sum(b_l for _, b_l in layers)


def _collapse_last_bias(layers):
    return _collapse_reference(layers)[0], layers[-1][1]


def check_collapse(fn: Callable) -> bool:
    """Check ``fn(layers) -> (W, b)``: the one affine map equal to a stack of linear layers.

    ``layers`` is a list of ``(W_l, b_l)`` with ``W_l: (n_l, n_{l-1})``, ``b_l: (n_l,)``; without
    activations the network computes ``x -> W x + b`` with ``W = W_L ... W_2 W_1: (n_L, n_0)`` and
    ``b = W_L(... (W_2 b_1 + b_2) ...) + b_L: (n_L,)``. The reference reads ``W`` and ``b`` off a
    ``dlcourse.scratch`` network of ``Dense`` layers with these weights.
    """
    return check_function(
        fn,
        "collapse of linear layers",
        _COLLAPSE_CASES,
        _collapse_reference,
        "Substitute one layer into the next: W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2), "
        "and repeat layer by layer, keeping the order of the matrix products.",
        names=("W", "b"),
        mistakes=[
            (
                _collapse_reversed,
                "The matrices are multiplied in the wrong order: the first layer acts first, so "
                "its matrix is the rightmost factor.",
            ),
            (
                _collapse_bias_sum,
                "W is right, but the earlier biases also pass through the later layers' weights.",
            ),
            (
                _collapse_last_bias,
                "W is right, but the earlier layers' biases are missing from b.",
            ),
        ],
    )


_BUMP_X = np.linspace(-3.0, 5.0, 33)
_BUMP_CASES = (
    Case("left = 0, peak = 1, right = 2", (_BUMP_X, 0.0, 1.0, 2.0)),
    Case("an asymmetric bump: left = -1, peak = 0.5, right = 3", (_BUMP_X, -1.0, 0.5, 3.0)),
    Case("a narrow bump: left = 2, peak = 2.25, right = 2.5", (_BUMP_X, 2.0, 2.25, 2.5)),
)


def _relu_bump(x, left, peak, right):
    up, down = 1.0 / (peak - left), 1.0 / (right - peak)
    return up * relu(x - left) - (up + down) * relu(x - peak) + down * relu(x - right)


def check_relu_bump(fn: Callable) -> bool:
    """Check ``fn(x, left, peak, right)``: the hat function built from three ReLUs.

    ``x`` is 1-D; ``left < peak < right``. The hat is 0 outside ``[left, right]``, rises linearly
    to 1 at ``peak`` and falls linearly back to 0 at ``right``; with ``u = 1 / (peak - left)`` and
    ``d = 1 / (right - peak)`` it equals ``u relu(x - left) - (u + d) relu(x - peak) +
    d relu(x - right)``, a hidden layer of three ReLU units and a linear output.
    """
    return check_function(
        fn,
        "ReLU bump",
        _BUMP_CASES,
        _relu_bump,
        "Each ReLU adds a kink: the slope must become +1/(peak - left) at left, change to "
        "-1/(right - peak) at peak, and return to 0 at right. The coefficient of each ReLU is the "
        "change of slope at its kink.",
        mistakes=[
            (
                lambda x, l, p, r: (relu(x - l) - 2 * relu(x - p) + relu(x - r)) / (p - l),
                "That is only right for equal spacing: the slopes on the two sides differ when "
                "peak - left != right - peak.",
            ),
            (
                lambda x, l, p, r: relu(x - l) - 2 * relu(x - p) + relu(x - r),
                "The height at the peak must be 1: scale the slopes by the widths of the two sides.",
            ),
            (
                lambda x, l, p, r: (relu(x - l) - relu(x - p)) / (p - l),
                "That is a ramp that stays at 1: the falling side and the return to 0 are missing.",
            ),
        ],
    )


# --- notebook 05/06 ---
# 05: the derivative of leaky ReLU, the softmax's vector-Jacobian product (backward).
# 06: the MAE gradient, BCE on logits (stable), torch's class-weighted cross-entropy.

# Imported here, not at the top, so that this section's edits stay inside the section.
from dlcourse.scratch.activations import (  # noqa: E402
    Softmax,
    leaky_relu,
    leaky_relu_grad,
    relu_grad,
)
from dlcourse.scratch.losses import (  # noqa: E402
    L1Loss,
    binary_cross_entropy_with_logits,
    cross_entropy,
    log_softmax,
)

__all__ += [
    "check_bce_with_logits",
    "check_leaky_relu_grad",
    "check_mae_grad",
    "check_softmax_backward",
    "check_weighted_cross_entropy",
]

_LEAKY_CASES = (
    Case("ordinary z in [-3, 4] with the default slope", (_Z_ORDINARY,)),
    Case("a 2-D batch of z, negative_slope = 0.2", (_Z_GRID, 0.2)),
    Case("negative_slope = 0 (plain ReLU)", (np.array([-2.0, -0.5, 0.0, 0.5, 3.0]), 0.0)),
    Case(
        "z = 0 and a tiny positive z, negative_slope = 0.1", (np.array([0.0, 1e-12, -1e-12]), 0.1)
    ),
)


def check_leaky_relu_grad(fn: Callable) -> bool:
    """Check ``fn(z, negative_slope=0.01)``: LeakyReLU'(z) element-wise, any shape of ``z``.

    ``1`` where ``z > 0``, ``negative_slope`` where ``z <= 0`` (PyTorch's value at ``z = 0``);
    with ``negative_slope = 0`` this is ReLU's derivative. The first case calls ``fn(z)`` alone,
    so the default slope must be 0.01.
    """
    return check_function(
        fn,
        "leaky ReLU derivative",
        _LEAKY_CASES,
        leaky_relu_grad,
        "Leaky ReLU is linear on each side of 0: its derivative is the slope of the side z lies "
        "on, returned with the shape of z.",
        mistakes=[
            (
                lambda z, s=0.01: np.where(np.asarray(z) >= 0, 1.0, s),
                "Only z = 0 is off: at the kink PyTorch uses the slope of the negative side.",
            ),
            (
                lambda z, s=0.01: leaky_relu(z, s),
                "You return the activation f(z) itself; the exercise asks for its derivative.",
            ),
            (
                lambda z, s=0.01: relu_grad(z),
                "Negative inputs get derivative 0: that is plain ReLU. Leaky ReLU keeps the slope "
                "negative_slope there.",
            ),
            (
                lambda z, s=0.01: leaky_relu_grad(z, 0.01),
                "The slope is always 0.01: use the negative_slope argument.",
            ),
        ],
    )


_RNG_05 = np.random.default_rng(5)
_SOFTMAX_BACKWARD_CASES = (
    Case(
        "a batch of 2 samples x 3 classes",
        (
            np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]),
            np.array([[0.3, -0.2, 1.0], [1.0, 0.5, -2.0]]),
        ),
    ),
    Case(
        "one sample, grad_out selecting one output",
        (np.array([[0.5, -1.0, 2.0, 0.0]]), np.array([[0.0, 0.0, 1.0, 0.0]])),
    ),
    Case(
        "a batch of 4 samples x 5 classes",
        (_RNG_05.normal(size=(4, 5)), _RNG_05.normal(size=(4, 5))),
    ),
    Case(
        "logits of 1000",
        (
            np.array([[1000.0, 999.0, 998.0], [-1000.0, 0.0, 1000.0]]),
            np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]),
        ),
    ),
)


def _softmax_backward(z, grad_out):
    layer = Softmax()
    layer.forward(z)
    return layer.backward(grad_out)


def check_softmax_backward(fn: Callable) -> bool:
    """Check ``fn(z, grad_out) = dL/dz`` for ``y_hat = softmax(z)`` over the last axis.

    ``z`` (logits) and ``grad_out = dL/dy_hat`` have shape ``(n_samples, n_classes)``; the answer
    ``y_hat * (grad_out - sum_c grad_out_c y_hat_c)`` (sum per sample) has the same shape. Compared
    with :class:`dlcourse.scratch.activations.Softmax`'s ``backward``; logits of 1000 included.
    """

    def y_hat(z):
        return softmax(np.asarray(z, dtype=np.float64), axis=-1)

    return check_function(
        fn,
        "softmax backward",
        _SOFTMAX_BACKWARD_CASES,
        _softmax_backward,
        "Start from the Jacobian dy_c/dz_k = y_c (1[c = k] - y_k) with y = softmax(z), and "
        "multiply grad_out by it for each sample, without building the matrix.",
        mistakes=[
            (
                lambda z, g: y_hat(z) * (1 - y_hat(z)) * g,
                "You used only the diagonal of the Jacobian. Every output depends on every logit: "
                "the off-diagonal terms -y_c y_k contribute too.",
            ),
            (
                lambda z, g: y_hat(z) * (g - np.sum(g * y_hat(z))),
                "The sum over classes must be taken separately for each sample (each row), "
                "keeping the dimensions so that it broadcasts.",
            ),
            (
                lambda z, g: g - np.sum(g * y_hat(z), axis=-1, keepdims=True),
                "A factor is missing: each row is also multiplied element-wise by y = softmax(z).",
            ),
            (
                lambda z, g: z * (g - np.sum(g * z, axis=-1, keepdims=True)),
                "The Jacobian is written with the softmax outputs y = softmax(z), not the logits.",
            ),
        ],
    )


_MAE_CASES = (
    Case(
        "5 predictions",
        (np.array([2.5, 0.0, -1.2, 3.0, 1.0]), np.array([2.0, 0.4, -1.0, 3.5, 0.0])),
    ),
    Case(
        "a column (4, 1) with one exact prediction",
        (np.array([[1.0], [2.0], [-0.5], [0.3]]), np.array([[1.0], [1.5], [0.5], [0.2]])),
    ),
    Case(
        "a (3, 2) batch: N counts every element",
        (
            np.array([[0.1, 2.0], [-1.0, 0.0], [4.0, -3.0]]),
            np.array([[0.0, 2.5], [1.0, 0.0], [3.0, -2.0]]),
        ),
    ),
)


def _mae_grad(y_hat, y):
    loss = L1Loss()
    loss(y_hat, y)
    return loss.backward()


def check_mae_grad(fn: Callable) -> bool:
    """Check ``fn(y_hat, y) = dMAE/dy_hat = sign(y_hat - y) / N``, shaped like ``y_hat``.

    ``MAE = (1/N) sum |y_hat - y|`` over all N elements (``torch.nn.L1Loss``); where
    ``y_hat == y`` the gradient is 0, as torch's. Compared with ``dlcourse.scratch.L1Loss``.
    """
    return check_function(
        fn,
        "MAE gradient",
        _MAE_CASES,
        _mae_grad,
        "Differentiate |r| for r = y_hat - y: its derivative is the sign of r. The mean divides "
        "every term by N, the number of elements.",
        mistakes=[
            (
                lambda p, y: np.sign(np.asarray(y) - np.asarray(p)) / np.asarray(p).size,
                "The sign is flipped: differentiate with respect to y_hat, not y.",
            ),
            (
                lambda p, y: np.sign(np.asarray(p) - np.asarray(y)),
                "The mean's 1/N is missing.",
            ),
            (
                lambda p, y: np.sign(np.asarray(p) - np.asarray(y)) / len(np.asarray(p)),
                "For a 2-D y_hat, N is the number of elements (y_hat.size), not of rows: "
                "L1Loss averages over every element.",
            ),
            (
                lambda p, y: 2 * (np.asarray(p) - np.asarray(y)) / np.asarray(p).size,
                "That is the gradient of MSE; the absolute value gives a gradient of constant size.",
            ),
        ],
    )


_BCE_LOGITS_CASES = (
    Case("4 logits", (np.array([2.0, -1.0, 0.5, -0.3]), np.array([1.0, 0.0, 1.0, 1.0]))),
    Case(
        "a column (3, 1) of logits",
        (np.array([[3.0], [-2.0], [0.0]]), np.array([[1.0], [1.0], [0.0]])),
    ),
    Case(
        "confident logits ±40 (σ rounds to 0 or 1)",
        (np.array([40.0, -40.0, 40.0, -40.0]), np.array([0.0, 1.0, 1.0, 0.0])),
    ),
    Case("extreme logits ±1000", (np.array([1000.0, -1000.0, 5.0]), np.array([0.0, 1.0, 1.0]))),
)


def _bce_logits_naive(z, y):
    z, y = np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return binary_cross_entropy(sigmoid(z), y)


def check_bce_with_logits(fn: Callable) -> bool:
    """Check ``fn(z, y)``: mean binary cross-entropy computed from logits ``z`` (one number).

    ``BCE = (1/N) sum [(1 - y) z + log(1 + e^(-z))]``, equal to BCE of ``σ(z)`` but finite and
    silent for ``|z| = 1000`` (``torch.nn.BCEWithLogitsLoss``). ``z`` and ``y`` have the same shape.
    """
    return check_function(
        fn,
        "BCE with logits",
        _BCE_LOGITS_CASES,
        binary_cross_entropy_with_logits,
        "Write log σ(z) and log(1 - σ(z)) directly in terms of z: both are -softplus of ±z, and "
        "softplus(x) = max(x, 0) + log(1 + e^(-|x|)) never overflows.",
        mistakes=[
            (
                _bce_logits_naive,
                "Right formula, lost precision: computing σ(z) first rounds it to exactly 0 or 1 "
                "for large |z|, and the log of that is clamped or infinite. Stay with z.",
            ),
            (
                lambda z, y: -binary_cross_entropy_with_logits(z, y),
                "The sign is flipped: the loss is the negative log-likelihood (always >= 0).",
            ),
            (
                lambda z, y: binary_cross_entropy_with_logits(z, y, reduction="sum"),
                "That is the sum over samples; the loss is the mean.",
            ),
        ],
    )


_RNG_06 = np.random.default_rng(6)
_WEIGHTED_CE_CASES = (
    Case(
        "4 samples, 3 classes, equal weights",
        (
            np.array([[2.0, 0.5, -1.0], [0.0, 1.0, 0.0], [-1.0, 0.3, 2.5], [1.0, 1.0, 1.0]]),
            np.array([0, 1, 2, 1]),
            np.ones(3),
        ),
    ),
    Case(
        "class weights [1, 2, 5]",
        (_RNG_06.normal(size=(6, 3)), np.array([0, 0, 0, 1, 1, 2]), np.array([1.0, 2.0, 5.0])),
    ),
    Case(
        "a class absent from the batch, weights [0.5, 3, 1, 2]",
        (_RNG_06.normal(size=(5, 4)), np.array([0, 2, 2, 3, 0]), np.array([0.5, 3.0, 1.0, 2.0])),
    ),
    Case(
        "logits of 1000",
        (
            np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0]]),
            np.array([2, 1]),
            np.array([1.0, 4.0, 2.0]),
        ),
    ),
)


def _nll(z, y):
    z = np.asarray(z, dtype=np.float64)
    return -log_softmax(z)[np.arange(len(y)), np.asarray(y)]


def check_weighted_cross_entropy(fn: Callable) -> bool:
    """Check ``fn(z, y, weight)``: class-weighted cross-entropy on logits, as PyTorch computes it.

    ``z: (N, C)`` logits, ``y: (N,)`` integer labels, ``weight: (C,)``; with
    ``ℓ_i = -log softmax(z_i)[y_i]`` the answer is ``sum_i w[y_i] ℓ_i / sum_i w[y_i]``
    (``torch.nn.CrossEntropyLoss(weight=...)``), finite and silent for logits of 1000.
    """
    return check_function(
        fn,
        "weighted cross-entropy",
        _WEIGHTED_CE_CASES,
        lambda z, y, w: cross_entropy(z, y, weight=w),
        "Per sample: the negative log-softmax of its true class, computed stably (subtract the "
        "row's maximum), times the weight of that class; then PyTorch's weighted mean.",
        mistakes=[
            (
                lambda z, y, w: float(np.mean(np.asarray(w)[np.asarray(y)] * _nll(z, y))),
                "You divided by N. PyTorch's weighted mean divides by the sum of the weights of "
                "the samples' true classes, so equal weights of any size give the plain mean.",
            ),
            (
                lambda z, y, w: cross_entropy(z, y),
                "The class weights are not applied: multiply each sample's loss by w[y_i].",
            ),
            (
                lambda z, y, w: float(np.sum(np.asarray(w)[np.asarray(y)] * _nll(z, y))),
                "That is the weighted sum; divide it by the sum of the weights used.",
            ),
            (
                lambda z, y, w: (
                    -float(np.sum(np.asarray(w)[np.asarray(y)] * _nll(z, y)))
                    / float(np.sum(np.asarray(w)[np.asarray(y)]))
                ),
                "The sign is flipped: the loss is the negative log-likelihood (always >= 0).",
            ),
        ],
    )


# --- notebook 03/04 ---
# 03: one Adam step with bias correction; one epoch of mini-batch SGD on a one-gene linear model.
# 04: a central finite-difference gradient; the hidden layer's delta; the backward pass of a
#     3-H-1 sigmoid network under the deck's ½·MSE.

# Imported here, not at the top, so that this section's edits stay inside the section.
from dlcourse.scratch.activations import Sigmoid  # noqa: E402
from dlcourse.scratch.gradcheck import numerical_gradient  # noqa: E402
from dlcourse.scratch.layers import Dense as _Dense  # noqa: E402
from dlcourse.scratch.losses import MSELoss  # noqa: E402
from dlcourse.scratch.network import Sequential as _Sequential  # noqa: E402
from dlcourse.scratch.optim import Adam  # noqa: E402

__all__ += [
    "check_adam_step",
    "check_backward_pass",
    "check_central_difference",
    "check_hidden_delta",
    "check_minibatch_epoch",
]


def _adam_reference(param, grad, m, v, t, lr, beta1, beta2, eps):
    param = np.array(param, dtype=np.float64)
    optimizer = Adam([param], lr=lr, betas=(beta1, beta2), eps=eps)
    # resume from step t - 1 with the given moments: torch's state keys
    optimizer.state[0].update(
        step=t - 1,
        exp_avg=np.array(m, dtype=np.float64),
        exp_avg_sq=np.array(v, dtype=np.float64),
    )
    optimizer.step([np.asarray(grad, dtype=np.float64)])
    return param, optimizer.state[0]["exp_avg"], optimizer.state[0]["exp_avg_sq"]


def _adam_moments(grad, m, v, beta1, beta2):
    grad = np.asarray(grad, dtype=np.float64)
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad * grad


def _adam_uncorrected(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    return param - lr * m / (np.sqrt(v) + eps), m, v


def _adam_first_moment_only(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    return param - lr * (m / (1 - beta1**t)) / (np.sqrt(v) + eps), m, v


def _adam_second_moment_only(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    return param - lr * m / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def _adam_eps_inside(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / np.sqrt(v_hat + eps), m, v


def _adam_stores_corrected(param, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat


_ADAM_CASES = (
    Case(
        "the first step (t = 1, m = v = 0)",
        (
            np.array([1.0, -2.0, 0.5]),
            np.array([0.2, -0.4, 1.0]),
            np.zeros(3),
            np.zeros(3),
            1,
            0.1,
            0.9,
            0.999,
            1e-8,
        ),
    ),
    Case(
        "step t = 5 with non-zero moments",
        (
            np.array([1.0, -2.0, 0.5]),
            np.array([0.3, 0.1, -0.2]),
            np.array([0.1, -0.05, 0.2]),
            np.array([0.02, 0.01, 0.05]),
            5,
            0.01,
            0.9,
            0.999,
            1e-8,
        ),
    ),
    Case(
        "a 2-D parameter at t = 100, betas (0.8, 0.99)",
        (
            np.arange(6.0).reshape(2, 3),
            np.full((2, 3), 0.5),
            np.full((2, 3), 0.4),
            np.full((2, 3), 0.3),
            100,
            0.001,
            0.8,
            0.99,
            1e-8,
        ),
    ),
    Case(
        "tiny gradients with eps = 1e-3 (eps matters)",
        (
            np.array([0.5, -0.5]),
            np.array([1e-3, -2e-3]),
            np.zeros(2),
            np.zeros(2),
            3,
            0.1,
            0.9,
            0.999,
            1e-3,
        ),
    ),
)


def check_adam_step(fn: Callable) -> bool:
    """Check one Adam step in PyTorch's convention (``torch.optim.Adam``, no weight decay).

    ``fn(param, grad, m, v, t, lr, beta1, beta2, eps) -> (new_param, new_m, new_v)``, where ``t``
    is the number of this step (1 for the first) and ``m``, ``v`` the moments after step t − 1
    (zeros before the first)::

        m = beta1 m + (1 − beta1) g          v = beta2 v + (1 − beta2) g²
        m̂ = m / (1 − beta1^t)                v̂ = v / (1 − beta2^t)
        new_param = param − lr m̂ / (sqrt(v̂) + eps)

    The returned moments are the uncorrected ``m`` and ``v`` (the optimizer's state); all arrays
    have the shape of ``param``.
    """
    return check_function(
        fn,
        "Adam step",
        _ADAM_CASES,
        _adam_reference,
        "Revisit Adam: two moving averages (of g and of g²), both divided by their "
        "bias-correction factor for step t, then a step of size lr along m̂ / (sqrt(v̂) + eps).",
        names=("new_param", "new_m", "new_v"),
        mistakes=[
            (
                _adam_uncorrected,
                "No bias correction: m and v start at 0, so in the first steps divide them by "
                "(1 − beta1^t) and (1 − beta2^t) before using them.",
            ),
            (
                _adam_first_moment_only,
                "Only m is bias-corrected: v also starts at 0 and needs (1 − beta2^t).",
            ),
            (
                _adam_second_moment_only,
                "Only v is bias-corrected: m also starts at 0 and needs (1 − beta1^t).",
            ),
            (
                _adam_eps_inside,
                "eps is inside the square root; torch.optim.Adam adds it after: sqrt(v̂) + eps.",
            ),
            (
                _adam_stores_corrected,
                "The parameter is right, but return the raw moving averages m and v (the state "
                "carried to the next step), not the bias-corrected m̂ and v̂.",
            ),
        ],
    )


def _linear_model(w: float, b: float) -> _Sequential:
    layer = _Dense(1, 1, rng=0)
    layer.W[...], layer.b[...] = w, b
    return _Sequential(layer)


def _minibatch_epoch_reference(w, b, x, y, lr, batch_size, seed):
    x = np.asarray(x, dtype=np.float64)[:, None]
    y = np.asarray(y, dtype=np.float64)[:, None]
    model, loss = _linear_model(w, b), MSELoss()
    optimizer = SGD(model.parameters(), lr=lr)
    order = np.random.default_rng(seed).permutation(len(x))
    for start in range(0, len(x), batch_size):
        batch = order[start : start + batch_size]
        model.zero_grad()
        loss(model(x[batch]), y[batch])
        model.backward(loss.backward())
        optimizer.step(model.gradients())
    return float(model[0].W[0, 0]), float(model[0].b[0])


def _minibatch_epoch_with(w, b, x, y, lr, batches, scale):
    """A manual epoch over ``batches`` with gradient ``scale · Σ_batch residual · (x, 1)``."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    for batch in batches:
        residual = w * x[batch] + b - y[batch]
        factor = scale(len(batch))
        w, b = w - lr * factor * np.sum(residual * x[batch]), b - lr * factor * np.sum(residual)
    return w, b


def _batches(order, batch_size, drop_last=False):
    stop = len(order) - len(order) % batch_size if drop_last else len(order)
    return [order[s : s + batch_size] for s in range(0, stop, batch_size)]


def _shuffled(x, seed):
    return np.random.default_rng(seed).permutation(len(x))


def _mean_mse(n):
    return 2.0 / n


_MINIBATCH_MISTAKES = [
    (
        lambda w, b, x, y, lr, B, seed: _minibatch_epoch_with(
            w, b, x, y, lr, _batches(np.arange(len(x)), B), _mean_mse
        ),
        "The samples were taken in their original order: shuffle them first with "
        "np.random.default_rng(seed).permutation(n).",
    ),
    (
        lambda w, b, x, y, lr, B, seed: _minibatch_epoch_with(
            w, b, x, y, lr, _batches(_shuffled(x, seed), B, drop_last=True), _mean_mse
        ),
        "The last, smaller batch was skipped: an epoch uses every sample once.",
    ),
    (
        lambda w, b, x, y, lr, B, seed: _minibatch_epoch_with(
            w, b, x, y, lr, _batches(_shuffled(x, seed), B), lambda n: 2.0
        ),
        "The gradient is summed over the batch: the loss is a mean, so divide by the batch size.",
    ),
    (
        lambda w, b, x, y, lr, B, seed: _minibatch_epoch_with(
            w, b, x, y, lr, _batches(_shuffled(x, seed), B), lambda n: 1.0 / n
        ),
        "The gradient is half the right size: that is the gradient of ½·MSE. The loss here is "
        "torch's MSE, (1/B) Σ (ŷ − y)², whose derivative has a factor 2.",
    ),
    (
        lambda w, b, x, y, lr, B, seed: _minibatch_epoch_with(
            w, b, x, y, lr, [np.arange(len(x))], _mean_mse
        ),
        "That is one full-batch step: take one step per mini-batch of batch_size samples.",
    ),
]

_RNG_MINIBATCH = np.random.default_rng(3)
_X_MINIBATCH = _RNG_MINIBATCH.normal(size=12)
_Y_MINIBATCH = 1.5 * _X_MINIBATCH - 0.5 + 0.3 * _RNG_MINIBATCH.normal(size=12)
_MINIBATCH_CASES = (
    Case(
        "12 samples, batches of 5 (the last has 2)",
        (0.0, 0.0, _X_MINIBATCH, _Y_MINIBATCH, 0.1, 5, 0),
    ),
    Case("12 samples, batches of 1 (SGD)", (-1.0, 2.0, _X_MINIBATCH, _Y_MINIBATCH, 0.05, 1, 1)),
    Case("12 samples, one batch of 12", (0.5, 0.5, _X_MINIBATCH, _Y_MINIBATCH, 0.2, 12, 2)),
    Case("12 samples, batches of 4, seed 7", (2.0, -1.0, _X_MINIBATCH, _Y_MINIBATCH, 0.1, 4, 7)),
)


def check_minibatch_epoch(fn: Callable) -> bool:
    """Check one epoch of mini-batch SGD on the linear model ``ŷ = w x + b`` with torch's MSE.

    ``fn(w, b, x, y, lr, batch_size, seed) -> (w, b)``: ``x, y: (n,)``; ``w, b``: numbers.
    The epoch visits the samples in the order ``np.random.default_rng(seed).permutation(n)``,
    in consecutive batches of ``batch_size`` (the last one may be smaller), and after each batch
    takes one step ``θ ← θ − lr ∇L_batch`` with ``L_batch = (1/B) Σ_batch (w x_i + b − y_i)²``.
    """
    return check_function(
        fn,
        "mini-batch epoch",
        _MINIBATCH_CASES,
        _minibatch_epoch_reference,
        "Revisit mini-batch SGD: shuffle once, cut the shuffled samples into consecutive batches, "
        "and after each batch update w and b with the gradient of that batch's mean loss.",
        names=("w", "b"),
        mistakes=_MINIBATCH_MISTAKES,
    )


def _central_reference(f, x, eps):
    return numerical_gradient(f, np.array(x, dtype=np.float64), eps)


def _forward_difference(f, x, eps):
    x = np.array(x, dtype=np.float64)
    grad, f0 = np.empty_like(x), f(x)
    for index in np.ndindex(x.shape):
        shifted = x.copy()
        shifted[index] += eps
        grad[index] = (f(shifted) - f0) / eps
    return grad


def _wavy(x):
    return float(np.sum(np.sin(x) * x**2))


def _quadratic_form(W):
    A = np.array([[2.0, -1.0], [0.5, 3.0]])
    return float(np.sum(W * (A @ W)) + np.sum(W))


def _neuron_loss(w):
    z = w[0] * 1.5 + w[1]
    return 0.5 * float((1.0 / (1.0 + np.exp(-z)) - 0.2) ** 2)


_CENTRAL_CASES = (
    Case(
        "f(x) = Σ sin(x) x², x of shape (4,), eps = 1e-4",
        (_wavy, np.array([0.3, -1.2, 2.0, 0.0]), 1e-4),
    ),
    Case(
        "a quadratic form of W of shape (2, 3), eps = 1e-5",
        (_quadratic_form, np.arange(6.0).reshape(2, 3) / 4, 1e-5),
    ),
    Case("a neuron's loss of (w, b), eps = 1e-6", (_neuron_loss, np.array([0.8, -0.3]), 1e-6)),
)


def check_central_difference(fn: Callable) -> bool:
    """Check ``fn(f, x, eps)``: the gradient of a scalar ``f`` at ``x`` by central differences.

    ``∂f/∂x_i ≈ (f(x + eps e_i) − f(x − eps e_i)) / (2 eps)`` for every entry i; ``x`` may be of
    any shape and the result has the same shape. Compared with
    :func:`dlcourse.scratch.gradcheck.numerical_gradient` at the same ``eps``.
    """
    return check_function(
        fn,
        "central difference",
        _CENTRAL_CASES,
        _central_reference,
        "Perturb one entry at a time by +eps and by −eps (all other entries unchanged), and "
        "divide the difference of the two function values by the distance between the points.",
        mistakes=[
            (
                _forward_difference,
                "That is a forward difference (f(x + eps) − f(x)) / eps, accurate only to O(eps): "
                "evaluate f on both sides of x.",
            ),
            (
                lambda f, x, eps: 2.0 * _central_reference(f, x, eps),
                "Twice too large: the two points x ± eps are 2·eps apart.",
            ),
        ],
    )


def _hidden_delta_reference(W2, delta2, z1):
    W2, delta2, z1 = (np.asarray(a, dtype=np.float64) for a in (W2, delta2, z1))
    output_layer = _Dense(W2.shape[1], W2.shape[0], rng=0)
    output_layer.W[...] = W2
    activation = Sigmoid()
    output_layer.forward(activation.forward(z1))
    return activation.backward(output_layer.backward(delta2))


_RNG_DELTA = np.random.default_rng(4)
_DELTA_CASES = (
    Case(
        "one sample, 4 hidden units, 1 output (the deck's 3-4-1)",
        (_RNG_DELTA.normal(size=(1, 4)), np.array([[0.7]]), _RNG_DELTA.normal(size=(1, 4))),
    ),
    Case(
        "a batch of 5 samples",
        (
            _RNG_DELTA.normal(size=(1, 4)),
            _RNG_DELTA.normal(size=(5, 1)),
            _RNG_DELTA.normal(size=(5, 4)),
        ),
    ),
    Case(
        "2 outputs, 3 hidden units, a batch of 6",
        (
            _RNG_DELTA.normal(size=(2, 3)),
            _RNG_DELTA.normal(size=(6, 2)),
            3 * _RNG_DELTA.normal(size=(6, 3)),
        ),
    ),
)


def check_hidden_delta(fn: Callable) -> bool:
    """Check ``fn(W2, delta2, z1) -> delta1``, the error signal of a sigmoid hidden layer.

    Batched rows (samples in rows, as in torch): ``W2: (n_out, n_hidden)``,
    ``delta2: (batch, n_out)`` (dL/dz of the output layer), ``z1: (batch, n_hidden)`` (the
    hidden pre-activations). ``delta1 = (delta2 @ W2) * σ'(z1)``, shape ``(batch, n_hidden)``:
    the deck's ``δ⁽¹⁾ = W⁽²⁾ᵀ δ⁽²⁾ ⊙ f'(z⁽¹⁾)`` with each sample as a row.
    """
    return check_function(
        fn,
        "hidden-layer delta",
        _DELTA_CASES,
        _hidden_delta_reference,
        "The hidden layer's error is the output error sent back through the weights that connect "
        "the two layers, then multiplied element-wise by the activation's derivative at z1.",
        mistakes=[
            (
                lambda W2, d2, z1: np.asarray(d2) @ np.asarray(W2),
                "The derivative of the activation is missing: multiply element-wise by σ'(z1).",
            ),
            (
                lambda W2, d2, z1: (np.asarray(d2) @ np.asarray(W2)) * sigmoid(z1),
                "You multiplied by σ(z1); the chain rule needs its derivative σ(z1)(1 − σ(z1)).",
            ),
            (
                lambda W2, d2, z1: (np.asarray(d2) @ np.asarray(W2)) * np.asarray(z1),
                "You multiplied by z1; the chain rule needs σ'(z1), the activation's derivative.",
            ),
        ],
    )


def _network(W1, b1, W2, b2) -> _Sequential:
    W1, b1, W2, b2 = (np.asarray(a, dtype=np.float64) for a in (W1, b1, W2, b2))
    hidden, output = _Dense(W1.shape[1], W1.shape[0], rng=0), _Dense(W2.shape[1], 1, rng=0)
    hidden.W[...], hidden.b[...], output.W[...], output.b[...] = W1, b1, W2, b2
    return _Sequential(hidden, Sigmoid(), output)


def _backward_with(X, y, W1, b1, W2, b2, dloss):
    """Gradients of the 3-H-1 network when dL/dŷ is ``dloss(y_hat, y)``; the layer API's order."""
    model = _network(W1, b1, W2, b2)
    y_hat = model(np.asarray(X, dtype=np.float64))
    model.zero_grad()
    model.backward(dloss(y_hat, np.asarray(y, dtype=np.float64)))
    dW1, db1, dW2, db2 = (g.copy() for g in model.gradients())
    return dW1, db1, dW2, db2


def _backward_reference(X, y, W1, b1, W2, b2):
    return _backward_with(X, y, W1, b1, W2, b2, lambda y_hat, t: (y_hat - t) / len(t))


def _backward_no_activation_grad(X, y, W1, b1, W2, b2):
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    W1, b1, W2, b2 = (np.asarray(a, dtype=np.float64) for a in (W1, b1, W2, b2))
    h = sigmoid(X @ W1.T + b1)
    delta2 = (h @ W2.T + b2 - y) / len(y)
    delta1 = delta2 @ W2
    return delta1.T @ X, delta1.sum(axis=0), delta2.T @ h, delta2.sum(axis=0)


_RNG_BACKWARD = np.random.default_rng(5)
_BACKWARD_CASES = (
    Case(
        "one sample, 3-4-1 (the deck's example)",
        (
            _RNG_BACKWARD.normal(size=(1, 3)),
            np.array([[1.5]]),
            _RNG_BACKWARD.normal(size=(4, 3)),
            _RNG_BACKWARD.normal(size=4),
            _RNG_BACKWARD.normal(size=(1, 4)),
            np.array([0.1]),
        ),
    ),
    Case(
        "a batch of 6 samples, 3-4-1",
        (
            _RNG_BACKWARD.normal(size=(6, 3)),
            _RNG_BACKWARD.normal(size=(6, 1)),
            _RNG_BACKWARD.normal(size=(4, 3)),
            _RNG_BACKWARD.normal(size=4),
            _RNG_BACKWARD.normal(size=(1, 4)),
            np.array([-0.2]),
        ),
    ),
    Case(
        "a batch of 10 samples, 3-5-1",
        (
            _RNG_BACKWARD.normal(size=(10, 3)),
            _RNG_BACKWARD.normal(size=(10, 1)),
            _RNG_BACKWARD.normal(size=(5, 3)),
            _RNG_BACKWARD.normal(size=5),
            _RNG_BACKWARD.normal(size=(1, 5)),
            np.array([0.3]),
        ),
    ),
)


def check_backward_pass(fn: Callable) -> bool:
    """Check ``fn(X, y, W1, b1, W2, b2) -> (dW1, db1, dW2, db2)`` for a 3-H-1 sigmoid network.

    The network is ``ŷ = σ(X W1ᵀ + b1) W2ᵀ + b2`` (torch's layout: ``X: (N, 3)``,
    ``W1: (H, 3)``, ``b1: (H,)``, ``W2: (1, H)``, ``b2: (1,)``, ``y, ŷ: (N, 1)``) and the loss is
    the deck's ½·MSE averaged over the batch, ``L = (1/N) Σ_i ½ (ŷ_i − y_i)²``, so
    ``dL/dŷ = (ŷ − y) / N``. Each gradient has the shape of its parameter.
    """
    return check_function(
        fn,
        "backward pass",
        _BACKWARD_CASES,
        _backward_reference,
        "Go through the table of notebook 04 from the output back: the output delta, the output "
        "layer's gradients, the hidden delta (weights, then σ'), the hidden layer's gradients; "
        "weight gradients sum over the batch as deltaᵀ @ (the layer's input).",
        names=("dW1", "db1", "dW2", "db2"),
        mistakes=[
            (
                lambda *args: _backward_with(*args, lambda y_hat, t: y_hat - t),
                "Every gradient is N times too large: the loss is a mean over the batch, so "
                "dL/dŷ carries a factor 1/N.",
            ),
            (
                lambda *args: _backward_with(*args, lambda y_hat, t: 2 * (y_hat - t) / len(t)),
                "Every gradient is twice too large: that is torch's MSE without ½. With the "
                "deck's ½·MSE, dL/dŷ = (ŷ − y)/N.",
            ),
            (
                _backward_no_activation_grad,
                "The hidden layer's gradients miss the sigmoid's derivative σ'(z1) in delta1.",
            ),
        ],
    )


# --- notebook 07 ---
# 07: one SGD step with weight decay, inverted dropout, the early-stopping rule, batch norm in
# training mode.

# Imported here, not at the top, so that this section's edits stay inside the section.
from dlcourse.scratch.layers import BatchNorm1d, Dropout  # noqa: E402

__all__ += [
    "check_batchnorm_forward",
    "check_dropout_forward",
    "check_early_stopping",
    "check_weight_decay_step",
]


def _weight_decay_reference(w, grad, lr, weight_decay):
    w = np.array(w, dtype=np.float64)
    SGD([w], lr=lr, weight_decay=weight_decay).step([np.asarray(grad, dtype=np.float64)])
    return w


_RNG_WD = np.random.default_rng(7)
_WEIGHT_DECAY_CASES = (
    Case(
        "w = [1, -2, 0.5], lr = 0.1, weight_decay = 0.01",
        (np.array([1.0, -2.0, 0.5]), np.array([0.2, -0.4, 1.0]), 0.1, 0.01),
    ),
    Case(
        "a (3, 4) weight matrix, lr = 0.05, weight_decay = 0.1",
        (_RNG_WD.normal(size=(3, 4)), _RNG_WD.normal(size=(3, 4)), 0.05, 0.1),
    ),
    Case(
        "a zero gradient (pure decay), lr = 0.5, weight_decay = 0.2",
        (np.array([2.0, -1.0, 0.25]), np.zeros(3), 0.5, 0.2),
    ),
    Case(
        "weight_decay = 0 (plain gradient descent)",
        (np.array([3.0, -1.0]), np.array([1.0, 2.0]), 0.1, 0.0),
    ),
)


def check_weight_decay_step(fn: Callable) -> bool:
    """Check one gradient-descent step with L2 weight decay, in PyTorch's convention.

    ``fn(w, grad, lr, weight_decay) -> new_w`` with
    ``new_w = w - lr * (grad + weight_decay * w)``: the step on ``L + (weight_decay / 2) ||w||^2``,
    as ``torch.optim.SGD(..., weight_decay=weight_decay)`` takes it. ``w`` and ``grad`` have any
    (equal) shape; ``lr`` and ``weight_decay`` are numbers.
    """
    return check_function(
        fn,
        "weight-decay step",
        _WEIGHT_DECAY_CASES,
        _weight_decay_reference,
        "Add the gradient of the penalty (weight_decay / 2) * ||w||^2 to the loss gradient, then "
        "take an ordinary gradient-descent step with that total gradient.",
        mistakes=[
            (
                lambda w, g, lr, wd: w - lr * g - wd * w,
                "The decay term is not scaled by the learning rate: the penalty's gradient is part "
                "of the gradient, and the whole gradient is multiplied by lr.",
            ),
            (
                lambda w, g, lr, wd: w - lr * (g + 2 * wd * w),
                "That is the gradient of weight_decay * ||w||^2 (the deck's form). PyTorch's "
                "weight_decay is the coefficient of (1/2) ||w||^2, whose gradient has no factor 2.",
            ),
            (
                lambda w, g, lr, wd: w - lr * (g - wd * w),
                "The weights grow: the penalty's gradient points away from zero, so subtracting "
                "it must shrink w. Check the sign.",
            ),
            (
                lambda w, g, lr, wd: w - lr * g,
                "The weight-decay term is missing: only the loss gradient was used.",
            ),
        ],
    )


class _FixedDraws:
    """Stands in for a ``numpy.random.Generator``: ``random(shape)`` returns the given draws."""

    def __init__(self, u: np.ndarray) -> None:
        self.u = np.asarray(u, dtype=np.float64)

    def random(self, shape: tuple) -> np.ndarray:
        if tuple(shape) != self.u.shape:
            raise ValueError(f"uniform draws: expected shape {tuple(shape)}, got {self.u.shape}")
        return self.u


def _dropout_reference(x, p, u, training):
    """The scratch ``Dropout`` layer, fed the uniform draws ``u`` instead of its own."""
    layer = Dropout(p)
    layer.rng = _FixedDraws(u)
    layer.train(bool(training))
    return layer.forward(x)


_RNG_DROPOUT = np.random.default_rng(70)
_DROPOUT_CASES = (
    Case(
        "x of shape (4, 5), p = 0.5, training",
        (_RNG_DROPOUT.normal(size=(4, 5)), 0.5, _RNG_DROPOUT.random((4, 5)), True),
    ),
    Case(
        "x of shape (3, 8), p = 0.2, training",
        (_RNG_DROPOUT.normal(size=(3, 8)), 0.2, _RNG_DROPOUT.random((3, 8)), True),
    ),
    Case(
        "evaluation mode (training = False), p = 0.5",
        (_RNG_DROPOUT.normal(size=(4, 5)), 0.5, _RNG_DROPOUT.random((4, 5)), False),
    ),
    Case(
        "p = 0 (nothing dropped), training",
        (_RNG_DROPOUT.normal(size=(2, 3)), 0.0, _RNG_DROPOUT.random((2, 3)), True),
    ),
)


def check_dropout_forward(fn: Callable) -> bool:
    """Check ``fn(x, p, u, training)``: the forward pass of inverted dropout, as ``nn.Dropout``.

    ``x``: activations of any shape; ``p``: the probability of *dropping* a unit, in [0, 1);
    ``u``: uniform draws in [0, 1) with the shape of ``x`` (one per unit); ``training``: a bool.
    In training a unit is kept when ``u >= p`` and kept units are scaled by ``1 / (1 - p)``;
    in evaluation the output is ``x`` unchanged. Compared with :class:`dlcourse.scratch.Dropout`
    fed the same draws.
    """
    return check_function(
        fn,
        "inverted dropout",
        _DROPOUT_CASES,
        _dropout_reference,
        "In training, zero the dropped units and rescale the kept ones so that the expected "
        "output equals the input; in evaluation the layer does nothing.",
        mistakes=[
            (
                lambda x, p, u, t: x * (u >= p) if t else x,
                "The kept units are not rescaled, so the expected output shrinks by (1 - p) in "
                "training: inverted dropout divides the kept units by the keep probability.",
            ),
            (
                lambda x, p, u, t: x * (u >= p) * (1 - p) if t else x,
                "You multiply by (1 - p): that shrinks the output further. Inverted dropout "
                "divides by the keep probability, so the expected output equals the input.",
            ),
            (
                lambda x, p, u, t: x * (u < p) / (1 - p) if t else x,
                "You keep a unit with probability p, but p is the probability of dropping it.",
            ),
            (
                lambda x, p, u, t: _dropout_reference(x, p, u, True),
                "In evaluation mode (training = False) dropout must be switched off: return x.",
            ),
            (
                lambda x, p, u, t: _dropout_reference(x, p, u, True) if t else x * (1 - p),
                "In evaluation mode inverted dropout returns x unchanged: the rescaling already "
                "happened in training (scaling at test time is the older, non-inverted form).",
            ),
        ],
    )


def _early_stopping_reference(val_losses, patience, min_delta):
    """``dlcourse.training.EarlyStopping`` applied epoch by epoch (imported here: it needs torch)."""
    from dlcourse.training import EarlyStopping

    stopper = EarlyStopping(patience=int(patience), min_delta=min_delta, restore_best=False)
    last = len(val_losses) - 1
    for epoch, loss in enumerate(val_losses):
        if stopper.step(float(loss), None, epoch):
            last = epoch
            break
    return stopper.best_epoch, last


def _early_stopping_variant(val_losses, patience, min_delta, *, ties=False, late=False):
    """Typical wrong rules: ties count as improvements, or stopping one epoch too late."""
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        improved = loss <= best - min_delta if ties else loss < best - min_delta
        if improved:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
        if (waited > patience) if late else (waited >= patience):
            return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


_EARLY_STOPPING_CASES = (
    Case(
        "a U-shaped validation curve, patience = 3",
        (np.array([1.0, 0.8, 0.7, 0.72, 0.75, 0.71, 0.9, 1.0, 1.1]), 3, 0.0),
    ),
    Case(
        "a plateau of equal losses, patience = 2",
        (np.array([0.9, 0.8, 0.8, 0.8, 0.79, 0.78, 0.77]), 2, 0.0),
    ),
    Case(
        "small improvements below min_delta = 0.05, patience = 3",
        (np.array([1.0, 0.9, 0.88, 0.87, 0.86, 0.85, 0.7]), 3, 0.05),
    ),
    Case(
        "a curve that keeps improving, patience = 5",
        (np.array([1.0, 0.9, 0.8, 0.75, 0.72, 0.7]), 5, 0.0),
    ),
    Case(
        "a noisy curve of 30 epochs, patience = 4",
        (
            0.5
            + 0.01 * (np.arange(30) - 12.0) ** 2 / 12
            + np.random.default_rng(71).normal(0, 0.02, 30),
            4,
            0.0,
        ),
    ),
)


def check_early_stopping(fn: Callable) -> bool:
    """Check ``fn(val_losses, patience, min_delta) -> (best_epoch, last_epoch)``.

    ``val_losses``: validation loss after each epoch, shape ``(n_epochs,)``. An epoch improves
    when its loss is below ``best_loss - min_delta``; training stops after ``patience``
    consecutive epochs without improvement. ``best_epoch`` is the 0-based index of the best
    epoch (the weights to restore); ``last_epoch`` the 0-based index of the last epoch run
    (``n_epochs - 1`` when patience never runs out). The rule of
    :class:`dlcourse.training.EarlyStopping`.
    """
    return check_function(
        fn,
        "early-stopping rule",
        _EARLY_STOPPING_CASES,
        _early_stopping_reference,
        "Walk through the epochs in order, remembering the best loss so far and how many epochs "
        "have passed without an improvement; an improvement must beat the best by more than "
        "min_delta. Epochs are counted from 0.",
        names=("best_epoch", "last_epoch"),
        mistakes=[
            (
                lambda v, p, d: _early_stopping_variant(v, p, d, ties=True),
                "An epoch that only equals the best loss counts as an improvement in your rule; "
                "it must be strictly better (by more than min_delta).",
            ),
            (
                lambda v, p, d: _early_stopping_variant(v, p, d, late=True),
                "Training stops one epoch too late: stop as soon as the number of epochs without "
                "improvement reaches patience.",
            ),
            (
                lambda v, p, d: _early_stopping_reference(v, p, 0.0),
                "min_delta is ignored: an improvement smaller than min_delta does not count.",
            ),
            (
                lambda v, p, d: tuple(e + 1 for e in _early_stopping_reference(v, p, d)),
                "The epochs are off by one: count them from 0, like Python indices.",
            ),
            (
                lambda v, p, d: (int(np.argmin(v)), _early_stopping_reference(v, p, d)[1]),
                "The best epoch must be among the epochs actually run: a loss after the stop is "
                "never seen.",
            ),
        ],
    )


def _batchnorm_reference(x, gamma, beta, eps):
    """The scratch ``BatchNorm1d`` in training mode with the given gamma, beta and eps."""
    x = np.asarray(x, dtype=np.float64)
    layer = BatchNorm1d(x.shape[1], eps=eps)
    layer.gamma[...] = gamma
    layer.beta[...] = beta
    return layer.forward(x)


def _batchnorm_variant(x, gamma, beta, eps, *, ddof=0, axis=0, eps_outside=False):
    mean = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, ddof=ddof, keepdims=True)
    std = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
    return gamma * (x - mean) / std + beta


_RNG_BN = np.random.default_rng(72)
_BATCHNORM_CASES = (
    Case(
        "a batch of 8 samples x 3 genes on different scales",
        (
            _RNG_BN.normal(size=(8, 3)) * np.array([1.0, 5.0, 0.5]) + np.array([2.0, -3.0, 10.0]),
            np.array([1.0, 2.0, 0.5]),
            np.array([0.0, -1.0, 0.3]),
            1e-5,
        ),
    ),
    Case(
        "a batch of 2 samples x 4 features",
        (_RNG_BN.normal(size=(2, 4)), np.ones(4), np.zeros(4), 1e-5),
    ),
    Case(
        "a nearly constant feature (variance ~1e-4), eps = 1e-3",
        (
            np.column_stack([_RNG_BN.normal(size=6), 0.01 * _RNG_BN.normal(size=6)]),
            np.array([1.5, 1.0]),
            np.array([0.5, 0.0]),
            1e-3,
        ),
    ),
)


def check_batchnorm_forward(fn: Callable) -> bool:
    """Check ``fn(x, gamma, beta, eps)``: batch normalisation in training mode.

    ``x: (batch, features)``, ``gamma, beta: (features,)``. Per feature, over the batch:
    ``mu = mean(x)``, ``var = mean((x - mu)^2)`` (biased, divide by N),
    ``y = gamma * (x - mu) / sqrt(var + eps) + beta``; shape ``(batch, features)``. Compared
    with :class:`dlcourse.scratch.BatchNorm1d` in training mode (``torch.nn.BatchNorm1d``).
    """
    return check_function(
        fn,
        "batch norm (training mode)",
        _BATCHNORM_CASES,
        _batchnorm_reference,
        "Normalise every feature (column) with the mean and variance of the current batch, then "
        "scale by gamma and shift by beta.",
        mistakes=[
            (
                lambda x, g, b, e: _batchnorm_variant(x, g, b, e, ddof=1),
                "You used the unbiased variance (divide by N - 1); in training mode batch norm "
                "normalises with the biased batch variance (divide by N).",
            ),
            (
                lambda x, g, b, e: _batchnorm_variant(x, g, b, e, axis=1),
                "You normalised each sample across its features; batch norm normalises each "
                "feature across the samples of the batch.",
            ),
            (
                lambda x, g, b, e: _batchnorm_variant(x, g, b, e, eps_outside=True),
                "eps is added outside the square root; it belongs inside, to the variance.",
            ),
            (
                lambda x, g, b, e: _batchnorm_variant(x, np.ones_like(g), np.zeros_like(b), e),
                "The normalised values are right, but gamma (scale) and beta (shift) are not "
                "applied.",
            ),
            (
                lambda x, g, b, e: g * x / np.sqrt(1.0 + e) + b,
                "That is evaluation mode with fresh running statistics (mean 0, variance 1): in "
                "training mode use the statistics of the batch itself.",
            ),
        ],
    )


# --- notebook 08/09 ---
# 08: standardising genes with broadcasting (torch), a Dataset of one-hot DNA, early stopping by
#     hand (compared with dlcourse.training.fit).
# 09: sensitivity and specificity, a cost-minimising decision threshold, permutation importance.
# torch, sklearn and dlcourse.training are imported inside the checks, so that importing this
# module stays as light as before for the morning's NumPy-only notebooks.

from dlcourse.data import one_hot_dna as _one_hot_dna  # noqa: E402
from dlcourse.data import simulate_dna_motif as _simulate_dna_motif  # noqa: E402

__all__ += [
    "check_cost_threshold",
    "check_dna_dataset",
    "check_fit_early_stopping",
    "check_permutation_importance",
    "check_sensitivity_specificity",
    "check_standardise_genes",
]


def _standardise_cases() -> tuple[Case, ...]:
    import torch

    rng = np.random.default_rng(8)
    scales = np.array([1.0, 10.0, 0.1, 3.0])
    means = np.array([5.0, -2.0, 100.0, 0.0])
    return (
        Case("a (6, 4) expression matrix", (torch.from_numpy(rng.normal(size=(6, 4))),)),
        Case(
            "genes on different scales, (40, 4)",
            (torch.from_numpy(means + scales * rng.normal(size=(40, 4))),),
        ),
        Case("a single gene, (10, 1)", (torch.from_numpy(rng.normal(3.0, 2.0, size=(10, 1))),)),
        Case("a square (5, 5) matrix", (torch.from_numpy(rng.normal(size=(5, 5))),)),
    )


def _standardise_reference(X):
    return (X - X.mean(dim=0)) / X.std(dim=0, correction=0)


def check_standardise_genes(fn: Callable) -> bool:
    """Check ``fn(X)``: every column (gene) of a tensor standardised to mean 0, population sd 1.

    ``X: (n_samples, n_genes)`` float64 tensor; the result has the same shape, with
    ``z_ij = (x_ij - mean_j) / s_j`` and ``s_j = sqrt((1/n) sum_i (x_ij - mean_j)^2)`` (the
    population standard deviation, as ``sklearn.preprocessing.StandardScaler``). ``X`` must not be
    modified in place, and the result must be a tensor.
    """
    import torch

    what = "standardise genes"
    if is_stub(fn):
        return not_implemented(what)
    if not callable(fn):
        return report(False, what, f"expected a function, got {type(fn).__name__}")
    cases = _standardise_cases()
    X = cases[0].args[0].clone()
    outcome = _call(fn, (X,))
    if outcome.error is None and not _unimplemented(outcome.value):
        if not isinstance(outcome.value, torch.Tensor):
            return report(
                False,
                what,
                f"expected a torch tensor, got {type(outcome.value).__name__}. Hint: tensor "
                "operations (mean, std, -, /) keep the result a tensor; no NumPy needed.",
            )
        if not torch.equal(X, cases[0].args[0]):
            return report(
                False,
                what,
                "X was modified in place. Hint: build a new tensor (X - mean) / sd instead of "
                "using -= or /= on X.",
            )
    return check_function(
        lambda X: fn(X.clone()),
        what,
        cases,
        _standardise_reference,
        "Each gene is a column: compute its mean and population standard deviation over the "
        "samples (dim=0), and let broadcasting subtract and divide every row by them.",
        rtol=1e-10,
        atol=1e-12,
        mistakes=[
            (
                lambda X: (X - X.mean(dim=0)) / X.std(dim=0),
                "That is the sample standard deviation (divides by n - 1); use the population "
                "one (divides by n), as StandardScaler does: std(dim=0, correction=0).",
            ),
            (
                lambda X: (X - X.mean(dim=1, keepdim=True)) / X.std(dim=1, keepdim=True,
                                                                     correction=0),
                "You standardised each sample (row); standardise each gene (column): dim=0.",
            ),
            (
                lambda X: X - X.mean(dim=0),
                "The genes are centred but not scaled: divide by their standard deviation too.",
            ),
        ],
    )


def _dna_dataset_problem() -> tuple[list[str], np.ndarray]:
    X, y = _simulate_dna_motif(n_sequences=10, length=16, motif="TATAAT", seed=3)
    return list(X["sequence"]), y.to_numpy()


def check_dna_dataset(dataset_class: object) -> bool:
    """Check a ``torch.utils.data.Dataset`` class of one-hot encoded DNA sequences.

    ``dataset_class(sequences, labels)`` with ``sequences`` a list of ``n`` equal-length DNA
    strings and ``labels`` an int array ``(n,)`` in {0, 1}. The dataset must have ``len == n`` and
    ``dataset[i] == (x, y)`` with ``x`` the float32 tensor ``(length, 4)`` equal to
    ``dlcourse.data.one_hot_dna(sequences[i])`` (channels A, C, G, T) and ``y`` a float32 scalar
    tensor (the target ``BCEWithLogitsLoss`` expects). A ``DataLoader`` over it then yields
    ``(batch, length, 4)`` and ``(batch,)``.
    """
    import torch
    from torch.utils.data import DataLoader

    what = "DNA dataset"
    if is_stub(dataset_class):
        return not_implemented(what)
    if not isinstance(dataset_class, type):
        return report(False, what, f"expected a class, got {type(dataset_class).__name__}")
    sequences, labels = _dna_dataset_problem()
    try:
        dataset = dataset_class(list(sequences), labels.copy())
        length = dataset.__len__()
        item = dataset.__getitem__(2)
    except NotImplementedError:
        return not_implemented(what)
    except Exception as error:
        return report(
            False,
            what,
            f"creating it or calling len / [2] raised {type(error).__name__}: {error}. Hint: "
            "store the sequences and labels in __init__; __len__ returns how many there are; "
            "__getitem__(i) returns sample i.",
        )
    if length is None or item is None or _unimplemented(item):
        return not_implemented(what)
    if length != len(sequences):
        return report(False, what, f"len(dataset) is {length}, expected {len(sequences)}.")
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        return report(False, what, "dataset[i] should be a pair (x, y): the encoded sequence and "
                      "its label.")
    x, y = item
    expected_x = _one_hot_dna(sequences[2])
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        return report(False, what, "x and y should be torch tensors (torch.as_tensor(...)).")
    if tuple(x.shape) == expected_x.T.shape and tuple(x.shape) != expected_x.shape:
        return report(
            False,
            what,
            f"x has shape {tuple(x.shape)}: that is channels first. Keep one_hot_dna's layout "
            f"(length, 4) = {expected_x.shape}.",
        )
    problem = compare(x, expected_x, rtol=0.0, atol=0.0)
    if problem is not None:
        return report(False, what, f"x of sample 2: {problem}. Hint: one row per base, columns "
                      "A, C, G, T, as dlcourse.data.one_hot_dna encodes it.")
    if x.dtype != torch.float32 or y.dtype != torch.float32:
        return report(
            False,
            what,
            f"dtypes are x: {x.dtype}, y: {y.dtype}; a model's weights and BCEWithLogitsLoss's "
            "targets are float32. Hint: torch.as_tensor(..., dtype=torch.float32).",
        )
    if y.shape != () or float(y) != labels[2]:
        return report(False, what, f"y of sample 2 should be the scalar {labels[2]}, got shape "
                      f"{tuple(y.shape)} with values {y.flatten()[:3].tolist()}.")
    try:
        X_batch, y_batch = next(iter(DataLoader(dataset, batch_size=4)))
    except Exception as error:
        return report(False, what, f"a DataLoader over it raised {type(error).__name__}: {error}")
    if tuple(X_batch.shape) != (4, 16, 4) or tuple(y_batch.shape) != (4,):
        return report(False, what, f"a DataLoader batch of 4 has shapes {tuple(X_batch.shape)} "
                      f"and {tuple(y_batch.shape)}, expected (4, 16, 4) and (4,).")
    return report(True, f"{what}: length, encoding, dtypes and batches are right", "")


_EARLY_STOPPING_MAX_EPOCHS = 60
_EARLY_STOPPING_PATIENCE = 5


class _CountingLoader:
    """A DataLoader stand-in that counts the passes over it (one per epoch for training data)."""

    def __init__(self, loader: object) -> None:
        self.loader = loader
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        return iter(self.loader)

    def __len__(self) -> int:
        return len(self.loader)

    def __getattr__(self, name: str) -> object:
        return getattr(self.loader, name)


def _early_stopping_run(train: Callable | None, restore_best: bool = True) -> tuple:
    """Run ``train`` (the student's function, or None for the reference ``fit``) on a fixed,
    seeded, overfitting problem on the CPU; return its result, the final weights and the number
    of epochs run."""
    import torch
    from torch import nn

    from dlcourse.training import EarlyStopping, fit, make_loader

    rng = np.random.default_rng(8)
    X = rng.normal(size=(160, 6))
    scores = np.column_stack([X[:, 0] - X[:, 1], X[:, 1] + X[:, 2], 0.5 * X[:, 3]])
    y = np.argmax(scores + rng.gumbel(size=scores.shape), axis=1).astype(np.int64)
    train_loader = _CountingLoader(make_loader(X[:96], y[:96], batch_size=32, shuffle=True))
    val_loader = make_loader(X[96:], y[96:], batch_size=40)  # two batches: 40 and 24
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 3))
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        args = (model, train_loader, val_loader, nn.CrossEntropyLoss(), optimizer)
        if train is None:
            history = fit(*args, epochs=_EARLY_STOPPING_MAX_EPOCHS, device="cpu",
                          early_stopping=EarlyStopping(_EARLY_STOPPING_PATIENCE,
                                                       restore_best=restore_best),
                          progress=False)
            result = history.best_epoch
        else:
            result = train(*args, _EARLY_STOPPING_MAX_EPOCHS, _EARLY_STOPPING_PATIENCE, "cpu")
    return result, [p.detach().clone() for p in model.parameters()], train_loader.passes


def _same_weights(a: list, b: list, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    import torch

    return len(a) == len(b) and all(
        x.shape == y.shape and torch.allclose(x, y, rtol=rtol, atol=atol)
        for x, y in zip(a, b, strict=True)
    )


@_never_raises
def check_fit_early_stopping(fn: Callable) -> bool:
    """Check a hand-written training loop with early stopping against ``dlcourse.training.fit``.

    ``fn(model, train_loader, val_loader, loss_fn, optimizer, max_epochs, patience, device)``
    trains (``zero_grad`` -> forward -> loss -> ``backward`` -> ``step`` per batch, in train
    mode), computes the validation loss after each epoch (eval mode, ``torch.no_grad()``,
    batch-size-weighted mean), counts an epoch as an improvement when its loss is strictly below
    the best so far, stops after ``patience`` epochs in a row without improvement, loads the best
    epoch's weights into ``model`` and returns that epoch's 0-based index. The check trains a
    small 3-class network on a fixed problem (CPU, seeded, early stopping triggers) and compares
    the returned epoch and the number of epochs run exactly, the final weights with rtol 1e-5.
    """
    what = "fit with early stopping"
    if is_stub(fn):
        return not_implemented(what)
    if not callable(fn):
        return report(False, what, f"expected a function, got {type(fn).__name__}")
    try:
        best, weights, epochs_run = _early_stopping_run(fn)
    except NotImplementedError:
        return not_implemented(what)
    except Exception as error:
        return report(False, what, f"raised {type(error).__name__}: {error}. Hint: start from "
                      "train_by_hand in section 7 and add the validation pass and the stopping "
                      "rule.")
    if _unimplemented(best):
        return not_implemented(what)
    if isinstance(best, bool) or not isinstance(best, (int, np.integer)):
        return report(False, what, f"expected the best epoch as an int, got "
                      f"{type(best).__name__}.")
    reference_best, reference_weights, reference_epochs = _early_stopping_run(None)
    restored = _same_weights(weights, reference_weights)
    if restored and best == reference_best and epochs_run != reference_epochs:
        return report(
            False,
            what,
            f"the best epoch and weights are right, but training ran {epochs_run} epochs instead "
            f"of {reference_epochs}: stop as soon as `patience` epochs in a row have not improved.",
        )
    if restored and best == reference_best:
        return report(True, f"{what}: best epoch {best}, epochs run and final weights match "
                      "dlcourse.training.fit (rtol 1e-5)", "")
    if restored and best == reference_best + 1:
        return report(False, what, f"you returned epoch {best}, the reference {reference_best}: "
                      "return the 0-based index (the first epoch is 0).")
    if best == reference_best:
        _, last_weights, _ = _early_stopping_run(None, restore_best=False)
        if _same_weights(weights, last_weights):
            return report(
                False,
                what,
                "the best epoch is right but the model ends with the last epoch's weights. "
                "Hint: state_dict() holds references to the live tensors, so save a deep copy "
                "(copy.deepcopy) when the validation loss improves, and load it at the end.",
            )
    found = (
        "the best epoch is right but the final weights differ from dlcourse.training.fit"
        if best == reference_best
        else f"the best epoch is {best}, expected {reference_best}"
    )
    return report(
        False,
        what,
        f"{found}. Hint: zero the gradients before each backward pass; validate in "
        "eval mode (dropout off) under torch.no_grad(), with a batch-size-weighted mean over all "
        "validation batches; count an improvement only when the loss is strictly lower.",
    )


def _confusion_counts(y_true, y_pred) -> tuple[int, int, int, int]:
    y_true, y_pred = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tp = int(np.sum((y_true == 1) & (y_pred == 1)))
    fn = int(np.sum((y_true == 1) & (y_pred == 0)))
    tn = int(np.sum((y_true == 0) & (y_pred == 0)))
    fp = int(np.sum((y_true == 0) & (y_pred == 1)))
    return tp, fn, tn, fp


def _sensitivity_specificity(y_true, y_pred):
    tp, fn, tn, fp = _confusion_counts(y_true, y_pred)
    return tp / (tp + fn), tn / (tn + fp)


def _precision_specificity(y_true, y_pred):
    tp, fn, tn, fp = _confusion_counts(y_true, y_pred)
    return tp / (tp + fp), tn / (tn + fp)


def _sensitivity_npv(y_true, y_pred):
    tp, fn, tn, fp = _confusion_counts(y_true, y_pred)
    return tp / (tp + fn), tn / (tn + fn)


_RNG_SENS = np.random.default_rng(9)
_SENS_TRUE = (_RNG_SENS.random(40) < 0.35).astype(np.int64)
_SENS_PRED = np.where(_RNG_SENS.random(40) < 0.8, _SENS_TRUE, 1 - _SENS_TRUE)
_SENS_CASES = (
    Case("10 tumours (4 malignant)",
         (np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]), np.array([1, 1, 1, 0, 0, 0, 0, 0, 1, 1]))),
    Case("40 tumours with 20% of predictions flipped", (_SENS_TRUE, _SENS_PRED)),
    Case("every malignant tumour found, 3 false alarms",
         (np.array([1, 1, 0, 0, 0, 0, 0, 0]), np.array([1, 1, 1, 1, 1, 0, 0, 0]))),
)


def check_sensitivity_specificity(fn: Callable) -> bool:
    """Check ``fn(y_true, y_pred) -> (sensitivity, specificity)`` with 1 = malignant (positive).

    ``y_true, y_pred: (n,)`` integer labels in {0, 1}. Sensitivity (recall, true positive rate)
    ``TP / (TP + FN)``: the share of malignant tumours that are flagged. Specificity (true negative
    rate) ``TN / (TN + FP)``: the share of benign tumours that are cleared.
    """
    return check_function(
        fn,
        "sensitivity and specificity",
        _SENS_CASES,
        _sensitivity_specificity,
        "Count the four cells of the confusion matrix (TP, FN, TN, FP) with malignant = 1 as the "
        "positive class; sensitivity divides by all truly malignant tumours, specificity by all "
        "truly benign ones.",
        names=("sensitivity", "specificity"),
        mistakes=[
            (
                lambda y, p: _sensitivity_specificity(y, p)[::-1],
                "The two values are swapped (or benign was taken as the positive class): return "
                "(sensitivity, specificity) with malignant = 1 positive.",
            ),
            (
                _precision_specificity,
                "The first value is the precision TP / (TP + FP); sensitivity divides by the truly "
                "malignant tumours, TP + FN.",
            ),
            (
                _sensitivity_npv,
                "The second value is the negative predictive value TN / (TN + FN); specificity "
                "divides by the truly benign tumours, TN + FP.",
            ),
        ],
    )


def _expected_cost(y_true: np.ndarray, p: np.ndarray, threshold: float, cost_fn: float,
                   cost_fp: float) -> float:
    predicted = p >= threshold
    fn = np.sum((y_true == 1) & ~predicted)
    fp = np.sum((y_true == 0) & predicted)
    return float(cost_fn * fn + cost_fp * fp)


def _minimum_cost(y_true: np.ndarray, p: np.ndarray, cost_fn: float, cost_fp: float) -> float:
    candidates = np.append(np.unique(p), np.inf)  # np.inf: call every tumour benign
    return min(_expected_cost(y_true, p, t, cost_fn, cost_fp) for t in candidates)


def _cost_threshold_cases() -> list[tuple[str, tuple]]:
    rng = np.random.default_rng(10)
    cases = []
    for label, n, cost_fn, cost_fp, separation in (
        ("120 validation tumours, a missed cancer costs 5 false alarms", 120, 5.0, 1.0, 1.5),
        ("200 tumours, equal costs", 200, 1.0, 1.0, 1.0),
        ("150 tumours, a missed cancer costs 20 false alarms", 150, 20.0, 1.0, 1.2),
    ):
        y = (rng.random(n) < 0.37).astype(np.int64)
        p = 1.0 / (1.0 + np.exp(-(separation * (2 * y - 1) + rng.normal(0.0, 1.0, n) - 0.5)))
        cases.append((label, (y, p, cost_fn, cost_fp)))
    return cases


@_never_raises
def check_cost_threshold(fn: Callable) -> bool:
    """Check ``fn(y_true, p, cost_fn, cost_fp) -> threshold`` that minimises the total cost.

    ``y_true: (n,)`` labels (1 = malignant), ``p: (n,)`` predicted probabilities of malignancy;
    a tumour is called malignant when ``p >= threshold``. The total cost on these tumours is
    ``cost_fn * FN + cost_fp * FP``; any threshold reaching the minimum over all thresholds is
    accepted (ties between thresholds do not matter), so the check compares costs, not
    thresholds.
    """
    what = "cost-minimising threshold"
    if is_stub(fn):
        return not_implemented(what)
    if not callable(fn):
        return report(False, what, f"expected a function, got {type(fn).__name__}")
    for index, (label, (y, p, cost_fn, cost_fp)) in enumerate(_cost_threshold_cases()):
        outcome = _call(fn, (y.copy(), p.copy(), cost_fn, cost_fp))
        if isinstance(outcome.error, NotImplementedError) or (
            index == 0 and outcome.error is None and _unimplemented(outcome.value)
        ):
            return not_implemented(what)
        if outcome.error is not None:
            return report(False, what, f"raised {type(outcome.error).__name__}: {outcome.error} "
                          f"for {label}.")
        t = outcome.value
        if hasattr(t, "item") and getattr(t, "size", 1) == 1:
            t = t.item()
        if isinstance(t, bool) or not isinstance(t, (int, float)) or np.isnan(t):
            return report(False, what, f"expected one threshold (a number) for {label}, got "
                          f"{type(outcome.value).__name__}.")
        best = _minimum_cost(y, p, cost_fn, cost_fp)
        cost = _expected_cost(y, p, t, cost_fn, cost_fp)
        if cost <= best + 1e-9:
            continue
        wrong = f"{label}: your threshold {t:.3f} costs {cost:g}, the minimum is {best:g}."
        swapped = _expected_cost(y, p, t, cost_fp, cost_fn) <= _minimum_cost(y, p, cost_fp,
                                                                             cost_fn) + 1e-9
        if swapped:
            hint = ("It minimises the cost with the two costs swapped: a false negative (a "
                    "missed malignant tumour) costs cost_fn.")
        elif np.isclose(t, cost_fp / (cost_fp + cost_fn)):
            hint = ("That is the Bayes threshold cost_fp / (cost_fp + cost_fn), optimal only for "
                    "perfectly calibrated probabilities; here minimise the cost actually counted "
                    "on these tumours.")
        elif np.isclose(t, 0.5):
            hint = "0.5 ignores the costs: try every candidate threshold and keep the cheapest."
        else:
            hint = ("Try every distinct predicted probability as a threshold, count FN and FP "
                    "with the rule p >= threshold, and keep the threshold with the lowest "
                    "cost_fn * FN + cost_fp * FP.")
        return report(False, what, f"{wrong} {hint}")
    return report(True, f"{what}: the minimum cost is reached on 3 validation sets", "")


def _importance_problem() -> tuple[Callable, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(400, 4))

    def predict(X):
        X = np.asarray(X, dtype=np.float64)
        return sigmoid(2.0 * X[:, 0] - 1.5 * X[:, 2])

    y = (rng.random(400) < predict(X)).astype(np.int64)
    return predict, X, y


def _auc(y: np.ndarray, scores: np.ndarray) -> float:
    """ROC-AUC by the rank-sum (Mann-Whitney) formula, ties as half: ``roc_auc_score``, faster."""
    from scipy.stats import rankdata

    positive = np.asarray(y) == 1
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((rankdata(scores)[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _permutation_importance_reference(predict, X, y, n_repeats, seed):
    rng = np.random.default_rng(seed)
    baseline = _auc(y, predict(X))
    importances = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        drops = []
        for _ in range(n_repeats):
            X_permuted = X.copy()
            X_permuted[:, j] = X[rng.permutation(len(X)), j]
            drops.append(baseline - _auc(y, predict(X_permuted)))
        importances[j] = np.mean(drops)
    return importances


@_never_raises
def check_permutation_importance(fn: Callable) -> bool:
    """Check ``fn(predict, X, y, n_repeats, seed) -> importances`` (permutation importance).

    ``predict(X)`` maps features ``(n, d)`` to probabilities ``(n,)``; the importance of feature
    ``j`` is the mean over ``n_repeats`` random permutations of column ``j`` (the other columns
    untouched) of ``AUC(original) - AUC(column j permuted)``, so the result has shape ``(d,)``.
    The check uses a model that ignores features 1 and 3 (their importance must be 0 within
    1e-12) and compares features 0 and 2 with a reference over 200 permutations (atol 0.03, the
    Monte Carlo spread of 30 permutations is far below). ``X`` must be left unchanged.
    """
    what = "permutation importance"
    if is_stub(fn):
        return not_implemented(what)
    if not callable(fn):
        return report(False, what, f"expected a function, got {type(fn).__name__}")
    predict, X, y = _importance_problem()
    X_given = X.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:  # not _call: it would pass a copy of X, and X must stay unchanged in the caller
            outcome = _Outcome(value=fn(predict, X_given, y.copy(), 30, 0))
        except Exception as error:
            outcome = _Outcome(error=error)
    if isinstance(outcome.error, NotImplementedError) or (
        outcome.error is None and _unimplemented(outcome.value)
    ):
        return not_implemented(what)
    if outcome.error is not None:
        return report(False, what, f"raised {type(outcome.error).__name__}: {outcome.error}")
    values = _as_array(outcome.value)
    if values is None or values.shape != (4,) or not np.all(np.isfinite(values)):
        shape = None if values is None else values.shape
        return report(False, what, f"expected 4 finite importances (one per feature), got shape "
                      f"{shape}.")
    if not np.array_equal(X_given, X):
        return report(False, what, "X was changed: permute a copy of X (X.copy()), so that the "
                      "caller's data stays intact.")
    from sklearn.metrics import roc_auc_score

    baseline = roc_auc_score(y, predict(X))
    reference = _permutation_importance_reference(predict, X, y, 200, 1)
    ignored = np.abs(values[[1, 3]])
    if np.allclose(values[[1, 3]], baseline, atol=1e-9):
        return report(False, what, "the values are the AUC after permuting; the importance is "
                      "the drop, AUC(original) - AUC(permuted).")
    if np.any(ignored > 1e-12):
        return report(
            False,
            what,
            f"features 1 and 3, which the model ignores, get {values[1]:.3g} and {values[3]:.3g} "
            "instead of 0. Hint: permute one column at a time, in a fresh copy of X, leaving the "
            "other columns as they were.",
        )
    if np.all(values[[0, 2]] < 0):
        return report(False, what, "the informative features get negative importance: the "
                      "importance is AUC(original) - AUC(permuted), positive when permuting hurts.")
    gap = np.abs(values - reference).max()
    if gap > 0.03:
        return report(
            False,
            what,
            f"features 0 and 2 get {values[0]:.3f} and {values[2]:.3f}, expected about "
            f"{reference[0]:.3f} and {reference[2]:.3f} (atol 0.03). Hint: for each repeat, "
            "permute the rows of one column only (rng.permutation), recompute the AUC, and "
            "average the drops.",
        )
    return report(True, f"{what}: zero for ignored features, within 0.03 of the reference for "
                  f"the others (max gap {gap:.3f})", "")
