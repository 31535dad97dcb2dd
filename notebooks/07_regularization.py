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
# # 07 — Training and regularisation
#
# **Day 3 · Deep Learning Foundations (PyTorch)**
#
# A low training loss is easy; a model that works on the *next* patient is the goal. With 60
# patients and 2,000 genes a network can memorise anything — this notebook shows how to stop it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Learning objectives
#
# By the end of this notebook you can
#
# 1. define generalisation, and diagnose under- and overfitting from training and validation curves
#    as the capacity of a network grows;
# 2. explain why an omics cohort with far more genes than patients ($p \gg n$) is the extreme case;
# 3. write L2 regularisation / weight decay as a penalty and as an update rule, and say why Adam with
#    an L2 term is not the same as AdamW;
# 4. implement inverted dropout, and recognise the bug of evaluating a model without `model.eval()`;
# 5. stop training early on a validation set and restore the best weights;
# 6. augment genomic data: noise on expression profiles, the reverse complement of DNA;
# 7. explain batch normalisation's batch statistics (training) and running statistics (evaluation);
# 8. compare regularisers honestly: several seeds, mean ± standard deviation, the test set used once.

# %% slideshow={"slide_type": "skip"}
import inspect

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from torch import nn

from dlcourse.data import (
    one_hot_dna,
    reverse_complement,
    simulate_dna_motif,
    simulate_expression_regression,
    simulate_p_much_greater_than_n,
)
from dlcourse.exercises import (
    check_batchnorm_forward,
    check_dropout_forward,
    check_early_stopping,
    check_weight_decay_step,
)
from dlcourse.plots import COLORS, plot_training_curves, set_style
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import SGD, Adam, AdamW, BatchNorm1d, Dropout
from dlcourse.training import EarlyStopping, evaluate, fit, predict_proba

seed_everything(0)
DEVICE = get_device()
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Generalisation
#
# Training minimises the **empirical risk**, the mean loss on the $N$ training samples,
#
# $$\hat R(\boldsymbol\theta)
# = \frac{1}{N}\sum_{i=1}^{N} \ell\big(f_{\boldsymbol\theta}(\mathbf x_i), y_i\big),$$
#
# but what matters is the **expected risk** on new samples from the same population,
# $R(\boldsymbol\theta) = \mathbb E_{(\mathbf x, y)}\big[\ell(f_{\boldsymbol\theta}(\mathbf x), y)\big]$.
# A model **generalises** when the gap $R - \hat R$ is small. $R$ is unknown, so we estimate it on
# data the training never saw:
#
# - a **validation set** to make choices (capacity, regularisation, when to stop);
# - a **test set**, used **once** at the very end, for the number we report.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Under- and overfitting
#
# | | cause | training error | validation error |
# | --- | --- | --- | --- |
# | **underfitting** | model too simple (too little *capacity*) | high | high |
# | **good fit** | capacity matched to data | low | low, close to training |
# | **overfitting** | model too flexible for the data: it memorises noise | very low | high |
#
# **Capacity** is how many different functions a model can represent: here, the number of hidden
# units. The goal is the balance between fitting the structure and ignoring the noise.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Capacity sweep on a gene-regulation task
#
# Simulated data: predict a target gene's expression from 5 genes (3 regulators act through a
# saturating and an interaction term, 2 are unrelated), with 60 training samples. Because it is
# simulated we can afford 500 validation samples, a precise estimate of $R$.
#
# The experiments train tiny networks many times. We run them on the **CPU in float64, on one
# thread**: for models this small the CPU is faster than a GPU (no launch overhead per step), and the
# results are reproducible to the last digit, so the printed numbers can be checked.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
CPU = torch.device("cpu")
torch.set_num_threads(1)  # tiny models: one thread avoids synchronisation overhead

X_expr, y_expr = simulate_expression_regression(n_samples=560, n_genes=5, noise=0.5, seed=1)
X_expr = torch.tensor(X_expr.to_numpy())
y_expr = torch.tensor(y_expr.to_numpy())
# a loader can be any iterable of (X, y) batches: one batch = full-batch training
expr_train = [(X_expr[:60], y_expr[:60])]
expr_val = [(X_expr[60:], y_expr[60:])]
print("train:", tuple(expr_train[0][0].shape), " validation:", tuple(expr_val[0][0].shape))

# %% slideshow={"slide_type": "subslide"}
widths = [1, 2, 8, 32, 128]
histories, sweep_models = {}, {}
for width in widths:
    seed_everything(0)
    model = nn.Sequential(nn.Linear(5, width), nn.Tanh(), nn.Linear(width, 1)).double()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    histories[width] = fit(
        model,
        expr_train,
        expr_val,
        nn.MSELoss(),
        optimizer,
        epochs=200,
        device=CPU,
        progress=False,
    )
    sweep_models[width] = model
sweep = pd.DataFrame(
    {
        "train MSE": [h.train_loss[-1] for h in histories.values()],
        "validation MSE": [h.val_loss[-1] for h in histories.values()],
    },
    index=pd.Index(widths, name="hidden units"),
)

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
print(sweep.round(3))
best_width = sweep["validation MSE"].idxmin()
print("lowest validation MSE at", best_width, "hidden units")
assert np.all(np.diff(sweep["train MSE"]) < 0)  # more capacity always fits the training data better
assert best_width not in (widths[0], widths[-1])  # ...but validation is best in between

# %% [markdown] slideshow={"slide_type": "subslide"}
# Training error falls with every extra unit (the assert above checks it); validation error first
# falls, then rises again: the left end underfits, the right end overfits.

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(widths, sweep["train MSE"], "o-", color=COLORS["blue"], label="training")
ax.plot(widths, sweep["validation MSE"], "o-", color=COLORS["vermillion"], label="validation")
ax.axvline(best_width, color="0.4", linestyle="--", linewidth=1.2, label="best capacity")
ax.set(xscale="log", xlabel="hidden units (capacity)", ylabel="MSE after 200 epochs")
ax.set_xticks(widths, [str(width) for width in widths])
ax.minorticks_off()
ax.text(1.3, 1.4, "underfitting", color="0.3")
ax.text(40, 1.45, "overfitting", color="0.3")
ax.legend(loc="upper center")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The same story over **epochs**: a small network's two curves stay together; a large one drives the
# training loss towards zero while the validation loss turns upward. The dashed line marks the epoch
# with the lowest validation loss.

# %% slideshow={"slide_type": "-"}
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True, layout="constrained")
for ax, width in zip(axes, (2, 128), strict=True):
    plot_training_curves(histories[width], ax=ax)
    ax.set(title=f"{width} hidden units", yscale="log")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The $p \gg n$ omics cohort
