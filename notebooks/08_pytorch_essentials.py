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
# # 08 — PyTorch essentials
#
# **Day 3 · Deep Learning Foundations (PyTorch) · afternoon, part 1**
#
# This morning we wrote every piece of a neural network in NumPy. This afternoon PyTorch does the
# bookkeeping — tensors, gradients, layers, batches, devices, files — so that we can spend our
# attention on the model and the data.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Learning objectives
#
# By the end of this notebook you can:
#
# 1. place PyTorch in the Python deep-learning ecosystem and name what each of its parts does;
# 2. create tensors and control their **dtype**, **shape** and **device**; predict the result of
#    **broadcasting**; move data between NumPy and PyTorch without surprises;
# 3. let **autograd** compute gradients, and check that they equal the ones we derived by hand in
#    notebook 04;
# 4. build models with `nn.Linear`, `nn.Sequential` and your own `nn.Module`, and count their
#    parameters;
# 5. use the loss and optimizer API, and feed data with `Dataset` / `DataLoader` reproducibly;
# 6. write the canonical training loop (train and eval modes, `torch.no_grad()`) and recognise it
#    inside `dlcourse.training.fit`;
# 7. run the same code on a CPU or a GPU, and save and reload a model safely.

# %% slideshow={"slide_type": "skip"}
import copy
import pickle
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, Dataset

from dlcourse.data import one_hot_dna, simulate_expression_regression, simulate_tumour_subtypes
from dlcourse.exercises import check_dna_dataset, check_fit_early_stopping, check_standardise_genes
from dlcourse.plots import COLORS, plot_network, plot_training_curves, set_style
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import (
    MLP,
    binary_cross_entropy_with_logits,
    cross_entropy,
    sigmoid,
    sigmoid_grad,
)
from dlcourse.torch_bridge import copy_weights_to_torch
from dlcourse.training import accuracy, fit, make_loader

