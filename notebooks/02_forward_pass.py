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
# How an input travels through a network, layer by layer, with the shape of every matrix on the
# way — and why the activations between the layers are what makes the network more than a line.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Learning objectives
#
# By the end of this notebook you can
#
# 1. write a layer as $\mathbf h^{(l)} = f\big(W^{(l)}\mathbf h^{(l-1)} + \mathbf b^{(l)}\big)$ and give
#    the shape of every weight, bias and activation for a batch of samples;
# 2. evaluate a small 3-4-1 network by hand, step by step, and then for a whole batch at once;
# 3. show numerically that without activations any stack of layers collapses into one linear map;
# 4. explain the universal approximation theorem by building a function from ReLU "bumps";
# 5. choose the activation of each layer: none on the input, ReLU/tanh in hidden layers,
#    identity/sigmoid/softmax on the output depending on the task;
# 6. reproduce the same forward pass with `torch.nn.Sequential` and check it gives the same numbers.

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from dlcourse.data import simulate_expression_regression, simulate_tumour_subtypes
from dlcourse.exercises import (
    check_collapse,
    check_mlp_forward,
    check_parameter_count,
    check_relu_bump,
)
from dlcourse.plots import COLORS, plot_network, set_style
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import MLP, Dense, ReLU, Sequential, relu, sigmoid, softmax
from dlcourse.torch_bridge import copy_weights_to_torch, to_torch

seed_everything(0)
DEVICE = get_device()
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Layer notation
#
# A network of $L$ layers, with $\mathbf h^{(0)} = \mathbf x$ (the input) and $n_l$ units in layer $l$:
#
# $$\mathbf z^{(l)} = W^{(l)} \mathbf h^{(l-1)} + \mathbf b^{(l)}, \qquad
# \mathbf h^{(l)} = f^{(l)}\big(\mathbf z^{(l)}\big), \qquad l = 1, \dots, L, \qquad
# \hat{\mathbf y} = \mathbf h^{(L)}.$$
#
# - $W^{(l)} \in \mathbb R^{n_l \times n_{l-1}}$: row $j$ holds the weights *into* unit $j$, so
#   $W^{(l)}_{jk}$ connects unit $k$ of layer $l-1$ to unit $j$ of layer $l$ (the layout of
#   `torch.nn.Linear.weight`; some texts, the course deck included, write the transpose $w_{kj}$);
# - $\mathbf b^{(l)} \in \mathbb R^{n_l}$: one bias per unit; $\mathbf z^{(l)}$: the
#   pre-activations; $f^{(l)}$: the activation, applied element-wise.
#
# Unit by unit: $h^{(l)}_j = f\big(\sum_{k} W^{(l)}_{jk} h^{(l-1)}_k + b^{(l)}_j\big)$ — every unit
# is the neuron of notebook 01.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Shapes for a batch
#
# In code, the $N$ samples of a batch are the **rows** of a matrix $H^{(0)} = X \in \mathbb R^{N \times n_0}$.
# Transposing the per-sample formula gives the batched one, with the bias broadcast to every row:
#
# $$Z^{(l)} = H^{(l-1)}\, W^{(l)\top} + \mathbf 1_N \mathbf b^{(l)\top}, \qquad
# H^{(l)} = f\big(Z^{(l)}\big).$$
#
# | quantity | shape |
# | --- | --- |
# | $H^{(l-1)}$ (input of layer $l$) | $(N, n_{l-1})$ |
# | $W^{(l)}$ | $(n_l, n_{l-1})$ |
# | $\mathbf b^{(l)}$ | $(n_l,)$ |
# | $Z^{(l)}, H^{(l)}$ | $(N, n_l)$ |
#
# The batch size $N$ never appears in a parameter: the same weights serve any number of samples.

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(7, 3.8))
labels = ["input $X$\n(N, 3)", "hidden $H^{(1)}$\n(N, 4)", "output $\\hat{y}$\n(N, 1)"]
plot_network([3, 4, 1], ax=ax, labels=labels)
ax.set_title("3-4-1 network: $W^{(1)}$ (4, 3), $W^{(2)}$ (1, 4)")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The 3-4-1 network, step by step
#
# The network of the course deck: three inputs, four hidden ReLU units, one output with the identity
# (a regression). Genomics reading (simulated data): predict the expression of a target gene from
# three regulator genes. The weights are set by hand to readable values — the network is *not*
# trained yet (that is notebooks 03–04), so its predictions are only arithmetic for now.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
W1 = np.array([[0.5, -0.3, 0.8], [-0.6, 0.9, 0.1], [0.2, 0.4, -0.7], [0.7, 0.1, 0.3]])  # (4, 3)
b1 = np.array([0.1, -0.2, 0.0, 0.05])  # (4,)
W2 = np.array([[1.2, -0.8, 0.5, 0.9]])  # (1, 4)
b2 = np.array([0.3])  # (1,)
X_genes, y_target = simulate_expression_regression(n_samples=5, n_genes=3, seed=0)
X = X_genes.to_numpy()  # (5, 3)
x = X[0]  # the first sample, (3,)
print("x =", x.round(4))

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Step 1 — hidden pre-activations** $\mathbf z^{(1)} = W^{(1)}\mathbf x + \mathbf b^{(1)}$: one
# weighted sum of the genes per hidden unit.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
z1 = W1 @ x + b1  # (4, 3) @ (3,) + (4,) -> (4,)
print("z1 =", z1.round(4))