#
# A typical expression study: about 100 patients, thousands of genes. Simulated here: 100 samples
# (50 cases, 50 controls) × 2,000 genes, of which the first 20 are differentially expressed.
# We split 60 / 20 / 20 (train / validation / test), stratified by status, and standardise every gene
# with the **training** mean and standard deviation only.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
X_cohort, y_cohort = simulate_p_much_greater_than_n(
    n_samples=100, n_genes=2000, n_informative=20, effect_size=1.5, seed=0
)
rows = np.arange(len(y_cohort))
train_idx, rest_idx = train_test_split(rows, test_size=0.4, stratify=y_cohort, random_state=0)
val_idx, test_idx = train_test_split(
    rest_idx, test_size=0.5, stratify=y_cohort.iloc[rest_idx], random_state=0
)
X_all, y_all = X_cohort.to_numpy(), y_cohort.to_numpy()
mean, sd = X_all[train_idx].mean(axis=0), X_all[train_idx].std(axis=0)
Z = (X_all - mean) / sd  # standardised with training statistics only
n_genes = Z.shape[1]
print("cohort:", X_all.shape, " cases:", y_all.sum(), " controls:", (1 - y_all).sum())
print("train / val / test:", len(train_idx), len(val_idx), len(test_idx))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Why $p \gg n$ is dangerous
#
# With $p \ge n$ the linear system $X\mathbf w = \mathbf t$ has a solution for **any** targets
# $\mathbf t$: a linear model can fit the training labels perfectly even when they are random.
# The minimum-norm solution shows it ($X$: the $n \times (p+1)$ training matrix with an intercept
# column, full row rank; targets $t_i = \pm 1$):
#
# $$\mathbf w = X^\top\big(XX^\top\big)^{-1}\mathbf t \quad\Rightarrow\quad X\mathbf w = \mathbf t .$$

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
Z1 = np.column_stack([Z, np.ones(len(Z))])  # genes plus an intercept column
rng = np.random.default_rng(0)
labels = {"true status": y_all, "shuffled status": rng.permutation(y_all)}
for name, y_used in labels.items():
    t = 2.0 * y_used - 1.0  # targets -1 / +1
    w = Z1[train_idx].T @ np.linalg.solve(Z1[train_idx] @ Z1[train_idx].T, t[train_idx])
    assert np.allclose(Z1[train_idx] @ w, t[train_idx], atol=1e-8)  # training labels fit exactly
    train_acc = np.mean((Z1[train_idx] @ w > 0) == y_used[train_idx])
    val_acc = np.mean((Z1[val_idx] @ w > 0) == y_used[val_idx])
    print(f"{name:16s} train accuracy {train_acc:.2f}   validation accuracy {val_acc:.2f}")
print(
    "training matrix:",
    Z1[train_idx].shape,
    " rank:",
    np.linalg.matrix_rank(Z1[train_idx] @ Z1[train_idx].T),
)  # rank(X X^T) = rank(X)

# %% [markdown] slideshow={"slide_type": "notes"}
# The training fit is perfect in both rows, so it says nothing about which model learned biology:
# only held-out samples tell them apart. (That the true-label interpolator still validates well is a
# property of the minimum-norm solution in this simulation, not a licence to interpolate.)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Chance correlations
#
# Among 2,000 genes, some correlate with the status in 60 patients by chance alone. The figure plots
# every gene's correlation with the status in the training set against the validation set: the 20
# true genes keep their correlation; the best-looking noise gene does not.


# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
def correlation_with_status(idx):
    """Pearson correlation of every gene with the status, on the samples ``idx``: (n_genes,)."""
    Zc = Z[idx] - Z[idx].mean(axis=0)
    yc = y_all[idx] - y_all[idx].mean()
    return Zc.T @ yc / (np.linalg.norm(Zc, axis=0) * np.linalg.norm(yc))


r_train, r_val = correlation_with_status(train_idx), correlation_with_status(val_idx)
informative = np.arange(n_genes) < 20
top_noise = np.argmax(np.where(informative, 0, np.abs(r_train)))
print(
    f"best noise gene {X_cohort.columns[top_noise]}: r = {r_train[top_noise]:.2f} (train), "
    f"{r_val[top_noise]:.2f} (validation)"
)
print(f"noise genes with |r| > 0.3 in training: {np.sum(~informative & (np.abs(r_train) > 0.3))}")
assert np.all(np.sign(r_val[informative]) == np.sign(r_train[informative]))  # true genes replicate
assert abs(r_val[top_noise]) < abs(r_train[top_noise]) / 4  # the chance finding does not

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.scatter(
    r_train[~informative],
    r_val[~informative],
    s=6,
    alpha=0.4,
    color="0.5",
    label=f"{np.sum(~informative):,} noise genes",
)
ax.scatter(
    r_train[informative],
    r_val[informative],
    s=30,
    color=COLORS["vermillion"],
    label=f"{np.sum(informative)} informative genes",
)
ax.scatter(
    r_train[top_noise],
    r_val[top_noise],
    s=80,
    facecolors="none",
    edgecolors=COLORS["black"],
    label="best noise gene",
)
ax.set(xlabel="correlation with status (training)", ylabel="correlation (validation)")
ax.legend(loc="upper left", fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# This is the multiple-testing problem of Day 2 in another guise: the model sees 2,000 candidate
# explanations and 60 samples, and gradient descent will happily use the chance ones.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. L2 regularisation and weight decay
#
# Add a penalty on large weights to the loss:
#
# $$\tilde L(\mathbf w) = L(\mathbf w) + \frac{\lambda}{2}\lVert\mathbf w\rVert_2^2,
# \qquad \nabla \tilde L(\mathbf w) = \nabla L(\mathbf w) + \lambda\mathbf w .$$
#
# A gradient-descent step with step size $\eta$ becomes
#
# $$\mathbf w \leftarrow \mathbf w - \eta\big(\nabla L + \lambda\mathbf w\big)
# = (1 - \eta\lambda)\,\mathbf w - \eta\,\nabla L :$$
#
# every step first **shrinks** the weights by the factor $1-\eta\lambda$, hence the name *weight
# decay*. Small weights mean a smoother function that cannot lean hard on any single noisy gene.
#
# Conventions: the deck writes the penalty as $\lambda\sum_j w_j^2$, whose gradient is $2\lambda\mathbf w$;
# PyTorch's `weight_decay=λ` adds $\lambda\mathbf w$ to the gradient, i.e. the penalty
# $\frac{\lambda}{2}\lVert\mathbf w\rVert^2$. The two differ by a factor 2 in $\lambda$.

# %% slideshow={"slide_type": "subslide"}
print(inspect.getsource(SGD._update))

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
w0 = np.array([1.0, -2.0, 0.5])
grad = np.array([0.2, -0.4, 1.0])
lr, lam = 0.1, 0.05
w = w0.copy()
SGD([w], lr=lr, weight_decay=lam).step([grad])  # dlcourse's SGD, tested against torch.optim.SGD
by_hand = (1 - lr * lam) * w0 - lr * grad
assert np.allclose(w, by_hand, rtol=1e-14, atol=0)  # float64: equal up to rounding
print("SGD with weight decay:", w, "  by hand (1 - ηλ)w - ηg:", by_hand)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## L2 against overfitting
#
# Back to the gene-regulation task and its most overfitted network, 128 hidden units. We train it again
# with the L2 penalty added to the loss (`torch.optim.Adam(..., weight_decay=λ)` minimises
# $L + \frac{\lambda}{2}\lVert\boldsymbol\theta\rVert^2$) for a range of $\lambda$.


# %% slideshow={"slide_type": "-"}
def weight_norm(model):
    """Euclidean norm of all weight matrices of ``model`` (biases excluded)."""
    return torch.sqrt(sum((p**2).sum() for n, p in model.named_parameters() if "weight" in n))


l2_rows = [
    {
        "lambda": 0.0,
        "train MSE": histories[128].train_loss[-1],  # from the sweep
        "validation MSE": histories[128].val_loss[-1],
        "weight norm": weight_norm(sweep_models[128]).item(),
    }
]
for lam in [1e-3, 1e-2, 1e-1, 1.0]:
    seed_everything(0)
    model = nn.Sequential(nn.Linear(5, 128), nn.Tanh(), nn.Linear(128, 1)).double()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=lam)
    history = fit(
        model, expr_train, expr_val, nn.MSELoss(), optimizer, epochs=200, device=CPU, progress=False
    )
    l2_rows.append(
        {
            "lambda": lam,
            "train MSE": history.train_loss[-1],
            "validation MSE": history.val_loss[-1],
            "weight norm": weight_norm(model).item(),
        }
    )
