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
# **Day 3 · Deep Learning Foundations (PyTorch)**
#
# The activation function decides two things at once: which functions a network can represent,
# and whether the error signal survives its way back from the loss to the first layer.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Learning objectives
#
# By the end of this notebook you can
#
# 1. point to the factor $f'(z)$ in every backpropagated error $\delta^{(l)}$ and explain how
#    vanishing gradients, exploding gradients and dying ReLUs follow from it;
# 2. write sigmoid, tanh, ReLU and leaky ReLU with their derivatives, and say where each is flat;
# 3. measure the gradient norm layer by layer in a deep network and read the plot;
# 4. count dead ReLU units in a trained network;
# 5. choose Xavier or He initialisation for a hidden activation;
# 6. pair each output activation (identity, sigmoid, softmax) with its range and its loss;
# 7. compute a softmax that never overflows;
# 8. explain why a hidden layer with a non-linear activation solves epistasis (XOR) and a single
#    neuron cannot.

# %% slideshow={"slide_type": "skip"}
import inspect

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from dlcourse.data import simulate_epistasis, simulate_expression_regression
from dlcourse.exercises import (
    check_leaky_relu_grad,
    check_sigmoid_grad,
    check_softmax,
    check_softmax_backward,
)
from dlcourse.plots import (
    COLORS,
    plot_activations,
    plot_decision_boundary,
    plot_gradient_norms,
    set_style,
)
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import (
    ACTIVATIONS,
    MLP,
    SGD,
    Adam,
    BCEWithLogitsLoss,
    Dense,
    LeakyReLU,
    MSELoss,
    ReLU,
    leaky_relu,
    leaky_relu_grad,
    mse,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    tanh,
    tanh_grad,
)
from dlcourse.torch_bridge import to_torch

