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
# **Previously:** a network, its loss, and the loop that trains it (01–06).
#
# **Today**, in NumPy: diagnose overfitting, fight it, and compare the remedies honestly.

# %% [markdown] slideshow={"slide_type": "skip"}
# [Open in Colab](https://colab.research.google.com/github/unipv-genomic-data-science/day3-deep-learning-foundations/blob/main/notebooks/07_regularization.ipynb)

# %% [markdown] slideshow={"slide_type": "notes"}
# Objectives to announce: (1) read train vs validation curves; (2) why p ≫ n is the extreme case;
# (3) L2/L1 penalties and weight decay, Adam + L2 vs AdamW; (4) inverted dropout and `eval()`;
# (5) early stopping with restored weights; (6) augmentation for genomics; (7) batch norm's two
# modes; (8) a fair comparison with paired intervals. Everything today is NumPy: PyTorch comes
# this afternoon (08), and notebook 09 uses the same regularisers in PyTorch.

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

import inspect

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from dlcourse.data import (
    reverse_complement,
    simulate_dna_motif,
    simulate_expression_regression,
    simulate_p_much_greater_than_n,
)
from dlcourse.exercises import check_weight_decay_step
from dlcourse.explore import explore, precompute
from dlcourse.plots import COLORS, set_style
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import (
    MLP,
    SGD,
    Adam,
    AdamW,
    BCEWithLogitsLoss,
    Dropout,
    EarlyStopping,
    MSELoss,
    evaluate,
    train_epoch,
)
from dlcourse.stats import paired_difference

seed_everything(0)
DEVICE = get_device()  # not used here: the NumPy engine computes on the CPU (PyTorch comes in 08)
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Generalisation
#
# A model [generalises](GLOSSARY.md#generalisation) when its loss on a
# [validation set](GLOSSARY.md#validation-set) (**new** patients) stays close to its training
# loss. `fit` measures both after every [epoch](GLOSSARY.md#epoch) (one pass over the data).
#
# | | training loss | validation loss |
# | --- | --- | --- |
# | [underfitting](GLOSSARY.md#underfitting): too simple | high | high |
# | [overfitting](GLOSSARY.md#overfitting): memorised noise | very low | high |


# %% slideshow={"slide_type": "fragment"}
def fit(model, optimizer, loss, train, val, epochs, stopper=None):
    """Full-batch training; losses per epoch. A ``stopper`` restores the best weights."""
    curves, order = {"train": [], "val": []}, np.random.default_rng(0)
    for epoch in range(epochs):
        train_loss = train_epoch(model, loss, optimizer, *train, len(train[0]), order)
        curves["train"].append(train_loss)
        curves["val"].append(evaluate(model, loss, *val))  # eval mode, no update
        if stopper is not None and stopper.step(curves["val"][-1], model, epoch):
            break
    if stopper is not None:
        stopper.restore(model)  # the best epoch's weights, not the last
    return curves


# %% [markdown] slideshow={"slide_type": "notes"}
# Everything today runs through this `fit`: notebook 03's loop plus one line that measures the
# validation loss after every epoch without updating. Ask: "why not judge the model by its
# training loss?" — it rewards memorising. Common confusion: validation data guide choices;
# only a separate test set, used once, estimates performance.


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Capacity: under- and overfitting
#
# Simulated: a target gene from 5 genes; 60 training, 500 validation samples; growing width
# ([capacity](GLOSSARY.md#capacity)).

# %% slideshow={"slide_type": "skip"}
X_expr, y_expr = simulate_expression_regression(n_samples=560, n_genes=5, noise=0.5, seed=1)
X_expr, y_expr = X_expr.to_numpy(), y_expr.to_numpy()[:, None]  # y: (n, 1), like the output
expr_train, expr_val = (X_expr[:60], y_expr[:60]), (X_expr[60:], y_expr[60:])
widths, width_curves = [1, 2, 8, 32, 128], {}
for width in widths:
    net = MLP([5, width, 1], activation="tanh", rng=0)
    width_optimizer = Adam(net.parameters(), lr=1e-2)
    width_curves[width] = fit(net, width_optimizer, MSELoss(), expr_train, expr_val, 200)

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Left: training MSE falls with every extra hidden unit while validation MSE is lowest at 8 units and rises again. Right: for 128 units the training loss keeps falling over 200 epochs while the validation loss turns upward."
final_train = [width_curves[w]["train"][-1] for w in widths]
final_val = [width_curves[w]["val"][-1] for w in widths]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
axes[0].plot(widths, final_train, "o-", color=COLORS["blue"], label="training")
axes[0].plot(widths, final_val, "o-", color=COLORS["vermillion"], label="validation")
axes[0].set(xscale="log", xlabel="hidden units (capacity)", ylabel="MSE after 200 epochs")
axes[0].set_xticks(widths, [str(w) for w in widths])
axes[0].minorticks_off()
axes[0].legend()
for part, color in (("train", COLORS["blue"]), ("val", COLORS["vermillion"])):
    axes[1].plot(width_curves[128][part], color=color, label=f"{part}, 128 units")
axes[1].set(xlabel="epoch", ylabel="MSE", yscale="log", title="128 units over epochs")
axes[1].legend()
plt.show()