l2_sweep = pd.DataFrame(l2_rows).set_index("lambda")

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
print(l2_sweep.round(3))
best_lambda = l2_sweep["validation MSE"].idxmin()
print("lowest validation MSE at λ =", best_lambda)
assert np.all(np.diff(l2_sweep["weight norm"]) < 0)  # a larger λ always gives smaller weights
assert l2_sweep.loc[best_lambda, "validation MSE"] < l2_sweep.loc[0.0, "validation MSE"]

# %% slideshow={"slide_type": "-"}
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained")
lams = l2_sweep.index[1:]  # λ = 0 cannot go on a log axis: it is the dotted line
for ax, column in zip(axes, ("weight norm", "validation MSE"), strict=True):
    ax.plot(lams, l2_sweep.loc[lams, column], "o-", color=COLORS["vermillion"], label=column)
    ax.axhline(l2_sweep.loc[0.0, column], color="0.4", linestyle=":", label=f"{column}, λ = 0")
    ax.set(xscale="log", xlabel=r"$\lambda$")
axes[1].plot(lams, l2_sweep.loc[lams, "train MSE"], "o-", color=COLORS["blue"], label="train MSE")
axes[0].set(ylabel="weight norm", title="weights shrink")
axes[1].set(ylabel="MSE", title="validation error: U-shaped in λ")
for ax in axes:
    ax.legend(fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Too small a λ leaves the overfitting; too large a λ underfits (the training error rises too). λ is a
# capacity knob like the number of units, and it is tuned on the validation set.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 1 — a gradient step with weight decay
#
# Write `weight_decay_step(w, grad, lr, weight_decay)` returning the new weights after one plain
# gradient-descent step on $L + \frac{\lambda}{2}\lVert\mathbf w\rVert^2$ (PyTorch's convention,
# $\lambda$ = `weight_decay`). `w` and `grad` are NumPy arrays of the same shape.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def weight_decay_step(w, grad, lr, weight_decay):
    # YOUR CODE HERE
    return None


check_weight_decay_step(weight_decay_step)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def weight_decay_step(w, grad, lr, weight_decay):
    return w - lr * (grad + weight_decay * w)


check_weight_decay_step(weight_decay_step)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Adam with L2 is not AdamW
#
# **Adam + L2** (`torch.optim.Adam(..., weight_decay=λ)`) adds $\lambda\mathbf w$ to the gradient
# *before* the adaptive scaling:
#
# $$\mathbf g_t = \nabla L + \lambda\mathbf w, \qquad
# \mathbf w \leftarrow \mathbf w - \eta\,\frac{\hat{\mathbf m}_t}{\sqrt{\hat{\mathbf v}_t} + \epsilon}
# \quad(\hat{\mathbf m}_t, \hat{\mathbf v}_t \text{ built from } \mathbf g_t).$$
#
# The decay is divided by $\sqrt{\hat v}$: weights with large gradients are barely decayed, weights
# with tiny gradients are pulled to zero at almost full speed $\eta$.
#
# **AdamW** (`torch.optim.AdamW`) *decouples* the decay from the gradient (Loshchilov & Hutter, 2019):
#
# $$\mathbf w \leftarrow (1 - \eta\lambda)\,\mathbf w,
# \qquad \text{then the Adam step on } \nabla L \text{ alone}.$$
#
# Every weight shrinks by the same factor per step, as in SGD with weight decay.

# %% slideshow={"slide_type": "subslide"}
print(inspect.getsource(Adam._update).split("exp_avg, exp_avg_sq")[0])

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## The difference in numbers
#
# Two weights start at 1. The loss gives them zero-mean gradients that alternate in sign: large
# ($\pm 10$) for a "busy" weight, tiny ($\pm 0.01$) for a "quiet" one. Only the decay pulls them
# systematically. 200 steps with $\eta = 0.01$, $\lambda = 0.1$, run with dlcourse's Adam and AdamW
# and, to confirm them, with `torch.optim` in float64.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
steps, lr, lam = 200, 0.01, 0.1
grad_scale = np.array([10.0, 0.01])  # busy, quiet
signs = (-1.0) ** np.arange(steps)


def decay_trajectory(optimizer_class):
    w = np.ones(2)
    optimizer = optimizer_class([w], lr=lr, weight_decay=lam)
    path = [w.copy()]
    for sign in signs:
        optimizer.step([sign * grad_scale])
        path.append(w.copy())
    return np.array(path)


paths = {"Adam + L2": decay_trajectory(Adam), "AdamW": decay_trajectory(AdamW)}
for name, torch_class in (("Adam + L2", torch.optim.Adam), ("AdamW", torch.optim.AdamW)):
    w_t = torch.ones(2, dtype=torch.float64, requires_grad=True)
    optimizer = torch_class([w_t], lr=lr, weight_decay=lam)
    for sign in signs:
        w_t.grad = torch.tensor(sign * grad_scale)
        optimizer.step()
    assert np.allclose(paths[name][-1], w_t.detach().numpy(), rtol=1e-10, atol=1e-12)
print("dlcourse Adam and AdamW agree with torch.optim after 200 steps (rtol 1e-10)")
for name, path in paths.items():
    print(f"{name:9s} busy weight {path[-1, 0]:.3f}   quiet weight {path[-1, 1]:.3f}")
print(f"(1 - ηλ)^200 = {(1 - lr * lam) ** steps:.3f}")

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(8, 3.8))
for (name, path), style in zip(paths.items(), ("-", "--"), strict=True):
    ax.plot(
        path[:, 0],
        style,
        color=COLORS["blue"],
        linewidth=4 if style == "--" else 2,
        label=f"{name}: busy weight",
    )
    ax.plot(path[:, 1], style, color=COLORS["vermillion"], label=f"{name}: quiet weight")
