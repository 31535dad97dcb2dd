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
# **Previously:** a network computes $\hat y = f_\theta(x)$ layer by layer (notebook 02), with
# hand-set weights. Now it learns them.
#
# You will be able to
# 1. write the learning loop and read the [loss](GLOSSARY.md#loss) as a surface over the parameters;
# 2. say how the [learning rate](GLOSSARY.md#learning-rate) $\eta$ and the batch size shape the descent;
# 3. explain momentum, AdaGrad, RMSProp and Adam, and read a race between them.

# %% [markdown] slideshow={"slide_type": "skip"}
# [Open in Colab](https://colab.research.google.com/github/unipv-genomic-data-science/day3-deep-learning-foundations/blob/main/notebooks/03_gradient_descent.ipynb)

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room first: "if you were blindfolded on a hillside, how would you find the valley?" —
# feel the slope, step downhill. That is the whole notebook; the rest is how big a step and in
# which direction.

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

from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from dlcourse.data import simulate_expression_regression
from dlcourse.exercises import check_adam_step, check_minibatch_epoch, check_momentum_step
from dlcourse.explore import explore
from dlcourse.plots import COLORS, plot_loss_surface, set_style
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import (
    ILL_CONDITIONED_QUADRATIC,
    LANDSCAPES,
    SGD,
    AdaGrad,
    Adam,
    Dense,
    MSELoss,
    RMSProp,
    Sequential,
    trajectory,
)

seed_everything(0)
DEVICE = get_device()
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The learning loop
#
# Repeat: **forward pass** $\hat y = f_\theta(x)$ → **loss** $\mathcal{L}(\theta)$, e.g. the mean
# squared error $\frac{1}{N}\sum_i(\hat y_i - y_i)^2$ → **[gradient](GLOSSARY.md#gradient)**
# $\nabla_\theta\mathcal{L}$ (backpropagation, notebook 04) → **update**
# $\theta \leftarrow \theta - \eta\,\nabla_\theta\mathcal{L}$.
#
# Example (simulated): a target gene's expression from one regulator gene, 300 samples, with a
# line $\hat y = wx + b$. The regulator is *standardised* (mean 0, sd 1); the target is not.

# %% slideshow={"slide_type": "skip"} tags=["nbval-check-output"]
X_genes, y_target = simulate_expression_regression(n_samples=300, seed=0)
x_gene = X_genes[["GENE0001"]].to_numpy()  # (300, 1): the regulator, standardised
y_gene = y_target.to_numpy()[:, None]  # (300, 1): the target gene
w_star, b_star = np.polyfit(x_gene[:, 0], y_gene[:, 0], deg=1)  # least squares
print(f"variance: regulator {x_gene.var():.2f}, target {y_gene.var():.2f}")

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
line = Sequential(Dense(1, 1, rng=0))
line[0].W[...], line[0].b[...] = -1.0, 2.0  # start far from the minimum
mse_loss, line_optimizer = MSELoss(), SGD(line.parameters(), lr=0.1)
gd_path = [(-1.0, 2.0)]
for _ in range(100):
    line.zero_grad()
    mse_loss(line(x_gene), y_gene)  # forward pass and loss
    line.backward(mse_loss.backward())  # gradient
    line_optimizer.step(line.gradients())  # update
    gd_path.append((line[0].W[0, 0], line[0].b[0]))
print(f"GD {np.round(gd_path[-1], 4)}, least squares {np.round([w_star, b_star], 4)}")
assert np.allclose(gd_path[-1], [w_star, b_star], atol=1e-6)  # the minimum, to 1e-6

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the four comments in the loop: they are the four steps. The same four lines train every
# network of the day, PyTorch included (notebook 08). Least squares is the check: for a line the
# minimum is known in closed form.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The loss is a surface over the parameters
#
# Each $(w, b)$ has a loss; contour lines join equal losses. $-\nabla\mathcal{L}$ (arrows) is the
# locally steepest way down, perpendicular to the contour through its point: aimed at the
# minimum (★) only where the contours are circles, nearly the case here. For our line,
# $\partial\mathcal{L}/\partial w = \frac{2}{N}\sum_i(\hat y_i - y_i)x_i$ and
# $\partial\mathcal{L}/\partial b = \frac{2}{N}\sum_i(\hat y_i - y_i)$.


# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="MSE contours over (w, b), GD path, -∇L arrows"
def line_loss(wb):
    """MSE of ŷ = w x + b at every (w, b): wb (..., 2) -> (...)."""
    wb = np.asarray(wb)[..., None, :]
    return np.mean((wb[..., 0] * x_gene[:, 0] + wb[..., 1] - y_gene[:, 0]) ** 2, axis=-1)


def line_gradient(wb):
    """∇MSE at every (w, b): (..., 2) -> (..., 2), the formulas above."""
    wb = np.asarray(wb)[..., None, :]
    residual = wb[..., 0] * x_gene[:, 0] + wb[..., 1] - y_gene[:, 0]
    return np.stack([2 * np.mean(residual * x_gene[:, 0], -1), 2 * np.mean(residual, -1)], -1)


