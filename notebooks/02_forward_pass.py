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
# # 02 — The forward pass
#
# **Day 3 · Deep Learning Foundations (PyTorch)**
#
# **Previously** (01): a neuron computes $f(\mathbf w^\top\mathbf x + b)$; one neuron draws a
# straight boundary, and a hidden layer of ReLUs solved XOR.
#
# **Learning objectives.** By the end you can
#
# 1. write a layer and the shape of each of its arrays for a batch;
# 2. evaluate a 3-4-1 network step by step, then for a whole batch;
# 3. show that without activations the layers collapse into one linear map;
# 4. explain universal approximation with ReLU bumps;
# 5. choose each layer's activation by its role and the task.

# %% [markdown] slideshow={"slide_type": "skip"}
# [Open in Colab](https://colab.research.google.com/github/unipv-genomic-data-science/day3-deep-learning-foundations/blob/main/notebooks/02_forward_pass.ipynb)

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

from dlcourse.data import simulate_expression_regression
from dlcourse.plots import plot_network, set_style
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import MLP, relu, sigmoid, softmax

seed_everything(0)
DEVICE = get_device()
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Layer notation
#
# A network of $L$ layers, with $\mathbf h^{(0)} = \mathbf x$ and $n_l$ units in layer $l$:
#
# $$\mathbf z^{(l)} = W^{(l)} \mathbf h^{(l-1)} + \mathbf b^{(l)}, \qquad
# \mathbf h^{(l)} = f^{(l)}\big(\mathbf z^{(l)}\big), \qquad \hat{\mathbf y} = \mathbf h^{(L)}.$$
#
# - $W^{(l)} \in \mathbb R^{n_l \times n_{l-1}}$: row $j$ holds the weights *into* unit $j$ (the
#   layout PyTorch uses; some texts write the transpose);
# - $\mathbf b^{(l)} \in \mathbb R^{n_l}$ the biases, $f^{(l)}$ the activation, element-wise.
#
# Computing the layers in order, input to output, is the [forward pass](GLOSSARY.md#forward-pass).

# %% [markdown] slideshow={"slide_type": "notes"}
# Unit by unit, $h^{(l)}_j = f\big(\sum_k W^{(l)}_{jk} h^{(l-1)}_k + b^{(l)}_j\big)$: every unit is the
# neuron of notebook 01. Common confusion: which index of $W_{jk}$ is the source? Here $k$ (the
# column) is the unit it comes from, $j$ (the row) the unit it goes to.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Shapes for a batch
#
# In code the $N$ samples of a [batch](GLOSSARY.md#batch) are the **rows** of
# $H^{(0)} = X \in \mathbb R^{N \times n_0}$; transposing the formula gives
# $Z^{(l)} = H^{(l-1)} W^{(l)\top} + \mathbf b^{(l)}$ (the bias added to every row).
#
# | array | shape |
# | --- | --- |
# | $H^{(l-1)}$ (input of layer $l$) | $(N, n_{l-1})$ |
# | $W^{(l)}$ | $(n_l, n_{l-1})$ |
# | $\mathbf b^{(l)}$ | $(n_l,)$ |
# | $Z^{(l)}, H^{(l)}$ | $(N, n_l)$ |
#
# $N$ never appears in a parameter: the same weights serve any number of samples.

# %% [markdown] slideshow={"slide_type": "notes"}
# Write the shapes on the board as a chain: $(N, n_{l-1}) \cdot (n_{l-1}, n_l) \to (N, n_l)$; the
# inner sizes must match. Ask: where does the transpose come from? From putting samples in rows.
# Common confusion: adding $\mathbf b$ of shape $(n_l,)$ to an $(N, n_l)$ array is broadcasting,
# one copy of the bias per sample.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The 3-4-1 network
#
# Three inputs (regulator genes), four hidden ReLU units, one output with the identity: a
# regression of a target gene's expression. Weights set by hand, not trained (that is 03–04).

