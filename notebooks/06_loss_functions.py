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
# # 06 — Loss functions
#
# **Previously:** 05 chose the output activation by task; the model outputs
# [logits](GLOSSARY.md#logit) $z$.
#
# Objectives:
# 1. pair each output activation with its loss, and derive the losses as negative
#    log-likelihoods;
# 2. choose MSE, MAE or Huber when targets have outliers;
# 3. explain why classification uses cross-entropy, computed on logits;
# 4. handle class imbalance with weights or with the threshold, and know what each costs.

# %% [markdown] slideshow={"slide_type": "skip"}
# [Open in Colab](https://colab.research.google.com/github/unipv-genomic-data-science/day3-deep-learning-foundations/blob/main/notebooks/06_loss_functions.ipynb)

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

import matplotlib.pyplot as plt
import numpy as np

from dlcourse import scratch
from dlcourse.data import simulate_expression_regression, simulate_tumour_subtypes
from dlcourse.exercises import check_mae_grad
from dlcourse.plots import COLORS, set_style
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import Adam, Dense
from dlcourse.stats import paired_difference

seed_everything(0)
DEVICE = get_device()
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The output activation and the loss come in pairs
#
# | task | output activation | loss over $N$ samples |
# | --- | --- | --- |
# | regression | identity | MSE $= \frac1N \sum_i (y_i - \hat y_i)^2$ |
# | regression, robust | identity | MAE $= \frac1N \sum_i \lvert y_i - \hat y_i \rvert$ |
# | binary | sigmoid | BCE $= -\frac1N \sum_i \big[y_i \log \hat y_i + (1 - y_i) \log(1 - \hat y_i)\big]$ |
# | $C$ classes | softmax | CCE $= -\frac1N \sum_i \sum_c y_{ic} \log \hat y_{ic}$ ($y_{ic}$ one-hot) |
#
# MSE here, as in PyTorch's `MSELoss`, has $\frac1N$; notebook 04's backpropagation example used
# $\frac12$·MSE, which only halves the gradient.

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the table row by row with notebook 05's output table: the output activation decides what
# ŷ is, the loss decides how a wrong ŷ is punished. Ask: "predicting a tumour's subtype among 4,
# which row?" (softmax + CCE). Common confusion: y is one-hot in the formula, an integer label
# in PyTorch's `CrossEntropyLoss`.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Each loss is a negative log-likelihood
#
# Pick a noise model $p(y \mid \hat y)$; training minimises $-\frac1N \sum_i \log p(y_i \mid \hat y_i)$:
#
# - **Gaussian**, $p = \frac{1}{\sqrt{2\pi s^2}} e^{-(y - \hat y)^2 / 2s^2}$:
#   $\;-\log p = \frac{(y - \hat y)^2}{2 s^2} + \frac12 \log 2\pi s^2$ → MSE (up to scale and a
#   constant).
# - **Bernoulli**, $p = \hat y^{\,y} (1 - \hat y)^{1 - y}$:
#   $\;-\log p = -\big[y \log \hat y + (1 - y) \log(1 - \hat y)\big]$ → BCE.
# - **Categorical**, $p = \prod_c \hat y_c^{\,y_c}$: $\;-\log p = -\sum_c y_c \log \hat y_c$ → CCE.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask: "which noise model gives MAE?" (Laplace, in the deep dive). The ½ of "½·MSE" is the
# Gaussian's 1/(2s²) with s = 1. Common confusion: the loss is not arbitrary; it says what noise
# we believe the targets have.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Regression with outliers: MSE, MAE, Huber
#
# As a function of the residual $r = \hat y - y$, the gradients are $2r$ (MSE), $\operatorname{sign}(r)$
# (MAE) and $\operatorname{clip}(r, -1, 1)$ (Huber, $\delta = 1$): MSE pushes hardest on the
# largest errors, so a few extreme values drag the fit.

# %% slideshow={"slide_type": "fragment"}
LOSS_GRADIENTS = {  # dL/dy_hat of one sample, from the residual r = y_hat - y
    "MSE": lambda r: 2 * r,
    "MAE": np.sign,
    "Huber": lambda r: np.clip(r, -1.0, 1.0),
}

# %% [markdown] slideshow={"slide_type": "notes"}
# The gradient is what training feels. An outlier with residual 20 pushes MSE's fit with force
# 40, MAE's and Huber's with force 1. Ask: "which loss would you use for a gene whose
# measurements sometimes fail?" (MAE or Huber). MAE's gradient has no size information near 0.