seed_everything(0)
DEVICE = get_device()
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. $f'(z)$ sits inside every $\delta$
#
# Notebook 04 derived the error of hidden layer $l$ from the error of the layer above:
#
# $$\delta^{(l)} = \left(W^{(l+1)}\right)^{\top} \delta^{(l+1)} \odot f'\!\left(z^{(l)}\right),
# \qquad \frac{\partial \mathcal{L}}{\partial W^{(l)}} = \delta^{(l)} \left(h^{(l-1)}\right)^{\top}.$$
#
# Unrolled from the output layer $L$ down to layer 1, the error is a **product** of one factor
# per layer:
#
# $$\delta^{(1)} = \operatorname{diag}\!\big(f'(z^{(1)})\big)\, W^{(2)\top}
# \operatorname{diag}\!\big(f'(z^{(2)})\big)\, W^{(3)\top} \cdots
# \operatorname{diag}\!\big(f'(z^{(L-1)})\big)\, W^{(L)\top}\, \delta^{(L)} .$$
#
# A product of many factors smaller than 1 shrinks geometrically; one of factors larger than 1
# grows geometrically. The activation's derivative is one half of every factor, the weights the
# other.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Three ways the product goes wrong
#
# | problem | cause in the product | symptom | consequence |
# | --- | --- | --- | --- |
# | vanishing | many factors $f' \ll 1$ (flat sigmoid, tanh) | norms fall to the input | early layers stall |
# | exploding | many factors $> 1$ (weights too large) | huge norms, loss jumps or `nan` | chaotic updates |
# | dying ReLU | $f'(z) = 0$ on every sample ($z \le 0$) | units stuck at output 0 | weights never move |
#
# The cell below puts numbers on the first row: the largest value the sigmoid's derivative can
# take, and what ten such factors make.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
best_sigmoid_factor = float(sigmoid_grad(0.0))
print(f"max sigmoid'(z) = sigmoid'(0) = {best_sigmoid_factor:.4f}")
print(f"ten layers, each at best:     {best_sigmoid_factor**10:.2e}")
print(f"tanh'(0) = {float(tanh_grad(0.0)):.4f},  tanh'(2.5) = {float(tanh_grad(2.5)):.4f}")
print(f"relu'(z) for z = -1, 2:       {relu_grad(np.array([-1.0, 2.0]))}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Even in the best case (every pre-activation exactly 0) a stack of ten sigmoid layers multiplies
# the error by less than one in a million through the derivatives alone. tanh starts at 1 but
# decays quickly once |z| grows; ReLU is exactly 1 or exactly 0.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Four hidden-layer activations and their derivatives
#
# | name | $f(z)$ | $f'(z)$ | range |
# | --- | --- | --- | --- |
# | sigmoid | $\sigma(z) = \dfrac{1}{1 + e^{-z}}$ | $\sigma(z)\,\big(1 - \sigma(z)\big)$ | $(0, 1)$ |
# | tanh | $\tanh(z) = \dfrac{e^{z} - e^{-z}}{e^{z} + e^{-z}}$ | $1 - \tanh^2(z)$ | $(-1, 1)$ |
# | ReLU | $\max(0, z)$ | $1$ if $z > 0$, else $0$ | $[0, \infty)$ |
# | leaky ReLU | $z$ if $z > 0$, else $\alpha z$ | $1$ if $z > 0$, else $\alpha$ | $(-\infty, \infty)$ |
#
# At the kink $z = 0$ ReLU has no derivative; PyTorch uses the left-hand value ($0$, or
# $\alpha$ for leaky ReLU, whose default is $\alpha = 0.01$), and so does `dlcourse.scratch`.
# Both derivatives of the smooth functions are written in terms of the function's own value,
# which backpropagation has already computed in the forward pass.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The code we use
#
# The course's implementations live in `dlcourse.scratch.activations`. The sigmoid is written so
# that `np.exp` only ever sees a non-positive argument, so $z = \pm 1000$ is safe:

# %% slideshow={"slide_type": "fragment"}
print(inspect.getsource(sigmoid))
print(inspect.getsource(sigmoid_grad))

# %% slideshow={"slide_type": "subslide"}
print(inspect.getsource(relu_grad))
print(inspect.getsource(leaky_relu_grad))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The curves
#
# Left: the activations. Right: their derivatives — the factor each one contributes to every
# $\delta$. Sigmoid and tanh are flat at both ends; ReLU is flat on the whole negative half-line;
# leaky ReLU is never flat.

# %% slideshow={"slide_type": "fragment"}
fig = plot_activations(["sigmoid", "tanh", "relu", "leaky_relu"])
fig.axes[1].axhline(0.25, color=COLORS["black"], linestyle=":", linewidth=1)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Where each derivative is large and where it is flat
#
# The table below is computed from `dlcourse.scratch`: the derivative at the centre, at
# $z = \pm 5$, and its largest value on a grid over $[-10, 10]$.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
derivatives = {
    "sigmoid": sigmoid_grad,
    "tanh": tanh_grad,
    "relu": relu_grad,
    "leaky_relu": leaky_relu_grad,
}
z_grid = np.linspace(-10, 10, 2001)  # contains z = 0 exactly
print(f"{'name':<11} {'f(0)':>7} {'f(-5)':>9} {'f(+5)':>9} {'max':>7}")
for name, grad in derivatives.items():
    at = grad(np.array([0.0, -5.0, 5.0]))
    print(f"{name:<11} {at[0]:>7.4f} {at[1]:>9.4f} {at[2]:>9.4f} {grad(z_grid).max():>7.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Checking the derivatives against PyTorch's autograd
#
# Two independent references: `torch.autograd` (in float64 on the CPU, so that agreement can be
# demanded to $10^{-12}$) and central finite differences
# $\big(f(z + \varepsilon) - f(z - \varepsilon)\big) / 2\varepsilon$ on points away from the
# kink of the ReLUs.

# %% slideshow={"slide_type": "fragment"}
functions = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "leaky_relu": leaky_relu}
torch_functions = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": nn.functional.leaky_relu,
}
z_check = np.linspace(-6, 6, 120)  # an even count: no point lands on the kink z = 0
eps = 1e-6
for name in functions:
    z_torch = torch.tensor(z_check, dtype=torch.float64, requires_grad=True)
    torch_functions[name](z_torch).sum().backward()
    autograd = z_torch.grad.numpy()
    finite_diff = (functions[name](z_check + eps) - functions[name](z_check - eps)) / (2 * eps)
    ours = derivatives[name](z_check)
    assert np.allclose(ours, autograd, rtol=1e-12, atol=1e-15)  # float64: exact formulas agree
    assert np.allclose(ours, finite_diff, rtol=1e-6, atol=1e-9)  # finite differences: ~1e-10
    print(
        f"{name:<11} max |ours - autograd| = {np.abs(ours - autograd).max():.1e}, "
        f"max |ours - finite diff| = {np.abs(ours - finite_diff).max():.1e}"
    )

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 1 — the sigmoid's derivative (warm-up)
#
# Write `my_sigmoid_grad(z)` returning $\sigma'(z)$ element-wise. Use the form in terms of
# $\sigma(z)$ from the table above; you may call `sigmoid` from `dlcourse.scratch`. The check
# also tries $z = \pm 1000$: no `nan`, no warning.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def my_sigmoid_grad(z):
    # YOUR CODE HERE
    return None


