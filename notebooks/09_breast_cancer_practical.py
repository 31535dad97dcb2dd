# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   rise:
#     theme: white
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 09 — Practical: Breast Cancer Wisconsin
#
# **Previously:** notebook 08 gave us tensors, `nn.Module`, `DataLoader` and the training loop;
# notebook 07 the regularizers. Now you build one honest project with them, in six steps.
#
# You will be able to
# 1. split stratified, scale with training statistics only, and fit a fair baseline;
# 2. train a regularised MLP on [logits](GLOSSARY.md#logit) with early stopping;
# 3. choose a decision threshold without the test set, and compare two models with intervals;
# 4. use the test set **once**, at the end, and report every number with its uncertainty.
#
# Each step is a stub with a self-check (✓ / ✗ / …). Stuck? The next cells use a reference
# answer: carry on and come back.

# %% [markdown] slideshow={"slide_type": "skip"}
# [Open in Colab](https://colab.research.google.com/github/unipv-genomic-data-science/day3-deep-learning-foundations/blob/main/notebooks/09_breast_cancer_practical.ipynb)

# %% [markdown] slideshow={"slide_type": "notes"}
# The afternoon is hands-on: give the students the first ten minutes for steps 1–2, then walk the
# room. The rhythm per step: read the prompt aloud, let them write, show the ✓, discuss the output.

# %% slideshow={"slide_type": "skip"}
# Colab or a fresh JupyterHub: install the course package on first run (silent where installed)
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("dlcourse") is None:
    repository = "https://github.com/unipv-genomic-data-science/day3-deep-learning-foundations"
    source = os.environ.get("DLCOURSE_SOURCE", f"git+{repository}")
    print(f"Installing the course package from {source} (first run only)")
    subprocess.run([sys.executable, "-m", "pip", "install", "-qq", source], check=True)

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from dlcourse.data import load_breast_cancer_splits, simulate_p_much_greater_than_n
from dlcourse.evaluation import (
    calibration_bins,
    compare_on_splits,
    confusion_counts,
    out_of_fold_proba,
    rates_with_intervals,
    repeated_splits,
    summarise_paired,
)
from dlcourse.exercises import (
    check_cost_threshold,
    check_permutation_importance,
    check_sensitivity_specificity,
)
from dlcourse.exercises.practical import (
    check_choose_threshold,
    check_evaluate_at_threshold,
    check_fit_baseline,
    check_make_mlp,
    check_split_and_scale,
    check_train_mlp,
    or_reference,
    reference_choose_threshold,
    reference_evaluate_at_threshold,
    reference_fit_baseline,
    reference_make_mlp,
    reference_split_and_scale,
    reference_train_mlp,
)
from dlcourse.explore import explore
from dlcourse.plots import (
    COLORS,
    plot_calibration,
    plot_confusion_matrix,
    plot_roc_pr,
    plot_training_curves,
    set_style,
)
from dlcourse.runtime import get_device, seed_everything
from dlcourse.stats import bootstrap_interval, wilson_interval
from dlcourse.training import EarlyStopping, fit, make_loader, predict_proba

seed_everything(0)
DEVICE = get_device()
set_style()
torch.set_num_threads(1)  # tiny models: one thread is fastest and gives the same numbers everywhere

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The task, and which class is positive
#
# A fine-needle aspirate of a breast mass gives 30 features of the cell nuclei (mean, standard
# error and worst value of radius, texture, concavity, …). Task: is the mass **malignant**?
# A missed cancer is worse than a false alarm, so malignant is the **positive** class and
# **[sensitivity](GLOSSARY.md#sensitivity)** (malignant tumours flagged) matters most. scikit-learn's copy codes
# **0 = malignant**; we flip it, and the course loader `load_breast_cancer_splits` returns
# **1 = malignant** by default.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
sk = load_breast_cancer()
print("scikit-learn's copy:", {code: str(name) for code, name in enumerate(sk.target_names)})
X_all, y_all = sk.data, 1 - sk.target  # ours: 1 = malignant
splits = load_breast_cancer_splits(seed=0)  # the course loader, 1 = malignant by default
assert np.array_equal(splits.raw["label"].to_numpy(), y_all)
print("course loader:", splits.coding)
print(f"{len(y_all)} tumours, {y_all.sum()} malignant ({y_all.mean():.0%}), 30 features")

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room: which error is worse here, a missed cancer or a false alarm? That answer decides
# the positive class and the metric. The common confusion: scikit-learn's `recall` of class 1 is
# the recall of *benign* in its own coding; always say which class is positive.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Step 1 — split first, scale with training statistics
#
# Write `split_and_scale(X, y, seed)`: stratified `train_test_split` of `np.arange(len(y))` into
# **test** (15 %) and the rest, then **validation** (`test_size=0.15 / 0.85`) and **training**;
# `random_state=seed`. Fit a `StandardScaler` on the training rows only, transform all three.
# Return `{"train": (X_train, y_train), "val": (...), "test": (...)}`.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def split_and_scale(X, y, seed):
    # YOUR CODE HERE
    return None


