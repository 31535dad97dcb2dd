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
# # 04 — Backpropagation
#
# **Previously:** gradient descent (notebook 03) needs $\partial\mathcal{L}/\partial\theta$ for every
# parameter at every step; notebook 02's 3-4-1 network computed its output layer by layer.
#
# You will be able to
# 1. apply the chain rule on a [computational graph](GLOSSARY.md#computational-graph);
# 2. compute the 3-4-1 network's gradients by hand, and write the rules for a batch;
# 3. check gradients by finite differences, and count why backpropagation is cheaper;
# 4. train a network with our own backpropagation.

# %% [markdown] slideshow={"slide_type": "skip"}
# [Open in Colab](https://colab.research.google.com/github/unipv-genomic-data-science/day3-deep-learning-foundations/blob/main/notebooks/04_backpropagation.ipynb)

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

from dlcourse.data import simulate_expression_regression
from dlcourse.exercises import check_backward_pass, check_central_difference, check_hidden_delta
from dlcourse.plots import COLORS, plot_computational_graph, plot_training_curves, set_style
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import (
    MLP,
    Adam,
    Dense,
    MSELoss,
    ReLU,
    Sequential,
    gradient_check,
    numerical_gradient,
    sigmoid,
    sigmoid_grad,
)
from dlcourse.stats import paired_difference

seed_everything(0)
DEVICE = get_device()
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why an algorithm is needed
#
# A modest network for an omics profile (2,000 genes → 256 → 64 → 1) has about half a million
# parameters. Estimating each derivative numerically costs two forward passes per parameter.
# **[Backpropagation](GLOSSARY.md#backpropagation)** gets all of them exactly with one forward pass
# (storing intermediate values) and one backward pass (the chain rule, from the loss back).

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
omics_net = MLP([2000, 256, 64, 1], rng=0)
n_params = sum(p.size for p in omics_net.parameters())
print(f"parameters: {n_params:,}; finite differences: {2 * n_params:,} forward passes")

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room: "at a millisecond per forward pass, how long for one gradient by finite
# differences?" (About 17 minutes, and thousands of steps are needed.) The point of today: the
# same exact gradient for the price of about three passes.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The chain rule on a computational graph
#
# For $y = f(g(x))$ the rates multiply: $\frac{dy}{dx} = f'(g(x))\,g'(x)$. One sigmoid neuron
# with the lecture's loss, $z = wx + b$, $\hat y = \sigma(z)$, $\mathcal{L} = \frac{1}{2}(\hat y - y)^2$:
# the **forward pass** stores every value (blue), the **backward pass** multiplies local
# derivatives from the loss back (vermillion), e.g.
# $\frac{\partial\mathcal{L}}{\partial w} = (\hat y - y)\,\sigma'(z)\,x$.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
x, y, w, b = 1.2, 0.2, 0.5, 0.1  # one sample, one neuron
z = w * x + b  # forward: keep every intermediate value
y_hat = sigmoid(z)
loss = 0.5 * (y_hat - y) ** 2
dL_dyhat = y_hat - y  # backward: local derivatives, multiplied from the loss back
dL_dz = dL_dyhat * sigmoid_grad(z)
dL_dw, dL_db = dL_dz * x, dL_dz


# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Graph x, w, b → z → ŷ → L"
nodes = {
    "x": (0, 1.8, "$x$"),
    "w": (0, 0, "$w$"),
    "b": (0, -1.8, "$b$"),
    "z": (2.2, 0, "$z = wx + b$"),
    "y_hat": (4.6, 0, r"$\hat y = \sigma(z)$"),
    "L": (7.2, 0, r"$\mathcal{L} = \frac{1}{2}(\hat y - y)^2$"),
}
edges = [("x", "z"), ("w", "z"), ("b", "z"), ("z", "y_hat"), ("y_hat", "L")]
values = {"x": f"{x}", "w": f"{w}", "b": f"{b}", "z": f"{z:.2f}", "y_hat": f"{y_hat:.4f}"}
values["L"] = f"{loss:.4f}  (y = {y})"
grads = {"w": f"∂L/∂w = {dL_dw:.4f}", "b": f"∂L/∂b = {dL_db:.4f}", "z": f"∂L/∂z = {dL_dz:.4f}"}
grads |= {"y_hat": f"∂L/∂ŷ = {dL_dyhat:.4f}", "L": "∂L/∂L = 1"}
plot_computational_graph(nodes, edges, forward=values, backward=grads)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Walk the figure right to left: start from ∂L/∂L = 1 and multiply by one local derivative per
# arrow. Ask: "which value did we need to *store* in the forward pass to compute σ'(z)?" — z (or
# ŷ). That storage is backprop's memory cost, which comes back on the cost slide.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## When a value feeds several nodes, the paths add up
#
# Input gene $x_1$ feeds all four hidden units $z_j = \sum_k W_{jk}x_k + b_j$. A change in $x_1$
# reaches the loss along four paths, and their contributions add. With
# $\delta_j = \partial\mathcal{L}/\partial z_j$:
#
# $$\frac{\partial\mathcal{L}}{\partial x_1} = \sum_j \frac{\partial\mathcal{L}}{\partial z_j}\,
# \frac{\partial z_j}{\partial x_1} = \sum_j W_{j1}\,\delta_j, \qquad\text{in general}\qquad
# \frac{\partial\mathcal{L}}{\partial h_k} = \sum_j W_{jk}\,\delta_j = \big(W^{\top}\delta\big)_k.$$
#
# Summing over the *receiving* units is a product with $W^{\top}$: that is where the transpose in
# backpropagation comes from.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="x1 feeds z1 to z4, which all feed L"
fan_nodes = {"x1": (0, 0, "$x_1$"), "L": (5, 0, r"$\mathcal{L}$")}
fan_nodes |= {f"z{j}": (2.5, 4 - 1.6 * j, f"$z_{j}$") for j in range(1, 5)}
fan_edges = [("x1", f"z{j}") for j in range(1, 5)] + [(f"z{j}", "L") for j in range(1, 5)]
fan_grads = {f"z{j}": rf"$\delta_{j}$" for j in range(1, 5)}
fan_grads["x1"] = r"$\sum_j W_{j1}\delta_j$"
plot_computational_graph(fan_nodes, fan_edges, backward=fan_grads)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# The common confusion: students multiply the four paths, or keep only one. Each path is a
# product (chain rule); different paths *add*. Ask: "in the batched form, which index does the
# sum over j turn into?" — the rows of W, hence Wᵀ.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Notebook 02's 3-4-1 network, forward
#
# The same network and sample as in notebook 02: three regulator genes, four ReLU hidden units, a
# linear output, hand-set weights. The loss of this one sample is the lecture's
# $\mathcal{L} = \frac{1}{2}(\hat y - y)^2$ (the ½ cancels the square's 2).

