"""The self-check engine.

``report``, stub detection, comparisons with stated tolerances, and ``check_function``, which runs
a student's function on test cases against a reference.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "ATOL",
    "RTOL",
    "Case",
    "check_close",
    "check_function",
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
        rtol: relative tolerance of the comparison (stated in the message).
        atol: absolute tolerance of the comparison (stated in the message).
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