check_split_and_scale(split_and_scale)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def split_and_scale(X, y, seed):
    rows = np.arange(len(y))
    rest, test = train_test_split(rows, test_size=0.15, stratify=y, random_state=seed)
    train, val = train_test_split(rest, test_size=0.15 / 0.85, stratify=y[rest], random_state=seed)
    scaler = StandardScaler().fit(X[train])  # training statistics only
    return {
        name: (scaler.transform(X[r]), y[r])
        for name, r in [("train", train), ("val", val), ("test", test)]
    }


assert check_split_and_scale(split_and_scale)

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
split_and_scale = or_reference(split_and_scale, reference_split_and_scale)
parts = split_and_scale(X_all, y_all, seed=0)
(X_train, y_train), (X_val, y_val), (X_test, y_test) = parts.values()
print(", ".join(f"{name} {len(y)} ({y.sum()} malignant)" for name, (_, y) in parts.items()))

# %% slideshow={"slide_type": "skip"}
# can fail: equal to the loader's leak-free scaling, not to one fitted on all 569 tumours
assert np.allclose(X_train, splits.X_train) and np.allclose(X_test, splits.X_test)

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: split first, then fit anything (scaler, feature choice) on the training rows only. Ask:
# what would a scaler fitted on all 569 tumours leak? (The test tumours' means and spreads.) The
# hidden assert compares with the course loader's leak-free scaling, so a leaky scaler fails it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Look at the training tumours only
#
# Exploration guides choices, so it must not see the test tumours. Size and shape separate the
# classes; raw scales differ by orders of magnitude: hence the scaling.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Densities of four features by diagnosis: radius and concave points separate benign from malignant, texture and smoothness overlap"
train_frame = splits.as_frame("train")
shown = ["mean radius", "mean concave points", "mean texture", "mean smoothness"]
grid = sns.FacetGrid(
    train_frame[[*shown, "diagnosis"]].melt(id_vars="diagnosis"),
    col="variable",
    col_wrap=2,
    hue="diagnosis",
    sharex=False,
    sharey=False,
    height=2.2,
    aspect=1.6,
    palette=[COLORS["blue"], COLORS["vermillion"]],
)
grid.map(sns.kdeplot, "value", fill=True, common_norm=False, warn_singular=False)
grid.set_titles("{col_name}")
grid.add_legend(title="")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room which two features they would bet on. Radius and concave points separate the
# classes; texture and smoothness overlap. Area is in the hundreds, smoothness about 0.1: without
# scaling, the large-valued features would dominate the gradient steps.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Step 2 — a fair baseline: logistic regression
#
# A network must beat something simple. Write `fit_baseline(X_train, y_train, X_val, y_val)`:
# for each `C` in `(0.01, 0.1, 1.0, 10.0)` (inverse L2 strength) fit
# `LogisticRegression(C=C, max_iter=5000)` on the training tumours, and return the model with the
# lowest **validation** log-loss (`sklearn.metrics.log_loss(y_val, p_val)`).


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def fit_baseline(X_train, y_train, X_val, y_val):
    # YOUR CODE HERE
    return None


check_fit_baseline(fit_baseline)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def fit_baseline(X_train, y_train, X_val, y_val):
    from sklearn.metrics import log_loss

    best, best_loss = None, np.inf
    for C in (0.01, 0.1, 1.0, 10.0):
        model = LogisticRegression(C=C, max_iter=5000).fit(X_train, y_train)
        loss = log_loss(y_val, model.predict_proba(X_val)[:, 1])
        if loss < best_loss:
            best, best_loss = model, loss
    return best


assert check_fit_baseline(fit_baseline)

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
fit_baseline = or_reference(fit_baseline, reference_fit_baseline)
baseline = fit_baseline(X_train, y_train, X_val, y_val)
print("chosen C:", baseline.C)

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: a network has to beat a tuned simple model on the same split, or it is not worth its
# complexity. Ask: why choose $C$ by validation log-loss rather than accuracy? (Log-loss uses the
# probabilities, and accuracy on 86 tumours moves in steps of 0.012.)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Step 3 — the MLP: the same regularizers as in 07, now in PyTorch
#
# Write `make_mlp(n_features)` returning an `nn.Sequential`: `n_features → 32 → 16 → 1`, each
# hidden block `Linear → BatchNorm1d → ReLU → Dropout(0.2)`, and **one logit** out (no sigmoid:
# the loss applies it). Batch norm and dropout here, weight decay and early stopping in step 4:
# notebook 07's regularizers, as PyTorch layers and arguments.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def make_mlp(n_features):
    # YOUR CODE HERE
    return None


check_make_mlp(make_mlp)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def make_mlp(n_features):
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