# %% slideshow={"slide_type": "skip"} tags=["nbval-check-output"]
print("training MSE:", np.round(final_train, 3), " best validation:", widths[np.argmin(final_val)])
assert np.all(np.diff(final_train) < 0) and 0 < np.argmin(final_val) < 4  # U-shaped validation

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room: which width would you pick, and on which data? (8 units, on validation.) The
# training curve alone always says "more units". Capacity is not only the width: λ, the dropout
# rate and the number of epochs are capacity knobs too, tuned the same way.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The $p \gg n$ omics cohort
#
# Simulated: 100 patients × 2,000 genes, 20 informative. Noise genes correlate with the status
# **by chance** in 60 training patients, not in held-out ones.

# %% slideshow={"slide_type": "skip"}
X_cohort, status = simulate_p_much_greater_than_n(100, 2000, n_informative=20, effect_size=1.5)
X_cohort, status = X_cohort.to_numpy(), status.to_numpy().astype(float)[:, None]
n_genes = X_cohort.shape[1]


def cohort_split(seed):
    """Stratified 60 / 20 / 20 split; every gene standardised with the 60 training rows only."""
    train, rest = train_test_split(np.arange(100), test_size=40, stratify=status, random_state=seed)
    inner, held = train_test_split(rest, test_size=20, stratify=status[rest], random_state=seed)
    mean, sd = X_cohort[train].mean(axis=0), X_cohort[train].std(axis=0)
    return [((X_cohort[rows] - mean) / sd, status[rows]) for rows in (train, inner, held)]


# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Scatter of each gene's correlation with the status in the training patients (x) against held-out patients (y): the 20 informative genes keep their correlation, the 1,980 noise genes scatter around zero on the y axis, including the best-looking noise gene."
(Z_fit, s_fit), _, (Z_held, s_held) = cohort_split(0)


def correlation_with_status(Z, s):
    """Pearson correlation of every gene with the status: (n_genes,)."""
    Zc, sc = Z - Z.mean(axis=0), s[:, 0] - s.mean()
    return Zc.T @ sc / (np.linalg.norm(Zc, axis=0) * np.linalg.norm(sc))


r_fit, r_held = correlation_with_status(Z_fit, s_fit), correlation_with_status(Z_held, s_held)
informative = np.arange(n_genes) < 20
top_noise = int(np.argmax(np.where(informative, 0, np.abs(r_fit))))
fig, ax = plt.subplots(figsize=(7, 4))
ax.scatter(
    r_fit[~informative], r_held[~informative], s=6, alpha=0.4, color="0.5", label="noise genes"
)
ax.scatter(
    r_fit[informative], r_held[informative], s=30, color=COLORS["vermillion"], label="informative"
)
ax.scatter(
    r_fit[top_noise],
    r_held[top_noise],
    s=90,
    facecolors="none",
    edgecolors="k",
    label="best noise gene",
)
ax.set(xlabel="correlation with status (60 training patients)", ylabel="correlation (20 held out)")
ax.legend(loc="upper left", fontsize=10)
plt.show()

# %% slideshow={"slide_type": "skip"} tags=["nbval-check-output"]
print(f"best noise gene: r = {r_fit[top_noise]:.2f} (training), {r_held[top_noise]:.2f} (held out)")
assert abs(r_held[top_noise]) < abs(r_fit[top_noise]) / 2  # the chance finding does not replicate

# %% [markdown] slideshow={"slide_type": "notes"}
# This is Day 2's multiple-testing problem in another guise: 2,000 candidate explanations, 60
# samples. With p ≥ n a linear model can even fit random labels exactly (deep dive below).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Penalties: L2, L1, elastic net
#
# [Regularisation](GLOSSARY.md#regularisation): a penalty on large weights, added to the loss $L$.
#
# | penalty | added to $L$ | effect |
# | --- | --- | --- |
# | L2 | $\frac{\lambda}{2}\lVert\mathbf w\rVert_2^2$ | all weights shrink |
# | L1 | $\lambda\lVert\mathbf w\rVert_1$ | many weights exactly 0: gene selection |
# | elastic net | L1 + L2 | sparse; correlated genes kept together |
#
# With L2, a gradient step is
#
# $$\mathbf w \leftarrow \mathbf w - \eta(\nabla L + \lambda\mathbf w)
# = (1-\eta\lambda)\,\mathbf w - \eta\nabla L :$$
#
# **[weight decay](GLOSSARY.md#weight-decay)**.

# %% [markdown] slideshow={"slide_type": "notes"}
# Convention trap: some texts write the penalty λ Σ w², whose gradient is 2λw; PyTorch's and our
# `weight_decay=λ` adds λw, i.e. the penalty (λ/2)‖w‖². The two λ differ by a factor 2. The L1
# gradient λ·sign(w) has the same size for tiny and large weights, which is why L1 drives weights
# to exactly zero (proximal methods such as glmnet's do it exactly; plain gradient steps oscillate
# around 0). `dlcourse.scratch.l1_penalty` gives the value and gradient for the loop.
# Our SGD, like PyTorch's, adds λw to the gradient of every parameter it is given, biases
# included: give biases a second optimizer without decay (deep dive: the code).

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 1 — a gradient step with weight decay
#
# Write `weight_decay_step(w, grad, lr, weight_decay)`: the weights after one gradient step on
# $L + \frac{\lambda}{2}\lVert\mathbf w\rVert^2$ (`grad` = $\nabla L$), as a new array.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def weight_decay_step(w, grad, lr, weight_decay):
    # YOUR CODE HERE
    return None


