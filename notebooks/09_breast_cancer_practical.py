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
# **Day 3 · Deep Learning Foundations (PyTorch) · afternoon, part 2**
#
# One complete, honest project: from a table of cytology measurements to a neural network whose
# errors we understand, compared fairly with a simple baseline.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Learning objectives
#
# By the end of this notebook you can:
#
# 1. state a diagnostic task precisely, including **which class is positive**;
# 2. explore a dataset with seaborn without peeking at the test set;
# 3. split stratified into training / validation / test and fit preprocessing on training only;
# 4. build a fair **baseline** (logistic regression) and a PyTorch MLP with the modern recipe
#    (BCE on logits, Adam with weight decay, dropout, batch norm, early stopping);
# 5. evaluate on the test set with accuracy, precision, recall, F1, ROC-AUC, the PR curve, the
#    confusion matrix and a calibration curve, and choose a **decision threshold** on validation;
# 6. report **run-to-run variability** over seeds, explain which features matter, save and reload
#    the model with its preprocessing, and avoid the classic pitfalls, in cytology and in genomics.

# %% slideshow={"slide_type": "skip"}
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
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from dlcourse.data import load_breast_cancer_splits, simulate_p_much_greater_than_n
from dlcourse.exercises import (
    check_cost_threshold,
    check_permutation_importance,
    check_sensitivity_specificity,
)
from dlcourse.plots import (
    COLORS,
    plot_calibration,
    plot_confusion_matrix,
    plot_network,
    plot_roc_pr,
    plot_training_curves,
    set_style,
)
from dlcourse.runtime import get_device, seed_everything
from dlcourse.training import EarlyStopping, fit, predict_proba

