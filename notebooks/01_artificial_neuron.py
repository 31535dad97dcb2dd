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
# **Previously** (Day 2): classic machine learning — logistic regression, trees and
# cross-validation — on features chosen by hand.
#
# **Learning objectives.** By the end you can
#
# 1. contrast classic machine learning (hand-made features) with deep learning (learned features);
# 2. write the artificial neuron $y = f(\mathbf w^\top\mathbf x + b)$ and run it on a batch in NumPy;
# 3. recognise linear and logistic regression as single neurons;
# 4. draw a neuron's decision boundary, and explain why one neuron cannot model epistasis;
# 5. read the diagram of a feedforward network.

# %% [markdown] slideshow={"slide_type": "skip"}
# [Open in Colab](https://colab.research.google.com/github/unipv-genomic-data-science/day3-deep-learning-foundations/blob/main/notebooks/01_artificial_neuron.ipynb)

# %% [markdown] slideshow={"slide_type": "notes"}
# One neuron is a weighted sum followed by a nonlinearity; it already contains linear and logistic
# regression, and its blind spot (an interaction between two genes) is why networks have layers.
# Day 2 gave the students logistic regression and cross-validation. Today's message in one line:
# a neural network is many logistic regressions stacked, and the stacking is what lets it learn
# interactions. Ask the room: who has used a model that needed an interaction term written in?

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

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression

from dlcourse.data import simulate_epistasis, simulate_expression_regression
from dlcourse.plots import set_style
from dlcourse.runtime import get_device, seed_everything
from dlcourse.scratch import identity, relu, sigmoid

seed_everything(0)
DEVICE = get_device()
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Classic machine learning vs deep learning
#
# **Classic ML** is knowledge-driven: an expert designs the features (GC content, $k$-mer counts,
# pathway scores — [feature engineering](GLOSSARY.md#feature-engineering)) and a shallow model
# learns from them. **Deep learning** is data-driven: its layers learn the
# [representation](GLOSSARY.md#representation) from raw data.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Classic ML vs deep learning pipelines"
from dlcourse.plots import plot_flowchart

classic, deep = "classic ML: knowledge-driven", "deep learning: data-driven"
steps = ["raw data\n(expression,\nsequence)", "hand-made\nfeatures", "shallow model", "prediction"]
rows = {classic: steps, deep: [steps[0], "layer 1", "layer 2 ...", "prediction"]}
plot_flowchart(rows, ax=plt.subplots(figsize=(8, 3.2))[1], highlight={classic: [1], deep: [1, 2]})
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Classic ML needs domain knowledge and modest data; deep learning needs many samples and compute,
# but no one has to know the right features in advance. Each layer builds a more abstract
# description than the one before.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why deep learning for biomedical data?
#
# - **Raw, high-dimensional inputs** (expression, variants, DNA): a network learns the features.
# - **Nonlinear biology** (epistasis, saturation): a linear model needs it written in by hand.
# - **Data at scale**: large cohorts and consortia.
# - **Not by default**: with far more genes than patients ($p \gg n$) a deep network overfits
#   easily; a regularised linear model is a strong baseline (notebooks 07, 09).

# %% [markdown] slideshow={"slide_type": "notes"}
# Stress the caveat: deep learning shines with large data or raw structured inputs (sequence,
# images); on a small tabular cohort it must beat a logistic-regression baseline to be worth it.
# Notebook 09 makes exactly that comparison on real data.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## From the biological to the artificial neuron
#
# | biological neuron | artificial neuron |
# | --- | --- |
# | signals at the dendrites | inputs $x_1, \dots, x_d$ (e.g. $d$ genes) |
# | synaptic strength (excite/inhibit) | weights $w_1, \dots, w_d$ ($+$ or $-$) |
# | integration in the cell body | $z = \sum_i w_i x_i + b$ |
# | firing threshold | bias $b$ (minus the threshold) |
# | firing or not | activation function $f$ |
# | impulse along the axon | output $y = f(z)$ |
#
# McCulloch and Pitts' neuron (1943) was a threshold unit with weights **fixed by hand**;
# Rosenblatt's perceptron (1958) was the first to **learn** them from examples.

