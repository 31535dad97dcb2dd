"""The checks of notebook 09's six steps: accept the reference, reject the typical mistakes.

Every check prints one line and never raises; a stub gives "not implemented yet".
"""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

from dlcourse.data import load_breast_cancer_splits
from dlcourse.exercises import practical as pc
from dlcourse.stats import wilson_interval
from dlcourse.training import EarlyStopping, fit

STEPS = (
    "split_and_scale",
    "fit_baseline",
    "make_mlp",
    "train_mlp",
    "choose_threshold",
    "evaluate_at_threshold",
)


def line_of(check, answer, capsys):
    result = check(answer)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1, lines
    return bool(result), lines[0]


@pytest.mark.parametrize("step", STEPS)
def test_reference_passes_and_stub_is_reported(step, capsys):
    check, reference = getattr(pc, f"check_{step}"), getattr(pc, f"reference_{step}")
    assert line_of(check, reference, capsys)[0]

    def stub(*args):
        return None

    passed, line = line_of(check, stub, capsys)
    assert not passed and "not implemented yet" in line
    passed, line = line_of(check, 42, capsys)
    assert not passed and "expected a function" in line


def test_or_reference(capsys):
    def split_and_scale(X, y, seed):
        return None

    chosen = pc.or_reference(split_and_scale, pc.reference_split_and_scale)
    assert chosen is pc.reference_split_and_scale
    assert "reference_split_and_scale" in capsys.readouterr().out
    assert pc.or_reference(pc.reference_make_mlp, print) is pc.reference_make_mlp
    assert capsys.readouterr().out == ""


def test_reference_split_is_the_course_loader_split():
    splits = load_breast_cancer_splits(seed=0)
    raw = splits.raw[list(splits.feature_names)].to_numpy()
    parts = pc.reference_split_and_scale(raw, splits.raw["label"].to_numpy(), seed=0)
    assert np.allclose(parts["train"][0], splits.X_train, rtol=1e-12, atol=1e-12)
    assert np.array_equal(parts["test"][1], splits.y_test)


def _split(X, y, seed, fit_rows="train", stratify=True):
    rows = np.arange(len(y))
    rest, test = train_test_split(
        rows, test_size=0.15, stratify=y if stratify else None, random_state=seed
    )
    train, val = train_test_split(
        rest, test_size=0.15 / 0.85, stratify=y[rest] if stratify else None, random_state=seed
    )
    scaler = StandardScaler().fit(X[train] if fit_rows == "train" else X)
    return {
        p: (scaler.transform(X[r]), y[r])
        for p, r in zip(("train", "val", "test"), (train, val, test), strict=True)
    }


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda X, y, s: _split(X, y, s, fit_rows="all"), "all rows"),
        (lambda X, y, s: {p: (X[:10], y[:10]) for p in ("train", "val", "test")}, "rows"),
        (
            lambda X, y, s: {
                p: (StandardScaler().fit_transform(a), b) for p, (a, b) in _split(X, y, s).items()
            },
            "one and the same scaler",
        ),
        (lambda X, y, s: {p: (a, b[::-1]) for p, (a, b) in _split(X, y, s).items()}, "order"),
        (lambda X, y, s: (X, y), "dict"),
    ],
)
def test_split_rejects_mistakes(mistake, fragment, capsys):
    passed, line = line_of(pc.check_split_and_scale, mistake, capsys)
    assert not passed and fragment in line, line


def test_split_rejects_an_unstratified_split(capsys):
    passed, line = line_of(
        pc.check_split_and_scale, lambda X, y, s: _split(X, y, 3, stratify=False), capsys
    )
    assert not passed and "stratify" in line, line


def test_baseline_rejects_a_fixed_c_and_training_on_val(capsys):
    passed, line = line_of(
        pc.check_fit_baseline,
        lambda Xt, yt, Xv, yv: LogisticRegression(C=0.01, max_iter=5000).fit(Xt, yt),
        capsys,
    )
    assert not passed and "lowest validation log-loss" in line, line
    passed, line = line_of(
        pc.check_fit_baseline,
        lambda Xt, yt, Xv, yv: LogisticRegression(C=10.0, max_iter=5000).fit(
            np.vstack([Xt, Xv]), np.concatenate([yt, yv])
        ),
        capsys,
    )
    assert not passed and "X_train, y_train only" in line, line


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda n: nn.Sequential(nn.Linear(n, 32), nn.ReLU(), nn.Linear(32, 1)), "BatchNorm1d"),
        (lambda n: nn.Sequential(pc.reference_make_mlp(n), nn.Sigmoid()), "Sigmoid"),
        (
            lambda n: nn.Sequential(
                nn.Linear(n, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 1)
            ),
            "parameters",
        ),
    ],
)
def test_mlp_rejects_mistakes(mistake, fragment, capsys):
    passed, line = line_of(pc.check_make_mlp, mistake, capsys)
    assert not passed and fragment in line, line


def _train(model, train_loader, val_loader, max_epochs, weight_decay=1e-3, stopping=True):
    return fit(
        model,
        train_loader,
        val_loader,
        nn.BCEWithLogitsLoss(),
        torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=weight_decay),
        epochs=max_epochs,
        device="cpu",
        early_stopping=EarlyStopping(patience=20) if stopping else None,
        progress=False,
    )


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda m, t, v, e: _train(m, t, v, e, weight_decay=0.0), "weight decay"),
        (lambda m, t, v, e: _train(m, t, v, e, stopping=False), "last epoch"),
        (
            lambda m, t, v, e: fit(
                m,
                t,
                v,
                nn.BCELoss(),
                torch.optim.Adam(m.parameters(), weight_decay=1e-3),
                e,
                "cpu",
                progress=False,
            ),
            "BCE",
        ),
        (lambda m, t, v, e: _train(m, t, v, e) and None, "return"),
    ],
)
def test_train_rejects_mistakes(mistake, fragment, capsys):
    passed, line = line_of(pc.check_train_mlp, mistake, capsys)
    assert not passed and fragment.lower() in line.lower(), line


def test_threshold_rejects_the_lowest_and_strict_thresholds(capsys):
    def lowest(y, p, target):
        return float(np.min(p[y == 1]))

    passed, line = line_of(pc.check_choose_threshold, lowest, capsys)
    assert not passed and "highest" in line, line

    def strict(y, p, target):  # the right t, but the rule p > t in the student's head
        positives = np.sort(p[y == 1])[::-1]
        return float(positives[int(np.ceil(target * len(positives))) - 1]) + 1e-9

    passed, line = line_of(pc.check_choose_threshold, strict, capsys)
    assert not passed and "p >= t" in line, line


def test_evaluate_rejects_swapped_and_normal_intervals(capsys):
    def swapped(y, p, t):
        result = pc.reference_evaluate_at_threshold(y, p, t)
        result["PPV"], result["NPV"] = result["NPV"], result["PPV"]
        return result

    passed, line = line_of(pc.check_evaluate_at_threshold, swapped, capsys)
    assert not passed and "PPV" in line, line

    def wald(y, p, t):
        result = pc.reference_evaluate_at_threshold(y, p, t)
        k = int(np.sum((y == 1) & (p >= t)))
        n = int(np.sum(y == 1))
        interval = wilson_interval(k, n, confidence=0.9)
        result["sensitivity"] = interval
        return result

    passed, line = line_of(pc.check_evaluate_at_threshold, wald, capsys)
    assert not passed and "another interval" in line, line
