"""Checks for the Breast Cancer practical (notebook 09).

The scaffolded steps: the student builds the pipeline in six steps; each step has a
reference answer ``reference_<step>`` (what the solution cell writes), a check ``check_<step>(fn)``,
and the notebook goes on with :func:`or_reference`: the student's function once written, the
reference while it is still a stub (saying so in one line), so a stuck student can go on.

=================================  ===========================================================
step                               the student writes
=================================  ===========================================================
``split_and_scale(X, y, seed)``    stratified train / val / test (70/15/15), scaler on train
``fit_baseline(Xt, yt, Xv, yv)``   logistic regression, C chosen by validation log-loss
``make_mlp(n_features)``           30 → 32 → 16 → 1 with batch norm, ReLU, dropout; logits out
``train_mlp(model, tl, vl, E)``    BCE on logits, Adam with weight decay, early stopping
``choose_threshold(y, p, s)``      the highest t whose sensitivity is at least s
``evaluate_at_threshold(y, p, t)`` sensitivity, specificity, PPV, NPV, accuracy + Wilson CI
=================================  ===========================================================

The practice exercises' checks (metrics: sensitivity and specificity, a cost-minimising threshold,
permutation importance) are in :mod:`dlcourse.exercises.metrics`.

Labels: 1 = malignant (positive), 0 = benign, as ``dlcourse.data.load_breast_cancer_splits``
returns them by default (scikit-learn's own copy codes 0 = malignant). torch, scikit-learn and scipy
are imported inside the functions that need them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from dlcourse.evaluation import confusion_counts, threshold_for_sensitivity
from dlcourse.exercises.core import (
    CheckResult,
    as_array,
    guarded,
    is_stub_code,
    not_implemented,
    report,
    run_student,
    trouble,
)
from dlcourse.stats import Interval, wilson_interval

__all__ = [
    "C_GRID",
    "RATE_NAMES",
    "TEST_SIZE",
    "VAL_SIZE",
    "check_choose_threshold",
    "check_evaluate_at_threshold",
    "check_fit_baseline",
    "check_make_mlp",
    "check_split_and_scale",
    "check_train_mlp",
    "or_reference",
    "reference_choose_threshold",
    "reference_evaluate_at_threshold",
    "reference_fit_baseline",
    "reference_make_mlp",
    "reference_split_and_scale",
    "reference_train_mlp",
]

# ===================================================================================================
# The scaffolded steps of the practical
# ===================================================================================================

#: Fractions of all tumours held out for validation and for the test.
VAL_SIZE = 0.15
TEST_SIZE = 0.15
#: The inverse L2 strengths tried for the logistic-regression baseline.
C_GRID = (0.01, 0.1, 1.0, 10.0)
#: The rates of :func:`reference_evaluate_at_threshold`, in order.
RATE_NAMES = ("sensitivity", "specificity", "PPV", "NPV", "accuracy")
_PARTS = ("train", "val", "test")


def or_reference(fn: Callable, reference: Callable) -> Callable:
    """``fn`` once the student has written it; the ``reference`` while ``fn`` is still a stub.

    The notebook writes ``split_and_scale = or_reference(split_and_scale,
    reference_split_and_scale)`` after each step, so the next cells run either way. When the
    reference is used, one line says so.
    """
    if not is_stub_code(fn):
        return fn
    name = getattr(fn, "__name__", "this step")
    print(f"… {name} is not written yet: the next cells use {reference.__name__} so you can go on")
    return reference


# ===================================================================================================
# Reference answers (what each solution cell writes)
# ===================================================================================================


def reference_split_and_scale(X, y, seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Stratified 70 / 15 / 15 split and a ``StandardScaler`` fitted on the training rows only.

    Args:
        X: features ``(n, d)``.
        y: labels ``(n,)``.
        seed: ``random_state`` of both ``train_test_split`` calls.

    Returns:
        ``{"train": (X_train, y_train), "val": (...), "test": (...)}`` with scaled features; the
        same rows as ``dlcourse.data.load_breast_cancer_splits(seed=seed)``.
    """
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    rows = np.arange(len(y))
    rest, test = train_test_split(rows, test_size=TEST_SIZE, stratify=y, random_state=seed)
    train, val = train_test_split(
        rest, test_size=VAL_SIZE / (1 - TEST_SIZE), stratify=y[rest], random_state=seed
    )
    scaler = StandardScaler().fit(X[train])
    return {
        part: (scaler.transform(X[r]), y[r])
        for part, r in zip(_PARTS, (train, val, test), strict=True)
    }