# %% [markdown] slideshow={"slide_type": "fragment"}
# **Step 2 — hidden activations** $\mathbf h^{(1)} = \operatorname{ReLU}(\mathbf z^{(1)})$: negative
# pre-activations become $0$ (those units are silent for this sample), positive ones pass unchanged.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
h1 = relu(z1)
print("h1 =", h1.round(4))

# %% [markdown] slideshow={"slide_type": "fragment"}
# **Step 3 — output** $\hat y = W^{(2)}\mathbf h^{(1)} + \mathbf b^{(2)}$, with the identity as output
# activation (a regression). Term by term, the output is a weighted vote of the hidden units.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
z2 = W2 @ h1 + b2  # (1, 4) @ (4,) + (1,) -> (1,)
y_hat = z2  # identity output
print("W2 * h1 =", (W2[0] * h1).round(4) + 0.0, " + b2 =", b2)  # + 0.0 turns -0.0 into 0.0
print("y_hat   =", y_hat.round(4))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## The whole batch at once
#
# The same three steps for all five samples, as matrix products with samples in rows.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
Z1 = X @ W1.T + b1  # (5, 3) @ (3, 4) + (4,) -> (5, 4)
H1 = relu(Z1)
Y_hat = H1 @ W2.T + b2  # (5, 4) @ (4, 1) + (1,) -> (5, 1)
print("Z1 =\n", Z1.round(3))
print("Y_hat =", Y_hat[:, 0].round(3))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Checked against the engine
#
# Row 0 must equal the step-by-step result, and `dlcourse.scratch.MLP` with the same weights must
# give the same outputs (two asserts, float64, tolerance $10^{-12}$).