assert check_make_mlp(make_mlp)

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
make_mlp = or_reference(make_mlp, reference_make_mlp)
print("trainable parameters:", sum(p.numel() for p in make_mlp(30).parameters()))

# %% [markdown] slideshow={"slide_type": "notes"}
# The common mistake: a final `nn.Sigmoid()` before `BCEWithLogitsLoss`, which applies it twice
# (training still runs, the probabilities are wrong). Ask: 1,633 parameters for 397 training
# tumours, is that a lot? (Yes: hence the regularizers.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Class imbalance: 37 % malignant
#
# `nn.BCEWithLogitsLoss(pos_weight=w)` multiplies the malignant terms of the loss by $w$ (e.g.
# $w = n_\text{benign} / n_\text{malignant} \approx 1.7$). It pushes every predicted probability
# up, so $p$ no longer estimates the chance of malignancy. With a mild imbalance we keep the
# plain loss, so $p$ stays a probability, and get sensitivity from the **threshold** (step 5)
# instead: the same effect on decisions, honest probabilities. With 1 % positives, weighting or
# resampling would be worth trying.

# %% [markdown] slideshow={"slide_type": "notes"}
# The common confusion: "imbalanced data needs class weights". Weights move the probabilities; a
# threshold moves the decisions. Ask: if a clinician reads $p = 0.7$, which model would they want,
# the weighted one or the calibrated one?

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Step 4 — the training call
#
# Write `train_mlp(model, train_loader, val_loader, max_epochs)`: loss `nn.BCEWithLogitsLoss()`,
# optimizer `torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-3)`, and return
# `fit(model, train_loader, val_loader, loss_fn, optimizer, epochs=max_epochs, device="cpu",
# early_stopping=EarlyStopping(patience=20), progress=False)`, the history.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def train_mlp(model, train_loader, val_loader, max_epochs):
    # YOUR CODE HERE
    return None


check_train_mlp(train_mlp)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def train_mlp(model, train_loader, val_loader, max_epochs):
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-3)
    return fit(
        model,
        train_loader,
        val_loader,
        loss_fn,
        optimizer,
        epochs=max_epochs,
        device="cpu",
        early_stopping=EarlyStopping(patience=20),
        progress=False,
    )