# %% [markdown] slideshow={"slide_type": "notes"}
# Count with the room: 12 weights into the hidden layer, 4 out of it, plus 5 biases: 21
# parameters. Each line of the drawing is one entry of $W^{(1)}$ or $W^{(2)}$. The identity output
# suits a real-valued target such as log-expression.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="3-4-1 network: 3 inputs, 4 hidden, 1 output"
fig, ax = plt.subplots(figsize=(7, 3.8))
labels = ["input $X$\n(N, 3)", "hidden $H^{(1)}$\n(N, 4)", "output $\\hat{y}$\n(N, 1)"]
plot_network([3, 4, 1], ax=ax, labels=labels)
ax.set_title("$W^{(1)}$: (4, 3), $W^{(2)}$: (1, 4)")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Its weights, and one sample
#
# Simulated data: five samples, three regulator genes and the measured expression $y$ of the target.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
W1 = np.array([[0.5, -0.3, 0.8], [-0.6, 0.9, 0.1], [0.2, 0.4, -0.7], [0.7, 0.1, 0.3]])  # (4, 3)
b1 = np.array([0.1, -0.2, 0.0, 0.05])  # (4,)
W2 = np.array([[1.2, -0.8, 0.5, 0.9]])  # (1, 4)
b2 = np.array([0.3])  # (1,)
X_genes, y_genes = simulate_expression_regression(n_samples=5, n_genes=3, seed=0)
X_batch, y_batch = X_genes.to_numpy(), y_genes.to_numpy()  # (5, 3), (5,)
x_sample, y_sample = X_batch[0], y_batch[0]  # the first sample
print("W1 =\n", W1, "\nb1 =", b1, "\nW2 =", W2, "  b2 =", b2)
print("x =", x_sample.round(3), "  measured y =", y_sample.round(3))

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at one row of `W1`: the three weights into one hidden unit, one per regulator gene. The
# values are arbitrary, chosen only so that some hidden units are on and some off for this sample.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Step by step
#
# Hidden pre-activations $\mathbf z^{(1)} = W^{(1)}\mathbf x + \mathbf b^{(1)}$; ReLU silences the
# negative ones; the output $\hat y = W^{(2)}\mathbf h^{(1)} + b^{(2)}$ is a weighted vote of the
# hidden units.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
z1 = W1 @ x_sample + b1  # (4, 3) @ (3,) + (4,) -> (4,)
h1 = relu(z1)  # (4,)
y_hat = W2 @ h1 + b2  # (1, 4) @ (4,) + (1,) -> (1,); identity output
print("z1    =", z1.round(3))
print("h1    =", h1.round(3))
print("y_hat =", y_hat.round(3), "  measured y =", y_sample.round(3))

# %% [markdown] slideshow={"slide_type": "notes"}
# Walk through one hidden unit with the numbers on screen. Then point at the gap between $\hat y$
# and the measured $y$: the network is untrained. Notebook 04 takes this same network and sample
# and computes how each weight should change to shrink that error.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The whole batch at once
#
# The same three steps for all five samples: matrix products with samples in rows.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
Z1 = X_batch @ W1.T + b1  # (5, 3) @ (3, 4) + (4,) -> (5, 4)
H1 = relu(Z1)  # (5, 4)
Y_hat = H1 @ W2.T + b2  # (5, 4) @ (4, 1) + (1,) -> (5, 1)
print("y_hat      =", Y_hat[:, 0].round(3))
print("measured y =", y_batch.round(3))
assert abs(Y_hat[0, 0] - y_hat[0]) < 1e-12  # row 0 is the sample computed step by step

# %% [markdown] slideshow={"slide_type": "notes"}
# The three lines are the same as for one sample, with the shapes of the batch table. Ask: what
# changes in the code for 5,000 samples? Nothing: only $N$, which appears in no parameter. Row 0
# equals the step-by-step result; the `assert` checks it.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — the engine, layer by layer
#
# > **Deep dive — optional.** It runs the same network in the course's tested NumPy engine and
# > draws every intermediate; the rest of the notebook does not need it.
#
# `MLP([3, 4, 1])` is `Dense(3, 4), ReLU(), Dense(4, 1)`; with our weights it must give our numbers
# (float64, so only rounding may differ: tolerance $10^{-12}$).

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
engine_net = MLP([3, 4, 1], activation="relu", rng=0)
engine_net[0].W[...], engine_net[0].b[...] = W1, b1
engine_net[2].W[...], engine_net[2].b[...] = W2, b2
assert np.allclose(engine_net(X_batch), Y_hat, rtol=1e-12, atol=1e-12)
H = X_batch
for index, layer in enumerate(engine_net):
    H = layer(H)
    shapes = {name: p.shape for name, p in zip(layer.param_names, layer.params, strict=True)}
    print(f"({index}) {type(layer).__name__:6} parameters {shapes!s:26} output {H.shape}")

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "hide-code"] alt="Heat maps of X, Z1, H1 and y_hat"
panels = [
    ("$X$ (5, 3)", X_batch),
    ("$Z^{(1)}$ (5, 4)", Z1),
    ("$H^{(1)}$ (5, 4)", H1),
    ("$\\hat{Y}$ (5, 1)", Y_hat),
]
fig, axes = plt.subplots(1, 4, figsize=(8, 3.0), width_ratios=[3, 4, 4, 1], layout="constrained")
for ax, (title, values) in zip(axes, panels, strict=True):
    ax.imshow(values, cmap="RdBu_r", vmin=-2.5, vmax=2.5)
    for (i, j), value in np.ndenumerate(values):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8)
    ax.set(title=title, xticks=[], yticks=range(len(values)))
    ax.grid(False)
