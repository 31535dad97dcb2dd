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
# **Day 3 · Deep Learning Foundations (PyTorch)**
#
# Every gradient of a network, for the price of about one extra pass: the chain rule, applied from
# the loss back to the input.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Learning objectives
#
# By the end of this notebook you can
#
# 1. explain why training needs an efficient way to get $\partial\mathcal{L}/\partial W$ and
#    $\partial\mathcal{L}/\partial b$ for every layer;
# 2. apply the chain rule on a computational graph, forward (values) and backward (gradients);
# 3. compute by hand, with numbers, the gradients of the course's 3-4-1 network:
#    $\delta^{(2)}$, $\partial\mathcal{L}/\partial W^{(2)}$, $\delta^{(1)}$,
#    $\partial\mathcal{L}/\partial W^{(1)}$;
# 4. write the general layer-by-layer rules for a batch, and relate ½·MSE to PyTorch's MSE;
# 5. check gradients with finite differences and against `torch.autograd`, and explain why
#    backpropagation is so much cheaper;
# 6. train a network with our own backpropagation on a simulated genomics task.

# %% slideshow={"slide_type": "skip"}
import inspect
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.model_selection import train_test_split

from dlcourse.data import simulate_expression_regression
from dlcourse.exercises import check_backward_pass, check_central_difference, check_hidden_delta
from dlcourse.plots import COLORS, plot_computational_graph, plot_training_curves, set_style
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import (
    MLP,
    Adam,
    Dense,
    MSELoss,
    Sequential,
    Sigmoid,
    gradient_check,
    numerical_gradient,
    sigmoid,
    sigmoid_grad,
)
from dlcourse.torch_bridge import to_torch

seed_everything(0)
DEVICE = get_device()
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Why an algorithm is needed
#
# After the forward pass we have a prediction $\hat y$ and a loss $\mathcal{L}(y, \hat y)$. Gradient
# descent (notebook 03) needs $\frac{\partial \mathcal{L}}{\partial W^{(l)}}$ and
# $\frac{\partial \mathcal{L}}{\partial b^{(l)}}$ for **every** weight and bias, at **every** step.
# A modest network for an omics profile already has hundreds of thousands of parameters:

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
omics_net = MLP([2000, 256, 64, 1], rng=0)  # 2,000 genes in, one output
n_params = sum(p.size for p in omics_net.parameters())
print(f"parameters: {n_params:,}")
print(
    f"finite differences: {2 * n_params:,} forward passes per gradient; backprop: 1 forward + 1 backward"
)

# %% [markdown] slideshow={"slide_type": "fragment"}
# Deriving each derivative by hand is impossible, and estimating each one numerically costs two
# forward passes per parameter. **Backpropagation** obtains all of them exactly with one forward
# pass (storing intermediate values) and one backward pass (the chain rule, from the loss back to
# the input). The cost is measured in section 6.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The chain rule
#
# For a composition $y = f(g(x))$, a small change in $x$ changes $g$, which changes $f$: the rates
# multiply,
#
# $$\frac{dy}{dx} = f'\big(g(x)\big)\cdot g'(x).$$
#
# A network is a long composition (layer after layer), so $\partial\mathcal{L}/\partial w$ for a weight
# is the product of the local derivatives along the path from that weight to the loss. When a value
# feeds several later nodes, the contributions of the paths **add up**.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### One neuron, with numbers
#
# A (simulated) example: a gene's standardised expression $x$ predicts the methylated fraction $y$ of a
# CpG site through one sigmoid neuron, with the deck's loss ½·squared error:
#
# $$z = w x + b, \qquad \hat y = \sigma(z), \qquad \mathcal{L} = \tfrac{1}{2}(\hat y - y)^2,$$
#
# $$\frac{\partial \mathcal{L}}{\partial w}
# = \underbrace{(\hat y - y)}_{\partial\mathcal{L}/\partial\hat y}
# \cdot \underbrace{\sigma(z)\,(1-\sigma(z))}_{\partial\hat y/\partial z}
# \cdot \underbrace{x}_{\partial z/\partial w}, \qquad
# \frac{\partial \mathcal{L}}{\partial b} = (\hat y - y)\,\sigma'(z)\cdot 1.$$

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
x, y, w, b = 1.2, 0.2, 0.5, 0.1
z = w * x + b  # forward pass, keeping every intermediate value
y_hat = sigmoid(z)
loss = 0.5 * (y_hat - y) ** 2
dL_dyhat = y_hat - y  # backward pass: local derivatives, multiplied from the loss back
dL_dz = dL_dyhat * sigmoid_grad(z)
dL_dw, dL_db = dL_dz * x, dL_dz * 1.0
print(f"forward:  z = {z:.4f}, ŷ = {y_hat:.4f}, L = {loss:.4f}")
print(
    f"backward: ∂L/∂ŷ = {dL_dyhat:.4f}, ∂L/∂z = {dL_dz:.4f}, ∂L/∂w = {dL_dw:.4f}, ∂L/∂b = {dL_db:.4f}"
)

