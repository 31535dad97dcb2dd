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
# **Previously:** this morning we wrote every piece of a network in NumPy: forward pass,
# backpropagation, optimizers, regularizers. This afternoon PyTorch does that bookkeeping.
#
# You will be able to
# 1. create [tensors](GLOSSARY.md#tensor) and control their dtype, shape and device;
# 2. let [autograd](GLOSSARY.md#autograd) compute gradients;
# 3. build models with `nn.Module`, and train them with a loss, an optimizer and a `DataLoader`;
# 4. write the training loop with train / eval modes, on CPU or GPU, and save a model safely.

# %% [markdown] slideshow={"slide_type": "skip"}
# [Open in Colab](https://colab.research.google.com/github/unipv-genomic-data-science/day3-deep-learning-foundations/blob/main/notebooks/08_pytorch_essentials.ipynb)

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
from dlcourse.plots import plot_training_curves, set_style
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
torch.set_num_threads(1)  # tiny models: on the CPU one thread avoids synchronisation overhead
print(f"PyTorch {torch.__version__}; this notebook computes on: {DEVICE}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The Python deep-learning ecosystem
#
# | layer | libraries | role |
# | --- | --- | --- |
# | arrays, tables | NumPy, pandas | numbers in memory; samples × genes |
# | classical ML | scikit-learn | splits, scaling, baselines, metrics |
# | deep learning | **PyTorch** (or TensorFlow/Keras, JAX) | tensors on CPU/GPU, autograd, layers |
# | genomics on top | e.g. scvi-tools (built on PyTorch) | single-cell models from the same pieces |
#
# PyTorch's parts: `torch` (tensors, autograd), `torch.nn` (layers, losses), `torch.optim`
# (optimizers), `torch.utils.data` (datasets, batches).

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask: who has used scikit-learn's `fit`/`predict`? PyTorch gives no `fit`: we write the loop
# ourselves today, once, and then reuse `dlcourse.training.fit`, which is that loop.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Tensors
#
# A **tensor** is PyTorch's array: a **shape** and a **dtype** like a NumPy array, plus a
# **device** (CPU or GPU), and it can record operations for gradients.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
from_list = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # copies the data
steps_of_half = torch.arange(0, 2, 0.5)  # like np.arange
noise = torch.randn(2, 3, generator=torch.Generator().manual_seed(0))  # seeded draws
for name, tensor in [("from_list", from_list), ("arange", steps_of_half), ("randn", noise)]:
    print(f"{name:9s} shape={tuple(tensor.shape)} dtype={tensor.dtype} device={tensor.device}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: everything from the morning's NumPy carries over (indexing, slicing, broadcasting); the
# new parts are the device and the recording for gradients. Ask: why would a library need its own
# array type instead of NumPy's? (GPUs and autograd.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## dtype: float32 for models, float64 for checks, int64 for labels
#
# PyTorch's default float is **float32** (7 digits, half the memory); NumPy's is **float64**.
# Mixing two tensors with dimensions promotes to the wider type, but a **0-dim tensor or a
# Python number** only decides the category (int → float): `float32 tensor + float64 scalar`
# stays float32, `int64 tensor + 2.5` becomes the default float32.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
from_numpy = torch.from_numpy(np.array([0.1, 0.2]))  # keeps NumPy's float64
print("torch default:", torch.ones(2).dtype, "| from NumPy:", from_numpy.dtype)
print("labels       :", torch.tensor([0, 2, 1]).dtype)
print("float32 (2,) + float64 (2,)   ->", (torch.ones(2) + from_numpy).dtype)
print(
    "float32 (2,) + float64 0-dim  ->",
    (torch.ones(2) + torch.tensor(1.0, dtype=torch.float64)).dtype,
)
print("int64 (2,)   + Python 2.5     ->", (torch.tensor([1, 2]) + 2.5).dtype)

# %% [markdown] slideshow={"slide_type": "notes"}
# The common confusion: a NumPy array converted with `torch.from_numpy` stays float64, and a
# float32 model then fails with "expected Float but found Double". Convert once with
# `torch.as_tensor(X, dtype=torch.float32)`. Labels for `CrossEntropyLoss` must be int64.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Shape: a simulated expression matrix
#
# Genomics data arrive as **samples × genes**. Simulated RNA-seq counts: 60 tumours of 3
# subtypes, 30 genes, a different sequencing depth per sample.

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
print("add an axis    unsqueeze(0)   ", tuple(counts.unsqueeze(0).shape))

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: rows are samples, columns genes, as in scikit-learn; a batch dimension comes first.
# Ask: what is the shape of `counts[:, 0]` and why is it not a column? Indexing with an integer
# drops the axis; a slice `:1` keeps it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Broadcasting, and its trap
#
# Shapes are aligned **from the right**; sizes match when equal or 1, and a size-1 axis is
# repeated: $(60, 30) / (60, 1)$ divides each sample by its library size. The trap: a one-output
# model returns $(n, 1)$, targets are $(n,)$, and $(n, 1) - (n,)$ is **$(n, n)$** — no error.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
cpm = counts / counts.sum(dim=1, keepdim=True) * 1e6  # (60, 30) / (60, 1): counts per million
y_hat = torch.tensor([[1.0], [2.0], [3.0], [4.0]])  # (4, 1): one output unit
y = torch.tensor([1.0, 2.0, 3.0, 4.0])  # (4,): the targets
print("cpm:", tuple(cpm.shape), "| y_hat - y:", tuple((y_hat - y).shape))
wrong, right = ((y_hat - y) ** 2).mean(), ((y_hat.squeeze(1) - y) ** 2).mean()
print(f"MSE over the (4, 4) matrix: {wrong.item():.4f}   after squeeze(1): {right.item():.4f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# `nn.MSELoss` warns about this mismatch, many hand-written losses do not. `dlcourse.training`
# drops the trailing axis of size 1 before calling the loss, for exactly this reason. The full
# RNA-seq normalisation (CPM, log, per-gene standardisation) is in the deep dive at the end.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Autograd: gradients without deriving them
#
# A tensor with `requires_grad=True` is a **leaf**; every operation on it is recorded, and
# `loss.backward()` applies the chain rule back to the leaves (backpropagation, notebook 04),
# storing $\partial L / \partial w$ in `w.grad`. For $L = (w \cdot x - y)^2$ by hand:
# $\nabla_w L = 2\,(w \cdot x - y)\,x$.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
x_small = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
w = torch.tensor([0.5, -0.2, 0.1], dtype=torch.float64, requires_grad=True)
loss = (w @ x_small - 2.0) ** 2
loss.backward()  # fills w.grad
by_hand = 2 * (w.detach() @ x_small - 2.0) * x_small
print("autograd:", w.grad.numpy(), " by hand:", by_hand.numpy())
assert torch.allclose(w.grad, by_hand, rtol=1e-12, atol=0)  # float64: agree to 1e-12

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: this is notebook 04's backpropagation done for us; only leaves with `requires_grad`
# get a `.grad`. Ask: what is `x_small.grad` here? (None: it is not a parameter.) A deep dive
# checks autograd against notebook 04's hand-derived gradients.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Three autograd habits
#
# - Gradients **accumulate**: a second `backward()` adds to `.grad`; zero them before each step.
# - `torch.no_grad()` stops recording (evaluation, manual updates).
# - `tensor.detach()` gives the same values cut from the graph (e.g. before `.numpy()`).

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
w = torch.tensor([1.0, -1.0], requires_grad=True)
for call in (1, 2):
    (w**2).sum().backward()  # d/dw = 2 w = [2, -2]
    print(f"after backward call {call}: w.grad = {w.grad.tolist()}")
w.grad = None  # what optimizer.zero_grad() does
with torch.no_grad():
    doubled = 2 * w
print("recorded? no_grad:", doubled.requires_grad, "| detach:", w.detach().requires_grad)

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask: why would PyTorch add gradients instead of overwriting them? (Several losses, or a batch
# split in pieces, can contribute to one step.) The price: forget `zero_grad()` and old batches
# leak into the step. `torch.inference_mode()` is a faster `no_grad` for pure prediction.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Models: `nn.Linear`
#
# `nn.Linear(n_in, n_out)` holds $W \in \mathbb{R}^{n_\text{out} \times n_\text{in}}$ and
# $b \in \mathbb{R}^{n_\text{out}}$ and maps a batch $X$ (one sample per row) to $X W^\top + b$.
# `nn.Sequential(...)` chains modules; the deep dive rebuilds notebook 04's 3-4-1 network with it.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
torch.manual_seed(0)
linear = nn.Linear(3, 4)
X_batch = torch.randn(5, 3)  # 5 samples, 3 features
assert torch.allclose(linear(X_batch), X_batch @ linear.weight.T + linear.bias, atol=1e-6)
print("weight", tuple(linear.weight.shape), "| output", tuple(linear(X_batch).shape))

# %% [markdown] slideshow={"slide_type": "notes"}
# The common confusion: the weight is stored as (out, in), so the layer computes $X W^\top$.
# Ask the room what shape the output of `nn.Linear(3, 4)` has on a batch of 5 (answer: (5, 4)).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Your own `nn.Module`
#
# Create the layers in `__init__` (attributes register their parameters), say how data flow in
# `forward`. This classifier maps expression profiles to subtype **logits**, with batch norm and
# dropout (notebook 07); the loss will apply the softmax.


# %% slideshow={"slide_type": "fragment"}
class SubtypeClassifier(nn.Module):  # (batch, n_genes) -> (batch, n_subtypes) logits
    def __init__(self, n_genes: int, n_hidden: int, n_subtypes: int, p_dropout: float = 0.2):
        super().__init__()
        self.hidden = nn.Linear(n_genes, n_hidden)
        self.norm = nn.BatchNorm1d(n_hidden)
        self.dropout = nn.Dropout(p_dropout)
        self.output = nn.Linear(n_hidden, n_subtypes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.norm(self.hidden(x)))
        return self.output(self.dropout(h))  # logits: no softmax here


# %% [markdown] slideshow={"slide_type": "notes"}
# Say: `__init__` creates the layers, `forward` wires them; never call `forward` directly, call
# the module (`model(x)`), which also runs PyTorch's hooks. The common confusion: a layer kept in a
# plain Python list is not registered (use `nn.ModuleList`), so the optimizer never sees it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Counting parameters
#
# A linear layer $n_{l-1} \to n_l$ has $n_{l-1} n_l$ weights and $n_l$ biases; batch norm adds
# $\gamma, \beta$ per unit (its running mean and variance are **buffers**: saved, not trained).
# With every gene as input, the first layer holds almost everything: far more parameters than the
# few hundred samples of a cohort ($p \gg n$, notebook 07).

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
classifier = SubtypeClassifier(n_genes=50, n_hidden=32, n_subtypes=4)
n_parameters = sum(p.numel() for p in classifier.parameters())
assert n_parameters == (50 * 32 + 32) + 2 * 32 + (32 * 4 + 4)
print("subtype classifier:", n_parameters, "| buffers:", [n for n, _ in classifier.named_buffers()])
genomic = [nn.Linear(20_000, 256), nn.Linear(256, 64), nn.Linear(64, 4)]
per_layer = [sum(p.numel() for p in layer.parameters()) for layer in genomic]
print(
    f"20,000 genes -> 256 -> 64 -> 4: {per_layer}, first layer {per_layer[0] / sum(per_layer):.3f}"
)

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask: how many samples would you want for five million parameters? Genomics cohorts have
# hundreds: this is why the regularizers of notebook 07 and strong linear baselines matter.
# Buffers travel with the `state_dict` but the optimizer never updates them.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Losses and optimizers
#
# | task | model output | loss | target |
# | --- | --- | --- | --- |
# | regression | $(N,)$ values | `nn.MSELoss` | float, same shape |
# | binary | one **logit** per sample | `nn.BCEWithLogitsLoss` | float 0/1 |
# | $K$ classes | $K$ **logits** | `nn.CrossEntropyLoss` | int64 class index |
#
# Classification losses take logits and apply sigmoid / softmax stably inside (notebook 06).
# `nn.MSELoss` is $\frac1N \sum_i (\hat y_i - y_i)^2$, the lecture's MSE; only notebook 04's
# backpropagation example used $\tfrac12 (y - \hat y)^2$, to simplify its derivative.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room: which loss for "malignant or benign"? For "one of four subtypes"? The common
# mistake is a sigmoid or softmax layer before these losses (applied twice), or float targets for
# `CrossEntropyLoss` (it wants int64 class indices).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## An optimizer updates the parameters it was given
#
# `torch.optim.SGD(model.parameters(), lr=η)` keeps references to the parameters; `step()` applies
# $\theta \leftarrow \theta - \eta\, \nabla_\theta L$ with the `.grad` that `backward()` filled, and
# `zero_grad()` clears them. Swapping in `torch.optim.Adam` is one line.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1))
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
nn.MSELoss()(net(torch.randn(8, 3)).squeeze(1), torch.randn(8)).backward()
before = [(p.detach().clone(), p.grad.clone()) for p in net.parameters()]
optimizer.step()  # every parameter it was given: p <- p - 0.1 * p.grad
after = list(net.parameters())
assert all(torch.allclose(p, old - 0.1 * g) for p, (old, g) in zip(after, before, strict=True))
optimizer.zero_grad()
print("moved by -0.1 * grad; .grad after zero_grad:", {p.grad for p in after})

# %% [markdown] slideshow={"slide_type": "notes"}
# The common confusion: the optimizer does not see the model, only the parameter tensors it was
# given at construction. Build the optimizer after `model.to(device)`, and give it every
# parameter you want trained. Ask: what happens if you call `step()` twice without `backward()`?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## `Dataset` and `DataLoader`
#
# A `Dataset` says how many samples (`__len__`) and what sample $i$ is (`__getitem__`). A
# `DataLoader` batches them and reshuffles every epoch; its own seeded `torch.Generator` makes the
# order reproducible.


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


# %% [markdown] slideshow={"slide_type": "notes"}
# Say: a `Dataset` answers two questions, how many samples and what sample $i$ is; everything
# else (batching, shuffling, parallel loading) is the `DataLoader`'s job. Labels as int64 here
# because `CrossEntropyLoss` wants class indices.

# %% slideshow={"slide_type": "skip"}
# The subtype data: 600 simulated tumours, 50 genes, 4 subtypes (5 marker genes each); a stratified
# split, scaled with the training statistics only (as notebook 09 teaches).
X_sub, y_sub = simulate_tumour_subtypes(
    n_samples=600, n_genes=50, n_subtypes=4, n_markers=5, seed=0
)
X_train, X_val, y_train, y_val = train_test_split(
    X_sub.to_numpy(), y_sub.to_numpy(), test_size=0.25, stratify=y_sub, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)
val_loader = make_loader(X_val, y_val, batch_size=len(X_val))  # the validation set: one batch
X_val_t = torch.as_tensor(X_val, dtype=torch.float32, device=DEVICE)
y_val_t = torch.as_tensor(y_val, device=DEVICE)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The subtype data, batched
#
# 600 simulated tumours, 50 genes, 4 subtypes; 450 for training, split and scaled in a hidden
# cell. Batches of 90: five full batches (with batch norm, a last batch of one sample raises:
# pass `drop_last=True`). The loader's own seeded generator fixes the order.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
train_set = ExpressionDataset(X_train, y_train)
batch_order = torch.Generator().manual_seed(0)  # the loader's own random stream
train_loader = DataLoader(train_set, batch_size=90, shuffle=True, generator=batch_order)
X_first, y_first = next(iter(train_loader))
print(f"{len(train_loader)} batches; one batch: {tuple(X_first.shape)}, {tuple(y_first.shape)}")


# %% slideshow={"slide_type": "skip"}
def batch_labels(seed: int) -> list[torch.Tensor]:
    """The labels of one pass over train_loader, batch by batch, after reseeding its generator."""
    batch_order.manual_seed(seed)
    return [y for _, y in train_loader]


# same seed, same batches
assert all(torch.equal(a, b) for a, b in zip(batch_labels(0), batch_labels(0), strict=True))
batch_order.manual_seed(0)  # the training run starts from seed 0, as fit's loader in the deep dive

# %% [markdown] slideshow={"slide_type": "notes"}
# The common confusion: `len(train_loader)` counts batches, `len(train_loader.dataset)` samples.
# Ask: why shuffle the training data but not the validation data? (Order matters for the updates,
# not for a loss averaged over the whole set.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The training loop, written out once
#
# One [epoch](GLOSSARY.md#epoch) = one pass over the training data: `train()` mode, then per
# batch `zero_grad()` → forward → loss → `backward()` → `step()`. Then `eval()` mode under
# `torch.no_grad()` for the validation loss.


# %% slideshow={"slide_type": "fragment"}
def train_one_epoch(model, loader, loss_fn, optimizer):
    model.train()  # dropout on, batch norm on batch statistics
    total = 0.0
    for X, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(X.to(DEVICE)), y.to(DEVICE))
        loss.backward()
        optimizer.step()
        total += loss.item() * len(X)
    return total / len(loader.dataset)  # mean training loss


# %% slideshow={"slide_type": "fragment"}
def validation_loss(model, loader, loss_fn):
    model.eval()  # dropout off, batch norm on running statistics
    with torch.no_grad():
        X, y = next(iter(loader))  # the whole validation set: one batch
        return loss_fn(model(X.to(DEVICE)), y.to(DEVICE)).item()


# %% [markdown] slideshow={"slide_type": "notes"}
# Walk through the five steps of a batch and ask what breaks if one is missing (no `zero_grad`:
# gradients pile up; no `eval()`: dropout at validation). With `drop_last=True` some samples are
# skipped each epoch: then divide by the samples actually seen.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Training the subtype classifier
#
# 20 epochs of Adam, on `DEVICE`, with the two functions of the loop.

# %% slideshow={"slide_type": "fragment"}
seed_everything(1)  # initial weights and dropout masks
subtype_net = SubtypeClassifier(n_genes=50, n_hidden=32, n_subtypes=4).to(DEVICE)
adam, ce_loss = torch.optim.Adam(subtype_net.parameters(), lr=1e-2), nn.CrossEntropyLoss()
history_hand = {"train_loss": [], "val_loss": []}
for _ in range(20):
    history_hand["train_loss"].append(train_one_epoch(subtype_net, train_loader, ce_loss, adam))
    history_hand["val_loss"].append(validation_loss(subtype_net, val_loader, ce_loss))

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Training and validation cross-entropy of the subtype classifier over 20 epochs, with the validation accuracy in the title"
with torch.no_grad():
    val_accuracy = accuracy(y_val_t.cpu(), subtype_net.eval()(X_val_t).cpu())
ax = plot_training_curves(history_hand)
ax.set_title(f"subtype classifier: validation accuracy {val_accuracy:.2f} after 20 epochs")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# `dlcourse.training.fit` is this loop plus early stopping, metrics and a progress bar (a deep
# dive checks they agree epoch by epoch); notebook 09 uses it. On the curves: the training loss is
# measured with dropout on and while the weights move, so it can lie above the validation loss.
# Ask: after how many epochs would early stopping have stopped?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## CPU and GPU: the rules
#
# - choose once: `DEVICE = get_device()` (CUDA, else Apple `mps`, else CPU);
# - `model.to(DEVICE)` moves a module **in place**; `tensor.to(DEVICE)` returns a copy;
# - move each batch in the loop: all operands of an operation share a device;
# - `torch.from_numpy` **shares** memory with the array, `torch.tensor(array)` copies.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
array = np.zeros(3)
shared, copied = torch.from_numpy(array), torch.tensor(array)
array[0] = 7.0
print("shared:", shared.tolist(), "| copied:", copied.tolist())
back = (2 * torch.ones(3, device=DEVICE)).detach().cpu().numpy()  # from any device
print("model on:", next(subtype_net.parameters()).device, "| back in NumPy:", back)

# %% [markdown] slideshow={"slide_type": "notes"}
# `DLCOURSE_DEVICE` overrides the choice. When does a GPU pay off? For large operations (big
# matrix products, big batches), not for today's tiny networks: each launch costs a fixed time (a
# deep dive measures it). The common error: "expected all tensors to be on the same device".

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Saving and loading a model safely
#
# Save the **`state_dict`** (names → parameter and buffer tensors), not the model object; to
# reload, build the same architecture and load it. `weights_only=True` (the default since
# PyTorch 2.6) accepts only tensors and plain containers, so a file cannot run code.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "subtype_classifier.pt"
    torch.save(subtype_net.state_dict(), path)
    loaded_state = torch.load(path, map_location="cpu", weights_only=True)
reloaded = SubtypeClassifier(n_genes=50, n_hidden=32, n_subtypes=4)
reloaded.load_state_dict(loaded_state)
reloaded.to(DEVICE).eval()
with torch.no_grad():
    assert torch.equal(subtype_net.eval()(X_val_t), reloaded(X_val_t))  # bit for bit
print("saved:", list(loaded_state)[:3], "...; reloaded logits identical")

# %% [markdown] slideshow={"slide_type": "notes"}
# Say: a pickled model object can run arbitrary code when loaded, so never `torch.load` a file
# you did not make with `weights_only=False`. `map_location` puts the tensors where you want them.
# To resume training, save the optimizer's `state_dict` and the epoch too; to predict, the
# preprocessing as tensors (the deep dive shows what `weights_only` refuses; notebook 09 does it).

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercise 1 — standardise genes with broadcasting (warm-up)
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


assert check_standardise_genes(standardise_genes)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercise 2 — a `Dataset` of DNA sequences
#
# Write `DNADataset(sequences, labels)` ($n$ equal-length strings, an int array of 0/1 labels):
# `len(dataset) == n`; `dataset[i]` = (sequence $i$ **one-hot encoded** as a float32 $(L, 4)$
# tensor, A C G T, by `dlcourse.data.one_hot_dna`; its label as a float32 scalar tensor).


# %% slideshow={"slide_type": "-"} tags=["exercise"]
class DNADataset(Dataset):
    def __init__(self, sequences, labels):
        pass  # YOUR CODE HERE

    def __len__(self):
        return None  # YOUR CODE HERE

    def __getitem__(self, i):
        return None  # YOUR CODE HERE


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


assert check_dna_dataset(DNADataset)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercise 3 — early stopping by hand (harder)
#
# Write `fit_early_stopping(model, train_loader, val_loader, loss_fn, optimizer, max_epochs,
# patience, device)`: the loop above, with the validation loss as a batch-size-weighted mean over
# `val_loader`. An epoch **improves** when its loss is strictly below the best so far: keep a copy
# of its weights (`state_dict()` returns live references). Stop after `patience` epochs without
# improvement or `max_epochs`; load the best weights back; return the best epoch's 0-based index.


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


assert check_fit_early_stopping(fit_early_stopping)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Common mistakes
#
# - forgetting `optimizer.zero_grad()`: gradients of old batches pile up;
# - a sigmoid or softmax before `BCEWithLogitsLoss` / `CrossEntropyLoss`: applied twice;
# - evaluating without `model.eval()`: dropout still on, batch norm on batch statistics;
# - `.numpy()` on a GPU tensor or one that requires grad: use `.detach().cpu().numpy()`;
# - a model on the GPU and a batch on the CPU (or the reverse): move both;
# - a one-output model's $(n, 1)$ against targets $(n,)$: broadcasting gives $(n, n)$.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room which of these they have met today. All but the device mix run without an error,
# which is what makes them dangerous: the loss still goes down, just wrongly.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - **Tensors**: dtype (float32 models, float64 checks, int64 labels), shape, device;
#   broadcasting aligns from the right.
# - **Autograd** records operations, `backward()` applies the chain rule; gradients accumulate.
# - **Models** are `nn.Module`s; **losses** take logits; `zero_grad()` → `backward()` → `step()`.
# - **Data**: `Dataset` + seeded `DataLoader` (`drop_last` with batch norm).
# - **The loop**: `train()` to update, `eval()` + `no_grad()` to evaluate; `fit` is this loop.
# - **Devices**: choose once, move model and batches. **Save** the `state_dict`; load with
#   `weights_only=True`.
#
# **Next:** notebook 09 — notebook 07's regularizers in PyTorch, on the Breast Cancer Wisconsin
# data.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — normalising RNA-seq counts with broadcasting
#
# > **Deep dive — optional.** The full normalisation of the simulated counts, checked against
# > scikit-learn; the rest of the notebook does not need it.
#
# Counts per million $\mathrm{CPM}_{ij} = 10^6 c_{ij} / \sum_k c_{ik}$ ($(n, p)$ divided by an
# $(n, 1)$ column), then $x_{ij} = \log(1 + \mathrm{CPM}_{ij})$ standardised per gene,
# $z_{ij} = (x_{ij} - \bar x_j) / s_j$ ($(n, p)$ minus and divided by $(p,)$ rows).

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive"]
log_cpm = torch.log1p(cpm)
z = (log_cpm - log_cpm.mean(dim=0)) / log_cpm.std(dim=0, correction=0)  # population sd
reference = StandardScaler().fit_transform(log_cpm.numpy())
assert np.allclose(cpm.sum(dim=1).numpy(), 1e6, rtol=1e-12)  # every sample sums to a million
assert np.allclose(z.numpy(), reference, rtol=1e-10, atol=1e-12)  # float64: agree to 1e-10
print(f"max |ours - StandardScaler| = {np.abs(z.numpy() - reference).max():.1e}")

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "hide-code"] alt="Heatmaps of raw log counts and standardised log-CPM, samples sorted by subtype: marker-gene blocks appear after normalisation"
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

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — autograd reproduces notebook 04's gradients
#
# > **Deep dive — optional.** Autograd against the morning's hand derivations, to float64
# > precision; the rest of the notebook does not need it.
#
# Notebook 04's network: $z^{(1)} = W^{(1)} x + b^{(1)}$, $h = \sigma(z^{(1)})$,
# $\hat y = W^{(2)} h + b^{(2)}$, $L = \tfrac12 (y - \hat y)^2$ (the ½ of that example), with
# $\delta^{(2)} = \hat y - y$, $\partial L/\partial W^{(2)} = \delta^{(2)} h^\top$,
# $\delta^{(1)} = (W^{(2)})^\top \delta^{(2)} \odot \sigma'(z^{(1)})$,
# $\partial L/\partial W^{(1)} = \delta^{(1)} x^\top$, $\partial L/\partial b^{(l)} = \delta^{(l)}$.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
net_341 = MLP([3, 4, 1], activation="sigmoid", rng=1)  # notebook 04's network and seed
x_341, y_341 = np.array([0.5, -1.2, 2.0]), np.array([1.5])
W1, b1, W2, b2 = net_341.parameters()
z1 = W1 @ x_341 + b1
h = sigmoid(z1)
delta2 = W2 @ h + b2 - y_341
delta1 = (W2.T @ delta2) * sigmoid_grad(z1)
by_hand_341 = {"W1": np.outer(delta1, x_341), "b1": delta1, "W2": np.outer(delta2, h), "b2": delta2}
model_341 = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1)).double()
copy_weights_to_torch(net_341, model_341)
y_hat_341 = model_341(torch.from_numpy(x_341[None, :])).squeeze(1)  # a batch of one
(0.5 * ((y_hat_341 - torch.from_numpy(y_341)) ** 2).sum()).backward()
torch_grads = [model_341[0].weight, model_341[0].bias, model_341[2].weight, model_341[2].bias]
for name, parameter in zip(["W1", "b1", "W2", "b2"], torch_grads, strict=True):
    assert np.allclose(parameter.grad.numpy(), by_hand_341[name], rtol=1e-12, atol=1e-14)
