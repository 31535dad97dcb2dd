"""Input validation shared by every module of dlcourse (the `require_…` verbs).

Every message has the form "<what>: expected <expected>, got <received>", so a student reading the
traceback sees both sides of the mismatch without opening the source.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np


def fail(what: str, expected: str, received: object) -> ValueError:
    """Build the engine's standard ValueError (returned, so callers write ``raise fail(...)``)."""
    return ValueError(f"{what}: expected {expected}, got {received}")


def as_float_array(what: str, x: object) -> np.ndarray:
    """``x`` as a float64 array; no copy when it already is one."""
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        return x
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise fail(what, "an array of numbers", type(x).__name__) from None
    return arr


def require_2d(what: str, x: np.ndarray, name: str, columns: int | None = None) -> None:
    """Require ``x`` of shape (batch, columns) with batch >= 1."""
    if x.ndim != 2 or x.shape[0] == 0 or (columns is not None and x.shape[1] != columns):
        cols = "n" if columns is None else str(columns)
        raise fail(what, f"{name} of shape (batch, {cols})", tuple(x.shape))


def require_same_shape(what: str, got: np.ndarray, expected_shape: tuple, name: str) -> None:
    if got.shape != expected_shape:
        raise fail(what, f"{name} of shape {tuple(expected_shape)}", tuple(got.shape))


def require_int(what: str, value: object, minimum: int) -> int:
    """An integer >= ``minimum`` (bools are rejected although Python counts them as ints)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise fail(what, f"an integer >= {minimum}", repr(value))
    return int(value)


def require_positive_int(what: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise fail(what, "a positive integer", repr(value))
    return int(value)


def require_real(what: str, value: object, low: float, high: float, interval: str) -> float:
    """Require a real number in an interval; ``interval`` is how the message writes it."""
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise fail(what, f"a number in {interval}", repr(value))
    value = float(value)
    closed_low, closed_high = interval[0] == "[", interval[-1] == "]"
    below = value < low if closed_low else value <= low
    above = value > high if closed_high else value >= high
    if below or above:
        raise fail(what, f"a number in {interval}", value)
    return value


def as_rng(what: str, rng: object) -> np.random.Generator:
    """A Generator from None (fresh entropy), an int seed or an existing Generator (shared)."""
    if rng is None or (isinstance(rng, Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise fail(what, "rng as None, an int seed or a numpy.random.Generator", type(rng).__name__)