check_weight_decay_step(weight_decay_step)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def weight_decay_step(w, grad, lr, weight_decay):
    return w - lr * (grad + weight_decay * w)


assert check_weight_decay_step(weight_decay_step)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Adam + L2 is not AdamW
#
# **Adam + L2** (`Adam(weight_decay=λ)`) adds $\lambda\mathbf w$ to the gradient, which Adam then
# divides by $\sqrt{\hat{\mathbf v}}$: small-gradient weights decay fastest. **AdamW** (Loshchilov &
# Hutter, 2019) decays separately, $\mathbf w \leftarrow (1-\eta\lambda)\mathbf w$: all alike.
# Gradients $\pm 10$ ("busy") and $\pm 0.01$ ("quiet"), $\eta\lambda = 10^{-3}$:

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Weight against step for Adam + L2 and AdamW: with AdamW the busy and the quiet weight decay alike to about 0.82; with Adam + L2 the quiet weight falls to zero within 100 steps while the busy weight stays near 1."
decay_steps, decay_lr, decay_lam = 200, 0.01, 0.1
grad_scale = np.array([10.0, 0.01])  # busy, quiet


def decay_path(optimizer_class):
    """Two weights from 1 under alternating zero-mean gradients: their path (steps + 1, 2)."""
    w = np.ones(2)
    optimizer = optimizer_class([w], lr=decay_lr, weight_decay=decay_lam)
    path = [w.copy()]
    for step in range(decay_steps):
        optimizer.step([(-1.0) ** step * grad_scale])
        path.append(w.copy())
    return np.array(path)


decay_paths = {"Adam + L2": decay_path(Adam), "AdamW": decay_path(AdamW)}
fig, ax = plt.subplots(figsize=(8, 3.6))
for (name, path), style in zip(decay_paths.items(), ("-", "--"), strict=True):
    ax.plot(path[:, 0], style, color=COLORS["blue"], linewidth=3, label=f"{name}: busy weight")
    ax.plot(path[:, 1], style, color=COLORS["vermillion"], label=f"{name}: quiet weight")
ax.set(xlabel="step", ylabel="weight")
ax.legend(fontsize=10, ncol=2)
plt.show()

# %% slideshow={"slide_type": "skip"} tags=["nbval-check-output"]
(busy_l2, quiet_l2), (busy_w, quiet_w) = decay_paths["Adam + L2"][-1], decay_paths["AdamW"][-1]
print(f"Adam + L2: busy {busy_l2:.3f}, quiet {quiet_l2:.3f}   AdamW: {busy_w:.3f}, {quiet_w:.3f}")
assert abs(busy_w - quiet_w) < 1e-3 and abs(quiet_l2) < 0.05 and busy_l2 > 0.9

# %% [markdown] slideshow={"slide_type": "notes"}
# A hypothesis for the curious: in p ≫ n, Adam + L2 tilts weights towards the informative genes
# (the deep dive tests it at matched strength).
#
# Neither rule is wrong: they are different regularisers. AdamW's strength per step is ηλ,
# predictable and independent of the gradients; it is what "weight decay" means in modern recipes.
# In PyTorch `Adam(weight_decay=…)` is the coupled L2 form: a frequent surprise.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Dropout
#
# In training, [dropout](GLOSSARY.md#dropout) zeroes each unit with probability $p$ and scales the
# rest: $\tilde h_j = m_j h_j/(1-p)$, $m_j \sim \text{Bernoulli}(1-p)$, so
# $\mathbb E[\tilde h_j] = h_j$. In evaluation: the identity.

# %% slideshow={"slide_type": "-"}
print(inspect.getsource(Dropout._forward))

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the two lines: the mask is drawn afresh at every call, and the kept units are divided by
# 1 − p so nothing changes at evaluation. Common confusion: p is the probability of *dropping* a
# unit (PyTorch's convention), not of keeping it. Older texts scale by (1 − p) at test time instead.
# "Dropout trains an implicit ensemble" is a heuristic: evaluation equals the ensemble mean only
# for a linear layer.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The bug: evaluating in training mode
#
# Dropout 0.2, 10 samples predicted 100 times **in training mode**: a new answer each call.

# %% slideshow={"slide_type": "-"}
dropout_net = MLP([5, 128, 1], activation="tanh", dropout=0.2, rng=0)
dropout_optimizer = Adam(dropout_net.parameters(), lr=1e-2)
fit(dropout_net, dropout_optimizer, MSELoss(), expr_train, expr_val, 200)
samples = expr_val[0][:10]
buggy = np.stack([dropout_net.train()(samples)[:, 0] for _ in range(100)])  # the bug
correct = dropout_net.eval()(samples)[:, 0]  # the fix: evaluation mode

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="For each of 10 validation samples, 100 predictions in training mode scatter over about one unit of expression, while the single evaluation-mode prediction is one point."
fig, ax = plt.subplots(figsize=(8, 3.4))
positions = np.arange(1, 11)
ax.scatter(np.repeat(positions, 100), buggy.T.ravel(), s=8, alpha=0.25, color=COLORS["blue"])
ax.scatter([], [], s=8, color=COLORS["blue"], label="training mode: 100 calls")
ax.scatter(
    positions, correct, marker="D", s=50, color=COLORS["vermillion"], label="eval(): one answer"
)
ax.set(xlabel="validation sample", ylabel="predicted expression", xticks=positions)
ax.legend(fontsize=10, ncol=2, loc="upper left")
plt.show()