assert check_train_mlp(train_mlp)

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
train_mlp = or_reference(train_mlp, reference_train_mlp)
val_loader = make_loader(X_val, y_val, batch_size=256)
seed_everything(0)  # initial weights and dropout masks
mlp = make_mlp(30)
history = train_mlp(mlp, make_loader(X_train, y_train, 100, shuffle=True), val_loader, 300)
print(f"stopped after {len(history.val_loss)} epochs; best epoch {history.best_epoch + 1}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: the device is the CPU on purpose, a model this small trains fastest there (`DEVICE` would
# work the same way). Weight decay is the optimizer's argument, early stopping `fit`'s: notebook
# 07's regularizers as PyTorch options. Ask: which weights does the model hold after `fit`?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## One validation set chose everything so far
#
# The same 86 validation tumours chose $C$ and the stopping epoch: their loss at the chosen
# epoch is **optimistic**. The threshold comes from other data; the test set stays closed.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Training and validation BCE per epoch, log scale, with the restored best epoch marked"
ax = plot_training_curves(history)
ax.set(title="learning curves (BCE on logits)", yscale="log")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: picking the best of many tries on the same tumours makes that best look better than it is.
# The training loss is measured with dropout on and while the weights move; the validation loss
# with dropout off at the end of the epoch: that is why training can lie above validation.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A threshold needs many malignant tumours: out-of-fold scores
#
# Only 32 validation tumours are malignant, and at 0.5 the MLP already flags all of them. Instead,
# 5-fold cross-validation on the 397 training tumours scores each one with a model that never saw
# it (**[out of fold](GLOSSARY.md#out-of-fold)**): 148 malignant tumours to choose from.


# %% slideshow={"slide_type": "fragment"}
def mlp_scores(X_fit, y_fit, X_new, seed=0):
    """Steps 3-4 on other rows: a fresh MLP, early-stopped on the validation tumours."""
    seed_everything(seed)
    model = make_mlp(X_fit.shape[1])
    train_mlp(model, make_loader(X_fit, y_fit, 100, shuffle=True, seed=seed), val_loader, 300)
    return predict_proba(model, X_new, "cpu")


p_oof = {"MLP": out_of_fold_proba(mlp_scores, X_train, y_train, n_folds=5)}


# %% slideshow={"slide_type": "skip"}
def baseline_scores(X_fit, y_fit, X_new):
    """Step 2's model (its C) refitted on other rows: probabilities of malignant (n_new,)."""
    model = LogisticRegression(C=baseline.C, max_iter=5000).fit(X_fit, y_fit)
    return model.predict_proba(X_new)[:, 1]


p_oof["LR"] = out_of_fold_proba(baseline_scores, X_train, y_train, n_folds=5)
# the validation set cannot choose t: at 0.5 every malignant validation tumour is flagged already
assert np.all(predict_proba(mlp, X_val, "cpu")[y_val == 1] >= 0.5)

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: with 32 malignant tumours, every threshold in a wide range "reaches" 100 % sensitivity on
# validation, so validation cannot tell them apart. Out-of-fold scores reuse the training tumours
# honestly: each score comes from a model that did not train on that tumour. The same is done for
# logistic regression in a hidden cell.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Step 5 — the threshold for 95 % sensitivity
#
# Write the **highest** $t$ ($p \ge t$ flags malignant) whose sensitivity reaches the target.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def choose_threshold(y_true, p, target_sensitivity):
    return None  # YOUR CODE HERE (hint: t is one of the malignant tumours' scores)


check_choose_threshold(choose_threshold)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def choose_threshold(y_true, p, target_sensitivity):
    malignant = np.sort(p[y_true == 1])[::-1]  # highest first
    needed = int(np.ceil(target_sensitivity * len(malignant) - 1e-9))  # tumours to flag
    return float(malignant[needed - 1])


assert check_choose_threshold(choose_threshold)

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
choose_threshold = or_reference(choose_threshold, reference_choose_threshold)
thresholds = {name: choose_threshold(y_train, p, 0.95) for name, p in p_oof.items()}
oof_rates = {
    f"{name}, t = {t:.3f}": rates_with_intervals(y_train, p_oof[name], t).iloc[:2]
    for name, t in thresholds.items()
}
print(pd.concat(oof_rates).round(3).to_string())

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room: why the *highest* t? Every t below it also reaches 95 % but flags more benign
# tumours (sensitivity is $TP / (TP + FN)$). The old rule ("lowest t with specificity ≥ 0.95 on validation") landed on a benign
# validation score and bought nothing. Point at the counts: 141 of 148 out-of-fold malignant
# tumours flagged, an estimate backed by 148 tumours instead of 32.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Explore: move the threshold (out-of-fold scores)
#
# Live in JupyterLab, the slider moves $t$; elsewhere the figure shows the chosen $t$. Lower $t$
# trades benign tumours called malignant (false alarms) for fewer missed cancers.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Left: out-of-fold sensitivity and specificity of the MLP against the threshold with the chosen t marked; right: the out-of-fold confusion matrix of the training tumours at that threshold"
p_oof_mlp = p_oof["MLP"]  # each training tumour scored by a model that never saw it
grid_t = np.linspace(0.0, 1.0, 201)
sens_curve = [np.mean(p_oof_mlp[y_train == 1] >= t) for t in grid_t]
spec_curve = [np.mean(p_oof_mlp[y_train == 0] < t) for t in grid_t]


def draw_threshold(threshold):
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 4), layout="constrained")
    axes[0].plot(grid_t, sens_curve, label="sensitivity")
    axes[0].plot(grid_t, spec_curve, label="specificity")
    axes[0].axvline(threshold, color=COLORS["black"], linestyle="--", label=f"t = {threshold:.2f}")
    axes[0].set(xlabel="threshold t (malignant if p ≥ t)", ylim=(0, 1.03), title="out-of-fold")
    axes[0].legend(loc="lower center")
    flagged = (p_oof_mlp >= threshold).astype(int)
    plot_confusion_matrix(y_train, flagged, splits.class_names, ax=axes[1])
    return fig


# the chosen t, rounded down to the slider's step (down keeps sensitivity ≥ 95 %)
explore(draw_threshold, threshold=(0.01, 0.99, 0.01, np.floor(thresholds["MLP"] * 100) / 100))

# %% [markdown] slideshow={"slide_type": "notes"}
# Move the slider from 0.9 down to 0.1 and ask the room to call out the missed cancers and the
# false alarms in the confusion matrix. The common confusion: sensitivity and specificity are
# rates within a true class, so they do not depend on how many tumours are malignant.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Is the MLP better? Ten repeated splits, paired
#
# One split is one draw of tumours. We re-split the 483 training + validation tumours ten times
# (fit 65 % / validation 15 % / evaluation 20 %, stratified; scaler, $C$, early stopping and
# threshold redone in each) and compare the models **on the same tumours**: the paired difference
# MLP − LR with its 95 % interval. The test set stays closed.


# %% slideshow={"slide_type": "skip"}
def mlp_on_split(X_fit, y_fit, X_val_s, y_val_s, X_eval):
    seed_everything(0)
    model = make_mlp(X_fit.shape[1])
    loader = make_loader(X_fit, y_fit, 100, shuffle=True)
    train_mlp(model, loader, make_loader(X_val_s, y_val_s, 256), 300)
    return predict_proba(model, X_val_s, "cpu"), predict_proba(model, X_eval, "cpu")


def baseline_on_split(X_fit, y_fit, X_val_s, y_val_s, X_eval):
    model = fit_baseline(X_fit, y_fit, X_val_s, y_val_s)
    return model.predict_proba(X_val_s)[:, 1], model.predict_proba(X_eval)[:, 1]


