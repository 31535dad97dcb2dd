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
# # 03 — Gradient descent and optimizers
#
# **Day 3 · Deep Learning Foundations (PyTorch)**
#
# How a network *learns*: walk downhill on the loss, one step at a time — and how SGD, momentum,
# AdaGrad, RMSProp and Adam choose those steps.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Learning objectives
#
# By the end of this notebook you can
#
# 1. write the learning loop (forward pass, loss, gradient, update) and read the loss as a function
#    of the parameters $\mathcal{L}(\theta)$;
# 2. explain what the gradient $\nabla_\theta \mathcal{L}$ is geometrically, and why the step size
#    (learning rate) $\eta$ decides between crawling, converging, oscillating and diverging;
# 3. compare full-batch, stochastic and mini-batch gradient descent, and quantify mini-batch noise;
# 4. explain momentum (and its effective step $\eta/(1-\beta)$), AdaGrad, RMSProp and Adam, including
#    Adam's bias correction, and the conventions in which PyTorch writes them;
# 5. check that our from-scratch optimizers take exactly the same steps as `torch.optim`.

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from dlcourse.data import simulate_expression_regression
from dlcourse.exercises import check_adam_step, check_minibatch_epoch, check_momentum_step
from dlcourse.plots import COLORS, plot_loss_surface, set_style
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import (
    ILL_CONDITIONED_QUADRATIC,
    LANDSCAPES,
    MLP,
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    Dense,
    MSELoss,
    RMSProp,
    Sequential,
    mse,
    trajectory,
)
from dlcourse.torch_bridge import to_torch

seed_everything(0)
DEVICE = get_device()
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The learning loop
#
# A network $f_\theta$ with parameters $\theta$ (all weights and biases) learns by repeating four steps:
#
# 1. **forward pass**: predictions $\hat y_i = f_\theta(x_i)$;
# 2. **loss**: one number that measures the error, e.g. the mean squared error
#    $\mathcal{L}(\theta) = \frac{1}{N}\sum_{i=1}^{N} (\hat y_i - y_i)^2$;
# 3. **gradient**: $\nabla_\theta \mathcal{L}$, the partial derivative of the loss with respect to
#    every parameter (computed by backpropagation, notebook 04);
# 4. **update**: move the parameters a small step against the gradient,
#    $\theta \leftarrow \theta - \eta\, \nabla_\theta \mathcal{L}(\theta)$.
#
# The goal is $\theta^\star = \arg\min_\theta \mathcal{L}(\theta)$. With millions of parameters we
# cannot search the parameter space; the gradient tells us, locally, which way is down.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A genomics example: one regulator, one target gene
#
# Simulated data (`simulate_expression_regression`): the standardised expression of a target gene in
# 300 samples, driven by regulator genes. We start with the simplest model, a straight line in one
# regulator, $\hat y = w\,x + b$: two parameters, so the whole loss can be drawn.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
X_genes, y_target = simulate_expression_regression(n_samples=300, seed=0)
x1 = X_genes[["GENE0001"]].to_numpy()  # (300, 1): the regulator
y1 = y_target.to_numpy()[:, None]  # (300, 1): the target gene
N = len(x1)
print(
    f"{N} simulated samples; correlation(GENE0001, target) = {np.corrcoef(x1[:, 0], y1[:, 0])[0, 1]:.3f}"
)

# %% [markdown] slideshow={"slide_type": "subslide"}
# The model is a `Dense(1, 1)` layer of our NumPy engine (`dlcourse.scratch`); the loss is
# `MSELoss` (PyTorch's convention, no ½) and the optimizer plain gradient descent (`SGD` on all
# samples at once). We start on purpose far from the minimum, at $w=-1,\ b=2$.


# %% slideshow={"slide_type": "-"}
def linear_model(w, b):
    """ŷ = w x + b as a one-unit Dense layer, with chosen starting weights."""
    layer = Dense(1, 1, rng=0)
    layer.W[...], layer.b[...] = w, b
    return Sequential(layer)


def weights(model):
    return np.array([model[0].W[0, 0], model[0].b[0]])  # (w, b)


# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
model, loss_fn = linear_model(-1.0, 2.0), MSELoss()
optimizer = SGD(model.parameters(), lr=0.1)
gd_path, gd_losses = [weights(model)], []
for _ in range(100):
    model.zero_grad()
    y_hat = model(x1)  # 1. forward pass
    gd_losses.append(loss_fn(y_hat, y1))  # 2. loss
    model.backward(loss_fn.backward())  # 3. gradient (backpropagation)
    optimizer.step(model.gradients())  # 4. update: θ ← θ − η ∇L
    gd_path.append(weights(model))