# %% slideshow={"slide_type": "skip"}
def fit_linear(X, y, mean_loss_gradient, steps=500):
    """A linear model, full-batch Adam; mean_loss_gradient(y_hat, y) is d(mean loss)/dy_hat."""
    model = Dense(X.shape[1], 1, rng=0)
    optimizer = Adam(model.params, lr=0.05)
    for _ in range(steps):
        model.zero_grad()
        model.backward(mean_loss_gradient(model(X), y))
        optimizer.step(model.grads)
    return model


# %% [markdown] slideshow={"slide_type": "slide"}
# ## The three losses of one residual

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="MSE, MAE and Huber loss against the residual"
r_line = np.linspace(-4, 4, 401)
huber = np.where(np.abs(r_line) <= 1, 0.5 * r_line**2, np.abs(r_line) - 0.5)  # delta = 1
fig, ax = plt.subplots(figsize=(8, 3.6))
for label, values in [("MSE: $r^2$", r_line**2), ("MAE: $|r|$", np.abs(r_line)), ("Huber", huber)]:
    ax.plot(r_line, values, linewidth=2.5, label=label)
ax.set(xlabel="residual $r = \\hat y - y$", ylabel="loss of one sample", ylim=(0, 6))
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# The slopes of these curves are the gradients of the previous slide. Huber is a parabola near 0
# (½r², smooth like MSE) joined to a straight line beyond δ = 1 (slope 1, like MAE). Common
# confusion: Huber is not "between" MSE and MAE everywhere; it behaves like each in its region.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Five extreme values in 200 training samples
#
# Simulated: a target gene from 20 genes; 5 training targets set to 25 (failed normalisation).
# Test MSE on 100 clean samples, over 10 seeds.


# %% slideshow={"slide_type": "skip"}
def outlier_run(seed):
    """Test MSE of each loss, trained on data with 5 extreme targets."""
    X, y = simulate_expression_regression(n_samples=300, n_genes=20, seed=seed)
    X, y = X.to_numpy(), y.to_numpy()[:, None]
    y_train = y[:200].copy()
    y_train[np.random.default_rng(seed).choice(200, size=5, replace=False)] = 25.0
    models = {
        name: fit_linear(X[:200], y_train, lambda y_hat, y, g=g: g(y_hat - y) / len(y))
        for name, g in LOSS_GRADIENTS.items()
    }
    return {name: scratch.mse(model(X[200:]), y[200:]) for name, model in models.items()}


# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
runs = [outlier_run(seed) for seed in range(10)]
test_mse = {name: np.array([run[name] for run in runs]) for name in LOSS_GRADIENTS}
print("mean test MSE:", {name: round(float(v.mean()), 2) for name, v in test_mse.items()})
mse_vs_huber = paired_difference(test_mse["MSE"], test_mse["Huber"])
mae_vs_huber = paired_difference(test_mse["MAE"], test_mse["Huber"])
for name, d in (("MSE - Huber", mse_vs_huber), ("MAE - Huber", mae_vs_huber)):
    print(f"{name}: {d.estimate:+.3f} [{d.low:+.3f}, {d.high:+.3f}]")  # 95 % interval
assert mse_vs_huber.low > 0 and mae_vs_huber.low > 0  # Huber best, MSE far worst

# %% [markdown] slideshow={"slide_type": "fragment"}
# MSE's fit is dragged by five values out of 200; MAE and Huber ignore them. Huber is quadratic
# near 0 (smooth, efficient) and linear beyond $\delta$ (robust): a little better than MAE here.

# %% [markdown] slideshow={"slide_type": "notes"}
# The test samples are clean: the outliers only hurt through the fit. The brackets are 95 %
# intervals of the paired difference over 10 seeds; both exclude 0. Ask: "would you delete the
# five samples instead?" — often right, if you can tell they failed; a robust loss does not need
# to know which ones.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercise 1 — the gradient of MAE
#
# Write `mae_grad(y_hat, y)`: $\partial \mathcal{L}_\text{MAE} / \partial \hat y$ with the shape
# of `y_hat` (1-D or 2-D), $N$ = number of elements; 0 where $\hat y_i = y_i$, as PyTorch.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def mae_grad(y_hat, y):
    # YOUR CODE HERE
    return None