# %% slideshow={"slide_type": "fragment"}
dev_rows = np.concatenate([splits.train_idx, splits.val_idx])  # never the test rows
results = compare_on_splits(
    {"MLP": mlp_on_split, "LR": baseline_on_split},
    X_all[dev_rows],
    y_all[dev_rows],
    repeated_splits(y_all[dev_rows], n_repeats=10, val_size=0.15, eval_size=0.2),
    target_sensitivity=0.95,
)

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: "paired" means both models are scored on the same evaluation tumours of each split, so the
# split-to-split noise cancels in the difference. The per-split functions (steps 2-5 redone) sit
# in a hidden cell. Ask: why not use the test set for this? (It would stop being a test.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Is the MLP better? The verdict
#
# Means over the ten splits, and the [paired difference](GLOSSARY.md#paired-difference) with its
# 95 % t interval. One evaluation part holds 97 tumours (36 malignant): one tumour is 0.01 of
# accuracy, 0.03 of sensitivity.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
comparison, differences = summarise_paired(results)
print(comparison[["MLP mean", "LR mean", "difference", "difference interval"]].to_string())

# %% slideshow={"slide_type": "skip"}
assert all(d.covers(0.0) for d in differences.values())  # "no clear difference" on every metric
assert 0.8 < comparison.loc["sensitivity at t", "MLP mean"] < 0.9  # short of the 0.95 target

# %% [markdown] slideshow={"slide_type": "fragment"}
# **No clear difference**: every interval of MLP − LR covers 0. Sensitivity at $t$ chosen on
# 32 validation tumours: about 0.87 on new ones, short of the 0.95 target.

# %% [markdown] slideshow={"slide_type": "notes"}
# The common confusion: "the MLP's mean AUC is higher, so it is better". Show the difference
# column: its interval covers 0 on every metric. On 30 engineered, almost linearly separable
# features the network has no advantage; deep learning pays off with many samples and raw inputs
# (images, sequences). The sensitivity shortfall is one more reason to choose $t$ out of fold.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Which features matter? (validation tumours)
#
# **[Permutation importance](GLOSSARY.md#permutation-importance)** of feature $j$: shuffle column $j$, and measure the drop in ROC-AUC,
# over 20 shuffles: mean ± standard deviation. A drop smaller than two sd is within noise.


# %% slideshow={"slide_type": "skip"}
class TrainedNetwork:
    """The trained MLP seen through scikit-learn's estimator interface."""

    def __init__(self, model):
        self.model = model

    def fit(self, X, y):  # already trained
        return self

    def predict_proba(self, X):
        p = predict_proba(self.model, X, "cpu")
        return np.column_stack([1 - p, p])


def auc_score(estimator, X, y):
    """ROC-AUC of an estimator's probability of malignant: scikit-learn's scorer signature."""
    return roc_auc_score(y, estimator.predict_proba(X)[:, 1])


# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
result = permutation_importance(
    TrainedNetwork(mlp), X_val, y_val, scoring=auc_score, n_repeats=20, random_state=0
)
importance = pd.DataFrame(
    {"drop": result.importances_mean, "sd": result.importances_std}, index=splits.feature_names
).sort_values("drop", ascending=False)
print(importance.head(3).round(4).to_string())
beyond = int((importance["drop"] > 2 * importance["sd"]).sum())
print(f"features whose drop exceeds 2 sd: {beyond} of 30")

# %% [markdown] slideshow={"slide_type": "fragment"}
# Most drops are within noise: the features are redundant (radius, perimeter and area measure one
# size), so shuffling one leaves its twins to carry the information.

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: permutation importance asks how much the model *uses* a feature, on data it did not train
# on; a hidden cell wraps the network in scikit-learn's estimator interface. The common
# confusion: a low importance does not mean the feature is unrelated to malignancy (its twin
# carries the same information).

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Step 6 — the report you will give once
#
# Write `evaluate_at_threshold(y_true, p, threshold)` returning a dict of five `Interval`s
# ([Wilson](GLOSSARY.md#wilson-interval) `wilson_interval(successes, n)` from `dlcourse.stats`), with $p \ge t$ flagged malignant:
# `"sensitivity"` TP/(TP+FN), `"specificity"` TN/(TN+FP), `"PPV"` TP/(TP+FP) (the precision),
# `"NPV"` TN/(TN+FN) and `"accuracy"` (TP+TN)/n. Counts go in, so the interval knows how many
# tumours stand behind each rate.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def evaluate_at_threshold(y_true, p, threshold):
    # YOUR CODE HERE
    return None


