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
# # 05 — Activation functions
#
# **Previously:** backpropagation (04) multiplies each layer's error by $f'(z)$, the derivative
# of the activation.
#
# Objectives:
# 1. explain vanishing and exploding gradients and dead ReLUs from $f'(z)$;
# 2. measure gradient norms per layer and count dead units;
# 3. choose a hidden activation, its initialisation and an output activation;
# 4. compute a softmax that never overflows.

# %% [markdown] slideshow={"slide_type": "skip"}
# [Open in Colab](https://colab.research.google.com/github/unipv-genomic-data-science/day3-deep-learning-foundations/blob/main/notebooks/05_activation_functions.ipynb)

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
from dlcourse.data import simulate_epistasis, simulate_expression_regression
from dlcourse.exercises import check_sigmoid_grad
from dlcourse.explore import explore
from dlcourse.plots import COLORS, plot_decision_boundary, plot_gradient_norms, set_style
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import MLP, SGD, Adam, BCEWithLogitsLoss, Dense, LeakyReLU, MSELoss, ReLU
from dlcourse.stats import paired_difference, wilson_interval

seed_everything(0)
DEVICE = get_device()
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## $f'(z)$ sits inside every $\delta$
#
# From notebook 04, $\delta^{(l)} = \big(W^{(l+1)}\big)^{\top} \delta^{(l+1)} \odot f'\big(z^{(l)}\big)$.
# Unrolled from the output layer $L$ down to layer 1, the error is a **product**, one factor per
# layer:
#
# $$\delta^{(1)} = \operatorname{diag}\big(f'(z^{(1)})\big)\, W^{(2)\top}
# \cdots \operatorname{diag}\big(f'(z^{(L-1)})\big)\, W^{(L)\top}\, \delta^{(L)} .$$
#
# Many factors below 1 shrink it geometrically
# ([vanishing gradient](GLOSSARY.md#vanishing-gradient)); many above 1 blow it up
# ([exploding gradient](GLOSSARY.md#exploding-gradient)).

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
best_sigmoid_factor = float(scratch.sigmoid_grad(0.0))  # the sigmoid's largest slope
print(f"max σ'(z) = {best_sigmoid_factor:.2f}; ten layers: {best_sigmoid_factor**10:.1e}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room: "if every layer multiplies the error by at most a quarter, what is left after ten
# layers?" Then show the number. The common confusion: students think the weights alone decide;
# the activation's slope is the other half of every factor.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Four hidden activations
#
# | name | $f(z)$ | $f'(z)$ | range |
# | --- | --- | --- | --- |
# | sigmoid | $\sigma(z) = 1 / (1 + e^{-z})$ | $\sigma(z)\,\big(1 - \sigma(z)\big)$ | $(0, 1)$ |
# | tanh | $\tanh(z)$ | $1 - \tanh^2(z)$ | $(-1, 1)$ |
# | ReLU | $\max(0, z)$ | $1$ if $z > 0$, else $0$ | $[0, \infty)$ |
# | leaky ReLU | $z$ if $z > 0$, else $\alpha z$ | $1$ if $z > 0$, else $\alpha$ | $\mathbb{R}$ |

# %% [markdown] slideshow={"slide_type": "notes"}
# At the kink z = 0, PyTorch (and dlcourse.scratch) use the left value: 0, or α for leaky ReLU
# (default 0.01). The smooth derivatives reuse f(z), already computed in the forward pass: no
# extra exponential in the backward pass.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where the derivative vanishes
#
# Shaded: $f'(z) < 0.1$ (ten such layers: $10^{-10}$). In JupyterLab, change both.


# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Sigmoid and its derivative, flat parts shaded"
def draw_activation(name="sigmoid", threshold=0.1):
    """f(z) and f'(z) of one activation; the region where f'(z) < threshold is shaded."""
    z = np.linspace(-6, 6, 601)
    slope = getattr(scratch, f"{name}_grad")(z)
    shade = {"where": slope < threshold, "color": COLORS["vermillion"], "alpha": 0.15}
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.6), layout="constrained")
    panels = {name: getattr(scratch, name)(z), "derivative": slope}
    for ax, (title, values) in zip(axes, panels.items(), strict=True):
        ax.plot(z, values, linewidth=2.5)
        ax.fill_between(z, 0, 1, transform=ax.get_xaxis_transform(), **shade)
        ax.set(title=title, xlabel="z")
    return fig