seed_everything(0)
DEVICE = get_device()
set_style()
print(f"PyTorch {torch.__version__}; DEVICE: {DEVICE}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The task
#
# A **fine-needle aspirate** (FNA) draws cells from a breast mass; a digitised image of the cells is
# summarised by 10 characteristics of the nuclei (radius, texture, perimeter, area, smoothness,
# compactness, concavity, concave points, symmetry, fractal dimension). For each, the data give the
# **mean** over the nuclei, its **standard error** (`... error`) and the **worst** value (mean of
# the three largest): 30 features per tumour. The task: predict whether the mass is **malignant**.
#
# Missing a cancer (a false negative) is worse than a false alarm, which is followed up by further
# tests. So the positive class is *malignant*, and we care most about **sensitivity**, the share of
# malignant tumours that the model flags.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why this matters for genomics
#
# Swap "30 cytology features" for "20,000 genes" and every step below is the pipeline for an
# expression-based classifier (tumour vs normal, responder vs non-responder): a samples × features
# table, a stratified split, preprocessing learned on training samples only, a linear baseline, a
# regularised network, threshold choice, variability over seeds, feature importance. Section 13
# shows the one difference that bites hardest in genomics: with $p \gg n$, leakage is easy and
# spectacular.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The data and its label coding
#
# The data are scikit-learn's bundled copy of the Wisconsin Diagnostic Breast Cancer data
# (569 tumours, no download). **Careful:** scikit-learn codes **0 = malignant, 1 = benign**, so its
# "class 1" is the *benign* one. `dlcourse.data.load_breast_cancer_splits(positive="malignant")`
# flips the labels so that **1 = malignant** is the positive class; the cell below checks it.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
sk = load_breast_cancer()
print("scikit-learn's coding:", {code: str(name) for code, name in enumerate(sk.target_names)})
splits = load_breast_cancer_splits(val_size=0.15, test_size=0.15, seed=0, positive="malignant")
print("our coding:          ", splits.coding)
assert np.array_equal(splits.raw["label"].to_numpy(), 1 - sk.target)  # flipped, row by row
print(
    "features x tumours:",
    sk.data.shape,
    "| malignant:",
    int(splits.raw["label"].sum()),
    "| benign:",
    int((splits.raw["label"] == 0).sum()),
)
print("first features:", list(splits.feature_names[:3]), "...", splits.feature_names[-1])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Split first, then look
#
# Before any exploration we set aside a **test set** (15%, touched once, at the very end) and a
# **validation set** (15%, for early stopping and for choosing the threshold), both **stratified**:
# each part keeps the overall share of malignant tumours.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
for part in ("train", "val", "test"):
    y_part = getattr(splits, f"y_{part}")
    print(
        f"{part:5s}: {len(y_part):3d} tumours, {int(y_part.sum()):3d} malignant "
        f"({y_part.mean():.3f})"
    )

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Exploratory analysis (training tumours only)
#
# Class balance, and the scale of the raw features: the cell prints two medians more than three
# orders of magnitude apart. A network trained on raw values would be dominated by the large ones.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
train_frame = splits.as_frame("train")
print(train_frame[["mean area", "mean smoothness"]].median().round(3).to_string())
fig, axes = plt.subplots(
    1, 2, figsize=(11, 4), layout="constrained", gridspec_kw={"width_ratios": [1, 2.2]}
)
sns.countplot(
    data=train_frame,
    x="diagnosis",
    hue="diagnosis",
    ax=axes[0],
    palette=[COLORS["blue"], COLORS["vermillion"]],
    legend=False,
)
axes[0].set(title="class balance (training)", xlabel="")
means = [name for name in splits.feature_names if name.startswith("mean ")]
sns.boxplot(
    data=train_frame[means].melt(),
    x="value",
    y="variable",
    ax=axes[1],
    color=COLORS["sky_blue"],
    fliersize=2,
)
axes[1].set(xscale="log", xlabel="raw value (log scale)", ylabel="", title="feature scales")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Which features separate the classes?
#
# Distributions by diagnosis for four of the mean features. Size and shape of the nuclei
# (radius, concave points) separate benign from malignant well; texture and smoothness overlap more,
# as the ROC-AUC of each feature alone (printed first) confirms.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
shown = ["mean radius", "mean concave points", "mean texture", "mean smoothness"]
print({name: round(roc_auc_score(train_frame["label"], train_frame[name]), 3) for name in shown})
long = train_frame[[*shown, "diagnosis"]].melt(id_vars="diagnosis")
grid = sns.FacetGrid(
    long,
    col="variable",
    hue="diagnosis",
    sharex=False,
    sharey=False,
    height=3,
    aspect=1.0,
    palette=[COLORS["blue"], COLORS["vermillion"]],
)
grid.map(sns.kdeplot, "value", fill=True, common_norm=False, warn_singular=False)
grid.set_titles("{col_name}")
grid.add_legend(title="")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Correlated features
#
# Radius, perimeter and area describe the same size (perimeter $\approx 2\pi r$, area
# $\approx \pi r^2$), so they are almost perfectly correlated. Correlated inputs do not hurt
# prediction much, but they make "which feature matters" ambiguous (section 11).

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
correlation = train_frame[list(splits.feature_names)].corr()
upper = correlation.where(np.triu(np.ones(correlation.shape, dtype=bool), k=1))
print(f"corr(mean radius, mean perimeter) = {correlation.loc['mean radius', 'mean perimeter']:.3f}")
print(f"corr(mean radius, mean area)      = {correlation.loc['mean radius', 'mean area']:.3f}")
print(
    "feature pairs with |r| > 0.9:",
    int((upper.abs() > 0.9).sum().sum()),
    "of",
    int(upper.notna().sum().sum()),
)

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(8.5, 7))
sns.heatmap(
    correlation,
    cmap="vlag",
    vmin=-1,
    vmax=1,
    square=True,
    ax=ax,
    cbar_kws={"shrink": 0.7, "label": "Pearson r"},
    xticklabels=True,
    yticklabels=True,
)
ax.tick_params(labelsize=7)
ax.set_title("feature correlations (training tumours)")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Scaling, fitted on the training tumours only
#
# Each feature is standardised with the **training** mean and standard deviation,
# $x'_{ij} = (x_{ij} - \bar x_j^{\text{train}}) / s_j^{\text{train}}$, and the same transformation
# is applied to validation and test. Training features then have mean 0 and sd 1 exactly;
# validation and test features only approximately, which is how new patients will look too.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
raw_train = train_frame[list(splits.feature_names)].to_numpy()
assert np.allclose(splits.scaler.mean_, raw_train.mean(axis=0), rtol=1e-12)  # train statistics
assert np.allclose(splits.X_train.mean(axis=0), 0, atol=1e-12)
assert np.allclose(splits.X_train.std(axis=0), 1, rtol=1e-12)
for part in ("train", "val", "test"):
    X_part = getattr(splits, f"X_{part}")
    print(
        f"{part:5s}: largest |feature mean| = {np.abs(X_part.mean(axis=0)).max():.3f}, "
        f"feature sd in [{X_part.std(axis=0).min():.3f}, {X_part.std(axis=0).max():.3f}]"
    )

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. A baseline: logistic regression
#
# A neural network must earn its complexity. The baseline is logistic regression,
# $p(\text{malignant} \mid x) = \sigma(w^\top x + b)$, with an L2 penalty of strength $1/C$. To be
# fair to it we choose $C$ on the validation set, as the network will choose its stopping epoch
# there, by the validation log-loss.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
val_log_loss = {}
for C in (0.01, 0.1, 1.0, 10.0):
    candidate = LogisticRegression(C=C, max_iter=5000).fit(splits.X_train, splits.y_train)
    val_log_loss[C] = log_loss(splits.y_val, candidate.predict_proba(splits.X_val)[:, 1])
    print(f"C = {C:5}: validation log-loss {val_log_loss[C]:.4f}")