check_evaluate_at_threshold(evaluate_at_threshold)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def evaluate_at_threshold(y_true, p, threshold):
    flagged, malignant = p >= threshold, y_true == 1
    tp, fn = np.sum(flagged & malignant), np.sum(~flagged & malignant)
    tn, fp = np.sum(~flagged & ~malignant), np.sum(flagged & ~malignant)
    counts = {
        "sensitivity": (tp, tp + fn),
        "specificity": (tn, tn + fp),
        "PPV": (tp, tp + fp),
        "NPV": (tn, tn + fn),
        "accuracy": (tp + tn, len(y_true)),
    }
    return {name: wilson_interval(int(k), int(n)) for name, (k, n) in counts.items()}


assert check_evaluate_at_threshold(evaluate_at_threshold)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The test set, once
#
# Every choice is made: now the 86 test tumours, in one block. Rates with Wilson 95 % intervals,
# AUC with a bootstrap interval, and the counts behind them.


# %% slideshow={"slide_type": "skip"}
def test_report(y_true, p, threshold):
    """One model's column of the test report: rates with intervals, AUC, and the counts."""
    rates = evaluate_at_threshold(y_true, p, threshold)
    column = {key: f"{r.estimate:.3f} [{r.low:.2f}, {r.high:.2f}]" for key, r in rates.items()}
    auc = bootstrap_interval(roc_auc_score, y_true, p)
    column["AUC"] = f"{auc.estimate:.3f} [{auc.low:.2f}, {auc.high:.2f}]"
    column["TP FN TN FP"] = " ".join(map(str, confusion_counts(y_true, p, threshold).values()))
    return column


def auc_difference(y_true, p_a, p_b):
    """ROC-AUC of scores p_a minus ROC-AUC of scores p_b on the same tumours."""
    return roc_auc_score(y_true, p_a) - roc_auc_score(y_true, p_b)


# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
evaluate_at_threshold = or_reference(evaluate_at_threshold, reference_evaluate_at_threshold)
p_test = {"MLP": predict_proba(mlp, X_test, "cpu"), "LR": baseline.predict_proba(X_test)[:, 1]}
report = {name: test_report(y_test, p, thresholds[name]) for name, p in p_test.items()}
print(pd.DataFrame(report).to_string())
auc_gap = bootstrap_interval(auc_difference, y_test, p_test["MLP"], p_test["LR"])
print(f"AUC, MLP - LR on the same test tumours: {auc_gap}")

# %% slideshow={"slide_type": "skip"}
counts = {name: confusion_counts(y_test, p, thresholds[name]) for name, p in p_test.items()}
assert {name: (c["FN"], c["FP"]) for name, c in counts.items()} == {"MLP": (1, 2), "LR": (3, 0)}
assert auc_gap.covers(0.0)  # "no clear difference" on the test set too
test_rates = {
    name: evaluate_at_threshold(y_test, p, thresholds[name]) for name, p in p_test.items()
}
for rate in ("sensitivity", "specificity"):  # "overlapping intervals"
    mlp_rate, lr_rate = test_rates["MLP"][rate], test_rates["LR"][rate]
    assert mlp_rate.low < lr_rate.high and lr_rate.low < mlp_rate.high

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: this cell runs once; if its numbers make you want to change something, the test set is
# spent and a new one is needed. The test set agrees with the repeated splits. Ask: which row would a clinician read first? (Sensitivity and
# NPV: how many cancers are missed, how far a negative result can be trusted.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The test set, once: ROC and precision–recall
#
# ROC: sensitivity against 1 − specificity for every threshold. PR: precision (PPV) against
# sensitivity; its chance level is the share of malignant tumours (dashed).

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="ROC and precision-recall curves of the MLP and logistic regression on the 86 test tumours"
plot_roc_pr(y_test, p_test)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: ROC does not depend on how many tumours are malignant, PR does; with rare positives PR is
# the more honest picture. The common confusion: a high AUC says the ranking is good, not that a
# particular threshold is.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The test set, once: confusion matrices at the chosen thresholds
#
# MLP: **1** of 32 malignant tumours missed, 2 false alarms; logistic regression: 3 missed, none.
# Two tumours apart, overlapping intervals, an AUC difference reaching 0: no clear difference.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Confusion matrices of the MLP and logistic regression on the test tumours at their out-of-fold thresholds"
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
for ax, (name, p) in zip(axes, p_test.items(), strict=True):
    plot_confusion_matrix(y_test, (p >= thresholds[name]).astype(int), splits.class_names, ax=ax)
    ax.set_title(f"{name}, t = {thresholds[name]:.2f}")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room: which model would you deploy, the one with fewer missed cancers or the one without
# false alarms? Both answers are defensible; the counts are too small to call one better, and
# another random split would move them by a few tumours.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The test set, once: can $p$ be read as a probability?
#
# [Calibration](GLOSSARY.md#calibration): of the tumours given $p \approx 0.8$, about 80 % should be malignant. Five bins of $p$; each
# point is labelled with the number of test tumours behind it.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Reliability diagram on the test tumours: observed share malignant against predicted probability, points labelled with bin counts"
plot_calibration(y_test, p_test, n_bins=5, positive_name="malignant")
plt.show()

