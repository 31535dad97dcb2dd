"""The self-check engine: run a student's answer safely, compare it, and say what is off.

A check returns a :class:`CheckResult`. It prints its one line (``✓``, ``✗`` with a hint, or ``…``
for a stub) when it runs and displays *nothing* in Jupyter, so a notebook shows the line exactly
once whether the call is a cell's last expression, inside ``assert check_x(f)`` or followed by more
code; the result is truthy only when the answer passed.

Every call of the student's code goes through :func:`run_student`, which

* passes fresh deep copies of the arguments (a list ``.pop()`` or ``x += 1`` cannot damage the test
  cases) and reports an argument that the student's code changed in place;
* stops the code after a time limit (:data:`TIME_LIMIT_S` per case): ``SIGALRM`` on the main thread,
  where Jupyter kernels and pytest (xdist workers too) run code, because it interrupts a Python
  loop where it is and leaves no thread behind; a watchdog thread elsewhere (Windows, or a check
  called from a thread), which stops the student's thread with an asynchronous exception;
* catches every exception, ``sys.exit()`` included, and records numerical warnings.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import ctypes
import dis
import functools
import inspect
import signal
import sys
import textwrap
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "ATOL",
    "RTOL",
    "TIME_LIMIT_S",
    "Case",
    "CheckResult",
    "Outcome",
    "as_array",
    "check_close",
    "check_function",
    "compare",
    "forgot_return",
    "guarded",
    "is_stub",
    "is_stub_code",
    "not_implemented",
    "read_only",
    "report",
    "run_student",
    "trouble",
]

#: Default tolerances: a value passes when ``|got - expected| <= ATOL + RTOL * |expected|``.
RTOL = 1e-6
ATOL = 1e-8
#: Seconds one case of the student's code may run before it is stopped.
TIME_LIMIT_S = 10.0

# ===================================================================================================
# The result of a check
# ===================================================================================================


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a check: ``status`` and the ``message`` line printed when the check ran.

    ``bool(result)`` is True only when the answer passed, so ``assert check_x(f)`` works; in
    IPython and Jupyter the object displays nothing (the line is already printed once).
    """

    status: str  # "passed", "failed" or "not implemented"
    message: str

    @property
    def passed(self) -> bool:
        """True when every test case passed."""
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.message

    def _ipython_display_(self) -> None:
        """Display nothing: the message was printed when the check ran."""


def _announce(status: str, message: str) -> CheckResult:
    print(message, flush=True)
    return CheckResult(status, message)


def report(ok: bool, what: str, hint: str) -> CheckResult:
    """Print ``✓ <what>`` or ``✗ <what>: <hint>`` and return the result."""
    if ok:
        return _announce("passed", f"✓ {what}")
    return _announce("failed", f"✗ {what}: {hint}")


def not_implemented(what: str) -> CheckResult:
    """Print ``… <what>: not implemented yet`` and return a falsy result."""
    return _announce("not implemented", f"… {what}: not implemented yet")