check_mae_grad(mae_grad)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def mae_grad(y_hat, y):
    y_hat, y = np.asarray(y_hat, dtype=float), np.asarray(y, dtype=float)
    return np.sign(y_hat - y) / y_hat.size


assert check_mae_grad(mae_grad)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why cross-entropy, not MSE, for classification
#
# With $\hat y = \sigma(z)$, per sample:
# $\;\partial\,\mathrm{BCE} / \partial z = \sigma(z) - y$, but
# $\;\partial (\sigma(z) - y)^2 / \partial z = 2(\sigma(z) - y)\,\sigma'(z)$.
# For a confidently **wrong** prediction $\sigma'(z) \approx 0$: MSE stops correcting it.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Gradient size of BCE and MSE for a case"
z_line = np.linspace(-8, 8, 321)
s_line = scratch.sigmoid(z_line)  # every sample is a case, y = 1
fig, ax = plt.subplots(figsize=(8, 3.6))
ax.plot(z_line, 1 - s_line, color=COLORS["blue"], label="BCE: $|\\sigma(z) - 1|$")
ax.plot(z_line, 2 * (1 - s_line) * s_line * (1 - s_line), color=COLORS["vermillion"], label="MSE")
ax.axvspan(-8, 0, color=COLORS["black"], alpha=0.05)
ax.set(xlabel="logit $z$ of a case ($y = 1$); shaded: wrong side", ylabel="|gradient| w.r.t. $z$")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at z = −6: the model is sure it is a control, and it is a case. BCE's gradient is
# almost 1, MSE's almost 0: gradient saturation. A deep dive trains both from such a start.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Losses on logits, and the classic mistakes
#
# In float64 $\sigma(40) = 1$ exactly, so $\log(1 - \sigma(40))$ is $-\infty$. Computed from the
# logit, $-\log \sigma(z) = \max(-z, 0) + \log(1 + e^{-\lvert z \rvert})$ never overflows: that
# is what `BCEWithLogitsLoss` and `CrossEntropyLoss` do. They expect **logits**.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
with np.errstate(divide="ignore"):  # log(0) is the point of this demo
    via_sigmoid = -np.log(1 - scratch.sigmoid(40.0))  # a control (y = 0) with z = 40