# %% slideshow={"slide_type": "skip"} tags=["nbval-check-output"]
calibration = {name: calibration_bins(y_test, p, n_bins=5) for name, p in p_test.items()}
print(calibration["MLP"].round(3).to_string())

# %% slideshow={"slide_type": "skip"}
outer = calibration["MLP"].iloc[[0, -1]]
assert outer["count"].sum() == 81 and outer["observed"].iloc[-1] < outer["mean p"].iloc[-1]

# %% [markdown] slideshow={"slide_type": "fragment"}
# Reading it: the MLP puts 81 of 86 test tumours in the two outer bins. There, the observed share
# is close to the predicted one (about 0.02 malignant below $p = 0.2$; 0.94 against a mean $p$ of
# 0.99 at the top, i.e. 2 of 32 were benign: slightly overconfident). The middle bins hold 1–3
# tumours each: their points say almost nothing.

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: calibration matters when someone reads $p$ as a risk, not only as a ranking. The common
# confusion: a point far from the diagonal with n = 1 is noise, not miscalibration. Ask: why did
# we keep the plain loss instead of `pos_weight`? (So that this plot can look like this.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Saving the model — with what it needs
#
# New tumours must be scaled with the **training** statistics and judged with the chosen
# threshold: save them beside the weights, as tensors and numbers, so `weights_only=True` loads it.

# %% slideshow={"slide_type": "fragment"}
scaler = StandardScaler().fit(X_all[splits.train_idx])  # the training statistics of step 1
checkpoint = {
    "state_dict": mlp.state_dict(),
    "scaler_mean": torch.from_numpy(scaler.mean_),
    "scaler_scale": torch.from_numpy(scaler.scale_),
    "threshold": thresholds["MLP"],
}
with tempfile.TemporaryDirectory() as folder:
    torch.save(checkpoint, Path(folder) / "mlp.pt")
    loaded = torch.load(Path(folder) / "mlp.pt", map_location="cpu", weights_only=True)

