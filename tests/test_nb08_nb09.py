"""The self-checks of notebooks 08 (PyTorch essentials) and 09 (Breast Cancer practical).

Each check must accept a correct solution, reject the typical mistakes with a specific hint (never
the answer), report a stub as "not implemented yet", and never raise.
"""

import copy

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score
from torch.utils.data import Dataset

from dlcourse.data import one_hot_dna
from dlcourse.exercises import nb08_09 as ex


def run(check, answer, capsys):
    """Call a check; return its result and the single line it printed."""
    result = check(answer)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1, lines
    return result, lines[0]


def assert_passes(check, answer, capsys):
    result, line = run(check, answer, capsys)
    assert result is True and line.startswith("✓"), line


def assert_fails(check, answer, capsys, *fragments):
    result, line = run(check, answer, capsys)
    assert result is False and line.startswith("✗"), line
    for fragment in fragments:
        assert fragment in line, line
    return line


def assert_stub(check, answer, capsys):
    result, line = run(check, answer, capsys)
    assert result is False and line.startswith("…") and "not implemented yet" in line, line


# ------------------------------------------------------------------------------------------------
# 08, exercise 1: standardise genes
# ------------------------------------------------------------------------------------------------


def standardise_genes(X):
    return (X - X.mean(dim=0)) / X.std(dim=0, correction=0)


def test_standardise_accepts_the_solution(capsys):
    assert_passes(ex.check_standardise_genes, standardise_genes, capsys)


def test_standardise_solution_matches_sklearn():
    from sklearn.preprocessing import StandardScaler

    X = torch.from_numpy(np.random.default_rng(0).normal(3.0, 2.0, size=(20, 5)))
    expected = StandardScaler().fit_transform(X.numpy())
    assert np.allclose(standardise_genes(X).numpy(), expected, rtol=1e-12, atol=1e-12)


def unbiased(X):
    return (X - X.mean(dim=0)) / X.std(dim=0)


def per_sample(X):
    return (X - X.mean(dim=1, keepdim=True)) / X.std(dim=1, keepdim=True, correction=0)


def centred_only(X):
    return X - X.mean(dim=0)


def in_place(X):
    X -= X.mean(dim=0)
    X /= X.std(dim=0, correction=0)
    return X


def as_numpy(X):
    return standardise_genes(X).numpy()


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (unbiased, "population"),
        (per_sample, "dim=0"),
        (centred_only, "not scaled"),
        (in_place, "in place"),
        (as_numpy, "torch tensor"),
        (lambda X: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_standardise_rejects_mistakes(mistake, fragment, capsys):
    assert_fails(ex.check_standardise_genes, mistake, capsys, fragment)


def test_standardise_stub(capsys):
    def stub(X):
        return None

    assert_stub(ex.check_standardise_genes, stub, capsys)
    assert_stub(ex.check_standardise_genes, None, capsys)
    assert_fails(ex.check_standardise_genes, 42, capsys, "expected a function")


# ------------------------------------------------------------------------------------------------
# 08, exercise 2: a Dataset of one-hot DNA
# ------------------------------------------------------------------------------------------------


class DNADataset(Dataset):
    def __init__(self, sequences, labels):
        self.X = torch.as_tensor(one_hot_dna(sequences), dtype=torch.float32)
        self.y = torch.as_tensor(labels, dtype=torch.float32)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


class ChannelsFirst(DNADataset):
    def __getitem__(self, i):
        return self.X[i].T, self.y[i]


class IntegerLabels(DNADataset):
    def __getitem__(self, i):
        return self.X[i], self.y[i].long()


class Float64Inputs(DNADataset):
    def __getitem__(self, i):
        return self.X[i].double(), self.y[i]


class WrongLength(DNADataset):
    def __len__(self):
        return 3


class OnlyX(DNADataset):
    def __getitem__(self, i):
        return self.X[i]


class WrongEncoding(DNADataset):
    def __getitem__(self, i):
        return self.X[i].flip(1), self.y[i]


class StubDataset(Dataset):
    def __init__(self, sequences, labels):
        pass

    def __len__(self):
        return None

    def __getitem__(self, i):
        return None


class Broken(DNADataset):
    def __init__(self, sequences, labels):
        raise KeyError("oops")


def test_dna_dataset_accepts_the_solution(capsys):
    assert_passes(ex.check_dna_dataset, DNADataset, capsys)


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (ChannelsFirst, "channels first"),
        (IntegerLabels, "float32"),
        (Float64Inputs, "float32"),
        (WrongLength, "len(dataset)"),
        (OnlyX, "pair"),
        (WrongEncoding, "A, C, G, T"),
        (Broken, "KeyError"),
    ],
)
def test_dna_dataset_rejects_mistakes(mistake, fragment, capsys):
    assert_fails(ex.check_dna_dataset, mistake, capsys, fragment)