activation_names = ["sigmoid", "tanh", "relu", "leaky_relu"]
explore(draw_activation, name=activation_names, threshold=(0.01, 0.5, 0.01, 0.1))

# %% [markdown] slideshow={"slide_type": "notes"}
# Sigmoid: flat on both sides and never above ¼. tanh: slope 1 at 0 but flat beyond |z| ≈ 2.
# ReLU: flat on the whole negative half-line (exactly 0). Leaky ReLU: never below α.
# Question: "which of these can never vanish?" — leaky ReLU, but its slope α is small.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercise 1 — the sigmoid's derivative
#
# Write `sigmoid_grad(z)`: $\sigma'(z)$ element-wise, from the table. You may call
# `scratch.sigmoid`. The check also tries $z = \pm 1000$: no `nan`, no warning.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def sigmoid_grad(z):
    # YOUR CODE HERE
    return None


check_sigmoid_grad(sigmoid_grad)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def sigmoid_grad(z):
    s = scratch.sigmoid(z)
    return s * (1 - s)


assert check_sigmoid_grad(sigmoid_grad)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Gradient norm per layer in a deep network
#
# Simulated: a target gene's expression from 20 genes. An MLP with 10 hidden layers of 64
# units, PyTorch's default initialisation, one backward pass of MSE; per layer the norm
# $\lVert \partial \mathcal{L} / \partial W^{(l)} \rVert$.

# %% slideshow={"slide_type": "skip"}
X_expr, y_expr = simulate_expression_regression(n_samples=256, n_genes=20, seed=0)
X_expr, y_expr = X_expr.to_numpy(), y_expr.to_numpy()[:, None]
DEEP_SIZES = [20] + [64] * 10 + [1]


# %% slideshow={"slide_type": "fragment"}
def weight_gradient_norms(model, X, y):
    """||dL/dW|| per Dense layer (input -> output) after one backward pass of MSE."""
    loss = MSELoss()
    model.zero_grad()
    loss(model(X), y)
    model.backward(loss.backward())
    return [np.linalg.norm(layer.dW) for layer in model if isinstance(layer, Dense)]


# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
grad_norms = {}
for name in ("sigmoid", "tanh", "relu", "leaky_relu"):
    deep_net = MLP(DEEP_SIZES, activation=name, rng=0)
    grad_norms[name] = weight_gradient_norms(deep_net, X_expr, y_expr)
ratios = [f"{name} {norms[0] / norms[-1]:.0e}" for name, norms in grad_norms.items()]
print("first layer / last layer:", ", ".join(ratios))

