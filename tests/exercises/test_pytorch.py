"""Tests of the PyTorch checks: standardise genes, a DNA Dataset, early stopping by hand."""

import copy

import numpy as np
import pytest
import torch
from torch.utils.data import Dataset

from dlcourse.data import one_hot_dna
from dlcourse.exercises import pytorch as ex

from .conftest import assert_not_implemented, assert_passes, assert_rejected, solution

# ---------------------------------------------------------------------------------------------
# Standardise genes
# ---------------------------------------------------------------------------------------------


def test_standardise_reference_matches_sklearn():
    from sklearn.preprocessing import StandardScaler

    X = torch.from_numpy(np.random.default_rng(0).normal(3.0, 2.0, size=(20, 5)))
    expected = StandardScaler().fit_transform(X.numpy())
    np.testing.assert_allclose(
        ex._standardise_reference(X).numpy(), expected, rtol=1e-12, atol=1e-12
    )


def in_place(X):
    X -= X.mean(dim=0)
    X /= X.std(dim=0, correction=0)
    return X


def looped(X):
    columns = [(X[:, j] - X[:, j].mean()) / X[:, j].std(correction=0) for j in range(X.shape[1])]
    return torch.stack(columns, dim=1)


@pytest.mark.parametrize(
    ("mistake", "fragment"),
    [
        (lambda X: (X - X.mean(dim=0)) / X.std(dim=0), "population"),
        (lambda X: (X - X.mean(dim=1, keepdim=True)) / X.std(dim=1, keepdim=True), "dim=0"),
        (lambda X: X - X.mean(dim=0), "not scaled"),
        (in_place, "changed its argument `X` in place"),
        (lambda X: ex._standardise_reference(X).numpy(), "torch tensor"),
        (lambda X: 1 / 0, "ZeroDivisionError"),
        (looped, "no loop"),
    ],
)
def test_standardise_rejects_mistakes(capsys, mistake, fragment):
    assert_rejected(capsys, ex.check_standardise_genes, mistake, fragment)


def test_standardise_rejects_a_non_function(capsys):
    assert_rejected(capsys, ex.check_standardise_genes, 42, "expected a function")


# ---------------------------------------------------------------------------------------------
# A Dataset of one-hot DNA
# ---------------------------------------------------------------------------------------------


def dataset_class():
    return solution("check_dna_dataset")


def variant(name, **methods):
    """The notebook's Dataset class with some methods replaced (a typical mistake)."""
    return type(name, (dataset_class(),), methods)


@pytest.mark.parametrize(
    ("methods", "fragment"),
    [
        ({"__getitem__": lambda self, i: (one_hot_dna(["ACGT" * 4])[0].T, 0)}, "torch tensors"),
        ({"__len__": lambda self: 3}, "len(dataset)"),
        ({"__getitem__": lambda self, i: torch.zeros(16, 4)}, "pair"),
    ],
)
def test_dna_dataset_rejects_simple_mistakes(capsys, methods, fragment):
    assert_rejected(capsys, ex.check_dna_dataset, variant("Wrong", **methods), fragment)


def test_dna_dataset_rejects_layout_dtype_and_encoding_mistakes(capsys):
    base = dataset_class()

    def item(transform):
        return lambda self, i: transform(*base.__getitem__(self, i))

    check = ex.check_dna_dataset
    assert_rejected(capsys, check, variant("T", __getitem__=item(lambda x, y: (x.T, y))), "first")
    assert_rejected(
        capsys, check, variant("L", __getitem__=item(lambda x, y: (x, y.long()))), "float32"
    )
    assert_rejected(
        capsys, check, variant("D", __getitem__=item(lambda x, y: (x.double(), y))), "float32"
    )
    assert_rejected(
        capsys, check, variant("E", __getitem__=item(lambda x, y: (x.flip(1), y))), "A, C, G, T"
    )


def test_dna_dataset_tells_a_stub_from_a_forgotten_return(capsys):
    class StubDataset(Dataset):
        def __init__(self, sequences, labels):
            pass

        def __len__(self):
            return None

        def __getitem__(self, i):
            return None

    class LenWithoutReturn(dataset_class()):
        def __len__(self):
            len(self.y)

    assert_not_implemented(capsys, ex.check_dna_dataset, StubDataset)
    assert_rejected(capsys, ex.check_dna_dataset, LenWithoutReturn, "__len__ returned None")


def test_dna_dataset_reports_errors_and_non_classes(capsys):
    class Broken(Dataset):
        def __init__(self, sequences, labels):
            raise KeyError("oops")

    assert_rejected(capsys, ex.check_dna_dataset, Broken, "KeyError", "__init__")
    instance = dataset_class()(["ACGT"], np.array([1]))
    assert_rejected(capsys, ex.check_dna_dataset, instance, "expected a class")


# ---------------------------------------------------------------------------------------------
# Early stopping by hand
# ---------------------------------------------------------------------------------------------


def training_loop(
    *,
    eval_mode=True,
    train_mode_every_epoch=True,
    deep_copy=True,
    restore=True,
    weighted=True,
    patience_offset=0,
    zero_grad=True,
    one_based=False,
):
    """A hand-written loop with early stopping, with one typical mistake switched on.

    With every option at its default this is a correct answer; the notebook's own solution is
    tested by the contract test of the package.
    """

    def fit_early_stopping(
        model, train_loader, val_loader, loss_fn, optimizer, max_epochs, patience, device
    ):
        best_loss, best_epoch, best_state, waited = float("inf"), None, None, 0
        model.train()
        for epoch in range(max_epochs):
            if train_mode_every_epoch:
                model.train()
            for X, y in train_loader:
                if zero_grad:
                    optimizer.zero_grad()
                loss_fn(model(X.to(device)), y.to(device)).backward()
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


def test_early_stopping_accepts_a_correct_loop(capsys):
    assert_passes(capsys, ex.check_fit_early_stopping, training_loop())


def test_early_stopping_problem_stops_early_after_a_best_epoch_that_is_not_the_first():
    best, _, epochs_run, modes = ex._early_stopping_run(None)
    assert 0 < best and best + ex._EARLY_STOPPING_PATIENCE + 1 == epochs_run
    assert epochs_run < ex._EARLY_STOPPING_MAX_EPOCHS
    assert modes == {("train", True), ("val", False)}


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
        ({"eval_mode": False}, "call model.eval() before the validation pass"),
        ({"train_mode_every_epoch": False}, "call model.train() at the start of every epoch"),
        ({"weighted": False}, "batch-size-weighted"),
        ({"zero_grad": False}, "zero the gradients"),
    ],
)
def test_early_stopping_rejects_mistakes(capsys, options, fragment):
    assert_rejected(capsys, ex.check_fit_early_stopping, training_loop(**options), fragment)


def test_early_stopping_errors_and_wrong_types(capsys):
    assert_rejected(capsys, ex.check_fit_early_stopping, lambda *args: 1 / 0, "ZeroDivisionError")
    assert_rejected(capsys, ex.check_fit_early_stopping, lambda *args: 2.0, "as an int")