print("nn.Sequential's gradients equal the hand-derived ones (float64, rtol 1e-12)")
print("∂L/∂W2 =", model_341[2].weight.grad.numpy().round(4), "  (notebook 04 printed the same)")

# %% [markdown] slideshow={"slide_type": "fragment"} tags=["deep-dive"]
# Elementwise derivatives too: the gradient of $\sum_i \sigma(z_i)$ is
# $\sigma(z_i)(1 - \sigma(z_i))$, which equals the scratch engine's `sigmoid_grad`.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive"]
z_grid = torch.linspace(-6, 6, 200, dtype=torch.float64, requires_grad=True)
torch.sigmoid(z_grid).sum().backward()
ours = sigmoid_grad(z_grid.detach().numpy())
assert np.allclose(z_grid.grad.numpy(), ours, rtol=1e-12, atol=1e-15)  # float64: agree to 1e-12
print(f"max |autograd - sigmoid_grad| = {np.abs(z_grid.grad.numpy() - ours).max():.1e}")

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — losses equal the scratch ones; optimizers race
#
# > **Deep dive — optional.** PyTorch's losses against the NumPy engine, and three optimizers on
# > one task; the rest of the notebook does not need it.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
rng_loss = np.random.default_rng(0)
logits_k, labels_k = rng_loss.normal(size=(6, 4)), rng_loss.integers(0, 4, size=6)
logits_b, labels_b = rng_loss.normal(size=6), rng_loss.integers(0, 2, size=6).astype(float)
ce_torch = nn.CrossEntropyLoss()(torch.from_numpy(logits_k), torch.from_numpy(labels_k)).item()
bce_torch = nn.BCEWithLogitsLoss()(torch.from_numpy(logits_b), torch.from_numpy(labels_b)).item()
assert np.isclose(ce_torch, cross_entropy(logits_k, labels_k), rtol=1e-12)
assert np.isclose(bce_torch, binary_cross_entropy_with_logits(logits_b, labels_b), rtol=1e-12)
print(f"cross-entropy {ce_torch:.6f}, BCE with logits {bce_torch:.6f}: equal to scratch (1e-12)")

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive"]
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
        loss = nn.functional.mse_loss(net(X_reg).squeeze(1), y_reg)
        loss.backward()
        opt.step()
        curves[name].append(loss.item())

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "hide-code"] alt="Training MSE over 100 full-batch steps for SGD, SGD with momentum and Adam, log scale"
fig, ax = plt.subplots(figsize=(7, 3.4))
for name, values in curves.items():
    ax.plot(np.arange(1, 101), values, label=name)