def test_dna_dataset_stub(capsys):
    assert_stub(ex.check_dna_dataset, StubDataset, capsys)
    assert_stub(ex.check_dna_dataset, None, capsys)
    assert_fails(ex.check_dna_dataset, DNADataset(["ACGT"], [1]), capsys, "expected a class")


# ------------------------------------------------------------------------------------------------
# 08, exercise 3: early stopping by hand
# ------------------------------------------------------------------------------------------------


def make_early_stopping(
    *,
    eval_mode=True,
    deep_copy=True,
    restore=True,
    weighted=True,
    patience_offset=0,
    zero_grad=True,
    one_based=False,
):
    """The solution, or one of its typical mistakes."""

    def fit_early_stopping(
        model, train_loader, val_loader, loss_fn, optimizer, max_epochs, patience, device
    ):
        best_loss, best_epoch, best_state, waited = float("inf"), None, None, 0
        for epoch in range(max_epochs):
            model.train()
            for X, y in train_loader:
                X, y = X.to(device), y.to(device)
                if zero_grad:
                    optimizer.zero_grad()
                loss_fn(model(X), y).backward()
                optimizer.step()
            if eval_mode:
                model.eval()
            losses, sizes = [], []
            with torch.no_grad():
                for X, y in val_loader:
                    losses.append(loss_fn(model(X.to(device)), y.to(device)).item())
                    sizes.append(len(X))
            val_loss = np.average(losses, weights=sizes if weighted else None)
            if val_loss < best_loss:
                best_loss, best_epoch, waited = val_loss, epoch, 0
                best_state = copy.deepcopy(model.state_dict()) if deep_copy else model.state_dict()
            else:
                waited += 1
                if waited >= patience + patience_offset:
                    break
        if restore:
            model.load_state_dict(best_state)
        return best_epoch + int(one_based)

    return fit_early_stopping


def test_early_stopping_accepts_the_solution(capsys):
    assert_passes(ex.check_fit_early_stopping, make_early_stopping(), capsys)


def test_early_stopping_problem_stops_early_after_a_best_epoch_that_is_not_the_first():
    best, _, epochs_run = ex._early_stopping_run(None)
    assert 0 < best and best + ex._EARLY_STOPPING_PATIENCE + 1 == epochs_run
    assert epochs_run < ex._EARLY_STOPPING_MAX_EPOCHS


def test_early_stopping_check_leaves_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ex._early_stopping_run(None)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"deep_copy": False}, "deep copy"),
        ({"restore": False}, "last epoch's weights"),
        ({"one_based": True}, "0-based"),
        ({"patience_offset": -1}, "ran 9 epochs instead of 10"),
        ({"patience_offset": 1}, "ran 11 epochs instead of 10"),
        ({"eval_mode": False}, "eval mode"),
        ({"weighted": False}, "batch-size-weighted"),
        ({"zero_grad": False}, "zero the gradients"),
    ],
)
def test_early_stopping_rejects_mistakes(options, fragment, capsys):
    assert_fails(ex.check_fit_early_stopping, make_early_stopping(**options), capsys, fragment)