WB_BOUNDS = ((-1.5, 3.0), (-1.5, 2.5))
ax = plot_loss_surface(line_loss, WB_BOUNDS, {"gradient descent, η = 0.1": np.array(gd_path)})
ax.plot(w_star, b_star, "*", color=COLORS["black"], markersize=14)
arrow_at = np.stack(np.meshgrid(np.linspace(-1, 2.5, 5), np.linspace(-1, 2, 4)), -1).reshape(-1, 2)
down = -line_gradient(arrow_at)
down *= 0.35 / np.linalg.norm(down, axis=-1, keepdims=True)  # direction only
ax.quiver(*arrow_at.T, *down.T, color=COLORS["vermillion"], angles="xy", scale_units="xy", scale=1)
ax.set(
    aspect="equal",
    xlabel="$w$",
    ylabel="$b$",
    title=r"contours of $\mathcal{L}(w, b)$ and $-\nabla\mathcal{L}$",
)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# The contours are nearly circles because the regulator is standardised (mean 0, variance 0.99):
# $w$ and $b$ then have the same curvature, and GD heads almost straight for the star. Ask: what
# if $x$ had variance 25? The circles stretch into ellipses, the arrows no longer point at the
# minimum, and the path zig-zags: the ravine of the next slide.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The learning rate η
#
# Gradient descent on the *ravine* $f = \frac{1}{2}(x^2 + 25y^2)$, a valley curved 25 times more
# sharply across than along. Move the slider: η from 0.005 to 0.085.


# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="GD path on the ravine; loss per step"
RAVINE = ILL_CONDITIONED_QUADRATIC


def draw_descent(lr, momentum):
    """The ravine with the path of 60 steps of SGD(lr, momentum), and f per step."""
    path = trajectory(lambda params: SGD(params, lr=lr, momentum=momentum), RAVINE, steps=60)
    fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(10, 3.8), layout="tight")
    label = f"η = {lr:.3f}, β = {momentum:.2f}"
    plot_loss_surface(RAVINE, trajectories={label: path}, ax=ax_path, levels=12, resolution=40)
    ax_path.get_legend().remove()  # a diverging path fills the axes: the title names it instead
    ax_path.set(xlabel="$x$", ylabel="$y$", title=f"path on the ravine: {label}")
    with np.errstate(over="ignore", invalid="ignore"):
        ax_loss.semilogy(RAVINE.f(path), color=COLORS["blue"])
    ax_loss.set(xlabel="step", ylabel="$f$", title="loss per step", ylim=(1e-12, 1e6))
    return fig


explore(draw_descent, lr=(0.005, 0.085, 0.005, 0.07), momentum=(0.0, 0.95, 0.05, 0.0))

# %% [markdown] slideshow={"slide_type": "notes"}
# Live: drag η from 0.005 (a crawl) to 0.07 (fast, but zig-zags across the valley) to 0.085
# (explodes). Keep momentum at 0 for now; come back to it after the momentum slides.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The learning rate η (continued)
#
# Along a direction of curvature $\lambda$, a step multiplies the distance to the minimum by
# $1 - \eta\lambda$: **too small** $\eta$ crawls, a **good** one shrinks it fast, $\eta > 1/\lambda$
# overshoots (zig-zag), $\eta > 2/\lambda$ **diverges**. The ravine has $\lambda = 1$ and $25$:
# stable only for $\eta < 0.08$.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
for eta, regime in [(0.005, "too small"), (0.07, "good, zig-zags"), (0.085, "divergent")]:
    eta_path = trajectory(lambda params, eta=eta: SGD(params, lr=eta), RAVINE, steps=60)
    print(f"η = {eta:<5} ({regime:>14}): f after 60 steps = {RAVINE.f(eta_path[-1]):.1e}")

# %% [markdown] slideshow={"slide_type": "notes"}
# The numbers of the three regimes: 60 steps each. Ask: "why does the best η sit right next to
# the cliff?" — the steep direction caps η, the flat direction then sets the speed. At η = 0.07
# the steep factor is $1 - 25 \cdot 0.07 = -0.75$: it flips sign each step, hence the zig-zag.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Full batch, stochastic and mini-batch gradient descent
#
# $\nabla\mathcal{L} = \frac{1}{N}\sum_i \nabla\ell_i$ costs $N$ per-sample gradients per step.
# **SGD** uses one random sample, **mini-batch** GD the mean over $B$ samples (a
# [mini-batch](GLOSSARY.md#mini-batch), typically 32–256): an unbiased but noisy estimate whose
# variance falls as $1/B$. An [epoch](GLOSSARY.md#epoch) is one pass over the shuffled data.
# (PyTorch calls its optimizer `SGD` whatever $B$: the `DataLoader` sets the batch size.)

# %% [markdown] slideshow={"slide_type": "fragment"}
# Small batches: many cheap, noisy steps. With a fixed $\eta$ the parameters keep jittering
# around the minimum; a decaying $\eta$ lets them settle. Noise can push them off a saddle point
# (deep dive below); that it favours "wide" minima is a hypothesis, not shown here.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask: "B = 1 costs 1/300 of a full step — is it 300 times faster?" Per update yes, but each
# update is noisier; what matters is progress per computed gradient. Common confusion: PyTorch's
# `SGD` is the update rule, not a promise that B = 1.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Mini-batch noise, measured
#
# Left: the gradient's noise against $B$. Right: 40 updates from one start with $B = 300$, 32, 1.


# %% slideshow={"slide_type": "-"} tags=["hide-code", "nbval-check-output"] alt="Noise vs B; SGD paths"
def batch_gradient(wb, rows):
    """Mean gradient over the samples `rows` at wb = (w, b): (2,)."""
    residual = wb[0] * x_gene[rows, 0] + wb[1] - y_gene[rows, 0]
    return np.array([2 * np.mean(residual * x_gene[rows, 0]), 2 * np.mean(residual)])