check_sigmoid_grad(my_sigmoid_grad)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 - s)


check_sigmoid_grad(my_sigmoid_grad)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 2 — the derivative of leaky ReLU
#
# Write `my_leaky_relu_grad(z, negative_slope=0.01)`: $1$ where $z > 0$ and `negative_slope`
# elsewhere, element-wise, for arrays of any shape. With `negative_slope=0` it must give ReLU's
# derivative. Follow PyTorch's convention at $z = 0$ (see the table in section 2).


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def my_leaky_relu_grad(z, negative_slope=0.01):
    # YOUR CODE HERE
    return None


check_leaky_relu_grad(my_leaky_relu_grad)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_leaky_relu_grad(z, negative_slope=0.01):
    return np.where(np.asarray(z) > 0, 1.0, negative_slope)


check_leaky_relu_grad(my_leaky_relu_grad)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Gradient norm per layer in a deep network
#
# An experiment on simulated data: predict a target gene's expression from 20 other genes
# (`simulate_expression_regression`) with a deep MLP of 10 hidden layers of 64 units, a linear
# output and MSE loss. The weights use PyTorch's default initialisation for `nn.Linear`
# (`init="torch"`); `activation=name` looks the layer class up in the registry `ACTIVATIONS`.
# For every activation we run **one** forward and backward pass on the same
# 256 samples and record, per layer, the Frobenius norm
#
# $$\left\lVert \frac{\partial \mathcal{L}}{\partial W^{(l)}} \right\rVert_F
# = \sqrt{\textstyle\sum_{j,k} \big(\partial \mathcal{L} / \partial W^{(l)}_{jk}\big)^2}.$$

# %% slideshow={"slide_type": "fragment"}
X_expr, y_expr = simulate_expression_regression(n_samples=256, n_genes=20, seed=0)
X_expr = X_expr.to_numpy()
y_expr = y_expr.to_numpy()[:, None]  # (256, 1), the shape of the network's output
DEEP_SIZES = [20] + [64] * 10 + [1]
print({name: layer.__name__ for name, layer in ACTIVATIONS.items()})


def backward_pass(model, X, y):
    """One forward and backward pass of the MSE loss: fills every layer's gradients."""
    loss = MSELoss()
    model.zero_grad()
    loss(model(X), y)
    model.backward(loss.backward())


def weight_gradient_norms(model, X, y):
    """||dL/dW|| of every Dense layer (input -> output) after one backward pass."""
    backward_pass(model, X, y)
    return [np.linalg.norm(layer.dW) for layer in model if isinstance(layer, Dense)]


# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
deep_models = {
    name: MLP(DEEP_SIZES, activation=name, rng=0, init="torch")
    for name in ("sigmoid", "tanh", "relu", "leaky_relu")
}
grad_norms = {name: weight_gradient_norms(m, X_expr, y_expr) for name, m in deep_models.items()}
print(f"{'activation':<11} {'layer 1':>9} {'layer 11':>9} {'layer 1 / layer 11':>19}")
for name, norms in grad_norms.items():
    print(f"{name:<11} {norms[0]:>9.2e} {norms[-1]:>9.2e} {norms[0] / norms[-1]:>19.2e}")

