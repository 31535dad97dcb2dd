"""Tests of dlcourse.training: loaders, the fit loop, early stopping, evaluation helpers."""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from dlcourse import training
from dlcourse.training import EarlyStopping, History, evaluate, fit, make_loader, predict_proba


@pytest.fixture
def binary_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(96, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64)
    return X, y


def _model(seed=0, dropout=0.0, outputs=1):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(dropout), nn.Linear(8, outputs))


def _fit(model, train, val, epochs=5, lr=0.1, loss=None, **kwargs):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    kwargs.setdefault("progress", False)
    loss = nn.BCEWithLogitsLoss() if loss is None else loss
    return fit(model, train, val, loss, optimizer, epochs, "cpu", **kwargs)


# ---------------------------------------------------------------------------------------------
# make_loader
# ---------------------------------------------------------------------------------------------


def test_loader_dtypes_follow_the_array_dtype_not_its_values(binary_data):
    X, y = binary_data
    X_batch, y_batch = next(iter(make_loader(X, y)))
    assert X_batch.dtype == torch.float32 and y_batch.dtype == torch.int64
    assert X_batch.shape == (32, 4) and y_batch.shape == (32,)
    # A validation split of a 3-class problem that lacks class 2 stays class indices.
    assert next(iter(make_loader(X, y)))[1].dtype == next(iter(make_loader(X, y * 2)))[1].dtype
    assert next(iter(make_loader(X, y.astype(bool))))[1].dtype == torch.float32
    assert next(iter(make_loader(X, X[:, 0])))[1].dtype == torch.float32  # regression
    assert next(iter(make_loader(X, y, y_dtype="float32")))[1].dtype == torch.float32


def test_loader_pairs_pandas_rows_by_index(binary_data):
    X, y = binary_data
    X_df = pd.DataFrame(X, index=[f"S{i}" for i in range(len(X))])
    y_series = pd.Series(y, index=X_df.index)
    make_loader(X_df, y_series)
    with pytest.raises(
        ValueError,
        match=r"y: expected the same index as X, in the same order .*, got the same labels in "
        r"another order: use y.loc\[X.index\]",
    ):
        make_loader(X_df, y_series.iloc[::-1])
    with pytest.raises(ValueError, match="got different index labels"):
        make_loader(X_df, y_series.reset_index(drop=True))


def test_loader_shuffling_is_seeded(binary_data):
    X, y = binary_data

    def order(seed):
        return torch.cat([xb[:, 0] for xb, _ in make_loader(X, y, shuffle=True, seed=seed)])

    assert torch.equal(order(1), order(1))
    assert not torch.equal(order(1), order(2))
    first_epoch, second_epoch = (
        torch.cat([xb[:, 0] for xb, _ in loader])
        for loader in [make_loader(X, y, shuffle=True)] * 2
    )
    assert not torch.equal(first_epoch, second_epoch)  # reshuffled every epoch


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y": np.zeros(5)}, "y: expected a real array with 96 rows"),
        ({"y": np.zeros(96, dtype=complex)}, "y: expected a real array"),
        ({"batch_size": 0}, "batch_size: expected a positive integer"),
        ({"y_dtype": "float16"}, "y_dtype: expected"),
        ({"seed": -1}, "seed: expected"),
    ],
)
def test_loader_rejects_bad_input(binary_data, kwargs, message):
    X, y = binary_data
    with pytest.raises(ValueError, match=message):
        make_loader(X, kwargs.pop("y", y), **kwargs)


# ---------------------------------------------------------------------------------------------
# EarlyStopping
# ---------------------------------------------------------------------------------------------


def test_early_stopping_counts_epochs_without_improvement():
    model = nn.Linear(1, 1)
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    decisions = [
        stopper.step(loss, model, epoch) for epoch, loss in enumerate([1.0, 0.8, 0.75, 0.72])
    ]
    assert decisions == [False, False, False, True]  # 0.75, 0.72: within min_delta of 0.8
    assert stopper.best_epoch == 1 and stopper.best_loss == 0.8
    stopper.reset()
    assert stopper.best_epoch is None and stopper.epochs_without_improvement == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"patience": 0}, "patience: expected"), ({"min_delta": -1.0}, "min_delta: expected")],
)
def test_early_stopping_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        EarlyStopping(**kwargs)