best_C = min(val_log_loss, key=val_log_loss.get)
baseline = LogisticRegression(C=best_C, max_iter=5000).fit(splits.X_train, splits.y_train)
print("chosen C:", best_C)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. The neural network
#
# A small MLP, 30 → 32 → 16 → 1, each hidden block being Linear → BatchNorm → ReLU → Dropout(0.2),
# and one **logit** $z$ out. The loss is binary cross-entropy on logits,
#
# $$\ell(z, y) = -\big[y \log \sigma(z) + (1 - y) \log(1 - \sigma(z))\big],$$
#
# which `nn.BCEWithLogitsLoss` computes stably (no sigmoid in the model). Adam's `weight_decay`
# $\lambda$ adds $\lambda\theta$ to every gradient (an L2 penalty; `AdamW` would decouple it).


# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
def make_mlp() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(30, 32),
        nn.BatchNorm1d(32),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(32, 16),
        nn.BatchNorm1d(16),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(16, 1),
    )


print("trainable parameters:", sum(p.numel() for p in make_mlp().parameters()))

# %% slideshow={"slide_type": "subslide"}
ax = plot_network([30, 32, 16, 1], max_units=8)
ax.set_title("MLP for 30 cytology features (batch norm and dropout not drawn)")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Training: early stopping on validation
#
# Mini-batches of 100 (four per epoch), at most 300 epochs, early stopping with patience 20 that
# restores the best epoch's weights.
#
# **Device and precision.** The models whose numbers this notebook reports are trained on the
# **CPU, in float64, on one thread**: a model this small gains nothing from a GPU or from more
# threads, and in float64 the rounding differences between computers stay far below the printed
# digits, so the printed results can be checked automatically. For a large model you would use
# `DEVICE` and float32 (the defaults of notebook 08); nothing else changes. Section 12 runs the
# saved model on `DEVICE`.

# %% slideshow={"slide_type": "fragment"}
TRAIN_DEVICE = torch.device("cpu")
torch.set_num_threads(1)  # tiny model: no thread overhead
train_set = TensorDataset(
    torch.from_numpy(splits.X_train), torch.from_numpy(splits.y_train).double()
)
val_loader = DataLoader(
    TensorDataset(torch.from_numpy(splits.X_val), torch.from_numpy(splits.y_val).double()),
    batch_size=256,
)


def train_mlp(seed: int, progress: bool = False) -> tuple[nn.Module, object]:
    seed_everything(seed)  # weights, dropout masks
    model = make_mlp().double()
    train_loader = DataLoader(
        train_set, batch_size=100, shuffle=True, generator=torch.Generator().manual_seed(seed)
    )  # batch order
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-3)
    history = fit(
        model,
        train_loader,
        val_loader,
        nn.BCEWithLogitsLoss(),
        optimizer,
        epochs=300,
        device=TRAIN_DEVICE,
        early_stopping=EarlyStopping(patience=20),
        progress=progress,
    )
    return model, history


# %% slideshow={"slide_type": "subslide"}
mlp, history = train_mlp(seed=0, progress=True)

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
print(
    f"epochs run: {len(history.train_loss)}; best epoch: {history.best_epoch + 1} "
    f"(validation loss {history.best_val_loss:.4f}), whose weights are restored"
)