# %% slideshow={"slide_type": "skip"} tags=["nbval-check-output"]
print(f"sd over 100 training-mode calls: {buggy.std(axis=0).min():.3f} or more")
assert np.all(buggy.std(axis=0) > 0.01)  # training mode: a different answer every call
assert np.array_equal(correct, dropout_net.eval()(samples)[:, 0])  # eval mode: deterministic

# %% [markdown] slideshow={"slide_type": "notes"}
# The same bug corrupts batch norm, which in training mode normalises with the statistics of
# whatever batch it receives. Rule: `train()` before a training epoch, `eval()` before any
# validation or prediction. In PyTorch (this afternoon) the same two calls exist.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Early stopping
#
# [Early stopping](GLOSSARY.md#early-stopping) stops after `patience` epochs without improvement
# and **restores the best weights**. Their validation loss is optimistic (it chose the epoch).

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
es_net = MLP([5, 128, 1], activation="tanh", rng=0)
stopper, es_optimizer = EarlyStopping(patience=20), Adam(es_net.parameters(), lr=1e-2)
curves = fit(es_net, es_optimizer, MSELoss(), expr_train, expr_val, 200, stopper)
restored = evaluate(es_net, MSELoss(), *expr_val)
print(f"best epoch {stopper.best_epoch}, ran {len(curves['val'])}: val MSE {restored:.3f}")
assert abs(restored - min(curves["val"])) < 1e-12  # the best weights are back

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask: why is the restored model's validation MSE an optimistic estimate? (We picked the epoch
# because it was lowest on exactly these samples.) The exercise after the summary replays the rule
# by hand; `dlcourse.scratch.EarlyStopping` is the same rule with the weights copied.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Explore: dropout rate against the curves
#
# 128 units, dropout rate $p$; dashed: early stopping's epoch. In JupyterLab, move the slider.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Training and validation MSE over 200 epochs of the 128-unit network without dropout: training MSE falls below 0.05 while validation MSE is lowest near epoch 68 and then rises; a dashed line marks the best epoch."
DROPOUT_RATES = [0.0, 0.1, 0.2, 0.3, 0.5, 0.7]


def dropout_curves(p):
    """Training and validation MSE per epoch of the 128-unit network with dropout rate p."""
    net = MLP([5, 128, 1], activation="tanh", dropout=p, rng=0)
    return fit(net, Adam(net.parameters(), lr=1e-2), MSELoss(), expr_train, expr_val, 200)


dropout_grid = precompute(dropout_curves, p=DROPOUT_RATES)  # the slider only looks up


def draw_dropout(p):
    curves = dropout_grid(p=p)
    best = int(np.argmin(curves["val"]))
    fig, ax = plt.subplots(figsize=(8, 3.8))
    ax.plot(curves["train"], color=COLORS["blue"], label="training")
    ax.plot(curves["val"], color=COLORS["vermillion"], label="validation")
    ax.axvline(best, color="0.4", linestyle="--", label=f"best epoch {best}")
    ax.set(xlabel="epoch", ylabel="MSE", yscale="log", ylim=(0.01, 3), title=f"dropout p = {p}")
    ax.legend(loc="lower left")
    return fig


explore(draw_dropout, p=DROPOUT_RATES)

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask: where does the gap between the curves close, and where does the validation loss start to
# rise again? Small p shrinks the gap and moves the best epoch later; large p underfits (both
# curves high). The dropout rate is a capacity knob like the width.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Data augmentation for genomics
#
# [Augmentation](GLOSSARY.md#data-augmentation) adds label-preserving copies: expression plus
# noise, or the [reverse complement](GLOSSARY.md#reverse-complement) of DNA (strand-free tasks).
# **Split first**, augment the training part only, keep a sequence and its reverse complement in
# one fold.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
dna, has_motif = simulate_dna_motif(300, length=20, both_strands=True, seed=0)
seqs, labels = dna["sequence"].tolist(), has_motif.to_numpy().astype(float)
train_seqs, held_seqs, train_labels, held_labels = train_test_split(
    seqs, labels, test_size=0.3, stratify=labels, random_state=0
)  # 1. split
aug_seqs = train_seqs + reverse_complement(train_seqs)  # 2. augment training only
aug_labels = np.concatenate([train_labels, train_labels])  # the label is kept
assert not set(held_seqs) & set(aug_seqs)  # no held-out sequence, either strand