def sampled_path(batch_size, n_updates=40, lr=0.1, seed=0):
    rng, wb = np.random.default_rng(seed), np.array([-1.0, 2.0])
    path = [wb]
    for _ in range(n_updates):
        wb = wb - lr * batch_gradient(wb, rng.choice(len(x_gene), batch_size, replace=False))
        path.append(wb)
    return np.array(path)


N = len(x_gene)
start, rng = np.array([-1.0, 2.0]), np.random.default_rng(0)
full = batch_gradient(start, np.arange(N))
sigma2 = np.mean([np.sum((batch_gradient(start, [i]) - full) ** 2) for i in range(N)])
batch_sizes = np.array([1, 2, 4, 8, 16, 32, 64, 128])
measured = [
    np.mean(
        [
            np.sum((batch_gradient(start, rng.choice(N, B, replace=False)) - full) ** 2)
            for _ in range(300)
        ]
    )
    for B in batch_sizes
]
predicted = sigma2 / batch_sizes * (N - batch_sizes) / (N - 1)  # sampling without replacement
assert np.all(np.abs(measured / predicted - 1) < 0.25)  # 300 draws: within 25% of theory
print("measured / predicted noise, B = 1 … 128:", np.round(measured / predicted, 2))
fig, (ax_noise, ax_path) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
ax_noise.loglog(batch_sizes, measured, "o", label="measured (300 draws)")
ax_noise.loglog(batch_sizes, predicted, "-", label=r"$\frac{\sigma^2}{B}\,\frac{N-B}{N-1}$")
ax_noise.set(
    xlabel="batch size $B$",
    ylabel=r"$E\,\|g_B - \nabla\mathcal{L}\|^2$",
    title="noise falls as 1/B",
)
ax_noise.legend()
paths = {f"B = {B}": sampled_path(B) for B in (N, 32, 1)}
plot_loss_surface(line_loss, WB_BOUNDS, paths, ax=ax_path, resolution=60)
ax_path.set(xlabel="$w$", ylabel="$b$", title="40 updates, η = 0.1")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# The measured noise follows the formula within 25 % at every $B$ (the cell checks it). On the
# right, $B = 1$ wanders widely, $B = 32$ is close to the full-batch path at a tenth of its cost
# per update. Ask: which path would you pick if each gradient cost one hour of compute?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Momentum
#
# At $\eta = 0.07$ GD zig-zags across the ravine ($1 - 25\eta = -0.75$) and crawls along it
# ($1 - \eta = 0.93$). **[Momentum](GLOSSARY.md#momentum)** (Polyak 1964) keeps a velocity:
#
# $$v \leftarrow \beta v + \nabla\mathcal{L}(\theta), \qquad \theta \leftarrow \theta - \eta v
# \qquad (= \texttt{torch.optim.SGD(lr}=\eta\texttt{, momentum}=\beta\texttt{)}).$$
#
# Steps that agree add up (up to $\eta/(1-\beta)$ on a constant slope); steps that flip cancel.
# A heavy ball: with too much $\beta$ it is **underdamped**, swinging with an amplitude that
# shrinks only by $\sqrt\beta$ per step.


# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
def momentum_path(beta, steps=100):
    """The ravine path of SGD(lr=0.07, momentum=beta): (steps + 1, 2)."""
    return trajectory(lambda q: SGD(q, lr=0.07, momentum=beta), RAVINE, steps=steps)