# %% [markdown] slideshow={"slide_type": "notes"}
# One backward pass, no training: we only look at how big each layer's gradient is. Ask: "with
# one learning rate for all layers, which layers learn?" Common confusion: a small gradient is
# not a bug in backpropagation; it is the product of many small factors.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Gradient norm per layer in a deep network (continued)

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Gradient norm per layer, four activations"
plot_gradient_norms(grad_norms).set_title("one backward pass, PyTorch's default initialisation")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Read from right (output) to left (input). With sigmoid the first layer's gradient is about
# 10⁸ times smaller than the last's (the printed ratio 2e-08): with one learning rate for all
# layers, the first ones do not learn. The ReLUs also shrink here: that is the initialisation's fault (next slide).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Initialisation sets the size of the factors
#
# For $z_j = \sum_k W_{jk} h_k$ with independent zero-mean weights,
# $\operatorname{Var}(z_j) = n_\text{in} \operatorname{Var}(W)\, \mathbb{E}[h^2]$: the
# **second moment** of the inputs, not their variance. Keep it constant across layers:
#
# - **Xavier** $\operatorname{Var}(W) = 2 / (n_\text{in} + n_\text{out})$ assumes slope 1 at 0
#   and zero-centred outputs: true for tanh. The sigmoid has slope ¼ and outputs centred at ½,
#   so for it Xavier is only a rough guide.
# - **He** $\operatorname{Var}(W) = 2 / n_\text{in}$ for ReLU, which halves the second moment:
#   $\mathbb{E}[\operatorname{relu}(z)^2] = \tfrac12 \mathbb{E}[z^2]$; the 2 restores it.
# - PyTorch's `nn.Linear` default: $\operatorname{Var}(W) = 1 / (3 n_\text{in})$.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
z_sym = np.random.default_rng(0).normal(size=1_000_000)  # symmetric pre-activations
h_relu = scratch.relu(z_sym)
print(f"relu: second moment x {np.mean(h_relu**2) / np.mean(z_sym**2):.2f}")
print(f"relu: variance      x {h_relu.var() / z_sym.var():.2f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# The common confusion: "He doubles the variance because ReLU halves the variance". It does not:
# the variance drops to about 0.34; it is the second moment that halves, and the second moment is
# what the next layer's variance depends on. A deep dive shows the 10-layer network under each
# initialisation.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Dead ReLU units
#
# A ReLU unit is **dead** ([dying ReLU](GLOSSARY.md#dying-relu)) when $z \le 0$ for every
# sample: output and derivative 0, so its incoming weights get exactly zero gradient. Usual
# cause: a too large learning rate.


# %% slideshow={"slide_type": "fragment"}
def dead_fraction(model, X):
    """Fraction of hidden units whose pre-activation is <= 0 on every row of X."""
    dead, h = [], X
    for layer in model:
        if isinstance(layer, (ReLU, LeakyReLU)):
            dead.append(np.all(h <= 0, axis=0))  # h is this layer's input z
        h = layer(h)
    return np.concatenate(dead).mean()


# %% [markdown] slideshow={"slide_type": "notes"}
# A dead unit is a property of the whole data set, not of one sample: every row must give z ≤ 0.
# Ask: "can a dead unit come back with plain gradient descent?" — its own weights get zero
# gradient; only changes in earlier layers can revive it, which rarely happens.


# %% slideshow={"slide_type": "skip"}
def train_full_batch(model, loss, X, y, optimizer, steps):
    """The learning loop of notebook 03, full batch, with the NumPy engine."""
    for _ in range(steps):
        model.zero_grad()
        loss(model(X), y)
        model.backward(loss.backward())
        optimizer.step(model.gradients())
    return model


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Dead units over 10 seeds
#
# 3 hidden layers of 48 units, He initialisation, 60 steps of full-batch SGD on 128 samples.
# Leaky ReLU: units negative on every sample (not dead: slope $\alpha$).

# %% slideshow={"slide_type": "skip"}
X_dead, y_dead = X_expr[:128], y_expr[:128]


def dead_after_training(activation, lr, seed):
    """(dead fraction, training MSE) after 60 SGD steps."""
    model = MLP([20, 48, 48, 48, 1], activation=activation, rng=seed, init="he")
    train_full_batch(model, MSELoss(), X_dead, y_dead, SGD(model.parameters(), lr=lr), 60)
    return dead_fraction(model, X_dead), scratch.mse(model(X_dead), y_dead)


runs = {
    (activation, lr): np.array([dead_after_training(activation, lr, seed) for seed in range(10)])
    for activation, lr in [("relu", 0.01), ("relu", 0.05), ("leaky_relu", 0.05)]
}
relu_fast, leaky_fast = runs["relu", 0.05], runs["leaky_relu", 0.05]
dead_lr = paired_difference(relu_fast[:, 0], runs["relu", 0.01][:, 0])
dead_leaky = paired_difference(leaky_fast[:, 0], relu_fast[:, 0])
mse_leaky = paired_difference(leaky_fast[:, 1], relu_fast[:, 1])

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
dead_comparisons = {  # mean difference over 10 seeds, 95 % interval
    "ReLU dead, lr 0.05 - 0.01": dead_lr,
    "all-negative, leaky - ReLU": dead_leaky,
    "train MSE, leaky - ReLU": mse_leaky,
}
for name, d in dead_comparisons.items():
    print(f"{name:<27} {d.estimate:+.3f} [{d.low:+.3f}, {d.high:+.3f}]")

# %% slideshow={"slide_type": "skip"}
assert dead_lr.low > 0  # the larger learning rate kills more units
assert dead_leaky.covers(0.0)  # no clear difference in all-negative units
assert mse_leaky.covers(0.0)  # no clear difference in training MSE

# %% [markdown] slideshow={"slide_type": "fragment"}
# The larger learning rate kills more units. Leaky ReLU's negative units still get a gradient
# $\alpha$, yet over these seeds: no clear difference in all-negative units or training MSE.

# %% [markdown] slideshow={"slide_type": "notes"}
# Units die in the first steps, when one large update pushes a bias far below zero. Common
# confusion: "leaky ReLU brings dead units back". Over these 10 seeds it changes neither how many
# units sit on the negative side nor the training MSE: the non-zero slope is a guarantee that
# the gradient is not exactly 0, not a measured improvement here. A deep dive checks that a dead
# ReLU unit's gradient is exactly 0.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Choosing an activation
#
# | activation | typical problems | ideal use |
# | --- | --- | --- |
# | sigmoid | flat for $\lvert z \rvert > 3$; slope $\le$ ¼; not zero-centred | binary output |
# | tanh | flat for $\lvert z \rvert > 2$ | small or recurrent nets; Xavier init |
# | ReLU | dead units (large learning rate, bad init) | default hidden layer; He init |
# | leaky ReLU | one more choice ($\alpha$); small slope for $z < 0$ | where many units die |
# | identity / softmax | — (output layers only) | regression / $C$ classes |

# %% [markdown] slideshow={"slide_type": "notes"}
# The table is the morning's rule of thumb: start with ReLU and He initialisation; switch to
# leaky ReLU if many units die; keep sigmoid and softmax for outputs. Ask: "which row explains the
# gradient-norm plot?" (sigmoid: slope ≤ ¼). Common confusion: sigmoid is not "wrong", it is an
# output activation.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Output activations, logits and losses
#
# | task | output activation | range of $\hat y$ | loss (notebook 06) |
# | --- | --- | --- | --- |
# | regression | identity, $\hat y = z$ | $\mathbb{R}$ | MSE or MAE |
# | binary | sigmoid, $\hat y = \sigma(z)$ | $(0, 1)$ | BCE |
# | $C$ classes | softmax, $\hat y_c = e^{z_c} / \sum_k e^{z_k}$ | $(0, 1)$, sums to 1 | CCE |
#
# The output layer's $z$ is the [**logit**](GLOSSARY.md#logit): for a sigmoid the log-odds
# $z = \log\big(\hat y / (1 - \hat y)\big)$; for a softmax unnormalised scores, of which
# only differences matter, $z_c - z_k = \log(\hat y_c / \hat y_k)$.

# %% [markdown] slideshow={"slide_type": "notes"}
# The output activation is not chosen for gradients but for what ŷ must mean: any number, a
# probability, or a distribution over classes. Ask: "adding 5 to every logit of a softmax, what
# changes?" — nothing. Losses in PyTorch take the logits (notebook 06).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A numerically stable softmax
#
# For any constant $m$, $\; e^{z_c - m} / \sum_k e^{z_k - m} = \operatorname{softmax}(z)_c$.
# With $m = \max_k z_k$ every exponent is $\le 0$ (no overflow) and the denominator $\ge 1$.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
big_logits = np.array([1000.0, 1001.0, 1002.0])
with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the point
    naive = np.exp(big_logits) / np.exp(big_logits).sum()
shifted = np.exp(big_logits - big_logits.max())
print("naive: ", naive)
print("stable:", (shifted / shifted.sum()).round(4))

# %% [markdown] slideshow={"slide_type": "notes"}
# e^1000 overflows to inf, and inf / inf is nan. Subtracting the maximum changes nothing
# mathematically (previous slide: only differences matter) and makes the largest exponent e^0.
# Practice 3 asks students to write it for a batch.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Epistasis (XOR) needs a non-linear hidden layer
#
# Simulated: a case when **exactly one** of two genes is over-expressed (5 % of labels flipped).
# Full-batch Adam on BCE, 300 steps; 400 training, 200 test samples.

# %% slideshow={"slide_type": "skip"}
X_epi, y_epi = simulate_epistasis(n_samples=600, seed=0, noise=0.05)
X_epi, y_epi = X_epi.to_numpy(), y_epi.to_numpy()
X_train, y_train, X_test, y_test = X_epi[:400], y_epi[:400], X_epi[400:], y_epi[400:]


def train_classifier(model):
    """300 steps of full-batch Adam on BCE with logits."""
    optimizer = Adam(model.parameters(), lr=0.05)
    y_column = y_train[:, None].astype(float)
    return train_full_batch(model, BCEWithLogitsLoss(), X_train, y_column, optimizer, 300)


# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
classifiers = {"no hidden layer": train_classifier(MLP([2, 1], rng=0))}
for name in ("identity", "sigmoid", "tanh", "relu", "leaky_relu"):
    classifiers[name] = train_classifier(MLP([2, 8, 1], activation=name, rng=0))
test_accuracy = {}
for name, model_xor in classifiers.items():
    correct = int(np.sum((model_xor(X_test)[:, 0] > 0) == y_test))
    acc = test_accuracy[name] = wilson_interval(correct, len(y_test))
    print(f"{name:<16} test accuracy {acc.estimate:.3f} [{acc.low:.3f}, {acc.high:.3f}]")

# %% [markdown] slideshow={"slide_type": "notes"}
# Epistasis: the effect of one gene depends on the other; no single straight line separates the
# classes. Ask before showing the numbers: "which models will stay at chance?" — the two linear
# ones. The brackets are 95 % (Wilson) intervals over the 200 test samples.

# %% slideshow={"slide_type": "skip"}
for name, acc in test_accuracy.items():  # linear models at chance, non-linear ones solve it
    assert acc.covers(0.5) if name in ("no hidden layer", "identity") else acc.low > 0.8

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Decision boundaries per activation

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="XOR decision boundaries, one per model"
fig, axes = plt.subplots(2, 3, figsize=(9.6, 5.4), layout="constrained", sharex=True, sharey=True)
for ax, (name, model_xor) in zip(axes.flat, classifiers.items(), strict=True):
    plot_decision_boundary(
        lambda G, m=model_xor: (m(G)[:, 0] > 0).astype(int), X_test, y_test, ax=ax, resolution=100
    )
    ax.set_title(name, fontsize=13)
    if ax is not axes.flat[0]:
        ax.get_legend().remove()
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# One neuron draws one straight line: chance level. A hidden layer without non-linearity is no
# better — two linear maps compose to one (notebook 02). Any non-linear activation solves it:
# smooth curves for sigmoid/tanh, straight pieces joined at kinks for the ReLUs.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Every $\delta$ is a product of $f'(z)$ and weights: it vanishes or explodes with depth.
# - Sigmoid ($\sigma' \le$ ¼) and tanh saturate; ReLU's gradient is exactly 0 for $z \le 0$
#   (dead units); leaky ReLU keeps a slope $\alpha$.
# - Initialisation keeps the second moment constant: He for ReLU, Xavier for tanh.
# - Output activation by task (identity, sigmoid, softmax); the model outputs logits.
# - Softmax: subtract the largest logit first.
#
# **Next:** 06 — which loss goes with each output activation, and why.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Common mistakes
#
# > - Sigmoid or tanh in every hidden layer of a deep network: the first layers stop learning.
# > - A learning rate so large that ReLU units die in the first steps.
# > - He initialisation for tanh, or Xavier for ReLU.
# > - Softmax as `np.exp(z) / np.exp(z).sum()`: `nan` for large logits.
# > - A hidden layer without activation: more parameters, no more expressive power.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice 2 — the derivative of leaky ReLU
#
# Write `leaky_relu_grad(z, negative_slope=0.01)`: $1$ where $z > 0$ and `negative_slope`
# elsewhere (PyTorch's convention at $z = 0$), for arrays of any shape. With
# `negative_slope=0` it is ReLU's derivative.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_leaky_relu_grad


def leaky_relu_grad(z, negative_slope=0.01):
    # YOUR CODE HERE
    return None


check_leaky_relu_grad(leaky_relu_grad)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def leaky_relu_grad(z, negative_slope=0.01):
    return np.where(np.asarray(z) > 0, 1.0, negative_slope)


assert check_leaky_relu_grad(leaky_relu_grad)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice 3 — a stable softmax
#
# Write `softmax(z)` for a vector of logits or a batch `(n_samples, n_classes)`, normalising
# over the **last** axis, shifting each row by its own maximum. It must stay finite and silent
# for logits of 1000. Use `np.exp`, not `scratch.softmax`.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_softmax


def softmax(z):
    # YOUR CODE HERE
    return None


check_softmax(softmax)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


assert check_softmax(softmax)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice 4 — the softmax inside a $\delta$ (harder)
#
# Softmax is not element-wise: its "$f'(z)$" is a Jacobian,
# $\partial \hat y_c / \partial z_k = \hat y_c (\mathbb{1}[c = k] - \hat y_k)$. Backpropagation
# only needs its product with the incoming gradient. Write `softmax_backward(z, grad_out)`
# returning $\partial \mathcal{L} / \partial z$ for a batch, given logits `z` and
# $g = \partial \mathcal{L} / \partial \hat y$ (`grad_out`), both `(n_samples, n_classes)`.
# Derive the formula from the Jacobian first; you may use `scratch.softmax`.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_softmax_backward


def softmax_backward(z, grad_out):
    # YOUR CODE HERE
    return None


check_softmax_backward(softmax_backward)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def softmax_backward(z, grad_out):
    y_hat = scratch.softmax(z)
    # sum_c g_c * d y_c / d z_k = y_k (g_k - sum_c g_c y_c)
    return y_hat * (grad_out - np.sum(grad_out * y_hat, axis=-1, keepdims=True))


assert check_softmax_backward(softmax_backward)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — the course's activations, checked
#
# > **Deep dive — optional.** The code behind `dlcourse.scratch`'s activations and a check of
# > every derivative against PyTorch's autograd and finite differences; the rest of the notebook
# > does not need it.
#
# The sigmoid is written so that `np.exp` only sees non-positive arguments ($z = \pm 1000$ is
# safe). Agreement with autograd is demanded in float64 on the CPU, to $10^{-12}$.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive"]
import inspect

import torch

print(inspect.getsource(scratch.sigmoid))
print(inspect.getsource(scratch.leaky_relu_grad))

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
torch_functions = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": torch.nn.functional.leaky_relu,
}
z_check = np.linspace(-6, 6, 120)  # an even count: no point lands on the kink z = 0
eps = 1e-6
for name, torch_f in torch_functions.items():
    f, grad = getattr(scratch, name), getattr(scratch, f"{name}_grad")
    z_torch = torch.tensor(z_check, dtype=torch.float64, requires_grad=True)
    torch_f(z_torch).sum().backward()
    ours = grad(z_check)
    finite_diff = (f(z_check + eps) - f(z_check - eps)) / (2 * eps)
    assert np.allclose(ours, z_torch.grad.numpy(), rtol=1e-12, atol=1e-15)  # float64
    assert np.allclose(ours, finite_diff, rtol=1e-6, atol=1e-9)  # finite differences
    print(f"{name:<11} f'(0) = {float(grad(0.0)):.4f}, f'(5) = {float(grad(5.0)):.4f}: matches")

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — the three initialisations, measured
#
# > **Deep dive — optional.** Checks that `Dense(init=...)` draws weights with the standard
# > deviations of the formulas; the rest of the notebook does not need it.
#
# PyTorch's default $\mathcal{U}(-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}})$ has variance
# $1 / (3 n_\text{in})$, six times smaller than He's $2 / n_\text{in}$.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
n_in, n_out = 512, 256
expected_std = {
    "torch": np.sqrt(1 / (3 * n_in)),
    "xavier": np.sqrt(2 / (n_in + n_out)),
    "he": np.sqrt(2 / n_in),
}
for init, std in expected_std.items():
    W = Dense(n_in, n_out, rng=0, init=init).W
    assert np.isclose(W.std(), std, rtol=0.01)  # 131,072 draws: the sample std is within 1%
    print(f"{init:<7} std(W) = {W.std():.5f}   formula: {std:.5f}")

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — initialisation in a 10-layer ReLU network
#
# > **Deep dive — optional.** The deep ReLU network of the gradient-norm slide under four
# > initialisations, forward and backward; the rest of the notebook does not need it.
#
# The last setting multiplies He's weights by 1.5 to provoke exploding values.


# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
def hidden_output_stds(model, X):
    """Standard deviation of the output of every ReLU layer, input -> output."""
    stds, h = [], X
    for layer in model:
        h = layer(h)
        if isinstance(layer, ReLU):
            stds.append(h.std())
    return np.array(stds)


signal, init_grad_norms = {}, {}
for init, gain in [("torch", 1.0), ("xavier", 1.0), ("he", 1.0), ("he", 1.5)]:
    label = init if gain == 1.0 else f"{init} x {gain}"
    model_init = MLP(DEEP_SIZES, activation="relu", rng=0, init=init)
    for layer in model_init:
        if isinstance(layer, Dense):
            layer.W *= gain
    signal[label] = hidden_output_stds(model_init, X_expr)
    init_grad_norms[label] = weight_gradient_norms(model_init, X_expr, y_expr)
    print(f"{label:<9} std(h10) / std(h1) = {signal[label][-1] / signal[label][0]:.2g}")
for label in ("torch", "xavier"):  # both shrink the signal of a ReLU network
    assert signal[label][-1] < 0.2 * signal[label][0]
assert 0.5 < signal["he"][-1] / signal["he"][0] < 2  # He keeps it within a factor 2
assert signal["he x 1.5"][-1] > 10 * signal["he x 1.5"][0]  # 1.5 x He explodes

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "hide-code"] alt="Signal and gradient per layer"
fig, (ax_signal, ax_grad) = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained")
for label, stds in signal.items():
    ax_signal.plot(range(1, 11), stds, "o-", label=label)