# %% [markdown] slideshow={"slide_type": "notes"}
# The analogy is loose: real neurons spike in time, have thousands of synapses with their own
# dynamics. Keep only the idea of a weighted vote and a threshold. The historical point matters:
# what made neural networks useful is that the weights are learned (notebooks 03 and 04).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The neuron in one formula
#
# $$z = \sum_{i=1}^{d} w_i x_i + b = \mathbf w^\top \mathbf x + b, \qquad y = f(z)$$
#
# $z$ is the [pre-activation](GLOSSARY.md#pre-activation), $f$ the
# [activation function](GLOSSARY.md#activation-function). With a step $f$ the neuron fires when
# $\mathbf w^\top\mathbf x \ge -b$: the [bias](GLOSSARY.md#bias) is minus the firing threshold.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="One neuron: inputs, weights, sum and f, output"
from dlcourse.plots import plot_neuron

plot_neuron(["$x_1$ GENE0001", "$x_2$ GENE0002", "$x_3$ GENE0003"], output_label="$y = f(z)$")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Modern networks replace the step by smooth or piecewise-linear activations (sigmoid, tanh, ReLU):
# a step has zero slope almost everywhere, so gradient descent could not learn through it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## One neuron by hand
#
# One simulated tumour sample (standardised log-expression of three genes),
# $\mathbf w = (0.8, -1.2, 0.5)$, $b = 0.1$ and the sigmoid $\sigma(z) = 1 / (1 + e^{-z}) \in (0, 1)$.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
X_genes, _ = simulate_expression_regression(n_samples=5, n_genes=3, seed=0)
X_batch = X_genes.to_numpy()  # (5, 3): five samples, three genes
x_sample = X_batch[0]  # one sample, (3,)
w, b = np.array([0.8, -1.2, 0.5]), 0.1
z = w @ x_sample + b
print("x       =", x_sample.round(3))
print("w_i x_i =", (w * x_sample).round(3))
print(f"z = {z:.3f}   y = sigmoid(z) = {sigmoid(z):.3f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the products aloud: the second gene pushes $z$ down (negative weight, an inhibitor), the
# others push it up. Ask: what does the sigmoid's output mean here? A score between 0 and 1 that
# training will turn into a probability; with hand-set weights it is just a number.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A neuron on a batch
#
# Stack $N$ samples as the rows of $X \in \mathbb R^{N \times d}$ (a
# [batch](GLOSSARY.md#batch)). One matrix–vector product gives all pre-activations:
# $\mathbf z = X\mathbf w + b$, shapes $(N, d)\cdot(d,) \to (N,)$. No Python loop over samples.


# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
def neuron(X, w, b, f):
    """One neuron on a batch: X (N, d), w (d,), b a number -> f(X w + b), shape (N,)."""
    return f(X @ w + b)


y_batch = neuron(X_batch, w, b, sigmoid)
print("X", X_batch.shape, "-> y", y_batch.shape, ":", y_batch.round(3))
assert np.isclose(y_batch[0], sigmoid(z))  # row 0 is the sample computed by hand

# %% [markdown] slideshow={"slide_type": "notes"}
# Samples in rows, features in columns: the convention of scikit-learn, pandas and PyTorch alike.
# Common confusion: `X @ w` with `w` of shape $(d,)$ gives $(N,)$, and the bias is broadcast to
# every sample. The loop-free version is not only shorter: it is what makes GPUs fast.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — the batched neuron, checked
#
# > **Deep dive — optional.** It checks the one-line batched neuron against a loop and against the
# > course's tested engine; the rest of the notebook does not need it.
#
# `dlcourse.scratch.Dense` stores a layer's weights as a matrix of shape $(n_{\text{out}}, d)$ —
# here $(1, d)$, the layout `torch.nn.Linear` uses (notebook 08) — and returns a column $(N, 1)$.
# All three computations run in float64, so they may differ only by rounding: the asserts allow
# $10^{-12}$.

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
from dlcourse.scratch import Dense, Sequential, Sigmoid

y_loop = np.array([sigmoid(w @ x_i + b) for x_i in X_batch])
layer = Dense(3, 1, rng=0)
layer.W[...], layer.b[...] = w, b  # W (1, 3), b (1,)
y_engine = Sequential(layer, Sigmoid())(X_batch)[:, 0]
assert np.allclose(y_batch, y_loop, rtol=1e-12, atol=1e-14)
assert np.allclose(y_batch, y_engine, rtol=1e-12, atol=1e-14)
print("batched = loop = engine, up to float64 rounding (tolerance 1e-12)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Linear and logistic regression are neurons
#
# - Linear regression $\hat y = \mathbf w^\top\mathbf x + b$: a neuron with the **identity** $f(z) = z$.
# - Logistic regression makes the log-odds (the [logit](GLOSSARY.md#logit)) linear,
#   $\log\frac{p}{1-p} = \mathbf w^\top\mathbf x + b$, so $p = \sigma(\mathbf w^\top\mathbf x + b)$:
#   a **sigmoid** neuron.
#
# Simulated: a target gene from three regulators; two tumour subtypes with one marker gene each.

# %% slideshow={"slide_type": "skip"}
from dlcourse.data import simulate_tumour_subtypes

X_reg, y_reg = (a.to_numpy() for a in simulate_expression_regression(300, n_genes=3, seed=0))
subtypes = simulate_tumour_subtypes(300, n_genes=2, n_subtypes=2, n_markers=1, seed=0)
X_sub, y_sub = (a.to_numpy() for a in subtypes)

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
linreg = LinearRegression().fit(X_reg, y_reg)
logreg = LogisticRegression().fit(X_sub, y_sub)
w_lin, b_lin = linreg.coef_, linreg.intercept_
w_log, b_log = logreg.coef_[0], logreg.intercept_[0]
print("identity neuron   :", neuron(X_reg[:4], w_lin, b_lin, identity).round(3))
print("LinearRegression  :", linreg.predict(X_reg[:4]).round(3))
print("sigmoid neuron    :", neuron(X_sub[:4], w_log, b_log, sigmoid).round(3))
print("LogisticRegression:", logreg.predict_proba(X_sub[:4])[:, 1].round(3))

# %% [markdown] slideshow={"slide_type": "notes"}
# The neuron reuses the coefficients scikit-learn learned, and gives the same predictions. Ask:
# so what is new in deep learning? Answer: nothing yet — the novelty comes from stacking neurons.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — the two regressions, exactly
#
# > **Deep dive — optional.** It checks that the neurons reproduce scikit-learn on every sample and
# > draws each as a curve on one gene; the rest of the notebook does not need it.
#
# Both comparisons run in float64 and may differ only by rounding (tolerance $10^{-10}$).

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
pairs = {
    "linear regression": (
        neuron(X_reg, linreg.coef_, linreg.intercept_, identity),
        linreg.predict(X_reg),
    ),
    "logistic regression": (
        neuron(X_sub, w_log, b_log, sigmoid),
        logreg.predict_proba(X_sub)[:, 1],
    ),
}
for name, (ours, sklearn_value) in pairs.items():
    assert np.allclose(ours, sklearn_value, rtol=1e-10, atol=1e-12)
    print(f"{name}: neuron = scikit-learn on all {len(ours)} samples (tolerance 1e-10)")

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "hide-code"] alt="Identity and sigmoid neuron curves"
from dlcourse.plots import COLORS

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

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The decision boundary of a neuron
#
# The sigmoid neuron predicts subtype 1 when $\sigma(z) > \tfrac12$, i.e. $z > 0$. Its
# [decision boundary](GLOSSARY.md#decision-boundary) $w_1x_1 + w_2x_2 + b = 0$ is a straight line;
# $\mathbf w$ is perpendicular to it and points to subtype 1. **One neuron is a linear classifier.**

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Two subtypes, a linear boundary, w perpendicular"
from dlcourse.plots import plot_decision_boundary

ax = plt.subplots(figsize=(7, 4.2), layout="constrained")[1]
plot_decision_boundary(
    lambda G: neuron(G, w_log, b_log, sigmoid),
    X_sub,
    y_sub,
    ax=ax,
    class_names=["subtype 0", "subtype 1"],
)
ax.set(xlabel="GENE0001 (subtype 0 marker)", ylabel="GENE0002 (subtype 1 marker)", aspect="equal")
centre, direction = X_sub.mean(axis=0), w_log / np.linalg.norm(w_log)  # w drawn from the centre
ax.annotate("", xy=centre + direction, xytext=centre, arrowprops={"arrowstyle": "-|>", "lw": 2})
ax.text(*(centre + 1.15 * direction), "$\\mathbf{w}$", fontsize=16)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the arrow: the probability changes fastest along $\mathbf w$, straight across the line,
# and $|z| / \lVert\mathbf w\rVert$ is a sample's distance from the line. With $d$ genes the
# boundary is a hyperplane. Common confusion: the boundary is where $z = 0$, not where $y = 0$.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise"]
# ## Exercise (in class) — the boundary as a line
#
# Write `boundary_line(w, b)` returning `(slope, intercept)` of the boundary
# $w_1x_1 + w_2x_2 + b = 0$ written as $x_2 = \text{slope}\cdot x_1 + \text{intercept}$
# (assume $w_2 \neq 0$). Then: which way does the line move when $b$ grows?


# %% slideshow={"slide_type": "-"} tags=["exercise"]
from dlcourse.exercises import check_decision_boundary


def boundary_line(w, b):
    # YOUR CODE HERE
    return None


check_decision_boundary(boundary_line)


# %% slideshow={"slide_type": "skip"} tags=["solution"]
def boundary_line(w, b):
    return -w[0] / w[1], -b / w[1]


assert check_decision_boundary(boundary_line)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Epistasis: an interaction between two SNPs
#
# [Epistasis](GLOSSARY.md#epistasis): the effect of one variant depends on another. Simulated: a
# **case** carries exactly *one* of two SNPs (**XOR**), each carried by half of the individuals;
# 5 % of labels flip ([penetrance](GLOSSARY.md#penetrance) below 1, [phenocopies](GLOSSARY.md#phenocopy)).

# %% slideshow={"slide_type": "skip"}
G, phenotype = simulate_epistasis(n_samples=2000, seed=0, kind="genotype")

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
carrier_1 = (G["rs0001"] >= 1).rename("carries rs0001")
carrier_2 = (G["rs0002"] >= 1).rename("carries rs0002")
by_pair = phenotype.groupby([carrier_1, carrier_2]).mean().unstack()
marginal_1 = phenotype.groupby(carrier_1).mean()
marginal_2 = phenotype.groupby(carrier_2).mean()
print("fraction of cases:\n", by_pair.round(2))
print("one SNP at a time (no, yes):", marginal_1.round(2).tolist(), marginal_2.round(2).tolist())

# %% slideshow={"slide_type": "skip"}
assert np.ptp(marginal_1) < 0.05 and np.ptp(marginal_2) < 0.05  # no marginal effect

# %% [markdown] slideshow={"slide_type": "fragment"}
# **A didactic extreme:** $P(\text{case} \mid \text{carrier}_1) = 1 - c_2$ ($c_2$: carrier
# frequency of SNP 2), so each SNP looks unrelated only because $c_2 = \tfrac12$.

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the marginal rates: here a one-SNP-at-a-time test, as in a standard GWAS scan, would
# miss both SNPs; only the combination matters. Then say honestly that this needs the carrier
# frequency of ½, which the simulator chose on purpose: XOR is the cleanest case of an interaction,
# not a typical genetic architecture; real epistasis usually leaves marginal effects.

# %% [markdown] slideshow={"slide_type": "slide"}
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
# Adding the case pair gives $2b > 0$, adding the control pair $2b < 0$: **no single neuron
# classifies XOR**, whatever it is trained with.

# %% [markdown] slideshow={"slide_type": "notes"}
# Let the room try first: can you draw one line with both cases on one side? Then the algebra in
# one breath: the two case inequalities add up to $b > 0$, the two control ones to $b < 0$.
# This is Minsky and Papert's (1969) objection to the perceptron, answered by hidden layers.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The same failure, measured
#
# The expression version (simulated): a sample is a case when exactly one of two genes is
# over-expressed ($x > 0$), with 5 % of labels flipped, so even the true rule scores about 0.95.

# %% slideshow={"slide_type": "skip"}
X_train, y_train = (a.to_numpy() for a in simulate_epistasis(400, seed=0))
X_test, y_test = (a.to_numpy() for a in simulate_epistasis(2000, seed=1))


# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
def true_rule(X):
    """Case when exactly one gene has x > 0: (N, 2) -> (N,) booleans."""
    return (X[:, 0] > 0) ^ (X[:, 1] > 0)


xor_logreg = LogisticRegression().fit(X_train, y_train)
logistic_accuracy = xor_logreg.score(X_test, y_test)
rule_test_accuracy = float(np.mean(true_rule(X_test) == y_test))
print(f"logistic regression, test accuracy: {logistic_accuracy:.3f}")
print(f"the true rule,       test accuracy: {rule_test_accuracy:.3f}")
assert logistic_accuracy < 0.6  # close to a coin flip

# %% [markdown] slideshow={"slide_type": "notes"}
# The 400 training and 2,000 test samples are simulated separately, so the test accuracy is honest.
# 0.536 is barely above a coin flip, while the rule that generated the labels reaches 0.955 (the
# 5 % of flipped labels cap it). Common confusion: the fit did not fail to converge; no line exists.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — is it just a poor line?
#
# > **Deep dive — optional.** It tries 43,560 lines instead of trusting one fit; the rest of the
# > notebook does not need it.
#
# Every direction and many offsets, one neuron each, evaluated in one batched product; the best is
# chosen on the training data itself, so it is, if anything, optimistic.

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
angles = np.linspace(0, 2 * np.pi, 360, endpoint=False)
directions = np.column_stack([np.cos(angles), np.sin(angles)])  # (360, 2): one w per line
offsets = np.linspace(-3, 3, 121)  # the bias b of each line
Z_lines = (X_train @ directions.T)[:, :, None] + offsets  # (400, 360, 121)
line_accuracy = ((Z_lines > 0) == y_train[:, None, None]).mean(axis=0)
rule_accuracy = float(np.mean(true_rule(X_train) == y_train))
print(f"best of {line_accuracy.size} lines, training accuracy: {line_accuracy.max():.3f}")
print(f"the true rule,            training accuracy: {rule_accuracy:.3f}")
assert line_accuracy.max() < rule_accuracy - 0.2  # far below the true rule

# %% [markdown] slideshow={"slide_type": "-"} tags=["deep-dive"]
# A line can at best cut off roughly one of the four quadrants: about three quarters of the samples.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A hidden layer solves it
#
# Since $\operatorname{ReLU}(s) + \operatorname{ReLU}(-s) = |s|$, four ReLU units
# $\operatorname{ReLU}(\pm(x_1 + x_2))$, $\operatorname{ReLU}(\pm(x_1 - x_2))$ let an output neuron
# compute $z = |x_1 - x_2| - |x_1 + x_2|$, positive exactly when the signs differ: the XOR. Weights
# set by hand here (×4 for confident probabilities); notebook 05 lets training find them.

# %% slideshow={"slide_type": "-"} tags=["nbval-check-output"]
W_hidden = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]])  # (4, 2): rows ±(1, 1), ±(1, -1)
w_out = 4.0 * np.array([-1, -1, 1, 1])  # z = 4 (|x1 - x2| - |x1 + x2|)