def guarded(what: str) -> Callable[[Callable[..., CheckResult]], Callable[..., CheckResult]]:
    """Decorate a check so that an unexpected error inside it becomes a ✗ line about ``what``."""

    def decorate(check: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
        @functools.wraps(check)
        def run(*args: object, **kwargs: object) -> CheckResult:
            try:
                return check(*args, **kwargs)
            except Exception as error:  # a check must never raise, whatever the answer is
                return report(False, what, f"the check failed ({type(error).__name__}: {error})")

        return run

    return decorate


# ===================================================================================================
# Stubs
# ===================================================================================================


def is_stub(answer: object) -> bool:
    """True for the placeholders an exercise stub leaves: ``None`` or ``...`` (Ellipsis)."""
    return answer is None or answer is Ellipsis


def _unimplemented(value: object) -> bool:
    """A stub's value: ``None``, ``...``, or a tuple of them (``return None, None``)."""
    if isinstance(value, (tuple, list)) and value:
        return all(is_stub(item) for item in value)
    return is_stub(value)


# Bytecode of a body that only returns a constant (docstrings and comments leave no instruction).
_CONSTANT_BODY = frozenset(
    {"RESUME", "NOP", "CACHE", "EXTENDED_ARG", "LOAD_CONST", "RETURN_CONST", "RETURN_VALUE"}
)


def _returns_stub_constant(function: object) -> bool:
    try:
        instructions = list(dis.get_instructions(function))
    except TypeError:  # a builtin, a partial, a callable object: not a stub
        return False
    constants = [i.argval for i in instructions if i.opname in ("LOAD_CONST", "RETURN_CONST")]
    return (
        all(i.opname in _CONSTANT_BODY for i in instructions)
        and bool(constants)
        and all(_unimplemented(value) for value in constants)
    )


def is_stub_code(answer: object) -> bool:
    """True for an untouched stub, which the checks report as "not implemented yet".

    A stub is ``None``/``...``, a function whose body only returns ``None``, ``...`` or a tuple of
    them (``pass``, ``return None``), or a class whose methods all are such.

    A function that computes something and returns ``None`` is not a stub: that is a forgotten
    ``return``, which the checks report as such. (``raise NotImplementedError`` is detected when
    the stub is called.)
    """
    if is_stub(answer):
        return True
    if isinstance(answer, type):
        methods = [m for m in vars(answer).values() if inspect.isfunction(m)]
        return bool(methods) and all(_returns_stub_constant(m) for m in methods)
    return inspect.isfunction(answer) and _returns_stub_constant(answer)


# ===================================================================================================
# Comparisons
# ===================================================================================================


def _tolerance(rtol: float, atol: float) -> str:
    return f"rtol={rtol:g}, atol={atol:g}"


def _is_tensor(value: object) -> bool:
    torch = sys.modules.get("torch")  # never import torch just to ask
    return torch is not None and isinstance(value, torch.Tensor)


def as_array(value: object) -> np.ndarray | None:
    """``value`` as a float64 array (a torch tensor via ``.detach().cpu().numpy()``), or None."""
    if _is_tensor(value):
        value = value.detach().cpu().numpy()
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
    values = as_array(got)
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


def _same_output(got: object, wrong: object, rtol: float, atol: float) -> bool:
    """Whether ``got`` equals a known mistake's output (nan and inf included, in the same places)."""
    if isinstance(wrong, tuple):
        return (
            isinstance(got, (tuple, list))
            and len(got) == len(wrong)
            and all(_same_output(g, w, rtol, atol) for g, w in zip(got, wrong, strict=True))
        )
    a, b = as_array(got), as_array(wrong)
    return (
        a is not None
        and b is not None
        and a.shape == b.shape
        and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
    )


def check_close(
    answer: object,
    expected: object,
    what: str,
    hint: str = "",
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> CheckResult:
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


# ===================================================================================================
# Running the student's code
# ===================================================================================================


def read_only(value: object) -> object:
    """``value`` with every NumPy array inside it (tuples, lists) made read-only; returns it."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, (tuple, list)):
        for item in value:
            read_only(item)
    return value


@dataclass(frozen=True)
class Case:
    """One test input of a function check: a label for messages and the positional arguments.

    The arrays in ``args`` are made read-only: the code under test only ever sees copies.
    """

    label: str
    args: tuple = field(default_factory=tuple)

    def __post_init__(self) -> None:
        read_only(self.args)


def _fresh_copy(value: object, pairs: list | None = None) -> object:
    """A deep copy with writeable arrays; appends each (original, copy) array or tensor to pairs."""
    if type(value) in (tuple, list):
        return type(value)(_fresh_copy(item, pairs) for item in value)
    if isinstance(value, np.ndarray):
        fresh = value.copy()
    elif _is_tensor(value):
        fresh = value.detach().clone()
    else:
        return copy.deepcopy(value)
    if pairs is not None:
        pairs.append((value, fresh))
    return fresh


def _unchanged(original: object, fresh: object) -> bool:
    """Whether an argument's copy still equals the original after the call.

    Floats may differ by rounding (``x[i] += eps`` then ``x[i] -= eps`` restores ``x`` only to
    rounding): rtol 1e-12, atol 1e-15; anything else must be equal.
    """
    if _is_tensor(original):
        original, fresh = original.detach().cpu().numpy(), fresh.detach().cpu().numpy()
    if original.shape != fresh.shape:
        return False
    if np.issubdtype(original.dtype, np.inexact) and fresh.dtype == original.dtype:
        return bool(np.allclose(fresh, original, rtol=1e-12, atol=1e-15, equal_nan=True))
    return bool(np.array_equal(original, fresh))


def _parameter_name(fn: Callable, index: int) -> str:
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return positional[index].name if index < len(positional) else f"argument {index + 1}"


class _TimeLimitReached(BaseException):
    """Raised inside the student's code after its time limit.

    A BaseException, so that an ``except Exception`` in the student's code does not swallow it.
    """


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise :class:`_TimeLimitReached` in this (main) thread after ``seconds``."""

    def stop(signum: int, frame: object) -> None:
        raise _TimeLimitReached

    previous_handler = signal.signal(signal.SIGALRM, stop)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:  # someone else's timer (pytest-timeout, say) keeps running
            left = max(previous_delay - (time.monotonic() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, previous_interval)


def _in_watched_thread(call: Callable[[], object], seconds: float) -> object:
    """``call()`` in a daemon thread; stop it with an asynchronous exception after ``seconds``."""
    done: dict[str, object] = {}

    def target() -> None:
        try:
            done["value"] = call()
        except BaseException as error:  # handed to the caller below
            done["error"] = error

    worker = threading.Thread(target=target, name="dlcourse-check", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(worker.ident), ctypes.py_object(_TimeLimitReached)
        )
        raise _TimeLimitReached
    if "error" in done:
        raise done["error"]  # type: ignore[misc]
    return done.get("value")


def _with_time_limit(call: Callable[[], object], seconds: float) -> object:
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        with _alarm(seconds):
            return call()
    return _in_watched_thread(call, seconds)


@dataclass(frozen=True)
class Outcome:
    """What one call of the student's code gave.

    ``error`` is the exception raised (``SystemExit`` included, or the time limit's), ``warning``
    the first numerical RuntimeWarning, ``changed`` the name of an argument changed in place.
    """

    value: object = None
    error: BaseException | None = None
    warning: str | None = None
    changed: str | None = None
    seconds: float = 0.0

    @property
    def not_implemented(self) -> bool:
        """The code raised NotImplementedError (a stub)."""
        return isinstance(self.error, NotImplementedError)


def run_student(fn: Callable, args: tuple, time_limit: float | None = None) -> Outcome:
    """Call ``fn`` on fresh copies of ``args`` with a time limit; never raises (but Ctrl-C).

    Numerical warnings are switched on (a notebook may have silenced them) and recorded.
    """
    seconds = TIME_LIMIT_S if time_limit is None else time_limit
    pairs: list[list] = [[] for _ in args]  # per argument: its (original, copy) arrays
    copies = [_fresh_copy(arg, found) for arg, found in zip(args, pairs, strict=True)]

    def call() -> object:
        with np.errstate(over="warn", invalid="warn", divide="warn"):
            return fn(*copies)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = _with_time_limit(call, seconds)
        except (Exception, SystemExit, _TimeLimitReached) as error:
            return Outcome(error=error, seconds=seconds)
    numeric = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    changed = next(
        (
            _parameter_name(fn, index)
            for index, found in enumerate(pairs)
            if not all(_unchanged(original, fresh) for original, fresh in found)
        ),
        None,
    )
    return Outcome(
        value=value,
        warning=str(numeric[0].message) if numeric else None,
        changed=changed,
        seconds=seconds,
    )


def forgot_return(label: str, name: str = "your function") -> str:
    """The message for code that computed something but returned None."""
    return f"{name} returned None for {label} — did you forget `return`?"


def trouble(outcome: Outcome, label: str, hint: str = "") -> str | None:
    """Why a call of the student's code cannot be judged on its values, or None.

    In order: the time limit, ``sys.exit()``, an exception (followed by ``hint``), a returned
    ``None`` (a forgotten ``return``), an argument changed in place.
    """
    error = outcome.error
    if isinstance(error, _TimeLimitReached):
        return (
            f"stopped after {outcome.seconds:g} s for {label}: look for a loop that never ends "
            "(or one that is far too slow)."
        )
    if isinstance(error, SystemExit):
        return (
            f"your code called sys.exit() for {label}: a function should return its result, not "
            "end the program."
        )
    if error is not None:
        return f"raised {type(error).__name__}: {error} for {label}. {hint}".strip()
    if outcome.value is None:
        return forgot_return(label)
    if outcome.changed is not None:
        name = outcome.changed
        return (
            f"your function changed its argument `{name}` in place for {label}: the caller's "
            f"data must stay intact, so build a new array ({name} - m, not {name} -= m) or work "
            "on a copy."
        )
    return None


def _mistake_output(fn: Callable, args: tuple) -> tuple[object, bool]:
    """A known mistake's output (None if it raises) and whether it warned numerically."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", invalid="warn", divide="warn"):
            try:
                value = fn(*_fresh_copy(args))
            except Exception:
                value = None
    return value, any(issubclass(w.category, RuntimeWarning) for w in caught)


def _uses_python_loop(fn: Callable) -> bool:
    """Whether ``fn``'s source has a ``for``/``while`` loop or a comprehension (False if unknown)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):  # no source (a builtin), or a lambda mid-expression
        return False
    loops = (ast.For, ast.AsyncFor, ast.While, ast.comprehension)
    return any(isinstance(node, loops) for node in ast.walk(tree))


@dataclass(frozen=True)
class _Exercise:
    """Everything :func:`check_function` needs to judge one case."""

    what: str
    reference: Callable
    hint: str
    mistakes: Sequence[tuple[Callable, str]]
    rtol: float
    atol: float
    names: Sequence[str] | None
    output_problem: Callable[[object], str | None] | None
    time_limit: float | None

    def judge(self, fn: Callable, case: Case) -> CheckResult | None:
        """The failing result of ``fn`` on ``case``, or None when the case passes."""
        outcome = run_student(fn, case.args, self.time_limit)
        if outcome.not_implemented:
            return not_implemented(self.what)
        problem = trouble(outcome, case.label, self.hint)
        if problem is None and self.output_problem is not None:
            problem = self.output_problem(outcome.value)
        if problem is not None:
            return report(False, self.what, problem)
        if outcome.warning is not None:
            known = self.known_mistake(outcome.value, case, warned=True)
            unstable = f"the computation is not numerically stable there. {self.hint}"
            return report(
                False,
                self.what,
                f"numerical warning for {case.label} ('{outcome.warning}'): {known or unstable}",
            )
        expected = self.reference(*_fresh_copy(case.args))
        problem = compare(outcome.value, expected, rtol=self.rtol, atol=self.atol, names=self.names)
        if problem is None:
            return None
        known = self.known_mistake(outcome.value, case, warned=False)
        if known is not None:
            return report(False, self.what, f"wrong result for {case.label}. {known}")
        tolerance = _tolerance(self.rtol, self.atol)
        return report(False, self.what, f"for {case.label}: {problem} ({tolerance}). {self.hint}")

    def known_mistake(self, got: object, case: Case, warned: bool) -> str | None:
        """The hint of the first known mistake that explains ``got``, or None.

        The mistake must give the same output (nan and inf included) and warn numerically exactly
        when the student's code did: a stable formula that agrees by chance does not count.
        """
        for mistake, mistake_hint in self.mistakes:
            wrong, mistake_warned = _mistake_output(mistake, case.args)
            same = wrong is not None and _same_output(got, wrong, self.rtol, self.atol)
            if same and mistake_warned == warned:
                return mistake_hint
        return None


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
    no_loop: str | None = None,
    output_problem: Callable[[object], str | None] | None = None,
    time_limit: float | None = None,
) -> CheckResult:
    """Check a student's function against ``reference`` on every case; never raises.

    For each case, ``fn`` runs on fresh copies of ``case.args`` (see :func:`run_student`) and must
    finish in time without an exception, a numerical RuntimeWarning, a returned ``None`` or a
    changed argument, and :func:`compare` equal to ``reference`` on other copies. The first failing
    case is reported; when the wrong output equals a known mistake's (``mistake(*case.args)``,
    nan and inf included), that mistake's hint replaces the generic ``hint``.

    Args:
        fn: the student's function (a stub gives "not implemented yet").
        what: the exercise's name, shown in every message, e.g. ``"sigmoid"``.
        cases: inputs to try, in order; put an ordinary one first.
        reference: the correct function, from :mod:`dlcourse.scratch`.
        hint: what to revisit when no known mistake explains the output.
        mistakes: ``(wrong_function, hint)`` pairs describing typical errors, tried in order.
        rtol: relative tolerance of the comparison (stated in the message).
        atol: absolute tolerance of the comparison (stated in the message).
        names: labels of the outputs when the function returns a tuple.
        no_loop: when the prompt forbids Python loops, the hint shown if ``fn``'s source has one.
        output_problem: a test of the output's type that the values cannot show (say, "a tensor"),
            returning a message or None.
        time_limit: seconds per case (default :data:`TIME_LIMIT_S`).

    Returns:
        The :class:`CheckResult`, truthy when every case passes.
    """
    exercise = _Exercise(
        what, reference, hint, mistakes, rtol, atol, names, output_problem, time_limit
    )
    try:
        if is_stub_code(fn):
            return not_implemented(what)
        if not callable(fn):
            return report(False, what, f"expected a function, got {type(fn).__name__}")
        for case in cases:
            failure = exercise.judge(fn, case)
            if failure is not None:
                return failure
        if no_loop is not None and _uses_python_loop(fn):
            return report(
                False, what, f"the values are right, but the exercise asks for no loop. {no_loop}"
            )
    except Exception as error:  # a check must never raise, whatever the answer is
        return report(False, what, f"the check failed ({type(error).__name__}: {error})")
    plural = "s" if len(cases) != 1 else ""
    tolerance = _tolerance(rtol, atol)
    return report(True, f"{what}: correct on {len(cases)} test case{plural} ({tolerance})", "")