ax.set(xlabel="step", ylabel="weight", title="coupled (Adam + L2) vs decoupled (AdamW) decay")
ax.legend(fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# With AdamW both weights end at the same value, close to $(1-\eta\lambda)^{200}$ (the alternating
# gradients add a small drift); with Adam + L2 the quiet weight is driven to zero while the busy one
# is hardly decayed. The cell below asserts both. Neither is "wrong": they
# are different regularisers. AdamW's strength is set by $\eta\lambda$ per step, predictable and
# independent of the gradients; Adam + L2 acts like a gene filter, silencing weights that receive
# little gradient — in a $p \gg n$ cohort, the noise genes (section 10 measures it). Choose between
# them on validation data.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
busy, quiet = paths["AdamW"][-1]
assert abs(busy - quiet) < 1e-3 and abs(busy - (1 - lr * lam) ** steps) < 0.02  # AdamW: alike
busy, quiet = paths["Adam + L2"][-1]
assert abs(quiet) < 0.05 and busy > 0.9  # Adam + L2: quiet weight silenced, busy weight kept
print("AdamW: equal decay; Adam + L2: quiet weight ~0, busy weight kept")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Dropout
#
# During training each hidden unit is switched off with probability $p$, independently for every
# sample and every step. **Inverted dropout** (what PyTorch does) rescales the surviving units:
#
# $$m_j \sim \text{Bernoulli}(1-p), \qquad \tilde h_j = \frac{m_j\, h_j}{1-p},
# \qquad \mathbb E[\tilde h_j] = h_j .$$
#
# Because the expectation is preserved, evaluation simply uses all units unscaled: dropout is the
# identity in `eval()` mode. Why it helps: no unit can rely on a specific partner being present
# (no *co-adaptation*), and training averages over many thinned sub-networks, an implicit ensemble.

# %% slideshow={"slide_type": "subslide"}
print(inspect.getsource(Dropout.forward))

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
dropout = Dropout(p=0.5, rng=0)
h = np.ones((4, 8))
print(dropout.forward(h))  # kept units are scaled by 1 / (1 - p) = 2
big = dropout.forward(np.ones((1000, 2000)))
print(f"fraction kept {np.mean(big > 0):.4f}   mean output {big.mean():.4f}")
assert abs(big.mean() - 1.0) < 0.01  # the expectation is preserved (2e6 draws: sd ~ 7e-4)
assert np.array_equal(dropout.eval().forward(h), h)  # eval mode: identity

# %% [markdown] slideshow={"slide_type": "subslide"}
# PyTorch's `nn.Dropout` follows the same rule (its random numbers differ, so we compare the rule,
# not the masks): outputs are $0$ or $x/(1-p)$, the gradient flows only through kept units with the
# same scale, and `eval()` is the identity.

# %% slideshow={"slide_type": "-"}
torch_dropout = nn.Dropout(p=0.5).to(DEVICE)
x = torch.randn(4, 8, device=DEVICE, requires_grad=True)
out = torch_dropout(x)
kept = out != 0
assert torch.allclose(out[kept], x[kept] * 2, rtol=1e-6)  # scaled by 1 / (1 - p)
out.sum().backward()
assert torch.equal(x.grad, kept.float() * 2)  # gradient: mask / (1 - p)
assert torch.equal(torch_dropout.eval()(x), x)  # eval mode: identity
g = np.random.default_rng(1).normal(size=(4, 8))
dropout.train().forward(h)
assert np.array_equal(dropout.backward(g), g * dropout.mask)  # scratch: the same rule
print("nn.Dropout and the scratch Dropout follow the same rule")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The bug: forgetting `model.eval()`
#
# A network with dropout, trained on the cohort; then we predict the validation patients. In
# training mode (the bug) each forward pass drops different units: the *same* patient gets a
# different probability every time. `model.eval()` (or a helper such as `predict_proba`, which calls
# it) gives the deterministic prediction.

# %% slideshow={"slide_type": "-"}
seed_everything(0)
model = nn.Sequential(nn.Linear(n_genes, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 1)).to(DEVICE)
cohort_train = [
    (
        torch.tensor(Z[train_idx], dtype=torch.float32),
        torch.tensor(y_all[train_idx], dtype=torch.float32),
    )
]
fit(
    model,
    cohort_train,
    None,
    nn.BCEWithLogitsLoss(),
    torch.optim.Adam(model.parameters(), lr=3e-3),
    epochs=60,
    device=DEVICE,
    progress=False,
)
X_val_device = torch.tensor(Z[val_idx[:10]], dtype=torch.float32, device=DEVICE)
with torch.no_grad():
    model.train()  # the bug: still in training mode
    buggy = torch.stack([torch.sigmoid(model(X_val_device)).squeeze(1) for _ in range(100)])
    model.eval()  # the fix
    correct = torch.sigmoid(model(X_val_device)).squeeze(1)
    assert torch.equal(correct, torch.sigmoid(model(X_val_device)).squeeze(1))  # deterministic
assert not torch.equal(buggy[0], buggy[1])  # training mode: a different answer every call

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(8, 3.8))
patients = np.arange(1, 11)
for i in range(10):
    ax.scatter(np.full(100, patients[i]), buggy[:, i].cpu(), s=8, alpha=0.3, color=COLORS["blue"])