def reference_fit_baseline(X_train, y_train, X_val, y_val):
    """Logistic regression whose C (in :data:`C_GRID`) has the lowest validation log-loss."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    fitted = {C: LogisticRegression(C=C, max_iter=5000).fit(X_train, y_train) for C in C_GRID}
    losses = {C: log_loss(y_val, model.predict_proba(X_val)[:, 1]) for C, model in fitted.items()}
    return fitted[min(losses, key=losses.get)]


def reference_make_mlp(n_features: int):
    """``n_features → 32 → 16 → 1``: each hidden block Linear → BatchNorm1d → ReLU → Dropout(0.2).

    The output is one logit per tumour (no sigmoid: ``BCEWithLogitsLoss`` applies it).
    """
    from torch import nn

    return nn.Sequential(
        nn.Linear(n_features, 32),
        nn.BatchNorm1d(32),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(32, 16),
        nn.BatchNorm1d(16),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(16, 1),
    )


def reference_train_mlp(model, train_loader, val_loader, max_epochs: int):
    """Train on the CPU: BCE on logits, Adam (lr 0.01, weight decay 0.001), early stopping.

    Early stopping watches the validation loss with patience 20 and restores the best epoch's
    weights. Returns the :class:`dlcourse.training.History`.
    """
    import torch
    from torch import nn

    from dlcourse.training import EarlyStopping, fit

    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-3)
    return fit(
        model,
        train_loader,
        val_loader,
        nn.BCEWithLogitsLoss(),
        optimizer,
        epochs=max_epochs,
        device="cpu",
        early_stopping=EarlyStopping(patience=20),
        progress=False,
    )


def reference_choose_threshold(y_true, p, target_sensitivity: float) -> float:
    """The highest t with sensitivity (``p >= t`` flags malignant) at least the target."""
    return threshold_for_sensitivity(y_true, p, target_sensitivity)


def reference_evaluate_at_threshold(y_true, p, threshold: float) -> dict[str, Interval]:
    """Each rate of :data:`RATE_NAMES` as a Wilson 95 % interval of its counts.

    sensitivity TP/(TP+FN), specificity TN/(TN+FP), PPV TP/(TP+FP), NPV TN/(TN+FN),
    accuracy (TP+TN)/n, with ``p >= threshold`` called malignant.
    """
    c = confusion_counts(y_true, p, threshold)
    fractions = {
        "sensitivity": (c["TP"], c["TP"] + c["FN"]),
        "specificity": (c["TN"], c["TN"] + c["FP"]),
        "PPV": (c["TP"], c["TP"] + c["FP"]),
        "NPV": (c["TN"], c["TN"] + c["FN"]),
        "accuracy": (c["TP"] + c["TN"], sum(c.values())),
    }
    return {name: wilson_interval(k, n) for name, (k, n) in fractions.items()}


# ===================================================================================================
# Shared pieces of the checks
# ===================================================================================================


def _start(fn: object, what: str) -> CheckResult | None:
    """The result for a stub or a non-function, or None when ``fn`` can be run."""
    if is_stub_code(fn):
        return not_implemented(what)
    if not callable(fn):
        return report(False, what, f"expected a function, got {type(fn).__name__}")
    return None


def _run(fn: Callable, args: tuple, what: str, label: str, hint: str = ""):
    """Run the student's ``fn(*args)``; return ``(value, None)`` or ``(None, result to return)``."""
    outcome = run_student(fn, args)
    if outcome.not_implemented:
        return None, not_implemented(what)
    problem = trouble(outcome, label, hint)
    if problem is not None:
        return None, report(False, what, problem)
    return outcome.value, None