on_logit = scratch.binary_cross_entropy_with_logits([40.0], [0.0])
print(f"BCE via sigmoid: {via_sigmoid}, on the logit: {on_logit}")
logits, labels = np.array([[4.0, 0.0, -2.0], [-1.0, 3.0, 0.0]]), np.array([0, 1])
on_logits = scratch.cross_entropy(logits, labels)
on_probs = scratch.cross_entropy(scratch.softmax(logits), labels)  # the mistake
print(f"CCE on logits {on_logits:.3f}, on softmax(logits) (wrong) {on_probs:.3f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Softmax before CrossEntropyLoss applies softmax twice: even a perfect prediction then costs at
# least log(1 + (C−1)/e). Sigmoid before BCEWithLogitsLoss: a perfect case still costs
# −log σ(1). No error is raised; only the numbers tell (deep dive: the same numbers in PyTorch).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Class imbalance: weights or threshold?
#
# A rare subtype (10 % of tumours). `BCEWithLogitsLoss(pos_weight=w)`, $w = N_\text{neg} /
# N_\text{pos}$, multiplies each positive's loss by $w$ and still divides by $N$ (unlike
# `CrossEntropyLoss(weight=...)`, which divides by the sum of the weights). It shifts the logits
# up by about $\log w$: probabilities **inflated**. Alternative: no weights, threshold $1 / (1 + w)$.


# %% slideshow={"slide_type": "fragment"}
def bce_gradient(pos_weight):
    """d(mean BCE with pos_weight)/dz: divided by N, not by the sum of the weights."""

    def gradient(z, y):
        p = scratch.sigmoid(z)
        return (p * (1 + (pos_weight - 1) * y) - pos_weight * y) / len(y)

    return gradient


# %% [markdown] slideshow={"slide_type": "notes"}
# With 10 % positives, a model that always says "common subtype" is 90 % accurate and useless.
# Two remedies: weight the rare class in the loss, or keep the loss and lower the threshold.
# Ask: "which one changes the model, which one only the decision?" — weights change the model.


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Weights or threshold: 10 seeds
#
# 1,000 simulated tumours, 20 genes; a logistic model trained on 500, evaluated on 500.


# %% slideshow={"slide_type": "skip"}
def imbalance_run(seed):
    """Recall of the rare subtype, mean predicted probability and the true rate (test half)."""
    X, y = simulate_tumour_subtypes(
        1000, n_genes=20, n_subtypes=2, seed=seed, imbalance=(0.9, 0.1), effect_size=0.8
    )
    X, y = X.to_numpy(), y.to_numpy()[:, None].astype(float)
    w = np.sum(y[:500] == 0) / np.sum(y[:500] == 1)
    plain, weighted = (
        scratch.sigmoid(fit_linear(X[:500], y[:500], bce_gradient(pw), steps=300)(X[500:]))
        for pw in (1.0, w)
    )
    rare = y[500:, 0] == 1
    recalls = [np.mean(plain[rare] > 0.5), np.mean(weighted[rare] > 0.5)]
    return [
        *recalls,
        np.mean(plain[rare] > 1 / (1 + w)),
        plain.mean(),
        weighted.mean(),
        rare.mean(),
    ]


runs = np.array([imbalance_run(seed) for seed in range(10)])
weights_help = paired_difference(runs[:, 1], runs[:, 0])  # recall: weighted - unweighted
threshold_vs_weights = paired_difference(runs[:, 2], runs[:, 1])  # recall: threshold - weighted
inflated = paired_difference(runs[:, 4], runs[:, 5])  # weighted: mean p - true rate
calibrated = paired_difference(runs[:, 3], runs[:, 5])  # unweighted: mean p - true rate

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
comparisons = {  # paired over 10 seeds: mean difference [95 % interval]
    "recall, weighted - unweighted": weights_help,
    "recall, threshold - weighted": threshold_vs_weights,
    "mean p - rate, weighted": inflated,
    "mean p - rate, unweighted": calibrated,
}
for name, d in comparisons.items():
    print(f"{name:<30} {d.estimate:+.3f} [{d.low:+.3f}, {d.high:+.3f}]")

# %% slideshow={"slide_type": "skip"}
assert weights_help.low > 0 and threshold_vs_weights.covers(0.0)
assert inflated.low > 0 and calibrated.covers(0.0)

# %% [markdown] slideshow={"slide_type": "fragment"}
# Weights raise the rare subtype's recall; moving the threshold does as well (no clear
# difference), and keeps the probabilities calibrated. Report per-class metrics, not accuracy.

# %% [markdown] slideshow={"slide_type": "notes"}
# The numbers are mean differences over 10 seeds with 95 % intervals. Question: "a clinician
# reads 'probability 0.3' from the weighted model — is it 0.3?" No: weighting inflated it. If the
# probabilities are used as risks, prefer threshold moving (or recalibrate).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Identity + MSE/MAE, sigmoid + BCE, softmax + CCE: each is a negative log-likelihood
#   (Gaussian, Bernoulli, categorical).
# - Outliers: MSE is dragged, MAE and Huber are robust.
# - Cross-entropy keeps a large gradient on confident mistakes; MSE on a sigmoid does not.
# - Compute losses on logits; never a softmax/sigmoid in front of a loss that expects logits.
# - Class weights inflate probabilities; moving the threshold keeps them calibrated.
#
# **Next:** 07 — training that generalises: regularisation.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Common mistakes
#
# > - `softmax` before `CrossEntropyLoss`, `sigmoid` before `BCEWithLogitsLoss`: no error, wrong
# >   numbers.
# > - MSE for classification: learning stalls on confident mistakes.
# > - Reading probabilities of a class-weighted model as risks.
# > - Assuming `pos_weight` is normalised like `weight` (it divides by $N$).
# > - Judging an imbalanced classifier by accuracy alone.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice 2 — binary cross-entropy
#
# Write `bce(y_hat, y)`: the mean BCE of probabilities `y_hat` against 0/1 labels `y`, both of
# shape `(N,)`, as one number, with `np.log`.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_bce


def bce(y_hat, y):
    # YOUR CODE HERE
    return None


check_bce(bce)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def bce(y_hat, y):
    y_hat, y = np.asarray(y_hat, dtype=float), np.asarray(y, dtype=float)
    return -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))


