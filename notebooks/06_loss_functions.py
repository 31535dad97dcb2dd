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
# # 06 — Loss functions
#
# **Day 3 · Deep Learning Foundations (PyTorch)**
#
# The loss turns "how wrong is the network?" into one number whose gradient drives every update.
# Its choice follows from the task, from the output activation, and from a likelihood.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Learning objectives
#
# By the end of this notebook you can
#
# 1. pair each output activation with its loss: identity with MSE or MAE, sigmoid with BCE,
#    softmax with CCE;
# 2. compute MSE and MAE, say which one PyTorch's `MSELoss` is (no ½) and why MAE is robust to
#    outliers;
# 3. compute BCE and CCE by hand and with PyTorch, on probabilities and on logits;
# 4. explain with a plot why classification uses cross-entropy and not MSE;
# 5. derive MSE, MAE, BCE and CCE as negative log-likelihoods;
# 6. recognise the classic mistakes (softmax before `CrossEntropyLoss`, sigmoid before
#    `BCEWithLogitsLoss`) from their numbers;
# 7. counter class imbalance with class weights.

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

from dlcourse.data import (
    simulate_expression_regression,
    simulate_p_much_greater_than_n,
    simulate_tumour_subtypes,
)
from dlcourse.exercises import (
    check_bce,
    check_bce_with_logits,
    check_mae_grad,
    check_weighted_cross_entropy,
)
from dlcourse.plots import COLORS, set_style
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import (
    SGD,
    Adam,
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Dense,
    L1Loss,
    MSELoss,
    Sequential,
    Sigmoid,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    log_softmax,
    mae,
    mse,
    sigmoid,
    softmax,
)

seed_everything(0)
DEVICE = get_device()
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The output activation and the loss come in pairs
#
# The output activation fixes where $\hat y$ lives; the loss compares $\hat y$ with the target
# $y$ over $N$ samples (and $C$ classes):
#
# | task | output activation | $\hat y$ | loss |
# | --- | --- | --- | --- |
# | regression | identity | $\hat y_i \in \mathbb{R}$ | MSE or MAE |
# | binary classification | sigmoid | $\hat y_i \in (0, 1)$ | BCE |
# | multi-class classification | softmax | $\hat y_i \in \Delta^{C-1}$ (sums to 1) | CCE |
#
# $$\mathcal{L}_\text{MSE} = \frac{1}{N}\sum_{i=1}^{N} (y_i - \hat y_i)^2, \qquad
# \mathcal{L}_\text{MAE} = \frac{1}{N}\sum_{i=1}^{N} \lvert y_i - \hat y_i \rvert,$$
#
# $$\mathcal{L}_\text{BCE} = -\frac{1}{N}\sum_{i=1}^{N} \big[y_i \log \hat y_i
# + (1 - y_i) \log(1 - \hat y_i)\big], \qquad
# \mathcal{L}_\text{CCE} = -\frac{1}{N}\sum_{i=1}^{N}\sum_{c=1}^{C} y_{ic} \log \hat y_{ic},$$
#
# with $y_{ic} = 1$ if sample $i$ belongs to class $c$ and 0 otherwise (one-hot).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why these pairs?
#
# - **Statistics**: each loss is the negative log-likelihood of a noise model that matches the
#   activation's range (section 6).
# - **Gradients**: for MSE, BCE and CCE, the gradient of the loss with respect to the output
#   layer's pre-activation $z$ is the plain error $\hat y - y$ (times $2/N$ for MSE, $1/N$ for
#   the cross-entropies), never squashed by a flat activation (section 5).
# - **Numerics**: sigmoid + BCE and softmax + CCE can be computed together from the logits $z$
#   without ever forming $\log 0$ (section 7).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Regression: predicting one gene's expression (simulated)
#
# `simulate_expression_regression` draws 300 samples of 20 genes; a target gene is regulated by
# three of them (saturating activation and repression, one interaction) plus noise. As a model we
# take ordinary least squares on the first 200 samples; we evaluate on the other 100.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
X_expr, y_expr = simulate_expression_regression(n_samples=300, n_genes=20, seed=0)
X_expr, y_expr = X_expr.to_numpy(), y_expr.to_numpy()
design = np.column_stack([X_expr, np.ones(len(X_expr))])  # genes + intercept column
coef, *_ = np.linalg.lstsq(design[:200], y_expr[:200], rcond=None)
y_true, y_pred = y_expr[200:], design[200:] @ coef
print(f"test MSE = {mse(y_pred, y_true):.4f}   (units: expression squared)")
print(f"test MAE = {mae(y_pred, y_true):.4f}   (units: expression)")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### MSE with or without ½
#
# `torch.nn.MSELoss`, and `dlcourse.scratch.mse`, compute $\frac{1}{N}\sum_i (y_i - \hat y_i)^2$
# with **no** ½, so $\partial \mathcal{L}/\partial \hat y_i = \frac{2}{N}(\hat y_i - y_i)$.
# The slides (and notebook 04's backpropagation example) use $\frac{1}{2N}\sum_i (y_i - \hat y_i)^2$,
# whose gradient $\frac{1}{N}(\hat y_i - y_i)$ is half as large. Both have the same minimum; only
# the effective learning rate differs by a factor 2.