def xor_network(X):
    """2-4-1 network: a hidden layer of 4 ReLUs, then one sigmoid neuron. (N, 2) -> (N,)."""
    return neuron(relu(X @ W_hidden.T), w_out, 0.0, sigmoid)


p_test = xor_network(X_test)
print("2-4-1 network, test accuracy:", round(float(np.mean((p_test > 0.5) == y_test)), 3))
assert np.array_equal(p_test > 0.5, true_rule(X_test))  # it computes the true rule exactly

# %% [markdown] slideshow={"slide_type": "notes"}
# Trace one sample by hand, e.g. $x = (1, -1)$: $|x_1 - x_2| = 2$, $|x_1 + x_2| = 0$, so $z = 8$,
# a case. The network matches the true rule on every test sample, so its accuracy equals the
# rule's 0.955. Ask: who chose these weights? We did; from notebook 03 on, training does.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## One neuron vs a hidden layer
#
# Left: one neuron finds no useful line. Middle: the 2-4-1 network's boundary follows the axes.
# Right: in the hidden coordinates $u = |x_1 + x_2|$, $v = |x_1 - x_2|$ the line $v = u$ separates
# the classes: the output neuron is still linear, applied to the hidden **representation**.

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="XOR: one neuron fails, a hidden layer succeeds"
fig, axes = plt.subplots(1, 3, figsize=(12, 3.9), layout="constrained")
models = {"one neuron": lambda P: xor_logreg.predict_proba(P)[:, 1], "2-4-1 network": xor_network}
for ax, (title, predict) in zip(axes[:2], models.items(), strict=True):
    plot_decision_boundary(predict, X_train, y_train, ax=ax, class_names=["control", "case"])
    ax.set(title=title, xlabel="GENE0001", ylabel="GENE0002", aspect="equal")