assert check_bce(bce)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice 3 — BCE from logits, stably
#
# Write `bce_with_logits(z, y)`: the mean BCE from logits `z` (any shape, `y` the same), as one
# number, finite and silent even for $z = \pm 1000$. Do not compute $\sigma(z)$: use
# $\ell = (1 - y)\,z + \max(-z, 0) + \log(1 + e^{-\lvert z \rvert})$ (`np.log1p`).


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_bce_with_logits


def bce_with_logits(z, y):
    # YOUR CODE HERE
    return None


check_bce_with_logits(bce_with_logits)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def bce_with_logits(z, y):
    z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
    softplus_of_minus_z = np.maximum(-z, 0) + np.log1p(np.exp(-np.abs(z)))  # -log sigmoid(z)
    return np.mean((1 - y) * z + softplus_of_minus_z)


assert check_bce_with_logits(bce_with_logits)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice 4 — class-weighted cross-entropy (harder)
#
# Write `weighted_cross_entropy(z, y, weight)` for logits `z` `(N, C)`, integer labels `y` `(N,)`
# and class weights `weight` `(C,)`: PyTorch's weighted mean
# $\sum_i w_{y_i} \ell_i / \sum_i w_{y_i}$ with $\ell_i = -\log \hat y_{i, y_i}$, as one
# number. Compute the log-softmax stably yourself (the check uses logits of 1000).


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_weighted_cross_entropy


def weighted_cross_entropy(z, y, weight):
    # YOUR CODE HERE
    return None


check_weighted_cross_entropy(weighted_cross_entropy)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def weighted_cross_entropy(z, y, weight):
    z = np.asarray(z, dtype=float)
    shifted = z - z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    w = np.asarray(weight, dtype=float)[y]
    return np.sum(w * -log_probs[np.arange(len(y)), y]) / np.sum(w)


assert check_weighted_cross_entropy(weighted_cross_entropy)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — MSE with or without ½, and the likelihoods checked
#
# > **Deep dive — optional.** PyTorch's `MSELoss` (no ½) against ½·MSE, the constant
# > predictions that minimise MSE and MAE, and every loss of the likelihood slide checked against
# > `torch.distributions` (plus Laplace → MAE); the rest of the notebook does not need it.
#
# $\partial\, \mathrm{MSE} / \partial \hat y_i = \frac2N (\hat y_i - y_i)$; with ½ it is
# $\frac1N (\hat y_i - y_i)$: same minimum, a learning rate twice as large in effect. The best
# constant prediction is the **mean** for MSE and the **median** for MAE.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
import torch