# %% slideshow={"slide_type": "fragment"}
restored = make_mlp(30)
restored.load_state_dict(loaded["state_dict"])
X_new = (X_all[splits.test_idx] - loaded["scaler_mean"].numpy()) / loaded["scaler_scale"].numpy()
assert np.allclose(predict_proba(restored, X_new, "cpu"), p_test["MLP"], atol=1e-6)
print("reloaded: same probabilities on the raw test tumours (atol 1e-6)")

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: a model file alone is not a usable model; the scaler's statistics and the threshold are
# part of it. Ask: what happens if new tumours are scaled with their own mean? (Every input shifts
# and the threshold no longer means what it meant.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Common mistakes
#
# | mistake | what goes wrong | remedy |
# | --- | --- | --- |
# | unclear label coding | "recall" of the wrong class | state it: 1 = malignant |
# | scaler fitted on all rows | optimistic validation and test | fit on training rows only |
# | sigmoid before `BCEWithLogitsLoss` | sigmoid applied twice | output logits |
# | forgetting `model.eval()` | dropout at prediction time | `predict_proba` / `eval()` |
# | one validation set for everything | optimistic numbers | out-of-fold threshold; test at the end |
# | threshold = lowest $t$ reaching a target | needless false alarms | highest $t$ reaching it |
# | "A beats B" from one split or seed | differences that are noise | paired intervals over splits |
# | rates without counts | 0.02 hides "0.6 of a tumour" | counts and Wilson intervals |
# | test set used along the way | it stops being a test | one block, at the end |
# | weights saved without the scaler | wrong inputs after reload | save scaler and $t$ too |

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room to pick the mistake they think is most common in published studies (usually
# leakage: preprocessing or feature selection on all rows, or a test set used along the way).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Make the **positive class** explicit; split first, stratified; fit preprocessing on training.
# - A tuned **baseline** is the reference; here the MLP shows no clear difference from it.
# - **Modern recipe**: logits + `BCEWithLogitsLoss`, Adam with weight decay, batch norm, dropout,
#   early stopping — 07's regularizers in PyTorch.
# - One validation set that chose many things is optimistic; choose the **threshold** out of
#   fold, with a tie-break at the specific end.
# - Compare models **paired, over splits**, with intervals; use the **test set once**; report
#   counts and intervals, specificity and NPV beside sensitivity.
#
# **Next:** the recap of the day, and your questions.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice 1 — sensitivity and specificity (warm-up)
#
# Write `sensitivity_specificity(y_true, y_pred)` for 0/1 arrays (1 = malignant) returning
# $\left(\frac{TP}{TP+FN}, \frac{TN}{TN+FP}\right)$.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
def sensitivity_specificity(y_true, y_pred):
    # YOUR CODE HERE
    return None, None


check_sensitivity_specificity(sensitivity_specificity)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def sensitivity_specificity(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tp = np.sum((y_true == 1) & (y_pred == 1))
    fn = np.sum((y_true == 1) & (y_pred == 0))
    tn = np.sum((y_true == 0) & (y_pred == 0))
    fp = np.sum((y_true == 0) & (y_pred == 1))
    return tp / (tp + fn), tn / (tn + fp)


assert check_sensitivity_specificity(sensitivity_specificity)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice 2 — a threshold from the costs of the errors
#
# A missed cancer costs $c_{FN}$, a false alarm $c_{FP}$. Write
# `cost_threshold(y_true, p, cost_fn, cost_fp)` returning the $t$ ($p \ge t$ flags) that minimises
# $c_{FN} \cdot FN + c_{FP} \cdot FP$ on the given tumours (any minimiser is accepted). Then try it
# on the out-of-fold scores `p_oof["MLP"]` with $c_{FN} = 10$, $c_{FP} = 1$.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
def cost_threshold(y_true, p, cost_fn, cost_fp):
    # YOUR CODE HERE
    return None


check_cost_threshold(cost_threshold)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def cost_threshold(y_true, p, cost_fn, cost_fp):
    candidates = np.unique(p)
    costs = [
        cost_fn * np.sum((y_true == 1) & (p < t)) + cost_fp * np.sum((y_true == 0) & (p >= t))
        for t in candidates
    ]
    return candidates[int(np.argmin(costs))]


assert check_cost_threshold(cost_threshold)
print(
    f"cost threshold on the out-of-fold scores: {cost_threshold(y_train, p_oof['MLP'], 10, 1):.3f}"
)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice 3 — permutation importance from scratch (harder)
#
# Write `permutation_importances(predict, X, y, n_repeats, seed)`: `predict(X)` returns
# probabilities $(n,)$; for each feature $j$, permute column $j$ of a copy of `X` with
# `np.random.default_rng(seed)`, and return the mean drop in ROC-AUC over `n_repeats` shuffles,
# shape $(d,)$. Then run it on the MLP and the validation tumours and compare with the table above:
# your shuffles differ from scikit-learn's, so expect agreement **within about two of the
# table's sd** per feature, and the same few features on top — not the same digits.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
def permutation_importances(predict, X, y, n_repeats, seed):
    # YOUR CODE HERE
    return None


check_permutation_importance(permutation_importances)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def permutation_importances(predict, X, y, n_repeats, seed):
    rng = np.random.default_rng(seed)
    full = roc_auc_score(y, predict(X))
    drops = np.zeros((X.shape[1], n_repeats))
    for j in range(X.shape[1]):
        for r in range(n_repeats):
            X_permuted = X.copy()
            X_permuted[:, j] = X[rng.permutation(len(X)), j]
            drops[j, r] = full - roc_auc_score(y, predict(X_permuted))
    return drops.mean(axis=1)


assert check_permutation_importance(permutation_importances)
ours = permutation_importances(lambda X: predict_proba(mlp, X, "cpu"), X_val, y_val, 20, 0)
gap = np.abs(ours - importance.reindex(splits.feature_names)["drop"].to_numpy())
within = gap <= 2 * importance.reindex(splits.feature_names)["sd"].to_numpy() + 1e-3
print(f"features within 2 sd of the table: {within.sum()} of 30")

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — leakage with $p \gg n$
#
# > **Deep dive — optional.** What goes wrong when a genomics pipeline selects genes before
# > cross-validation; the rest of the notebook does not need it.
#
# Simulated cohort: 100 samples, 2,000 genes of pure noise, random labels: no model can beat 50 %.
# Selecting the 20 genes most associated with the label on **all** samples, then
# cross-validating, lets the selection see every test fold.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
X_noise, y_noise = simulate_p_much_greater_than_n(
    n_samples=100, n_genes=2000, n_informative=0, seed=0
)
X_noise, y_noise = X_noise.to_numpy(), y_noise.to_numpy()
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
selected = SelectKBest(f_classif, k=20).fit_transform(X_noise, y_noise)  # sees all samples
leaky = cross_val_score(
    make_pipeline(StandardScaler(), LogisticRegression()), selected, y_noise, cv=folds
)
clean = cross_val_score(
    make_pipeline(StandardScaler(), SelectKBest(f_classif, k=20), LogisticRegression()),
    X_noise,
    y_noise,
    cv=folds,
)
print(f"selection on all samples, then CV: accuracy {leaky.mean():.3f}")
print(f"selection inside each CV fold    : accuracy {clean.mean():.3f}  (truth: 0.5)")
assert leaky.mean() > 0.8 and abs(clean.mean() - 0.5) < 0.15

# %% [markdown] slideshow={"slide_type": "fragment"} tags=["deep-dive"]
# In an expression study: normalise and select genes **within** the training data; keep all
# samples of a patient in one part; check batch and sequencing site; expect a penalised linear
# model to be a strong baseline when $n$ is in the hundreds.