# %% slideshow={"slide_type": "-"}
ax = plot_training_curves(history)
ax.set(title="learning curves (BCE)", yscale="log")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# The training loss is measured with dropout on and while the weights change within the epoch; the
# validation loss with dropout off at the end of the epoch. That is why the training curve can lie
# above the validation curve early on: it is not a bug. Both curves are noisy: with 86 validation
# tumours one confident mistake moves the loss, and early stopping picks the minimum of a noisy
# curve, one more reason to report several seeds (section 10).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Evaluation on the test set
#
# With TP, FP, TN, FN the cells of the confusion matrix (malignant positive), at threshold 0.5:
#
# $$\text{accuracy} = \frac{TP + TN}{n},\quad \text{precision} = \frac{TP}{TP + FP},\quad
# \text{recall} = \text{sensitivity} = \frac{TP}{TP + FN},\quad
# F_1 = \frac{2\,\text{precision} \cdot \text{recall}}{\text{precision} + \text{recall}}.$$
#
# **ROC-AUC** does not depend on a threshold: it is the probability that a random malignant tumour
# gets a higher score than a random benign one.


# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
def test_metrics(p: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    y_pred = (p >= threshold).astype(int)
    return {
        "accuracy": accuracy_score(splits.y_test, y_pred),
        "precision": precision_score(splits.y_test, y_pred),
        "recall": recall_score(splits.y_test, y_pred),
        "F1": f1_score(splits.y_test, y_pred),
        "ROC-AUC": roc_auc_score(splits.y_test, p),
    }


p_test = {
    "logistic regression": baseline.predict_proba(splits.X_test)[:, 1],
    "MLP": predict_proba(mlp, splits.X_test, TRAIN_DEVICE),
}
print(pd.DataFrame({name: test_metrics(p) for name, p in p_test.items()}).T.round(3))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### ROC and precision–recall curves
#
# The ROC curve plots sensitivity against $1 - $ specificity for every threshold; the PR curve plots
# precision against recall, and its chance level is the share of malignant tumours (dashed).

# %% slideshow={"slide_type": "-"}
plot_roc_pr(splits.y_test, p_test)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Confusion matrices at threshold 0.5

# %% slideshow={"slide_type": "-"}
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
for ax, (name, p) in zip(axes, p_test.items(), strict=True):
    plot_confusion_matrix(splits.y_test, (p >= 0.5).astype(int), splits.class_names, ax=ax)
    ax.set_title(name)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Calibration: can we read the output as a probability?
#
# Among tumours given $p \approx 0.8$, about 80% should be malignant. The reliability diagram bins
# the test predictions (5 bins: the test set is small) and the **Brier score**
# $\frac1n \sum_i (p_i - y_i)^2$ summarises calibration and sharpness together (lower is better).

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
for name, p in p_test.items():
    print(f"{name:20s} Brier score {brier_score_loss(splits.y_test, p):.4f}")

# %% slideshow={"slide_type": "-"}
plot_calibration(splits.y_test, p_test, n_bins=5)
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. A threshold for high sensitivity, chosen on validation
#
# The threshold 0.5 treats both errors alike. Our policy: accept that up to 5% of benign tumours
# are sent for a further look (**specificity $\ge$ 0.95** on validation) and, within that budget,
# flag as many malignant tumours as possible, i.e. take the **lowest** threshold $t$ that keeps
# validation specificity $\ge 0.95$. The test set plays no part in the choice.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
p_val = predict_proba(mlp, splits.X_val, TRAIN_DEVICE)
fpr, tpr, thresholds = roc_curve(splits.y_val, p_val, drop_intermediate=False)
allowed = np.flatnonzero(fpr <= 0.05)  # specificity >= 0.95 on validation
threshold = float(thresholds[allowed[-1]])  # thresholds decrease along the curve
print(
    f"chosen threshold t = {threshold:.4f}: validation sensitivity {tpr[allowed[-1]]:.3f}, "
    f"specificity {1 - fpr[allowed[-1]]:.3f}"
)
on_test = {}
for t in (0.5, threshold):
    y_pred = (p_test["MLP"] >= t).astype(int)
    on_test[t] = (recall_score(splits.y_test, y_pred), recall_score(1 - splits.y_test, 1 - y_pred))
    print(
        f"test at t = {t:.4f}: sensitivity {on_test[t][0]:.3f}, specificity "
        f"{on_test[t][1]:.3f}, precision {precision_score(splits.y_test, y_pred):.3f}"
    )
print(f"one malignant test tumour = {1 / splits.y_test.sum():.3f} of sensitivity")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(
    1, 2, figsize=(11, 4.2), layout="constrained", gridspec_kw={"width_ratios": [1.3, 1]}
)
axes[0].plot(thresholds[1:], tpr[1:], label="sensitivity (validation)")
axes[0].plot(thresholds[1:], 1 - fpr[1:], label="specificity (validation)")
axes[0].axvline(threshold, color=COLORS["black"], linestyle="--", label=f"t = {threshold:.2f}")
axes[0].axvline(0.5, color="0.6", linestyle=":", label="0.5")
axes[0].set(xscale="log", xlabel="threshold (log scale)", ylim=(0, 1.02))
axes[0].legend(loc="center left", fontsize=10)
plot_confusion_matrix(
    splits.y_test, (p_test["MLP"] >= threshold).astype(int), splits.class_names, ax=axes[1]
)
axes[1].set_title(f"MLP on test, t = {threshold:.2f}")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the lower threshold did
#
# On validation, $t$ flags every malignant tumour within the specificity budget. On the test set it
# catches **no** malignant tumour that 0.5 missed, and it costs specificity (both asserted below).
# That is not a failure of the method but of the sample size: with 32 malignant tumours per part,
# one tumour moves sensitivity by about 0.03, and a threshold tuned on so few cases is uncertain.

# %% slideshow={"slide_type": "fragment"}
assert tpr[allowed[-1]] == 1.0 and 1 - fpr[allowed[-1]] >= 0.95  # on validation
assert on_test[threshold][0] == on_test[0.5][0] and on_test[threshold][1] < on_test[0.5][1]

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Look at the misses
#
# Which malignant test tumours does the MLP still call benign at $t$? The cell below prints their
# predicted probability and, for three size-and-shape features, where they sit between the median
# benign and the median malignant training tumour.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
missed = np.flatnonzero((splits.y_test == 1) & (p_test["MLP"] < threshold))
medians = train_frame.groupby("diagnosis", observed=True)[[*shown[:2], "worst area"]].median()
print(medians.round(3).to_string())
for i in missed:
    row = splits.as_frame("test").iloc[i]
    print(
        f"missed tumour (row {splits.test_idx[i]}): p = {p_test['MLP'][i]:.3f};",
        ", ".join(f"{name} {row[name]:.3f}" for name in medians.columns),
    )

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the printed values against the medians: a malignant tumour whose nuclei look benign on every
# summary statistic cannot be caught by any threshold without flagging many benign tumours. No
# model fixes that; it is a limit of these 30 features. With only 32 malignant tumours in the
# validation set, the threshold itself is uncertain too: a larger validation set gives a steadier
# choice.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 10. Run-to-run variability: five seeds
#
# One training run is one draw: the initial weights, the batch order and the dropout masks are
# random. We retrain with seeds 0–4 (seed 0 is the model above), keeping the split fixed, and report
# mean ± standard deviation beside the (deterministic) baseline. The comparison is decided on
# **ROC-AUC**, fixed in advance because it does not depend on a threshold: the MLP is "at least as
# good" when its mean AUC plus one standard deviation reaches the baseline's AUC.

# %% slideshow={"slide_type": "fragment"}
SEEDS = [0, 1, 2, 3, 4]
p_test_by_seed = {0: p_test["MLP"]}
for seed in SEEDS[1:]:
    model_seed, _ = train_mlp(seed)
    p_test_by_seed[seed] = predict_proba(model_seed, splits.X_test, TRAIN_DEVICE)
per_seed = pd.DataFrame({seed: test_metrics(p) for seed, p in p_test_by_seed.items()}).T

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
baseline_metrics = pd.Series(test_metrics(p_test["logistic regression"]))
summary = pd.DataFrame(
    {
        "MLP mean": per_seed.mean(),
        "MLP sd": per_seed.std(ddof=1),
        "logistic regression": baseline_metrics,
    }
)
summary["MLP - baseline"] = summary["MLP mean"] - summary["logistic regression"]
print(summary.round(3))
auc_mean, auc_sd = summary.loc["ROC-AUC", "MLP mean"], summary.loc["ROC-AUC", "MLP sd"]
as_good = auc_mean + auc_sd >= baseline_metrics["ROC-AUC"]
print("\nMLP at least as good as the baseline on ROC-AUC, within the seed spread:", as_good)
print(f"one test tumour changes accuracy by 1/{len(splits.y_test)} = {1 / len(splits.y_test):.3f}")

# %% slideshow={"slide_type": "-"}
long_seeds = per_seed.reset_index(names="seed").melt(id_vars="seed", var_name="metric")
fig, ax = plt.subplots(figsize=(8, 3.8))
sns.stripplot(
    data=long_seeds,
    x="metric",
    y="value",
    color=COLORS["orange"],
    size=7,
    ax=ax,
    jitter=0.15,
    label="MLP, one seed",
)
ax.scatter(
    range(len(baseline_metrics)),
    baseline_metrics.to_numpy(),
    marker="_",
    s=900,
    color=COLORS["blue"],
    linewidths=3,
    label="logistic regression",
    zorder=3,
)
handles, labels = ax.get_legend_handles_labels()
ax.legend(handles[-2:], labels[-2:], loc="lower right")
ax.set(xlabel="", ylabel="test value", title="five seeds vs the baseline")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the numbers say
#
# The table above is the honest result, and the asserts below hold it to the text:
#
# - on **ROC-AUC**, the criterion fixed in advance, the MLP is at least as good as logistic
#   regression within the seed spread, but ahead by less than 0.01: no clear win;
# - at the default threshold 0.5 it trades precision for recall: on average it finds a few more of
#   the malignant tumours and raises more false alarms, and its accuracy is within two test
#   tumours of the baseline's.
#
# On 30 well-engineered, almost linearly separable features a neural network does **not** clearly
# beat logistic regression. Deep learning pays off with many samples and raw, structured inputs
# (images, sequences), not on a small tidy table.

# %% slideshow={"slide_type": "fragment"}
assert as_good, "the MLP is worse than the baseline beyond the seed spread: revise the claim above"
assert summary.loc["ROC-AUC", "MLP - baseline"] < 0.01  # not a clear win either
assert summary.loc["recall", "MLP - baseline"] > 0 > summary.loc["precision", "MLP - baseline"]
assert abs(summary.loc["accuracy", "MLP - baseline"]) < 2 / len(splits.y_test)  # < 2 tumours

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 11. Which features matter?
#
# **Permutation importance** of feature $j$: shuffle column $j$ of the test set (breaking its link
# with the label, keeping its distribution), and measure the drop in ROC-AUC,
# $I_j = \mathrm{AUC} - \frac1R \sum_{r=1}^{R} \mathrm{AUC}^{(j, r)}_{\text{permuted}}$. It works for
# any model. scikit-learn's implementation needs an object with `fit` and `predict_proba`; a
# four-line adapter gives the trained network that interface.


# %% slideshow={"slide_type": "fragment"}
class TrainedNetwork:
    """A trained binary classifier seen through scikit-learn's estimator interface."""

    def __init__(self, model: nn.Module):
        self.model = model

    def fit(self, X, y):  # already trained: nothing to do
        return self

    def predict_proba(self, X) -> np.ndarray:
        p = predict_proba(self.model, X, TRAIN_DEVICE)
        return np.column_stack([1 - p, p])


# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
def auc_score(estimator, X, y) -> float:
    return roc_auc_score(y, estimator.predict_proba(X)[:, 1])


importance = {}
for name, estimator in {"MLP": TrainedNetwork(mlp), "logistic regression": baseline}.items():
    result = permutation_importance(
        estimator, splits.X_test, splits.y_test, scoring=auc_score, n_repeats=10, random_state=0
    )
    importance[name] = pd.Series(result.importances_mean, index=list(splits.feature_names))
importance = pd.DataFrame(importance).sort_values("MLP", ascending=False)
print(importance.head(6).round(4))

# %% slideshow={"slide_type": "-"}
top = (
    importance.head(10)
    .reset_index(names="feature")
    .melt(id_vars="feature", var_name="model", value_name="AUC drop")
)
fig, ax = plt.subplots(figsize=(8, 4.5))
sns.barplot(
    data=top,
    y="feature",
    x="AUC drop",
    hue="model",
    ax=ax,
    palette=[COLORS["orange"], COLORS["blue"]],
)
ax.set(ylabel="", title="permutation importance on the test set (top 10 for the MLP)")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Importances are small because the features are redundant: when "worst radius" is shuffled, "worst
# perimeter" and "worst area" still carry the size information, so each member of a correlated
# group looks less important than the group is. Permuting a whole group at once, or clustering
# correlated features first, gives a fairer picture. In genomics the same caveat applies to genes of
# one pathway or one co-expression module.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 12. Saving the model — with everything it needs
#
# A model is more than its weights: new tumours must be **scaled with the training statistics**
# and classified with the **chosen threshold**. We save all of it as tensors and plain values, so
# that `torch.load(..., weights_only=True)` accepts the file, into a temporary folder.

# %% slideshow={"slide_type": "fragment"}
checkpoint = {
    "state_dict": mlp.state_dict(),
    "scaler_mean": torch.from_numpy(splits.scaler.mean_),
    "scaler_scale": torch.from_numpy(splits.scaler.scale_),
    "feature_names": list(splits.feature_names),
    "threshold": threshold,
    "positive_class": splits.positive_class,
}
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "breast_cancer_mlp.pt"
    torch.save(checkpoint, path)
    loaded = torch.load(path, map_location="cpu", weights_only=True)
print("saved and reloaded:", list(loaded))

# %% [markdown] slideshow={"slide_type": "subslide"}
# Rebuild the architecture, load the weights, and classify the test tumours **from their raw
# measurements**, on `DEVICE` this time and in float32 (`load_state_dict` converts the float64
# weights): the predictions equal the original float64 ones to 1e-5.

# %% slideshow={"slide_type": "fragment"}
restored = make_mlp()
restored.load_state_dict(loaded["state_dict"])
restored.to(DEVICE)
raw_test = splits.as_frame("test")[loaded["feature_names"]].to_numpy()
X_new = (raw_test - loaded["scaler_mean"].numpy()) / loaded["scaler_scale"].numpy()
p_restored = predict_proba(restored, X_new, DEVICE)
gap = np.abs(p_restored - p_test["MLP"]).max()
assert gap < 1e-5, gap
same = np.array_equal(p_restored >= loaded["threshold"], p_test["MLP"] >= threshold)
print(f"on {DEVICE}: max |difference| = {gap:.1e}; same decisions at t: {same}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 13. The same pipeline on expression data: leakage with $p \gg n$
#
# A simulated cohort (clearly *simulated*): 100 samples, 2,000 genes of pure noise, random labels.
# No model can truly beat 50% accuracy. A common mistake: select the 20 genes most associated with
# the label **on all samples**, then cross-validate a classifier on them. The selection has already
# seen every test fold. Done correctly, the selection is refitted inside each training fold.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
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
print(f"selection on all samples, then CV : accuracy {leaky.mean():.3f}")
print(f"selection inside each CV fold     : accuracy {clean.mean():.3f}  (truth: 0.5)")

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(6.5, 3.2))
ax.barh(
    ["selection inside CV", "selection on all data"],
    [clean.mean(), leaky.mean()],
    color=[COLORS["bluish_green"], COLORS["vermillion"]],
)
ax.axvline(0.5, color=COLORS["black"], linestyle="--", label="chance (labels are random)")
ax.set(xlim=(0, 1), xlabel="cross-validated accuracy")
ax.legend(loc="lower right")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# In an expression study the steps of this notebook carry over with a few additions: normalise
# counts (library size, log) and select genes **within** the training data; keep all samples of a
# patient (replicates, several biopsies) in the same part; stratify by, or at least check, batch
# and sequencing site; expect a penalised linear model to be a strong baseline when $n$ is in the
# hundreds.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercises
#
# ### Exercise 1 — sensitivity and specificity (warm-up)
#
# Write `sensitivity_specificity(y_true, y_pred)` for 0/1 label arrays (1 = malignant) returning
# the pair (sensitivity, specificity), $\frac{TP}{TP+FN}$ and $\frac{TN}{TN+FP}$, from the counts
# of the confusion matrix.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def sensitivity_specificity(y_true, y_pred):
    # YOUR CODE HERE
    return None, None


check_sensitivity_specificity(sensitivity_specificity)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def sensitivity_specificity(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tp = np.sum((y_true == 1) & (y_pred == 1))
    fn = np.sum((y_true == 1) & (y_pred == 0))
    tn = np.sum((y_true == 0) & (y_pred == 0))
    fp = np.sum((y_true == 0) & (y_pred == 1))
    return tp / (tp + fn), tn / (tn + fp)


check_sensitivity_specificity(sensitivity_specificity)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 2 — a threshold from the costs of the errors
#
# Suppose a missed cancer costs $c_{FN}$ and a false alarm $c_{FP}$. Write
# `cost_threshold(y_true, p, cost_fn, cost_fp)` that returns the threshold $t$ (a tumour is called
# malignant when $p \ge t$) minimising the total cost $c_{FN} \cdot FN + c_{FP} \cdot FP$ on the
# given (validation) tumours. Any threshold reaching the minimum is accepted.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def cost_threshold(y_true, p, cost_fn, cost_fp):
    # YOUR CODE HERE
    return None


check_cost_threshold(cost_threshold)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def cost_threshold(y_true, p, cost_fn, cost_fp):
    candidates = np.unique(p)
    costs = [
        cost_fn * np.sum((y_true == 1) & (p < t)) + cost_fp * np.sum((y_true == 0) & (p >= t))
        for t in candidates
    ]
    return candidates[int(np.argmin(costs))]


check_cost_threshold(cost_threshold)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 3 — permutation importance from scratch (harder)
#
# Write `my_permutation_importance(predict, X, y, n_repeats, seed)`: `predict(X)` returns
# probabilities $(n,)$; for every feature $j$, permute the rows of column $j$ only (in a copy of
# `X`), recompute the ROC-AUC, and return the mean drop $I_j$ over `n_repeats` permutations drawn
# with `np.random.default_rng(seed)`, as an array of shape $(d,)$. Then compare your result for the
# MLP, `lambda X: predict_proba(mlp, X, TRAIN_DEVICE)`, with the table of section 11.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def my_permutation_importance(predict, X, y, n_repeats, seed):
    # YOUR CODE HERE
    return None


check_permutation_importance(my_permutation_importance)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_permutation_importance(predict, X, y, n_repeats, seed):
    rng = np.random.default_rng(seed)
    baseline_auc = roc_auc_score(y, predict(X))
    drops = np.zeros((X.shape[1], n_repeats))
    for j in range(X.shape[1]):
        for r in range(n_repeats):
            X_permuted = X.copy()
            X_permuted[:, j] = X[rng.permutation(len(X)), j]
            drops[j, r] = baseline_auc - roc_auc_score(y, predict(X_permuted))
    return drops.mean(axis=1)


check_permutation_importance(my_permutation_importance)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Closing checklist: pitfalls and how this notebook avoided them
#
# | pitfall | what goes wrong | remedy |
# | --- | --- | --- |
# | unclear label coding | "recall" of the wrong class | state the coding; make malignant = 1 explicitly |
# | preprocessing on all data | optimistic validation and test | fit scaler, gene selection on training |
# | looking at the test set | choices tuned to the test set | EDA on training; test used once, at the end |
# | unstratified split | parts with different class balance | `stratify=y` |
# | sigmoid before `BCEWithLogitsLoss` | sigmoid applied twice | output logits; the loss applies $\sigma$ |
# | $(n, 1)$ outputs vs $(n,)$ targets | loss silently over an $(n, n)$ matrix | squeeze the output axis |
# | forgetting `model.eval()` | dropout and batch statistics at test time | `eval()` + `torch.no_grad()` |
# | one lucky seed | differences that are noise | several seeds, mean ± sd |
# | accuracy alone | hides the errors that matter | sensitivity, specificity, PR, AUC |
# | threshold 0.5 by habit | ignores unequal costs | choose $t$ on validation |
# | weights saved without preprocessing | wrong inputs after reloading | save scaler statistics and $t$ too |
# | `torch.load` of untrusted files | arbitrary code execution | `weights_only=True` |
# | one patient in two parts (genomics) | optimistic results | split by patient |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary / key ideas
#
# - Make the **positive class** explicit: scikit-learn's copy codes malignant as 0; we use
#   1 = malignant so that recall means sensitivity to cancer.
# - **Split first** (stratified train / validation / test), explore the training part only, and fit
#   all preprocessing on it.
# - A **baseline** tuned as carefully as the network is the reference; here logistic regression is
#   very strong, and the MLP matches it within the seed spread rather than beating it clearly.
# - The **modern recipe** — logits with `BCEWithLogitsLoss`, Adam with weight decay, batch norm,
#   dropout, early stopping on validation — trains a small network reliably in seconds.
# - **Evaluate** with several metrics, curves and calibration; choose the **threshold** on
#   validation for the errors that matter, and look at the cases the model still misses.
# - Report **variability over seeds**; read **importance** with correlated features in mind; save
#   the model **with** its preprocessing and threshold and load it with `weights_only=True`.
# - In genomics ($p \gg n$) the same pipeline applies, and leakage through feature selection can
#   turn pure noise into an apparently excellent classifier.