ax.scatter(
    patients,
    correct.cpu(),
    marker="D",
    s=50,
    color=COLORS["vermillion"],
    label="model.eval(): one answer",
)
ax.scatter([], [], s=8, color=COLORS["blue"], label="training mode: 100 calls")
ax.set(
    xlabel="validation patient",
    ylabel="P(case)",
    xticks=patients,
    ylim=(-0.02, 1.25),
    yticks=np.linspace(0, 1, 6),
)
ax.legend(loc="upper left", fontsize=10, ncol=2)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# The same bug silently corrupts batch normalisation (section 8): in training mode it normalises with
# the statistics of whatever batch it is given. Always pair `model.train()` before a training epoch
# with `model.eval()` plus `torch.no_grad()` before validation or prediction; `dlcourse.training.fit`
# does both.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 2 — inverted dropout
#
# Write `dropout_forward(x, p, u, training)`. `u` holds uniform random numbers in $[0, 1)$ with the
# shape of `x`, one per unit: keep a unit when $u \ge p$ (probability $1-p$). In training, return the
# kept units scaled by $1/(1-p)$ and zeros elsewhere; in evaluation (`training=False`) return `x`.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def dropout_forward(x, p, u, training):
    # YOUR CODE HERE
    return None


check_dropout_forward(dropout_forward)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def dropout_forward(x, p, u, training):
    if not training:
        return x
    return x * (u >= p) / (1 - p)


check_dropout_forward(dropout_forward)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Early stopping
#
# Overfitting develops over epochs (section 1). Early stopping watches the validation loss after
# every epoch, keeps a copy of the best weights, and stops once the loss has not improved by more than
# $\delta$ (`min_delta`) for `patience` epochs in a row. Training then returns the **best** weights,
#
# $$\hat t = \arg\min_t L_{\text{val}}(\boldsymbol\theta_t),
# \qquad \text{model} \leftarrow \boldsymbol\theta_{\hat t},$$
#
# not the last, already overfitted ones. The number of epochs becomes a hyperparameter chosen on
# validation data, at the cost of one forward pass over the validation set per epoch.

# %% slideshow={"slide_type": "subslide"}
print(inspect.getsource(EarlyStopping.step))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Early stopping the overfitting network
#
# The 128-unit network of the gene-regulation task, trained again with `EarlyStopping(patience=20)`:
# `fit` stops 20 epochs after the best one and loads the weights saved there.

# %% slideshow={"slide_type": "-"}
seed_everything(0)
model = nn.Sequential(nn.Linear(5, 128), nn.Tanh(), nn.Linear(128, 1)).double()
stopper = EarlyStopping(patience=20, restore_best=True)
history = fit(
    model,
    expr_train,
    expr_val,
    nn.MSELoss(),
    torch.optim.Adam(model.parameters(), lr=1e-2),
    epochs=200,
    device=CPU,
    early_stopping=stopper,
    progress=False,
)

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
restored = evaluate(model, expr_val, nn.MSELoss(), CPU)
print(f"best epoch {history.best_epoch + 1}, stopped after epoch {history.stopped_epoch + 1}")
print(
    f"validation MSE: best {history.best_val_loss:.3f}, last epoch run "
    f"{history.val_loss[-1]:.3f}, restored model {restored:.3f}"
)
print(f"without early stopping, after 200 epochs: {histories[128].val_loss[-1]:.3f}")
assert abs(restored - history.best_val_loss) < 1e-12  # the best weights are back
assert restored < history.val_loss[-1] < histories[128].val_loss[-1]
assert history.stopped_epoch - history.best_epoch == 20  # patience ran out 20 epochs later

# %% slideshow={"slide_type": "subslide"}
ax = plot_training_curves(history)
ax.set_title("early stopping, 128 hidden units (patience 20)")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 3 — the early-stopping rule
#
# Write `early_stopping(val_losses, patience, min_delta)` that replays training from a list of
# validation losses (one per epoch) and returns `(best_epoch, last_epoch)`, both counted from 0:
# the epoch whose weights would be restored, and the epoch after which training stops
# (`len(val_losses) - 1` if patience never runs out). An epoch improves when its loss is below
# `best - min_delta`.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def early_stopping(val_losses, patience, min_delta):
    # YOUR CODE HERE
    return None


check_early_stopping(early_stopping)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def early_stopping(val_losses, patience, min_delta):
    best_loss, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best_loss - min_delta:
            best_loss, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


check_early_stopping(early_stopping)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Data augmentation for genomics
#
# More (realistic) training data is the best regulariser. **Augmentation** creates new training
# samples by transformations that do not change the label — and only those that are valid for the
# biology:
#
# - **expression noise**: $\tilde{\mathbf x} = \mathbf x + \boldsymbol\varepsilon$,
#   $\boldsymbol\varepsilon \sim \mathcal N(\mathbf 0, \sigma^2 I)$, drawn afresh every epoch
#   (technical variation of the measurement);
# - **reverse complement** of DNA: the other strand of the same molecule, for tasks where the strand
#   does not matter (e.g. a transcription-factor binding site).
#
# Augmentation is applied to the **training** set only, never to validation or test data.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Noise on expression is an L2 penalty in disguise
#
# For a linear model with squared loss, averaging over the noise gives (Bishop, 1995)
#
# $$\mathbb E_{\boldsymbol\varepsilon}
# \Big[\big(\mathbf w^\top(\mathbf x+\boldsymbol\varepsilon) - y\big)^2\Big]
# = \big(\mathbf w^\top\mathbf x - y\big)^2 + \sigma^2\lVert\mathbf w\rVert^2 ,$$
#
# because $\boldsymbol\varepsilon$ has mean zero and
# $\mathbb E[(\mathbf w^\top\boldsymbol\varepsilon)^2] = \sigma^2\lVert\mathbf w\rVert^2$.
# A Monte Carlo check on the gene-regulation data, with 20,000 noisy copies of the training set:

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
rng = np.random.default_rng(0)
X_np, y_np = X_expr[:60].numpy(), y_expr[:60].numpy()
w = rng.normal(size=5)
sigma = 0.5
noisy = X_np[None] + sigma * rng.standard_normal((20_000, *X_np.shape))
monte_carlo = np.mean((noisy @ w - y_np) ** 2)
analytic = np.mean((X_np @ w - y_np) ** 2) + sigma**2 * np.sum(w**2)
print(f"noisy-input loss {monte_carlo:.3f}   clean loss + σ²‖w‖² {analytic:.3f}")
assert abs(monte_carlo - analytic) / analytic < 0.01  # Monte Carlo agrees to 1 %