# %% [markdown] slideshow={"slide_type": "notes"}
# Training with and without the reverse-complement copies, and expression noise (an L2 penalty in
# disguise for a linear model), are in the deep dives below.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Batch normalisation
#
# [Batch norm](GLOSSARY.md#batch-normalisation) standardises each hidden unit over the mini-batch,
# then rescales with learned $\gamma, \beta$:
#
# $$y = \gamma\,\frac{x-\mu_B}{\sqrt{\sigma_B^2+\epsilon}} + \beta .$$
#
# Evaluation uses running averages from training instead: a prediction must not depend on the
# rest of the batch.

# %% [markdown] slideshow={"slide_type": "notes"}
# PyTorch's `momentum=0.1` weights the *new* batch (the opposite of the 0.9 "momentum" of optimizers).
# With a batch of one sample the training-mode variance is 0: batch norm refuses it. Batch norm's
# regularising effect (noise from batch statistics) is mild; its main job is stable training.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Which regulariser when
#
# | technique | when to use | modern recipe |
# | --- | --- | --- |
# | weight decay (AdamW) | almost always | basic |
# | early stopping | whenever a validation set exists | basic |
# | batch norm | deep nets, batches ≥ 16 | basic, if deep |
# | dropout | wide hidden layers | if still overfitting |
# | augmentation | transforms valid for the biology | if still overfitting |
# | L1 / elastic net | sparse, interpretable models | the baseline to beat |

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the table top down as a recipe: the first three are cheap and almost always on; add
# dropout or augmentation only if validation still says overfitting; L1 / elastic net is the
# linear baseline any network must beat on omics data. Ask: "for 60 patients and 2,000 genes,
# which row first?" Common confusion: stacking every regulariser is not better; each is a knob.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A fair comparison
#
# 2,000 genes → 8 ReLU → 1 logit, Adam, 60 epochs; 20 splits: 60 train, 20 "inner" (early
# stopping's epoch), 20 held out; strengths fixed in advance (**untuned**). Δ: held-out loss
# minus "none", paired by split, 95 % interval:

# %% slideshow={"slide_type": "skip"}
TECHNIQUES = {  # name -> (MLP options, optimizer, weight decay, early-stopping patience)
    "none": ({}, Adam, 0.0, None),
    "L2 (Adam)": ({}, Adam, 0.01, None),
    "AdamW": ({}, AdamW, 3.9, None),  # (1 - ηλ)^60 ≈ 1/2: an unused weight halves
    "dropout": ({"dropout": 0.5}, Adam, 0.0, None),
    "batch norm": ({"batch_norm": True}, Adam, 0.0, None),
    "early stopping": ({}, Adam, 0.0, 10),
}


def held_out_loss(name, seed):
    """Train technique ``name`` on split ``seed``; its BCE on the 20 held-out patients."""
    mlp_options, optimizer_class, weight_decay, patience = TECHNIQUES[name]
    train, inner, held = cohort_split(seed)
    model = MLP([n_genes, 8, 1], rng=seed, **mlp_options)
    optimizer = optimizer_class(model.parameters(), lr=3e-3, weight_decay=weight_decay)
    stopper = EarlyStopping(patience) if patience else None
    fit(model, optimizer, BCEWithLogitsLoss(), train, inner, epochs=60, stopper=stopper)
    return evaluate(model, BCEWithLogitsLoss(), *held)


held_loss = {name: [held_out_loss(name, seed) for seed in range(20)] for name in TECHNIQUES}
differences = {name: paired_difference(held_loss[name], held_loss["none"]) for name in TECHNIQUES}
verdicts = {
    name: "better" if d.high < 0 else "worse" if d.low > 0 else "no clear"
    for name, d in differences.items()
}
stated = {"L2 (Adam)": "better", "dropout": "better"}  # what the text says; others no clear
assert {name: v for name, v in verdicts.items() if v != "no clear"} == stated

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
for name, losses in held_loss.items():  # mean ± sd over the 20 splits; Δ and its interval
    d = differences[name]
    print(f"{name:14s} {np.mean(losses):.3f} ± {np.std(losses, ddof=1):.3f}   "
          f"Δ {d.estimate:+.3f} [{d.low:+.3f}, {d.high:+.3f}]  {verdicts[name]}")  # fmt: skip

# %% [markdown] slideshow={"slide_type": "fragment"}
# Only **L2 (Adam)** and **dropout** lower it (interval below 0); for the others: **no clear
# difference** at these strengths.

# %% [markdown] slideshow={"slide_type": "notes"}
# Read it with the room: held-out losses sit near chance (ln 2 ≈ 0.69) — 60 patients and 2,000
# genes is hard — and the split-to-split spread is larger than most differences, which is why the
# pairing matters. "No clear difference" is not "no effect": tuned strengths (tuned on the inner
# split, never on the held-out patients) might change the verdicts. The first columns are
# mean ± sd over the 20 splits.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Validation loss is U-shaped in capacity.
# - L2 = weight decay; Adam + L2 ≠ AdamW; L1 gives sparsity.
# - Dropout and batch norm have two modes; early stopping restores the best weights.
# - Augment after the split; compare with paired differences.
#
# ### Common mistakes
#
# > - Predicting in training mode: call `eval()` first.
# > - Augmenting or standardising before the split; tuning on the test set.
# > - Taking `Adam(weight_decay=λ)` for AdamW; decaying biases unintentionally.
# > - A winner from one seed.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap + Q&A — what the morning built
#
# | the morning built | the one idea to keep |
# | --- | --- |
# | 01 a neuron | a weighted sum, bent by an activation $f$ |
# | 02 the forward pass | layers are matrix products; without $f$, depth adds nothing |
# | 03 gradient descent, optimizers | step against the gradient; the step size rules |
# | 04 backpropagation | the chain rule, backwards: every gradient for ≤ 3 forward passes' work |
# | 05 activations | $f'(z)$ sits in every $\delta$: ReLU + He keep it alive |
# | 06 losses | a loss is a noise model; compute it on logits |
# | 07 training, regularisation | judge on held-out data, over several seeds |