# %% slideshow={"slide_type": "skip"}
X_genes, y_genes = simulate_expression_regression(n_samples=5, n_genes=3, seed=0)
X_batch, Y_batch = X_genes.to_numpy(), y_genes.to_numpy()[:, None]  # (5, 3), (5, 1)

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
W1 = np.array([[0.5, -0.3, 0.8], [-0.6, 0.9, 0.1], [0.2, 0.4, -0.7], [0.7, 0.1, 0.3]])
b1 = np.array([0.1, -0.2, 0.0, 0.05])  # shapes as in torch: W1 (4, 3), b1 (4,)
W2 = np.array([[1.2, -0.8, 0.5, 0.9]])  # (1, 4)
b2 = np.array([0.3])  # (1,)
x_sample, y_sample = X_batch[0], Y_batch[0]  # the first sample
z1 = W1 @ x_sample + b1  # (4,)
h1 = np.maximum(z1, 0)  # ReLU
y_hat1 = W2 @ h1 + b2  # (1,)
print("z1 =", z1.round(4), " h1 =", h1.round(4))
loss1 = 0.5 * (y_hat1[0] - y_sample[0]) ** 2  # the lecture's ½·MSE, one sample
print(f"ŷ = {y_hat1[0]:.4f}, y = {y_sample[0]:.4f}, L = {loss1:.4f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Point out what the forward pass keeps: z1 (for ReLU's f') and h1 (for ∂L/∂W2). Ask: "which
# hidden units will get no gradient?" — the two with z < 0; the next slide confirms it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Backward, layer by layer
#
# $$\delta^{(2)} = \hat y - y, \quad \frac{\partial\mathcal{L}}{\partial W^{(2)}} = \delta^{(2)}h^{\top},
# \quad \delta^{(1)} = \big(W^{(2)}\big)^{\top}\delta^{(2)} \odot f'\big(z^{(1)}\big),$$
# $$\frac{\partial\mathcal{L}}{\partial W^{(1)}} = \delta^{(1)}x^{\top}, \quad
# \frac{\partial\mathcal{L}}{\partial x} = \big(W^{(1)}\big)^{\top}\delta^{(1)}$$
#
# ($\odot$: element-wise; each bias gradient is its $\delta$; ReLU's $f'$ is 1 for $z > 0$, else 0.)

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
delta2 = y_hat1 - y_sample  # (1,): output error
dW2 = np.outer(delta2, h1)  # (1, 4) = δ2 hᵀ
delta1 = (W2.T @ delta2) * (z1 > 0)  # (4,): error sent back, times ReLU's f'
dW1 = np.outer(delta1, x_sample)  # (4, 3) = δ1 xᵀ
dL_dx = W1.T @ delta1  # (3,): each gene sums over the 4 units it feeds
print(f"δ2 = {delta2.round(4)}  δ1 = {delta1.round(4) + 0.0}")
silent = np.flatnonzero(~dW1.any(axis=1)) + 1  # units whose weights get no gradient
print("∂L/∂x =", dL_dx.round(4), " zero rows of ∂L/∂W1:", silent)

# %% [markdown] slideshow={"slide_type": "fragment"}
# Units 2 and 3 are silent ($z < 0$): no blame, no gradient for their weights.

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the formulas right to left with the code beside them: δ2 is the output error, δ1 is δ2
# sent back through W2ᵀ and gated by f'(z1). Common confusion: f' is evaluated at z, not at h.
# The hidden check cell compares with finite differences (rtol 1e-8) and our engine (1e-12).


# %% slideshow={"slide_type": "skip"} tags=["nbval-check-output"]
def sample_loss(x_in):
    return 0.5 * ((W2 @ np.maximum(W1 @ x_in + b1, 0) + b2 - y_sample) ** 2).item()


net = Sequential(Dense(3, 4), ReLU(), Dense(4, 1))
net[0].W[...], net[0].b[...], net[2].W[...], net[2].b[...] = W1, b1, W2, b2
net.zero_grad()
net.backward(net(x_sample[None, :]) - y_sample)  # ∂L/∂ŷ = ŷ - y for ½(ŷ - y)²
assert np.allclose(numerical_gradient(sample_loss, x_sample.copy()), dL_dx, rtol=1e-8)
by_hand = [dW1, delta1, dW2, delta2]  # the bias gradients are the deltas
assert all(np.allclose(g, h, rtol=1e-12) for g, h in zip(net.gradients(), by_hand, strict=True))
print("∂L/∂x = finite differences; our engine's gradients = the hand calculation ✓")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The general rules, for a batch
#
# Samples are rows: layer $l$ computes $Z^{(l)} = H^{(l-1)}W^{(l)\top} + b^{(l)}$,
# $H^{(l)} = f(Z^{(l)})$, $H^{(0)} = X$. With $\Delta^{(l)} = \partial\mathcal{L}/\partial Z^{(l)}$
# ($N \times n_l$):
#
# | step | rule |
# | --- | --- |
# | output layer | $\Delta^{(\text{out})} = \partial\mathcal{L}/\partial\hat Y \odot f'(Z^{(\text{out})})$ |
# | weights | $\partial\mathcal{L}/\partial W^{(l)} = \Delta^{(l)\top}H^{(l-1)}$ (summed over samples) |
# | bias | $\partial\mathcal{L}/\partial b^{(l)} = \sum_i \Delta^{(l)}_{i,:}$ |
# | sent back | $\Delta^{(l-1)} = \big(\Delta^{(l)}W^{(l)}\big) \odot f'(Z^{(l-1)})$ |
#
# The batch mean lives in $\partial\mathcal{L}/\partial\hat Y$: torch's `MSELoss` averages over all
# $N \cdot n_{\text{out}}$ entries, so it is $\frac{2}{N n_{\text{out}}}(\hat Y - Y)$ (no ½).

# %% [markdown] slideshow={"slide_type": "notes"}
# Same rules as the previous slide, with samples as rows: every product gets one more index, and
# the weight gradient sums over the samples automatically. Ask: "where does the 1/N of the mean
# loss enter?" — only once, in ∂L/∂Ŷ; no layer divides again.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The same rules in our engine
#
# `dlcourse.scratch.Dense` checks its inputs in `backward`, then does the maths in `_backward`
# (`self.x` is the input stored by the forward pass):

# %% slideshow={"slide_type": "-"}
print(inspect.getsource(Dense._backward))

# %% [markdown] slideshow={"slide_type": "notes"}
# Map each line to the table: dW += gᵀx is "weights", db is "bias", g W is "sent back" (the
# activation layer multiplies by f' in its own _backward). The += matters: gradients accumulate
# until zero_grad(), exactly as in PyTorch.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Gradient check by finite differences
#
# Any backward pass can be tested without calculus: nudge one parameter by $\pm\varepsilon$,
#
# $$\frac{\partial\mathcal{L}}{\partial\theta_j} \approx
# \frac{\mathcal{L}(\theta + \varepsilon e_j) - \mathcal{L}(\theta - \varepsilon e_j)}{2\varepsilon}
# \quad (\text{error } O(\varepsilon^2);\ \varepsilon \approx 10^{-6} \text{ in float64}).$$
#
# `gradient_check` does it for every parameter, here on notebook 02's five samples with torch's MSE:

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
mse_loss = MSELoss()
report = gradient_check(net, mse_loss, X_batch, Y_batch)
print(report)
assert report.max_error < 1e-7  # backprop = finite differences to a relative 1e-7

# %% [markdown] slideshow={"slide_type": "notes"}
# This is how every backward pass in the course (and in PyTorch's own tests) is checked. Ask:
# "why not ε = 1e-12?" — rounding error then dominates (deep dive: choosing ε). Use it on a
# small network and a few samples: it costs two forward passes per parameter.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The cost, counted
#
# Count multiply-adds the same way for both methods (layers wrapped by `CountingDense`) and express
# them in forward passes. Backprop runs **reverse mode**: one sweep from a *scalar* loss gives its
# derivative with respect to all $P$ parameters at once (forward mode would need one sweep per
# parameter). The price is memory: every layer's activations are stored until the backward pass.


# %% slideshow={"slide_type": "-"}
class CountingDense(Dense):
    """A Dense layer that counts the multiply-adds of its matrix products."""

    multiply_adds = 0

    def _forward(self, x):
        CountingDense.multiply_adds += x.shape[0] * self.W.size  # x Wᵀ
        return super()._forward(x)

    def _backward(self, grad_out):
        CountingDense.multiply_adds += 2 * grad_out.shape[0] * self.W.size  # gᵀx and g W
        return super()._backward(grad_out)


# %% [markdown] slideshow={"slide_type": "notes"}
# Reverse mode pays off because the loss is one number and the parameters are many; for a function
# with many outputs and few inputs, forward mode would win. Ask: "what must the forward pass keep
# for the backward pass?" — every layer's input (self.x): memory grows with depth × batch size,
# which is why large batches run out of GPU memory in training but not at inference.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The cost, counted (continued)
#
# Finite differences cost $2P$ forward passes, growing with the network; backprop costs one
# forward pass plus a backward pass of two products per layer: 3 passes at most, whatever $P$.


# %% slideshow={"slide_type": "-"} tags=["hide-code", "nbval-check-output"] alt="Passes per gradient vs P"
def counted(action):
    """Multiply-adds done by CountingDense layers while `action()` runs."""
    CountingDense.multiply_adds = 0
    action()
    return CountingDense.multiply_adds


def passes_per_gradient(width):
    """(finite differences, backprop) in forward-pass equivalents, and P, for a 3-width-1 net."""
    model = Sequential(CountingDense(3, width), ReLU(), CountingDense(width, 1))

    def loss(_=None):
        return mse_loss(model(X_batch), Y_batch)

    def backprop():
        model.zero_grad()
        loss()
        model.backward(mse_loss.backward())

    one_pass = counted(loss)
    fd = counted(lambda: [numerical_gradient(loss, p) for p in model.parameters()])
    return fd / one_pass, counted(backprop) / one_pass, sum(p.size for p in model.parameters())


cost = {width: passes_per_gradient(width) for width in (4, 16, 64, 256)}
for width, (fd, bp, P) in cost.items():
    print(f"3-{width}-1: P = {P:>4}; finite differences {fd:>5.0f} passes, backprop {bp:.1f}")
assert all(fd == 2 * P and bp <= 3 for fd, bp, P in cost.values())

P_values = [c[2] for c in cost.values()]
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.loglog(P_values, [c[0] for c in cost.values()], "o-", label="finite differences: $2P$")
ax.loglog(P_values, [c[1] for c in cost.values()], "o-", label="backprop (counted)")
ax.set(xlabel="parameters $P$", ylabel="forward passes per gradient", title="cost of one gradient")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Both axes are logarithmic: finite differences grow linearly with P, backprop stays flat at 3
# passes. Say it plainly: this is why deep learning is possible at all. The price, memory for
# the stored activations, is what limits batch size on a GPU.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Training with our own backpropagation
#
# A target gene driven nonlinearly by 3 of 10 simulated genes, noise sd 0.3; a 10-16-1 tanh
# MLP, Adam, 50 [epochs](GLOSSARY.md#epoch) (passes over the data) of batches of 32, on five
# 80/20 splits, each compared with least squares (a linear model).


# %% slideshow={"slide_type": "-"}
def train_one_epoch(mlp, optimizer, X, y, rng, batch_size=32):
    """One pass over (X, y) in shuffled mini-batches, with our backpropagation."""
    order = rng.permutation(len(X))
    for begin in range(0, len(X), batch_size):
        batch = order[begin : begin + batch_size]
        mlp.zero_grad()
        mse_loss(mlp(X[batch]), y[batch])  # forward + loss
        mlp.backward(mse_loss.backward())  # our backpropagation
        optimizer.step(mlp.gradients())  # update


# %% slideshow={"slide_type": "skip"}
X_task, y_task = simulate_expression_regression(n_samples=1000, n_genes=10, noise=0.3, seed=1)
X_task, y_task = X_task.to_numpy(), y_task.to_numpy()[:, None]


def train_on_split(seed, epochs=50):
    """Train the MLP on an 80% split; its history and (MLP, linear) validation MSE."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X_task))
    train, val = order[:800], order[800:]
    mlp = MLP([10, 16, 1], activation="tanh", rng=seed)
    optimizer, history = Adam(mlp.parameters(), lr=0.01), {"train_loss": [], "val_loss": []}
    for _ in range(epochs):
        train_one_epoch(mlp, optimizer, X_task[train], y_task[train], rng)
        history["train_loss"].append(mse_loss(mlp(X_task[train]), y_task[train]))
        history["val_loss"].append(mse_loss(mlp(X_task[val]), y_task[val]))
    design = np.column_stack([X_task, np.ones(len(X_task))])
    coef = np.linalg.lstsq(design[train], y_task[train], rcond=None)[0]
    return history, history["val_loss"][-1], mse_loss(design[val] @ coef, y_task[val])


splits = [train_on_split(seed) for seed in range(5)]
mlp_val, linear_val = np.array([s[1] for s in splits]), np.array([s[2] for s in splits])
mlp_vs_linear = paired_difference(mlp_val, linear_val)
assert mlp_vs_linear.high < 0 and np.all(mlp_val > 0.09) and mlp_val.mean() - 0.09 < 0.07

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
print(f"validation MSE: MLP {mlp_val.mean():.3f}, linear {linear_val.mean():.3f}")
gap = mlp_vs_linear  # mean over 5 splits, 95 % interval
print(f"MLP − linear: {gap.estimate:.3f} [{gap.low:.3f}, {gap.high:.3f}]")

# %% [markdown] slideshow={"slide_type": "notes"}
# The three lines in the inner loop are the learning loop of notebook 03; every gradient now comes
# from our `backward`. Five splits, not one, because "the MLP beats the linear model" is a
# comparison: the interval (95 %) is over splits.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Training with our own backpropagation (continued)
#
# The MLP's validation MSE is far below the linear model's (the interval excludes 0: the linear
# model misses the saturation and the interaction) and within 0.07 of the noise variance
# $0.3^2 = 0.09$, which no model can beat on new samples.


# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Training and validation MSE per epoch"
ax = plot_training_curves(splits[0][0])
ax.axhline(splits[0][2], color=COLORS["black"], linestyle=":", label="linear model (validation)")
ax.axhline(0.09, color=COLORS["bluish_green"], linestyle="--", label="noise variance")
ax.set(yscale="log", ylabel="MSE", title="split 0")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the gap: the MLP's validation curve flattens just above the noise line, the linear model
# stays far above it. Ask: "could any model reach MSE 0 on new samples?" — no: the noise
# variance 0.09 is the floor. Common confusion: a training loss well below 0.09 means the model
# is fitting the noise, not learning more.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercise 1 — the hidden layer's delta
#
# Write `hidden_delta(W2, delta2, z1)` for a **sigmoid** hidden layer in the batched layout:
# `W2` is $(n_{\text{out}}, n_{\text{hidden}})$, `delta2` is $(N, n_{\text{out}})$, `z1` is
# $(N, n_{\text{hidden}})$; return $\Delta^{(1)}$, shape $(N, n_{\text{hidden}})$. Use `sigmoid_grad`.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def hidden_delta(W2, delta2, z1):
    # YOUR CODE HERE
    return None


check_hidden_delta(hidden_delta)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def hidden_delta(W2, delta2, z1):
    return (delta2 @ W2) * sigmoid_grad(z1)


assert check_hidden_delta(hidden_delta)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - **Backpropagation** = the chain rule on the computational graph: store values forward,
#   multiply local derivatives backward; paths from a value **add** (hence $W^{\top}$).
# - Per layer: $\Delta^{(l-1)} = (\Delta^{(l)}W^{(l)}) \odot f'(Z^{(l-1)})$ and
#   $\partial\mathcal{L}/\partial W^{(l)} = \Delta^{(l)\top}H^{(l-1)}$; the batch mean sits in
#   $\partial\mathcal{L}/\partial\hat Y$.
# - Finite differences check a backward pass at $2P$ forward passes; backprop costs at most 3,
#   plus memory for the stored activations.
# - The factor $f'(z)$ in every $\delta$ is where gradients can vanish or explode.
#
# **Next:** notebook 05 — activation functions and their derivatives.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Common mistakes
#
# - Forgetting the transpose: $\delta^{(1)}$ uses $W^{(2)\top}$ (batched: $\Delta^{(2)}W^{(2)}$).
# - Forgetting $f'(z)$, or evaluating it at $h$ instead of $z$.
# - Mixing ½·MSE (gradient $\hat y - y$) with torch's MSE (gradient $2(\hat y - y)/N$).
# - Not zeroing gradients: `_backward` *adds* to `dW`.
# - Finite differences with $\varepsilon = 10^{-12}$: rounding error swamps the result.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — the same gradients from `torch.autograd`
#
# > **Deep dive — optional.** PyTorch's autograd runs the same algorithm; here its numbers equal
# > ours, with both MSE conventions; the rest of the notebook does not need it.
#
# In float64 on the CPU, so that a comparison to $10^{-12}$ is not blurred by float32 rounding.
# `MSELoss` has no ½, so its gradients are exactly twice the lecture's ½·MSE ones.

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
import torch

from dlcourse.torch_bridge import to_torch

torch_net = to_torch(net)  # nn.Sequential(Linear, ReLU, Linear) with the same weights, float64
out = torch_net(torch.tensor(x_sample[None, :]))
for name, loss_t, factor in (
    ("½·MSE", 0.5 * ((out - torch.tensor(y_sample)) ** 2).mean(), 1.0),
    ("nn.MSELoss", torch.nn.MSELoss()(out, torch.tensor(y_sample[None, :])), 2.0),
):
    torch_net.zero_grad()
    loss_t.backward(retain_graph=True)
    autograd = [p.grad.numpy() for p in torch_net.parameters()]
    assert all(
        np.allclose(a, factor * h, rtol=1e-12) for a, h in zip(autograd, by_hand, strict=True)
    )
    print(f"autograd with {name:<10} = {factor:g} × the hand calculation (rtol 1e-12) ✓")
deep = MLP([10, 16, 8, 2], activation="tanh", rng=2)  # two outputs: MSE averages N · 2 entries
X32, Y32 = X_task[:32], np.column_stack([y_task[:32, 0], -y_task[:32, 0]])
deep.zero_grad()
mse_loss(deep(X32), Y32)
deep.backward(mse_loss.backward())
deep_torch = to_torch(deep)
torch.nn.MSELoss()(deep_torch(torch.tensor(X32)), torch.tensor(Y32)).backward()
pairs = zip(deep.gradients(), (p.grad.numpy() for p in deep_torch.parameters()), strict=True)
assert all(np.allclose(ours, theirs, rtol=1e-10, atol=1e-14) for ours, theirs in pairs)
print("10-16-8-2 tanh network, 32 samples: ours = autograd (rtol 1e-10) ✓")

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — choosing ε, and measured time
#
# > **Deep dive — optional.** Why finite differences use $\varepsilon \approx 10^{-6}$, and the
# > wall-clock time of both methods on this machine; the rest of the notebook does not need it.
#
# Too large an $\varepsilon$ gives truncation error ($O(\varepsilon^2)$ central, $O(\varepsilon)$
# forward difference); too small, rounding error ($\approx 10^{-16}/\varepsilon$ in float64).


# %% slideshow={"slide_type": "-"} tags=["deep-dive", "hide-code"] alt="Error vs epsilon"
def neuron_loss(wb):
    return 0.5 * (sigmoid(wb[0] * x + wb[1]) - y) ** 2


epsilons = np.logspace(-13, -1, 49)
central = [numerical_gradient(neuron_loss, np.array([w, b]), eps)[0] for eps in epsilons]
forward = [(neuron_loss([w + eps, b]) - neuron_loss([w, b])) / eps for eps in epsilons]
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.loglog(epsilons, np.abs(np.array(central) - dL_dw) + 1e-20, label="central difference")
ax.loglog(epsilons, np.abs(np.array(forward) - dL_dw) + 1e-20, label="forward difference")
ax.set(xlabel=r"$\varepsilon$", ylabel=r"|error| in $\partial\mathcal{L}/\partial w$")
ax.set_title("rounding (left) vs truncation (right)")
ax.legend()
plt.show()

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-ignore-output"]
import time

timing_net = MLP([10, 32, 32, 1], activation="tanh", rng=0)
start = time.perf_counter()
for param in timing_net.parameters():
    numerical_gradient(lambda _: mse_loss(timing_net(X32), Y32[:, :1]), param)
fd_seconds = time.perf_counter() - start
start = time.perf_counter()
timing_net.zero_grad()
mse_loss(timing_net(X32), Y32[:, :1])
timing_net.backward(mse_loss.backward())
bp_seconds = time.perf_counter() - start
print(f"10-32-32-1: finite differences {fd_seconds:.2f} s, backprop {1e3 * bp_seconds:.2f} ms")

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice — Exercise 2: a central finite difference
#
# Write `central_difference(f, x, eps)` returning an array shaped like `x` whose entry $i$ is
# $\frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}$, one entry at a time (`x`
# may be 2-D: `np.ndindex(x.shape)` visits every index). Leave the caller's `x` unchanged.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
def central_difference(f, x, eps=1e-6):
    # YOUR CODE HERE
    return None


check_central_difference(central_difference)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def central_difference(f, x, eps=1e-6):
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        plus, minus = x.astype(float), x.astype(float)  # copies
        plus[index] += eps
        minus[index] -= eps
        grad[index] = (f(plus) - f(minus)) / (2 * eps)
    return grad


assert np.allclose(central_difference(sample_loss, x_sample), dL_dx, rtol=1e-8)  # ∂L/∂x again
assert check_central_difference(central_difference)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice — Exercise 3: a complete backward pass
#
# Write `backward_pass(X, y, W1, b1, W2, b2)` returning `(dW1, db1, dW2, db2)` for
# $\hat Y = \sigma(XW_1^\top + b_1)W_2^\top + b_2$ (a **sigmoid** hidden layer) and ½·MSE averaged
# over the batch, $\mathcal{L} = \frac{1}{N}\sum_i \frac{1}{2}(\hat y_i - y_i)^2$, so
# $\partial\mathcal{L}/\partial\hat Y = (\hat Y - Y)/N$. Shapes as in torch: `X` $(N, 3)$, `y`
# $(N, 1)$, `W1` $(H, 3)$, `b1` $(H,)$, `W2` $(1, H)$, `b2` $(1,)$. Then verify it with your
# `central_difference`.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
def backward_pass(X, y, W1, b1, W2, b2):
    # YOUR CODE HERE
    return None


check_backward_pass(backward_pass)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def backward_pass(X, y, W1, b1, W2, b2):
    Z1 = X @ W1.T + b1  # forward, keeping what backward needs
    H1 = sigmoid(Z1)
    Y_hat = H1 @ W2.T + b2
    D2 = (Y_hat - y) / len(X)  # ½·MSE averaged over the batch
    D1 = (D2 @ W2) * sigmoid_grad(Z1)
    return D1.T @ X, D1.sum(axis=0), D2.T @ H1, D2.sum(axis=0)


assert check_backward_pass(backward_pass)