# ---------------------------------------------------------------------------------------------
# fit
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def diverging_loaders(binary_data):
    """Validation labels are the opposite of training labels: val loss rises as training works."""
    X, y = binary_data
    return make_loader(X, y, shuffle=True), make_loader(X, 1 - y, batch_size=40)


def test_early_stopping_stops_and_restores_the_best_weights(diverging_loaders):
    train, val = diverging_loaders
    model = _model()
    history = _fit(model, train, val, epochs=50, early_stopping=EarlyStopping(patience=3))
    assert history.stopped_epoch == history.best_epoch + 3
    assert len(history.train_loss) == len(history.val_loss) == history.stopped_epoch + 1
    assert history.best_val_loss == min(history.val_loss)
    restored = evaluate(model, val, nn.BCEWithLogitsLoss(), "cpu")
    assert restored == pytest.approx(history.val_loss[history.best_epoch], rel=1e-6)


def test_without_restore_the_last_weights_are_kept(diverging_loaders):
    train, val = diverging_loaders
    model = _model()
    stopper = EarlyStopping(patience=2, restore_best=False)
    history = _fit(model, train, val, epochs=50, early_stopping=stopper)
    assert stopper.best_state is None
    last = evaluate(model, val, nn.BCEWithLogitsLoss(), "cpu")
    assert last == pytest.approx(history.val_loss[-1], rel=1e-6)
    assert last > history.best_val_loss