ax.set(xlabel="step", ylabel="MSE (training)", yscale="log")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — `fit` is the hand-written loop
#
# > **Deep dive — optional.** `dlcourse.training.fit` against the hand-written loop, epoch by epoch;
# > the rest of the notebook does not need it.
#
# Same starting weights (same seed), same batch order, same dropout masks: the two runs compute
# the same operations in the same order. (Each pass over a `DataLoader` draws one number from the global
# random stream, so both loops read `val_loader` the same way to keep the dropout masks aligned.)

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive"]
seed_everything(1)  # same initial weights and dropout masks as the hand-written run
model_fit = SubtypeClassifier(n_genes=50, n_hidden=32, n_subtypes=4).to(DEVICE)
history_fit = fit(
    model_fit,
    make_loader(X_train, y_train, batch_size=90, shuffle=True, seed=0),
    val_loader,
    nn.CrossEntropyLoss(),
    torch.optim.Adam(model_fit.parameters(), lr=1e-2),
    epochs=20,
    device=DEVICE,
    progress=False,
)
for key in ("train_loss", "val_loss"):
    assert np.allclose(history_hand[key], getattr(history_fit, key), rtol=1e-5, atol=1e-7)
gap = np.abs(np.array(history_hand["val_loss"]) - history_fit.val_loss).max()
print(f"hand loop and fit agree epoch by epoch (rtol 1e-5); max val-loss gap {gap:.1e}")

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — which samples go into which batch
#
# > **Deep dive — optional.** What a seeded `DataLoader` does, on 12 samples in batches of 4;
# > the rest of the notebook does not need it.
#
# Every epoch is a new permutation; the seed fixes the whole sequence of permutations.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
index_loader = DataLoader(
    torch.arange(12), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0)
)
for epoch in range(1, 4):
    print(f"epoch {epoch}:", [batch.tolist() for batch in index_loader])