# %% [markdown] slideshow={"slide_type": "notes"}
# Walk the table as one story: a neuron, stacked into a network, trained by gradient descent,
# with gradients from backpropagation, kept alive by the activation, aimed by the loss, and held
# back from memorising by regularisation. Let the room fill in the right column before showing
# it, if time allows.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recap + Q&A — from NumPy to PyTorch
#
# This afternoon, hands-on, PyTorch does the morning's NumPy work for us:
#
# - **08:** tensors, autograd (notebook 04's gradients), `nn.Module`, the loop with `eval()`.
# - **09:** Breast Cancer Wisconsin step by step: split, baseline, a regularised MLP, one test.
#
# Questions?
#
# **Next:** 08 — PyTorch essentials.

# %% [markdown] slideshow={"slide_type": "notes"}
# Questions to put to the room (take 2–3):
# 1. "Your training loss is falling and your validation loss is rising: name two things to try."
# 2. "Which line of our NumPy loop does autograd replace?" (`model.backward(loss.backward())`
#    becomes `loss.backward()`.)
# 3. "A sigmoid network of 10 layers does not learn: which slide of the morning explains it?"

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ### Practice 1 — inverted dropout
#
# Write `dropout_forward(x, p, u, training)`. `u` holds uniform draws in $[0, 1)$ with the shape of
# `x`: keep a unit when $u \ge p$. In training return the kept units scaled by $1/(1-p)$ and zeros
# elsewhere; in evaluation (`training=False`) return `x`.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_dropout_forward


def dropout_forward(x, p, u, training):
    # YOUR CODE HERE
    return None


check_dropout_forward(dropout_forward)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def dropout_forward(x, p, u, training):
    if not training:
        return x
    return x * (u >= p) / (1 - p)


assert check_dropout_forward(dropout_forward)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ### Practice 2 — batch normalisation in training mode
#
# Write `batchnorm_forward(x, gamma, beta, eps)` for `x` of shape `(batch, features)`: normalise
# each feature with the mean and the **biased** variance of the batch, then scale by `gamma` and
# shift by `beta` (both of shape `(features,)`).


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_batchnorm_forward


def batchnorm_forward(x, gamma, beta, eps):
    # YOUR CODE HERE
    return None


check_batchnorm_forward(batchnorm_forward)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def batchnorm_forward(x, gamma, beta, eps):
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


assert check_batchnorm_forward(batchnorm_forward)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ### Practice 3 — the early-stopping rule
#
# Write `early_stopping(val_losses, patience, min_delta)` that replays training from a list of
# validation losses (one per epoch) and returns `(best_epoch, last_epoch)`, both counted from 0:
# the epoch whose weights are restored, and the epoch after which training stops
# (`len(val_losses) - 1` if patience never runs out). An epoch improves when its loss is below
# `best - min_delta`; training stops once `patience` epochs in a row did not improve.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_early_stopping


def early_stopping(val_losses, patience, min_delta):
    # YOUR CODE HERE
    return None


check_early_stopping(early_stopping)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
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


assert check_early_stopping(early_stopping)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — fitting random labels when $p \ge n$
#
# > **Deep dive — optional.** Shows that a linear model fits even shuffled labels exactly when
# > genes outnumber patients; the rest of the notebook does not need it.
#
# With $p \ge n$, $X\mathbf w = \mathbf t$ has a solution for **any** targets: the minimum-norm one,
# $\mathbf w = X^\top(XX^\top)^{-1}\mathbf t$ ($X$: the training matrix plus an intercept column,
# full row rank; $t_i = \pm 1$).

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
(Z_train, s_train), (Z_val, s_val), _ = cohort_split(0)
Z1_train = np.column_stack([Z_train, np.ones(len(Z_train))])
Z1_val = np.column_stack([Z_val, np.ones(len(Z_val))])
shuffled = np.random.default_rng(0).permutation(s_train)
for name, s_used in (("true status", s_train), ("shuffled status", shuffled)):
    t = 2.0 * s_used[:, 0] - 1.0
    w = Z1_train.T @ np.linalg.solve(Z1_train @ Z1_train.T, t)
    assert np.allclose(Z1_train @ w, t, atol=1e-8)  # every training label fitted exactly
    val_acc = np.mean((Z1_val @ w > 0) == s_val[:, 0])  # against the true validation status
    print(f"{name:16s} training accuracy {np.mean((Z1_train @ w > 0) == s_used[:, 0]):.2f}"
          f"   validation accuracy {val_acc:.2f}")  # fmt: skip