f64 = {"dtype": torch.float64}
X_reg, y_reg = simulate_expression_regression(n_samples=300, n_genes=20, seed=0)
X_reg, y_reg = X_reg.to_numpy(), y_reg.to_numpy()
y_hat_reg = X_reg @ np.linalg.lstsq(X_reg[:200], y_reg[:200], rcond=None)[0]  # least squares
y_hat_t = torch.tensor(y_hat_reg, **f64, requires_grad=True)
torch.nn.MSELoss()(y_hat_t, torch.tensor(y_reg, **f64)).backward()
mse_loss = scratch.MSELoss()
assert np.isclose(
    mse_loss(y_hat_reg, y_reg),
    torch.nn.functional.mse_loss(y_hat_t, torch.tensor(y_reg, **f64)).item(),
    rtol=1e-12,
)
ours_grad = mse_loss.backward()
assert np.allclose(ours_grad, y_hat_t.grad.numpy(), rtol=1e-12, atol=1e-15)  # float64
assert np.allclose(ours_grad, 2 * (y_hat_reg - y_reg) / len(y_reg), rtol=1e-12)  # no ½: factor 2
c_grid = np.linspace(-3, 3, 1201)
best_mse = c_grid[np.argmin([scratch.mse(np.full_like(y_reg, c), y_reg) for c in c_grid])]
best_mae = c_grid[np.argmin([scratch.mae(np.full_like(y_reg, c), y_reg) for c in c_grid])]
assert abs(best_mse - y_reg.mean()) <= 0.005 and abs(best_mae - np.median(y_reg)) <= 0.005
print(f"best constant for MSE {best_mse:+.3f}, mean {y_reg.mean():+.3f}")
print(f"best constant for MAE {best_mae:+.3f}, median {np.median(y_reg):+.3f}")

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
D = torch.distributions
z_bin = np.random.default_rng(1).normal(size=(50, 1)) * 2
y_bin = (np.random.default_rng(2).random((50, 1)) < 0.5).astype(float)
z_cat, y_cat = np.random.default_rng(3).normal(size=(50, 4)) * 2, np.arange(50) % 4
pred_t, true_t = torch.tensor(y_hat_reg, **f64), torch.tensor(y_reg, **f64)
nll = {
    "Gaussian (s = 1)": -D.Normal(pred_t, 1.0).log_prob(true_t).mean().item(),
    "Laplace (b = 1)": -D.Laplace(pred_t, 1.0).log_prob(true_t).mean().item(),
    "Bernoulli": -D.Bernoulli(logits=torch.tensor(z_bin, **f64))
    .log_prob(torch.tensor(y_bin, **f64))
    .mean()
    .item(),
    "Categorical": -D.Categorical(logits=torch.tensor(z_cat, **f64))
    .log_prob(torch.tensor(y_cat))
    .mean()
    .item(),
}
ours = {
    "Gaussian (s = 1)": 0.5 * scratch.mse(y_hat_reg, y_reg) + 0.5 * np.log(2 * np.pi),
    "Laplace (b = 1)": scratch.mae(y_hat_reg, y_reg) + np.log(2.0),
    "Bernoulli": scratch.binary_cross_entropy_with_logits(z_bin, y_bin),
    "Categorical": scratch.cross_entropy(z_cat, y_cat),
}
for name in nll:
    assert np.isclose(nll[name], ours[name], rtol=1e-10)  # float64: NLL = loss (+ constant)
    print(f"{name:<17} NLL = {nll[name]:.6f} = our loss (+ constant)")

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — MSE on a sigmoid stalls when it starts confidently wrong
#
# > **Deep dive — optional.** Trains a logistic neuron from a confidently wrong start
# > ($W = 0$, $b = -6$) with BCE and with MSE on $\sigma(z)$; the rest of the notebook does not
# > need it.
#
# Data: 400 simulated tumours of two equally frequent subtypes, 20 genes. We track **training**
# accuracy only: the point is how fast each loss corrects the start, not generalisation.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
X_two, y_two = simulate_tumour_subtypes(400, n_genes=20, n_subtypes=2, seed=0, effect_size=1.0)
X_two, y_two = X_two.to_numpy(), y_two.to_numpy()[:, None].astype(float)
gradients = {  # d(mean loss)/dz for a sigmoid output
    "BCE": lambda z, y: (scratch.sigmoid(z) - y) / len(y),
    "MSE": lambda z, y: 2 * (scratch.sigmoid(z) - y) * scratch.sigmoid_grad(z) / len(y),
}
train_accuracy = {}
for name, gradient in gradients.items():
    neuron, accuracy = Dense(20, 1, rng=0), []
    neuron.W[...], neuron.b[...] = 0.0, -6.0
    optimizer = scratch.SGD(neuron.params, lr=0.5)
    for _ in range(200):
        neuron.zero_grad()
        neuron.backward(gradient(neuron(X_two), y_two))
        optimizer.step(neuron.grads)
        accuracy.append(np.mean((neuron(X_two) > 0) == y_two))
    train_accuracy[name] = np.array(accuracy)
    print(
        f"{name}: training accuracy after 10 steps {accuracy[9]:.3f}, after 200 {accuracy[-1]:.3f}"
    )
assert train_accuracy["BCE"][9] > train_accuracy["MSE"][9] + 0.2  # BCE corrects the start faster

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "hide-code"] alt="Training accuracy, BCE and MSE"
fig, ax = plt.subplots(figsize=(8, 3.6))
for name, acc in train_accuracy.items():
    ax.plot(np.arange(1, 201), acc, label=name, linewidth=2.5)