# %% slideshow={"slide_type": "subslide"}
ax = plot_gradient_norms(grad_norms)
ax.set_title("one backward pass, PyTorch's default initialisation")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# Read the plot from right (output) to left (input). With sigmoid the first layer's gradient is
# many orders of magnitude smaller than the last layer's (the ratio is in the table above): the
# first layers would learn nothing with a learning rate that suits the last ones. tanh loses much
# less. The ReLUs lose less than sigmoid, but with this initialisation they still shrink towards
# the input — that is the initialisation's fault, as section 4 shows.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same norms from PyTorch
#
# `dlcourse.torch_bridge.to_torch` copies a scratch network into `torch.nn.Sequential` with the
# same weights. Comparing in float64 on the CPU lets us demand agreement to $10^{-10}$, which a
# float32 GPU run could not give.

# %% slideshow={"slide_type": "fragment"}
for name, model in deep_models.items():
    torch_model = to_torch(model, dtype=torch.float64)
    X_t = torch.tensor(X_expr, dtype=torch.float64)
    y_t = torch.tensor(y_expr, dtype=torch.float64)
    nn.MSELoss()(torch_model(X_t), y_t).backward()
    torch_norms = [m.weight.grad.norm().item() for m in torch_model if isinstance(m, nn.Linear)]
    assert np.allclose(grad_norms[name], torch_norms, rtol=1e-10, atol=0)  # float64 agreement
    rel = np.max(np.abs(np.array(grad_norms[name]) / np.array(torch_norms) - 1))
    print(f"{name:<11} max relative difference to torch: {rel:.1e}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Initialisation matters (briefly)
#
# If a layer's weights are drawn with variance $\operatorname{Var}(W)$, the variance of its
# pre-activations is about $n_\text{in} \operatorname{Var}(W)$ times that of its inputs. Keeping
# this factor near 1 in both directions (forward signals and backward errors) gives:
#
# - **Xavier / Glorot** (for tanh and sigmoid, roughly linear near 0):
#   $\operatorname{Var}(W) = \dfrac{2}{n_\text{in} + n_\text{out}}$, e.g. $W \sim \mathcal{U}(-a, a)$
#   with $a = \sqrt{6 / (n_\text{in} + n_\text{out})}$;
# - **He / Kaiming** (for ReLU, which zeroes half its inputs, hence the factor 2):
#   $\operatorname{Var}(W) = \dfrac{2}{n_\text{in}}$, e.g. $W \sim \mathcal{N}(0, 2/n_\text{in})$;
# - **PyTorch's default** for `nn.Linear`: $W \sim \mathcal{U}(-1/\sqrt{n_\text{in}},
#   1/\sqrt{n_\text{in}})$, i.e. $\operatorname{Var}(W) = \dfrac{1}{3 n_\text{in}}$ — six times
#   smaller than He's.
#
# `Dense(n_in, n_out, init="torch" | "xavier" | "he")` implements the three; the cell checks the
# standard deviations of a large layer against the formulas.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
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

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Forward signal and backward gradient for a deep ReLU network
#
# The same 10-hidden-layer ReLU network with four initialisations; the last one multiplies He's
# weights by 1.5 to provoke exploding values. Left: the standard deviation of each hidden
# layer's output $h^{(l)}$. Right: the gradient norms per layer, as before.


# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
def hidden_output_stds(model, X):
    """Standard deviation of the output of every ReLU layer, input -> output."""
    stds, h = [], X
    for layer in model:
        h = layer(h)
        if isinstance(layer, ReLU):
            stds.append(h.std())
    return stds


signal, init_grad_norms = {}, {}
for init, gain in [("torch", 1.0), ("xavier", 1.0), ("he", 1.0), ("he", 1.5)]:
    label = init if gain == 1.0 else f"{init} x {gain}"
    model = MLP(DEEP_SIZES, activation="relu", rng=0, init=init)
    for layer in model:
        if isinstance(layer, Dense):
            layer.W *= gain
    signal[label] = hidden_output_stds(model, X_expr)
    init_grad_norms[label] = weight_gradient_norms(model, X_expr, y_expr)
    print(
        f"{label:<9} std(h1) = {signal[label][0]:.3f}  std(h10) = {signal[label][-1]:8.3f}   "
        f"grad norm layer 1 = {init_grad_norms[label][0]:.2e}, layer 11 = "
        f"{init_grad_norms[label][-1]:.2e}"
    )

# %% slideshow={"slide_type": "subslide"}
fig, (ax_signal, ax_grad) = plt.subplots(1, 2, figsize=(9, 4.2), layout="constrained")
for label, stds in signal.items():
    ax_signal.plot(range(1, len(stds) + 1), stds, "o-", label=label)
ax_signal.set(
    yscale="log", xlabel="hidden layer", ylabel="std of $h^{(l)}$", title="forward: signal size"
)
plot_gradient_norms(init_grad_norms, ax=ax_grad)
ax_grad.set_title("backward: gradient norms")
ax_grad.get_legend().remove()
ax_signal.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# - PyTorch's default shrinks the signal layer after layer, and the gradient with it.
# - Xavier keeps the gradient level but the signal still halves in variance at every ReLU.
# - He keeps the signal at a constant size: it is the right choice for ReLU networks.
# - Weights only 1.5 times too large make the signal grow geometrically and every gradient
#   thousands of times larger (the printed norms): a learning rate that suits He's network would
#   throw these weights far away — exploding gradients.
#
# Normalisation layers (batch norm, notebook 07) and residual connections are the other modern
# remedies; they are not needed for the shallow networks of this course.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Dead ReLU units in practice
#
# A ReLU unit $j$ of layer $l$ is **dead** on a data set when its pre-activation is non-positive
# for every sample, $z^{(l)}_{ij} \le 0$ for all $i$. Then its output is 0 and its derivative is
# 0 for every sample, so $\delta^{(l)}_{ij} = 0$ and its incoming weights and bias get exactly
# zero gradient: gradient descent no longer moves them. A dead unit of the first layer (fixed
# inputs) is dead for good; a deeper one can only revive if the layers below happen to change its
# inputs. A too large learning rate is the usual cause: one big step pushes a bias far below zero.
#
# The experiment: the regression task of section 3 (its first 128 samples), a network with 3
# hidden layers of 48 ReLU units and He initialisation, full-batch SGD for 60 steps, at a
# moderate and at a too large learning rate.


# %% slideshow={"slide_type": "subslide"}
def dead_unit_fraction(model, X):
    """Per ReLU / leaky ReLU layer: the fraction of units with z <= 0 for every row of X."""
    fractions, h = [], X
    for layer in model:
        if isinstance(layer, (ReLU, LeakyReLU)):
            fractions.append(float(np.mean(np.all(h <= 0, axis=0))))
        h = layer(h)
    return fractions


def train_and_track(model, X, y, lr, steps=60, every=3):
    """Full-batch SGD on MSE; dead-unit fractions at step 0 and after every `every` steps."""
    optimizer = SGD(model.parameters(), lr=lr)
    history = [dead_unit_fraction(model, X)]
    for step in range(1, steps + 1):
        backward_pass(model, X, y)
        optimizer.step(model.gradients())
        if step % every == 0:
            history.append(dead_unit_fraction(model, X))
    return np.array(history)


# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
X_dead, y_dead = X_expr[:128], y_expr[:128]
DEAD_SIZES = [20, 48, 48, 48, 1]
dead_history, dead_models = {}, {}
for lr in (0.01, 0.08):
    dead_models[lr] = MLP(DEAD_SIZES, activation="relu", rng=0, init="he")
    dead_history[lr] = train_and_track(dead_models[lr], X_dead, y_dead, lr=lr)
    print(
        f"lr = {lr}: dead fraction per hidden layer before {dead_history[lr][0].round(3)}, "
        f"after 60 steps {dead_history[lr][-1].round(3)}; "
        f"training MSE {mse(dead_models[lr](X_dead), y_dead):.3f}"
    )

# %% [markdown] slideshow={"slide_type": "subslide"}
# At the large learning rate a large share of the units of layers 2 and 3 die within the first
# steps and few come back; at the moderate learning rate almost nothing happens.

# %% slideshow={"slide_type": "fragment"}
fig, ax = plt.subplots(figsize=(8, 4))
steps = np.arange(0, 61, 3)
for lr, style in [(0.01, ":"), (0.08, "-")]:
    for k in range(dead_history[lr].shape[1]):
        ax.plot(
            steps, dead_history[lr][:, k], style, color=f"C{k}", label=f"layer {k + 1}, lr = {lr}"
        )
ax.set(xlabel="SGD step", ylabel="fraction of dead units", title="dying ReLUs")
ax.legend(ncols=2, fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Dead means exactly zero gradient
#
# For the network trained at the large learning rate, the gradient of every weight and bias
# that feeds a dead unit is exactly 0 — not small, zero — so no optimizer step moves them.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
model = dead_models[0.08]
backward_pass(model, X_dead, y_dead)
h, hidden = X_dead, 0
for layer in model:
    if isinstance(layer, Dense):
        dense = layer
    if isinstance(layer, ReLU):
        hidden += 1
        dead = np.all(h <= 0, axis=0)
        assert np.all(dense.dW[dead] == 0) and np.all(dense.db[dead] == 0)  # exactly zero
        print(
            f"hidden layer {hidden}: {dead.sum():2d} dead units, largest |gradient| into "
            f"them: {np.abs(dense.dW[dead]).max(initial=0.0)}"
        )
    h = layer(h)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Leaky ReLU keeps the gradient alive
#
# The same training with leaky ReLU ($\alpha = 0.01$) and the large learning rate. Units can
# still end up negative on every sample, but their derivative there is $\alpha$, not 0, so
# their weights keep receiving a (small) gradient and can recover. Compare the training MSE with
# the ReLU network's above.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
leaky_model = MLP(DEAD_SIZES, activation="leaky_relu", rng=0, init="he")
leaky_history = train_and_track(leaky_model, X_dead, y_dead, lr=0.08)
print(
    f"leaky ReLU, lr = 0.08: negative on every sample after 60 steps "
    f"{leaky_history[-1].round(3)}; training MSE {mse(leaky_model(X_dead), y_dead):.3f}"
)
backward_pass(leaky_model, X_dead, y_dead)
h, hidden = X_dead, 0
for layer in leaky_model:
    if isinstance(layer, Dense):
        dense = layer
    if isinstance(layer, LeakyReLU):
        hidden += 1
        negative = np.all(h <= 0, axis=0)
        row_norms = np.linalg.norm(dense.dW[negative], axis=1)
        assert np.all(row_norms > 0)  # alive: every such unit still receives a gradient
        if negative.any():
            print(
                f"hidden layer {hidden}: {negative.sum()} all-negative units, smallest "
                f"gradient norm into one: {row_norms.min():.1e}"
            )
    h = layer(h)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Output activations: range and matching loss
#
# Hidden activations are chosen for gradient flow; the **output** activation is chosen so that
# the network's output lives where the target lives, and it comes with a loss:
#
# | task | output activation | range of $\hat y$ | loss (notebook 06) |
# | --- | --- | --- | --- |
# | regression (expression level) | identity, $\hat y = z$ | $(-\infty, \infty)$ | MSE or MAE |
# | binary (case / control) | sigmoid, $\hat y = \sigma(z)$ | $(0, 1)$ | BCE, binary cross-entropy |
# | $C$ classes (subtypes) | softmax, $\hat y_c = e^{z_c} / \sum_k e^{z_k}$ | $(0, 1)$, sum 1 | CCE |
#
# CCE is the categorical cross-entropy.
#
# The saturation of sigmoid and softmax is harmless at the output *when* they are paired with
# cross-entropy: the gradient with respect to the logits is then simply $\hat y - y$ (notebook 06
# shows what happens with the wrong pairing). In PyTorch the last two activations are folded into
# the loss (`BCEWithLogitsLoss`, `CrossEntropyLoss`), so the model itself outputs logits $z$.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
logits = np.array([[2.0, -1.0, 0.5], [-3.0, 4.0, 0.0]])  # 2 samples x 3 classes
print("identity:", logits[:, 0])
print("sigmoid: ", sigmoid(logits[:, 0]).round(4))
probabilities = softmax(logits)
print("softmax: ", probabilities.round(4).tolist())
print("row sums:", probabilities.sum(axis=1).round(12))
assert np.allclose(probabilities.sum(axis=1), 1.0, rtol=0, atol=1e-12)  # a distribution per row

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. A numerically stable softmax
#
# Written literally, $\operatorname{softmax}(z)_c = e^{z_c} / \sum_k e^{z_k}$ overflows as soon
# as a logit exceeds $\log(\text{largest float64})$ (printed below), because $e^{z}$ becomes
# $\infty$, and $\infty / \infty$ is `nan`.
# The fix rests on one line of algebra: for any constant $m$,
#
# $$\frac{e^{z_c - m}}{\sum_k e^{z_k - m}} = \frac{e^{-m} e^{z_c}}{e^{-m} \sum_k e^{z_k}}
# = \operatorname{softmax}(z)_c .$$
#
# Choosing $m = \max_k z_k$ makes every exponent $\le 0$ (no overflow) and the largest term
# exactly $e^0 = 1$ (the denominator is at least 1, no division by zero).

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
print(f"log(largest float64) = {np.log(np.finfo(np.float64).max):.2f}")
big_logits = np.array([1000.0, 1001.0, 1002.0])
with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the point of this demo
    naive = np.exp(big_logits) / np.exp(big_logits).sum()
print("naive: ", naive)
print("stable:", softmax(big_logits).round(4))
print("shift invariance, softmax([0, 1, 2]):", softmax(big_logits - 1000).round(4))

# %% slideshow={"slide_type": "fragment"}
print(inspect.getsource(softmax))

# %% slideshow={"slide_type": "fragment"}
z_batch = np.random.default_rng(0).normal(scale=300, size=(5, 4))  # logits up to ~1000
ours = softmax(z_batch)
reference = torch.softmax(torch.tensor(z_batch, dtype=torch.float64), dim=-1).numpy()
assert np.allclose(ours, reference, rtol=1e-12, atol=1e-300)  # float64 agreement
print(f"max |ours - torch.softmax| = {np.abs(ours - reference).max():.1e}")

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 3 — your own stable softmax
#
# Write `my_softmax(z)` for a 1-D vector of logits or a 2-D batch `(n_samples, n_classes)`,
# normalising over the **last** axis (the classes). It must stay finite and silent for logits of
# 1000. Use `np.exp`, not `dlcourse`'s `softmax`.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def my_softmax(z):
    # YOUR CODE HERE
    return None


check_softmax(my_softmax)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


check_softmax(my_softmax)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 4 — the softmax inside a $\delta$ (harder)
#
# Softmax is not element-wise: each output depends on every logit, so its "$f'(z)$" is a
# Jacobian, $\dfrac{\partial \hat y_c}{\partial z_k} = \hat y_c (\mathbb{1}[c = k] - \hat y_k)$.
# Backpropagation never builds that $C \times C$ matrix; it only needs the vector-Jacobian
# product. Write `my_softmax_backward(z, grad_out)` returning
# $\dfrac{\partial \mathcal{L}}{\partial z}$ for a batch, given the logits `z` and
# $g = \dfrac{\partial \mathcal{L}}{\partial \hat y}$ (`grad_out`), both `(n_samples, n_classes)`.
# Derive the formula from the Jacobian first; you may use `softmax` from `dlcourse.scratch`.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def my_softmax_backward(z, grad_out):
    # YOUR CODE HERE
    return None


check_softmax_backward(my_softmax_backward)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_softmax_backward(z, grad_out):
    y_hat = softmax(z)
    # sum_c g_c * d y_c / d z_k = y_k (g_k - sum_c g_c y_c)
    return y_hat * (grad_out - np.sum(grad_out * y_hat, axis=-1, keepdims=True))


check_softmax_backward(my_softmax_backward)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Epistasis: the XOR task needs a hidden layer
#
# Simulated data (`simulate_epistasis`): two genes with standardised expression
# $x_1, x_2 \sim \mathcal{N}(0, 1)$; a sample is a case when **exactly one** of the two is
# over-expressed, $y = \mathbb{1}[x_1 > 0] \oplus \mathbb{1}[x_2 > 0]$, with 5% of the labels
# flipped (so about 95% accuracy is the best possible). Neither gene alone predicts anything.
#
# We train, with the scratch engine and full-batch Adam for 300 steps on BCE (logits output):
# a single neuron (no hidden layer), and networks `2 → 8 → 1` whose hidden layer uses each
# activation, including the identity (a hidden layer without non-linearity).

# %% slideshow={"slide_type": "subslide"}
X_epi, y_epi = simulate_epistasis(n_samples=600, seed=0, noise=0.05)
X_epi, y_epi = X_epi.to_numpy(), y_epi.to_numpy()  # (600, 2) expression, (600,) 0/1
X_train, y_train, X_test, y_test = X_epi[:400], y_epi[:400], X_epi[400:], y_epi[400:]


def train_classifier(model, steps=300, lr=0.05):
    """Full-batch Adam on BCE with logits; returns the trained model."""
    loss, optimizer = BCEWithLogitsLoss(), Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        model.zero_grad()
        loss(model(X_train), y_train[:, None].astype(float))
        model.backward(loss.backward())
        optimizer.step(model.gradients())
    return model


# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
classifiers = {"no hidden layer": train_classifier(MLP([2, 1], rng=0))}
for name in ("identity", "sigmoid", "tanh", "relu", "leaky_relu"):
    classifiers[name] = train_classifier(MLP([2, 8, 1], activation=name, rng=0))
print(f"{'model':<16} {'train acc':>9} {'test acc':>9}")
for name, model in classifiers.items():
    train_acc = np.mean((model(X_train)[:, 0] > 0) == y_train)
    test_acc = np.mean((model(X_test)[:, 0] > 0) == y_test)
    print(f"{name:<16} {train_acc:>9.3f} {test_acc:>9.3f}")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(2, 3, figsize=(9.6, 5.4), layout="constrained", sharex=True, sharey=True)
for ax, (name, model) in zip(axes.flat, classifiers.items(), strict=True):
    plot_decision_boundary(
        lambda G, m=model: (m(G)[:, 0] > 0).astype(int), X_test, y_test, ax=ax, resolution=100
    )
    ax.set_title(name, fontsize=13)
    if ax is not axes.flat[0]:
        ax.get_legend().remove()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# - A single neuron draws one straight line: at chance on XOR.
# - A hidden layer **without** a non-linearity is no better: two linear maps compose to one
#   linear map (notebook 02).
# - Any of the non-linear activations solves it; their boundaries differ in shape — smooth curves
#   for sigmoid and tanh, straight pieces joined at kinks for the ReLUs.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same network in PyTorch, on the course device
#
# `to_torch` turns the trained ReLU network into `nn.Sequential(Linear, ReLU, Linear)` with the
# same weights. Here it runs in float32 on `DEVICE` (a GPU when there is one), as a PyTorch model
# normally does, so its logits agree with the float64 NumPy ones to float32 precision.

# %% slideshow={"slide_type": "fragment"}
torch_xor = to_torch(classifiers["relu"], dtype=torch.float32).to(DEVICE)
print(torch_xor)
with torch.no_grad():
    torch_logits = torch_xor(torch.tensor(X_test, dtype=torch.float32, device=DEVICE))
torch_logits = torch_logits.cpu().numpy()
ours = classifiers["relu"](X_test)
assert np.allclose(torch_logits, ours, rtol=1e-4, atol=1e-4)  # float32 on DEVICE vs float64
print(f"device {DEVICE}: max |torch logits - ours| = {np.abs(torch_logits - ours).max():.1e}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary / key ideas
#
# - Every backpropagated error contains $f'(z^{(l)})$; through $L$ layers the errors are
#   products of $L$ such factors with the weights, so they shrink (vanishing) or grow
#   (exploding) geometrically.
# - Sigmoid ($\sigma' \le 1/4$) and tanh saturate at both ends; ReLU passes gradients unchanged
#   for $z > 0$ but kills them for $z \le 0$ (dead units, exactly zero gradient); leaky ReLU keeps
#   a slope $\alpha$ everywhere.
# - Measure, don't guess: gradient norms per layer and the fraction of dead units are cheap
#   diagnostics.
# - Initialisation sets the size of the factors: Xavier for tanh/sigmoid, He for ReLU; PyTorch's
#   default is smaller than He's.
# - Output activations are chosen by the target: identity + MSE/MAE, sigmoid + BCE,
#   softmax + CCE — in PyTorch folded into the loss, the model outputs logits.
# - Softmax is computed after subtracting the largest logit; the naive form overflows to `nan`.
# - A non-linear hidden layer is what lets a network model epistasis (XOR); a linear one cannot.