# %% [markdown] slideshow={"slide_type": "-"} tags=["deep-dive"]
# Both fit the training labels perfectly; only held-out patients reveal that the model trained on
# shuffled labels learned nothing (validation accuracy near chance, 0.5).

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — Adam + L2 and AdamW at matched strength
#
# > **Deep dive — optional.** Tests the hypothesis that Adam + L2 tilts the weights towards the
# > informative genes; the rest of the notebook does not need it.
#
# A fair test matches the strengths: on the 20 splits we train Adam + L2 ($\lambda = 0.01$) and
# AdamW with a $\lambda$ that gives a first-layer weight norm of the same size (about 2.5), and
# compare the **true-gene share**, the fraction of the first layer's squared weights on the 20
# informative genes (1 % if spread evenly).


# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
def first_layer(optimizer_class, weight_decay, seed):
    """The first-layer weights (8, n_genes) after 60 epochs on split ``seed``."""
    train, inner, _ = cohort_split(seed)
    model = MLP([n_genes, 8, 1], rng=seed)
    optimizer = optimizer_class(model.parameters(), lr=3e-3, weight_decay=weight_decay)
    fit(model, optimizer, BCEWithLogitsLoss(), train, inner, epochs=60)
    return model[0].W


matched = {"Adam + L2": (Adam, 0.01), "AdamW": (AdamW, 30.0)}
norm, share = {}, {}
for name, (optimizer_class, weight_decay) in matched.items():
    weights = [first_layer(optimizer_class, weight_decay, seed) for seed in range(20)]
    norm[name] = np.array([np.linalg.norm(W) for W in weights])
    share[name] = np.array([np.sum(W[:, :20] ** 2) / np.sum(W**2) for W in weights])
    print(
        f"{name:9s} weight norm {norm[name].mean():.2f}   true-gene share {share[name].mean():.3f}"
    )
norm_diff = paired_difference(norm["Adam + L2"], norm["AdamW"])
share_diff = paired_difference(share["Adam + L2"], share["AdamW"])
print("share, Adam + L2 - AdamW:", share_diff)
assert abs(norm_diff.estimate) < 0.2 * norm["AdamW"].mean()  # strengths matched within 20 %
assert share_diff.low > 0 and share["Adam + L2"].mean() < 0.1  # tilted, but >90 % still on noise

# %% [markdown] slideshow={"slide_type": "-"} tags=["deep-dive"]
# At matched weight norm, Adam + L2 puts about three times as much weight on the informative genes
# as AdamW, whose share stays at the even-spread 1 %: the tilt is real (the interval excludes 0).
# But more than 90 % of the weight still sits on noise genes: a tilt, not a gene filter.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — augmentation, trained
#
# > **Deep dive — optional.** Trains with and without the augmentations of the lecture and
# > compares them on held-out data; the rest of the notebook does not need it.
#
# **Reverse complement.** A 16-unit MLP on the one-hot sequences, 100 epochs, with and without the
# reverse-complement copies; 10 splits (each split first, then augmented), held-out BCE paired.

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
from dlcourse.data import one_hot_dna


def dna_held_out_loss(seed, augment):
    """Held-out BCE of an MLP on split ``seed`` of the DNA set, with or without RC copies."""
    train_s, held_s, train_y, held_y = train_test_split(
        seqs, labels, test_size=0.3, stratify=labels, random_state=seed
    )
    if augment:  # after the split: the training part only
        train_s, train_y = train_s + reverse_complement(train_s), np.concatenate([train_y, train_y])
    X_train = one_hot_dna(train_s, dtype=np.float64).reshape(len(train_s), -1)
    X_held = one_hot_dna(held_s, dtype=np.float64).reshape(len(held_s), -1)
    model = MLP([X_train.shape[1], 16, 1], rng=seed)
    train, held = (X_train, train_y[:, None]), (X_held, held_y[:, None])
    fit(model, Adam(model.parameters(), lr=1e-2), BCEWithLogitsLoss(), train, held, epochs=100)
    return evaluate(model, BCEWithLogitsLoss(), *held)


rc_diff = paired_difference(
    [dna_held_out_loss(seed, True) for seed in range(10)],
    [dna_held_out_loss(seed, False) for seed in range(10)],
)
print("held-out BCE, with - without reverse complement:", rc_diff)
assert rc_diff.high < 0  # augmentation lowers the held-out loss

# %% [markdown] slideshow={"slide_type": "-"} tags=["deep-dive"]
# The network learns the motif on both strands only from twice as many (valid) examples: a clear
# gain here. (The validation curve is computed on the held-out part but chooses nothing.)
#
# **Expression noise** $\tilde{\mathbf x} = \mathbf x + \boldsymbol\varepsilon$,
# $\boldsymbol\varepsilon \sim \mathcal N(0, \sigma^2 I)$, drawn afresh at every step. For a linear
# model with squared loss it is an L2 penalty in disguise (Bishop, 1995):
# $\mathbb E_{\boldsymbol\varepsilon}[(\mathbf w^\top(\mathbf x+\boldsymbol\varepsilon) - y)^2]
# = (\mathbf w^\top\mathbf x - y)^2 + \sigma^2\lVert\mathbf w\rVert^2$. A Monte Carlo check, then
# a noise layer (like dropout: active in training only) in the comparison's protocol.

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
rng = np.random.default_rng(0)
X_lin, y_lin, w_lin, sigma = expr_train[0], expr_train[1][:, 0], rng.normal(size=5), 0.5
noisy = X_lin[None] + sigma * rng.standard_normal((20_000, *X_lin.shape))
monte_carlo = np.mean((noisy @ w_lin - y_lin) ** 2)
analytic = np.mean((X_lin @ w_lin - y_lin) ** 2) + sigma**2 * np.sum(w_lin**2)
print(f"noisy-input loss {monte_carlo:.3f}   clean loss + σ²‖w‖² {analytic:.3f}")
assert abs(monte_carlo - analytic) / analytic < 0.01  # Monte Carlo agrees to 1 %

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
from dlcourse.scratch import Layer, Sequential