# %% [markdown] slideshow={"slide_type": "subslide"}
# In PyTorch, the noise is a layer that acts only in training mode, like dropout, so every epoch
# sees new noisy copies and evaluation sees the real profiles:


# %% slideshow={"slide_type": "-"}
class ExpressionNoise(nn.Module):
    """Adds N(0, sigma^2) to every standardised expression value, in training mode only."""

    def __init__(self, sigma: float):
        super().__init__()
        self.sigma = sigma

    def forward(self, x):
        return x + self.sigma * torch.randn_like(x) if self.training else x


noise_layer = ExpressionNoise(sigma=1.0)
profiles = torch.tensor(Z[train_idx[:3]])
assert not torch.equal(noise_layer(profiles), profiles)
assert torch.equal(noise_layer.eval()(profiles), profiles)  # evaluation: untouched

# %% slideshow={"slide_type": "-"}
genes = [0, 1]  # two informative genes
fig, ax = plt.subplots(figsize=(6.5, 4))
for status, color in ((0, COLORS["blue"]), (1, COLORS["vermillion"])):
    rows_s = train_idx[y_all[train_idx] == status]
    copies = Z[rows_s][None, :, genes] + rng.standard_normal((5, len(rows_s), 2)) * 0.5
    ax.scatter(*copies.reshape(-1, 2).T, s=8, alpha=0.3, color=color)
    ax.scatter(
        *Z[rows_s][:, genes].T, s=30, edgecolors="k", color=color, label=["control", "case"][status]
    )
ax.set(
    xlabel=f"{X_cohort.columns[0]} (standardised)",
    ylabel=f"{X_cohort.columns[1]} (standardised)",
    title="training samples and 5 noisy copies each (σ = 0.5)",
)
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Reverse complement of DNA
#
# A binding site can sit on either strand. Reading the other strand means complementing every base
# (A↔T, C↔G) and reversing the order. With one-hot channels in the order A, C, G, T, the complement
# reverses the channels, so the whole operation is a flip of both axes:
#
# $$\operatorname{onehot}(\operatorname{rc}(s))_{t,c} = \operatorname{onehot}(s)_{L-1-t,\;3-c}.$$

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
motif = "TATAAT"
X_dna, y_dna = simulate_dna_motif(
    n_sequences=200, length=40, motif=motif, both_strands=True, seed=0
)
seqs = X_dna["sequence"]
print(seqs.iloc[0], "\n" + reverse_complement(seqs.iloc[0]))
onehot = one_hot_dna(seqs, dtype=np.float64)
onehot_rc = one_hot_dna(reverse_complement(seqs), dtype=np.float64)
assert np.array_equal(onehot_rc, onehot[:, ::-1, ::-1])  # flip positions and channels


def carries_site(s):
    return motif in s or reverse_complement(motif) in s


for s, label in zip(seqs, y_dna, strict=True):
    assert carries_site(s) == carries_site(reverse_complement(s)) == bool(label)
X_aug = np.concatenate([onehot, onehot_rc])
y_aug = np.concatenate([y_dna, y_dna])  # the label is preserved
print("augmented training set:", X_aug.shape, y_aug.shape)

# %% slideshow={"slide_type": "subslide"}
example = int(np.flatnonzero(y_dna.to_numpy())[0])
fig, axes = plt.subplots(2, 1, figsize=(8, 3.4), sharex=True, layout="constrained")
for ax, matrix, title in (
    (axes[0], onehot[example], "sequence"),
    (axes[1], onehot_rc[example], "reverse complement"),
):
    ax.imshow(matrix.T, aspect="auto", cmap="Greys", interpolation="nearest")
    ax.set(yticks=range(4), yticklabels=list("ACGT"), title=title)
    ax.grid(False)
for ax, seq in zip(axes, (seqs.iloc[example], reverse_complement(seqs.iloc[example])), strict=True):
    site = max(seq.find(motif), seq.find(reverse_complement(motif)))
    ax.axvspan(site - 0.5, site + len(motif) - 0.5, color=COLORS["orange"], alpha=0.3)
axes[0].set_title(f"sequence (motif {motif} or its reverse complement shaded)")
axes[1].set_xlabel("position")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Batch normalisation
#
# Batch norm standardises each feature (hidden unit) over the current mini-batch of $N$ samples,
# then rescales it with learned $\gamma$ and $\beta$:
#
# $$\mu_B = \frac1N\sum_{i} x_i, \qquad \sigma_B^2 = \frac1N\sum_{i}(x_i-\mu_B)^2, \qquad
# \hat x_i = \frac{x_i-\mu_B}{\sqrt{\sigma_B^2+\epsilon}}, \qquad y_i = \gamma\,\hat x_i + \beta .$$
#
# It keeps each layer's inputs on a stable scale, which allows larger learning rates and faster,
# steadier training; the noise of the batch statistics adds a mild regularisation.
#
# At evaluation time there may be a single patient, so batch statistics are replaced by **running
# statistics** accumulated during training (PyTorch's `momentum` $m = 0.1$ weights the new batch):
#
# $$\hat\mu \leftarrow (1-m)\,\hat\mu + m\,\mu_B, \qquad
# \hat\sigma^2 \leftarrow (1-m)\,\hat\sigma^2 + m\,\tfrac{N}{N-1}\,\sigma_B^2 .$$
#
# Normalisation uses the biased variance; the running estimate uses the unbiased one.

# %% slideshow={"slide_type": "subslide"}
print(inspect.getsource(BatchNorm1d.forward))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## The scratch layer matches `nn.BatchNorm1d`
#
# 30 training batches of 16 samples × 4 genes (log-expression around 5), then evaluation mode, with
# outputs, running statistics and gradients compared — in float64 on the CPU, so that the two
# implementations can agree to rounding error.

# %% slideshow={"slide_type": "-"}
rng = np.random.default_rng(0)
batches = 5.0 + 2.0 * rng.standard_normal((30, 16, 4))
ours, theirs = BatchNorm1d(4), nn.BatchNorm1d(4).double()
running_means, max_diff = [], 0.0
for batch in batches:
    x_torch = torch.tensor(batch, requires_grad=True)
    out_ours, out_torch = ours.forward(batch), theirs(x_torch)
    max_diff = max(max_diff, np.max(np.abs(out_ours - out_torch.detach().numpy())))
    running_means.append(ours.running_mean[0])