axes[0].set_ylabel("sample")
plt.show()

# %% [markdown] slideshow={"slide_type": "-"} tags=["deep-dive"]
# ReLU turns each negative entry of $Z^{(1)}$ into a zero of $H^{(1)}$, so different samples switch
# on different hidden units.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercise (in class) — counting parameters
#
# Write `parameter_count(sizes)`: the number of weights and biases of an MLP with layer sizes
# `sizes = [n_0, n_1, ..., n_L]` (the 3-4-1 network has 21). Then: how many parameters does a first
# layer of 512 units have on 20,000 genes, and what does that mean for a cohort of 200 patients?


# %% slideshow={"slide_type": "-"} tags=["exercise"]
from dlcourse.exercises import check_parameter_count


def parameter_count(sizes):
    # YOUR CODE HERE
    return None


check_parameter_count(parameter_count)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def parameter_count(sizes):
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))


print(f"20,000 genes -> 512 units: {parameter_count([20_000, 512]):,} parameters")
assert check_parameter_count(parameter_count)

# %% [markdown] slideshow={"slide_type": "notes"}
# Expected: about 10.2 million parameters, 50,000 per patient. The point: in omics ($p \gg n$) the
# first layer alone can memorise the cohort, which is why notebook 07 is about regularisation.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Without activations, depth buys nothing
#
# Remove the ReLU and substitute one layer into the next:
#
# $$W^{(2)}\big(W^{(1)}\mathbf x + \mathbf b^{(1)}\big) + \mathbf b^{(2)}
# = \underbrace{W^{(2)}W^{(1)}}_{W}\,\mathbf x +
# \underbrace{W^{(2)}\mathbf b^{(1)} + \mathbf b^{(2)}}_{\mathbf b}.$$
#
# Two linear layers are **one** linear layer, and by induction so are any number of them.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
W_single, b_single = W2 @ W1, W2 @ b1 + b2  # (1, 3), (1,)
Y_linear = (X_batch @ W1.T + b1) @ W2.T + b2  # the 3-4-1 network without its ReLU
print("one layer: W =", W_single.round(3), "  b =", b_single.round(3))
assert np.allclose(Y_linear, X_batch @ W_single.T + b_single, rtol=0, atol=1e-12)

# %% [markdown] slideshow={"slide_type": "notes"}
# The printed $W$ and $b$ give, for every sample, exactly the output of the ReLU-free network:
# three layers' worth of parameters, one layer's worth of functions. Ask: so why stack layers?
# Only because a nonlinearity sits between them.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Without activations, depth buys nothing (continued)
#
# Five random networks 1-16-16-16-1, outputs standardised to one scale: without activations each
# draws a straight line; with ReLU each draws its own piecewise-linear curve.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="No activation: lines; ReLU: kinked curves"
x_grid = np.linspace(-3, 3, 400)[:, None]
fig, (ax_lin, ax_relu) = plt.subplots(1, 2, figsize=(8, 3.4), sharey=True, layout="constrained")
for seed in range(5):
    for ax, activation in [(ax_lin, "identity"), (ax_relu, "relu")]:
        output = MLP([1, 16, 16, 16, 1], activation=activation, rng=seed)(x_grid)
        ax.plot(x_grid, (output - output.mean()) / output.std(), lw=1.8)