# %% [markdown] slideshow={"slide_type": "fragment"}
# A check without any calculus: nudge $w$ and $b$ by $\pm\varepsilon$ and measure the change in the loss
# (central finite differences, `dlcourse.scratch.numerical_gradient`; section 5 explains them).


# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
def neuron_loss(wb):
    return 0.5 * (sigmoid(wb[0] * x + wb[1]) - y) ** 2


numeric = numerical_gradient(neuron_loss, np.array([w, b]))
print("finite differences:", numeric.round(4))
assert np.allclose(numeric, [dL_dw, dL_db], rtol=1e-8, atol=1e-12)  # chain rule = numerics to 1e-8

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Computational graphs
#
# Write the computation as a graph: one node per intermediate value, arrows from inputs to the
# operation that uses them. The **forward pass** evaluates the graph left to right and stores every
# value (blue). The **backward pass** visits it right to left: each node receives
# $\partial\mathcal{L}/\partial(\text{node})$ from its successors and multiplies it by its own local
# derivative to pass it on (vermillion). Frameworks such as PyTorch record this graph during the
# forward pass (autograd) and run exactly this backward sweep.

# %% slideshow={"slide_type": "-"}
nodes = {
    "x": (0, 1.8, "$x$"),
    "w": (0, 0, "$w$"),
    "b": (0, -1.8, "$b$"),
    "z": (2.2, 0, "$z = wx + b$"),
    "y_hat": (4.6, 0, r"$\hat y = \sigma(z)$"),
    "L": (7.2, 0, r"$\mathcal{L} = \frac{1}{2}(\hat y - y)^2$"),
}
edges = [("x", "z"), ("w", "z"), ("b", "z"), ("z", "y_hat"), ("y_hat", "L")]
values = {
    "x": f"{x}",
    "w": f"{w}",
    "b": f"{b}",
    "z": f"{z:.2f}",
    "y_hat": f"{y_hat:.4f}",
    "L": f"{loss:.4f}  (y = {y})",
}
grads = {
    "w": f"∂L/∂w = {dL_dw:.4f}",
    "b": f"∂L/∂b = {dL_db:.4f}",
    "z": f"∂L/∂z = {dL_dz:.4f}",
    "y_hat": f"∂L/∂ŷ = {dL_dyhat:.4f}",
    "L": "∂L/∂L = 1",
}
plot_computational_graph(nodes, edges, forward=values, backward=grads)
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The deck's example: a 3-4-1 network with ½·MSE
#
# Input $x \in \mathbb{R}^3$ (three genes), a hidden layer of 4 sigmoid units, one linear output (the
# expression of a target gene), and the loss of one sample:
#
# $$z^{(1)} = W^{(1)}x + b^{(1)},\quad h = f\big(z^{(1)}\big),\quad \hat y = W^{(2)}h + b^{(2)},\quad
# \mathcal{L} = \tfrac{1}{2}(y - \hat y)^2.$$
#
# Shapes: $W^{(1)}: 4\times 3$, $b^{(1)}: 4$, $W^{(2)}: 1\times 4$, $b^{(2)}: 1$, with $f = \sigma$.
# Below, the weights come from a seeded `dlcourse.scratch.MLP` so that we can compare later.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
net = MLP([3, 4, 1], activation="sigmoid", rng=1)  # Dense(3, 4), Sigmoid, Dense(4, 1)
W1, b1, W2, b2 = (p.copy() for p in net.parameters())
x3 = np.array([0.5, -1.2, 2.0])  # standardised expression of three genes (one sample)
y3 = np.array([1.5])  # the target gene's expression
z1 = W1 @ x3 + b1  # (4,)
h = sigmoid(z1)  # (4,)
y_hat3 = W2 @ h + b2  # (1,)
loss3 = 0.5 * np.sum((y3 - y_hat3) ** 2)
print("z1 =", z1.round(4), "\nh  =", h.round(4))
print(f"ŷ = {y_hat3[0]:.4f}, y = {y3[0]}, L = ½(y - ŷ)² = {loss3:.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Output layer: the local error and its weights
#
# $$\delta^{(2)} = \frac{\partial\mathcal{L}}{\partial \hat y} = \hat y - y, \qquad
# \frac{\partial\mathcal{L}}{\partial W^{(2)}} = \delta^{(2)}\,h^{\top}, \qquad
# \frac{\partial\mathcal{L}}{\partial b^{(2)}} = \delta^{(2)}.$$
#
# The ½ is there so that the square's 2 cancels. $\delta^{(2)} < 0$: the network *under*-estimates,
# so gradient descent will raise $\hat y$. Each output weight's gradient is the error times the
# activity of the unit it comes from: silent units get (almost) no blame.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
delta2 = y_hat3 - y3  # (1,)
dW2 = np.outer(delta2, h)  # (1, 4) = δ2 hᵀ
db2 = delta2
print(f"δ2 = {delta2[0]:.4f}\n∂L/∂W2 = {dW2.round(4)}\n∂L/∂b2 = {db2.round(4)}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Hidden layer: the error sent back
#
# The hidden units never see the target. Each receives the output error weighted by its connection
# $W^{(2)}$, scaled by the slope of its activation at $z^{(1)}$:
#
# $$\delta^{(1)} = \big(W^{(2)}\big)^{\top}\delta^{(2)} \odot f'\big(z^{(1)}\big), \qquad
# \frac{\partial\mathcal{L}}{\partial W^{(1)}} = \delta^{(1)}x^{\top}, \qquad
# \frac{\partial\mathcal{L}}{\partial b^{(1)}} = \delta^{(1)}.$$
#
# ($\odot$: element-wise product; for the sigmoid, $f'(z) = \sigma(z)(1-\sigma(z)) \le \frac{1}{4}$.)

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
delta1 = (W2.T @ delta2) * sigmoid_grad(z1)  # (4,)
dW1 = np.outer(delta1, x3)  # (4, 3) = δ1 xᵀ
db1 = delta1
print(f"δ1 = {delta1.round(4)}\n∂L/∂W1 =\n{dW1.round(4)}\n∂L/∂b1 = {db1.round(4)}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same numbers from `dlcourse.scratch` and from `torch.autograd`
#
# Our engine's `backward` receives $\partial\mathcal{L}/\partial\hat y$ and runs the same rules layer by
# layer. Its `MSELoss` follows PyTorch: $\frac{1}{N}\sum(\hat y - y)^2$ **without** the ½, so its
# $\partial\mathcal{L}/\partial\hat y = 2(\hat y - y)/N$ and every gradient is twice the deck's (same
# minimum; the learning rate absorbs the factor). Both conventions, asserted:

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
X3, Y3 = x3[None, :], y3[None, :]  # a batch of one sample: (1, 3) and (1, 1)
by_hand = [dW1, db1, dW2, db2]
net.zero_grad()
net.backward(net(X3) - Y3)  # the deck's ½·MSE: ∂L/∂ŷ = ŷ - y
assert all(np.allclose(g, h_, rtol=1e-12) for g, h_ in zip(net.gradients(), by_hand, strict=True))
mse_loss = MSELoss()
net.zero_grad()
mse_loss(net(X3), Y3)
net.backward(mse_loss.backward())  # torch's MSE: ∂L/∂ŷ = 2(ŷ - y)
assert all(
    np.allclose(g, 2 * h_, rtol=1e-12) for g, h_ in zip(net.gradients(), by_hand, strict=True)
)
print("dlcourse backward = hand calculation (½·MSE), and 2 × it with MSELoss (rtol 1e-12) ✓")

# %% [markdown] slideshow={"slide_type": "fragment"}
# PyTorch in float64 on the CPU (a comparison to 1e-12 must not be blurred by float32 rounding):

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
torch_net = to_torch(net)  # nn.Sequential(Linear, Sigmoid, Linear) with the same weights
out = torch_net(torch.tensor(X3))
for name, loss_t, factor in (
    ("0.5 * MSE", 0.5 * ((out - torch.tensor(Y3)) ** 2).mean(), 1.0),
    ("nn.MSELoss", torch.nn.MSELoss()(out, torch.tensor(Y3)), 2.0),
):
    torch_net.zero_grad()
    loss_t.backward(retain_graph=True)
    autograd = [p.grad.numpy() for p in torch_net.parameters()]
    assert all(
        np.allclose(a, factor * h_, rtol=1e-12) for a, h_ in zip(autograd, by_hand, strict=True)
    )
    print(f"autograd with {name:<10} = {factor:g} × the hand calculation (rtol 1e-12) ✓")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. The general rules, for a batch
#
# In code, samples are **rows**: $X$ is $N \times d$, a layer computes
# $Z^{(l)} = H^{(l-1)}W^{(l)\top} + b^{(l)}$ and $H^{(l)} = f(Z^{(l)})$, with $H^{(0)} = X$ (the deck's
# column vectors, transposed). With $\Delta^{(l)} = \partial\mathcal{L}/\partial Z^{(l)}$ ($N\times n_l$):
#
# | step | rule | in words |
# | --- | --- | --- |
# | output error | $\Delta^{(L)} = \partial L/\partial \hat Y \odot f'(Z^{(L)})$ | loss meets prediction |
# | weights $W^{(l)}$ | $\partial L/\partial W^{(l)} = \Delta^{(l)\top}H^{(l-1)}$ | error × input, summed |
# | bias $b^{(l)}$ | $\partial L/\partial b^{(l)} = \sum_i \Delta^{(l)}_{i,:}$ | error summed over samples |
# | error sent back | $\Delta^{(l-1)} = (\Delta^{(l)}W^{(l)}) \odot f'(Z^{(l-1)})$ | blame via the weights |
#
# ($L$ is the loss $\mathcal{L}$.) The batch average lives in $\partial\mathcal{L}/\partial\hat Y$:
# $\frac{2}{N}(\hat Y - Y)$ for PyTorch's MSE, $\frac{1}{N}(\hat Y - Y)$ for ½·MSE.

# %% [markdown] slideshow={"slide_type": "subslide"}
# The rules are exactly what each layer of `dlcourse.scratch` implements — here is its tested code:

# %% slideshow={"slide_type": "-"}
print(inspect.getsource(Dense.backward))
print(inspect.getsource(Sigmoid.backward))
print(inspect.getsource(Sequential.backward))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The table applied by hand to a batch of 8 simulated samples (three regulator genes → target), for
# the 3-4-1 network and PyTorch's MSE, then compared with our engine:

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
X_genes, y_target = simulate_expression_regression(n_samples=300, seed=0)
X8, Y8 = X_genes.iloc[:8, :3].to_numpy(), y_target.iloc[:8].to_numpy()[:, None]  # (8, 3), (8, 1)
Z1 = X8 @ W1.T + b1  # forward, batched: (8, 4)
H1 = sigmoid(Z1)
Y_hat = H1 @ W2.T + b2  # (8, 1), identity output: f' = 1
D2 = 2 * (Y_hat - Y8) / len(X8)  # output error for torch's MSE
D1 = (D2 @ W2) * sigmoid_grad(Z1)  # error sent back: (8, 4)
batched = [D1.T @ X8, D1.sum(axis=0), D2.T @ H1, D2.sum(axis=0)]  # dW1, db1, dW2, db2
net.zero_grad()
mse_loss(net(X8), Y8)
net.backward(mse_loss.backward())
assert all(np.allclose(g, m, rtol=1e-12) for g, m in zip(net.gradients(), batched, strict=True))
print(
    "∂L/∂W1 for the batch:\n", batched[0].round(4), "\nthe table = dlcourse backward (rtol 1e-12) ✓"
)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Gradient check by finite differences
#
# Any backward pass can be tested without calculus. Perturb one parameter $\theta_j$ by $\pm\varepsilon$:
#
# $$\frac{\partial\mathcal{L}}{\partial\theta_j} \approx
# \frac{\mathcal{L}(\theta + \varepsilon e_j) - \mathcal{L}(\theta - \varepsilon e_j)}{2\varepsilon}
# \quad\text{(central difference, error } O(\varepsilon^2)\text{)}.$$
#
# Too large an $\varepsilon$ gives truncation error; too small, rounding error
# ($\approx 10^{-16}/\varepsilon$ in float64). The forward difference
# $(\mathcal{L}(\theta+\varepsilon e_j)-\mathcal{L}(\theta))/\varepsilon$ is only $O(\varepsilon)$. On the
# neuron of section 2, against the exact $\partial\mathcal{L}/\partial w$:

# %% slideshow={"slide_type": "subslide"}
epsilons = np.logspace(-13, -1, 49)
central = [numerical_gradient(neuron_loss, np.array([w, b]), eps)[0] for eps in epsilons]
forward = [(neuron_loss([w + eps, b]) - neuron_loss([w, b])) / eps for eps in epsilons]
fig, ax = plt.subplots(figsize=(7, 3.8))
ax.loglog(epsilons, np.abs(np.array(central) - dL_dw) + 1e-20, label="central difference")
ax.loglog(epsilons, np.abs(np.array(forward) - dL_dw) + 1e-20, label="forward difference")
ax.set(
    xlabel=r"$\varepsilon$",
    ylabel=r"|error| in $\partial L/\partial w$",
    title="rounding (left) vs truncation (right)",
)
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# `gradient_check` runs the central difference for every parameter of a model and reports, per
# parameter array, the relative error $\max|g_{\text{bp}} - g_{\text{num}}| \,/\,
# \max(|g_{\text{bp}}|, |g_{\text{num}}|)$ (bp: backprop, num: numerical). On the 3-4-1 network
# and the batch of 8:

# %% slideshow={"slide_type": "-"}
report = gradient_check(net, MSELoss(), X8, Y8)
print(report)
assert report.max_error < 1e-7  # backprop = finite differences to a relative 1e-7

# %% [markdown] slideshow={"slide_type": "subslide"}
# And against `torch.autograd`, on a deeper network (20 genes → 16 → 8 → 1, tanh) and 32 samples:

# %% slideshow={"slide_type": "-"}
deep = MLP([20, 16, 8, 1], activation="tanh", rng=2)
X32, Y32 = X_genes.iloc[:32].to_numpy(), y_target.iloc[:32].to_numpy()[:, None]
deep.zero_grad()
mse_loss(deep(X32), Y32)
deep.backward(mse_loss.backward())
deep_torch = to_torch(deep)  # float64, CPU
torch.nn.MSELoss()(deep_torch(torch.tensor(X32)), torch.tensor(Y32)).backward()
pairs = list(zip(deep.gradients(), (p.grad.numpy() for p in deep_torch.parameters()), strict=True))
gap = max(np.abs(ours - theirs).max() for ours, theirs in pairs)
assert all(np.allclose(ours, theirs, rtol=1e-10, atol=1e-14) for ours, theirs in pairs)  # float64
print(f"max |ours - autograd| over {len(pairs)} parameter arrays: {gap:.1e} (asserted rtol 1e-10)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. The cost: finite differences vs one backward pass
#
# Finite differences need **two forward passes per parameter**: $2P$ passes for a network with $P$
# parameters. Backpropagation needs **one forward and one backward pass**, whatever $P$; a backward
# pass costs about as much as one or two forward passes (the same matrix products, transposed).
# Below, the forward passes are *counted* (deterministic), for MLPs $20 \to h \to h \to 1$ of growing
# width $h$ on a batch of 32 samples; the time is also measured, as an illustration.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
cost = []
for width in (2, 4, 8, 16, 32, 64):
    model = MLP([20, width, width, 1], activation="tanh", rng=0)
    forward_calls = [0]

    def loss_of_model(_, model=model, calls=forward_calls):
        calls[0] += 1  # count every forward pass
        return mse_loss(model(X32), Y32)

    start = time.perf_counter()
    for p in model.parameters():  # finite differences, every parameter
        numerical_gradient(loss_of_model, p)
    fd_seconds = time.perf_counter() - start
    start = time.perf_counter()
    model.zero_grad()
    mse_loss(model(X32), Y32)  # backprop: 1 forward ...
    model.backward(mse_loss.backward())  # ... + 1 backward
    bp_seconds = time.perf_counter() - start
    n = sum(p.size for p in model.parameters())
    assert forward_calls[0] == 2 * n  # two forward passes per parameter, counted
    cost.append(
        {
            "width": width,
            "P": n,
            "fd_passes": forward_calls[0],
            "fd_s": fd_seconds,
            "bp_s": bp_seconds,
        }
    )
    print(
        f"h = {width:>2}: P = {n:>5} parameters; finite differences {forward_calls[0]:>6} forward "
        f"passes; backprop 1 forward + 1 backward"
    )

# %% slideshow={"slide_type": "subslide"}
P = np.array([c["P"] for c in cost])
fig, (ax_count, ax_time) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
ax_count.loglog(P, [c["fd_passes"] for c in cost], "o-", label="finite differences: $2P$")
ax_count.loglog(P, np.full(len(P), 2), "o-", label="backprop: 1 forward + 1 backward")
ax_count.set(xlabel="parameters $P$", ylabel="passes per gradient", title="counted")
ax_time.loglog(P, [c["fd_s"] for c in cost], "o-", label="finite differences")
ax_time.loglog(P, [c["bp_s"] for c in cost], "o-", label="backprop")
ax_time.set(xlabel="parameters $P$", ylabel="seconds per gradient", title="measured (this machine)")
for ax in (ax_count, ax_time):
    ax.legend(fontsize=10)
plt.show()
print(
    f"largest network: finite differences took {cost[-1]['fd_s'] / cost[-1]['bp_s']:.0f}× "
    "longer than backprop on this run"
)

# %% [markdown] slideshow={"slide_type": "fragment"}
# The count grows linearly with $P$ for finite differences and stays constant for backprop, so
# their ratio grows without bound: for the omics network of section 1, the 1,057,538 forward passes
# printed there against two passes. This is why finite differences are used only to *test* a
# backward pass, on small models.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Training with our own backpropagation: a simulated genomics task
#
# Predict a target gene's expression from 10 genes in 1,000 simulated samples: three regulators act
# nonlinearly (saturation and an interaction), the other seven are unrelated, and the measurement
# noise has standard deviation 0.3. A 10-16-1 tanh MLP is trained by mini-batch Adam for 50 epochs;
# every gradient comes from our `backward`. The samples are split 80/20 into training and validation.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
X_task, y_task = simulate_expression_regression(n_samples=1000, n_genes=10, noise=0.3, seed=1)
X_train, X_val, y_train, y_val = train_test_split(
    X_task.to_numpy(), y_task.to_numpy()[:, None], test_size=0.2, random_state=0
)
print(f"training {X_train.shape}, validation {X_val.shape}")

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
model = MLP([10, 16, 1], activation="tanh", rng=0)
optimizer = Adam(model.parameters(), lr=0.01)
rng, history = np.random.default_rng(0), {"train_loss": [], "val_loss": []}
for _epoch in range(50):
    order = rng.permutation(len(X_train))
    for start in range(0, len(order), 32):
        batch = order[start : start + 32]
        model.zero_grad()
        mse_loss(model(X_train[batch]), y_train[batch])  # forward + loss
        model.backward(mse_loss.backward())  # our backpropagation
        optimizer.step(model.gradients())  # update
    history["train_loss"].append(mse_loss(model(X_train), y_train))
    history["val_loss"].append(mse_loss(model(X_val), y_val))
print(
    f"after 50 epochs: training MSE {history['train_loss'][-1]:.4f}, "
    f"validation MSE {history['val_loss'][-1]:.4f}"
)

# %% [markdown] slideshow={"slide_type": "fragment"}
# Two yardsticks: the best *linear* model (least squares on the training samples), and the noise
# variance $0.3^2$, which no model can beat on new samples:

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
design = np.column_stack([X_train, np.ones(len(X_train))])
coef = np.linalg.lstsq(design, y_train, rcond=None)[0]
linear_val = float(np.mean((np.column_stack([X_val, np.ones(len(X_val))]) @ coef - y_val) ** 2))
print(
    f"validation MSE: linear {linear_val:.4f}, MLP {history['val_loss'][-1]:.4f}; "
    f"noise floor {0.3**2:.4f}; variance of the target {np.var(y_val):.4f}"
)
assert history["val_loss"][-1] < linear_val  # the nonlinear network beats the linear baseline

# %% slideshow={"slide_type": "subslide"}
fig, (ax_curve, ax_fit) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
plot_training_curves(history, ax=ax_curve)
ax_curve.axhline(
    linear_val, color=COLORS["black"], linestyle=":", label="linear model (validation)"
)
ax_curve.set(yscale="log", ylabel="MSE")
ax_curve.legend()
ax_fit.scatter(y_val, model(X_val), s=18, color=COLORS["blue"], label="MLP")
ax_fit.axline((0, 0), slope=1, color="0.5", linestyle="--", linewidth=1, label="perfect")
ax_fit.set(xlabel="true expression (validation)", ylabel="predicted", title="validation samples")
ax_fit.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercises
#
# ### Exercise 1 — a central finite difference
#
# Write `central_difference(f, x, eps)` returning an array shaped like `x` whose entry $i$ is
# $\frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}$ (one entry at a time; `x` may be
# 2-D: `np.ndindex(x.shape)` visits every index). Do not modify the caller's `x` for good.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def central_difference(f, x, eps=1e-6):
    # YOUR CODE HERE
    return None


check_central_difference(central_difference)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def central_difference(f, x, eps=1e-6):
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        plus, minus = x.astype(float), x.astype(float)  # copies
        plus[index] += eps
        minus[index] -= eps
        grad[index] = (f(plus) - f(minus)) / (2 * eps)
    return grad


check_central_difference(central_difference)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 2 — the hidden layer's delta
#
# Write `hidden_delta(W2, delta2, z1)` for a sigmoid hidden layer, in the **batched** layout of
# section 4: `W2` is $(n_{\text{out}}, n_{\text{hidden}})$, `delta2` is $(N, n_{\text{out}})$, `z1` is
# $(N, n_{\text{hidden}})$; return $\Delta^{(1)}$ of shape $(N, n_{\text{hidden}})$. Test it on section 3's
# single sample (`W2`, `delta2[None, :]`, `z1[None, :]`): do you get `delta1`?


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def hidden_delta(W2, delta2, z1):
    # YOUR CODE HERE
    return None


check_hidden_delta(hidden_delta)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def hidden_delta(W2, delta2, z1):
    return (delta2 @ W2) * sigmoid_grad(z1)


check_hidden_delta(hidden_delta)
print(
    "section 3's δ1 recovered:",
    np.allclose(hidden_delta(W2, delta2[None, :], z1[None, :])[0], delta1),
)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 3 — a complete backward pass
#
# Write `backward_pass(X, y, W1, b1, W2, b2)` returning `(dW1, db1, dW2, db2)` for the network
# $\hat Y = \sigma(XW_1^\top + b_1)W_2^\top + b_2$ and the deck's ½·MSE averaged over the batch,
# $\mathcal{L} = \frac{1}{N}\sum_i \frac{1}{2}(\hat y_i - y_i)^2$, so
# $\partial\mathcal{L}/\partial\hat Y = (\hat Y - Y)/N$. Shapes as in torch: `X` $(N, 3)$, `y` $(N, 1)$,
# `W1` $(H, 3)$, `b1` $(H,)$, `W2` $(1, H)$, `b2` $(1,)$.
# Then verify it yourself with `gradient_check` or your `central_difference`.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def backward_pass(X, y, W1, b1, W2, b2):
    # YOUR CODE HERE
    return None


check_backward_pass(backward_pass)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def backward_pass(X, y, W1, b1, W2, b2):
    Z1 = X @ W1.T + b1  # forward, keeping what backward needs
    H1 = sigmoid(Z1)
    Y_hat = H1 @ W2.T + b2
    D2 = (Y_hat - y) / len(X)  # ½·MSE averaged over the batch
    D1 = (D2 @ W2) * sigmoid_grad(Z1)
    return D1.T @ X, D1.sum(axis=0), D2.T @ H1, D2.sum(axis=0)


check_backward_pass(backward_pass)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary / key ideas
#
# - Training needs $\partial\mathcal{L}/\partial\theta$ for every parameter at every step;
#   **backpropagation** gets them all exactly, in one forward and one backward pass.
# - It is the **chain rule** on the computational graph: store values going forward, multiply local
#   derivatives coming back; contributions of several paths add up.
# - Per layer: $\delta^{(L)} = \partial\mathcal{L}/\partial\hat y \odot f'(z^{(L)})$,
#   $\partial\mathcal{L}/\partial W^{(l)} = \delta^{(l)}h^{(l-1)\top}$,
#   $\delta^{(l-1)} = (W^{(l)\top}\delta^{(l)}) \odot f'(z^{(l-1)})$; for a batch the weight gradients sum
#   over samples and the mean's $1/N$ sits in $\partial\mathcal{L}/\partial\hat Y$.
# - ½·MSE (the deck) gives $\delta = \hat y - y$; PyTorch's `MSELoss` has no ½, so its gradients are
#   twice as large — same minimum.
# - **Finite differences** check a backward pass ($2P$ forward passes, $O(\varepsilon^2)$ error);
#   our gradients match them and `torch.autograd`, which runs the same algorithm for you.
# - The factor $f'(z)$ in every $\delta$ is where gradients can vanish or explode: notebook 05.