H_train = relu(X_train @ W_hidden.T)  # hidden activations (400, 4)
u, v = H_train[:, 0] + H_train[:, 1], H_train[:, 2] + H_train[:, 3]
for label, name in [(0, "control"), (1, "case")]:
    axes[2].scatter(u[y_train == label], v[y_train == label], s=12, label=name)
axes[2].plot([0, 5], [0, 5], color="black", lw=1.5)
axes[2].set(title="hidden space", xlabel="$u = |x_1 + x_2|$", ylabel="$v = |x_1 - x_2|$", aspect=1)
axes[2].legend(loc="upper right")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# This is the central idea of the day: the hidden layer re-describes the data so that a linear
# output can separate it. Ask the room: what would the hidden coordinates be for a three-SNP
# interaction? (Answer: nobody has to know — training finds them, notebook 05.)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — a hand-made interaction feature
#
# > **Deep dive — optional.** It shows the classic-ML way out of XOR, and why even the right
# > feature falls short on 400 samples; the rest of the notebook does not need it.
#
# If we *know* the genes interact, we can add the product $x_1x_2$ as a third feature: it is
# negative exactly where the true rule says "case". Logistic regression on $(x_1, x_2, x_1x_2)$ is
# still one neuron, linear in its three inputs.


# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
def with_product(X):
    """Append the hand-made interaction feature x1 * x2: (N, 2) -> (N, 3)."""
    return np.column_stack([X, X[:, 0] * X[:, 1]])