ax_lin.set(title="no activation: always a line", xlabel="input $x$", ylabel="standardised output")
ax_relu.set(title="ReLU: piecewise linear", xlabel="input $x$")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# This is why activations exist: stacking linear layers only re-parametrises a linear model (and
# the product $W^{(2)}W^{(1)}$ has rank at most the narrowest layer). The kinks on the right are
# where hidden units switch on or off.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Universal approximation
#
# **Theorem** (Cybenko 1989; Hornik 1991; Leshno et al. 1993). Let $f$ be continuous on a closed,
# bounded set $D \subset \mathbb R^d$, and $\varphi$ continuous and not a polynomial (sigmoid, tanh,
# ReLU qualify). For every $\varepsilon > 0$ there is a network with **one hidden layer** of $K$ units,
# $g(\mathbf x) = \sum_{k=1}^{K} c_k\, \varphi(\mathbf w_k^\top \mathbf x + b_k) + c_0$, with
# $|g(\mathbf x) - f(\mathbf x)| < \varepsilon$ for all $\mathbf x \in D$.
#
# It does **not** say how large $K$ must be, that training finds these weights, or that the network
# generalises from finite data. For some functions a deep network needs far fewer units than one
# wide layer (deep dive below).

# %% [markdown] slideshow={"slide_type": "notes"}
# The theorem is an existence statement. Ask the room: if one hidden layer is enough, why do people
# use deep networks? Answers: far fewer units for some functions (the deep dive shows one), and
# in practice deep networks are easier to train to good solutions — an empirical observation, not
# part of the theorem.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A bump from three ReLUs
#
# With knots $t_{k-1} < t_k < t_{k+1}$ spaced by $\delta$, three ReLUs make a **hat** that is $1$ at
# $t_k$ and $0$ outside $[t_{k-1}, t_{k+1}]$:
# $\operatorname{hat}_k(x) = \tfrac{1}{\delta}\big[\operatorname{ReLU}(x - t_{k-1}) -
# 2\operatorname{ReLU}(x - t_k) + \operatorname{ReLU}(x - t_{k+1})\big]$.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Three ReLU ramps and their sum, a triangular bump"
x_line, delta = np.linspace(0, 1, 400), 0.2  # knots t_k-1, t_k, t_k+1 = 0.2, 0.4, 0.6
ramps = {"k-1": (0.2, 1), "k": (0.4, -2), "k+1": (0.6, 1)}  # knot and coefficient
fig, ax = plt.subplots(figsize=(7, 2.8))
parts = {
    f"{c:+d} ReLU$(x - t_{{{k}}})/\\delta$": c * relu(x_line - t) / delta
    for k, (t, c) in ramps.items()
}
for name, part in parts.items():
    ax.plot(x_line, part, ls="--", label=name)