ax_signal.set(yscale="log", xlabel="hidden layer", ylabel="std of $h^{(l)}$", title="forward")
plot_gradient_norms(init_grad_norms, ax=ax_grad)
ax_grad.set_title("backward: gradient norms")
ax_grad.get_legend().remove()
ax_signal.legend(fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"} tags=["deep-dive"]
# In a ReLU network PyTorch's default and Xavier both shrink the signal layer after layer (the
# printed ratios); He keeps it level; weights only 1.5 times too large make it grow
# geometrically (exploding). Batch norm (notebook 07) and residual connections are the other
# remedies.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — a dead unit's gradient is exactly zero
#
# > **Deep dive — optional.** Checks, on a ReLU network trained at the large learning rate,
# > that every weight and bias feeding a dead unit gets a gradient of exactly 0 (not small);
# > the rest of the notebook does not need it.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
relu_net = MLP([20, 48, 48, 48, 1], activation="relu", rng=0, init="he")
train_full_batch(relu_net, MSELoss(), X_dead, y_dead, SGD(relu_net.parameters(), lr=0.05), 60)
weight_gradient_norms(relu_net, X_dead, y_dead)  # fills every layer's gradients
h = X_dead
for dense, relu in zip(relu_net[0:-1:2], relu_net[1::2], strict=True):  # (Dense, ReLU) pairs
    z = dense(h)
    dead = np.all(z <= 0, axis=0)
    assert np.all(dense.dW[dead] == 0) and np.all(dense.db[dead] == 0)  # exactly zero
    print(
        f"{dead.sum():2d} dead units, largest |dL/dW| into them: {np.abs(dense.dW[dead]).max(initial=0.0)}"
    )
    h = relu(z)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — the same numbers from PyTorch
#
# > **Deep dive — optional.** The gradient norms, the softmax and the XOR network of this
# > notebook recomputed with PyTorch; the rest of the notebook does not need it.
#
# `dlcourse.torch_bridge.to_torch` copies a scratch network into `torch.nn.Sequential` with the
# same weights. In float64 on the CPU agreement can be demanded to $10^{-10}$.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
from dlcourse.torch_bridge import to_torch

X_t, y_t = torch.tensor(X_expr), torch.tensor(y_expr)  # float64
for name, norms in grad_norms.items():
    torch_model = to_torch(MLP(DEEP_SIZES, activation=name, rng=0), dtype=torch.float64)
    torch.nn.MSELoss()(torch_model(X_t), y_t).backward()
    torch_norms = [
        m.weight.grad.norm().item() for m in torch_model if isinstance(m, torch.nn.Linear)
    ]
    assert np.allclose(norms, torch_norms, rtol=1e-10, atol=0)  # float64 agreement
    print(f"{name:<11} gradient norms: match torch to 1e-10")
z_batch = np.random.default_rng(0).normal(scale=300, size=(5, 4))  # logits up to ~1000
reference = torch.softmax(torch.tensor(z_batch), dim=-1).numpy()
assert np.allclose(scratch.softmax(z_batch), reference, rtol=1e-12, atol=1e-300)
print("softmax: matches torch.softmax to 1e-12")

# %% [markdown] slideshow={"slide_type": "fragment"} tags=["deep-dive"]
# The trained ReLU XOR network as `nn.Sequential(Linear, ReLU, Linear)` in float32 on `DEVICE`
# (a GPU when there is one), as a PyTorch model normally runs: agreement to float32 precision.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive"]
torch_xor = to_torch(classifiers["relu"], dtype=torch.float32).to(DEVICE)
with torch.no_grad():
    torch_logits = torch_xor(torch.tensor(X_test, dtype=torch.float32, device=DEVICE))
ours = classifiers["relu"](X_test)
assert np.allclose(torch_logits.cpu().numpy(), ours, rtol=1e-4, atol=1e-4)  # float32 vs float64
print(
    f"device {DEVICE}: max |torch - ours| = {np.abs(torch_logits.cpu().numpy() - ours).max():.1e}"
)