def test_early_stopping_stub_and_errors(capsys):
    def stub(model, train_loader, val_loader, loss_fn, optimizer, max_epochs, patience, device):
        return None

    assert_stub(ex.check_fit_early_stopping, stub, capsys)
    assert_stub(ex.check_fit_early_stopping, None, capsys)
    assert_fails(ex.check_fit_early_stopping, lambda *args: 1 / 0, capsys, "ZeroDivisionError")
    assert_fails(ex.check_fit_early_stopping, lambda *args: 2.0, capsys, "as an int")


# ------------------------------------------------------------------------------------------------
# 09, exercise 1: sensitivity and specificity
# ------------------------------------------------------------------------------------------------


def sensitivity_specificity(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tp = np.sum((y_true == 1) & (y_pred == 1))
    fn = np.sum((y_true == 1) & (y_pred == 0))
    tn = np.sum((y_true == 0) & (y_pred == 0))
    fp = np.sum((y_true == 0) & (y_pred == 1))
    return tp / (tp + fn), tn / (tn + fp)


def test_sensitivity_accepts_the_solution_and_matches_sklearn(capsys):
    from sklearn.metrics import recall_score

    assert_passes(ex.check_sensitivity_specificity, sensitivity_specificity, capsys)
    y, p = ex._SENS_TRUE, ex._SENS_PRED
    sens, spec = sensitivity_specificity(y, p)
    assert sens == pytest.approx(recall_score(y, p))
    assert spec == pytest.approx(recall_score(1 - y, 1 - p))


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda y, p: sensitivity_specificity(y, p)[::-1], "swapped"),
        (ex._precision_specificity, "precision"),
        (ex._sensitivity_npv, "negative predictive value"),
        (lambda y, p: (np.mean(np.asarray(y) == np.asarray(p)),) * 2, "confusion matrix"),
    ],
)
def test_sensitivity_rejects_mistakes(mistake, fragment, capsys):
    assert_fails(ex.check_sensitivity_specificity, mistake, capsys, fragment)


def test_sensitivity_stub(capsys):
    assert_stub(ex.check_sensitivity_specificity, lambda y, p: (None, None), capsys)
    assert_stub(ex.check_sensitivity_specificity, None, capsys)


# ------------------------------------------------------------------------------------------------
# 09, exercise 2: a cost-minimising threshold
# ------------------------------------------------------------------------------------------------


def cost_threshold(y_true, p, cost_fn, cost_fp):
    candidates = np.unique(p)
    costs = [
        cost_fn * np.sum((y_true == 1) & (p < t)) + cost_fp * np.sum((y_true == 0) & (p >= t))
        for t in candidates
    ]
    return candidates[int(np.argmin(costs))]


def test_cost_threshold_accepts_the_solution(capsys):
    assert_passes(ex.check_cost_threshold, cost_threshold, capsys)


def test_cost_threshold_accepts_any_threshold_with_the_minimum_cost(capsys):
    def just_below(y_true, p, cost_fn, cost_fp):  # a different threshold, the same predictions
        t = cost_threshold(y_true, p, cost_fn, cost_fp)
        below = p[p < t]
        return (t + below.max()) / 2 if below.size else t

    assert_passes(ex.check_cost_threshold, just_below, capsys)