engineered = LogisticRegression().fit(with_product(X_train), y_train)
engineered_accuracy = engineered.score(with_product(X_test), y_test)
w1, w2, w3 = engineered.coef_[0]
print(f"weights: x1 {w1:.2f}, x2 {w2:.2f}, x1*x2 {w3:.2f}; bias {engineered.intercept_[0]:.2f}")
print(f"test accuracy {engineered_accuracy:.3f}: one neuron on (x1, x2) {logistic_accuracy:.3f},")
print(f"                     the true rule {rule_test_accuracy:.3f}")
assert engineered_accuracy > logistic_accuracy + 0.25
assert round(engineered_accuracy, 3) == 0.873  # the number quoted below

# %% [markdown] slideshow={"slide_type": "slide"} tags=["deep-dive"]
# ## Deep dive — a hand-made interaction feature (continued)
#
# **Why 0.873 and not 0.955?** The feature is right; the fit is off. With small weights on $x_1, x_2$ the model predicts "case"
# when $x_1x_2 < b/|w_3|$ instead of $x_1x_2 < 0$: this training set has 53 % cases, so the bias
# $b$ is positive and the boundary moves off the axes. Many samples lie near an axis, where
# $|x_1x_2|$ is tiny, so that small shift misclassifies many of them. More data shrinks the shift.