def _labels(n: int, share: float, rng: np.random.Generator) -> np.ndarray:
    y = np.zeros(n, dtype=np.int64)
    y[rng.choice(n, size=round(share * n), replace=False)] = 1
    return y


# ===================================================================================================
# Step 1: split and scale
# ===================================================================================================

_SPLIT = "split and scale"


def _split_problem() -> tuple[np.ndarray, np.ndarray]:
    """200 rows: column 0 is the row number (so the check can find each row), 3 other features."""
    rng = np.random.default_rng(21)
    n = 200
    X = np.column_stack(
        [np.arange(n, dtype=np.float64), rng.normal(5.0, 2.0, (n, 2)), rng.exponential(50.0, n)]
    )
    return X, _labels(n, 0.37, rng)


def _recover_rows(parts: dict, n: int) -> tuple[dict, float, float] | str:
    """The rows behind each part from the scaled row-number column, or what prevents it.

    Scaling maps row r to (r - m) / s for one (m, s) when one scaler transformed every part, so
    the pooled column is an affine image of 0..n-1: sorting it gives back m and s, then the rows.
    """
    column = np.concatenate([parts[part][0][:, 0] for part in _PARTS])
    if column.size != n:
        return f"the three parts hold {column.size} rows together, expected all {n}, once each"
    ordered = np.sort(column)
    s = (n - 1) / (ordered[-1] - ordered[0]) if ordered[-1] > ordered[0] else np.nan
    m = -ordered[0] * s
    rows = {part: (parts[part][0][:, 0] * s + m) for part in _PARTS}
    pooled = np.concatenate(list(rows.values()))
    if not np.isfinite(s) or not np.allclose(pooled, np.round(pooled), atol=1e-6):
        return (
            "the parts are not transformed by one and the same scaler: fit a StandardScaler on "
            "the training part and use it (transform) on all three parts"
        )
    found = {part: np.round(values).astype(int) for part, values in rows.items()}
    if sorted(np.concatenate(list(found.values())).tolist()) != list(range(n)):
        return f"the three parts must hold every one of the {n} rows exactly once"
    return found, m, s


def _split_verdict(value: object, X: np.ndarray, y: np.ndarray) -> tuple[bool, str]:
    if not isinstance(value, dict) or set(value) != set(_PARTS):
        return False, f"expected a dict with keys {list(_PARTS)}, got {type(value).__name__}"
    parts = {}
    for part in _PARTS:
        item = value[part]
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            return False, f'value["{part}"] must be a pair (X_{part}, y_{part})'
        features, labels = as_array(item[0]), as_array(item[1])
        if features is None or labels is None or features.ndim != 2 or features.shape[1] != 4:
            return False, f"X_{part} must be a (rows, 4) array here, one column per feature"
        if labels.shape != (len(features),):
            return False, f"y_{part} must hold one label per row of X_{part}"
        parts[part] = (features, labels)
    found = _recover_rows(parts, len(y))
    if isinstance(found, str):
        return False, found
    rows, m, s = found
    for part in _PARTS:
        if not np.array_equal(parts[part][1], y[rows[part]]):
            return False, f"y_{part} is not in the order of the rows of X_{part}"
    train = X[rows["train"], 0]
    if np.isclose(m, 0.0) and np.isclose(s, 1.0):
        return False, "the features are not scaled: fit a StandardScaler on the training part"
    if np.isclose(m, X[:, 0].mean()) and np.isclose(s, X[:, 0].std()):
        return False, (
            "the scaler was fitted on all rows: validation and test statistics leak into "
            "training. Fit it on the training part only, then transform all three parts"
        )
    if not (np.isclose(m, train.mean()) and np.isclose(s, train.std())):
        return False, "the scaling does not use the training part's mean and standard deviation"
    for part, size in (("val", VAL_SIZE), ("test", TEST_SIZE)):
        if abs(len(rows[part]) - size * len(y)) > 1:
            return False, f"the {part} part has {len(rows[part])} rows, expected {size:.0%} of all"
        expected = y.mean() * len(rows[part])
        if abs(y[rows[part]].sum() - expected) > 1:
            return False, (
                f"the {part} part has {int(y[rows[part]].sum())} positives, expected about "
                f"{expected:.0f}: stratify by the label (stratify=...)"
            )
    return True, ""