ax.set(xlabel="SGD step", ylabel="training accuracy", title="start: W = 0, b = -6")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — the from-scratch losses equal PyTorch's
#
# > **Deep dive — optional.** Every loss of `dlcourse.scratch` (and this notebook's Huber and
# > `pos_weight` gradients) against `torch.nn`, values and gradients in float64, plus the classic
# > mistakes with PyTorch's own losses; the rest of the notebook does not need it.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
rng = np.random.default_rng(0)
z_b, y_b = rng.normal(size=(16, 1)) * 3, rng.integers(0, 2, size=(16, 1)).astype(float)
z_c, y_c = rng.normal(size=(16, 5)) * 3, rng.integers(0, 5, size=16)
w_c, r_hat, r = rng.uniform(0.5, 2, size=5), rng.normal(size=(16, 2)) * 2, rng.normal(size=(16, 2))
nn = torch.nn
cases = [  # (name, scratch loss, torch loss, prediction, target)
    ("MSELoss", scratch.MSELoss(), nn.MSELoss(), r_hat, r),
    ("L1Loss", scratch.L1Loss(), nn.L1Loss(), r_hat, r),
    ("BCELoss", scratch.BCELoss(), nn.BCELoss(), scratch.sigmoid(z_b), y_b),
    (
        "BCEWithLogitsLoss",
        scratch.BCEWithLogitsLoss(pos_weight=3.0),
        nn.BCEWithLogitsLoss(pos_weight=torch.tensor(3.0, **f64)),
        z_b,
        y_b,
    ),
    (
        "CrossEntropyLoss",
        scratch.CrossEntropyLoss(weight=w_c),
        nn.CrossEntropyLoss(weight=torch.tensor(w_c, **f64)),
        z_c,
        y_c,
    ),
]
for name, ours_loss, torch_loss, pred, target in cases:
    value, grad = ours_loss(pred, target), ours_loss.backward()
    pred_t = torch.tensor(pred, **f64, requires_grad=True)
    target_t = torch.tensor(target) if target.dtype.kind == "i" else torch.tensor(target, **f64)
    torch_value = torch_loss(pred_t, target_t)
    torch_value.backward()
    assert np.isclose(value, torch_value.item(), rtol=1e-12, atol=0)
    assert np.allclose(grad, pred_t.grad.numpy(), rtol=1e-10, atol=1e-15)
    print(f"{name:<18} value and gradient match torch")
pos_weight_grad = scratch.BCEWithLogitsLoss(pos_weight=3.0)
pos_weight_grad(z_b, y_b)
assert np.allclose(bce_gradient(3.0)(z_b, y_b), pos_weight_grad.backward(), rtol=1e-12)  # / N
r_t = torch.tensor(r_hat, **f64, requires_grad=True)
nn.HuberLoss(delta=1.0)(r_t, torch.tensor(r, **f64)).backward()
assert np.allclose(LOSS_GRADIENTS["Huber"](r_hat - r) / r.size, r_t.grad.numpy(), rtol=1e-12)
print("pos_weight and Huber gradients of this notebook match torch")

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
labels_t = torch.tensor(labels)
perfect = torch.tensor(np.eye(3)[labels] * 50.0, **f64)  # certain and correct logits
wrong_perfect = nn.CrossEntropyLoss()(torch.softmax(perfect, dim=1), labels_t).item()
assert np.isclose(wrong_perfect, np.log(1 + 2 / np.e), rtol=1e-12)  # floor log(1 + (C-1)/e)
assert np.isclose(
    nn.CrossEntropyLoss()(torch.softmax(torch.tensor(logits), dim=1), labels_t).item(),
    scratch.cross_entropy(scratch.softmax(logits), labels),
    rtol=1e-12,
)
case_floor = nn.BCEWithLogitsLoss()(
    torch.sigmoid(torch.tensor([50.0], **f64)), torch.ones(1, **f64)
).item()
assert np.isclose(case_floor, -np.log(scratch.sigmoid(1.0)), rtol=1e-12)
print(f"softmax before CrossEntropyLoss: a perfect prediction still costs {wrong_perfect:.4f}")
print(f"sigmoid before BCEWithLogitsLoss: a perfect case still costs {case_floor:.4f}")

# %% [markdown] slideshow={"slide_type": "fragment"} tags=["deep-dive"]
# In practice the loss runs on `DEVICE` in float32 with the model; the class-weighted loss there
# agrees with the float64 value to float32 precision.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive"]
device_loss = nn.CrossEntropyLoss(weight=torch.tensor(w_c, dtype=torch.float32, device=DEVICE))
device_value = device_loss(
    torch.tensor(z_c, dtype=torch.float32, device=DEVICE), torch.tensor(y_c, device=DEVICE)
).item()
assert np.isclose(device_value, scratch.cross_entropy(z_c, y_c, weight=w_c), rtol=1e-5)
print(f"{DEVICE}: float32 weighted CCE agrees with float64 to 1e-5")