seed_everything(0)
DEVICE = get_device()
set_style()
print(f"PyTorch {torch.__version__}; this notebook computes on: {DEVICE}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The Python deep-learning ecosystem
#
# | layer | libraries | role |
# | --- | --- | --- |
# | arrays, tables | NumPy, pandas | numbers in memory; labelled samples × genes |
# | classical ML | scikit-learn | splits, scaling, baselines, metrics |
# | deep learning | **PyTorch** (or TensorFlow/Keras, JAX) | tensors on CPU/GPU, autograd, layers |
# | figures, progress | matplotlib, seaborn, tqdm | plots, progress bars |
# | notebooks | JupyterLab | this document |
# | genomics on top | e.g. scvi-tools (built on PyTorch) | single-cell models from the same pieces |
#
# PyTorch itself is a handful of packages: `torch` (tensors and autograd), `torch.nn` (layers and
# losses), `torch.optim` (optimizers) and `torch.utils.data` (datasets and batching).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### One picture of the afternoon
#
# Every box below is one section of this notebook; notebook 09 then runs the whole chain on real
# data.

# %% slideshow={"slide_type": "-"}
steps = [
    ("data\nNumPy, pandas", "sky_blue"),
    ("Dataset +\nDataLoader", "sky_blue"),
    ("model\nnn.Module", "orange"),
    ("loss\nnn.…Loss", "vermillion"),
    ("gradients\nloss.backward()", "reddish_purple"),
    ("update\noptimizer.step()", "bluish_green"),
]
fig, ax = plt.subplots(figsize=(11, 2.4))
for i, (label, color) in enumerate(steps):
    ax.text(
        2.4 * i,
        0,
        label,
        ha="center",
        va="center",
        fontsize=10,
        bbox={"boxstyle": "round,pad=0.4", "facecolor": COLORS[color], "alpha": 0.35},
    )
    if i:
        ax.annotate(
            "",
            xy=(2.4 * i - 0.95, 0),
            xytext=(2.4 * i - 1.45, 0),
            arrowprops={"arrowstyle": "->", "lw": 1.5},
        )
ax.annotate(
    "",
    xy=(2.4, -0.45),
    xytext=(12, -0.45),
    arrowprops={"arrowstyle": "->", "lw": 1.2, "connectionstyle": "arc3,rad=-0.15"},
)
ax.text(7.2, -1.15, "next batch: repeat for every batch of every epoch", ha="center", fontsize=10)
ax.set(xlim=(-1.2, 13.2), ylim=(-1.4, 0.6))
ax.axis("off")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Tensors
#
# A **tensor** is PyTorch's array: like a NumPy `ndarray` it has a **shape** and a **dtype**; in
# addition it lives on a **device** (CPU or GPU) and can record the operations applied to it, so
# that gradients can be computed later. The usual ways to create one:

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
from_list = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # copies the data
zeros = torch.zeros(2, 3)
steps_of_half = torch.arange(0, 2, 0.5)  # like np.arange
generator = torch.Generator().manual_seed(0)  # a private, seeded stream
noise = torch.randn(2, 3, generator=generator)  # standard normal draws
for name, t in [
    ("from_list", from_list),
    ("zeros", zeros),
    ("arange", steps_of_half),
    ("randn", noise),
]:
    print(f"{name:9s} shape={tuple(t.shape)} dtype={t.dtype} device={t.device}")
print(noise.numpy().round(4))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### dtype: float32 for models, float64 for checks, int64 for class labels
#
# PyTorch's default floating type is **float32** (about 7 significant digits, enough for training,
# in half the memory), while NumPy's is **float64** (about 16 digits). Class labels for
# `nn.CrossEntropyLoss` are **int64**. When types mix, PyTorch promotes to the wider one.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
from_numpy = torch.from_numpy(np.array([0.1, 0.2]))  # keeps NumPy's float64
labels = torch.tensor([0, 2, 1])  # Python ints -> int64
print("torch default :", torch.ones(2).dtype)
print("from NumPy    :", from_numpy.dtype)
print("labels        :", labels.dtype)
print("float32 + float64 ->", (torch.ones(2) + from_numpy).dtype)
print("converted     :", from_numpy.float().dtype, labels.to(torch.float32).dtype)
print(
    f"float32 keeps 0.1 as {torch.tensor(0.1).item():.10f}; float64 as "
    f"{torch.tensor(0.1, dtype=torch.float64).item():.10f}"
)
print(
    "bytes per number: float32",
    torch.ones(1).element_size(),
    "| float64",
    from_numpy.element_size(),
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Shape: a simulated expression matrix
#
# Genomics data usually arrive as a matrix of **samples × genes**. We simulate RNA-seq counts
# (clearly *simulated*: 60 tumours of 3 subtypes, 30 genes, different sequencing depth per sample)
# and look at the tensor's shape and a few reshaping operations.

# %% slideshow={"slide_type": "skip"}
# Simulated RNA-seq counts: expression from dlcourse's subtype simulator, a gene-specific baseline
# (some genes are highly expressed), a sample-specific sequencing depth, Poisson sampling noise.
expression, subtype = simulate_tumour_subtypes(
    n_samples=60, n_genes=30, n_subtypes=3, n_markers=5, effect_size=2.0, seed=0
)
rng = np.random.default_rng(0)
gene_baseline = rng.uniform(1.0, 6.0, size=30)  # log mean count per gene
depth = rng.uniform(0.3, 3.0, size=(60, 1))  # relative library size per sample
counts_np = rng.poisson(depth * np.exp(gene_baseline + expression.to_numpy()))
order = np.argsort(subtype.to_numpy(), kind="stable")  # samples grouped by subtype, for plots

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
counts = torch.from_numpy(counts_np).to(torch.float64)  # (n_samples, n_genes)
print("counts:", tuple(counts.shape), counts.dtype)
print("one sample     counts[0]      ", tuple(counts[0].shape))
print("one gene       counts[:, 0]   ", tuple(counts[:, 0].shape))
print("as a column    counts[:, :1]  ", tuple(counts[:, :1].shape))
print("genes x samples counts.T      ", tuple(counts.T.shape))
print("add an axis    unsqueeze(0)   ", tuple(counts.unsqueeze(0).shape))
print("flatten        reshape(-1)    ", tuple(counts.reshape(-1).shape))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Broadcasting
#
# An operation between tensors of different shapes aligns their shapes **from the right**; two
# sizes are compatible when they are equal or one of them is 1 (a missing axis counts as 1), and
# the size-1 axis is repeated (without copying). Two normalisations of RNA-seq data use it:
#
# - library-size normalisation, counts per million:
#   $\mathrm{CPM}_{ij} = 10^6\, c_{ij} / \sum_k c_{ik}$, a $(n, p)$ matrix divided by an $(n, 1)$
#   column of library sizes;
# - per-gene standardisation of $x_{ij} = \log(1 + \mathrm{CPM}_{ij})$:
#   $z_{ij} = (x_{ij} - \bar x_j) / s_j$ with $s_j = \sqrt{\tfrac1n \sum_i (x_{ij} - \bar x_j)^2}$,
#   a $(n, p)$ matrix minus and divided by $(p,)$ rows of gene statistics.

# %% slideshow={"slide_type": "fragment"}
library_size = counts.sum(dim=1, keepdim=True)  # (60, 1)
cpm = counts / library_size * 1e6  # (60, 30) / (60, 1) -> (60, 30)
log_cpm = torch.log1p(cpm)
gene_mean = log_cpm.mean(dim=0)  # (30,)
gene_sd = log_cpm.std(dim=0, correction=0)  # population sd, as StandardScaler
z = (log_cpm - gene_mean) / gene_sd  # (60, 30) - (30,) -> (60, 30)
print(
    "shapes:", tuple(library_size.shape), tuple(cpm.shape), tuple(gene_mean.shape), tuple(z.shape)
)
reference = StandardScaler().fit_transform(log_cpm.numpy())
difference = np.abs(z.numpy() - reference).max()
assert np.allclose(cpm.sum(dim=1).numpy(), 1e6, rtol=1e-12)  # every sample sums to a million
assert np.allclose(z.numpy(), reference, rtol=1e-10, atol=1e-12)  # float64: agree to 1e-10
print(f"max |ours - StandardScaler| = {difference:.1e}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Raw counts are dominated by deep samples and highly expressed genes; after normalisation the
# blocks of subtype marker genes appear (samples sorted by subtype).

# %% slideshow={"slide_type": "-"}
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
for ax, values, title, limits in [
    (axes[0], torch.log1p(counts), "log(1 + raw counts)", None),
    (axes[1], z, "standardised log-CPM", (-3, 3)),
]:
    image = ax.imshow(values[order].numpy(), aspect="auto", cmap="viridis", clim=limits)
    ax.set(title=title, xlabel="gene", ylabel="sample (sorted by subtype)")
    ax.grid(False)
    fig.colorbar(image, ax=ax)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The broadcasting trap: $(n, 1)$ against $(n,)$
#
# A model with one output unit returns predictions of shape $(n, 1)$; targets are usually $(n,)$.
# By the rule above, $(n, 1) - (n,)$ is **$(n, n)$**: every prediction minus every target. No error
# is raised and a loss averaged over that matrix is simply wrong.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
y_hat = torch.tensor([[1.0], [2.0], [3.0], [4.0]])  # (4, 1): one output unit
y = torch.tensor([1.0, 2.0, 3.0, 4.0])  # (4,): the targets
wrong = ((y_hat - y) ** 2).mean()
right = ((y_hat.squeeze(1) - y) ** 2).mean()
print("y_hat - y has shape", tuple((y_hat - y).shape))
print(f"MSE over the (4, 4) matrix: {wrong.item():.4f}   MSE after squeeze(1): {right.item():.4f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# `nn.MSELoss` warns about this mismatch, but many hand-written losses do not. `dlcourse.training`
# drops the trailing axis of size 1 before calling the loss, for exactly this reason.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Device, and the bridge to NumPy
#
# `tensor.to(DEVICE)` returns a copy on that device (or the tensor itself if it is already there).
# `torch.from_numpy` and `tensor.numpy()` **share memory** with the NumPy array, so a change on one
# side shows on the other; `torch.tensor(array)` copies. `.numpy()` needs a CPU tensor that does
# not require gradients: the safe idiom is `tensor.detach().cpu().numpy()`.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
array = np.zeros(3)
shared = torch.from_numpy(array)  # same memory
copied = torch.tensor(array)  # own memory
array[0] = 7.0
print("shared:", shared.tolist(), " copied:", copied.tolist())
on_device = torch.ones(3).to(DEVICE)
back = (2 * on_device).detach().cpu().numpy()  # works on any device
print("back in NumPy:", back, type(back).__name__, back.dtype)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Autograd: gradients without deriving them
#
# A tensor created with `requires_grad=True` is a **leaf** whose gradient we want. Every operation
# on it is recorded in a graph; `loss.backward()` walks that graph from the loss back to the leaves,
# applying the chain rule (reverse-mode differentiation, i.e. backpropagation), and stores
# $\partial L / \partial w$ in `w.grad`. For $L(w) = (w \cdot x - y)^2$ the hand derivative is
# $\nabla_w L = 2\,(w \cdot x - y)\,x$:

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
x_small = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
w = torch.tensor([0.5, -0.2, 0.1], dtype=torch.float64, requires_grad=True)
loss = (w @ x_small - 2.0) ** 2
loss.backward()  # fills w.grad
by_hand = 2 * (w.detach() @ x_small - 2.0) * x_small
print("autograd:", w.grad.numpy(), " by hand:", by_hand.numpy())
assert torch.allclose(w.grad, by_hand, rtol=1e-12, atol=0)  # float64: agree to 1e-12

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Autograd knows every derivative of the morning
#
# For an elementwise function, the gradient of $\sum_i \sigma(z_i)$ with respect to $z_i$ is
# $\sigma'(z_i) = \sigma(z_i)\,(1 - \sigma(z_i))$. Autograd's result equals `sigmoid_grad` from our
# NumPy engine (`dlcourse.scratch`) on a grid of 200 points.

# %% slideshow={"slide_type": "fragment"}
z_grid = torch.linspace(-6, 6, 200, dtype=torch.float64, requires_grad=True)
torch.sigmoid(z_grid).sum().backward()
ours = sigmoid_grad(z_grid.detach().numpy())
assert np.allclose(z_grid.grad.numpy(), ours, rtol=1e-12, atol=1e-15)  # float64: agree to 1e-12
print(f"max |autograd - sigmoid_grad| = {np.abs(z_grid.grad.numpy() - ours).max():.1e}")
fig, ax = plt.subplots(figsize=(7, 3.2))
ax.plot(z_grid.detach(), sigmoid(z_grid.detach().numpy()), label=r"$\sigma(z)$")
ax.plot(z_grid.detach(), z_grid.grad, label=r"autograd: $\partial/\partial z$")
ax.plot(z_grid.detach()[::12], ours[::12], "o", color=COLORS["black"], label="sigmoid_grad")
ax.set(xlabel="$z$")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Back to notebook 04: the 3-4-1 network
#
# Notebook 04 derived the gradients of the deck's network by hand: $x \in \mathbb{R}^3$,
# $z^{(1)} = W^{(1)} x + b^{(1)}$, $h = \sigma(z^{(1)})$, $\hat y = W^{(2)} h + b^{(2)}$ and
# $L = \tfrac12 (y - \hat y)^2$, with
#
# $$\delta^{(2)} = \hat y - y,\quad \frac{\partial L}{\partial W^{(2)}} = \delta^{(2)} h^\top,\quad
# \delta^{(1)} = (W^{(2)})^\top \delta^{(2)} \odot \sigma'(z^{(1)}),\quad
# \frac{\partial L}{\partial W^{(1)}} = \delta^{(1)} x^\top,$$
#
# and $\partial L / \partial b^{(l)} = \delta^{(l)}$. We rebuild the same network (three genes
# predicting a fourth) with the same seed from `dlcourse.scratch`, evaluate those formulas, and then
# ask autograd.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
net_341 = MLP([3, 4, 1], activation="sigmoid", rng=1)  # notebook 04's network and seed
x_341 = np.array([0.5, -1.2, 2.0])  # three genes of one sample
y_341 = np.array([1.5])  # the target gene's expression
W1, b1, W2, b2 = net_341.parameters()
z1 = W1 @ x_341 + b1
h = sigmoid(z1)
y_hat_341 = W2 @ h + b2
delta2 = y_hat_341 - y_341
delta1 = (W2.T @ delta2) * sigmoid_grad(z1)
by_hand_341 = {"W1": np.outer(delta1, x_341), "b1": delta1, "W2": np.outer(delta2, h), "b2": delta2}
print(
    f"ŷ = {y_hat_341[0]:.4f}, y = {y_341[0]}, L = ½(y - ŷ)² = "
    f"{0.5 * (y_341[0] - y_hat_341[0]) ** 2:.4f}   (as in notebook 04)"
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Now the same computation written with tensors that require gradients, in float64 on the CPU (the
# scratch engine is float64 NumPy, so this is the precision in which the two must agree to ~1e-12).

# %% slideshow={"slide_type": "fragment"}
params_341 = {
    name: torch.tensor(value, requires_grad=True)
    for name, value in zip(["W1", "b1", "W2", "b2"], net_341.parameters(), strict=True)
}
x_t, y_t = torch.from_numpy(x_341), torch.from_numpy(y_341)
h_t = torch.sigmoid(params_341["W1"] @ x_t + params_341["b1"])
y_hat_t = params_341["W2"] @ h_t + params_341["b2"]
loss_341 = 0.5 * ((y_t - y_hat_t) ** 2).sum()
loss_341.backward()
for name, parameter in params_341.items():
    gap = np.abs(parameter.grad.numpy() - by_hand_341[name]).max()
    assert np.allclose(parameter.grad.numpy(), by_hand_341[name], rtol=1e-12, atol=1e-14)
    print(f"dL/d{name}: shape {tuple(parameter.grad.shape)}, max |autograd - by hand| = {gap:.1e}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Three autograd habits
#
# - Gradients **accumulate**: a second `backward()` adds to `.grad`. Zero them before each step.
# - `torch.no_grad()` switches recording off: for evaluation and for manual parameter updates.
# - `tensor.detach()` gives the same values cut from the graph (e.g. before `.numpy()`).

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
w = torch.tensor([1.0, -1.0], requires_grad=True)
for call in range(1, 3):
    (w**2).sum().backward()  # d/dw = 2 w = [2, -2]
    print(f"after backward call {call}: w.grad = {w.grad.tolist()}")
w.grad = None  # what optimizer.zero_grad() does
with torch.no_grad():
    doubled = 2 * w
print(
    "inside no_grad: requires_grad =",
    doubled.requires_grad,
    "| detach():",
    w.detach().requires_grad,
)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Models: `nn.Linear`, `nn.Sequential`, your own `nn.Module`
#
# `nn.Linear(n_in, n_out)` holds a weight $W \in \mathbb{R}^{n_\text{out} \times n_\text{in}}$ and a
# bias $b \in \mathbb{R}^{n_\text{out}}$ and maps a batch $X \in \mathbb{R}^{N \times n_\text{in}}$
# (one sample per row) to $X W^\top + b$. Its default initialisation draws
# $W_{ij}, b_i \sim \mathcal{U}(-1/\sqrt{n_\text{in}},\, 1/\sqrt{n_\text{in}})$.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
torch.manual_seed(0)
linear = nn.Linear(3, 4)
X_batch = torch.randn(5, 3)  # 5 samples, 3 features
by_formula = X_batch @ linear.weight.T + linear.bias
assert torch.allclose(linear(X_batch), by_formula, rtol=1e-6, atol=1e-6)  # float32: to 1e-6
bound = 1 / np.sqrt(3)
assert linear.weight.abs().max() <= bound and linear.bias.abs().max() <= bound
print(
    "weight",
    tuple(linear.weight.shape),
    "bias",
    tuple(linear.bias.shape),
    "output",
    tuple(linear(X_batch).shape),
)
print(f"all weights within ±1/sqrt(3) = ±{bound:.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `nn.Sequential`: the 3-4-1 network again
#
# `nn.Sequential` chains modules. We copy the scratch network's weights into it with
# `dlcourse.torch_bridge.copy_weights_to_torch` (float64) and backpropagate a batch version of the
# same loss, $L = \tfrac12 \sum (y - \hat y)^2$: the gradients land in each layer's `.grad`, and
# equal the hand-derived ones.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
model_341 = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1)).double()
copy_weights_to_torch(net_341, model_341)
y_hat_seq = model_341(torch.from_numpy(x_341[None, :]))  # a batch of one: (1, 3) -> (1, 1)
(0.5 * ((y_hat_seq.squeeze(1) - y_t) ** 2).sum()).backward()
torch_grads = [
    model_341[0].weight.grad,
    model_341[0].bias.grad,
    model_341[2].weight.grad,
    model_341[2].bias.grad,
]
for name, grad in zip(["W1", "b1", "W2", "b2"], torch_grads, strict=True):
    assert np.allclose(grad.numpy(), by_hand_341[name], rtol=1e-12, atol=1e-14)
print("nn.Sequential's gradients equal the hand-derived ones (float64, rtol 1e-12)")
print("∂L/∂W2 =", model_341[2].weight.grad.numpy().round(4), "  (notebook 04 printed the same)")
print(model_341)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Your own `nn.Module`
#
# Subclass `nn.Module`, create the layers in `__init__` (assigning them as attributes registers
# their parameters) and say how data flows in `forward`. The classifier below maps an expression
# profile to **logits** of tumour subtypes, with batch normalisation and dropout in the hidden
# layer; the loss will apply the softmax.


# %% slideshow={"slide_type": "fragment"}
class SubtypeClassifier(nn.Module):
    """Expression profiles (batch, n_genes) -> subtype logits (batch, n_subtypes)."""

    def __init__(self, n_genes: int, n_hidden: int, n_subtypes: int, p_dropout: float = 0.2):
        super().__init__()
        self.hidden = nn.Linear(n_genes, n_hidden)
        self.norm = nn.BatchNorm1d(n_hidden)
        self.dropout = nn.Dropout(p_dropout)
        self.output = nn.Linear(n_hidden, n_subtypes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.norm(self.hidden(x)))
        return self.output(self.dropout(h))  # logits: no softmax here


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Counting parameters
#
# A linear layer from $n_{l-1}$ to $n_l$ units has $n_{l-1} n_l$ weights and $n_l$ biases; batch
# normalisation adds a scale $\gamma$ and a shift $\beta$ per unit. Its running mean and variance
# are **buffers**: saved with the model, but not trained.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
classifier = SubtypeClassifier(n_genes=50, n_hidden=32, n_subtypes=4)
for name, parameter in classifier.named_parameters():
    print(f"{name:14s} {tuple(parameter.shape)!s:9s} {parameter.numel():5d}")
n_parameters = sum(p.numel() for p in classifier.parameters())
assert n_parameters == (50 * 32 + 32) + 2 * 32 + (32 * 4 + 4)
print("total trainable parameters:", n_parameters)
print("buffers:", [name for name, _ in classifier.named_buffers()])

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Where the parameters of a genomics model sit
#
# With every gene as an input, the first layer holds almost all parameters: for 20,000 genes and
# 256 hidden units, $20{,}000 \times 256 + 256$ of them. That is far more than the few hundred
# samples of a typical cohort (the $p \gg n$ setting of notebook 07), which is why regularisation
# matters so much in omics.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
sizes_genomic = [20_000, 256, 64, 4]
genomic_mlp = nn.Sequential(
    nn.Linear(20_000, 256), nn.ReLU(), nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, 4)
)
per_layer = [
    sum(p.numel() for p in layer.parameters())
    for layer in genomic_mlp
    if isinstance(layer, nn.Linear)
]
print("parameters per linear layer:", per_layer, "| total:", sum(per_layer))
print(f"share of the first layer: {per_layer[0] / sum(per_layer):.4f}")

# %% slideshow={"slide_type": "-"}
fig, axes = plt.subplots(
    1, 2, figsize=(10, 3.6), layout="constrained", gridspec_kw={"width_ratios": [1.2, 1]}
)
plot_network(
    sizes_genomic, ax=axes[0], max_units=8, labels=["20,000\ngenes", "256", "64", "4\nsubtypes"]
)
axes[1].bar(["20,000 → 256", "256 → 64", "64 → 4"], per_layer, color=COLORS["orange"])
axes[1].set(yscale="log", ylabel="parameters (log scale)", title="parameters per layer")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Losses and optimizers
#
# | task | model output | loss | target |
# | --- | --- | --- | --- |
# | regression | $(N,)$ or $(N, 1)$ values | `nn.MSELoss` | float, same shape |
# | binary classification | one **logit** per sample | `nn.BCEWithLogitsLoss` | float 0/1 |
# | $K$ classes | $K$ **logits** per sample | `nn.CrossEntropyLoss` | int64 class index |
#
# with $\mathrm{MSE} = \frac1N \sum_i (\hat y_i - y_i)^2$ and
# $\mathrm{CE} = -\frac1N \sum_i \log \operatorname{softmax}(z_i)_{y_i}$ for logits
# $z_i \in \mathbb{R}^K$.
#
# The classification losses take logits and apply the sigmoid / softmax inside, in a numerically
# stable form (notebook 06). Note that `nn.MSELoss` has no $\tfrac12$: its gradient is twice the
# deck's. The PyTorch losses equal our scratch ones:

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
rng_loss = np.random.default_rng(0)
logits_k, labels_k = rng_loss.normal(size=(6, 4)), rng_loss.integers(0, 4, size=6)
logits_b, labels_b = rng_loss.normal(size=6), rng_loss.integers(0, 2, size=6).astype(float)
ce_torch = nn.CrossEntropyLoss()(torch.from_numpy(logits_k), torch.from_numpy(labels_k)).item()
bce_torch = nn.BCEWithLogitsLoss()(torch.from_numpy(logits_b), torch.from_numpy(labels_b)).item()
ce_ours = cross_entropy(logits_k, labels_k)
bce_ours = binary_cross_entropy_with_logits(logits_b, labels_b)
assert np.isclose(ce_torch, ce_ours, rtol=1e-12) and np.isclose(bce_torch, bce_ours, rtol=1e-12)
print(f"cross-entropy: torch {ce_torch:.6f}, scratch {ce_ours:.6f}")
print(f"BCE with logits: torch {bce_torch:.6f}, scratch {bce_ours:.6f}  (float64, rtol 1e-12)")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### An optimizer updates the parameters it was given
#
# `torch.optim.SGD(model.parameters(), lr=η)` keeps references to the parameters; `step()` applies
# $\theta \leftarrow \theta - \eta\, \nabla_\theta L$ using the `.grad` fields that `backward()`
# filled, and `zero_grad()` clears them. One step on the 3-4-1 network, checked against the formula:

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
optimizer = torch.optim.SGD(model_341.parameters(), lr=0.1)
before = [p.detach().clone() for p in model_341.parameters()]
grads = [p.grad.clone() for p in model_341.parameters()]  # from the backward pass above
optimizer.step()
for old, grad, new in zip(before, grads, model_341.parameters(), strict=True):
    assert torch.allclose(new, old - 0.1 * grad, rtol=1e-15, atol=1e-15)  # float64: exact
optimizer.zero_grad()
print(
    "every parameter moved by -0.1 * grad; after zero_grad every .grad is None:",
    all(p.grad is None for p in model_341.parameters()),
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Choosing an optimizer is one line
#
# The same 3-4-1 network (fresh weights each time) fitted to a simulated regression task — predict
# one gene's expression from three others — with three optimizers, full batch, $\tfrac12$ of the
# plain MSE as in the deck:

# %% slideshow={"slide_type": "fragment"}
torch.set_num_threads(1)  # tiny models: on the CPU, one thread avoids sync overhead
genes_X, target_gene = simulate_expression_regression(n_samples=200, n_genes=3, seed=0)
X_reg = torch.tensor(genes_X.to_numpy(), dtype=torch.float32, device=DEVICE)
y_reg = torch.tensor(target_gene.to_numpy(), dtype=torch.float32, device=DEVICE)
curves = {}
for name, make_optimizer in {
    "SGD, η = 0.1": lambda p: torch.optim.SGD(p, lr=0.1),
    "SGD + momentum 0.9": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
    "Adam, η = 0.05": lambda p: torch.optim.Adam(p, lr=0.05),
}.items():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1)).to(DEVICE)
    opt = make_optimizer(net.parameters())
    curves[name] = []
    for _ in range(100):
        opt.zero_grad()
        loss = 0.5 * nn.functional.mse_loss(net(X_reg).squeeze(1), y_reg)
        loss.backward()
        opt.step()
        curves[name].append(loss.item())

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(7, 3.4))
for name, values in curves.items():
    ax.plot(np.arange(1, 101), values, label=name)
ax.set(xlabel="step", ylabel=r"$\frac{1}{2}$ MSE (training)", yscale="log")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. `Dataset` and `DataLoader`
#
# A `Dataset` answers two questions: how many samples (`__len__`) and what is sample $i$
# (`__getitem__`). A `DataLoader` draws samples in batches, reshuffling every epoch when
# `shuffle=True`. Give it its own seeded `torch.Generator` and the batch order is reproducible.


# %% slideshow={"slide_type": "fragment"}
class ExpressionDataset(Dataset):
    """Expression profiles X (n_samples, n_genes) with integer subtype labels y (n_samples,)."""

    def __init__(self, X: np.ndarray, y: np.ndarray):
        self.X = torch.as_tensor(X, dtype=torch.float32)
        self.y = torch.as_tensor(y, dtype=torch.int64)

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.X[i], self.y[i]


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The subtype data, split and scaled
#
# A simulated cohort of 600 tumours, 50 genes, 4 subtypes (each with 5 over-expressed marker genes).
# Stratified split into training and validation; the scaler is fitted on the training samples only.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
X_sub, y_sub = simulate_tumour_subtypes(
    n_samples=600, n_genes=50, n_subtypes=4, n_markers=5, seed=0
)
X_train, X_val, y_train, y_val = train_test_split(
    X_sub.to_numpy(), y_sub.to_numpy(), test_size=0.25, stratify=y_sub, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)
train_set = ExpressionDataset(X_train, y_train)
print("training samples:", len(train_set), "| validation samples:", len(X_val))
print("subtype counts in training:", np.bincount(y_train).tolist())
x0, y0 = train_set[0]
print("one sample:", tuple(x0.shape), x0.dtype, "label", y0.item(), y0.dtype)


# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
def subtype_loader(seed: int) -> DataLoader:
    return DataLoader(
        train_set, batch_size=90, shuffle=True, generator=torch.Generator().manual_seed(seed)
    )


X_first, y_first = next(iter(subtype_loader(seed=0)))
print(
    "a batch:",
    tuple(X_first.shape),
    tuple(y_first.shape),
    "| batches per epoch:",
    len(subtype_loader(seed=0)),
)
same = all(
    torch.equal(a[1], b[1]) for a, b in zip(subtype_loader(0), subtype_loader(0), strict=True)
)
other = all(
    torch.equal(a[1], b[1]) for a, b in zip(subtype_loader(0), subtype_loader(1), strict=True)
)
assert same and not other
reference_loader = make_loader(X_train, y_train, batch_size=90, shuffle=True, seed=0)
assert all(
    torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    for a, b in zip(subtype_loader(0), reference_loader, strict=True)
)
print("same seed -> same batches; another seed -> other batches; make_loader(seed=0) is identical")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Which samples go into which batch, for 12 samples in batches of 4: every epoch is a new
# permutation, and the seed fixes the whole sequence of permutations.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
index_loader = DataLoader(
    torch.arange(12), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0)
)
epochs_order = [torch.cat(list(index_loader)).tolist() for _ in range(3)]
for epoch, order_e in enumerate(epochs_order, start=1):
    print(f"epoch {epoch}: batches {order_e[0:4]} {order_e[4:8]} {order_e[8:12]}")

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(8, 2.4))
ax.imshow(np.array(epochs_order), cmap="viridis", aspect="auto")
for e, order_e in enumerate(epochs_order):
    for position, sample in enumerate(order_e):
        ax.text(position, e, sample, ha="center", va="center", color="white", fontsize=10)
for boundary in (3.5, 7.5):
    ax.axvline(boundary, color="white", linewidth=3)
ax.set(
    xticks=[1.5, 5.5, 9.5],
    xticklabels=["batch 1", "batch 2", "batch 3"],
    yticks=range(3),
    yticklabels=[f"epoch {e}" for e in (1, 2, 3)],
)
ax.grid(False)
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. The training loop, written out once
#
# Every epoch has two phases:
#
# 1. **train**: `model.train()` (dropout active, batch norm uses batch statistics); for every batch:
#    `zero_grad()` → forward → loss → `backward()` → `step()`;
# 2. **evaluate**: `model.eval()` (dropout off, batch norm uses running statistics) inside
#    `torch.no_grad()` (no graph, less memory), on data the optimizer never sees.
#
# The epoch's training loss is the batch-size-weighted mean
# $\bar L = \sum_b N_b L_b / \sum_b N_b$, so a smaller last batch counts for what it holds.


# %% slideshow={"slide_type": "subslide"}
def train_by_hand(model, train_loader, val_loader, loss_fn, optimizer, epochs, device):
    history = {"train_loss": [], "val_loss": [], "accuracy": []}
    for _ in range(epochs):
        model.train()
        total, count = 0.0, 0
        for X, y in train_loader:
            X, y = X.to(device), y.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            optimizer.step()
            total, count = total + loss.item() * len(X), count + len(X)
        history["train_loss"].append(total / count)
        model.eval()
        with torch.no_grad():
            X, y = next(iter(val_loader))  # the whole validation set
            output = model(X.to(device))
            history["val_loss"].append(loss_fn(output, y.to(device)).item())
            history["accuracy"].append(accuracy(y, output.cpu()))
    return history


# %% [markdown] slideshow={"slide_type": "subslide"}
# We train the subtype classifier for 20 epochs with Adam on `DEVICE`, then train a copy with
# identical starting weights and random seed through `dlcourse.training.fit`, which is this loop
# plus early stopping, metrics and a progress bar.

# %% slideshow={"slide_type": "fragment"}
val_loader = make_loader(X_val, y_val, batch_size=len(X_val))
seed_everything(1)
model = SubtypeClassifier(n_genes=50, n_hidden=32, n_subtypes=4).to(DEVICE)
initial_state = copy.deepcopy(model.state_dict())
history_hand = train_by_hand(
    model,
    subtype_loader(seed=0),
    val_loader,
    nn.CrossEntropyLoss(),
    torch.optim.Adam(model.parameters(), lr=1e-2),
    epochs=20,
    device=DEVICE,
)
print(
    f"after 20 epochs: validation loss {history_hand['val_loss'][-1]:.3f}, "
    f"accuracy {history_hand['accuracy'][-1]:.3f} (trained on {DEVICE})"
)

# %% slideshow={"slide_type": "subslide"}
seed_everything(1)  # same dropout masks as above
model_fit = SubtypeClassifier(n_genes=50, n_hidden=32, n_subtypes=4).to(DEVICE)
model_fit.load_state_dict(initial_state)
history_fit = fit(
    model_fit,
    make_loader(X_train, y_train, batch_size=90, shuffle=True, seed=0),
    val_loader,
    nn.CrossEntropyLoss(),
    torch.optim.Adam(model_fit.parameters(), lr=1e-2),
    epochs=20,
    device=DEVICE,
    metrics={"accuracy": accuracy},
    progress=False,
)
for key in ("train_loss", "val_loss"):
    assert np.allclose(history_hand[key], getattr(history_fit, key), rtol=1e-5, atol=1e-7)
assert np.allclose(history_hand["accuracy"], history_fit.metrics["accuracy"], atol=1e-7)
gap = np.abs(np.array(history_hand["val_loss"]) - history_fit.val_loss).max()
print(f"hand loop and fit agree epoch by epoch (rtol 1e-5); max val-loss gap {gap:.1e}")

# %% slideshow={"slide_type": "-"}
ax = plot_training_curves(history_fit)
ax.set_title("subtype classifier (simulated expression)")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# The two runs compute the same operations in the same order from the same starting point, so on
# a CPU they agree exactly; the tolerance leaves room for GPU kernels. `fit` also restores the best
# epoch's weights when given `early_stopping=EarlyStopping(...)`; notebook 09 uses that.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. CPU and GPU
#
# The rules that make one notebook run anywhere:
#
# - choose the device once: `DEVICE = get_device()` (CUDA GPU, else Apple `mps`, else CPU; the
#   environment variable `DLCOURSE_DEVICE` overrides it);
# - create the model there, `model.to(DEVICE)` (modules move **in place**; tensors return a copy);
# - move each batch inside the loop, `X.to(DEVICE)`; all operands of an operation must be on the
#   same device;
# - bring results back with `.cpu()` before NumPy, pandas or matplotlib.

# %% slideshow={"slide_type": "fragment"}
print("CUDA available:", torch.cuda.is_available(), "| DEVICE:", DEVICE)
print("model parameters live on:", next(model_fit.parameters()).device)
with torch.no_grad():
    logits_val = model_fit.eval()(torch.as_tensor(X_val, dtype=torch.float32, device=DEVICE))
print("logits on", logits_val.device, "-> NumPy:", logits_val.cpu().numpy().shape)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### When does a GPU pay off?
#
# A product of two $n \times n$ matrices costs $2n^3$ floating-point operations. A GPU runs
# thousands of them in parallel but pays a fixed cost to launch each operation, so it wins for large
# operations and not for the tiny networks of today. The timings below are an illustration (they
# depend on the machine; the CPU uses one thread since section 5); the operation counts are exact.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
matrix_sizes = [64, 128, 256, 512, 1024]
print("operations per product:", {n: 2 * n**3 for n in matrix_sizes})


# %% slideshow={"slide_type": "-"}
def seconds_per_product(n: int, device: torch.device, repeats: int = 5) -> float:
    A = torch.randn(n, n, device=device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        A @ A
        if device.type == "cuda":
            torch.cuda.synchronize()  # GPU work is asynchronous
        elif device.type == "mps":
            torch.mps.synchronize()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


devices = [torch.device("cpu")] + ([DEVICE] if DEVICE.type != "cpu" else [])
fig, ax = plt.subplots(figsize=(6.5, 3.4))
for device in devices:
    rates = [2 * n**3 / seconds_per_product(n, device) / 1e9 for n in matrix_sizes]
    ax.plot(matrix_sizes, rates, "o-", label=str(device))
ax.set(xscale="log", yscale="log", xlabel="matrix size $n$", ylabel="GFLOP/s (measured)")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. Saving and loading a model safely
#
# A model's **`state_dict`** is an ordered dictionary from names to tensors: every parameter and
# buffer. Save that, not the model object; to reload, build the same architecture and load the
# dictionary into it. We write to a temporary folder, deleted afterwards.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
state = model_fit.state_dict()
for name, tensor in state.items():
    print(f"{name:25s} {tuple(tensor.shape)!s:9s} {tensor.dtype}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# `torch.load` unpickles the file, and unpickling can run arbitrary code hidden in it. With
# **`weights_only=True`** it accepts only tensors and plain containers (dicts, lists, numbers,
# strings), so a file from elsewhere cannot execute anything. It is the default since PyTorch 2.6;
# writing it states the intent and protects older versions too. `map_location` says where to put
# the tensors, so a file saved on a GPU loads on a laptop.

# %% slideshow={"slide_type": "fragment"}
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "subtype_classifier.pt"
    torch.save(model_fit.state_dict(), path)
    loaded_state = torch.load(path, map_location="cpu", weights_only=True)
reloaded = SubtypeClassifier(n_genes=50, n_hidden=32, n_subtypes=4)
reloaded.load_state_dict(loaded_state)
reloaded.to(DEVICE).eval()
X_val_device = torch.as_tensor(X_val, dtype=torch.float32, device=DEVICE)
with torch.no_grad():
    original_logits, reloaded_logits = model_fit.eval()(X_val_device), reloaded(X_val_device)
assert torch.equal(original_logits, reloaded_logits)  # bit-for-bit the same model
print("reloaded model gives identical logits on", len(X_val), "validation samples")

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(4.5, 4))
ax.plot(original_logits.cpu().flatten(), reloaded_logits.cpu().flatten(), ".", alpha=0.5)
ax.set(xlabel="logit, trained model", ylabel="logit, reloaded model", title="saved → loaded")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# What `weights_only=True` refuses: any other Python object, here a fitted scikit-learn scaler.
# Store what you need as tensors instead (the scaler's means and standard deviations), together
# with the optimizer's state and the epoch if you want to resume training later.

# %% slideshow={"slide_type": "fragment"}
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "unsafe.pt"
    torch.save({"scaler": scaler}, path)
    try:
        torch.load(path, weights_only=True)
    except pickle.UnpicklingError as error:
        reason = next(line for line in str(error).splitlines() if "Unsupported global" in line)
        print("refused:", reason.strip().split(" by default")[0])
    checkpoint = {
        "model": model_fit.state_dict(),
        "scaler_mean": torch.from_numpy(scaler.mean_),
        "scaler_scale": torch.from_numpy(scaler.scale_),
        "epoch": len(history_fit.train_loss),
    }
    torch.save(checkpoint, Path(folder) / "checkpoint.pt")
    restored = torch.load(Path(folder) / "checkpoint.pt", map_location="cpu", weights_only=True)
assert np.array_equal(restored["scaler_mean"].numpy(), scaler.mean_)
print("checkpoint keys:", list(restored))

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercises
#
# ### Exercise 1 — standardise genes with broadcasting (warm-up)
#
# Write `standardise_genes(X)` for a float tensor `X` of shape `(n_samples, n_genes)`: return a
# tensor of the same shape in which every gene (column) has mean 0 and population standard
# deviation 1, $z_{ij} = (x_{ij} - \bar x_j)/s_j$. Use broadcasting, no Python loop; do not
# modify `X` in place.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def standardise_genes(X):
    # YOUR CODE HERE
    return None


check_standardise_genes(standardise_genes)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def standardise_genes(X):
    return (X - X.mean(dim=0)) / X.std(dim=0, correction=0)


check_standardise_genes(standardise_genes)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 2 — a `Dataset` of DNA sequences
#
# Sequence models read DNA **one-hot encoded**: a sequence of length $L$ becomes an $L \times 4$
# matrix with one column per base (A, C, G, T). Write a class `DNADataset(sequences, labels)`
# (a list of $n$ equal-length strings and an int array of 0/1 labels, e.g. "carries the motif")
# such that `len(dataset) == n` and `dataset[i]` is a pair: the float32 tensor $(L, 4)$ of
# sequence $i$ and its label as a float32 scalar tensor (what `BCEWithLogitsLoss` expects).
# `dlcourse.data.one_hot_dna` does the encoding.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
class DNADataset(Dataset):
    def __init__(self, sequences, labels):
        # YOUR CODE HERE
        pass

    def __len__(self):
        # YOUR CODE HERE
        return None

    def __getitem__(self, i):
        # YOUR CODE HERE
        return None


check_dna_dataset(DNADataset)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
class DNADataset(Dataset):
    def __init__(self, sequences, labels):
        self.X = torch.as_tensor(one_hot_dna(sequences), dtype=torch.float32)
        self.y = torch.as_tensor(labels, dtype=torch.float32)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


check_dna_dataset(DNADataset)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 3 — early stopping by hand (harder)
#
# Extend the loop of section 7 into
# `fit_early_stopping(model, train_loader, val_loader, loss_fn, optimizer, max_epochs, patience, device)`:
#
# - each epoch: one training pass (as in `train_by_hand`), then the validation loss in eval mode
#   under `torch.no_grad()` (batch-size-weighted mean over `val_loader`);
# - an epoch **improves** when its validation loss is strictly below the best so far; remember a
#   copy of the weights of the best epoch;
# - stop after `patience` epochs in a row without improvement (or after `max_epochs`);
# - load the best weights back into `model` and return the best epoch's **0-based** index.
#
# Hint: `model.state_dict()` returns references to the live tensors.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def fit_early_stopping(
    model, train_loader, val_loader, loss_fn, optimizer, max_epochs, patience, device
):
    # YOUR CODE HERE
    return None


check_fit_early_stopping(fit_early_stopping)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def fit_early_stopping(
    model, train_loader, val_loader, loss_fn, optimizer, max_epochs, patience, device
):
    best_loss, best_epoch, best_state, waited = float("inf"), None, None, 0
    for epoch in range(max_epochs):
        model.train()
        for X, y in train_loader:
            X, y = X.to(device), y.to(device)
            optimizer.zero_grad()
            loss_fn(model(X), y).backward()
            optimizer.step()
        model.eval()
        total, count = 0.0, 0
        with torch.no_grad():
            for X, y in val_loader:
                total += loss_fn(model(X.to(device)), y.to(device)).item() * len(X)
                count += len(X)
        if total / count < best_loss:
            best_loss, best_epoch, waited = total / count, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            waited += 1
            if waited >= patience:
                break
    model.load_state_dict(best_state)
    return best_epoch


check_fit_early_stopping(fit_early_stopping)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary / key ideas
#
# - **Tensors** are arrays with a dtype (float32 for models, float64 for checks, int64 for class
#   labels), a shape and a device. Broadcasting aligns shapes from the right; beware
#   $(n, 1)$ against $(n,)$, which silently becomes $(n, n)$.
# - **Autograd** records operations and `backward()` applies the chain rule for us: its gradients
#   equal notebook 04's hand derivation of the 3-4-1 network to float64 precision. Gradients
#   accumulate, so zero them every step.
# - **Models** are `nn.Module`s: `nn.Linear` computes $XW^\top + b$, `nn.Sequential` chains layers,
#   a subclass with `__init__` + `forward` does anything else. The first layer of a gene-level
#   model holds most of its parameters.
# - **Loss + optimizer**: losses take logits; `zero_grad()` → `backward()` → `step()`.
# - **Data**: a `Dataset` indexes samples, a `DataLoader` batches and shuffles them; a seeded
#   generator makes the order reproducible.
# - **The loop**: `model.train()` for updates, `model.eval()` + `torch.no_grad()` for evaluation;
#   `dlcourse.training.fit` is exactly this loop.
# - **Devices**: pick once, move the model once and each batch in the loop, `.cpu()` before NumPy.
# - **Saving**: save the `state_dict`; load with `weights_only=True` and `map_location`.
#
# Next: notebook 09 applies all of it to the Breast Cancer Wisconsin data.