@guarded(_SPLIT)
def check_split_and_scale(fn: Callable) -> CheckResult:
    """Check ``fn(X, y, seed) -> {"train": (X, y), "val": (X, y), "test": (X, y)}``.

    On 200 rows whose first feature is the row number, the check finds which rows each part holds
    and verifies: every row once; the labels follow their rows; the validation and test parts are
    15 % each (±1 row) and stratified (±1 positive); one scaler transformed all parts with the
    *training* rows' mean and standard deviation (not all rows': that leaks).
    """
    start = _start(fn, _SPLIT)
    if start is not None:
        return start
    X, y = _split_problem()
    value, failed = _run(fn, (X, y, 0), _SPLIT, "200 rows")
    if failed is not None:
        return failed
    ok, problem = _split_verdict(value, X, y)
    if not ok:
        return report(False, _SPLIT, problem + ".")
    return report(
        True, f"{_SPLIT}: every row once, 15 % / 15 % stratified, scaler fitted on training", ""
    )


# ===================================================================================================
# Step 2: the logistic-regression baseline
# ===================================================================================================

_BASELINE = "logistic-regression baseline"


def _baseline_problem() -> tuple:
    rng = np.random.default_rng(22)
    X = rng.normal(size=(260, 5))
    logits = 1.5 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2]
    y = (rng.random(260) < 1 / (1 + np.exp(-logits))).astype(np.int64)
    return X[:200], y[:200], X[200:], y[200:]


@guarded(_BASELINE)
def check_fit_baseline(fn: Callable) -> CheckResult:
    """Check ``fn(X_train, y_train, X_val, y_val) -> fitted LogisticRegression``.

    The model must be fitted on the training rows with ``max_iter=5000`` and the C of
    :data:`C_GRID` with the lowest validation log-loss; its validation probabilities are compared
    with the reference's (atol 1e-6).
    """
    start = _start(fn, _BASELINE)
    if start is not None:
        return start
    from sklearn.metrics import log_loss

    X_train, y_train, X_val, y_val = _baseline_problem()
    model, failed = _run(fn, (X_train, y_train, X_val, y_val), _BASELINE, "a 5-feature problem")
    if failed is not None:
        return failed
    if not hasattr(model, "predict_proba"):
        return report(False, _BASELINE, "return the fitted model (it needs predict_proba).")
    reference = reference_fit_baseline(X_train, y_train, X_val, y_val)
    try:
        got = np.asarray(model.predict_proba(X_val), dtype=float)[:, 1]
    except Exception as error:  # an unfitted model, say
        return report(False, _BASELINE, f"predict_proba failed ({type(error).__name__}: {error}).")
    expected = reference.predict_proba(X_val)[:, 1]
    if np.allclose(got, expected, atol=1e-6):
        return report(True, f"{_BASELINE}: C = {reference.C} chosen, probabilities match", "")
    chosen = getattr(model, "C", None)
    if chosen != reference.C:
        losses = {
            C: round(log_loss(y_val, _validation_proba(C, X_train, y_train, X_val)), 4)
            for C in C_GRID
        }
        return report(
            False,
            _BASELINE,
            f"your model uses C = {chosen}, but the lowest validation log-loss is at "
            f"C = {reference.C} (log-losses {losses}): compare log_loss(y_val, p_val) per C.",
        )
    return report(
        False,
        _BASELINE,
        "C is right but the probabilities differ (atol 1e-6): fit on X_train, y_train only, "
        "with LogisticRegression(C=C, max_iter=5000).",
    )