# %% slideshow={"slide_type": "fragment"}
y_pred_t = torch.tensor(y_pred, dtype=torch.float64, requires_grad=True)
y_true_t = torch.tensor(y_true, dtype=torch.float64)
torch_mse = nn.MSELoss()(y_pred_t, y_true_t)
torch_mse.backward()
loss = MSELoss()
ours_value = loss(y_pred, y_true)
ours_grad = loss.backward()
assert np.isclose(ours_value, torch_mse.item(), rtol=1e-12)  # float64 on the CPU
assert np.allclose(ours_grad, y_pred_t.grad.numpy(), rtol=1e-12, atol=1e-15)
assert np.allclose(ours_grad, 2 * (y_pred - y_true) / len(y_true), rtol=1e-12)  # no ½: factor 2
half_mse_grad = (y_pred - y_true) / len(y_true)  # gradient of the ½ version
print(
    f"|MSE - torch| = {abs(ours_value - torch_mse.item()):.1e}; "
    f"gradient ratio MSE / ½MSE = {np.median(ours_grad / half_mse_grad):.1f}"
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### MSE or MAE? Their gradients differ
#
# $$\frac{\partial \mathcal{L}_\text{MSE}}{\partial \hat y_i} = \frac{2}{N}(\hat y_i - y_i),
# \qquad
# \frac{\partial \mathcal{L}_\text{MAE}}{\partial \hat y_i}
# = \frac{1}{N}\operatorname{sign}(\hat y_i - y_i).$$
#
# MSE pushes hardest on the largest errors; MAE pushes every sample equally hard. So one
# outlier — say a sample whose normalisation failed — can drag an MSE fit, while MAE barely
# notices. The cleanest view: predict every sample with one constant $c$. MSE is minimised by the
# **mean** of the targets, MAE by the **median**.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
y_clean = y_expr[:200]
y_outlier = y_clean.copy()
y_outlier[0] = 30.0  # one sample with a failed normalisation
c_grid = np.linspace(-3, 3, 1201)
curves = {}
for name, y_c in [("clean", y_clean), ("with outlier", y_outlier)]:
    curves[name] = (
        np.array([mse(np.full_like(y_c, c), y_c) for c in c_grid]),
        np.array([mae(np.full_like(y_c, c), y_c) for c in c_grid]),
    )
    best_mse, best_mae = c_grid[curves[name][0].argmin()], c_grid[curves[name][1].argmin()]
    step = c_grid[1] - c_grid[0]
    assert abs(best_mse - y_c.mean()) <= step and abs(best_mae - np.median(y_c)) <= step
    print(
        f"{name:<13} mean {y_c.mean():+.3f} (MSE's best c {best_mse:+.3f})   "
        f"median {np.median(y_c):+.3f} (MAE's best c {best_mae:+.3f})"
    )

# %% slideshow={"slide_type": "subslide"}
fig, (ax_mse, ax_mae) = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
for name, style in [("clean", "-"), ("with outlier", "--")]:
    ax_mse.plot(c_grid, curves[name][0], style, color=COLORS["blue"], label=name)
    ax_mae.plot(c_grid, curves[name][1], style, color=COLORS["vermillion"], label=name)
ax_mse.axvline(y_clean.mean(), color=COLORS["black"], linewidth=1)
ax_mse.axvline(y_outlier.mean(), color=COLORS["black"], linewidth=1, linestyle="--")
ax_mae.axvline(np.median(y_clean), color=COLORS["black"], linewidth=1)
ax_mae.axvline(np.median(y_outlier), color=COLORS["black"], linewidth=1, linestyle="--")
ax_mse.set(title="MSE: minimum at the mean", xlabel="constant prediction $c$", ylabel="loss")
ax_mae.set(title="MAE: minimum at the median", xlabel="constant prediction $c$")
ax_mse.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# One value out of 200 moves the mean, and with it the MSE optimum, visibly; the median — the
# MAE optimum — moves much less (the printed values above). MAE's price: its gradient has the
# same size for tiny and large errors and jumps at zero, so it converges less smoothly near the
# optimum. (PyTorch's `HuberLoss` / `SmoothL1Loss` combine the two.)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 1 — the gradient of MAE
#
# Write `my_mae_grad(y_hat, y)` returning $\partial \mathcal{L}_\text{MAE} / \partial \hat y$,
# with the shape of `y_hat` (1-D or 2-D). $N$ is the number of elements. Where
# $\hat y_i = y_i$ use 0, as PyTorch does.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def my_mae_grad(y_hat, y):
    # YOUR CODE HERE
    return None


check_mae_grad(my_mae_grad)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_mae_grad(y_hat, y):
    y_hat, y = np.asarray(y_hat, dtype=float), np.asarray(y, dtype=float)
    return np.sign(y_hat - y) / y_hat.size


check_mae_grad(my_mae_grad)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Binary cross-entropy: cases and controls (simulated)
#
# `simulate_p_much_greater_than_n` gives a cohort of 200 samples (half cases, half controls) with
# 20 genes, 5 of them differentially expressed. A logistic-regression neuron (one `Dense` layer,
# logits out) is trained with full-batch Adam on BCE; each sample then has a predicted
# probability $\hat y_i = \sigma(z_i)$ of being a case.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
X_cc, y_cc = simulate_p_much_greater_than_n(n_samples=200, n_genes=20, n_informative=5, seed=0)
X_cc, y_cc = X_cc.to_numpy(), y_cc.to_numpy().astype(float)[:, None]  # y: (200, 1) of 0/1
neuron = Dense(20, 1, rng=0)
bce_logits = BCEWithLogitsLoss()
optimizer = Adam(neuron.params, lr=0.05)
for _ in range(200):
    neuron.zero_grad()
    bce_logits(neuron(X_cc), y_cc)
    neuron.backward(bce_logits.backward())
    optimizer.step(neuron.grads)
z_cc = neuron(X_cc)
p_cc = sigmoid(z_cc)
print(
    f"BCE = {binary_cross_entropy(p_cc, y_cc):.4f}, accuracy = {np.mean((p_cc > 0.5) == y_cc):.3f}"
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Each sample pays $-\log$ of the probability given to its true class
#
# A case ($y = 1$) costs $-\log \hat y$, a control costs $-\log(1 - \hat y)$. A confident correct
# prediction costs almost nothing; a confident wrong one costs a lot, without bound.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
for p in (0.99, 0.5, 0.01):
    print(f"a case predicted with p = {p:<4}: loss {binary_cross_entropy([p], [1.0]):.4f}")

# %% slideshow={"slide_type": "subslide"}
p_grid = np.linspace(0.001, 0.999, 500)
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(p_grid, -np.log(p_grid), color=COLORS["vermillion"], label=r"case: $-\log \hat y$")
ax.plot(p_grid, -np.log(1 - p_grid), color=COLORS["blue"], label=r"control: $-\log(1-\hat y)$")
per_sample = -(y_cc * np.log(p_cc) + (1 - y_cc) * np.log(1 - p_cc))
cases = y_cc[:, 0] == 1
ax.scatter(p_cc[cases, 0], per_sample[cases, 0], s=14, color=COLORS["vermillion"], alpha=0.6)
ax.scatter(p_cc[~cases, 0], per_sample[~cases, 0], s=14, color=COLORS["blue"], alpha=0.6)
ax.set(
    xlabel=r"predicted probability of case $\hat y$",
    ylabel="loss of one sample",
    ylim=(0, 5),
    title="BCE per sample (dots: the trained neuron's 200 samples)",
)
ax.legend()
plt.show()

# %% slideshow={"slide_type": "subslide"}
p_t = torch.tensor(p_cc, dtype=torch.float64)
z_t = torch.tensor(z_cc, dtype=torch.float64)
y_t = torch.tensor(y_cc, dtype=torch.float64)
ours = binary_cross_entropy(p_cc, y_cc)
assert np.isclose(ours, np.mean(per_sample), rtol=1e-12)  # the formula, written out above
assert np.isclose(ours, nn.BCELoss()(p_t, y_t).item(), rtol=1e-12)  # float64 on the CPU
assert np.isclose(ours, nn.BCEWithLogitsLoss()(z_t, y_t).item(), rtol=1e-10)  # from logits
print(
    f"|ours - BCELoss| = {abs(ours - nn.BCELoss()(p_t, y_t).item()):.1e}, "
    f"|ours - BCEWithLogitsLoss| = {abs(ours - nn.BCEWithLogitsLoss()(z_t, y_t).item()):.1e}"
)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 2 — binary cross-entropy
#
# Write `my_bce(y_hat, y)`: the mean BCE of probabilities `y_hat` against 0/1 labels `y`, both of
# shape `(N,)`, as one number. Use `np.log`; the check includes confident predictions such as
# $\hat y = 10^{-7}$.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def my_bce(y_hat, y):
    # YOUR CODE HERE
    return None


check_bce(my_bce)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_bce(y_hat, y):
    y_hat, y = np.asarray(y_hat, dtype=float), np.asarray(y, dtype=float)
    return -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))