# %% slideshow={"slide_type": "-"} tags=["deep-dive", "nbval-check-output"]
product_test = X_test[:, 0] * X_test[:, 1]
wrong = engineered.predict(with_product(X_test)) != true_rule(X_test)
shift = engineered.intercept_[0] / abs(w3)
print(f"cases in training: {y_train.mean():.2f}; boundary near x1*x2 = {shift:.3f}")
print(f"disagrees with the true rule on {wrong.mean():.1%} of test samples;")
median_wrong, median_all = np.median(np.abs(product_test[wrong])), np.median(np.abs(product_test))
print(f"median |x1*x2| there {median_wrong:.3f}, over all test samples {median_all:.3f}")
X_big, y_big = (a.to_numpy() for a in simulate_epistasis(40_000, seed=2))
big_accuracy = (
    LogisticRegression().fit(with_product(X_big), y_big).score(with_product(X_test), y_test)
)
print(f"the same model trained on 40,000 samples: test accuracy {big_accuracy:.3f}")
assert median_wrong < 0.25 * median_all  # the errors sit next to the axes
assert big_accuracy > rule_test_accuracy - 0.02  # the gap closes with data

# %% [markdown] slideshow={"slide_type": "slide"}
# ## From one unit to a feedforward network
#
# Layer $l$ computes $\mathbf h^{(l)} = f\big(W^{(l)}\mathbf h^{(l-1)} + \mathbf b^{(l)}\big)$, with
# $\mathbf h^{(0)} = \mathbf x$ the input layer; [hidden layers](GLOSSARY.md#hidden-layer) compute
# representations, the output layer the prediction. Information flows forward only: a
# [feedforward network](GLOSSARY.md#feedforward-network), or multilayer perceptron (MLP).