def _validation_proba(C: float, X_train, y_train, X_val) -> np.ndarray:
    """Validation probabilities of a logistic regression with a given C (for the check's hint)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, max_iter=5000).fit(X_train, y_train)
    return model.predict_proba(X_val)[:, 1]


# ===================================================================================================
# Step 3: the MLP module
# ===================================================================================================

_MLP = "MLP module"


def _mlp_verdict(model: object, n_features: int) -> str | None:
    import torch
    from torch import nn

    if not isinstance(model, nn.Module):
        return f"expected an nn.Module, got {type(model).__name__}"
    kinds = {type(m) for m in model.modules()}
    if nn.BatchNorm1d not in kinds or nn.Dropout not in kinds:
        return "each hidden block needs nn.BatchNorm1d and nn.Dropout (Linear → BatchNorm → ReLU → Dropout)"
    if nn.Sigmoid in kinds:
        return "no nn.Sigmoid at the end: output the logit, BCEWithLogitsLoss applies the sigmoid"
    expected = sum(p.numel() for p in reference_make_mlp(n_features).parameters())
    count = sum(p.numel() for p in model.parameters())
    if count != expected:
        return f"{count} parameters, expected {expected} for {n_features} → 32 → 16 → 1"
    generator = torch.Generator().manual_seed(0)
    X = 3 * torch.randn(64, n_features, generator=generator)
    model.eval()
    with torch.no_grad():
        output = model(X)
    if tuple(output.shape) not in ((64, 1), (64,)):
        return f"a batch (64, {n_features}) gives shape {tuple(output.shape)}, expected (64, 1)"
    model.train()
    with torch.no_grad():
        first, second = model(X), model(X)
    if torch.equal(first, second):
        return "two forward passes in training mode give the same output: is dropout active?"
    return None


@guarded(_MLP)
def check_make_mlp(fn: Callable) -> CheckResult:
    """Check ``fn(n_features) -> nn.Module`` against ``n_features → 32 → 16 → 1``.

    Verified for 30 and 7 features: batch norm and dropout present, no final sigmoid, the
    parameter count of the reference, output ``(n, 1)``, dropout active in training mode.
    """
    start = _start(fn, _MLP)
    if start is not None:
        return start
    for n_features in (30, 7):
        model, failed = _run(fn, (n_features,), _MLP, f"n_features={n_features}")
        if failed is not None:
            return failed
        problem = _mlp_verdict(model, n_features)
        if problem is not None:
            return report(False, _MLP, f"for n_features={n_features}: {problem}.")
    return report(True, f"{_MLP}: 30 → 32 → 16 → 1 logit, batch norm and dropout", "")


# ===================================================================================================
# Step 4: the training call
# ===================================================================================================

_TRAIN = "training call"
_TRAIN_EPOCHS = 80


def _training_run(train: Callable | None) -> tuple:
    """Train a small MLP on a fixed problem with ``train`` (None: the reference).

    Returns the result, the validation BCE of the final model, and (optimizer type, largest
    weight decay) for every optimizer step taken.
    """
    import torch
    from torch import nn
    from torch.optim.optimizer import register_optimizer_step_pre_hook

    from dlcourse.training import make_loader

    rng = np.random.default_rng(23)
    X = rng.normal(size=(220, 6))
    y = (rng.random(220) < 1 / (1 + np.exp(-(2 * X[:, 0] - X[:, 1])))).astype(np.int64)
    train_loader = make_loader(X[:160], y[:160], batch_size=32, shuffle=True, seed=0)
    val_loader = make_loader(X[160:], y[160:], batch_size=64)
    seen: list = []
    handle = register_optimizer_step_pre_hook(
        lambda optimizer, args, kwargs: seen.append(
            (
                type(optimizer).__name__,
                max(g.get("weight_decay", 0.0) for g in optimizer.param_groups),
            )
        )
    )
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 1))
            trainer = reference_train_mlp if train is None else train
            result = trainer(model, train_loader, val_loader, _TRAIN_EPOCHS)
    finally:
        handle.remove()
    model.eval()
    with torch.no_grad():
        X_val = torch.tensor(X[160:], dtype=torch.float32)
        logits = model(X_val).reshape(-1)
        final = float(
            nn.functional.binary_cross_entropy_with_logits(
                logits, torch.tensor(y[160:], dtype=torch.float32)
            )
        )
    return result, final, seen


@guarded(_TRAIN)
def check_train_mlp(fn: Callable) -> CheckResult:
    """Check ``fn(model, train_loader, val_loader, max_epochs) -> History``.

    On a small fixed problem: the optimizer steps with a weight decay > 0; the history has a
    validation loss per epoch; the model returned holds the weights of the best validation epoch
    (its BCE-with-logits validation loss equals the smallest one in the history, rtol 1e-4), so
    the loss was computed on logits and early stopping restored the best weights.
    """
    start = _start(fn, _TRAIN)
    if start is not None:
        return start
    outcome = run_student(_training_run, (fn,), time_limit=30.0)
    if outcome.not_implemented:
        return not_implemented(_TRAIN)
    problem = trouble(
        outcome,
        "a small training problem",
        "Hint: nn.BCEWithLogitsLoss() takes the logits; fit(...) takes loss, optimizer, epochs, "
        "device and early_stopping.",
    )
    if problem is not None:
        return report(False, _TRAIN, problem)
    history, final_loss, seen = outcome.value
    if history is None:
        return report(
            False,
            _TRAIN,
            "your function returned None — did you forget `return`? "
            "Return the History that fit(...) gives back.",
        )
    val_loss = getattr(history, "val_loss", None)
    if not val_loss:
        return report(False, _TRAIN, "the history has no validation loss: pass val_loader to fit.")
    if not seen:
        return report(False, _TRAIN, "no optimizer step was taken: call fit(...) to train.")
    if max(decay for _, decay in seen) <= 0:
        return report(
            False,
            _TRAIN,
            f"{seen[0][0]} has no weight decay: torch.optim.Adam(..., weight_decay=1e-3).",
        )
    best = float(np.nanmin(val_loss))
    if not math.isclose(final_loss, best, rel_tol=1e-4):
        if math.isclose(final_loss, float(val_loss[-1]), rel_tol=1e-4):
            return report(
                False,
                _TRAIN,
                "the model keeps the last epoch's weights: use early_stopping="
                "EarlyStopping(patience=20), which restores the best epoch's.",
            )
        return report(
            False,
            _TRAIN,
            f"the history's best validation loss {best:.4f} is not the BCE on logits of the "
            f"returned model ({final_loss:.4f}): use loss_fn = nn.BCEWithLogitsLoss().",
        )
    return report(
        True, f"{_TRAIN}: weight decay on, best validation epoch restored (rtol 1e-4)", ""
    )


# ===================================================================================================
# Step 5: the threshold
# ===================================================================================================

_THRESHOLD = "threshold for a sensitivity target"


def _threshold_cases() -> list[tuple[str, tuple]]:
    rng = np.random.default_rng(24)
    cases = []
    for label, n, target in (
        ("200 tumours, target 0.95", 200, 0.95),
        ("120 tumours, target 0.9", 120, 0.9),
        ("60 tumours, target 1.0", 60, 1.0),
    ):
        y = _labels(n, 0.37, rng)
        p = 1 / (1 + np.exp(-(2.0 * (2 * y - 1) + rng.normal(0, 1.3, n))))
        cases.append((label, (y, np.round(p, 4), target)))
    return cases


def _step_threshold_hint(t: float, y: np.ndarray, p: np.ndarray, target: float) -> str:
    positives = np.sort(p[y == 1])
    sensitivity = float(np.mean(p[y == 1] >= t))
    if sensitivity < target:
        if np.isclose(sensitivity, float(np.mean(p[y == 1] > t))) and np.any(np.isclose(p, t)):
            return (
                f"at t = {t:.4f} the sensitivity is {sensitivity:.3f} < {target}: a tumour is "
                "called malignant when p >= t (not p > t)."
            )
        return f"at t = {t:.4f} the sensitivity is {sensitivity:.3f}, below the target {target}."
    if np.isclose(t, positives[0]) or t <= positives[0]:
        return (
            f"t = {t:.4f} reaches the target but is not the highest such threshold: many "
            "thresholds reach it; keep the highest, which flags the fewest benign tumours."
        )
    return "reaches the target but flags more benign tumours than needed: take the highest t."


@guarded(_THRESHOLD)
def check_choose_threshold(fn: Callable) -> CheckResult:
    """Check ``fn(y_true, p, target_sensitivity) -> t``: the highest t reaching the target.

    A tumour is flagged when ``p >= t``. Any t that flags exactly the tumours the reference
    threshold flags is accepted (thresholds between two scores decide alike).
    """
    start = _start(fn, _THRESHOLD)
    if start is not None:
        return start
    for label, args in _threshold_cases():
        value, failed = _run(fn, args, _THRESHOLD, label)
        if failed is not None:
            return failed
        t = None if isinstance(value, bool) else as_array(value)
        if t is None or t.shape != () or not np.isfinite(t):
            return report(False, _THRESHOLD, f"expected one number for {label}, got {value!r}.")
        y, p, target = args
        expected = reference_choose_threshold(y, p, target)
        if not np.array_equal(p >= float(t), p >= expected):
            hint = _step_threshold_hint(float(t), y, p, target)
            return report(False, _THRESHOLD, f"for {label}: {hint}")
    return report(True, f"{_THRESHOLD}: the highest t reaching the target, 3 cases", "")


# ===================================================================================================
# Step 6: the final evaluation
# ===================================================================================================

_EVALUATE = "rates with Wilson intervals"


def _evaluate_cases() -> list[tuple[str, tuple]]:
    rng = np.random.default_rng(25)
    cases = []
    for label, n, t in (("86 test tumours, t = 0.3", 86, 0.3), ("50 tumours, t = 0.6", 50, 0.6)):
        y = _labels(n, 0.37, rng)
        p = np.round(1 / (1 + np.exp(-(1.5 * (2 * y - 1) + rng.normal(0, 1.2, n)))), 4)
        cases.append((label, (y, p, t)))
    return cases


def _interval_problem(name: str, got: object, expected: Interval) -> str | None:
    values = [getattr(got, key, None) for key in ("estimate", "low", "high")]
    if any(v is None for v in values):
        return f'"{name}" must be an Interval: wilson_interval(successes, n)'
    if np.isclose(values[0], expected.estimate, atol=1e-9):
        if not np.allclose(values[1:], [expected.low, expected.high], atol=1e-9):
            return f'"{name}" has the right rate but another interval: use wilson_interval(k, n)'
        return None
    return f'"{name}" is {values[0]:.4f}, expected {expected.estimate:.4f}'


@guarded(_EVALUATE)
def check_evaluate_at_threshold(fn: Callable) -> CheckResult:
    """Check ``fn(y_true, p, threshold) -> {rate: Interval}`` for the rates of :data:`RATE_NAMES`.

    Each rate is compared with the reference's Wilson 95 % interval of its counts (atol 1e-9).
    """
    start = _start(fn, _EVALUATE)
    if start is not None:
        return start
    hints = {
        "sensitivity": "TP / (TP + FN), over the truly malignant tumours",
        "specificity": "TN / (TN + FP), over the truly benign tumours",
        "PPV": "TP / (TP + FP), over the tumours flagged malignant",
        "NPV": "TN / (TN + FN), over the tumours called benign",
        "accuracy": "(TP + TN) / n",
    }
    for label, args in _evaluate_cases():
        value, failed = _run(fn, args, _EVALUATE, label)
        if failed is not None:
            return failed
        if not isinstance(value, dict) or set(value) != set(RATE_NAMES):
            return report(
                False, _EVALUATE, f"expected a dict with keys {list(RATE_NAMES)} for {label}."
            )
        expected = reference_evaluate_at_threshold(*args)
        for name in RATE_NAMES:
            problem = _interval_problem(name, value[name], expected[name])
            if problem is not None:
                return report(
                    False, _EVALUATE, f"for {label}: {problem} ({hints[name]}; p >= t flags)."
                )
    return report(True, f"{_EVALUATE}: 5 rates and intervals match (atol 1e-9)", "")