check_bce(my_bce)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Categorical cross-entropy: tumour subtypes (simulated)
#
# `simulate_tumour_subtypes`: 600 tumours of 4 subtypes, 50 genes; each subtype over-expresses
# its own 5 marker genes. A softmax-regression layer `Dense(50, 4)` outputs 4 logits per tumour;
# `CrossEntropyLoss` takes those logits and the integer labels $y_i \in \{0, 1, 2, 3\}$.
# Trained on 400 tumours, evaluated on 200.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
X_sub, y_sub = simulate_tumour_subtypes(n_samples=600, n_genes=50, n_subtypes=4, seed=0)
X_sub, y_sub = X_sub.to_numpy(), y_sub.to_numpy()
X_sub_train, y_sub_train, X_sub_test, y_sub_test = (
    X_sub[:400],
    y_sub[:400],
    X_sub[400:],
    y_sub[400:],
)
softmax_regression = Dense(50, 4, rng=0)
cce = CrossEntropyLoss()
optimizer = Adam(softmax_regression.params, lr=0.05)
for _ in range(200):
    softmax_regression.zero_grad()
    cce(softmax_regression(X_sub_train), y_sub_train)
    softmax_regression.backward(cce.backward())
    optimizer.step(softmax_regression.grads)
logits_test = softmax_regression(X_sub_test)
print(
    f"test CCE = {cross_entropy(logits_test, y_sub_test):.4f}, "
    f"test accuracy = {np.mean(logits_test.argmax(axis=1) == y_sub_test):.3f}"
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### One-hot formula, integer labels, PyTorch: the same number
#
# With one-hot targets only the true class survives the inner sum, so
# $\mathcal{L}_\text{CCE} = -\frac{1}{N}\sum_i \log \hat y_{i, y_i}$: exactly what
# `cross_entropy(logits, labels)` computes, with a stable log-softmax instead of
# $\log(\operatorname{softmax})$.

# %% slideshow={"slide_type": "fragment"}
one_hot = np.eye(4)[y_sub_test]  # (200, 4)
by_formula = -np.mean(np.sum(one_hot * np.log(softmax(logits_test)), axis=1))
ours = cross_entropy(logits_test, y_sub_test)
torch_value = nn.functional.cross_entropy(
    torch.tensor(logits_test, dtype=torch.float64), torch.tensor(y_sub_test)
).item()
assert np.isclose(ours, by_formula, rtol=1e-12)  # one-hot double sum = integer-label form
assert np.isclose(ours, torch_value, rtol=1e-12)  # float64 on the CPU
print(
    f"|ours - one-hot formula| = {abs(ours - by_formula):.1e}, "
    f"|ours - torch| = {abs(ours - torch_value):.1e}"
)

# %% slideshow={"slide_type": "subslide"}
probs = softmax(logits_test[:8])
fig, ax = plt.subplots(figsize=(8, 4))
bottom = np.zeros(8)
for c in range(4):
    ax.bar(np.arange(8), probs[:, c], bottom=bottom, color=f"C{c}", label=f"subtype {c}")
    bottom += probs[:, c]
ax.set_xticks(
    np.arange(8), [f"tumour {i}\ntrue: {y}" for i, y in enumerate(y_sub_test[:8])], fontsize=9
)
ax.set(ylabel=r"$\hat y_{ic}$ (softmax)", title="predicted subtype distribution, 8 test tumours")
ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Why cross-entropy and not MSE for classification?
#
# Take a sigmoid output $\hat y = \sigma(z)$ and a case, $y = 1$. Per sample, with
# $\sigma'(z) = \sigma(z)(1 - \sigma(z))$:
#
# $$\frac{\partial}{\partial z}\,\mathrm{BCE} = \sigma(z) - y, \qquad
# \frac{\partial}{\partial z}\,(\sigma(z) - y)^2 = 2\,(\sigma(z) - y)\,\sigma(z)\,\big(1 - \sigma(z)\big).$$
#
# For a confidently **wrong** prediction ($z \ll 0$, so $\sigma(z) \approx 0$) the BCE gradient
# is close to its largest size, 1, while the MSE gradient carries the vanishing factor
# $\sigma'(z)$: the worse the mistake, the less MSE corrects it. This is gradient saturation.
# Below, both gradients come from the course's loss classes (the MSE one backpropagated
# through a `Sigmoid` layer) and are checked against the formulas.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
z_line = np.linspace(-8, 8, 321)[:, None]  # 321 logits, one "sample" each
ones = np.ones_like(z_line)  # every sample is a case
bce_sum = BCEWithLogitsLoss(reduction="sum")  # sum: per-sample gradients, no 1/N
bce_sum(z_line, ones)
grad_bce = bce_sum.backward()
sigmoid_layer, mse_sum = Sigmoid(), MSELoss(reduction="sum")
mse_sum(sigmoid_layer(z_line), ones)
grad_mse = sigmoid_layer.backward(mse_sum.backward())
s = sigmoid(z_line)
assert np.allclose(grad_bce, s - 1, rtol=1e-12, atol=1e-15)
assert np.allclose(grad_mse, 2 * (s - 1) * s * (1 - s), rtol=1e-12, atol=1e-15)
for z0 in (-6.0, 0.0, 6.0):
    k = np.argmin(np.abs(z_line[:, 0] - z0))
    print(f"z = {z0:+.0f}: dBCE/dz = {grad_bce[k, 0]:+.2e}, dMSE/dz = {grad_mse[k, 0]:+.2e}")

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(z_line, np.abs(grad_bce), color=COLORS["blue"], label="BCE: $|\\sigma(z) - 1|$")
ax.plot(
    z_line,
    np.abs(grad_mse),
    color=COLORS["vermillion"],
    label="MSE: $|2(\\sigma(z) - 1)\\,\\sigma'(z)|$",
)
ax.axvspan(-8, 0, color=COLORS["black"], alpha=0.05)
ax.text(-7.6, 0.55, "wrong side\n(predicts control)", fontsize=11)
ax.set(
    xlabel="logit $z$ of a case ($y = 1$)",
    ylabel="|gradient| w.r.t. $z$",
    title="gradient saturation: MSE stops correcting confident mistakes",
)
ax.legend(loc="upper right")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The consequence during training
#
# The case/control neuron of section 3 again, started confidently wrong ($W = 0$, $b = -6$:
# every sample predicted "control" with $\hat y = \sigma(-6)$, printed below), trained by
# full-batch SGD with the same learning rate on BCE and on MSE of the sigmoid output.


# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
def train_from_wrong_start(loss_name, steps=200, lr=0.5):
    """Accuracy after each SGD step of a sigmoid neuron started at W = 0, b = -6."""
    layer = Dense(20, 1, rng=0)
    layer.W[...], layer.b[...] = 0.0, -6.0
    model = Sequential(layer) if loss_name == "BCE" else Sequential(layer, Sigmoid())
    loss = BCEWithLogitsLoss() if loss_name == "BCE" else MSELoss()
    optimizer, accuracies = SGD(model.parameters(), lr=lr), []
    for _ in range(steps):
        model.zero_grad()
        out = model(X_cc)
        loss(out, y_cc)
        model.backward(loss.backward())
        optimizer.step(model.gradients())
        p = sigmoid(out) if loss_name == "BCE" else out
        accuracies.append(np.mean((p > 0.5) == y_cc))
    return np.array(accuracies)


print(f"start: every sample gets p = sigmoid(-6) = {sigmoid(-6.0):.4f}")
acc_curves = {name: train_from_wrong_start(name) for name in ("BCE", "MSE")}
for name, acc in acc_curves.items():
    print(
        f"{name}: accuracy after 10 steps {acc[9]:.3f}, 50 steps {acc[49]:.3f}, "
        f"200 steps {acc[-1]:.3f}"
    )

# %% slideshow={"slide_type": "fragment"}
fig, ax = plt.subplots(figsize=(8, 3.6))
ax.plot(np.arange(1, 201), acc_curves["BCE"], color=COLORS["blue"], label="BCE")
ax.plot(np.arange(1, 201), acc_curves["MSE"], color=COLORS["vermillion"], label="MSE on σ(z)")
ax.set(xlabel="SGD step", ylabel="training accuracy", title="same start, same learning rate")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. The maximum-likelihood view
#
# Training by a loss is estimating parameters by maximum likelihood: choose the noise model
# $p(y \mid \hat y)$ and minimise the mean negative log-likelihood (NLL).
#
# | noise model | mean NLL | loss |
# | --- | --- | --- |
# | Gaussian, variance $s^2$ | $\frac{1}{2s^2 N}\sum_i (y_i - \hat y_i)^2 + \frac12\log 2\pi s^2$ | MSE |
# | Laplace, scale $b$ | $\frac{1}{bN}\sum_i \lvert y_i - \hat y_i\rvert + \log(2b)$ | MAE |
# | Bernoulli($\hat y$) | $-\frac1N \sum_i [y_i \log \hat y_i + (1-y_i)\log(1-\hat y_i)]$ | BCE |
# | Categorical($\hat y_{i1}, \dots, \hat y_{iC}$) | $-\frac1N \sum_i \sum_c y_{ic}\log \hat y_{ic}$ | CCE |
#
# With a fixed $s$ or $b$ the constants do not change the minimiser. The Gaussian row is also
# where the ½ in "½·MSE" comes from ($s = 1$). The cell checks each row against
# `torch.distributions` on this notebook's predictions.

# %% slideshow={"slide_type": "subslide"}
D = torch.distributions
f64 = {"dtype": torch.float64}
pred_t, true_t = torch.tensor(y_pred, **f64), torch.tensor(y_true, **f64)
nll = {
    "Gaussian (s = 1)": -D.Normal(pred_t, 1.0).log_prob(true_t).mean().item(),
    "Laplace (b = 1)": -D.Laplace(pred_t, 1.0).log_prob(true_t).mean().item(),
    "Bernoulli": -D.Bernoulli(logits=torch.tensor(z_cc, **f64))
    .log_prob(torch.tensor(y_cc, **f64))
    .mean()
    .item(),
    "Categorical": -D.Categorical(logits=torch.tensor(logits_test, **f64))
    .log_prob(torch.tensor(y_sub_test))
    .mean()
    .item(),
}
ours = {
    "Gaussian (s = 1)": 0.5 * mse(y_pred, y_true) + 0.5 * np.log(2 * np.pi),
    "Laplace (b = 1)": mae(y_pred, y_true) + np.log(2.0),
    "Bernoulli": binary_cross_entropy_with_logits(z_cc, y_cc),
    "Categorical": cross_entropy(logits_test, y_sub_test),
}
for name in nll:
    assert np.isclose(nll[name], ours[name], rtol=1e-10)  # float64: NLL = loss (+ constant)
    print(f"{name:<17} NLL = {nll[name]:.6f}, from our loss: {ours[name]:.6f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Losses on logits, and the classic mistakes
#
# Computing $\log \sigma(z)$ after $\sigma(z)$ loses everything once $\sigma(z)$ rounds to 0 or 1:
# in float64, $\sigma(40) = 1$ exactly, so a control with $z = 40$ would need $\log(1 - 1)$.
# PyTorch's `BCELoss` clamps each log at $-100$, which hides the infinity but also the true loss.
# Written on the logit, per sample,
#
# $$\ell(z, y) = (1 - y)\,z + \log\!\big(1 + e^{-z}\big), \qquad
# \log\!\big(1 + e^{-z}\big) = \max(-z, 0) + \log\!\big(1 + e^{-\lvert z \rvert}\big),$$
#
# nothing overflows and nothing is lost. `BCEWithLogitsLoss` and `CrossEntropyLoss` (with its
# log-softmax $z_c - \max_k z_k - \log\sum_k e^{z_k - \max_k z_k}$) work this way.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
print(f"in float64, sigmoid(40) == 1.0 is {sigmoid(40.0) == 1.0}")
torch_bce = nn.BCELoss()
torch_bce_logits = nn.BCEWithLogitsLoss()
for z, y in [(3.0, 1.0), (40.0, 0.0), (-800.0, 1.0)]:
    z_arr, y_arr = np.array([z]), np.array([y])
    via_sigmoid = binary_cross_entropy(sigmoid(z_arr), y_arr)
    on_logits = binary_cross_entropy_with_logits(z_arr, y_arr)
    z_t, y_t = torch.tensor(z_arr, **f64), torch.tensor(y_arr, **f64)
    assert np.isclose(via_sigmoid, torch_bce(torch.sigmoid(z_t), y_t).item(), rtol=1e-12)
    assert np.isclose(on_logits, torch_bce_logits(z_t, y_t).item(), rtol=1e-12)
    print(
        f"z = {z:+7.1f}, y = {y:.0f}: BCE(sigmoid(z)) = {via_sigmoid:8.4f}   "
        f"BCE on the logit = {on_logits:8.4f}"
    )

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Classic mistake 1: softmax before `CrossEntropyLoss`
#
# `nn.CrossEntropyLoss` expects **logits** and applies log-softmax itself. Feeding it
# probabilities applies softmax twice. The probabilities lie in $[0, 1]$, so the second softmax
# can never be confident: even a perfect prediction (true-class probability 1) costs at least
# $\log\!\big(1 + (C - 1)/e\big)$, and the gradient reaching the logits shrinks.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
ce = nn.CrossEntropyLoss()
logits_t = torch.tensor(logits_test, **f64, requires_grad=True)
labels_t = torch.tensor(y_sub_test)
right, wrong = ce(logits_t, labels_t), ce(torch.softmax(logits_t, dim=1), labels_t)
grad_right = torch.autograd.grad(right, logits_t)[0].norm().item()
grad_wrong = torch.autograd.grad(wrong, logits_t)[0].norm().item()
print(
    f"subtype model: CrossEntropyLoss(logits) = {right.item():.4f}, "
    f"CrossEntropyLoss(softmax(logits)) = {wrong.item():.4f}"
)
print(f"gradient norm w.r.t. the logits: right {grad_right:.4f}, wrong {grad_wrong:.4f}")
perfect = torch.tensor(np.eye(4)[y_sub_test] * 50.0, **f64)  # logits: certain and correct
floor = np.log(1 + 3 / np.e)
wrong_perfect = ce(torch.softmax(perfect, dim=1), labels_t).item()
assert np.isclose(wrong_perfect, floor, rtol=1e-12)  # the floor log(1 + (C-1)/e), C = 4
print(
    f"perfect logits: right loss = {ce(perfect, labels_t).item():.4f}, "
    f"wrong loss = {wrong_perfect:.4f} (floor log(1 + 3/e) = {floor:.4f})"
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Classic mistake 2: sigmoid before `BCEWithLogitsLoss`
#
# `nn.BCEWithLogitsLoss` applies the sigmoid itself; passing $\sigma(z)$ computes the BCE of
# $\sigma(\sigma(z))$, which only ranges over $\big(\sigma(0), \sigma(1)\big)$. A perfectly
# confident case still costs $-\log \sigma(1)$ and a perfectly confident control $\log 2$: the
# loss can never get close to 0. No error is raised: only the numbers tell.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
z_cc_t, y_cc_t = torch.tensor(z_cc, **f64), torch.tensor(y_cc, **f64)
right = torch_bce_logits(z_cc_t, y_cc_t).item()
wrong = torch_bce_logits(torch.sigmoid(z_cc_t), y_cc_t).item()
print(
    f"case/control neuron: BCEWithLogitsLoss(z) = {right:.4f}, "
    f"BCEWithLogitsLoss(sigmoid(z)) = {wrong:.4f}"
)
one, zero = torch.ones(1, **f64), torch.zeros(1, **f64)
case_floor = torch_bce_logits(torch.sigmoid(torch.tensor([50.0], **f64)), one).item()
control_floor = torch_bce_logits(torch.sigmoid(torch.tensor([-50.0], **f64)), zero).item()
assert np.isclose(case_floor, -np.log(sigmoid(1.0)), rtol=1e-12)
assert np.isclose(control_floor, np.log(2), rtol=1e-12)
print(
    f"perfect predictions still cost {case_floor:.4f} (a case) and {control_floor:.4f} (a control)"
)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 3 — BCE from logits, stably
#
# Write `my_bce_with_logits(z, y)`: the mean BCE computed from logits `z` (any shape, `y` the same
# shape), as one number, finite and silent even for $z = \pm 1000$. Do not compute $\sigma(z)$;
# use the softplus form above (`np.maximum`, `np.log1p`, `np.exp` of a non-positive number).


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def my_bce_with_logits(z, y):
    # YOUR CODE HERE
    return None


check_bce_with_logits(my_bce_with_logits)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_bce_with_logits(z, y):
    z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
    softplus_of_minus_z = np.maximum(-z, 0) + np.log1p(np.exp(-np.abs(z)))  # -log sigmoid(z)
    return np.mean((1 - y) * z + softplus_of_minus_z)


check_bce_with_logits(my_bce_with_logits)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Class imbalance and class weights
#
# Rare subtypes are common in oncology. With 70 % of tumours in one subtype, a model can reach
# a good accuracy while missing most rare tumours, because the mean loss is dominated by the
# frequent class. **Class weights** $w_c$ make each class count as if the classes were balanced:
#
# $$\mathcal{L} = \frac{\sum_i w_{y_i}\, \ell_i}{\sum_i w_{y_i}}, \qquad
# \ell_i = -\log \hat y_{i, y_i}, \qquad w_c = \frac{N}{C\, N_c},$$
#
# where $N_c$ is the number of training samples of class $c$. Note PyTorch's normalisation: it
# divides by the sum of the weights used, not by $N$. For BCE the analogue is `pos_weight`
# $= N_\text{neg} / N_\text{pos}$ in `BCEWithLogitsLoss`.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
X_imb, y_imb = simulate_tumour_subtypes(
    n_samples=800,
    n_genes=50,
    n_subtypes=4,
    seed=0,
    imbalance=(0.7, 0.15, 0.1, 0.05),
    effect_size=1.0,
)
X_imb_train, X_imb_test, y_imb_train, y_imb_test = train_test_split(
    X_imb.to_numpy(), y_imb.to_numpy(), test_size=0.5, stratify=y_imb.to_numpy(), random_state=0
)
counts = np.bincount(y_imb_train, minlength=4)
class_weights = len(y_imb_train) / (4 * counts)
print("training tumours per subtype:", counts.tolist())
print("class weights w_c:           ", class_weights.round(3).tolist())


# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
def train_subtype_classifier(weight, steps=200, lr=0.1):
    """Softmax regression on the imbalanced tumours, full-batch SGD on (weighted) CCE."""
    model = Dense(50, 4, rng=0)
    loss, optimizer = CrossEntropyLoss(weight=weight), SGD(model.params, lr=lr)
    for _ in range(steps):
        model.zero_grad()
        loss(model(X_imb_train), y_imb_train)
        model.backward(loss.backward())
        optimizer.step(model.grads)
    return model


recalls = {}
for name, weight in [("unweighted", None), ("class-weighted", class_weights)]:
    predicted = train_subtype_classifier(weight)(X_imb_test).argmax(axis=1)
    recalls[name] = np.array([np.mean(predicted[y_imb_test == c] == c) for c in range(4)])
    print(
        f"{name:<15} accuracy {np.mean(predicted == y_imb_test):.3f}, "
        f"recall per subtype {recalls[name].round(3).tolist()}, "
        f"balanced accuracy {recalls[name].mean():.3f}"
    )

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(8, 4))
for k, (name, recall) in enumerate(recalls.items()):
    ax.bar(
        np.arange(4) + 0.38 * (k - 0.5),
        recall,
        width=0.38,
        label=name,
        color=[COLORS["blue"], COLORS["vermillion"]][k],
    )
ax.set_xticks(np.arange(4), [f"subtype {c}\n({n} train)" for c, n in enumerate(counts)])
ax.set(
    ylabel="recall on the test set", ylim=(0, 1.15), title="class weights help the rare subtypes"
)
ax.legend(loc="upper center", ncols=2)
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# The weighted model finds more of the rare subtypes at the price of a few more errors on the
# frequent one; the balanced accuracy (the mean of the per-class recalls) rises while the plain
# accuracy hardly moves (the printed values above). Which trade-off is right depends on the
# clinical cost of each error; report per-class metrics, not accuracy alone.

# %% slideshow={"slide_type": "subslide"}
logits_imb = train_subtype_classifier(class_weights)(X_imb_test)
ours = cross_entropy(logits_imb, y_imb_test, weight=class_weights)
torch_value = nn.CrossEntropyLoss(weight=torch.tensor(class_weights, **f64))(
    torch.tensor(logits_imb, **f64), torch.tensor(y_imb_test)
).item()
w_i = class_weights[y_imb_test]
nll_i = -log_softmax(logits_imb)[np.arange(len(y_imb_test)), y_imb_test]
assert np.isclose(ours, torch_value, rtol=1e-12)  # float64 on the CPU
assert np.isclose(ours, np.sum(w_i * nll_i) / np.sum(w_i), rtol=1e-12)  # PyTorch's normalisation
print(
    f"weighted CCE: ours {ours:.6f}, torch {torch_value:.6f}, "
    f"|difference| = {abs(ours - torch_value):.1e}"
)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 4 — class-weighted cross-entropy (harder)
#
# Write `my_weighted_cross_entropy(z, y, weight)` for logits `z` of shape `(N, C)`, integer labels
# `y` of shape `(N,)` and class weights `weight` of shape `(C,)`, returning PyTorch's weighted
# mean from the formula above as one number. Compute the log-softmax stably yourself (the check
# uses logits of 1000); do not call `dlcourse`'s `cross_entropy`.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def my_weighted_cross_entropy(z, y, weight):
    # YOUR CODE HERE
    return None


check_weighted_cross_entropy(my_weighted_cross_entropy)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_weighted_cross_entropy(z, y, weight):
    z = np.asarray(z, dtype=float)
    shifted = z - z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    nll = -log_probs[np.arange(len(y)), y]
    w = np.asarray(weight, dtype=float)[y]
    return np.sum(w * nll) / np.sum(w)


check_weighted_cross_entropy(my_weighted_cross_entropy)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. The from-scratch losses equal PyTorch's
#
# Every loss of `dlcourse.scratch` against its `torch.nn` counterpart, values **and** gradients
# with respect to the prediction (autograd), on random inputs in float64 on the CPU (so that
# agreement can be demanded to $10^{-12}$ relative).

# %% slideshow={"slide_type": "fragment"}
rng = np.random.default_rng(0)
z_b, y_b = rng.normal(size=(16, 1)) * 3, rng.integers(0, 2, size=(16, 1)).astype(float)
z_c, y_c = rng.normal(size=(16, 5)) * 3, rng.integers(0, 5, size=16)
w_c, r_hat, r = rng.uniform(0.5, 2, size=5), rng.normal(size=(16, 2)), rng.normal(size=(16, 2))
cases = [  # (name, scratch loss, torch loss, prediction, target)
    ("MSELoss", MSELoss(), nn.MSELoss(), r_hat, r),
    ("L1Loss", L1Loss(), nn.L1Loss(), r_hat, r),
    ("BCELoss", BCELoss(), nn.BCELoss(), sigmoid(z_b), y_b),
    (
        "BCEWithLogitsLoss",
        BCEWithLogitsLoss(pos_weight=3.0),
        nn.BCEWithLogitsLoss(pos_weight=torch.tensor(3.0, **f64)),
        z_b,
        y_b,
    ),
    (
        "CrossEntropyLoss",
        CrossEntropyLoss(weight=w_c),
        nn.CrossEntropyLoss(weight=torch.tensor(w_c, **f64)),
        z_c,
        y_c,
    ),
]
for name, ours_loss, torch_loss, pred, target in cases:
    value, grad = ours_loss(pred, target), ours_loss.backward()
    pred_t = torch.tensor(pred, **f64, requires_grad=True)
    target_t = torch.tensor(target) if target.dtype.kind == "i" else torch.tensor(target, **f64)
    torch_value = torch_loss(pred_t, target_t)
    torch_value.backward()
    assert np.isclose(value, torch_value.item(), rtol=1e-12, atol=0)
    assert np.allclose(grad, pred_t.grad.numpy(), rtol=1e-10, atol=1e-15)
    print(
        f"{name:<18} |value diff| = {abs(value - torch_value.item()):.1e}, "
        f"max |grad diff| = {np.abs(grad - pred_t.grad.numpy()).max():.1e}"
    )

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### And on the course device
#
# In practice the loss runs on `DEVICE` in float32 with the model. The same class-weighted loss
# there agrees with the float64 value to float32 precision.

# %% slideshow={"slide_type": "fragment"}
device_loss = nn.CrossEntropyLoss(
    weight=torch.tensor(class_weights, dtype=torch.float32, device=DEVICE)
)
device_value = device_loss(
    torch.tensor(logits_imb, dtype=torch.float32, device=DEVICE),
    torch.tensor(y_imb_test, device=DEVICE),
).item()
assert np.isclose(device_value, ours, rtol=1e-5)  # float32 on DEVICE vs float64
print(f"{DEVICE}: float32 weighted CCE = {device_value:.5f} (float64: {ours:.5f})")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary / key ideas
#
# - Pick the loss with the output activation: identity + MSE (or MAE), sigmoid + BCE,
#   softmax + CCE. Each pair is a negative log-likelihood (Gaussian, Laplace, Bernoulli,
#   categorical); for MSE, BCE and CCE the gradient at the logits is $\hat y - y$ (times $2/N$
#   or $1/N$).
# - `nn.MSELoss` has no ½: its gradient is $2(\hat y - y)/N$. MSE's optimum is a mean, MAE's a
#   median, so MAE resists outliers.
# - Cross-entropy keeps a large gradient on confident mistakes; MSE on a sigmoid saturates and
#   stalls exactly there.
# - Compute losses on logits (`BCEWithLogitsLoss`, `CrossEntropyLoss`): stable and exact where
#   $\log(\sigma(z))$ is not. Never put a sigmoid or softmax in front of them — no error is raised,
#   only the numbers are wrong.
# - Class weights $w_c = N / (C N_c)$ (or `pos_weight`) rebalance rare classes; PyTorch divides
#   the weighted sum by the sum of the weights. Judge the result per class.
# - The course's from-scratch losses agree with PyTorch's values and gradients to $10^{-12}$.