# %% [markdown] slideshow={"slide_type": "fragment"} tags=["deep-dive"]
# In training mode batch norm needs **more than one sample** per batch: a last batch of one
# raises. `DataLoader(..., drop_last=True)` drops such a remainder.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
try:
    SubtypeClassifier(n_genes=50, n_hidden=32, n_subtypes=4).train()(torch.randn(1, 50))
except ValueError as error:
    print("ValueError:", str(error).split(",")[0])

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — when does a GPU pay off?
#
# > **Deep dive — optional.** Throughput of a matrix product against its size on this machine;
# > the rest of the notebook does not need it.
#
# A product of two $n \times n$ matrices costs $2n^3$ operations. The figure shows what this run
# measured: on the CPU the rate grows with $n$ and then levels off near the processor's peak. A
# GPU runs thousands of operations in parallel but pays a fixed launch cost per operation, so it
# is slower for tiny products and far faster for large ones; where its curve crosses the CPU's
# depends on both devices. Run this cell on a machine with a GPU to see its curve beside the CPU's.


# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "hide-code"] alt="Measured GFLOP/s of an n by n matrix product against n on the devices of this run"
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


matrix_sizes = [64, 128, 256, 512, 1024]
devices = [torch.device("cpu")] + ([DEVICE] if DEVICE.type != "cpu" else [])
fig, ax = plt.subplots(figsize=(6.5, 3.4))
for device in devices:
    rates = [2 * n**3 / seconds_per_product(n, device) / 1e9 for n in matrix_sizes]
    ax.plot(matrix_sizes, rates, "o-", label=f"{device} (measured in this run)")