# %% slideshow={"slide_type": "-"} tags=["hide-code"] alt="Network: 5 inputs, 2 hidden layers of 6, 1 output"
from dlcourse.plots import plot_network

inputs, output = "input $\\mathbf{x}$\n5 genes", "output $\\hat{y}$\n1 unit"
hidden = ["hidden $\\mathbf{h}^{(1)}$\n6 units", "hidden $\\mathbf{h}^{(2)}$\n6 units"]
plot_network([5, 6, 6, 1], labels=[inputs, *hidden, output])
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Every line is one weight $W^{(l)}_{jk}$; the input layer computes nothing. Notebook 02 evaluates
# such a network layer by layer with the shape of every matrix; notebooks 03 and 04 show how the
# weights are learned.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Deep learning **learns the representation** that classic ML builds by hand.
# - A neuron: $y = f(\mathbf w^\top\mathbf x + b)$; on a batch, $f(X\mathbf w + b)$.
# - Linear / logistic regression: an identity / sigmoid neuron.
# - One neuron draws a straight boundary, so it cannot represent XOR-like epistasis.
# - A hidden layer re-describes the data so that a linear output neuron can separate it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Common mistakes
#
# > - The boundary is where $z = 0$, not where $y = 0$.
# > - The bias is *minus* the threshold.
# > - Looping over samples: a batch is one product, samples in rows.
# > - "No marginal effect" does not mean "no genetic effect": interactions can hide.
# > - $1/(1 + e^{-z})$ as written overflows at $z = -1000$ (practice 2).
#
# **Next:** notebook 02 — the forward pass through a whole network, shapes and all.

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ## Practice exercises
#
# After the lecture, in order of difficulty. Each stub runs and its self-check prints ✓ when your
# answer is right, or a hint. Replace `return None` by your code and run the cell.
#
# ### Practice 1 — a neuron on a batch
#
# Write `neuron_forward(X, w, b)` returning $\sigma(X\mathbf w + b)$ for `X` $(N, d)$, `w` $(d,)$
# and a number `b`: shape $(N,)$, no loop. Use the `sigmoid` imported from `dlcourse.scratch`: the
# check includes $z = \pm 1000$, where the textbook formula overflows (practice 2 shows why).


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_neuron_forward