class GaussianNoise(Layer):
    """Expression noise: adds N(0, sigma²) to every input in training mode; identity in eval."""

    def __init__(self, sigma, rng):
        super().__init__()
        self.sigma, self.rng = sigma, np.random.default_rng(rng)

    def _forward(self, x):
        return x + self.sigma * self.rng.standard_normal(x.shape) if self.training else x

    def _backward(self, grad_out):
        return grad_out


def noisy_held_out_loss(seed, sigma=1.0):
    """The held-out loss of technique "none" on split ``seed``, with a noise layer in front."""
    train, inner, held = cohort_split(seed)
    model = Sequential(GaussianNoise(sigma, rng=seed), *MLP([n_genes, 8, 1], rng=seed))
    optimizer = Adam(model.parameters(), lr=3e-3)
    fit(model, optimizer, BCEWithLogitsLoss(), train, inner, epochs=60)
    return evaluate(model, BCEWithLogitsLoss(), *held)


noise_diff = paired_difference([noisy_held_out_loss(s) for s in range(20)], held_loss["none"])
print("held-out BCE, noise σ = 1 - none:", noise_diff)
print(noise_diff.verdict("noise", "none", better="lower"))
assert noise_diff.covers(0.0)  # as the text says: no clear difference

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — batch norm's two modes in numbers
#
# > **Deep dive — optional.** Shows the layer's code and its training and evaluation modes on
# > numbers; the rest of the notebook does not need it.
#
# In training the layer uses the batch's mean and biased variance and updates running estimates
# (torch's `momentum` $m = 0.1$ weights the new batch; the running variance is unbiased):
# $\hat\mu \leftarrow (1-m)\hat\mu + m\mu_B$, $\hat\sigma^2 \leftarrow (1-m)\hat\sigma^2 +
# m\frac{N}{N-1}\sigma_B^2$. Evaluation normalises with $\hat\mu, \hat\sigma^2$.

# %% slideshow={"slide_type": "-"} tags=["deep-dive"]
from dlcourse.scratch import BatchNorm1d

print(inspect.getsource(BatchNorm1d._forward))

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
batches = 5.0 + 2.0 * np.random.default_rng(0).standard_normal((30, 16, 4))  # 30 batches, 4 genes
bn = BatchNorm1d(4)
running_means = []
for batch in batches:
    bn.train()(batch)  # batch statistics; running statistics updated
    running_means.append(bn.running_mean[0])
patient = batches[0][:1]
batch_a, batch_b = np.vstack([patient, batches[1][1:]]), np.vstack([patient, batches[2][1:]])
train_a, train_b = bn.train()(batch_a)[0], bn(batch_b)[0]
eval_a, eval_b = bn.eval()(batch_a)[0], bn(batch_b)[0]
assert not np.allclose(train_a, train_b) and np.array_equal(eval_a, eval_b)
print("same patient, two batches, training mode:", train_a.round(2), train_b.round(2))
print("same patient, two batches, eval mode:    ", eval_a.round(2), eval_b.round(2))

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "hide-code"] alt="Running mean of gene 1 over 30 training batches rising from 0 towards 5 along the curve 5(1 - 0.9^k), with the batch means scattered around 5."
fig, ax = plt.subplots(figsize=(8, 3.4))
k = np.arange(1, 31)
ax.scatter(
    k, batches[:, :, 0].mean(axis=1), s=20, color=COLORS["blue"], label=r"batch mean $\mu_B$"
)
ax.plot(k, running_means, "o-", color=COLORS["vermillion"], label=r"running mean $\hat\mu$")
ax.plot(k, 5.0 * (1 - 0.9**k), ":", color=COLORS["black"], label=r"$5\,(1-0.9^k)$")
ax.set(xlabel="training batch k", ylabel="gene 1")
ax.legend(loc="lower right")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — weight decay inside our SGD
#
# > **Deep dive — optional.** The few lines of `dlcourse.scratch.SGD` that implement weight decay
# > and momentum, as PyTorch's `torch.optim.SGD` does; the rest of the notebook does not need it.
#
# The first two lines add $\lambda\mathbf w$ to the gradient of **every** parameter the optimizer
# was given: biases and batch norm's $\gamma, \beta$ too, unless they go to a second optimizer
# (or parameter group) with `weight_decay=0`.

# %% slideshow={"slide_type": "-"} tags=["deep-dive"]
print(inspect.getsource(SGD._update))