gd_path = np.array(gd_path)
print(f"loss at step 0: {gd_losses[0]:.4f}; at step 99: {gd_losses[-1]:.4f}")
print(f"after 100 steps: w = {gd_path[-1, 0]:.4f}, b = {gd_path[-1, 1]:.4f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# For a linear model the minimum of the MSE is also known in closed form (least squares). Gradient
# descent must land on it:

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
A = np.column_stack([x1[:, 0], np.ones(N)])  # design matrix (N, 2): columns x and 1
w_star, b_star = np.linalg.lstsq(A, y1[:, 0], rcond=None)[0]
print(f"least squares: w* = {w_star:.4f}, b* = {b_star:.4f}")
assert np.allclose(gd_path[-1], [w_star, b_star], atol=1e-6)  # GD reached the minimum to 1e-6

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The loss is a function of the parameters
#
# The data are fixed; what changes during training is $\theta$. Each point $(w, b)$ of the plane has
# a loss $\mathcal{L}(w, b)$: a **surface** over the parameter space. A **contour line** joins
# parameters with the same loss (like altitude lines on a map). Training is a walk on this surface.


# %% slideshow={"slide_type": "-"}
def loss_at(wb):
    """MSE of ŷ = w x + b for every (w, b) in wb: (..., 2) -> (...), with dlcourse's mse."""
    flat = np.reshape(wb, (-1, 2))
    losses = [mse(w * x1 + b, y1) for w, b in flat]
    return np.reshape(losses, np.shape(wb)[:-1])


WB_BOUNDS = ((-1.5, 3.0), (-1.5, 2.5))

# %% slideshow={"slide_type": "fragment"}
fig, (ax_slice, ax_contour) = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
w_grid = np.linspace(*WB_BOUNDS[0], 200)
ax_slice.plot(w_grid, loss_at(np.column_stack([w_grid, np.full_like(w_grid, b_star)])))
ax_slice.axvline(w_star, color=COLORS["black"], linestyle="--", linewidth=1)
ax_slice.set(xlabel="$w$ (with $b = b^*$)", ylabel=r"$\mathcal{L}$", title="a slice: a parabola")
plot_loss_surface(
    loss_at, WB_BOUNDS, {"gradient descent, η = 0.1": gd_path}, ax=ax_contour, resolution=60
)
ax_contour.plot(w_star, b_star, "*", color=COLORS["black"], markersize=14)
ax_contour.set(xlabel="$w$", ylabel="$b$", title="contours of $\\mathcal{L}(w, b)$")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The gradient and its geometry
#
# The gradient collects the partial derivatives, one per parameter:
# $\nabla_\theta \mathcal{L} = \left(\frac{\partial \mathcal{L}}{\partial w},
# \frac{\partial \mathcal{L}}{\partial b}\right)$. For our line and the MSE,
#
# $$\frac{\partial \mathcal{L}}{\partial w} = \frac{2}{N}\sum_{i}(\hat y_i - y_i)\,x_i, \qquad
# \frac{\partial \mathcal{L}}{\partial b} = \frac{2}{N}\sum_{i}(\hat y_i - y_i).$$
#
# Geometrically: $\nabla \mathcal{L}$ points in the direction of **steepest increase**, its length is
# the slope in that direction, and it is **perpendicular to the contour line** through the point
# (along a contour the loss does not change). So $-\nabla\mathcal{L}$ is the steepest way down.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
theta = np.array([-1.0, 2.0])
model = linear_model(*theta)
model.zero_grad()
loss_fn(model(x1), y1)
model.backward(loss_fn.backward())
grad = np.array([model[0].dW[0, 0], model[0].db[0]])
residual = (theta[0] * x1 + theta[1] - y1)[:, 0]
by_formula = np.array([2 / N * np.sum(residual * x1[:, 0]), 2 / N * np.sum(residual)])
print("gradient at (w, b) = (-1, 2):", grad.round(4))
assert np.allclose(grad, by_formula, rtol=1e-12)  # backprop = the formula above, to 1e-12

# %% [markdown] slideshow={"slide_type": "fragment"}
# Is $-\nabla\mathcal{L}$ really the steepest way down? Try 360 unit directions $u$ and measure the
# slope $\frac{\mathcal{L}(\theta + h u) - \mathcal{L}(\theta - h u)}{2h}$ along each one:

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
angles = np.deg2rad(np.arange(360))
directions = np.column_stack([np.cos(angles), np.sin(angles)])  # (360, 2) unit vectors
h = 1e-5
slopes = (loss_at(theta + h * directions) - loss_at(theta - h * directions)) / (2 * h)
steepest = np.rad2deg(angles[np.argmin(slopes)])
minus_grad = np.rad2deg(np.arctan2(-grad[1], -grad[0])) % 360
print(
    f"steepest descent among 360 directions: {steepest:.0f}°; direction of -∇L: {minus_grad:.1f}°"
)
print(f"steepest slope {slopes.min():.4f} = -|∇L| = {-np.linalg.norm(grad):.4f}")
assert abs(steepest - minus_grad) <= 1.0  # the 1° grid finds -∇L's direction to within 1°
assert np.isclose(slopes.min(), -np.linalg.norm(grad), rtol=1e-3)  # slope = |∇L| cos(<1°)

# %% [markdown] slideshow={"slide_type": "subslide"}
# On an elongated bowl the picture is more instructive. Below, the ill-conditioned quadratic
# $f(x, y) = \frac{1}{2}(x^2 + 25\,y^2)$ from `dlcourse.scratch.landscapes`, with arrows along
# $-\nabla f$ (direction only) at points of the contour $f = 8$: every arrow crosses it at a right
# angle — and most arrows do **not** point at the minimum. Steepest descent is a local rule.

# %% slideshow={"slide_type": "-"}
QUAD = ILL_CONDITIONED_QUADRATIC
ax = plot_loss_surface(QUAD, levels=[0.5, 2, 8, 18, 32], resolution=120)
ax.get_legend().remove()
phi = np.linspace(0, 2 * np.pi, 16, endpoint=False)
on_contour = np.column_stack([4 * np.cos(phi), 0.8 * np.sin(phi)])  # points where f = 8
down = -QUAD.grad(on_contour)
down *= 0.7 / np.linalg.norm(down, axis=-1, keepdims=True)  # direction only
ax.quiver(
    *on_contour.T,
    *down.T,
    color=COLORS["vermillion"],
    angles="xy",
    scale_units="xy",
    scale=1,
    width=0.004,
)
ax.set(
    aspect="equal",
    xlabel="$x$",
    ylabel="$y$",
    title=r"$-\nabla f$ is perpendicular to the contours",
)
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Gradient descent and the step size (learning rate) $\eta$
#
# $$\theta^{(t+1)} = \theta^{(t)} - \eta\,\nabla_\theta\mathcal{L}\big(\theta^{(t)}\big)$$
#
# $\eta$ is the **step size** or **learning rate**. To see its effect in one dimension, fix $b = b^*$
# and let only $w$ learn. $\mathcal{L}(w)$ is then a parabola with curvature
# $\lambda = \mathcal{L}''(w) = \frac{2}{N}\sum_i x_i^2$, and one step maps the distance to the minimum
# $w - w^*$ to $(1 - \eta\lambda)(w - w^*)$. So
#
# - $\eta$ too small: $1-\eta\lambda$ close to 1, a slow crawl;
# - good: $|1-\eta\lambda|$ small ($\eta = 1/\lambda$ would land on $w^*$ in one step);
# - too large: $1-\eta\lambda < 0$, every step jumps over the minimum (oscillation), still converging;
# - divergent: $|1-\eta\lambda| > 1 \iff \eta > 2/\lambda$, the loss explodes.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
curvature = 2 / N * np.sum(x1**2)
print(
    f"curvature λ = {curvature:.4f}; best η = 1/λ = {1 / curvature:.4f}; "
    f"divergence above 2/λ = {2 / curvature:.4f}"
)
learning_rates = {"too small": 0.05, "good": 0.4, "too large": 0.9, "divergent": 1.05}


def descend_w(lr, steps=12):
    """GD on w alone (b fixed at b*): the visited values of w, (steps + 1,)."""
    model = linear_model(-1.0, b_star)
    optimizer = SGD([model[0].W], lr=lr)  # only W is updated
    path = [model[0].W[0, 0]]
    for _ in range(steps):
        model.zero_grad()
        loss_fn(model(x1), y1)
        model.backward(loss_fn.backward())
        optimizer.step([model[0].dW])
        path.append(model[0].W[0, 0])
    return np.array(path)


lr_paths = {label: descend_w(lr) for label, lr in learning_rates.items()}
for label, lr in learning_rates.items():
    w_path = lr_paths[label]
    print(
        f"η = {lr:<4} ({label:>9}): factor 1 - ηλ = {1 - lr * curvature:+.3f}; "
        f"|w - w*| after 12 steps: {abs(w_path[-1] - w_star):.3g}"
    )

# %% slideshow={"slide_type": "fragment"}
fig, axes = plt.subplots(1, 4, figsize=(11, 3.2), layout="constrained", sharey=True)
w_grid = np.linspace(-1.5, 4.8, 200)
parabola = loss_at(np.column_stack([w_grid, np.full_like(w_grid, b_star)]))
for ax, (label, lr) in zip(axes, learning_rates.items(), strict=True):
    w_path = lr_paths[label]
    ax.plot(w_grid, parabola, color="0.6")
    losses = loss_at(np.column_stack([w_path, np.full_like(w_path, b_star)]))
    ax.plot(w_path, losses, "o-", color=COLORS["vermillion"], markersize=4, linewidth=1)
    ax.set(title=f"η = {lr} ({label})", xlabel="$w$", xlim=(-1.5, 4.8), ylim=(0, 14))
axes[0].set_ylabel(r"$\mathcal{L}(w, b^*)$")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Full batch, stochastic and mini-batch gradient descent
#
# The loss is an average over samples, so is its gradient:
# $\nabla\mathcal{L} = \frac{1}{N}\sum_{i=1}^{N}\nabla \ell_i$. Computing it exactly costs $N$
# per-sample gradients for **one** step — too expensive for large $N$. Estimate it instead:
#
# | method | gradient of each step | cost per step |
# | --- | --- | --- |
# | full-batch GD | $\frac{1}{N}\sum_{i=1}^{N}\nabla\ell_i$ | $N$ |
# | stochastic GD (SGD) | $\nabla \ell_i$ for one random sample | $1$ |
# | mini-batch GD | $\frac{1}{B}\sum_{i \in \text{batch}}\nabla\ell_i$ | $B$ (typically 32–256) |
#
# One **epoch** is one pass over the data (shuffled each time). A mini-batch gradient is an unbiased
# but **noisy** estimate of the full gradient. (In PyTorch, "SGD" is the name of the optimizer
# whatever the batch size: the batch size is chosen by the `DataLoader`.)


# %% slideshow={"slide_type": "subslide"}
def minibatch_gradient(theta, batch):
    """The gradient (2,) of the mean MSE over the samples `batch` at θ = (w, b), by backprop."""
    model = linear_model(*theta)
    model.zero_grad()
    loss_fn(model(x1[batch]), y1[batch])
    model.backward(loss_fn.backward())
    return np.array([model[0].dW[0, 0], model[0].db[0]])


# %% [markdown] slideshow={"slide_type": "fragment"}
# **How noisy?** At the starting point, draw 300 mini-batches (without replacement) for each batch
# size $B$ and measure the mean squared distance to the full gradient. Sampling theory predicts
# $\mathbb{E}\,\lVert g_B - \nabla\mathcal{L}\rVert^2 = \frac{\sigma^2}{B}\cdot\frac{N-B}{N-1}$, where
# $\sigma^2 = \frac{1}{N}\sum_i \lVert\nabla\ell_i - \nabla\mathcal{L}\rVert^2$: the noise falls as $1/B$.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
rng = np.random.default_rng(0)
full = minibatch_gradient(theta, np.arange(N))
per_sample = np.array([minibatch_gradient(theta, [i]) for i in range(N)])  # (N, 2)
sigma2 = np.mean(np.sum((per_sample - full) ** 2, axis=1))
batch_sizes = np.array([1, 2, 4, 8, 16, 32, 64, 128])
measured = np.array(
    [
        np.mean(
            [
                np.sum((minibatch_gradient(theta, rng.choice(N, B, replace=False)) - full) ** 2)
                for _ in range(300)
            ]
        )
        for B in batch_sizes
    ]
)
predicted = sigma2 / batch_sizes * (N - batch_sizes) / (N - 1)
noise = pd.DataFrame({"B": batch_sizes, "measured": measured, "predicted": predicted})
print(noise.round(3).to_string(index=False))
assert np.all(np.abs(measured / predicted - 1) < 0.25)  # 300 draws: within 25% of theory


# %% slideshow={"slide_type": "subslide"}
def minibatch_sgd(batch_size, n_updates, lr=0.1, seed=0):
    """Mini-batch SGD on the one-gene model: path (n_updates + 1, 2) and samples used per step."""
    rng = np.random.default_rng(seed)
    model = linear_model(-1.0, 2.0)
    optimizer = SGD(model.parameters(), lr=lr)
    path, order, position = [weights(model)], rng.permutation(N), 0
    for _ in range(n_updates):
        if position + batch_size > N:  # a new epoch: reshuffle
            order, position = rng.permutation(N), 0
        batch = order[position : position + batch_size]
        position += batch_size
        model.zero_grad()
        loss_fn(model(x1[batch]), y1[batch])
        model.backward(loss_fn.backward())
        optimizer.step(model.gradients())
        path.append(weights(model))
    return np.array(path)


# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
batch_runs = {f"B = {B}": minibatch_sgd(B, n_updates=40) for B in (N, 32, 1)}
for name, path in batch_runs.items():
    B = int(name.split("= ")[1])
    print(
        f"{name:<8} 40 updates used {40 * B:>6} per-sample gradients; "
        f"final loss {loss_at(path[-1]):.4f}"
    )

# %% slideshow={"slide_type": "subslide"}
fig, (ax_noise, ax_path) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
ax_noise.loglog(batch_sizes, measured, "o", label="measured (300 draws)")
ax_noise.loglog(batch_sizes, predicted, "-", label=r"$\frac{\sigma^2}{B}\,\frac{N-B}{N-1}$")
ax_noise.set(
    xlabel="batch size $B$",
    ylabel=r"$E\,\|g_B - \nabla L\|^2$",
    title="mini-batch noise falls as 1/B",
)
ax_noise.legend()
plot_loss_surface(loss_at, WB_BOUNDS, batch_runs, ax=ax_path, resolution=60)
ax_path.set(xlabel="$w$", ylabel="$b$", title="40 updates, η = 0.1")
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# The trade-off: doubling $B$ halves the variance but doubles the cost of a step. Small batches make
# many cheap, noisy steps; the noise keeps SGD jittering around the minimum (a smaller or decaying
# $\eta$ is needed to settle), but it can also help to leave saddle points and narrow minima.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Momentum
#
# In a ravine the gradient points mostly *across* the valley: plain GD zig-zags and crawls along
# the floor. **Momentum** keeps a running sum of past gradients, a velocity $v$:
#
# $$v_{t+1} = \beta\, v_t + \nabla\mathcal{L}(\theta_t), \qquad \theta_{t+1} = \theta_t - \eta\, v_{t+1},
# \qquad v_0 = 0.$$
#
# Components that keep their sign (along the valley) add up; components that flip sign (across it)
# cancel. $\beta \in [0, 1)$ is the memory: $\beta = 0$ is plain GD, typical $\beta = 0.9$.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### One rule, three ways to write it
#
# - **The course deck**: $v \leftarrow \beta v + g$, $\ \theta \leftarrow \theta - \eta v$. This is
#   exactly `torch.optim.SGD(lr=η, momentum=β)` (its default `dampening=0`; torch's first step
#   sets $v = g$, which is the same as starting from $v_0 = 0$).
# - **Velocity with $\eta$ inside** (common in lecture notes): $v \leftarrow \beta v - \eta g$,
#   $\ \theta \leftarrow \theta + v$. Identical for a constant $\eta$: this $v$ is $-\eta$ times torch's.
# - **Moving average**: $v \leftarrow \beta v + (1-\beta) g$, $\ \theta \leftarrow \theta - \eta v$.
#   Its $v$ is $(1-\beta)$ times torch's, so it equals torch with `lr` $= \eta(1-\beta)$.
#
# The code below writes each form by hand and compares 50 steps on the quadratic with our `SGD`
# and with `torch.optim.SGD` (float64 on the CPU, so that any difference is the rule's, not rounding).


# %% slideshow={"slide_type": "subslide"}
def momentum_by_hand(lr, beta, steps, form):
    theta, v = QUAD.x0.copy(), np.zeros(2)
    path = [theta.copy()]
    for _ in range(steps):
        g = QUAD.grad(theta)
        if form == "deck":
            v = beta * v + g
            theta = theta - lr * v
        elif form == "velocity":
            v = beta * v - lr * g
            theta = theta + v
        else:  # "moving average"
            v = beta * v + (1 - beta) * g
            theta = theta - lr * v
        path.append(theta.copy())
    return np.array(path)


# %% slideshow={"slide_type": "subslide"}
def torch_path(make_torch_optimizer, landscape, steps):
    """The points visited by a torch.optim optimizer fed the landscape's gradient (float64, CPU)."""
    p = torch.tensor(landscape.x0, dtype=torch.float64, requires_grad=True)
    optimizer = make_torch_optimizer([p])
    path = [landscape.x0.copy()]
    for _ in range(steps):
        p.grad = torch.from_numpy(landscape.grad(p.detach().numpy()))
        optimizer.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
lr, beta = 0.02, 0.9
ours = trajectory(lambda params: SGD(params, lr=lr, momentum=beta), QUAD, steps=50)
torch_sgd = torch_path(lambda params: torch.optim.SGD(params, lr=lr, momentum=beta), QUAD, 50)
as_average = trajectory(
    lambda params: SGD(params, lr=lr * (1 - beta), momentum=beta), QUAD, steps=50
)
checks = {
    "deck form vs our SGD": (momentum_by_hand(lr, beta, 50, "deck"), ours),
    "velocity form vs our SGD": (momentum_by_hand(lr, beta, 50, "velocity"), ours),
    "our SGD vs torch.optim.SGD": (ours, torch_sgd),
    "moving average vs SGD(lr=η(1-β))": (momentum_by_hand(lr, beta, 50, "average"), as_average),
}
for name, (a, b) in checks.items():
    assert np.allclose(a, b, rtol=1e-12, atol=1e-14), name  # same rule: equal to rounding
    print(f"{name:<34} agree (rtol 1e-12) ✓")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The effective step $\eta/(1-\beta)$
#
# Where the gradient is roughly constant, $g$, the velocity builds up as a geometric series:
# $v_t = g\,(1 + \beta + \dots + \beta^{t-1}) = g\,\frac{1-\beta^t}{1-\beta} \to \frac{g}{1-\beta}$.
# Momentum therefore multiplies the step by up to $\frac{1}{1-\beta}$: with $\beta = 0.9$, ten times.
# Our `SGD` on a constant gradient:

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
p = np.zeros(1)
const = SGD([p], lr=0.01, momentum=0.9)
positions = [p.copy()]
for _ in range(100):
    const.step([np.ones(1)])  # g = 1 everywhere
    positions.append(p.copy())
step_over_lr = -np.diff(np.array(positions)[:, 0]) / 0.01  # |Δθ_t| / η
t = np.arange(1, 101)
for k in (1, 2, 5, 10, 50, 100):
    print(f"t = {k:>3}: step / η = {step_over_lr[k - 1]:.4f}")
print(f"limit 1 / (1 - β) = {1 / (1 - 0.9):.4f}")
assert np.allclose(step_over_lr, (1 - 0.9**t) / (1 - 0.9), rtol=1e-10)  # the geometric series

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Momentum in the ravine
#
# Same step size $\eta = 0.02$, with and without momentum, on $\frac{1}{2}(x^2 + 25y^2)$ from
# $(-5, 2)$. For a quadratic, theory also gives the best tuned settings (dashed): GD with
# $\eta = \frac{2}{\lambda_{\min}+\lambda_{\max}}$ shrinks the error by $\frac{\kappa-1}{\kappa+1}$ per
# step; momentum with $\eta = \frac{4}{(\sqrt{\lambda_{\max}}+\sqrt{\lambda_{\min}})^2}$,
# $\beta = \left(\frac{\sqrt\kappa-1}{\sqrt\kappa+1}\right)^2$ by $\frac{\sqrt\kappa-1}{\sqrt\kappa+1}$,
# where $\kappa = \lambda_{\max}/\lambda_{\min} = 25$.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
lam_min, lam_max = 1.0, 25.0
kappa = lam_max / lam_min
tuned_lr = 4 / (np.sqrt(lam_max) + np.sqrt(lam_min)) ** 2
tuned_beta = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
ravine = {
    "GD, η = 0.02": lambda params: SGD(params, lr=0.02),
    "momentum, η = 0.02, β = 0.9": lambda params: SGD(params, lr=0.02, momentum=0.9),
    "GD, tuned": lambda params: SGD(params, lr=2 / (lam_min + lam_max)),
    "momentum, tuned": lambda params: SGD(params, lr=tuned_lr, momentum=tuned_beta),
}
ravine_paths = {name: trajectory(make, QUAD, steps=100) for name, make in ravine.items()}
for name, path in ravine_paths.items():
    final = QUAD.f(path[-1])  # below 1e-20 we are at the level of rounding errors
    print(f"{name:<28} loss after 100 steps: {f'{final:.2e}' if final > 1e-20 else '< 1e-20'}")
print(
    f"contraction per step, tuned: GD {(kappa - 1) / (kappa + 1):.3f}, "
    f"momentum {(np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1):.3f}"
)

# %% slideshow={"slide_type": "subslide"}
fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
plot_loss_surface(QUAD, trajectories=dict(list(ravine_paths.items())[:2]), ax=ax_path)
ax_path.set(xlabel="$x$", ylabel="$y$", title="same η, with and without momentum")
for i, (name, path) in enumerate(ravine_paths.items()):
    ax_loss.plot(
        QUAD.f(path),
        color=COLORS[["blue", "vermillion"][i % 2]],
        linestyle="-" if i < 2 else "--",
        label=name,
    )
ax_loss.set(yscale="log", xlabel="step", ylabel="$f$", title="loss per step")
ax_loss.legend(fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# With the same $\eta$, momentum goes much further along the valley floor; with $\beta = 0.9$ it also
# overshoots and swings (a ball rolling in a bowl). Tuned, its advantage grows with the condition
# number: it depends on $\sqrt\kappa$ instead of $\kappa$.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. The limits of a fixed step
#
# - **One $\eta$ for every parameter.** The steepest direction caps $\eta$ below
#   $2/\lambda_{\max}$; the flattest direction then moves by only $\eta\lambda_{\min}$ of its distance
#   per step. The loss after 100 steps of GD against $\eta$ shows the squeeze: a cliff at
#   $2/\lambda_{\max}$ right next to the best value.
# - **Noise floor**: with mini-batches, a fixed $\eta$ keeps jittering around the minimum.
# - **Deep networks**: gradients can shrink (*vanishing*) or grow (*exploding*) from layer to layer,
#   so one global $\eta$ is too small for some layers and too large for others (notebook 05).

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
sweep = np.linspace(0.002, 0.0818, 120)
final_loss = np.array(
    [
        QUAD.f(trajectory(lambda params, lr=lr: SGD(params, lr=lr), QUAD, steps=100)[-1])
        for lr in sweep
    ]
)
best = sweep[np.argmin(final_loss)]
print(
    f"best η on the grid: {best:.4f}; theory 2/(λmin + λmax) = {2 / 26:.4f}; "
    f"divergence above 2/λmax = {2 / 25:.4f}"
)
assert abs(best - 2 / 26) < 0.002  # near the theory's optimum (100 steps are not infinitely many)

# %% slideshow={"slide_type": "fragment"}
fig, ax = plt.subplots(figsize=(7, 3.8))
ax.semilogy(sweep, final_loss)
ax.axvline(
    2 / 26,
    color=COLORS["bluish_green"],
    linestyle="--",
    label=r"best: $2/(\lambda_{min}+\lambda_{max})$",
)
ax.axvline(
    2 / 25, color=COLORS["vermillion"], linestyle="--", label=r"divergence: $2/\lambda_{max}$"
)
ax.set(
    xlabel="learning rate η",
    ylabel="loss after 100 steps",
    title="gradient descent on ½(x² + 25y²)",
)
ax.legend(fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# What if each coordinate had its own step, $\eta_k = 1/\lambda_k$? On this quadratic a single step
# then lands exactly on the minimum:

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
one_step = QUAD.x0 - np.array([1 / lam_min, 1 / lam_max]) * QUAD.grad(QUAD.x0)
print("start", QUAD.x0, "→ after one per-coordinate step:", one_step)
assert np.allclose(one_step, QUAD.minimum, atol=1e-12)

# %% [markdown] slideshow={"slide_type": "fragment"}
# We rarely know the curvatures, but we can *estimate the scale of each coordinate from the
# gradients seen so far*. That is the idea of the adaptive optimizers: AdaGrad, RMSProp, Adam.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. AdaGrad: a step that shrinks with the history
#
# AdaGrad divides each coordinate's step by the root of its **accumulated** squared gradients
# (operations element-wise):
#
# $$G_t = G_{t-1} + g_t \odot g_t, \qquad
# \theta_{t+1} = \theta_t - \frac{\eta}{\sqrt{G_t} + \epsilon}\odot g_t.$$
#
# Coordinates with large past gradients take small steps, rarely updated ones (e.g. rare features)
# keep larger steps. The first step has size $\eta$ in every coordinate, whatever the gradient's
# scale. But $G_t$ only grows, so the effective step $\eta/(\sqrt{G_t}+\epsilon)$ never increases —
# in a long training it shrinks towards zero and learning can stall. (Below it levels off only
# because the gradient vanishes at the minimum.) PyTorch: `torch.optim.Adagrad`, with
# $\epsilon = 10^{-10}$ outside the root.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
point = QUAD.x0.copy()
adagrad = AdaGrad([point], lr=0.5)
adagrad_path, effective_lr = [point.copy()], []
for _ in range(200):
    adagrad.step([QUAD.grad(point)])
    adagrad_path.append(point.copy())
    effective_lr.append(0.5 / (np.sqrt(adagrad.state[0]["sum"]) + adagrad.eps))
adagrad_path, effective_lr = np.array(adagrad_path), np.array(effective_lr)
print("first step |Δθ| per coordinate:", np.abs(adagrad_path[1] - adagrad_path[0]).round(6))
for k in (1, 10, 100, 200):
    print(f"t = {k:>3}: effective step η/(√G + ε) for (x, y) = {effective_lr[k - 1].round(4)}")

# %% slideshow={"slide_type": "fragment"}
fig, (ax_path, ax_lr) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
plot_loss_surface(QUAD, trajectories={"AdaGrad, η = 0.5": adagrad_path}, ax=ax_path)
ax_path.set(xlabel="$x$", ylabel="$y$", title="AdaGrad on the ravine")
ax_lr.loglog(np.arange(1, 201), effective_lr[:, 0], label="x (flat direction)")
ax_lr.loglog(np.arange(1, 201), effective_lr[:, 1], label="y (steep direction)")
ax_lr.set(
    xlabel="step $t$",
    ylabel=r"$\eta / (\sqrt{G_t} + \epsilon)$",
    title="effective step per coordinate",
)
ax_lr.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. RMSProp: a moving average instead of a sum
#
# RMSProp replaces AdaGrad's sum by an exponential **moving average** that forgets old gradients:
#
# $$s_t = \gamma\, s_{t-1} + (1-\gamma)\, g_t \odot g_t, \qquad
# \theta_{t+1} = \theta_t - \frac{\eta}{\sqrt{s_t} + \epsilon}\odot g_t, \qquad s_0 = 0.$$
#
# The step now tracks the *recent* gradient size and does not die out. **Conventions:** the deck
# writes the decay as $\gamma \approx 0.9$; PyTorch calls it `alpha` and its default is
# `alpha=0.99` (a longer memory: the average spans roughly $1/(1-\gamma)$ steps). Below: both,
# and AdaGrad, fed the same constant gradient $g = 2$.


# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
def steps_on_constant_gradient(make_optimizer, n_steps=1000, g=2.0):
    """|Δθ_t| / η for t = 1..n_steps when the gradient is always g (one parameter)."""
    p = np.zeros(1)
    optimizer = make_optimizer([p])
    positions = [0.0]
    for _ in range(n_steps):
        optimizer.step([np.array([g])])
        positions.append(p[0])
    return np.abs(np.diff(positions)) / optimizer.lr


constant = {
    "AdaGrad": steps_on_constant_gradient(lambda params: AdaGrad(params, lr=0.01)),
    "RMSProp, γ = 0.9 (deck)": steps_on_constant_gradient(
        lambda params: RMSProp(params, lr=0.01, alpha=0.9)
    ),
    "RMSProp, alpha = 0.99 (torch)": steps_on_constant_gradient(
        lambda params: RMSProp(params, lr=0.01)
    ),
}
t = np.arange(1, 1001)
print(
    pd.DataFrame(
        {name: s[[0, 1, 9, 99, 999]] for name, s in constant.items()},
        index=pd.Index([1, 2, 10, 100, 1000], name="t"),
    )
    .round(3)
    .to_string()
)
assert np.allclose(constant["AdaGrad"], 1 / np.sqrt(t), rtol=1e-9)  # √G_t = g √t
for name, gamma in (("RMSProp, γ = 0.9 (deck)", 0.9), ("RMSProp, alpha = 0.99 (torch)", 0.99)):
    assert np.allclose(constant[name], 1 / np.sqrt(1 - gamma**t), rtol=1e-6)  # √s_t = g √(1-γ^t)

# %% [markdown] slideshow={"slide_type": "fragment"}
# With a constant gradient $g$: AdaGrad's step is $\eta/\sqrt{t}$, forever shrinking; RMSProp's
# settles at $\eta$ (in units of $\operatorname{sign}(g)$). But because $s_0 = 0$, RMSProp's **first**
# steps are too large: $s_1 = (1-\gamma) g^2$ gives a first step of $\eta/\sqrt{1-\gamma}$, about
# $3.2\,\eta$ for $\gamma = 0.9$ and $10\,\eta$ for torch's $0.99$ (first row of the table above).

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(7, 3.8))
for name, s in constant.items():
    ax.loglog(t, s, label=name)
ax.set(xlabel="step $t$", ylabel=r"step size / $\eta$", title="constant gradient: step sizes")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 10. Adam: momentum + RMSProp + bias correction
#
# Adam keeps two moving averages: of the gradient (the **first moment**, a smoothed direction, like
# momentum) and of its square (the **second moment**, a scale per coordinate, like RMSProp):
#
# $$m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t\odot g_t,
# \qquad m_0 = v_0 = 0,$$
#
# $$\hat m_t = \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}, \qquad
# \theta_{t+1} = \theta_t - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.$$
#
# Defaults (the paper's and PyTorch's): $\beta_1 = 0.9$, $\beta_2 = 0.999$, $\epsilon = 10^{-8}$.
# **Bias correction**: averages that start at 0 are too small at first — for a constant $g$,
# $m_t = (1-\beta_1^t)\,g$ exactly. Dividing by $1-\beta^t$ removes that bias.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
p, g, lr = np.zeros(1), 2.0, 0.01
adam = Adam([p], lr=lr)  # betas (0.9, 0.999), eps 1e-8
rows = []
for step in range(1, 1001):
    before = p[0]
    adam.step([np.array([g])])
    m, v = adam.state[0]["exp_avg"][0], adam.state[0]["exp_avg_sq"][0]
    m_hat, v_hat = m / (1 - 0.9**step), v / (1 - 0.999**step)
    assert np.isclose(
        before - p[0], lr * m_hat / (np.sqrt(v_hat) + 1e-8), rtol=1e-12
    )  # the formula
    rows.append(
        {
            "t": step,
            "m": m,
            "m̂": m_hat,
            "v": v,
            "v̂": v_hat,
            "step/η": (before - p[0]) / lr,
            "step/η, uncorrected": m / (np.sqrt(v) + 1e-8),
        }
    )
adam_table = pd.DataFrame(rows).set_index("t")
print(adam_table.loc[[1, 2, 3, 5, 10, 100, 1000]].round(4).to_string())

# %% [markdown] slideshow={"slide_type": "fragment"}
# Read the table: $m_1 = 0.1\,g$ and $v_1 = 0.001\,g^2$ are far too small, but $\hat m_t = g$ and
# $\hat v_t = g^2$ from the very first step, so every step has size $\eta$. Without the correction,
# $m$ and $v$ are biased by different factors and the step is
# $\eta\,\frac{1-\beta_1^t}{\sqrt{1-\beta_2^t}}$: several times too large for hundreds of steps.

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(7, 3.8))
ax.semilogx(adam_table.index, adam_table["step/η"], label="Adam (bias-corrected)")
ax.semilogx(adam_table.index, adam_table["step/η, uncorrected"], label="without bias correction")
ax.semilogx(t, constant["RMSProp, alpha = 0.99 (torch)"], ":", label="RMSProp, alpha = 0.99")
ax.set(xlabel="step $t$", ylabel=r"step size / $\eta$", title="constant gradient: the first steps")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 11. A race on the landscapes of `dlcourse.scratch`
#
# Four 2-D test functions, each a different difficulty: a **ravine** (ill-conditioned quadratic), a
# curved flat valley (**Rosenbrock**), a **saddle** point started almost on its ridge, and several
# minima (**Himmelblau**). Each optimizer has one learning rate for all four (in practice we do not
# know the landscape in advance); 500 steps each.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
racers = {
    "GD, η = 0.002": lambda params: SGD(params, lr=0.002),
    "momentum, η = 0.002": lambda params: SGD(params, lr=0.002, momentum=0.9),
    "AdaGrad, η = 0.5": lambda params: AdaGrad(params, lr=0.5),
    "RMSProp, η = 0.01": lambda params: RMSProp(params, lr=0.01),
    "Adam, η = 0.1": lambda params: Adam(params, lr=0.1),
}
race = {
    land: {name: trajectory(make, LANDSCAPES[land], steps=500) for name, make in racers.items()}
    for land in LANDSCAPES
}
results = {}
for land, paths in race.items():
    f, f_min = LANDSCAPES[land].f, LANDSCAPES[land].f(LANDSCAPES[land].minimum)
    for name, path in paths.items():
        gap = f(path) - f_min
        arrived = np.flatnonzero(gap < 1e-3)
        results[(land, name)] = {
            "steps to f - f* < 1e-3": arrived[0] if arrived.size else "never",
            "f - f* after 500": f"{gap[-1]:.1e}" if gap[-1] > 1e-12 else "< 1e-12",
        }
print(pd.DataFrame(results).T.to_string())
gd_faster = trajectory(lambda params: SGD(params, lr=0.01), LANDSCAPES["rosenbrock"], steps=500)
print("GD with η = 0.01 on Rosenbrock diverges:", not np.isfinite(gd_faster[-1]).all())

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), layout="constrained")
for ax, (land, paths) in zip(axes.flat, race.items(), strict=True):
    plot_loss_surface(LANDSCAPES[land], trajectories=paths, ax=ax, levels=20)
    ax.set(title=LANDSCAPES[land].name, xlabel="", ylabel="")
    ax.get_legend().remove()
fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside right center", fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "fragment"}
# No optimizer wins everywhere. GD's single $\eta$ is capped by the steepest landscape (on
# Rosenbrock, $\eta = 0.01$ already diverges) and then crawls on the ravine and the saddle. Momentum
# rescues both. AdaGrad is fast early but stalls in Rosenbrock's long valley. RMSProp hovers at a
# distance of about $\eta$ (its steps never shrink). Adam is a robust default — the reason it is the
# usual first choice — but not the fastest on every problem.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 12. The race on a real model's training loss
#
# Now a real network: an MLP with 20 input genes, 16 tanh hidden units and one output predicting the
# target gene's expression (all 20 simulated genes, 300 samples), trained with mini-batches of 32
# for 60 epochs. Every optimizer starts from the **same weights** and sees the **same batches**;
# each has a learning rate in its usual range (PyTorch's defaults for RMSProp: `alpha=0.99`).

# %% slideshow={"slide_type": "subslide"}
X_all, y_all = X_genes.to_numpy(), y_target.to_numpy()[:, None]  # (300, 20), (300, 1)


def train_mlp(make_optimizer, epochs=60, batch_size=32, seed=0):
    """Training loss after each epoch (full data) of a 20-16-1 tanh MLP trained with our engine."""
    model = MLP([20, 16, 1], activation="tanh", rng=seed)
    optimizer, rng, losses = make_optimizer(model.parameters()), np.random.default_rng(seed), []
    for _ in range(epochs):
        order = rng.permutation(len(X_all))
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            model.zero_grad()
            loss_fn(model(X_all[batch]), y_all[batch])
            model.backward(loss_fn.backward())
            optimizer.step(model.gradients())
        losses.append(loss_fn(model(X_all), y_all))
    return np.array(losses)


# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
model_racers = {
    "SGD, η = 0.05": lambda params: SGD(params, lr=0.05),
    "momentum, η = 0.01, β = 0.9": lambda params: SGD(params, lr=0.01, momentum=0.9),
    "AdaGrad, η = 0.1": lambda params: AdaGrad(params, lr=0.1),
    "RMSProp, η = 0.005": lambda params: RMSProp(params, lr=0.005),
    "Adam, η = 0.01": lambda params: Adam(params, lr=0.01),
}
curves = {name: train_mlp(make) for name, make in model_racers.items()}
for name, losses in curves.items():
    print(
        f"{name:<28} training MSE after 5 epochs {losses[4]:.4f}, after 60 epochs {losses[-1]:.4f}"
    )

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(8, 4))
for name, losses in curves.items():
    ax.plot(np.arange(1, len(losses) + 1), losses, label=name)
ax.set(
    yscale="log", xlabel="epoch", ylabel="training MSE", title="20-16-1 MLP on simulated expression"
)
ax.legend(fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 13. Our optimizers take the same steps as `torch.optim`
#
# Each class in `dlcourse.scratch.optim` follows PyTorch's update rule and its order of operations.
# Check 1: on Rosenbrock, torch is given the same point and the same gradient as ours at each of 200
# steps, so its state sees the same history; each new point must match. Everything is float64 on
# the CPU: the question is whether the *rule* is the same, so rounding must not hide differences
# (float32 arithmetic or GPU kernels would add rounding differences of their own).

# %% slideshow={"slide_type": "subslide"}
configs = {  # name: (ours, torch's), with the same hyperparameters
    "SGD": (lambda p: SGD(p, lr=1e-3), lambda p: torch.optim.SGD(p, lr=1e-3)),
    "SGD momentum": (
        lambda p: SGD(p, lr=1e-3, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.9),
    ),
    "SGD Nesterov": (
        lambda p: SGD(p, lr=1e-3, momentum=0.9, nesterov=True),
        lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.9, nesterov=True),
    ),
    "AdaGrad": (lambda p: AdaGrad(p, lr=0.5), lambda p: torch.optim.Adagrad(p, lr=0.5)),
    "RMSProp γ=0.9": (
        lambda p: RMSProp(p, lr=0.01, alpha=0.9),
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9),
    ),
    "RMSProp α=0.99": (lambda p: RMSProp(p, lr=0.01), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    "Adam": (lambda p: Adam(p, lr=0.1), lambda p: torch.optim.Adam(p, lr=0.1)),
    "AdamW": (lambda p: AdamW(p, lr=0.1), lambda p: torch.optim.AdamW(p, lr=0.1)),
}