ax.plot(x_line, sum(parts.values()), color="black", lw=3, label="sum: hat$_k(x)$")
ax.set(xlabel="$x$", ylim=(-2.2, 2.2), title="three ReLUs make one bump")
ax.legend(loc="lower left", fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Build it from left to right: a ramp up at $t_{k-1}$, a ramp twice as steep down at $t_k$, a ramp
# back up at $t_{k+1}$; the slopes $+1, -1, 0$ (times $1/\delta$) give a triangle. Three hidden
# units, one bump: this is the brick of the next slide.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Bumps add up to any curve
#
# Put $K + 1$ knots $t_0 < \dots < t_K$ on $[0, 1]$ and scale bump $k$ by $f(t_k)$: the sum is the
# piecewise-linear curve through the points $(t_k, f(t_k))$, and it is a network with one hidden
# layer of ReLUs (its exact weights: deep dive). The target $f$ (simulated): a gene's expression
# along differentiation **pseudotime** $t$, a transient pulse and then a switch to a higher level.


# %% slideshow={"slide_type": "-"}
def sum_of_bumps(f, K, t):
    """Sum of f(t_k) * hat_k(t) over K + 1 equally spaced knots t_k in [0, 1]; t: (T,) -> (T,)."""
    knots, delta = np.linspace(0, 1, K + 1), 1 / K
    hats = [(relu(t - k + delta) - 2 * relu(t - k) + relu(t - k - delta)) / delta for k in knots]
    return sum(f(k) * hat for k, hat in zip(knots, hats, strict=True))


# %% [markdown] slideshow={"slide_type": "notes"}
# Read `sum_of_bumps` as a network: every `relu(t - ...)` is a hidden unit with input weight 1 and
# a bias, and the coefficients in front are output weights. Connect the dots of $f$ at the knots,
# and you have a one-hidden-layer ReLU network.


# %% slideshow={"slide_type": "skip"} tags=["nbval-check-output"]
def expression_along_pseudotime(t):
    """Simulated expression: baseline + transient pulse near t = 0.3 + switch-on near t = 0.7."""
    return 0.5 + 2.5 * np.exp(-(((t - 0.3) / 0.1) ** 2)) + 1.5 * sigmoid((t - 0.7) / 0.05)


t_grid, units = np.linspace(0, 1, 2001), [2, 4, 8, 16, 32, 64, 128]
target = expression_along_pseudotime(t_grid)
fits = {K: sum_of_bumps(expression_along_pseudotime, K, t_grid) for K in units}
errors = np.array([np.abs(fits[K] - target).max() for K in units])
shrink = errors[:-1] / errors[1:]
print(f"K = {units}\nmax error = {errors.round(4)}\nshrink factor = {shrink.round(2)}")
assert np.all(np.diff(errors) < 0) and 3.5 < shrink[-1] < 4.5  # error ~ 1/K^2 in the end

# %% [markdown] slideshow={"slide_type": "slide"}
# ## More units, smaller error
#
# Each doubling of $K$ eventually divides the largest error by about $4$ (printed in the notebook):
# the error of piecewise-linear interpolation of a smooth curve falls like $1/K^2$.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Bump sums approach the curve; error falls as 1/K^2"
fig, (ax_fit, ax_err) = plt.subplots(1, 2, figsize=(8, 2.8), layout="constrained")
ax_fit.plot(t_grid, target, color="black", lw=3, label="target $f$")
for K in [4, 8, 16]:
    ax_fit.plot(t_grid, fits[K], label=f"K = {K}")
ax_fit.set(xlabel="pseudotime $t$", ylabel="expression", ylim=(0.3, 4), title="sums of ReLU bumps")
ax_err.loglog(units, errors, "o-", label="max error")
ax_err.loglog(units, errors[-1] * (128 / np.array(units)) ** 2, "--", label="$\\propto 1/K^2$")
ax_err.set(xlabel="hidden units $K$", title="max error shrinks as $K$ grows")
ax_fit.legend(loc="upper right", ncol=2, fontsize=9)
ax_err.legend(fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# This construction is a proof device, not how networks are trained: gradient descent finds its
# own weights. And "can approximate" says nothing about how much data is needed to learn $f$.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — the bumps as one hidden layer
#
# > **Deep dive — optional.** It writes the sum of bumps as a 1-K-1 ReLU network with explicit
# > weights and checks it; the rest of the notebook does not need it.
#
# Collecting the ReLUs that share a knot, the curve through $(t_k, f(t_k))$, $k = 0..K$, is
#
# $$g(x) = f(t_0) + \sum_{k=0}^{K-1} c_k\,\operatorname{ReLU}(x - t_k), \qquad
# c_k = s_k - s_{k-1},\ s_k = \frac{f(t_{k+1}) - f(t_k)}{t_{k+1} - t_k},\ s_{-1} = 0:$$
#
# $K$ hidden units with weight $1$ and bias $-t_k$; output weights $c_k$, the change of slope at
# each knot (`np.diff(slopes, prepend=0)`), and output bias $f(t_0)$.

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
from dlcourse.scratch import Dense, ReLU, Sequential


def relu_network_through(knots, values):
    """A 1-K-1 ReLU network whose output is the piecewise-linear curve through (knots, values)."""
    K = len(knots) - 1
    slopes = np.diff(values) / np.diff(knots)  # s_0 ... s_{K-1}
    net = Sequential(Dense(1, K, rng=0), ReLU(), Dense(K, 1, rng=0))
    net[0].W[...], net[0].b[...] = 1.0, -knots[:-1]  # hidden unit k: ReLU(t - t_k)
    net[2].W[...], net[2].b[...] = np.diff(slopes, prepend=0.0), values[0]  # c_k, f(t_0)
    return net


knots = np.linspace(0, 1, 9)  # K = 8
values = expression_along_pseudotime(knots)
g = relu_network_through(knots, values)(t_grid[:, None])[:, 0]
assert np.allclose(g, np.interp(t_grid, knots, values), rtol=1e-12, atol=1e-12)
assert np.allclose(g, sum_of_bumps(expression_along_pseudotime, 8, t_grid), rtol=1e-12, atol=1e-12)
print("8 hidden ReLUs = interpolation = sum of bumps, up to float64 rounding (tolerance 1e-12)")

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — depth versus width
#
# > **Deep dive — optional.** It backs the claim that depth can save units with one function
# > where it provably does; the rest of the notebook does not need it.
#
# The tent $T(x) = 2\operatorname{ReLU}(x) - 4\operatorname{ReLU}(x - \tfrac12)$ is a layer of two
# ReLUs. Applying it $L$ times (a network of $L$ hidden layers, $2L$ units) draws a sawtooth with
# $2^L$ linear pieces. One hidden layer of $K$ ReLUs on one input is piecewise linear with at most
# $K + 1$ pieces (each unit adds at most one kink), so it needs at least $2^L - 1$ units to draw
# the same curve (Telgarsky, 2016, makes this precise for approximation too).


# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
def sawtooth(x, depth):
    """The tent map T(x) = 2 ReLU(x) - 4 ReLU(x - 1/2) applied `depth` times: 2 ReLUs per layer."""
    for _ in range(depth):
        x = 2 * relu(x) - 4 * relu(x - 0.5)
    return x


def linear_pieces(y, x):
    """Number of linear pieces of a sampled piecewise-linear curve (slope changes + 1)."""
    slopes = np.diff(y) / np.diff(x)
    return 1 + int(np.sum(~np.isclose(slopes[1:], slopes[:-1], rtol=1e-9, atol=1e-6)))


x_fine = np.linspace(0, 1, 2**12 + 1)  # contains every kink k / 2^L for L <= 12
print("depth L | units, deep | pieces | units needed with one hidden layer")
for depth in range(1, 7):
    pieces = linear_pieces(sawtooth(x_fine, depth), x_fine)
    assert pieces == 2**depth
    print(f"{depth:7d} | {2 * depth:11d} | {pieces:6d} | at least {pieces - 1}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where each activation belongs
#
# | layer | activation | why |
# | --- | --- | --- |
# | input | none | it only holds the data $\mathbf x$ |
# | hidden | ReLU (default), tanh | cheap nonlinearity; keeps gradients alive (notebook 05) |
# | output, regression (expression) | identity | any real value |
# | output, binary (case vs control) | sigmoid | a probability in $(0, 1)$ |
# | output, multiclass (tumour subtype) | softmax | $C$ probabilities summing to $1$ |
#
# [Softmax](GLOSSARY.md#softmax): $\operatorname{softmax}(\mathbf z)_c = e^{z_c} / \sum_{k=1}^{C} e^{z_k}$.
# Each output activation pairs with a loss (MSE, BCE, CCE): notebook 06.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room: which output activation to predict a patient's survival time? (identity) Responder
# or not? (sigmoid) One of five tumour subtypes? (softmax) Common confusion: the hidden layers'
# activation has nothing to do with the task; only the output's does.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Output activations, drawn
#
# Left: one output unit, identity (any value) or sigmoid (between 0 and 1). Right: softmax over
# three classes as $z_1$ varies with $z_2 = 0$ and $z_3 = 1$ fixed: the three always sum to $1$.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Identity, sigmoid, and 3-class softmax curves"
z = np.linspace(-5, 5, 200)
logits = np.column_stack([z, np.zeros_like(z), np.ones_like(z)])  # z_2 = 0 and z_3 = 1 fixed
fig, (ax_bin, ax_multi) = plt.subplots(1, 2, figsize=(8, 3.0), layout="constrained")
ax_bin.plot(z, np.column_stack([z, sigmoid(z)]), label=["identity: $z$", "sigmoid: $\\sigma(z)$"])
ax_bin.set(xlabel="output pre-activation $z$", ylim=(-1.5, 2.5), title="one output unit")
ax_multi.plot(
    z, softmax(logits, axis=1), label=["class 1", "class 2 ($z_2=0$)", "class 3 ($z_3=1$)"]
)
ax_multi.set(xlabel="$z_1$", ylabel="probability", ylim=(0, 1), title="softmax: rows sum to 1")
ax_bin.legend()
ax_multi.legend(loc="center left", fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Left: the sigmoid squashes any $z$ into $(0, 1)$, so it reads as a probability. Right: raising
# $z_1$ takes probability away from the other two classes, because the three always sum to 1.
# Common confusion: softmax is applied across the classes of one sample, not across samples.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — three output heads on tumour profiles
#
# > **Deep dive — optional.** It puts the three output activations on one hidden layer with
# > simulated tumour profiles; the rest of the notebook does not need it.
#
# Untrained weights: only the *ranges* matter. The cell checks that every softmax row sums to one
# (float64 rounding only: tolerance $10^{-12}$).

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
from dlcourse.data import simulate_tumour_subtypes

X_tumours, _ = simulate_tumour_subtypes(n_samples=4, n_genes=20, n_subtypes=4, seed=0)
X_tumours = X_tumours.to_numpy()  # (4, 20): tumours x genes
regression = MLP([20, 16, 1], rng=0)  # output: identity
binary = MLP([20, 16, 1], output="sigmoid", rng=0)
multiclass = MLP([20, 16, 4], output="softmax", rng=0)
print("identity (any real): ", regression(X_tumours)[:, 0].round(3))
print("sigmoid  (0 to 1):   ", binary(X_tumours)[:, 0].round(3))
probabilities = multiclass(X_tumours)
print("softmax  (4 classes):\n", probabilities.round(3))
assert np.allclose(probabilities.sum(axis=1), 1.0, rtol=0, atol=1e-12)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — the same forward pass in PyTorch
#
# > **Deep dive — optional.** It builds the 3-4-1 network independently in PyTorch (introduced in
# > notebook 08) and gets the same numbers; the rest of the notebook does not need it.
#
# `nn.Linear` stores `weight` as $(n_{\text{out}}, n_{\text{in}})$ — our $W^{(l)}$ — and computes
# $HW^\top + \mathbf b$. We copy `W1, b1, W2, b2` into a hand-built `nn.Sequential` and compare in
# float64 on the CPU, so only rounding may differ (tolerance $10^{-12}$).

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
import torch
from torch import nn

torch_net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).double()
with torch.no_grad():
    for linear, (W, b) in zip((torch_net[0], torch_net[2]), [(W1, b1), (W2, b2)], strict=True):
        linear.weight.copy_(torch.from_numpy(W))
        linear.bias.copy_(torch.from_numpy(b))
    Y_torch = torch_net(torch.tensor(X_batch)).numpy()
print(torch_net)
print("PyTorch y_hat:", Y_torch[:, 0].round(3))
assert np.allclose(Y_torch, Y_hat, rtol=1e-12, atol=1e-12)  # PyTorch = NumPy by hand

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — float32 on the course device
#
# > **Deep dive — optional.** It shows how far float32 results drift from float64; the rest of the
# > notebook does not need it.
#
# Training usually runs in float32, on a GPU when there is one. [Machine
# epsilon](GLOSSARY.md#machine-epsilon) — the gap between $1$ and the next representable number —
# is $2^{-23} \approx 1.2 \times 10^{-7}$ in float32 and $2^{-52} \approx 2.2 \times 10^{-16}$ in
# float64: float32 keeps about seven significant digits, so the comparison allows $10^{-5}$. This
# is why exact comparisons are done in float64.

# %% slideshow={"slide_type": "-"} tags=["deep-dive"]
from dlcourse.torch_bridge import to_torch

device_net = to_torch(engine_net, dtype=torch.float32).to(DEVICE)  # the bridge, on the device
X_device = torch.tensor(X_batch, dtype=torch.float32, device=DEVICE)
with torch.no_grad():
    Y_device = device_net(X_device).cpu().double().numpy()
assert np.allclose(Y_device, Y_hat, rtol=1e-5, atol=1e-5)  # float32: ~7 significant digits
gaps = {
    "float64, cpu": np.abs(Y_torch - Y_hat).max(),
    f"float32, {DEVICE.type}": np.abs(Y_device - Y_hat).max(),
}
for name, gap in gaps.items():
    print(f"{name:14} max |difference| = {gap:.1e}")

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "hide-code"] alt="Float gaps against machine epsilon"
from dlcourse.plots import COLORS

fig, ax = plt.subplots(figsize=(6, 3))
floor = 1e-18  # an exact match (difference 0) is drawn at this floor
ax.barh(
    list(gaps), [max(gap, floor) for gap in gaps.values()], color=[COLORS["blue"], COLORS["orange"]]
)
for row, gap in enumerate(gaps.values()):
    if gap == 0:
        ax.text(floor * 3, row, "exactly 0", va="center")
ax.axvline(np.finfo(np.float32).eps, color="0.4", ls="--", label="float32 machine epsilon")
ax.axvline(np.finfo(np.float64).eps, color="0.7", ls=":", label="float64 machine epsilon")
ax.set(xscale="log", xlim=(floor / 10, 1e-3), xlabel="max |difference from NumPy float64|")
ax.legend(loc="lower right", fontsize=9)
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - The forward pass applies $H^{(l)} = f(H^{(l-1)}W^{(l)\top} + \mathbf b^{(l)})$ layer by layer,
#   samples in rows, $W^{(l)}$ of shape $(n_l, n_{l-1})$.
# - Without activations any stack of layers is one linear map.
# - One hidden layer of ReLUs can approximate any continuous function on a closed, bounded set;
#   the theorem says nothing about how many units, training or data.
# - Output activation by task: identity, sigmoid or softmax.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Common mistakes
#
# > - `W` is (out, in): with samples in rows the layer is `H @ W.T + b`, not `H @ W`.
# > - Layers without activations: still a linear model.
# > - ReLU or sigmoid on a regression output: it clips or squashes the prediction.
# > - Reading universal approximation as "one wide layer is all you need".
#
# **Next:** notebook 03 — how the weights are learned: gradient descent and its optimizers.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice exercises
#
# After the lecture, in order of difficulty. Each stub runs and its self-check prints ✓ when your
# answer is right, or a hint. Replace `return None` by your code.
#
# ### Practice 1 — a forward pass of any depth
#
# Write `mlp_forward(X, layers)` for a batch `X` $(N, n_0)$ and `layers = [(W1, b1), ..., (WL, bL)]`
# with `W` of shape $(n_l, n_{l-1})$: ReLU after every hidden layer, no activation after the last.
# Return an array of shape $(N, n_L)$.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_mlp_forward


def mlp_forward(X, layers):
    # YOUR CODE HERE
    return None


check_mlp_forward(mlp_forward)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def mlp_forward(X, layers):
    H = X
    for index, (W, b) in enumerate(layers):
        H = H @ W.T + b
        if index < len(layers) - 1:  # hidden layers only
            H = relu(H)
    return H


assert check_mlp_forward(mlp_forward)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ### Practice 2 — collapse a deep linear network
#
# Write `collapse(layers)` returning the single `(W, b)` with $W\mathbf x + \mathbf b$ equal to the
# network of linear layers `layers = [(W1, b1), ..., (WL, bL)]` without activations. Shapes: `W`
# $(n_L, n_0)$, `b` $(n_L,)$. Mind the order of the products.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_collapse


def collapse(layers):
    # YOUR CODE HERE
    return None, None


check_collapse(collapse)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def collapse(layers):
    n_in = layers[0][0].shape[1]
    W, b = np.eye(n_in), np.zeros(n_in)  # start from the identity map x -> x
    for W_l, b_l in layers:
        W, b = W_l @ W, W_l @ b + b_l  # apply layer l after everything so far
    return W, b


assert check_collapse(collapse)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ### Practice 3 — an asymmetric bump (challenge)
#
# Write `relu_bump(x, left, peak, right)` for *any* `left < peak < right`: $0$ outside
# `[left, right]`, $1$ at `peak`, linear in between, using only `relu` and arithmetic. *Hint:* the
# coefficient of each ReLU is the change of slope at its knot.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_relu_bump


def relu_bump(x, left, peak, right):
    # YOUR CODE HERE
    return None


check_relu_bump(relu_bump)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def relu_bump(x, left, peak, right):
    up, down = 1 / (peak - left), 1 / (right - peak)  # slopes of the two sides
    return up * relu(x - left) - (up + down) * relu(x - peak) + down * relu(x - right)


assert check_relu_bump(relu_bump)