momentum_runs = {beta: momentum_path(beta) for beta in (0.0, 0.6, 0.9)}
for beta, beta_path in momentum_runs.items():
    print(f"η = 0.07, β = {beta}: f after 100 steps = {RAVINE.f(beta_path[-1]):.1e}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Picture a heavy ball rolling in the valley: across it, successive gradients point in opposite
# directions and cancel in $v$; along it, they agree and add up. Ask: what is the largest step on
# a constant slope with $\beta = 0.9$? Ten times $\eta$ times the gradient.

# %% slideshow={"slide_type": "skip"}
assert np.all(np.diff(np.sign(momentum_runs[0.0][:, 1])) != 0)  # GD: y flips sign at every step
assert RAVINE.f(momentum_runs[0.6][-1]) < 1e-6 * RAVINE.f(momentum_runs[0.0][-1])
assert RAVINE.f(momentum_runs[0.9][-1]) > RAVINE.f(momentum_runs[0.0][-1])  # swings: behind GD

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Momentum (continued)
#
# $\beta = 0.6$ (near critical damping) wins by far; $\beta = 0.9$ overshoots, its loss follows
# $\beta^t$ and ends behind plain GD.


# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="GD vs momentum 0.6, 0.9: paths, losses"
fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
labels = {beta: "GD" if beta == 0 else f"momentum β = {beta}" for beta in momentum_runs}
plot_loss_surface(
    RAVINE, trajectories={labels[b]: p[:40] for b, p in momentum_runs.items()}, ax=ax_path
)
ax_path.set(xlabel="$x$", ylabel="$y$", title="η = 0.07, first 40 steps")
step_index = np.arange(101)
for i, (beta, beta_path) in enumerate(momentum_runs.items()):
    ax_loss.semilogy(
        RAVINE.f(beta_path),
        color=COLORS[["blue", "vermillion", "bluish_green"][i]],
        label=labels[beta],
    )
    if beta > 0:
        ax_loss.semilogy(
            RAVINE.f(RAVINE.x0) * beta**step_index, "--", color="black", lw=1, zorder=3
        )
ax_loss.set(xlabel="step $t$", ylabel="$f$", title=r"loss; dashed: $f_0\,\beta^t$")
ax_loss.legend(fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# The common confusion: "more momentum is always faster". Per direction the heavy ball is a damped
# oscillator, x_{t+1} = x_t − ηλx_t + β(x_t − x_{t−1}); its two roots multiply to β, so once they
# are complex (underdamped) both have modulus √β. Critical damping for the flat direction here is
# β = (1 − √(ηλ_min))² ≈ 0.54. Go back to the exploration and try β = 0.6 and β = 0.9 at η = 0.07.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — momentum in three notations, and our optimizers against `torch.optim`
#
# > **Deep dive — optional.** The notations of momentum and RMSProp you will meet, and proof that
# > our NumPy optimizers take exactly torch's steps; the rest of the notebook does not need it.
#
# - **Lecture / PyTorch**: $v \leftarrow \beta v + g$, $\theta \leftarrow \theta - \eta v$ (torch's
#   `SGD` with its default `dampening=0`; its first step sets $v = g$, the same as $v_0 = 0$).
# - **Velocity with η inside**: $v \leftarrow \beta v - \eta g$, $\theta \leftarrow \theta + v$:
#   identical for a constant $\eta$ (this $v$ is $-\eta$ times torch's).
# - **Moving average**: $v \leftarrow \beta v + (1-\beta) g$: torch with `lr` $= \eta(1-\beta)$.
#
# RMSProp: the lecture writes its decay $\gamma \approx 0.9$; torch calls it `alpha`, default 0.99.
# Below, each rule by hand against our `SGD`, then every optimizer (both RMSProp decays, Nesterov,
# AdamW included) fed the same point and gradient as torch for 200 steps on Rosenbrock, in float64
# on the CPU so that only a different *rule* could show.


# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
def momentum_by_hand(lr, beta, steps, form):
    theta, v, path = RAVINE.x0.copy(), np.zeros(2), [RAVINE.x0.copy()]
    for _ in range(steps):
        g = RAVINE.grad(theta)
        if form == "velocity":
            v = beta * v - lr * g
            theta = theta + v
        else:  # "lecture" (v = βv + g) or "average" (v = βv + (1 - β)g)
            v = beta * v + (g if form == "lecture" else (1 - beta) * g)
            theta = theta - lr * v
        path.append(theta.copy())
    return np.array(path)


ours = trajectory(lambda params: SGD(params, lr=0.02, momentum=0.9), RAVINE, steps=50)
as_average = trajectory(lambda params: SGD(params, lr=0.002, momentum=0.9), RAVINE, steps=50)
assert np.allclose(momentum_by_hand(0.02, 0.9, 50, "lecture"), ours, rtol=1e-12, atol=1e-14)
assert np.allclose(momentum_by_hand(0.02, 0.9, 50, "velocity"), ours, rtol=1e-12, atol=1e-14)
assert np.allclose(momentum_by_hand(0.02, 0.9, 50, "average"), as_average, rtol=1e-12, atol=1e-14)
print("three notations of momentum = our SGD (rtol 1e-12) ✓")

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
import torch

from dlcourse.scratch import AdamW

torch_pairs = {  # name: (ours, torch's), same hyperparameters
    "SGD": (lambda q: SGD(q, lr=1e-3), lambda q: torch.optim.SGD(q, lr=1e-3)),
    "SGD momentum": (
        lambda q: SGD(q, lr=1e-3, momentum=0.9),
        lambda q: torch.optim.SGD(q, lr=1e-3, momentum=0.9),
    ),
    "SGD Nesterov": (
        lambda q: SGD(q, lr=1e-3, momentum=0.9, nesterov=True),
        lambda q: torch.optim.SGD(q, lr=1e-3, momentum=0.9, nesterov=True),
    ),
    "AdaGrad": (lambda q: AdaGrad(q, lr=0.5), lambda q: torch.optim.Adagrad(q, lr=0.5)),
    "RMSProp γ=0.9": (
        lambda q: RMSProp(q, lr=0.01, alpha=0.9),
        lambda q: torch.optim.RMSprop(q, lr=0.01, alpha=0.9),
    ),
    "RMSProp α=0.99": (lambda q: RMSProp(q, lr=0.01), lambda q: torch.optim.RMSprop(q, lr=0.01)),
    "Adam": (lambda q: Adam(q, lr=0.1), lambda q: torch.optim.Adam(q, lr=0.1)),
    "AdamW": (lambda q: AdamW(q, lr=0.1), lambda q: torch.optim.AdamW(q, lr=0.1)),
}
ROSEN = LANDSCAPES["rosenbrock"]
for name, (make_ours, make_torch) in torch_pairs.items():
    ours_path = trajectory(make_ours, ROSEN, steps=200)
    point = torch.tensor(ROSEN.x0, dtype=torch.float64, requires_grad=True)
    torch_optimizer = make_torch([point])
    worst = 0.0
    for k in range(200):
        with torch.no_grad():
            point.copy_(torch.from_numpy(ours_path[k]))  # the same point as ours at step k
        point.grad = torch.from_numpy(ROSEN.grad(ours_path[k]))  # the same gradient
        torch_optimizer.step()
        worst = max(worst, np.abs(point.detach().numpy() - ours_path[k + 1]).max())
    assert worst <= 1e-12, name  # float64: every step agrees to 1e-12 (points are of order 1)
    print(f"{name:<15} 200 steps within 1e-12 of torch.optim ✓")

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercise 1 — one momentum step
#
# Write `momentum_step(param, grad, velocity, lr, momentum)` returning `(new_param, new_velocity)`
# for one step of `torch.optim.SGD(lr=lr, momentum=momentum)`: $v \leftarrow \beta v + g$, then
# $\theta \leftarrow \theta - \eta v$. Arrays may have any shape.

# %% [markdown] slideshow={"slide_type": "notes"}
# Two minutes. The usual mistake is updating θ with the *old* velocity; the check names it.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def momentum_step(param, grad, velocity, lr, momentum):
    # YOUR CODE HERE
    return None


check_momentum_step(momentum_step)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def momentum_step(param, grad, velocity, lr, momentum):
    new_velocity = momentum * velocity + grad
    return param - lr * new_velocity, new_velocity


assert check_momentum_step(momentum_step)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Adaptive steps: AdaGrad, RMSProp, Adam
#
# One $\eta$ for all coordinates is capped by the steepest. Instead, divide each coordinate's
# step by its own gradient scale (element-wise; $\epsilon$ avoids $\div 0$):
#
# - **AdaGrad** (Duchi et al. 2011): $G \leftarrow G + g^2$,
#   $\ \theta \leftarrow \theta - \eta\,g/(\sqrt{G} + \epsilon)$: steps only shrink.
# - **RMSProp** (Hinton 2012): $s \leftarrow \gamma s + (1-\gamma) g^2$,
#   $\ \theta \leftarrow \theta - \eta\,g/(\sqrt{s} + \epsilon)$
#   ($\gamma \approx 0.9$; torch `alpha=0.99`).
# - **Adam** (Kingma & Ba 2015): $m \leftarrow \beta_1 m + (1-\beta_1) g$,
#   $\ v \leftarrow \beta_2 v + (1-\beta_2) g^2$,
#   $\ \theta \leftarrow \theta - \eta\,\hat m/(\sqrt{\hat v} + \epsilon)$
#   with $\hat m = \frac{m}{1-\beta_1^t}$, $\hat v = \frac{v}{1-\beta_2^t}$.
#
# **Bias correction:** $m_0 = v_0 = 0$, so uncorrected, Adam's first step is
# $\frac{0.1}{\sqrt{0.001}}\eta \approx 3.2\,\eta$; corrected, $\eta$. A per-coordinate scale is a
# **diagonal preconditioner**: it fixes ravines along the axes, not tilted ones.

# %% [markdown] slideshow={"slide_type": "notes"}
# Adam = momentum (m) + RMSProp (v) + bias correction. Ask: "what would the per-coordinate scale do
# if the valley ran diagonally?" — it cannot help, since neither axis is the steep one. The race
# tests exactly that.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — the first steps on a constant gradient
#
# > **Deep dive — optional.** How AdaGrad, RMSProp (both decays) and Adam (with and without bias
# > correction) size their steps when the gradient never changes; the rest does not need it.


# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
def steps_on_constant_gradient(make_optimizer, n_steps=1000, g=2.0):
    """|Δθ_t| / η for t = 1..n_steps when the gradient is always g (one parameter)."""
    theta = np.zeros(1)
    optimizer = make_optimizer([theta])
    positions = [0.0]
    for _ in range(n_steps):
        optimizer.step([np.array([g])])
        positions.append(theta[0])
    return np.abs(np.diff(positions)) / optimizer.lr


step_t = np.arange(1, 1001)
constant = {
    "AdaGrad": steps_on_constant_gradient(lambda q: AdaGrad(q, lr=0.01)),
    "RMSProp γ = 0.9": steps_on_constant_gradient(lambda q: RMSProp(q, lr=0.01, alpha=0.9)),
    "RMSProp α = 0.99": steps_on_constant_gradient(lambda q: RMSProp(q, lr=0.01)),
    "Adam": steps_on_constant_gradient(lambda q: Adam(q, lr=0.01)),
    "Adam uncorrected": (1 - 0.9**step_t) / np.sqrt(1 - 0.999**step_t),  # m/√v, by formula
}
table = pd.DataFrame(
    {k: v[[0, 1, 9, 99, 999]] for k, v in constant.items()}, index=[1, 2, 10, 100, 1000]
)
print(table.rename_axis("t").round(3).to_string())
assert np.allclose(constant["AdaGrad"], 1 / np.sqrt(step_t), rtol=1e-9)  # √G_t = g √t
assert np.allclose(constant["RMSProp γ = 0.9"], 1 / np.sqrt(1 - 0.9**step_t), rtol=1e-6)
assert np.allclose(constant["Adam"], 1.0, rtol=1e-6)  # bias-corrected: every step is η

# %% [markdown] slideshow={"slide_type": "-"} tags=["deep-dive"]
# AdaGrad's step falls as $\eta/\sqrt t$. RMSProp's first step is $\eta/\sqrt{1-\gamma}$ ($3.2\,\eta$
# for $\gamma = 0.9$, $10\,\eta$ for torch's 0.99) because $s_0 = 0$ and it has no bias
# correction. Adam's corrected step is $\eta$ from the start; uncorrected it would be too large for
# hundreds of steps.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A race on five landscapes
#
# 500 steps, one $\eta$ per optimizer for all landscapes (GD and momentum 0.002, AdaGrad 0.5,
# RMSProp 0.01, Adam 0.1), on: the ravine, the ravine **rotated by 45°**, Rosenbrock's curved
# valley, a saddle (started near its ridge), Himmelblau's four minima. Table: first step with
# $f - f^\star < 10^{-3}$.

# %% slideshow={"slide_type": "skip"}
ROTATE = np.array([[1.0, -1.0], [1.0, 1.0]]) / np.sqrt(2)  # rotation by 45°: f_rot(p) = f(Rᵀp)
ROTATED_RAVINE = replace(  # a copy of the ravine with these fields changed
    RAVINE,
    name="rotated ravine",
    f=lambda xy: RAVINE.f(xy @ ROTATE),
    grad=lambda xy: RAVINE.grad(xy @ ROTATE) @ ROTATE.T,
    x0=ROTATE @ RAVINE.x0,
    bounds=((-6, 6), (-6, 6)),
)
landscapes = {"ravine": RAVINE, "rotated": ROTATED_RAVINE} | {
    L.name: L for L in (LANDSCAPES["rosenbrock"], LANDSCAPES["saddle"], LANDSCAPES["multimodal"])
}


def steps_to_target(landscape, path, tol=1e-3):
    hit = np.flatnonzero(landscape.f(path) - landscape.f(landscape.minimum) < tol)
    return hit[0] if hit.size else np.nan


racers = {
    "GD": lambda q: SGD(q, lr=0.002),
    "momentum": lambda q: SGD(q, lr=0.002, momentum=0.9),
    "AdaGrad": lambda q: AdaGrad(q, lr=0.5),
    "RMSProp": lambda q: RMSProp(q, lr=0.01),
    "Adam": lambda q: Adam(q, lr=0.1),
}
race = {
    k: {name: trajectory(make, L, steps=500) for name, make in racers.items()}
    for k, L in landscapes.items()
}
first_hit = pd.DataFrame(
    {k: {name: steps_to_target(L, race[k][name]) for name in racers} for k, L in landscapes.items()}
).astype("Int64")

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
print(first_hit.astype("string").fillna("never").to_string())

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the table before the figure: a number is the first step within $10^{-3}$ of the minimum,
# "never" means not within 500 steps. Ask the room to bet on a winner before showing the next
# slide. Each optimizer keeps one learning rate across all five landscapes, as in real training
# where the landscape is unknown.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A race on five landscapes (continued)


# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Five optimizers on five landscapes"
fig, axes = plt.subplots(2, 3, figsize=(12, 6.5), layout="constrained")
for ax, (land, paths) in zip(axes.flat, race.items(), strict=False):
    plot_loss_surface(landscapes[land], trajectories=paths, ax=ax, levels=20, resolution=100)
    ax.set(title=landscapes[land].name, xlabel="", ylabel="")
    ax.get_legend().remove()
axes.flat[-1].axis("off")
axes.flat[-1].legend(*axes.flat[0].get_legend_handles_labels(), loc="center", fontsize=11)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Compare the two ravines (top left, top middle): the same valley, turned by 45°. GD and momentum
# trace the same path, turned; the adaptive methods do not, because they rescale along the axes.
# Himmelblau's four minima all have $f = 0$: reaching any of them counts as reaching the target.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What this race shows — and what it does not
#
# - Only **momentum** reaches the target on all five landscapes.
# - **AdaGrad** is fastest on the saddle and Himmelblau; **Adam** on the ravine, but it misses
#   Rosenbrock's target. Plain GD reaches only Himmelblau's.
# - **Rotated ravine:** GD and momentum unchanged (same losses); AdaGrad and RMSProp miss the
#   target, Adam needs over 3× more steps: a diagonal preconditioner helps only along the axes.
#
# Five toy landscapes, one $\eta$ each: no general ranking.

# %% slideshow={"slide_type": "skip"} tags=["nbval-check-output"]
reaches, fastest = first_hit.notna(), first_hit.idxmin()
assert list(reaches.index[reaches.all(axis=1)]) == ["momentum"]
assert fastest["saddle"] == fastest["Himmelblau"] == "AdaGrad" and fastest["ravine"] == "Adam"
assert not reaches.loc["Adam", "Rosenbrock"] and reaches.loc["GD"].sum() == 1  # GD: Himmelblau
for name in ("GD", "momentum"):  # rotation-invariant: exactly the same losses
    assert np.allclose(RAVINE.f(race["ravine"][name]), ROTATED_RAVINE.f(race["rotated"][name]))
assert not reaches.loc[["AdaGrad", "RMSProp"], "rotated"].any()
slower = first_hit.loc["Adam", "rotated"] / first_hit.loc["Adam", "ravine"]
print(f"rotated ravine: GD, momentum unchanged; Adam needs {slower:.1f}× more steps")
assert slower > 3

# %% [markdown] slideshow={"slide_type": "notes"}
# Keep the two kinds of statement apart: the bullets are what *this table* shows; what people use
# in practice is the next slide, and it rests on much more evidence than a 2-D race. Point at the
# rotated panel: real loss surfaces have no reason to align their valleys with our parameter axes.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — the race on a real model
#
# > **Deep dive — optional.** The optimizers on a small network's loss, done with several seeds, a
# > learning-rate sweep and validation data; the rest of the notebook does not need it.
#
# A 20-16-1 tanh MLP predicts the target gene from all 20 simulated genes (300 samples: 200 for
# training, 100 for validation, a new random split and initialisation per seed), mini-batches of 32,
# 60 epochs. Each optimizer gets three learning rates; the best one is **chosen on seeds 0–4** and
# then **reported on fresh seeds 5–9**, so the selection does not flatter it.

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
from dlcourse.scratch import MLP
from dlcourse.stats import paired_difference

X_all, y_all = X_genes.to_numpy(), y_target.to_numpy()[:, None]  # (300, 20), (300, 1)


def train_and_validate(make_optimizer, lr, seed, epochs=60, batch_size=32):
    """(training MSE, validation MSE) of a 20-16-1 tanh MLP after `epochs` of mini-batch training."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X_all))
    train, val = order[:200], order[200:]
    net = MLP([20, 16, 1], activation="tanh", rng=seed)
    optimizer = make_optimizer(net.parameters(), lr)
    for _ in range(epochs):
        shuffled = rng.permutation(train)
        for begin in range(0, len(shuffled), batch_size):
            batch = shuffled[begin : begin + batch_size]
            net.zero_grad()
            mse_loss(net(X_all[batch]), y_all[batch])
            net.backward(mse_loss.backward())
            optimizer.step(net.gradients())
    return mse_loss(net(X_all[train]), y_all[train]), mse_loss(net(X_all[val]), y_all[val])


sweep = {
    "SGD": (lambda q, lr: SGD(q, lr=lr), (0.01, 0.03, 0.1)),
    "momentum": (lambda q, lr: SGD(q, lr=lr, momentum=0.9), (0.003, 0.01, 0.03)),
    "AdaGrad": (lambda q, lr: AdaGrad(q, lr=lr), (0.03, 0.1, 0.3)),
    "RMSProp": (lambda q, lr: RMSProp(q, lr=lr), (0.001, 0.003, 0.01)),
    "Adam": (lambda q, lr: Adam(q, lr=lr), (0.003, 0.01, 0.03)),
}
rows, reported = [], {}
for name, (make, rates) in sweep.items():
    tuning = {  # (train MSE, val MSE) per learning rate, mean over seeds 0-4
        lr: np.mean([train_and_validate(make, lr, s) for s in range(5)], axis=0) for lr in rates
    }
    best_lr = min(rates, key=lambda lr: tuning[lr][1])  # lowest validation MSE
    runs = np.array([train_and_validate(make, best_lr, s) for s in range(5, 10)])
    reported[name] = runs[:, 1]
    rows.append(
        {
            "optimizer": name,
            "η chosen": best_lr,
            "train MSE": runs[:, 0].mean(),
            "val MSE": runs[:, 1].mean(),
            "val sd": runs[:, 1].std(ddof=1),
            "η largest: train": tuning[rates[-1]][0],
            "val": tuning[rates[-1]][1],
        }
    )
print(pd.DataFrame(rows).set_index("optimizer").round(3).to_string())
print("noise variance 0.090; variance of the target", round(float(y_all.var()), 2))
adam_vs_sgd = paired_difference(reported["Adam"], reported["SGD"])
print(
    "validation MSE, Adam − SGD:",
    adam_vs_sgd,
    "→",
    adam_vs_sgd.verdict("Adam", "SGD", better="lower"),
)
assert adam_vs_sgd.covers(0.0)  # the text below says "no clear difference"
overfit = pd.DataFrame(rows).set_index("optimizer")
assert (overfit["η largest: train"] < 0.09).all() and (overfit["val"] > overfit["val MSE"]).all()

# %% [markdown] slideshow={"slide_type": "-"} tags=["deep-dive"]
# Read it with care: once its learning rate is tuned, each optimizer reaches a similar validation
# MSE (Adam vs SGD: no clear difference), far above the noise variance 0.09. The largest learning
# rate of each sweep fits the *training* data best — training MSE below the noise variance 0.09,
# so it fits noise — and validates worse: with 200 samples and 20 genes this network overfits
# (notebook 07), and its training loss is not the quantity to race on. Five seeds, one small task:
# no general ranking.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — noise can push off a saddle point
#
# > **Deep dive — optional.** Evidence for the mini-batch slide's saddle-point remark; nothing
# > later uses it.
#
# Start GD *exactly* on the saddle's ridge, $(-2, 0)$: the gradient's $y$-component is 0 forever,
# so GD slides into the saddle point $(0, 0)$ and stops. Add a little Gaussian noise to each
# gradient (as mini-batches do) and it rolls off into a minimum ($f = -1$).

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
SADDLE = LANDSCAPES["saddle"]


def saddle_run(noise_sd, seed, steps=300, lr=0.05):
    rng, point = np.random.default_rng(seed), np.array([-2.0, 0.0])
    for _ in range(steps):
        point = point - lr * (SADDLE.grad(point) + noise_sd * rng.standard_normal(2))
    return SADDLE.f(point)


ends = {sd: np.array([saddle_run(sd, seed) for seed in range(20)]) for sd in (0.0, 0.1)}
for sd, f_end in ends.items():
    print(
        f"gradient noise sd {sd}: final f in [{f_end.min():.2f}, {f_end.max():.2f}] over 20 seeds"
    )
assert np.allclose(ends[0.0], 0.0, atol=1e-9) and np.all(ends[0.1] < -0.9)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Beyond the race
#
# - **Nesterov momentum**: the gradient is taken where momentum is about to carry the parameters
#   (a look-ahead), `SGD(..., nesterov=True)`.
# - **AdamW** (Loshchilov & Hutter 2019): weight decay $\theta \leftarrow \theta - \eta\lambda\theta$
#   applied directly, not through the gradient where Adam's scaling weakens it (notebook 07).
# - **Learning-rate schedules** lower $\eta$ during training (step decay, cosine, after a short
#   warm-up): big steps early, settling late (`torch.optim.lr_scheduler`).
#
# **Common practice** (general advice, not this notebook's result): Adam/AdamW with
# $\eta \approx 10^{-3}$ is a common default; SGD with momentum 0.9 and a schedule is common in
# vision. Always tune $\eta$.

# %% [markdown] slideshow={"slide_type": "notes"}
# These are pointers, not content to master today: AdamW returns in notebook 07; schedules are
# one line of `torch.optim.lr_scheduler` once the basics work. The one habit to take away: whatever the optimizer, try a few
# learning rates, spaced by factors of about 3, and pick on validation data.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Learning = **forward → loss → gradient → update**; $-\nabla\mathcal{L}$ is the locally steepest way down.
# - A step multiplies the error by $1 - \eta\lambda$: stable for $\eta < 2/\lambda_{\max}$; the
#   flattest direction sets the speed.
# - **Mini-batches**: cheap, unbiased, noisy gradients (variance $\propto 1/B$).
# - **Momentum** accumulates steps (up to $\eta/(1-\beta)$); too large a $\beta$ swings.
# - **AdaGrad, RMSProp, Adam** scale each coordinate: blind to tilted valleys.
# - No optimizer wins everywhere: read a race from its table.
#
# **Next:** notebook 04 — where the gradients come from (backpropagation).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Common mistakes
#
# - Raising $\eta$ past $2/\lambda_{\max}$ "to go faster": the loss explodes to `inf`/`nan`.
# - Racing optimizers at one untuned $\eta$ each, on training loss, with one seed.
# - Forgetting `zero_grad()`: gradients of successive steps add up.
# - Expecting mini-batch SGD with fixed $\eta$ to land on the minimum.
#
# **References:** Polyak (1964), *USSR Comput. Math. Math. Phys.* 4:1–17 · Duchi, Hazan & Singer
# (2011), *JMLR* 12:2121–2159 · Hinton, *Neural Networks for Machine Learning*, lecture 6e (2012) ·
# Kingma & Ba (2015), *ICLR*, arXiv:1412.6980 · Loshchilov & Hutter (2019), *ICLR*, arXiv:1711.05101.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice — Exercise 2: one Adam step
#
# Write `adam_step(param, grad, m, v, t, lr, beta1, beta2, eps)` returning
# `(new_param, new_m, new_v)`: update both moving averages, bias-correct them for step `t` (1 for
# the first step), move the parameter, and return the **uncorrected** `m` and `v` (the state for
# the next step). For $g = 2$ at $t = 1$ with $m = v = 0$, is your step exactly $\eta$?


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
def adam_step(param, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    # YOUR CODE HERE
    return None


check_adam_step(adam_step)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def adam_step(param, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


first, _, _ = adam_step(np.zeros(1), np.array([2.0]), np.zeros(1), np.zeros(1), t=1, lr=0.01)
print(f"first step / η = {-first[0] / 0.01:.6f}")  # 1 up to eps
assert check_adam_step(adam_step)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice — Exercise 3: one epoch of mini-batch SGD
#
# Write `minibatch_epoch(w, b, x, y, lr, batch_size, seed)` for $\hat y = wx + b$ with torch's MSE:
# shuffle once with `np.random.default_rng(seed).permutation(n)`, cut the shuffled samples into
# consecutive batches of `batch_size` (the last may be smaller), and after each batch step with
# that batch's mean-loss gradient (the formulas of the loss-surface slide). Return `(w, b)`.
#
# Then: from $(w, b) = (-1, 2)$, run 20 epochs (seed = epoch number) with $\eta = 0.1$ and batches
# of 32 on `x_gene[:, 0], y_gene[:, 0]`. Expect to end within about 0.1 of $(w^\star, b^\star)$, but
# not on it: why?


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
def minibatch_epoch(w, b, x, y, lr, batch_size, seed):
    # YOUR CODE HERE
    return None


check_minibatch_epoch(minibatch_epoch)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def minibatch_epoch(w, b, x, y, lr, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(x))
    for begin in range(0, len(x), batch_size):
        batch = order[begin : begin + batch_size]
        residual = w * x[batch] + b - y[batch]
        w, b = w - lr * 2 * np.mean(residual * x[batch]), b - lr * 2 * np.mean(residual)
    return w, b


w_ex, b_ex = -1.0, 2.0
for epoch in range(20):
    w_ex, b_ex = minibatch_epoch(
        w_ex, b_ex, x_gene[:, 0], y_gene[:, 0], lr=0.1, batch_size=32, seed=epoch
    )
gap = np.hypot(w_ex - w_star, b_ex - b_star)
print(f"after 20 epochs: ({w_ex:.3f}, {b_ex:.3f}); (w*, b*) = ({w_star:.3f}, {b_star:.3f})")
print(f"distance to the minimum: {gap:.3f}")
assert 1e-3 < gap < 0.1  # close, but not on the minimum
assert check_minibatch_epoch(minibatch_epoch)

# %% [markdown] slideshow={"slide_type": "skip"} tags=["solution", "practice"]
# **Why not on $(w^\star, b^\star)$:** at the minimum the *full* gradient is zero, but each batch's
# gradient is not (the batch's own least-squares line differs), so every step still moves the
# parameters by about $\eta$ times the batch noise. With a fixed $\eta$ they keep wandering in a
# cloud around $(w^\star, b^\star)$ whose size shrinks with $\eta$ and grows as $B$ falls; a decaying
# $\eta$ (a schedule) or the full batch removes it.