# %% slideshow={"slide_type": "subslide"} tags=["nbval-check-output"]
ROSEN = LANDSCAPES["rosenbrock"]
for name, (ours, theirs) in configs.items():
    path = trajectory(ours, ROSEN, steps=200)
    p = torch.tensor(ROSEN.x0, dtype=torch.float64, requires_grad=True)
    torch_optimizer = theirs([p])
    worst = 0.0
    for k in range(200):
        with torch.no_grad():
            p.copy_(torch.from_numpy(path[k]))  # same point as ours at step k
        p.grad = torch.from_numpy(ROSEN.grad(path[k]))  # same gradient
        torch_optimizer.step()
        worst = max(worst, np.abs(p.detach().numpy() - path[k + 1]).max())
    assert worst <= 1e-12, name  # float64: every step agrees to 1e-12 (points are of order 1)
    print(f"{name:<15} 200 steps, each within 1e-12 of torch.optim ✓")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Check 2, on the real model: the 20-16-1 MLP copied into `torch.nn` (`dlcourse.torch_bridge.to_torch`),
# 20 full-batch steps in each engine with three of the optimizers — our backprop and our update on
# one side, autograd and `torch.optim` on the other.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
X_t, y_t = torch.tensor(X_all), torch.tensor(y_all)  # float64, CPU
for name in ("SGD momentum", "RMSProp α=0.99", "Adam"):
    ours, theirs = configs[name]
    net = MLP([20, 16, 1], activation="tanh", rng=0)
    torch_net = to_torch(net)  # same weights, float64
    optimizer, torch_optimizer = ours(net.parameters()), theirs(torch_net.parameters())
    for _ in range(20):
        net.zero_grad()
        loss_fn(net(X_all), y_all)
        net.backward(loss_fn.backward())
        optimizer.step(net.gradients())
        torch_optimizer.zero_grad()
        torch.nn.functional.mse_loss(torch_net(X_t), y_t).backward()
        torch_optimizer.step()
    pairs = zip(net.parameters(), torch_net.parameters(), strict=True)
    gap = max(np.abs(ours_p - torch_p.detach().numpy()).max() for ours_p, torch_p in pairs)
    assert gap <= 1e-10, name  # float64: 20 steps of training agree to 1e-10
    print(f"{name:<15} 20 training steps on the MLP agree with torch to 1e-10 ✓")

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercises
#
# ### Exercise 1 — one momentum step (PyTorch's convention)
#
# Write `momentum_step(param, grad, velocity, lr, momentum)` returning `(new_param, new_velocity)`
# for one step of `torch.optim.SGD(lr=lr, momentum=momentum)`:
# $v \leftarrow \beta v + g$, then $\theta \leftarrow \theta - \eta v$. Arrays may have any shape.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def momentum_step(param, grad, velocity, lr, momentum):
    # YOUR CODE HERE
    return None