class ModeRecorder(nn.Module):
    """A linear layer that records, at each forward, whether it is training and tracking grads."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 1)
        self.calls = []

    def forward(self, X):
        self.calls.append((self.training, torch.is_grad_enabled(), len(X)))
        return self.linear(X)


def test_fit_switches_modes_and_disables_grad_for_validation(binary_data):
    X, y = binary_data
    model = ModeRecorder()
    _fit(model, make_loader(X, y, batch_size=32), make_loader(X[:50], y[:50], batch_size=50), 2)
    assert model.calls == [(True, True, 32)] * 3 + [(False, False, 50)] + [(True, True, 32)] * 3 + [
        (False, False, 50)
    ]
    assert model.training


def test_validation_runs_in_eval_mode_so_dropout_is_off(binary_data):
    X, y = binary_data
    loader = make_loader(X, y, batch_size=16)
    model = _model(dropout=0.5)
    # lr = 0: the weights never change, so only dropout could make validation losses differ
    history = _fit(model, loader, loader, epochs=3, lr=0.0)
    assert history.val_loss[0] == history.val_loss[1] == history.val_loss[2]
    assert len(set(history.train_loss)) > 1  # dropout is active during training
    model.train()
    assert evaluate(model, loader, nn.BCEWithLogitsLoss(), "cpu") == history.val_loss[0]
    assert model.training  # evaluate restores the mode it found


def test_history_metrics_and_best_epoch(binary_data):
    X, y = binary_data
    seen = []

    def n_val(y_true, output):
        seen.append((tuple(y_true.shape), tuple(output.shape)))
        return float(len(y_true))

    history = _fit(
        _model(),
        make_loader(X, y, shuffle=True),
        make_loader(X[:40], y[:40], batch_size=16),
        epochs=4,
        metrics={"accuracy": training.accuracy, "n": n_val},
    )
    assert seen == [((40,), (40,))] * 4  # whole validation set, output squeezed to (n,)
    assert history.metrics["n"] == [40.0] * 4
    assert all(0 <= a <= 1 for a in history.metrics["accuracy"])
    assert history.best_epoch == int(np.argmin(history.val_loss)) and history.stopped_epoch is None


def test_fit_is_deterministic_on_cpu(binary_data):
    X, y = binary_data

    def run():
        return _fit(
            _model(seed=3, dropout=0.2),
            make_loader(X, y, shuffle=True, seed=5),
            make_loader(X, y),
            epochs=3,
        )

    assert run() == run()


def test_fit_without_validation(binary_data):
    X, y = binary_data
    history = _fit(_model(), make_loader(X, y), None, epochs=2)
    assert history.val_loss == [] and history.best_epoch is None and len(history.train_loss) == 2


def test_fit_matches_a_regression_target_without_broadcasting(binary_data):
    X, _ = binary_data
    model = nn.Linear(4, 1)
    loader = make_loader(X, X @ np.array([1.0, -2.0, 0.5, 0.0]), batch_size=32)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, loader, loader, nn.MSELoss(), optimizer, 60, "cpu", progress=False)
    assert history.val_loss[-1] < 1e-3  # (n, 1) vs (n,) broadcasting would stall near var(y)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs: expected a positive integer"),
        ({"val": None, "early_stopping": EarlyStopping()}, "val_loader: expected"),
        ({"early_stopping": 5}, "early_stopping: expected"),
        ({"metrics": {"auc": 0.9}}, "metrics\\['auc'\\]: expected"),
    ],
)
def test_fit_rejects_bad_arguments(binary_data, kwargs, message):
    X, y = binary_data
    loader = make_loader(X, y)
    val = kwargs.pop("val", loader)
    kwargs.setdefault("epochs", 1)
    with pytest.raises(ValueError, match=message):
        _fit(_model(), loader, val, **kwargs)


def test_fit_rejects_loaders_without_targets(binary_data):
    _X, _ = binary_data
    unlabelled = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.ones(8, 4)))
    with pytest.raises(ValueError, match="train_loader: expected batches \\(X, y\\)"):
        _fit(_model(), unlabelled, None, epochs=1)


# ---------------------------------------------------------------------------------------------
# fit: misuse is caught before the first step, not after an epoch or never
# ---------------------------------------------------------------------------------------------


def _weights(model):
    return [p.detach().clone() for p in model.parameters()]


def _assert_unchanged(model, before):
    assert all(torch.equal(a, b) for a, b in zip(_weights(model), before, strict=True))


def test_mse_with_n_outputs_against_n_by_1_targets_trains_without_broadcasting(binary_data):
    X, _ = binary_data
    target = X @ np.array([1.0, -2.0, 0.5, 0.0])
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 1), nn.Flatten(0))  # outputs (n,)
    loader = make_loader(X, target[:, None], batch_size=32)  # targets (n, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, loader, loader, nn.MSELoss(), optimizer, 60, "cpu", progress=False)
    assert history.val_loss[-1] < 1e-3  # broadcasting to (n, n) would stall near var(y)


def test_outputs_that_do_not_match_the_targets_are_an_error(binary_data):
    X, _ = binary_data
    model = _model(outputs=2)
    before = _weights(model)
    loader = make_loader(X, X[:, 0])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(
        ValueError,
        match=r"model output: expected the targets' shape \(32,\) .*, got outputs of shape "
        r"\(32, 2\)",
    ):
        fit(model, loader, None, nn.MSELoss(), optimizer, 1, "cpu", progress=False)
    _assert_unchanged(model, before)


def test_two_outputs_with_bce_say_what_to_do(binary_data):
    X, y = binary_data
    model = _model(outputs=2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="for two classes use one output unit with BCEWithLogits"):
        fit(model, make_loader(X, y), None, nn.BCEWithLogitsLoss(), optimizer, 1, "cpu")


def test_an_optimizer_over_another_models_parameters_is_an_error(binary_data):
    X, y = binary_data
    model, other = _model(), _model(seed=1)
    before = _weights(model)
    optimizer = torch.optim.SGD(other.parameters(), lr=0.1)
    with pytest.raises(
        ValueError,
        match=r"fit: optimizer: expected an optimizer over this model's parameters.*, "
        r"got 4 of its 4 parameters outside the model",
    ):
        fit(model, make_loader(X, y), None, nn.BCEWithLogitsLoss(), optimizer, 1, "cpu")
    _assert_unchanged(model, before)


def test_a_loss_without_reduction_is_an_error(binary_data):
    X, y = binary_data
    with pytest.raises(
        ValueError, match="loss_fn: expected a loss with reduction='mean' .*, got 'none'"
    ):
        _fit(
            _model(), make_loader(X, y), None, epochs=1, loss=nn.BCEWithLogitsLoss(reduction="none")
        )


def test_a_loss_function_returning_a_vector_is_an_error(binary_data):
    X, _ = binary_data

    def per_sample(output, target):
        return (output - target) ** 2

    model = _model()
    before = _weights(model)
    with pytest.raises(
        ValueError, match=r"loss_fn: expected a scalar loss .*, got a loss of shape"
    ):
        _fit(model, make_loader(X, X[:, 0]), None, epochs=1, loss=per_sample)
    _assert_unchanged(model, before)


@pytest.mark.parametrize(
    ("labels", "loss", "outputs", "message"),
    [
        (
            np.arange(96) % 4,
            nn.CrossEntropyLoss(),
            3,
            r"expected class labels in \[0, 2\], got label 3",
        ),
        (
            np.arange(96) % 3 - 1,
            nn.CrossEntropyLoss(),
            3,
            r"expected class labels in \[0, 2\], got label -1",
        ),
        (
            np.arange(96) % 3,
            nn.BCEWithLogitsLoss(),
            1,
            r"expected values in \[0, 1\] .*, got value 2",
        ),
    ],
)
def test_labels_out_of_range_are_an_error_before_the_first_step(
    binary_data, labels, loss, outputs, message
):
    X, _ = binary_data
    model = _model(outputs=outputs)
    before = _weights(model)
    loader = make_loader(X, labels, shuffle=True)
    with pytest.raises(ValueError, match=message):
        _fit(model, loader, None, epochs=1, loss=loss)
    _assert_unchanged(model, before)


def test_numpy_batches_are_an_error(binary_data):
    X, y = binary_data
    with pytest.raises(
        ValueError,
        match=r"train_loader: expected batches of torch tensors, e.g. from make_loader\(X, y\), "
        r"got a batch holding a numpy.ndarray",
    ):
        _fit(_model(), [(X, y)], None, epochs=1)


def test_fit_names_qualified_types(binary_data):
    from dlcourse import scratch

    X, y = binary_data
    loader = make_loader(X, y)
    with pytest.raises(
        ValueError, match="fit: model: expected a torch.nn.Module, got dlcourse.scratch.Sequential"
    ):
        fit(scratch.MLP([4, 1], rng=0), loader, None, nn.BCEWithLogitsLoss(), None, 1, "cpu")
    with pytest.raises(
        ValueError,
        match="early_stopping: expected None or a dlcourse.training.EarlyStopping, "
        "got dlcourse.scratch.EarlyStopping",
    ):
        _fit(_model(), loader, loader, epochs=1, early_stopping=scratch.EarlyStopping())


def test_fit_warns_when_the_loss_becomes_non_finite(binary_data):
    X, y = binary_data
    X = X.copy()
    X[5, 0] = np.nan
    with pytest.warns(RuntimeWarning, match=r"fit: the training loss became nan in epoch 1"):
        history = _fit(_model(), make_loader(X, y), make_loader(X, y), epochs=3)
    assert np.isnan(history.train_loss).all() and history.best_epoch is None


def test_fit_does_not_warn_while_the_loss_is_finite(binary_data):
    X, y = binary_data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _fit(_model(), make_loader(X, y), make_loader(X, y), epochs=2)


def test_evaluate_and_predict_proba_check_the_models_device(binary_data):
    X, y = binary_data
    model = nn.Linear(4, 1, device="meta")  # a device other than the CPU, on any machine
    message = (
        r"expected a model on cpu \(the device argument\).*, got a model with parameters on meta"
    )
    with pytest.raises(ValueError, match="predict_proba: " + message):
        predict_proba(model, X, "cpu")
    with pytest.raises(ValueError, match="evaluate: " + message):
        evaluate(model, make_loader(X, y), nn.BCEWithLogitsLoss(), "cpu")


def test_accuracy_detects_probabilities_passed_as_logits():
    y = torch.tensor([1, 0, 1, 0, 1, 1, 0, 1])
    p = torch.tensor([0.9, 0.1, 0.8, 0.3, 0.7, 0.6, 0.2, 0.4])
    with pytest.warns(UserWarning, match="expected logits .*look like probabilities"):
        training.accuracy(y, p)
    assert training.accuracy(y, p, probabilities=True) == 0.875


# ---------------------------------------------------------------------------------------------
# Progress bar
# ---------------------------------------------------------------------------------------------


def test_progress_bar_in_a_terminal(binary_data, capsys):
    X, y = binary_data
    loader = make_loader(X, y)
    _fit(_model(), loader, loader, epochs=2)
    assert capsys.readouterr().err == ""  # progress=False by default in these tests
    _fit(_model(), loader, loader, epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "epochs" in err and "2/2" in err and "val_loss=" in err


def test_progress_bar_in_a_notebook_saves_its_final_state(binary_data, monkeypatch):
    """In Jupyter the bar is a widget; its text fallback must end at 100%, not stay at 0%."""
    from tqdm.notebook import tqdm_notebook

    shown = []

    class Handle:
        def update(self, obj):
            shown.append(repr(obj))

    def display(obj, display_id=None):
        assert display_id is True
        shown.append(repr(obj))
        shown.append(obj)
        return Handle()

    monkeypatch.setattr(training, "tqdm", tqdm_notebook)
    monkeypatch.setattr("IPython.display.display", display)
    X, y = binary_data
    train, val = make_loader(X, y), make_loader(X, 1 - y)
    _fit(_model(), train, val, epochs=30, progress=True, early_stopping=EarlyStopping(2))
    first, container, last = shown
    assert "0%" in first
    assert "100%" in last and "val_loss=" in last and "stopped early" in last
    progress = container.children[1]
    assert progress.bar_style == "success"  # an early stop is not a failure
    assert progress.value == progress.max < 30


# ---------------------------------------------------------------------------------------------
# evaluate, predict_proba, accuracy
# ---------------------------------------------------------------------------------------------


def test_evaluate_weights_batches_by_size(binary_data):
    X, y = binary_data
    model = _model()
    full = evaluate(model, make_loader(X, y, batch_size=96), nn.BCEWithLogitsLoss(), "cpu")
    uneven = evaluate(model, make_loader(X, y, batch_size=40), nn.BCEWithLogitsLoss(), "cpu")
    assert uneven == pytest.approx(full, rel=1e-6)


def test_predict_proba_binary_and_multiclass(binary_data):
    X, y = binary_data
    model = _model(dropout=0.5)
    model.train()
    p = predict_proba(model, X, "cpu")
    assert p.shape == (96,) and isinstance(p, np.ndarray)
    with torch.no_grad():
        model.eval()
        logits = model(torch.as_tensor(X, dtype=torch.float32)).squeeze(1)
    np.testing.assert_allclose(p, torch.sigmoid(logits).numpy(), rtol=1e-6)
    model.train()
    np.testing.assert_allclose(predict_proba(model, make_loader(X, y, batch_size=10), "cpu"), p)
    assert model.training
    probs = predict_proba(_model(outputs=3), X, "cpu")
    assert probs.shape == (96, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)


def test_predict_proba_rejects_empty_input():
    with pytest.raises(ValueError, match="X: expected a non-empty array"):
        predict_proba(_model(), np.zeros((0, 4)), "cpu")


def test_accuracy_for_logits():
    y = torch.tensor([1.0, 0.0, 1.0, 0.0])
    assert training.accuracy(y, torch.tensor([2.0, -1.0, -0.5, 0.1])) == 0.5
    assert training.accuracy(y[:, None], torch.tensor([[2.0], [-1.0], [3.0], [-4.0]])) == 1.0
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 3.0]])
    assert training.accuracy(torch.tensor([0, 1]), logits) == 0.5


def test_history_defaults():
    history = History()
    assert history.best_val_loss is None and history.train_loss == []


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_fit_and_predict_on_cuda(binary_data):
    X, y = binary_data
    model = _model()  # on the CPU: fit moves it, and the loss's pos_weight with it
    history = fit(
        model,
        make_loader(X, y, shuffle=True),
        make_loader(X, y),
        nn.BCEWithLogitsLoss(pos_weight=torch.tensor(2.0)),
        torch.optim.Adam(model.parameters(), lr=1e-2),
        5,
        "cuda",
        early_stopping=EarlyStopping(3),
        metrics={"accuracy": training.accuracy},
        progress=False,
    )
    assert next(model.parameters()).is_cuda and len(history.train_loss) >= 1
    assert predict_proba(model, X, "cuda").shape == (96,)
    with pytest.raises(ValueError, match="predict_proba: expected a model on cpu"):
        predict_proba(model, X, "cpu")
    with pytest.raises(ValueError, match="evaluate: expected a model on cpu"):
        evaluate(model, make_loader(X, y), nn.BCEWithLogitsLoss(), "cpu")


def test_make_loader_accepts_read_only_arrays_without_warning():
    X = np.arange(12.0).reshape(6, 2)
    y = np.array([0, 1, 0, 1, 0, 1])
    X.flags.writeable = False
    y.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_batch, y_batch = next(iter(make_loader(X, y, batch_size=6)))
    assert X_batch.shape == (6, 2) and y_batch.dtype == torch.int64