# %% slideshow={"slide_type": "fragment"}
model = MLP([3, 4, 1], activation="relu", rng=0)  # Dense(3, 4), ReLU(), Dense(4, 1)
model[0].W[...], model[0].b[...] = W1, b1
model[2].W[...], model[2].b[...] = W2, b2
assert np.allclose(Y_hat[0], y_hat, rtol=1e-12, atol=1e-12)  # row 0 = the step-by-step sample
assert np.allclose(model(X), Y_hat, rtol=1e-12, atol=1e-12)  # float64: equal to rounding
print(f"max |row 0 - step by step| = {np.abs(Y_hat[0] - y_hat).max():.1e}")
print(f"max |engine - by hand|     = {np.abs(model(X) - Y_hat).max():.1e}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# The engine's layers, run one at a time, with the shapes of their parameters and outputs:

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
H = X
for index, layer in enumerate(model):
    H = layer(H)
    shapes = {name: p.shape for name, p in zip(layer.param_names, layer.params, strict=True)}
    print(f"({index}) {type(layer).__name__:6} parameters {shapes!s:26} output {H.shape}")

# %% slideshow={"slide_type": "subslide"}
panels = [
    ("$X$ (5, 3)", X),
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

# %% [markdown] slideshow={"slide_type": "notes"}
# Every intermediate of the batch as a heat map: ReLU turns each negative entry of $Z^{(1)}$ into a
# zero of $H^{(1)}$, so different samples switch on different hidden units.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Without activations, depth buys nothing
#
# Remove the ReLU and substitute one layer into the next:
#
# $$W^{(2)}\big(W^{(1)}\mathbf x + \mathbf b^{(1)}\big) + \mathbf b^{(2)}
# = \underbrace{W^{(2)}W^{(1)}}_{W}\,\mathbf x +
# \underbrace{W^{(2)}\mathbf b^{(1)} + \mathbf b^{(2)}}_{\mathbf b}.$$
#
# Two linear layers are exactly **one** linear layer, and by induction so are any number of them. Our
# 3-4-1 network without its ReLU is a single neuron with a $(1, 3)$ weight matrix.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
W_single = W2 @ W1  # (1, 4) @ (4, 3) -> (1, 3)
b_single = W2 @ b1 + b2  # (1,)
print("W =", W_single.round(4), " b =", b_single.round(4))
linear_net = Sequential(model[0], model[2])  # the same two Dense layers, no ReLU in between

# %% slideshow={"slide_type": "fragment"}
difference = np.abs(linear_net(X) - (X @ W_single.T + b_single)).max()
assert difference < 1e-12  # float64: the two are the same map up to rounding
print(f"max |two linear layers - one linear layer| = {difference:.1e}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The same holds whatever the depth and width. Below, random deep networks with one input, their
# outputs standardised (mean 0, standard deviation 1) to share one scale: without activations every
# network draws the same straight line, up to its sign; with ReLU each draws its own
# piecewise-linear curve, with kinks where hidden units switch on or off.

# %% slideshow={"slide_type": "subslide"}
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
# Make the point that this is the reason activations exist: stacking linear layers only re-parametrises
# a linear model (and the product $W^{(2)}W^{(1)}$ has rank at most the narrowest layer). The
# nonlinearity between layers is what lets depth add expressive power.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Universal approximation
#
# **Theorem** (Cybenko; Hornik; Leshno, Lin, Pinkus and Schocken). Let $f$ be continuous on a closed,
# bounded set $K \subset \mathbb R^d$ and let the activation $\varphi$ be continuous and not a
# polynomial (sigmoid, tanh and ReLU all qualify). For every $\varepsilon > 0$ there is a network
# with **one hidden layer** of $K_h$ units,
#
# $$g(\mathbf x) = \sum_{k=1}^{K_h} c_k\, \varphi\big(\mathbf w_k^\top \mathbf x + b_k\big) + c_0,$$
#
# such that $|g(\mathbf x) - f(\mathbf x)| < \varepsilon$ for all $\mathbf x \in K$.
#
# What it does **not** say: how many hidden units $K_h$ are needed (possibly very many), nor that
# training will find these weights, nor that the network will generalise from finite data.
# We now see *why* it holds in one dimension, by building $g$ with ReLUs.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## A bump from three ReLUs
#
# Each ReLU $\operatorname{ReLU}(x - t)$ adds a kink at $t$. With knots $t_{k-1} < t_k < t_{k+1}$
# spaced by $\delta$, three of them make a **hat** ("bump") that is $1$ at $t_k$ and $0$ outside
# $[t_{k-1}, t_{k+1}]$:
#
# $$\operatorname{hat}_k(x) = \tfrac{1}{\delta}\Big[\operatorname{ReLU}(x - t_{k-1}) -
# 2\operatorname{ReLU}(x - t_k) + \operatorname{ReLU}(x - t_{k+1})\Big].$$

# %% slideshow={"slide_type": "subslide"}
left, peak, right = 0.2, 0.4, 0.6
delta = peak - left
x_line = np.linspace(0, 1, 400)
parts = [
    relu(x_line - left) / delta,
    -2 * relu(x_line - peak) / delta,
    relu(x_line - right) / delta,
]
names = [
    "ReLU$(x - t_{k-1})/\\delta$",
    "$-2\\,$ReLU$(x - t_k)/\\delta$",
    "ReLU$(x - t_{k+1})/\\delta$",
]
fig, ax = plt.subplots(figsize=(7, 2.8))
for part, name in zip(parts, names, strict=True):
    ax.plot(x_line, part, lw=1.5, ls="--", label=name)
ax.plot(x_line, sum(parts), color="black", lw=3, label="sum: hat$_k(x)$")
ax.set(xlabel="$x$", ylim=(-2.2, 2.2), title="three ReLUs make one bump")
ax.legend(loc="lower left", fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Bumps add up to any curve
#
# Place knots $t_0 < \dots < t_K$ on the interval and scale bump $k$ by the target's value $f(t_k)$:
# $\sum_k f(t_k)\,\operatorname{hat}_k$ is the piecewise-linear curve through the points
# $(t_k, f(t_k))$. Collecting the ReLUs that share a knot, it is a network with one hidden layer of
# $K$ ReLU units:
#
# $$g(x) = f(t_0) + \sum_{k=0}^{K-1} c_k\,\operatorname{ReLU}(x - t_k), \qquad
# c_k = s_k - s_{k-1},\ s_k = \frac{f(t_{k+1}) - f(t_k)}{t_{k+1} - t_k},\ s_{-1} = 0:$$
#
# hidden weights $1$, hidden biases $-t_k$, output weights $c_k$ (the change of slope at each knot)
# and output bias $f(t_0)$. As knots get denser the curve follows $f$ ever more closely.

# %% [markdown] slideshow={"slide_type": "subslide"}
# The target (simulated): the expression of a gene along differentiation **pseudotime**
# $t \in [0, 1]$, with a transient pulse early and a switch to a higher level later. The function
# below builds the network with the tested `Dense` and `ReLU` layers and sets its weights from the
# formula above.


# %% slideshow={"slide_type": "fragment"}
def expression_along_pseudotime(t):
    """Simulated expression: baseline + transient pulse near t = 0.3 + switch-on near t = 0.7."""
    return 0.5 + 2.5 * np.exp(-(((t - 0.3) / 0.1) ** 2)) + 1.5 * sigmoid((t - 0.7) / 0.05)


def relu_network_through(knots, values):
    """A 1-K-1 ReLU network whose output is the piecewise-linear curve through (knots, values)."""
    K = len(knots) - 1
    slopes = np.diff(values) / np.diff(knots)  # s_0 ... s_{K-1}
    net = Sequential(Dense(1, K, rng=0), ReLU(), Dense(K, 1, rng=0))
    net[0].W[...], net[0].b[...] = 1.0, -knots[:-1]  # hidden unit k: ReLU(t - t_k)
    net[2].W[...], net[2].b[...] = np.diff(slopes, prepend=0.0), values[0]  # c_k, f(t_0)
    return net


# %% [markdown] slideshow={"slide_type": "subslide"}
# Two asserts check the construction: the network's output equals NumPy's linear interpolation
# through the knots, and equals the sum of scaled bumps (the end knots get half bumps; float64,
# tolerance $10^{-12}$).

# %% slideshow={"slide_type": "fragment"}
t = np.linspace(0, 1, 2001)
knots = np.linspace(0, 1, 9)  # K = 8 segments
values = expression_along_pseudotime(knots)
g = relu_network_through(knots, values)(t[:, None])[:, 0]
assert np.allclose(g, np.interp(t, knots, values), rtol=1e-12, atol=1e-12)
step = knots[1] - knots[0]
bumps = [(relu(t - k + step) - 2 * relu(t - k) + relu(t - k - step)) / step for k in knots]
bump_sum = sum(v * bump for v, bump in zip(values, bumps, strict=True))
assert np.allclose(g, bump_sum, rtol=1e-12, atol=1e-12)
print(f"max |network - interpolation| = {np.abs(g - np.interp(t, knots, values)).max():.1e}")
print(f"max |network - sum of bumps|  = {np.abs(g - bump_sum).max():.1e}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## More units, smaller error
#
# The cell prints the largest error $\max_t |g(t) - f(t)|$ on a fine grid as the number of hidden
# units $K$ doubles, and the factor by which each doubling shrinks it. For a smooth target the
# factor approaches $4$: the error of piecewise-linear interpolation falls like $1/K^2$.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
units = [2, 4, 8, 16, 32, 64, 128]
errors = []
target = expression_along_pseudotime(t)
for K in units:
    knots = np.linspace(0, 1, K + 1)
    net = relu_network_through(knots, expression_along_pseudotime(knots))
    errors.append(np.abs(net(t[:, None])[:, 0] - target).max())
print(f"K = {units[0]:3d} hidden units: max error {errors[0]:.4f}")
for K, error, previous in zip(units[1:], errors[1:], errors[:-1], strict=True):
    print(f"K = {K:3d} hidden units: max error {error:.4f}   shrink factor {previous / error:.2f}")

# %% slideshow={"slide_type": "subslide"}
fig, (ax_fit, ax_err) = plt.subplots(1, 2, figsize=(8, 2.8), layout="constrained")
ax_fit.plot(t, target, color="black", lw=3, label="target $f$")
for K in [4, 8, 16]:
    knots = np.linspace(0, 1, K + 1)
    approximation = relu_network_through(knots, expression_along_pseudotime(knots))(t[:, None])
    ax_fit.plot(t, approximation, lw=1.5, label=f"{K} ReLUs")
ax_fit.set(xlabel="pseudotime $t$", ylabel="expression", title="sums of ReLU bumps")
ax_err.loglog(units, errors, "o-", label="max error")
ax_err.loglog(
    units, errors[-1] * (units[-1] / np.array(units)) ** 2, "--", label="$\\propto 1/K^2$"
)
ax_err.set(xlabel="hidden units $K$", title="max error shrinks as units grow")
ax_fit.legend(fontsize=10)
ax_err.legend(fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Two cautions for the room. This construction is a proof device, not how networks are trained:
# gradient descent finds its own weights. And "can approximate" says nothing about how much data is
# needed to *learn* the function — in practice deeper networks often need far fewer units than one
# very wide hidden layer.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Where each activation belongs
#
# | layer | activation | why |
# | --- | --- | --- |
# | input | none | it only holds the data $\mathbf x$ |
# | hidden | ReLU (default), tanh | cheap nonlinearity; keeps gradients alive (notebook 05) |
# | output, regression (a gene's expression) | identity | any real value |
# | output, binary (case vs control) | sigmoid | a probability in $(0, 1)$ |
# | output, multiclass (tumour subtype) | softmax | probabilities over $C$ classes, summing to $1$ |
#
# With $\operatorname{softmax}(\mathbf z)_c = e^{z_c} / \sum_{k=1}^{C} e^{z_k}$. Each output
# activation pairs with a loss: MSE, binary cross-entropy (BCE), categorical cross-entropy (CCE);
# notebook 06 explains why.

# %% [markdown] slideshow={"slide_type": "subslide"}
# One hidden layer with the three output heads, on simulated tumour expression profiles (untrained
# weights: only the *ranges* matter). The cell checks that every softmax row sums to one.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
X_tumours, subtype = simulate_tumour_subtypes(n_samples=4, n_genes=20, n_subtypes=4, seed=0)
X_tumours = X_tumours.to_numpy()
print("tumours x genes:", X_tumours.shape)
regression = MLP([20, 16, 1], rng=0)  # output: identity
binary = MLP([20, 16, 1], output="sigmoid", rng=0)
multiclass = MLP([20, 16, 4], output="softmax", rng=0)
print("identity (any real): ", regression(X_tumours)[:, 0].round(3))
print("sigmoid  (0 to 1):   ", binary(X_tumours)[:, 0].round(3))
probabilities = multiclass(X_tumours)
print("softmax  (4 classes):\n", probabilities.round(3))
assert np.allclose(probabilities.sum(axis=1), 1.0, rtol=0, atol=1e-12)  # float64 rounding only

# %% slideshow={"slide_type": "subslide"}
z = np.linspace(-5, 5, 200)
logits = np.column_stack([z, np.zeros_like(z), np.ones_like(z)])  # z_2 = 0 and z_3 = 1 fixed
fig, (ax_bin, ax_multi) = plt.subplots(1, 2, figsize=(8, 3.0), layout="constrained")
ax_bin.plot(z, z, label="identity: $z$")
ax_bin.plot(z, sigmoid(z), label="sigmoid: $\\sigma(z)$")
ax_bin.set(xlabel="output pre-activation $z$", ylim=(-1.5, 2.5), title="one output unit")
ax_multi.plot(
    z,
    softmax(logits, axis=1),
    label=["class 1 ($z_1$)", "class 2 ($z_2 = 0$)", "class 3 ($z_3 = 1$)"],
)
ax_multi.set(xlabel="$z_1$", ylabel="probability", ylim=(0, 1), title="softmax: rows sum to 1")
ax_bin.legend()
ax_multi.legend(loc="center left", fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. The same forward pass in PyTorch
#
# `nn.Linear` stores `weight` as $(n_{\text{out}}, n_{\text{in}})$ — exactly our $W^{(l)}$ — and
# computes $H W^\top + \mathbf b$. We copy our weights with `copy_weights_to_torch` and compare in
# **float64 on the CPU**, the precision and device of the NumPy engine, so that any difference can
# only be rounding.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
torch_model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).double()
copy_weights_to_torch(model, torch_model)
print(torch_model)
print("weight shapes:", [tuple(p.shape) for p in torch_model.parameters()])
with torch.no_grad():
    Y_torch = torch_model(torch.tensor(X, dtype=torch.float64)).numpy()
print("PyTorch y_hat:", Y_torch[:, 0].round(3))

# %% slideshow={"slide_type": "subslide"}
assert np.allclose(Y_torch, model(X), rtol=1e-12, atol=1e-12)  # float64: same numbers
print(f"max |PyTorch - NumPy engine| (float64, CPU) = {np.abs(Y_torch - model(X)).max():.1e}")
assert torch.equal(to_torch(model)[0].weight, torch_model[0].weight)  # the one-call converter

# %% [markdown] slideshow={"slide_type": "fragment"}
# ## On the course device, in float32
#
# Training usually runs in float32, on a GPU when there is one. The same model moved to `DEVICE` in
# float32 agrees with the float64 result to about seven significant digits — float32's precision —
# so the assert uses a tolerance of $10^{-5}$. This is why exact comparisons are done in float64.

# %% slideshow={"slide_type": "fragment"}
device_model = to_torch(model, dtype=torch.float32).to(DEVICE)
X_device = torch.tensor(X, dtype=torch.float32, device=DEVICE)
with torch.no_grad():
    Y_device = device_model(X_device).cpu().double().numpy()
assert np.allclose(Y_device, Y_torch, rtol=1e-5, atol=1e-5)  # float32: ~7 significant digits
gaps = {
    "float64, cpu": np.abs(Y_torch - model(X)).max(),
    f"float32, {DEVICE.type}": np.abs(Y_device - model(X)).max(),
}
for name, gap in gaps.items():
    print(f"{name:14} max |difference| = {gap:.1e}")

# %% slideshow={"slide_type": "subslide"}
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
ax.set(xscale="log", xlim=(floor / 10, 1e-3), xlabel="max |PyTorch - NumPy engine|")
ax.legend(loc="lower right", fontsize=9)
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercises
#
# Each stub runs and calls a self-check that prints ✓ when your answer is right (or a hint). Replace
# `return None` by your code.
#
# ### Exercise 1 — counting parameters (warm-up)
#
# Write `parameter_count(sizes)` for an MLP with layer sizes `sizes = [n_0, n_1, ..., n_L]`: the total
# number of weights and biases. Then, for yourself: how many parameters does a first layer of 512
# units have on an input of 20,000 genes, and what does that mean for a cohort of 200 patients?


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def parameter_count(sizes):
    # YOUR CODE HERE
    return None


check_parameter_count(parameter_count)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def parameter_count(sizes):
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))


check_parameter_count(parameter_count)
print(f"20,000 genes -> 512 units: {parameter_count([20_000, 512]):,} parameters")

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 2 — a forward pass of any depth
#
# Write `mlp_forward(X, layers)` for a batch `X` of shape $(N, n_0)$ and
# `layers = [(W1, b1), ..., (WL, bL)]` with `W` of shape $(n_l, n_{l-1})$: ReLU after every hidden
# layer, no activation after the last. Return an array of shape $(N, n_L)$.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def mlp_forward(X, layers):
    # YOUR CODE HERE
    return None


check_mlp_forward(mlp_forward)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def mlp_forward(X, layers):
    H = X
    for index, (W, b) in enumerate(layers):
        H = H @ W.T + b
        if index < len(layers) - 1:  # hidden layers only
            H = relu(H)
    return H


check_mlp_forward(mlp_forward)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 3 — collapse a deep linear network
#
# Generalise section 3 to any depth: write `collapse(layers)` that returns the single `(W, b)` with
# $W\mathbf x + \mathbf b$ equal to the network of linear layers `layers = [(W1, b1), ..., (WL, bL)]`
# without activations. Shapes: `W` $(n_L, n_0)$, `b` $(n_L,)$. Mind the order of the products.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def collapse(layers):
    # YOUR CODE HERE
    return None, None


check_collapse(collapse)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def collapse(layers):
    n_in = layers[0][0].shape[1]
    W, b = np.eye(n_in), np.zeros(n_in)  # start from the identity map x -> x
    for W_l, b_l in layers:
        W, b = W_l @ W, W_l @ b + b_l  # apply layer l after everything so far
    return W, b


check_collapse(collapse)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 4 — an asymmetric bump (challenge)
#
# Section 4 built a bump from three ReLUs with equally spaced knots. Write
# `relu_bump(x, left, peak, right)` for *any* `left < peak < right`: $0$ outside `[left, right]`,
# $1$ at `peak`, linear in between, using only `relu` and arithmetic. *Hint:* the coefficient of each
# ReLU is the change of slope at its knot.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def relu_bump(x, left, peak, right):
    # YOUR CODE HERE
    return None


check_relu_bump(relu_bump)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def relu_bump(x, left, peak, right):
    up, down = 1 / (peak - left), 1 / (right - peak)  # slopes of the two sides
    return up * relu(x - left) - (up + down) * relu(x - peak) + down * relu(x - right)


check_relu_bump(relu_bump)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary / key ideas
#
# - A layer computes $\mathbf h^{(l)} = f\big(W^{(l)}\mathbf h^{(l-1)} + \mathbf b^{(l)}\big)$; for a
#   batch in rows, $H^{(l)} = f\big(H^{(l-1)}W^{(l)\top} + \mathbf b^{(l)}\big)$ with
#   $W^{(l)}: (n_l, n_{l-1})$ and activations $(N, n_l)$.
# - The forward pass is just these steps in order; every intermediate can be printed and checked.
# - Without activations, any stack of layers is one linear map $W = W^{(L)}\cdots W^{(1)}$: depth
#   needs nonlinearity.
# - One hidden layer of ReLUs can approximate any continuous function on a bounded interval (sums of
#   bumps); the error shrinks as units are added, but the theorem says nothing about training.
# - No activation on the input; ReLU/tanh in hidden layers; identity, sigmoid or softmax on the
#   output for regression, binary or multiclass tasks.
# - `torch.nn.Sequential` with the same weights computes the same numbers (float64); float32 agrees
#   to its own precision.
#
# **Next:** notebook 03 — how the weights are learned: gradient descent and its optimizers.