def test_cost_threshold_cases_separate_the_mistakes():
    for _, (y, p, cost_fn, cost_fp) in ex._cost_threshold_cases()[::2]:
        best = ex._minimum_cost(y, p, cost_fn, cost_fp)
        for wrong in (0.5, cost_fp / (cost_fp + cost_fn), cost_threshold(y, p, cost_fp, cost_fn)):
            assert ex._expected_cost(y, p, wrong, cost_fn, cost_fp) > best


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda y, p, cost_fn, cost_fp: cost_threshold(y, p, cost_fp, cost_fn), "swapped"),
        (lambda y, p, cost_fn, cost_fp: 0.5, "0.5 ignores the costs"),
        (lambda y, p, cost_fn, cost_fp: cost_fp / (cost_fp + cost_fn), "Bayes threshold"),
        (lambda y, p, cost_fn, cost_fp: 0.9, "Try every distinct"),
        (lambda y, p, cost_fn, cost_fp: [0.1, 0.2], "a number"),
        (lambda y, p, cost_fn, cost_fp: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_cost_threshold_rejects_mistakes(mistake, fragment, capsys):
    assert_fails(ex.check_cost_threshold, mistake, capsys, fragment)


def test_cost_threshold_stub(capsys):
    assert_stub(ex.check_cost_threshold, lambda y, p, cost_fn, cost_fp: None, capsys)
    assert_stub(ex.check_cost_threshold, None, capsys)


# ------------------------------------------------------------------------------------------------
# 09, exercise 3: permutation importance
# ------------------------------------------------------------------------------------------------


def permutation_importance(
    predict, X, y, n_repeats, seed, *, restore=True, in_place=False, sign=1.0, drop=True
):
    rng = np.random.default_rng(seed)
    baseline = roc_auc_score(y, predict(X))
    importances = []
    work = X if in_place else X.copy()
    for j in range(X.shape[1]):
        drops = []
        for _ in range(n_repeats):
            if restore and not in_place:
                work = X.copy()
            work[:, j] = work[rng.permutation(len(work)), j]
            score = roc_auc_score(y, predict(work))
            drops.append(sign * (baseline - score) if drop else score)
        importances.append(np.mean(drops))
    return np.array(importances)


def test_permutation_importance_accepts_the_solution(capsys):
    assert_passes(ex.check_permutation_importance, permutation_importance, capsys)


def test_permutation_importance_reference_agrees_with_sklearn():
    from sklearn.inspection import permutation_importance as sklearn_importance

    predict, X, y = ex._importance_problem()

    class Wrapped:
        def fit(self, X, y):
            return self

    result = sklearn_importance(
        Wrapped(),
        X,
        y,
        scoring=lambda est, X, y: roc_auc_score(y, predict(X)),
        n_repeats=200,
        random_state=0,
    )
    ours = ex._permutation_importance_reference(predict, X, y, 200, 1)
    assert np.allclose(result.importances_mean, ours, atol=0.01)


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"restore": False}, "one column at a time"),
        ({"in_place": True}, "X was changed"),
        ({"sign": -1.0}, "negative importance"),
        ({"drop": False}, "the drop"),
    ],
)
def test_permutation_importance_rejects_mistakes(options, fragment, capsys):
    def mistake(predict, X, y, n_repeats, seed):
        return permutation_importance(predict, X, y, n_repeats, seed, **options)

    assert_fails(ex.check_permutation_importance, mistake, capsys, fragment)


def test_permutation_importance_rejects_wrong_shapes_and_values(capsys):
    assert_fails(ex.check_permutation_importance, lambda *args: np.zeros(3), capsys, "shape")
    assert_fails(ex.check_permutation_importance, lambda *args: "high", capsys, "shape")
    assert_fails(
        ex.check_permutation_importance, lambda *args: np.zeros(4), capsys, "expected about"
    )
    assert_fails(ex.check_permutation_importance, lambda *args: 1 / 0, capsys, "ZeroDivisionError")


def test_permutation_importance_stub(capsys):
    assert_stub(ex.check_permutation_importance, lambda *args: None, capsys)
    assert_stub(ex.check_permutation_importance, None, capsys)


def test_new_checks_are_exported():
    for name in (
        "check_standardise_genes",
        "check_dna_dataset",
        "check_fit_early_stopping",
        "check_sensitivity_specificity",
        "check_cost_threshold",
        "check_permutation_importance",
    ):
        assert name in ex.__all__ and callable(getattr(ex, name))


def test_fast_auc_equals_sklearn_with_ties():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=200)
    scores = np.round(rng.normal(size=200) + y, 1)  # rounded: many ties
    assert ex._auc(y, scores) == pytest.approx(roc_auc_score(y, scores), rel=1e-12)