ax.set(xscale="log", yscale="log", xlabel="matrix size $n$", ylabel="GFLOP/s")
ax.set_title("CPU only" if len(devices) == 1 else "CPU and GPU")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — what `weights_only=True` refuses
#
# > **Deep dive — optional.** What a safe load rejects and how to store preprocessing instead;
# > the rest of the notebook does not need it.
#
# Any other Python object, here a fitted scikit-learn scaler. Store what you need as tensors (the
# scaler's means and standard deviations), with the optimizer's state and the epoch to resume.

# %% slideshow={"slide_type": "fragment"} tags=["deep-dive", "nbval-check-output"]
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "unsafe.pt"
    torch.save({"scaler": scaler}, path)
    try:
        torch.load(path, weights_only=True)
    except pickle.UnpicklingError as error:
        reason = next(line for line in str(error).splitlines() if "Unsupported global" in line)
        print("refused:", reason.strip().split(" by default")[0])
    checkpoint = {
        "model": subtype_net.state_dict(),
        "scaler_mean": torch.from_numpy(scaler.mean_),
        "scaler_scale": torch.from_numpy(scaler.scale_),
    }
    torch.save(checkpoint, Path(folder) / "checkpoint.pt")
    restored = torch.load(Path(folder) / "checkpoint.pt", map_location="cpu", weights_only=True)
assert np.array_equal(restored["scaler_mean"].numpy(), scaler.mean_)
print("checkpoint keys:", list(restored))
