"""Input validation shared by every module of dlcourse (the `require_…` verbs).

Every message has the form "<what>: expected <expected>, got <received>", so a student reading the
traceback sees both sides of the mismatch without opening the source. Class names in messages are
qualified (``type_name``): "expected a torch.nn.Sequential, got dlcourse.scratch.Sequential".
"""

from __future__ import annotations

import sys
from numbers import Integral, Real

import numpy as np

# dtype kinds that convert to float64 without losing information: bool, signed, unsigned, float,
# and object (a list of Python numbers); complex, strings, dates and raw bytes do not.
_REAL_KINDS = "biufO"


def fail(what: str, expected: str, received: object) -> ValueError:
    """Build the package's standard ValueError (returned, so callers write ``raise fail(...)``)."""
    return ValueError(f"{what}: expected {expected}, got {received}")


def type_name(value: object) -> str:
    """The qualified name of ``value``'s type, as users import it.

    ``dlcourse.scratch.Sequential`` rather than ``dlcourse.scratch.network.Sequential``, and
    ``torch.nn.Sequential`` rather than ``torch.nn.modules.container.Sequential``: the shortest
    already-imported module path that exports the class. Builtins keep their bare name (``list``).
    """
    cls = value if isinstance(value, type) else type(value)
    module = cls.__module__
    if module == "builtins":
        return cls.__qualname__
    parts = module.split(".")
    for end in range(1, len(parts) + 1):
        prefix = ".".join(parts[:end])
        if getattr(sys.modules.get(prefix), cls.__name__, None) is cls:
            return f"{prefix}.{cls.__qualname__}"
    return f"{module}.{cls.__qualname__}"


def as_float_array(what: str, x: object) -> np.ndarray:
    """``x`` as a float64 array; no copy when it already is one. Complex or text input is refused."""
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        return x
    try:
        raw = np.asarray(x)
        if raw.dtype.kind not in _REAL_KINDS:
            raise TypeError
        arr = raw.astype(np.float64, copy=False)
    except (TypeError, ValueError):
        received = type_name(x) if not isinstance(x, np.ndarray) else f"dtype {x.dtype}"
        raise fail(what, "an array of real numbers", received) from None
    return arr


def require_2d(what: str, x: np.ndarray, name: str, columns: int | None = None) -> None:
    """Require ``x`` of shape (batch, columns) with batch >= 1."""
    if x.ndim != 2 or x.shape[0] == 0 or (columns is not None and x.shape[1] != columns):
        cols = "n" if columns is None else str(columns)
        raise fail(what, f"{name} of shape (batch, {cols})", tuple(x.shape))


def require_same_shape(what: str, got: np.ndarray, expected_shape: tuple, name: str) -> None:
    if got.shape != expected_shape:
        raise fail(what, f"{name} of shape {tuple(expected_shape)}", tuple(got.shape))


def require_int(what: str, value: object, minimum: int, maximum: int | None = None) -> int:
    """An integer in [minimum, maximum] (bools are rejected although Python counts them as ints)."""
    expected = (
        f"an integer >= {minimum}" if maximum is None else f"an integer in [{minimum}, {maximum}]"
    )
    if (
        isinstance(value, bool)
        or not isinstance(value, Integral)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        raise fail(what, expected, repr(value))
    return int(value)


def require_positive_int(what: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise fail(what, "a positive integer", repr(value))
    return int(value)


def require_ints(what: str, values: object, minimum: int, min_length: int, example: str) -> list:
    """A list of at least ``min_length`` integers, each >= ``minimum``; ``example`` shows one."""
    expected = f"a list of at least {min_length} integers >= {minimum}, e.g. {example}"
    try:
        items = None if isinstance(values, (str, bytes)) else list(values)
    except TypeError:
        items = None
    if (
        items is None
        or len(items) < min_length
        or any(isinstance(v, bool) or not isinstance(v, Integral) or v < minimum for v in items)
    ):
        raise fail(what, expected, repr(values))
    return [int(v) for v in items]


def require_real(what: str, value: object, low: float, high: float, interval: str) -> float:
    """Require a finite real number in an interval; ``interval`` is how the message writes it.

    NumPy scalars (``np.float32(1e-5)``) count as real numbers; bools, complex numbers, NaN and
    ±inf do not.
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise fail(what, f"a number in {interval}", repr(value))
    value = float(value)
    closed_low, closed_high = interval[0] == "[", interval[-1] == "]"
    below = value < low if closed_low else value <= low
    above = value > high if closed_high else value >= high
    if below or above:
        raise fail(what, f"a number in {interval}", value)
    return value


def require_in_unit_interval(what: str, x: np.ndarray, name: str) -> None:
    """Require every entry of ``x`` in [0, 1] (probabilities, binary or soft labels)."""
    outside = ~((x >= 0) & (x <= 1))
    if outside.any():
        raise fail(what, f"{name} in [0, 1]", f"value {x[outside][0]}")


def require_callable(what: str, value: object, expected: str) -> None:
    if not callable(value):
        raise fail(what, expected, type_name(value))


def require_instance(what: str, value: object, cls: type | tuple, expected: str) -> None:
    if not isinstance(value, cls):
        raise fail(what, expected, type_name(value))


def global_rng() -> np.random.Generator:
    """A Generator seeded from NumPy's global state, so ``seed_everything`` (np.random.seed) fixes it.

    Drawing the seed advances the global state, as building a torch layer advances torch's.
    """
    return np.random.default_rng(np.random.randint(2**63, dtype=np.int64))  # noqa: NPY002


def as_rng(what: str, rng: object) -> np.random.Generator:
    """A Generator from None (follows the global seed), an int seed or a Generator (shared)."""
    if rng is None:
        return global_rng()
    if isinstance(rng, Integral) and not isinstance(rng, bool):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise fail(what, "rng as None, an int seed or a numpy.random.Generator", type_name(rng))
