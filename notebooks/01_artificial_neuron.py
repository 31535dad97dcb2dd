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
# # 01 — The artificial neuron
#
# **Day 3 · Deep Learning Foundations (PyTorch)**
#
# One neuron is a weighted sum followed by a nonlinearity. It already contains linear and logistic
# regression — and its one blind spot, an interaction between two genes, is why networks have
# hidden layers.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Learning objectives
#
# By the end of this notebook you can
#
# 1. contrast classic machine learning (hand-made features) with deep learning (learned
#    representations), and say when deep learning helps with biomedical data;
# 2. map the parts of a biological neuron onto the artificial neuron $y = f(\mathbf w^\top\mathbf x + b)$;
# 3. recognise linear regression and logistic regression as single neurons;
# 4. evaluate a neuron on a whole batch of samples with one matrix product in NumPy;
# 5. draw and explain a neuron's decision boundary on two genes;
# 6. show why no single neuron can model epistasis (an XOR between two SNPs), and how a hidden layer
#    fixes it;
# 7. read the diagram of a feedforward network: input, hidden and output layers.

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression, LogisticRegression

from dlcourse.data import (
    simulate_epistasis,
    simulate_expression_regression,
    simulate_tumour_subtypes,
)
from dlcourse.exercises import (
    check_decision_boundary,
    check_neuron_forward,
    check_sigmoid,
    check_xor_network,
)
from dlcourse.plots import (
    COLORS,
    plot_decision_boundary,
    plot_flowchart,
    plot_network,
    plot_neuron,
    set_style,
)
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import MLP, Dense, ReLU, Sequential, Sigmoid, identity, sigmoid

seed_everything(0)
DEVICE = (
    get_device()
)  # this notebook computes in NumPy; PyTorch and the device enter in notebook 02
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Classic machine learning vs deep learning
#
# | | classic ML (Day 2) | deep learning (today) |
# | --- | --- | --- |
# | approach | **knowledge-driven**: an expert picks the variables | **data-driven**: learned from data |
# | features | hand-made: GC content, $k$-mer counts, pathway scores | **learned representations** |
# | model | shallow: logistic regression, forest, SVM | deep: layers trained end to end |
# | costs | domain knowledge; modest data suffice | many samples and compute |
#
# *Feature engineering* is the classic step: turning raw data into the variables a model sees.
#
# In classic ML the representation is *designed*; in deep learning it is *learned*, and each layer
# builds a more abstract description than the previous one.

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(8, 3.2))
raw, shallow = "raw data\n(expression,\nsequence)", "shallow model\n(logistic reg.,\nforest)"
classic, deep = "classic ML: knowledge-driven", "deep learning: data-driven"
plot_flowchart(
    {
        classic: [raw, "hand-made\nfeatures", shallow, "prediction"],
        deep: [raw, "layer 1", "layer 2 ...", "prediction"],
    },
    ax=ax,
    highlight={classic: [1], deep: [1, 2]},
)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Why deep learning for biomedical data?
#
# - **High-dimensional, raw inputs.** An expression profile has tens of thousands of genes, a
#   genotype millions of variants, a regulatory region thousands of bases. Designing good features
#   for such data by hand is hard; a network can learn them (e.g. motif detectors from raw DNA).
# - **Nonlinear biology.** Epistasis between variants, saturating dose–response of a transcription
#   factor, cooperative binding: a linear model misses them unless someone writes the interaction in.
# - **Data at scale.** Large public cohorts and consortia make data-driven learning possible.
# - **But not by default.** Many omics studies have far more genes than patients ($p \gg n$). There a
#   deep network overfits easily and a regularised linear model is a strong baseline (notebook 07).
#
# Everything starts from one building block: the artificial neuron.