def neuron_forward(X, w, b):
    # YOUR CODE HERE
    return None


check_neuron_forward(neuron_forward)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def neuron_forward(X, w, b):
    return sigmoid(X @ w + b)


assert check_neuron_forward(neuron_forward)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ### Practice 2 — a sigmoid that never overflows
#
# Write `stable_sigmoid(z)` for arrays, element-wise, without `dlcourse`'s `sigmoid`. The check
# includes $z = \pm 1000$: `np.exp(1000)` overflows (a warning and `inf`), so only ever
# exponentiate non-positive numbers. *Hints:* for $z < 0$, $\sigma(z) = e^{z}/(1 + e^{z})$.
# `np.where(z >= 0, A, B)` evaluates **both** `A` and `B` on every element before choosing, so
# `np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))` still overflows (the first
# branch at $z = -1000$, the second at $z = 1000$): compute `e = np.exp(-np.abs(z))` once, which is
# safe everywhere, and build both branches from it.


# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_sigmoid


def stable_sigmoid(z):
    # YOUR CODE HERE
    return None


check_sigmoid(stable_sigmoid)


# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
def stable_sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # always in (0, 1]: no overflow
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


assert check_sigmoid(stable_sigmoid)

# %% [markdown] slideshow={"slide_type": "slide"} tags=["exercise", "practice"]
# ### Practice 3 — wire XOR by hand (challenge)
#
# The input is the carrier status of the two SNPs, $\mathbf a \in \{0, 1\}^2$. Choose weights for
# $z = W_2\,\operatorname{ReLU}(W_1 \mathbf a + \mathbf b_1) + b_2$ so that $z > 0$ (case) exactly
# when one SNP is carried, and $z < 0$ (control) otherwise. Shapes: `W1` $(H, 2)$ (one row per
# hidden unit), `b1` $(H,)$, `W2` $(1, H)$, `b2` $(1,)$; $H = 2$ hidden units are enough.

# %% slideshow={"slide_type": "-"} tags=["exercise", "practice"]
from dlcourse.exercises import check_xor_network

W1 = None  # YOUR CODE HERE, e.g. np.array([[..., ...], [..., ...]])
b1 = None
W2 = None
b2 = None

check_xor_network(W1, b1, W2, b2)

# %% slideshow={"slide_type": "skip"} tags=["solution", "practice"]
W1 = np.array([[1.0, 1.0], [1.0, 1.0]])  # both units count the carried SNPs ...
b1 = np.array([0.0, -1.0])  # ... the second only fires when both are carried
W2 = np.array([[1.0, -2.0]])  # (a1 + a2) - 2 * [both carried]: 0, 1, 1, 0
b2 = np.array([-0.5])  # threshold between 0 and 1

assert check_xor_network(W1, b1, W2, b2)