upstream = rng.standard_normal((16, 4))  # dL/dy for the last batch
out_torch.backward(torch.tensor(upstream))
ours.zero_grad()
grad_x = ours.backward(upstream)
assert max_diff < 1e-12
assert np.allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-12, atol=1e-12)
assert np.allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12, atol=1e-12)
assert np.allclose(grad_x, x_torch.grad.numpy(), rtol=1e-10, atol=1e-12)
assert np.allclose(ours.dgamma, theirs.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
test_batch = torch.tensor(batches[0][:3])
assert np.allclose(
    ours.eval().forward(test_batch.numpy()),
    theirs.eval()(test_batch).detach(),
    rtol=1e-12,
    atol=1e-12,
)
print(
    f"max |ours - torch| over 30 training batches: {max_diff:.1e}; running stats, gradients "
    f"and eval mode agree too (momentum: ours {ours.momentum}, torch {theirs.momentum})"
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Training vs running statistics
#
# The running mean starts at 0 and approaches the population mean ($\approx 5$) as
# $1 - 0.9^k$ after $k$ batches; the batch means scatter around it. In training mode a sample's output
# depends on the *other* samples of its batch; in evaluation mode it does not:

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
patient = batches[0][:1]
batch_a = np.concatenate([patient, batches[1][1:]])
batch_b = np.concatenate([patient, batches[2][1:]])
train_a, train_b = ours.train().forward(batch_a)[0], ours.forward(batch_b)[0]
eval_a, eval_b = ours.eval().forward(batch_a)[0], ours.forward(batch_b)[0]
assert not np.allclose(train_a, train_b) and np.array_equal(eval_a, eval_b)
print("same patient, two batches, training mode:", train_a.round(3), train_b.round(3))
print("same patient, two batches, eval mode:    ", eval_a.round(3), eval_b.round(3))

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(8, 3.6))
k = np.arange(1, 31)
ax.scatter(
    k, batches[:, :, 0].mean(axis=1), s=20, color=COLORS["blue"], label="batch mean $\\mu_B$"
)
ax.plot(k, running_means[:30], "o-", color=COLORS["vermillion"], label="running mean $\\hat\\mu$")
ax.plot(k, 5.0 * (1 - 0.9**k), ":", color=COLORS["black"], label="$5\\,(1-0.9^k)$")
ax.set(xlabel="training batch k", ylabel="gene 1")
ax.legend(loc="lower right")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 4 — batch normalisation in training mode
#
# Write `batchnorm_forward(x, gamma, beta, eps)` for `x` of shape `(batch, features)`: normalise each
# feature with the mean and the **biased** variance of the batch, then scale by `gamma` and shift by
# `beta` (both of shape `(features,)`).


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def batchnorm_forward(x, gamma, beta, eps):
    # YOUR CODE HERE
    return None


check_batchnorm_forward(batchnorm_forward)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def batchnorm_forward(x, gamma, beta, eps):
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


check_batchnorm_forward(batchnorm_forward)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. The modern recipe
#
# | level | techniques | main effect |
# | --- | --- | --- |
# | **basic** (almost always) | weight decay, batch norm (deep nets), early stopping | stable, simpler model |
# | **additional** (if needed) | dropout in hidden layers, augmentation valid for the biology | robustness |
# | **output layer** | activation and loss matched to the task | interpretable outputs |
#
# Weight decay means AdamW or L2; early stopping needs a validation set; augmentation enlarges the
# effective training set; the output pair is e.g. logits with `BCEWithLogitsLoss` (notebook 06).
#
# Each technique has a strength to tune (λ, $p$, patience, σ) — on the validation set. A recipe is
# a starting point, not a guarantee: the next section measures what each one does on our cohort.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 10. A fair comparison
#
# One network for every technique: 2,000 genes → 8 ReLU units → 1 logit, full-batch Adam with
# $\eta = 3\cdot10^{-3}$, 60 epochs, on the $p \gg n$ cohort. Each technique changes one thing.
# The decoupled decay per step is $\eta\lambda$, so for AdamW we pick $\lambda$ with
# $(1-\eta\lambda)^{60} \approx \tfrac12$: an unused weight halves over the run.
#
# A single run can be lucky, so each technique is trained with **5 seeds** (initial weights, dropout
# masks, noise) and reported as mean ± standard deviation. Choices use the validation set; the test
# set waits until the end.


# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
def cohort_loader(idx):
    """The samples ``idx`` of the standardised cohort as one float64 batch (full-batch training)."""
    return [(torch.tensor(Z[idx]), torch.tensor(y_all[idx], dtype=torch.float64))]


def make_mlp(dropout=0.0, batch_norm=False, noise=0.0, hidden=8):
    """``n_genes`` -> ``hidden`` ReLU units -> 1 logit, with the optional regularising layers."""
    layers = [ExpressionNoise(noise)] if noise else []
    layers.append(nn.Linear(n_genes, hidden))
    if batch_norm:
        layers.append(nn.BatchNorm1d(hidden))
    layers.append(nn.ReLU())
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(hidden, 1))
    return nn.Sequential(*layers).double()


train_loader, val_loader = cohort_loader(train_idx), cohort_loader(val_idx)
lr, epochs, SEEDS = 3e-3, 60, range(5)
adamw_lambda = round(float(-np.log(2) / (epochs * np.log1p(-lr))), 1)
TECHNIQUES = {  # name -> what changes: model layers, optimiser, early stopping
    "none": {},
    "Adam + L2": {"weight_decay": 0.01},
    "AdamW": {"adamw": adamw_lambda},
    "dropout": {"model": {"dropout": 0.5}},
    "early stopping": {"patience": 10},
    "noise": {"model": {"noise": 1.0}},
    "batch norm": {"model": {"batch_norm": True}},
    "L2 + dropout + early stop": {"weight_decay": 0.01, "model": {"dropout": 0.5}, "patience": 10},
}
for name, spec in TECHNIQUES.items():
    print(f"{name:26s} {spec}")
print(f"{make_mlp()}\nAdam lr {lr}, {epochs} epochs, {len(SEEDS)} seeds per technique")
print(f"AdamW: (1 - ηλ)^{epochs} = {(1 - lr * adamw_lambda) ** epochs:.2f}")


# %% slideshow={"slide_type": "subslide"}
def train_technique(spec, seed):
    """Train one model of the comparison; return it with its History (CPU, float64)."""
    seed_everything(seed)
    model = make_mlp(**spec.get("model", {}))
    if "adamw" in spec:
        optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=spec["adamw"])
    else:
        optimizer = torch.optim.Adam(
            model.parameters(), lr=lr, weight_decay=spec.get("weight_decay", 0.0)
        )
    stopper = EarlyStopping(patience=spec["patience"]) if "patience" in spec else None
    history = fit(
        model,
        train_loader,
        val_loader if stopper else None,  # validate only to stop
        nn.BCEWithLogitsLoss(),
        optimizer,
        epochs,
        device=CPU,
        early_stopping=stopper,
        progress=False,
    )
    return model, history