# %% [markdown] slideshow={"slide_type": "notes"}
# Stress the caveat: deep learning shines with large data or raw structured inputs (sequence,
# images); on a small tabular cohort it must beat a logistic-regression baseline to be worth it.
# Notebook 09 makes exactly that comparison on real data.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. From the biological to the artificial neuron
#
# A biological neuron receives signals from other cells at its **dendrites**, through **synapses** of
# different strength; the **cell body** (soma) integrates them, and if the membrane potential passes a
# **threshold** the cell fires an impulse down its **axon** to the next neurons.
#
# | biological neuron | artificial neuron |
# | --- | --- |
# | signals at the dendrites | inputs $x_1, \dots, x_d$ (e.g. the expression of $d$ genes) |
# | synaptic strength (exciting or inhibiting) | weights $w_1, \dots, w_d$ (positive or negative) |
# | integration in the soma | pre-activation $z = \sum_{i=1}^{d} w_i x_i + b$ |
# | firing threshold | bias $b$ (minus the threshold, see below) |
# | firing or not | activation function $f$ |
# | impulse along the axon | output $y = f(z)$, passed to the next neurons |

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## The neuron in one formula
#
# $$z = \sum_{i=1}^{d} w_i x_i + b = \mathbf w^\top \mathbf x + b, \qquad y = f(z).$$
#
# With the step activation $f(z) = 1$ if $z \ge 0$ (else $0$), the neuron fires exactly when
# $\mathbf w^\top \mathbf x \ge -b$: the bias is **minus the firing threshold** $\theta$, $b = -\theta$.
# This is the threshold unit of McCulloch and Pitts and Rosenblatt's perceptron. Modern networks use
# smooth or piecewise-linear activations (sigmoid, tanh, ReLU) so that the weights can be learned by
# gradient descent (notebooks 03–05).