check_momentum_step(momentum_step)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def momentum_step(param, grad, velocity, lr, momentum):
    new_velocity = momentum * velocity + grad
    return param - lr * new_velocity, new_velocity


check_momentum_step(momentum_step)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 2 — one Adam step with bias correction
#
# Write `adam_step(param, grad, m, v, t, lr, beta1, beta2, eps)` returning
# `(new_param, new_m, new_v)`: update both moving averages, bias-correct them for step `t`
# (1 for the first step), and move the parameter as in section 10. Return the **uncorrected**
# `m` and `v` — they are the state carried to the next step. Then, for $g = 2$ at $t = 1$ with
# $m = v = 0$, compare your step with $\eta$: is it what the table of section 10 says?


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def adam_step(param, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    # YOUR CODE HERE
    return None


check_adam_step(adam_step)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def adam_step(param, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


check_adam_step(adam_step)
new_param, _, _ = adam_step(np.zeros(1), np.array([2.0]), np.zeros(1), np.zeros(1), t=1, lr=0.01)
print(f"first step / η = {-new_param[0] / 0.01:.6f} (bias correction: exactly one η, up to eps)")

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 3 — one epoch of mini-batch SGD
#
# Write `minibatch_epoch(w, b, x, y, lr, batch_size, seed)` for the one-gene model
# $\hat y = w x + b$ with torch's MSE. Shuffle once with
# `np.random.default_rng(seed).permutation(n)`, cut the shuffled samples into consecutive batches
# of `batch_size` (the last may be smaller), and after each batch take one step with the gradient of
# that batch's mean loss (section 3's formulas, on the batch). Return the final `(w, b)` as numbers.
# Then run 20 epochs on `x1[:, 0], y1[:, 0]` with batches of 32: how close do you get to
# $(w^*, b^*)$?


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def minibatch_epoch(w, b, x, y, lr, batch_size, seed):
    # YOUR CODE HERE
    return None


check_minibatch_epoch(minibatch_epoch)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def minibatch_epoch(w, b, x, y, lr, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(x))
    for start in range(0, len(x), batch_size):
        batch = order[start : start + batch_size]
        residual = w * x[batch] + b - y[batch]
        w, b = w - lr * 2 * np.mean(residual * x[batch]), b - lr * 2 * np.mean(residual)
    return w, b


check_minibatch_epoch(minibatch_epoch)
w_ex, b_ex = -1.0, 2.0
for epoch in range(20):
    w_ex, b_ex = minibatch_epoch(w_ex, b_ex, x1[:, 0], y1[:, 0], lr=0.1, batch_size=32, seed=epoch)
print(
    f"after 20 epochs: w = {w_ex:.3f}, b = {b_ex:.3f}; least squares: w* = {w_star:.3f}, b* = {b_star:.3f}"
)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary / key ideas
#
# - Learning = the loop **forward → loss → gradient → update**; the loss is a surface over the
#   parameters, and $-\nabla_\theta\mathcal{L}$ (perpendicular to the contours) is the locally steepest
#   way down — not necessarily towards the minimum.
# - The **step size / learning rate** $\eta$ decides everything: on a quadratic, GD converges iff
#   $\eta < 2/\lambda_{\max}$, and the flattest direction sets the speed.
# - **Mini-batches** give cheap, unbiased, noisy gradients; the noise variance falls as $1/B$.
# - **Momentum** accumulates gradients ($v \leftarrow \beta v + g$, PyTorch's and the deck's form):
#   up to $\eta/(1-\beta)$ per step along consistent directions, cancellation across a ravine.
# - **AdaGrad** (sum of $g^2$, shrinking steps), **RMSProp** (moving average, deck $\gamma\approx0.9$ vs
#   torch `alpha=0.99`), **Adam** (both moments, **bias correction** makes the first steps exactly
#   $\eta$-sized).
# - No optimizer wins on every landscape; Adam is the robust default. Our NumPy optimizers take the
#   same steps as `torch.optim` to 1e-12 — next, notebook 04 shows where the gradients come from.