def true_gene_share(model):
    """Fraction of the first layer's squared weights on the 20 informative genes (1 % at random)."""
    first = next(layer for layer in model if isinstance(layer, nn.Linear))
    squared = first.weight.detach() ** 2
    return (squared[:, :20].sum() / squared.sum()).item()


def scores(model, idx):
    """Loss, AUC and accuracy of ``model`` on the cohort samples ``idx``."""
    p = predict_proba(model, Z[idx], CPU)
    loss = evaluate(model, cohort_loader(idx), nn.BCEWithLogitsLoss(), CPU)
    return {
        "loss": loss,
        "AUC": roc_auc_score(y_all[idx], p),
        "accuracy": np.mean((p > 0.5) == y_all[idx]),
    }


# %% slideshow={"slide_type": "subslide"}
models, results = {}, []
for name, spec in TECHNIQUES.items():
    for seed in SEEDS:
        model, history = train_technique(spec, seed)
        models[name, seed] = model
        train, val = scores(model, train_idx), scores(model, val_idx)
        results.append(
            {
                "technique": name,
                "train loss": train["loss"],
                "val loss": val["loss"],
                "val AUC": val["AUC"],
                "true-gene share": true_gene_share(model),
                "epochs": len(history.train_loss),
            }
        )
results = pd.DataFrame(results)

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
summary = results.groupby("technique", sort=False).agg(["mean", "std"])
table = pd.DataFrame(
    {
        column: [f"{m:.3f} ± {s:.3f}" for m, s in summary[column].to_numpy()]
        for column in ("train loss", "val loss", "val AUC", "true-gene share")
    },
    index=summary.index,
)
table["epochs"] = summary["epochs", "mean"].round(1)
print(table.to_string())
print(f"{len(results)} models, {results['epochs'].sum()} full-batch epochs in all")

# %% slideshow={"slide_type": "subslide"}
names = list(TECHNIQUES)
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True, layout="constrained")
row = results["technique"].map({name: i for i, name in enumerate(names)})
for ax, column in zip(axes, ("val AUC", "true-gene share"), strict=True):
    ax.scatter(results[column], row, s=18, alpha=0.5, color=COLORS["blue"])
    ax.errorbar(
        summary[column, "mean"],
        np.arange(len(names)) - 0.25,
        xerr=summary[column, "std"],
        fmt="D",
        capsize=4,
        color=COLORS["vermillion"],
    )
    ax.set(xlabel=column, yticks=range(len(names)), yticklabels=names)
axes[0].axvline(0.5, color="0.5", linestyle=":", linewidth=1)
axes[0].invert_yaxis()
axes[0].set_title("5 seeds (dots), mean ± sd (diamond)", fontsize=12)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Reading the table
#
# *true-gene share* is the fraction of the first layer's squared weights that sits on the 20
# informative genes: 1 % for weights spread at random, more when the network has found the signal.
# The cell below prints the technique with the lowest mean validation loss and those that beat no
# regularisation, and asserts two observations:
#
# - Adam + L2 concentrates far more weight on the true genes than AdamW: the gene filter of section 4
#   at work;
# - batch norm, designed for deep networks, does not help this one-hidden-layer network;
# - AdamW, although its decay halves an unused weight over the run, stays within one standard
#   deviation of no regularisation in validation loss.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
mean_val_loss = summary["val loss", "mean"]
share = summary["true-gene share", "mean"]
chosen = mean_val_loss.idxmin()
better = mean_val_loss.index[mean_val_loss < mean_val_loss["none"]].tolist()
print("lowest mean validation loss:", chosen)
print("lower validation loss than 'none':", better)
print(
    f"true-gene share: Adam + L2 {share['Adam + L2']:.3f}, AdamW {share['AdamW']:.3f}, "
    f"weights spread evenly {20 / n_genes:.3f}"
)
assert chosen != "none"
assert share["Adam + L2"] > 2 * share["AdamW"]
assert "batch norm" not in better
sd_none = summary.loc["none", ("val loss", "std")]
assert abs(mean_val_loss["AdamW"] - mean_val_loss["none"]) < sd_none

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The test set, once
#
# All decisions are made; now, and only now, the 20 test patients. We report the chosen technique
# next to the unregularised baseline, each over the same 5 seeds.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
final = (
    pd.DataFrame(
        [
            {"technique": name, **scores(models[name, seed], test_idx)}
            for name in ("none", chosen)
            for seed in SEEDS
        ]
    )
    .groupby("technique", sort=False)
    .agg(["mean", "std"])
)
print(final.round(3).to_string())

# %% [markdown] slideshow={"slide_type": "notes"}
# Stress the caveats: 20 validation and 20 test patients make every estimate noisy (one patient moves
# the accuracy by 1/20); the ± only covers seed-to-seed variation, not a different split of the
# cohort.
# With real data, repeat the whole comparison over several splits (nested cross-validation).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary / key ideas
#
# - **Generalisation** is performance on new samples; estimate it on held-out data. Training error
#   keeps falling with capacity, validation error is U-shaped: underfitting on the left, overfitting
#   on the right.
# - With $p \gg n$ a model can fit even random labels, and thousands of genes offer chance
#   correlations: regularisation is mandatory, not optional.
# - **L2 / weight decay** adds $\frac{\lambda}{2}\lVert\mathbf w\rVert^2$ and shrinks weights by
#   $1-\eta\lambda$ per SGD step. In Adam the L2 term is rescaled per weight; **AdamW** decouples the
#   decay so every weight shrinks alike. PyTorch's `weight_decay=λ` means the penalty
#   $\frac{\lambda}{2}\lVert\mathbf w\rVert^2$.
# - **Dropout** (inverted) zeroes units with probability $p$ and scales survivors by $1/(1-p)$ in
#   training; it is the identity in evaluation — forgetting `model.eval()` makes predictions random.
# - **Early stopping** chooses the number of epochs on validation data and restores the best weights.
# - **Augmentation** must respect the biology: expression noise (≈ an L2 penalty), reverse complement.
# - **Batch norm** normalises with batch statistics in training and running statistics in evaluation.
# - Compare techniques over **several seeds** (mean ± sd), choose on **validation**, and touch the
#   **test set once**.