# %% slideshow={"slide_type": "subslide"}
plot_neuron(["$x_1$ GENE0001", "$x_2$ GENE0002", "$x_3$ GENE0003"], output_label="$y = f(z)$")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## One neuron by hand
#
# Take one (simulated) tumour sample with the standardised log-expression of three genes, and a neuron
# with weights $\mathbf w = (0.8, -1.2, 0.5)$, bias $b = 0.1$ and the sigmoid
# $\sigma(z) = 1 / (1 + e^{-z})$ as activation. The cell prints each product $w_i x_i$, their sum $z$
# and the output $y = \sigma(z) \in (0, 1)$.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
X_genes, _ = simulate_expression_regression(n_samples=5, n_genes=3, seed=0)
x = X_genes.to_numpy()[0]  # one sample: (3,)
w = np.array([0.8, -1.2, 0.5])
b = 0.1
z = w @ x + b
y = sigmoid(z)
print("x       =", x.round(4))
print("w       =", w, "  b =", b)
print("w_i x_i =", (w * x).round(4))
print(f"z = {z:.4f}, y = sigmoid(z) = {y:.4f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. A neuron on a batch, in NumPy
#
# Stack $N$ samples as the rows of a matrix $X \in \mathbb R^{N \times d}$. All $N$ pre-activations
# come from one matrix–vector product, with the bias broadcast to every row:
#
# $$\mathbf z = X \mathbf w + b\,\mathbf 1_N \in \mathbb R^{N}, \qquad
# \mathbf y = f(\mathbf z) \quad \text{(element-wise)}.$$
#
# Shapes: $(N, d) \cdot (d,) \to (N,)$. There is no Python loop over samples, which is what makes
# NumPy and PyTorch fast.


# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
def neuron(X, w, b, f):
    """One neuron on a batch: X (N, d), w (d,), b a number -> f(X w + b), shape (N,)."""
    return f(X @ w + b)


X_batch = X_genes.to_numpy()  # (5, 3): five samples, three genes
y_batch = neuron(X_batch, w, b, sigmoid)
print("X:", X_batch.shape, "-> y:", y_batch.shape)
print("y =", y_batch.round(4))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The batched neuron must agree with a loop over the samples and with the course's tested engine:
# `dlcourse.scratch.Dense` stores the weights as a $(1, d)$ matrix, as `torch.nn.Linear` does, and
# returns a column $(N, 1)$. Both comparisons are asserts (float64, tolerance $10^{-12}$).

# %% slideshow={"slide_type": "fragment"}
y_loop = np.array([sigmoid(w @ x_i + b) for x_i in X_batch])
layer = Dense(3, 1, rng=0)
layer.W[...] = w  # (1, 3)
layer.b[...] = b  # (1,)
y_engine = Sequential(layer, Sigmoid())(X_batch)[:, 0]
assert np.allclose(y_batch, y_loop, rtol=1e-12, atol=1e-14)  # float64: equal to rounding
assert np.allclose(y_batch, y_engine, rtol=1e-12, atol=1e-14)
print(f"max |batched - loop|   = {np.abs(y_batch - y_loop).max():.1e}")
print(f"max |batched - engine| = {np.abs(y_batch - y_engine).max():.1e}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Linear regression is a neuron
#
# Day 2's linear regression predicts $\hat y = \mathbf w^\top \mathbf x + b$: a neuron whose activation
# is the **identity**, $f(z) = z$. Example (simulated): predict the expression of a target gene from
# three regulator genes. We fit scikit-learn's `LinearRegression` and plug its coefficients into our
# neuron.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
X_reg, y_reg = simulate_expression_regression(n_samples=300, n_genes=3, seed=0)
X_reg = X_reg.to_numpy()
linreg = LinearRegression().fit(X_reg, y_reg)
y_hat = neuron(X_reg, linreg.coef_, linreg.intercept_, identity)
print("weights w =", linreg.coef_.round(2), " bias b =", round(linreg.intercept_, 2))
print("R^2 on the training data:", round(linreg.score(X_reg, y_reg), 3))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Logistic regression is a sigmoid neuron
#
# Logistic regression models the log-odds of the positive class as linear,
# $\log\frac{p}{1-p} = \mathbf w^\top \mathbf x + b$. Solving for $p$ gives
#
# $$p = \frac{1}{1 + e^{-(\mathbf w^\top \mathbf x + b)}} = \sigma(\mathbf w^\top \mathbf x + b),$$
#
# a neuron with a **sigmoid** activation. Example (simulated): two tumour subtypes, each
# over-expressing its own marker gene (`GENE0001` for subtype 0, `GENE0002` for subtype 1);
# the positive class is subtype 1.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
X_sub, y_sub = simulate_tumour_subtypes(n_samples=300, n_genes=2, n_subtypes=2, n_markers=1, seed=0)
X_sub, y_sub = X_sub.to_numpy(), y_sub.to_numpy()
logreg = LogisticRegression().fit(X_sub, y_sub)
w_log, b_log = logreg.coef_[0], logreg.intercept_[0]
p_hat = neuron(X_sub, w_log, b_log, sigmoid)
print("weights w =", w_log.round(2), " bias b =", round(b_log, 2))
print("training accuracy:", round(float(np.mean((p_hat > 0.5) == y_sub)), 3))

# %% [markdown] slideshow={"slide_type": "subslide"}
# Both neurons reproduce scikit-learn's predictions exactly, up to float64 rounding (asserts with a
# tolerance of $10^{-10}$):

# %% slideshow={"slide_type": "fragment"}
pairs = {
    "linear regression": (y_hat, linreg.predict(X_reg)),
    "logistic regression": (p_hat, logreg.predict_proba(X_sub)[:, 1]),
}
for name, (ours, sklearn_value) in pairs.items():
    assert np.allclose(ours, sklearn_value, rtol=1e-10, atol=1e-12)  # float64: same model
    print(f"{name:20} max |neuron - scikit-learn| = {np.abs(ours - sklearn_value).max():.1e}")

# %% slideshow={"slide_type": "subslide"}
fig, (ax_lin, ax_log) = plt.subplots(1, 2, figsize=(8, 3.2), layout="constrained")
grid = np.linspace(-3, 3, 200)[:, None]
line = LinearRegression().fit(X_reg[:, :1], y_reg)  # one gene each, to draw the neurons as curves
curve = LogisticRegression().fit(X_sub[:, 1:], y_sub)
ax_lin.scatter(X_reg[:, 0], y_reg, s=10, alpha=0.5)
ax_lin.plot(grid, neuron(grid, line.coef_, line.intercept_, identity), color=COLORS["vermillion"])
ax_lin.set(title="identity neuron", xlabel="GENE0001", ylabel="target gene")
ax_log.scatter(X_sub[:, 1], y_sub, s=10, alpha=0.3)
ax_log.plot(
    grid, neuron(grid, curve.coef_[0], curve.intercept_[0], sigmoid), color=COLORS["vermillion"]
)
ax_log.set(title="sigmoid neuron", xlabel="GENE0002", ylabel="P(subtype 1)")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Two neurons on one input gene each. The identity neuron (linear regression) draws a straight line
# through the target's expression, which here saturates, so a line is only a first approximation.
# The sigmoid neuron (logistic regression) draws the probability of subtype 1 as an S-shaped curve.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. The decision boundary of a neuron
#
# A sigmoid neuron predicts subtype 1 when $\sigma(z) > \tfrac12$, that is when $z > 0$. The
# **decision boundary** is the set where $z = 0$:
#
# $$w_1 x_1 + w_2 x_2 + b = 0,$$
#
# a straight line in the plane of the two genes. The weight vector $\mathbf w$ is perpendicular to it
# and points towards the side predicted as subtype 1; $|z| / \lVert \mathbf w \rVert$ is a sample's
# distance from the line, and the probability changes fastest along $\mathbf w$, straight across the
# line. With more genes the boundary is a hyperplane: **one neuron is a linear classifier**.

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(7, 3.6))
plot_decision_boundary(lambda G: neuron(G, w_log, b_log, sigmoid), X_sub, y_sub, ax=ax)
centre = X_sub.mean(axis=0)
ax.annotate(
    "",
    xy=centre + w_log / np.linalg.norm(w_log),
    xytext=centre,
    arrowprops={"arrowstyle": "-|>", "lw": 2, "color": "black"},
)
ax.text(*(centre + 1.1 * w_log / np.linalg.norm(w_log)), "$\\mathbf{w}$", fontsize=16)
ax.set(
    xlabel="GENE0001 (subtype 0 marker)",
    ylabel="GENE0002 (subtype 1 marker)",
    title="one sigmoid neuron on two genes",
)
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Epistasis: an interaction one neuron cannot learn
#
# **Epistasis**: the effect of one variant depends on another. Simulated example: two SNPs, each
# carried (at least one minor allele) by about half of the individuals; an individual is a **case**
# when it carries exactly *one* of the two — the logical **XOR** — with a few labels flipped
# (incomplete penetrance). The table gives the fraction of cases in each group.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
G, phenotype = simulate_epistasis(n_samples=2000, seed=0, kind="genotype")
carrier_1 = (G["rs0001"] >= 1).rename("carrier of rs0001")
carrier_2 = (G["rs0002"] >= 1).rename("carrier of rs0002")
print("fraction of carriers:", round(carrier_1.mean(), 2), round(carrier_2.mean(), 2), "\n")
print(pd.crosstab(carrier_1, carrier_2, values=phenotype, aggfunc="mean").round(2))
print(
    "\nfraction of cases by rs0001 alone:", phenotype.groupby(carrier_1).mean().round(2).to_dict()
)
print("fraction of cases by rs0002 alone:", phenotype.groupby(carrier_2).mean().round(2).to_dict())

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the marginal rates: each SNP alone shows (almost) no association with the phenotype, so a
# one-SNP-at-a-time test, as in a standard GWAS scan, would miss both. Only the combination matters.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Why no straight line separates XOR
#
# Put the four groups at $(\pm1, \pm1)$: cases at $(1,-1)$ and $(-1,1)$, controls at $(1,1)$ and
# $(-1,-1)$. A neuron would need
#
# $$\begin{aligned}
# w_1 - w_2 + b &> 0, & -w_1 + w_2 + b &> 0 &&\text{(cases)},\\
# w_1 + w_2 + b &< 0, & -w_1 - w_2 + b &< 0 &&\text{(controls)}.
# \end{aligned}$$
#
# Adding the two case inequalities gives $2b > 0$; adding the two control inequalities gives
# $2b < 0$. No weights satisfy both, so **no single neuron classifies XOR**, whatever it is trained
# with.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## The same failure, measured
#
# The expression version (simulated): two genes, a sample is a case when exactly one of them is
# over-expressed ($x > 0$), and a fraction `noise` of the labels is flipped, so even the true rule
# is right only about $1 - \text{noise}$ of the time. We fit logistic regression on a training set
# and test it on new samples.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
noise = 0.05
X_train, y_train = (a.to_numpy() for a in simulate_epistasis(400, seed=0, noise=noise))
X_test, y_test = (a.to_numpy() for a in simulate_epistasis(2000, seed=1, noise=noise))


def true_rule(X):
    """The simulator's rule without label noise: case when exactly one gene has x > 0."""
    return (X[:, 0] > 0) ^ (X[:, 1] > 0)


xor_logreg = LogisticRegression().fit(X_train, y_train)
print("training samples:", len(X_train), " test samples:", len(X_test))
print("logistic regression weights:", xor_logreg.coef_[0].round(2))
print("logistic regression, test accuracy:", round(xor_logreg.score(X_test, y_test), 3))
print("the true rule,       test accuracy:", round(float(np.mean(true_rule(X_test) == y_test)), 3))
assert xor_logreg.score(X_test, y_test) < 0.6  # the claim below: close to a coin flip

# %% [markdown] slideshow={"slide_type": "subslide"}
# Maybe logistic regression just found a poor line? We try a dense grid of lines on the training
# data — every direction, many offsets, one neuron each — all evaluated in one batched product, and
# keep the best. It is chosen on the training data itself, so it is, if anything, optimistic.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
angles = np.linspace(0, 2 * np.pi, 360, endpoint=False)
directions = np.column_stack([np.cos(angles), np.sin(angles)])  # (360, 2): one w per line
offsets = np.linspace(-3, 3, 121)  # the bias b of each line
Z = (X_train @ directions.T)[:, :, None] + offsets  # (400, 360, 121): every sample, every neuron
accuracy = ((Z > 0) == y_train[:, None, None]).mean(axis=0)
print(f"best of {accuracy.size} lines, training accuracy:", round(accuracy.max(), 3))
print(
    "the true rule,       training accuracy:",
    round(float(np.mean(true_rule(X_train) == y_train)), 3),
)
assert accuracy.max() < np.mean(true_rule(X_train) == y_train) - 0.2  # far below the true rule

# %% [markdown] slideshow={"slide_type": "fragment"}
# Logistic regression gives up: its weights are close to zero and its test accuracy is close to the
# coin-flip level of a balanced phenotype. Even the best line stays far below the true rule: a line
# can at best cut off roughly one of the four quadrants.

# %% slideshow={"slide_type": "subslide"}
fig, (ax_lr, ax_line) = plt.subplots(1, 2, figsize=(8, 3.4), layout="constrained")
plot_decision_boundary(lambda P: xor_logreg.predict_proba(P)[:, 1], X_train, y_train, ax=ax_lr)
ax_lr.set(title="logistic regression", xlabel="GENE0001", ylabel="GENE0002")
k_angle, k_offset = np.unravel_index(accuracy.argmax(), accuracy.shape)
best_w, best_b = directions[k_angle], offsets[k_offset]
plot_decision_boundary(
    lambda P: (P @ best_w + best_b > 0).astype(int), X_train, y_train, ax=ax_line
)
ax_line.set(title="best single line", xlabel="GENE0001", ylabel="GENE0002")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Two ways out: a hand-made feature, or a hidden layer
#
# **Classic ML (knowledge-driven).** If we *know* that the two genes interact, we add the product
# $x_1 x_2$ as a third feature: it is negative exactly where the true rule says "case". Logistic
# regression on $(x_1, x_2, x_1 x_2)$ is still one neuron, linear in its three inputs, but its
# boundary is now a curve in the plane of the two genes. The cell shows it gets much closer to the
# true rule — only because we designed the right feature.


# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
def with_product(X):
    """Append the hand-made interaction feature x1 * x2: (N, 2) -> (N, 3)."""
    return np.column_stack([X, X[:, 0] * X[:, 1]])


engineered = LogisticRegression().fit(with_product(X_train), y_train)
print(
    "logistic regression on (x1, x2, x1*x2), test accuracy:",
    round(engineered.score(with_product(X_test), y_test), 3),
)
print(
    "the true rule,                          test accuracy:",
    round(float(np.mean(true_rule(X_test) == y_test)), 3),
)
assert engineered.score(with_product(X_test), y_test) > xor_logreg.score(X_test, y_test) + 0.25

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Deep learning (data-driven).** Put a layer of neurons in between. Since
# $\operatorname{ReLU}(s) + \operatorname{ReLU}(-s) = |s|$, four ReLU units
# ($h_1, h_2 = \operatorname{ReLU}(\pm(x_1 + x_2))$, $h_3, h_4 = \operatorname{ReLU}(\pm(x_1 - x_2))$)
# let an output neuron compute
#
# $$z = |x_1 - x_2| - |x_1 + x_2|,$$
#
# which is positive exactly when $x_1$ and $x_2$ have opposite signs: the XOR. Below we set these
# weights by hand in the tested engine (scaled up so that the probabilities are confident); in
# notebook 05 training finds such weights by itself.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
xor_net = Sequential(Dense(2, 4, rng=0), ReLU(), Dense(4, 1, rng=0), Sigmoid())
xor_net[0].W[...] = [[1, 1], [-1, -1], [1, -1], [-1, 1]]  # h1..h4 = ReLU(±(x1+x2)), ReLU(±(x1-x2))
xor_net[0].b[...] = 0.0
xor_net[2].W[...] = 4.0 * np.array([[-1, -1, 1, 1]])  # z = 4 (|x1 - x2| - |x1 + x2|)
xor_net[2].b[...] = 0.0
p_test = xor_net(X_test)[:, 0]
print("2-4-1 network, test accuracy:", round(float(np.mean((p_test > 0.5) == y_test)), 3))
print("the true rule,  test accuracy:", round(float(np.mean(true_rule(X_test) == y_test)), 3))
assert np.array_equal(p_test > 0.5, true_rule(X_test))  # the network computes the rule exactly

# %% [markdown] slideshow={"slide_type": "subslide"}
# Left: the network's boundary follows the two axes. Right: the same samples in the coordinates the
# hidden layer computes, $u = h_1 + h_2 = |x_1 + x_2|$ and $v = h_3 + h_4 = |x_1 - x_2|$. There the
# classes *are* separated by a straight line, $v = u$: the output neuron is still a linear
# classifier, applied to a **learned representation** instead of the raw genes.

# %% slideshow={"slide_type": "subslide"}
fig, (ax_net, ax_hidden) = plt.subplots(1, 2, figsize=(8, 3.0), layout="constrained")
plot_decision_boundary(lambda P: xor_net(P)[:, 0], X_train, y_train, ax=ax_net)
ax_net.set(title="hidden layer of 4 ReLUs", xlabel="GENE0001", ylabel="GENE0002")
H = xor_net[:2](X_train)  # hidden activations (400, 4)
u, v = H[:, 0] + H[:, 1], H[:, 2] + H[:, 3]
for label, name in [(0, "control"), (1, "case")]:
    ax_hidden.scatter(u[y_train == label], v[y_train == label], s=12, label=name)
ax_hidden.plot([0, 5], [0, 5], color="black", lw=1.5)
ax_hidden.set(title="hidden representation", xlabel="$u = |x_1 + x_2|$", ylabel="$v = |x_1 - x_2|$")
ax_hidden.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. From one unit to a feedforward network
#
# A network connects many neurons in **layers**. With $\mathbf h^{(0)} = \mathbf x$:
#
# $$\begin{aligned}
# \mathbf h^{(1)} &= f\big(W^{(1)} \mathbf x + \mathbf b^{(1)}\big)\\
# \mathbf h^{(2)} &= f\big(W^{(2)} \mathbf h^{(1)} + \mathbf b^{(2)}\big)\\
# \hat{\mathbf y} &= g\big(W^{(3)} \mathbf h^{(2)} + \mathbf b^{(3)}\big)
# \end{aligned}$$
#
# - **input layer**: the data $\mathbf x = (x_1, \dots, x_d)$, e.g. $d$ genes; it computes nothing;
# - **hidden layers**: intermediate representations $\mathbf h^{(l)}$, each unit a neuron with
#   activation $f$;
# - **output layer**: the prediction $\hat{\mathbf y}$, with an activation $g$ chosen by the task;
# - every line in the diagram is one weight $w_{jk}^{(l)}$; information flows forward only, without
#   loops: a **feedforward** network (also called a multilayer perceptron, MLP).

# %% slideshow={"slide_type": "subslide"}
sizes = [5, 6, 6, 1]
plot_network(
    sizes,
    labels=[
        "input $\\mathbf{x}$\n5 genes",
        "hidden $\\mathbf{h}^{(1)}$\n6 units",
        "hidden $\\mathbf{h}^{(2)}$\n6 units",
        "output $\\hat{y}$\n1 unit",
    ],
)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The same network in the course's engine: each arrow of the diagram is one entry of a weight
# matrix, so the cell also counts the weights and biases to be learned.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
model = MLP(sizes, activation="relu", output="sigmoid", rng=0)
print(model)
print("weights and biases:", sum(p.size for p in model.parameters()))

# %% [markdown] slideshow={"slide_type": "notes"}
# Notebook 02 evaluates such a network layer by layer (the forward pass) with the shapes of every
# matrix; notebooks 03 and 04 show how the weights are learned.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercises
#
# Each exercise has a stub that runs, and a self-check that prints ✓ when your answer is right
# (or a hint when it is not). Replace `return None` by your code and run the cell.
#
# ### Exercise 1 — a neuron on a batch (warm-up)
#
# Write `my_neuron_forward(X, w, b)` returning $\sigma(X\mathbf w + b)$ for `X` of shape $(N, d)$,
# `w` of shape $(d,)$ and a number `b`: one probability per sample, shape $(N,)$. Use `sigmoid` from
# `dlcourse.scratch` (imported above) and no loop.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def my_neuron_forward(X, w, b):
    # YOUR CODE HERE
    return None


check_neuron_forward(my_neuron_forward)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_neuron_forward(X, w, b):
    return sigmoid(X @ w + b)


check_neuron_forward(my_neuron_forward)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 2 — a sigmoid that never overflows
#
# Write `my_sigmoid(z)` for arrays `z`, element-wise, without calling `dlcourse`'s `sigmoid`. The
# check includes $z = \pm 1000$: `np.exp(1000)` overflows (a warning and `inf`), so find a form of
# $\sigma$ that only ever exponentiates non-positive numbers. *Hint:* for $z < 0$,
# $\sigma(z) = e^{z} / (1 + e^{z})$.


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def my_sigmoid(z):
    # YOUR CODE HERE
    return None


check_sigmoid(my_sigmoid)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def my_sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # always in (0, 1]: no overflow
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


check_sigmoid(my_sigmoid)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 3 — the boundary as a line
#
# A neuron on two genes has its decision boundary where $w_1 x_1 + w_2 x_2 + b = 0$. Write
# `boundary_line(w, b)` that returns the `(slope, intercept)` of this line written as
# $x_2 = \text{slope}\cdot x_1 + \text{intercept}$ (assume $w_2 \neq 0$). Then, for yourself: which
# way does the line move when $b$ grows?


# %% slideshow={"slide_type": "-"} tags=["exercise"]
def boundary_line(w, b):
    # YOUR CODE HERE
    return None


check_decision_boundary(boundary_line)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def boundary_line(w, b):
    return -w[0] / w[1], -b / w[1]


check_decision_boundary(boundary_line)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ### Exercise 4 — wire XOR by hand (challenge)
#
# The input is now the carrier status of the two SNPs, $\mathbf a \in \{0, 1\}^2$. Choose weights for
# the network $z = W_2\,\operatorname{ReLU}(W_1 \mathbf a + \mathbf b_1) + b_2$ so that $z > 0$ (case)
# exactly when one SNP is carried, and $z < 0$ (control) otherwise. Shapes (as `nn.Linear`):
# `W1` $(H, 2)$, `b1` $(H,)$, `W2` $(1, H)$, `b2` $(1,)$; two hidden units ($H = 2$) are enough.

# %% slideshow={"slide_type": "-"} tags=["exercise"]
W1 = None  # YOUR CODE HERE, e.g. np.array([[..., ...], [..., ...]])
b1 = None
W2 = None
b2 = None

check_xor_network(W1, b1, W2, b2)

# %% slideshow={"slide_type": "skip"} tags=["solution"]
W1 = np.array([[1.0, 1.0], [1.0, 1.0]])  # both units count the carried SNPs ...
b1 = np.array([0.0, -1.0])  # ... the second only fires when both are carried
W2 = np.array([[1.0, -2.0]])  # (a1 + a2) - 2 * [both carried]: 0, 1, 1, 0
b2 = np.array([-0.5])  # threshold between 0 and 1

check_xor_network(W1, b1, W2, b2)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary / key ideas
#
# - Classic ML learns from **hand-made features**; deep learning **learns the representation**
#   layer by layer. It pays off with large or raw, structured biomedical data; on small cohorts a
#   linear baseline is hard to beat.
# - An artificial neuron computes $y = f(\mathbf w^\top \mathbf x + b)$: weights play the role of synapses,
#   the bias is minus a threshold, the activation decides the output.
# - Linear regression is a neuron with the identity; logistic regression is a sigmoid neuron.
# - For a batch, $\mathbf z = X\mathbf w + b$: one matrix product, no loop over samples.
# - A neuron's decision boundary $\mathbf w^\top\mathbf x + b = 0$ is a line (hyperplane), so one
#   neuron cannot represent an interaction such as epistasis (XOR).
# - A hidden layer re-describes the data so that a linear output neuron can separate it: that is
#   the feedforward network, $\mathbf h^{(l)} = f(W^{(l)} \mathbf h^{(l-1)} + \mathbf b^{(l)})$.
#
# **Next:** notebook 02 — the forward pass through a network, shapes and all.
