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
# # 00 — Day 3: the plan, and your environment
#
# Today we go from a single artificial neuron to a PyTorch network trained on real tumour data.
#
# **Before the day:** run this notebook once (it takes seconds). Every check at its end must read ✓.

# %% [markdown] slideshow={"slide_type": "skip"}
# [Open in Colab](https://colab.research.google.com/github/unipv-genomic-data-science/day3-deep-learning-foundations/blob/main/notebooks/00_environment_check.ipynb)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The course in five days
#
# | day | topic |
# | --- | --- |
# | Day 1 | Python foundations & AI in medicine |
# | Day 2 | Core machine learning for genomics |
# | **Day 3 — today** | **Deep learning foundations (PyTorch)** |
# | Day 4 | Computer vision for medicine |
# | Day 5 | Large language models & clinical text |
#
# One thread runs through the week: the same learning methods applied to genomes, medical images
# and clinical notes.

# %% [markdown] slideshow={"slide_type": "notes"}
# Place today in the week: Day 2 ended with logistic regression, trees and cross-validation, and
# that is exactly where Day 3 starts (notebook 01 shows logistic regression is one neuron). Days 4
# and 5 build on today's networks: images need convolutional layers, text needs transformers, and
# both are trained with the loop students learn this afternoon.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Day 3: from one neuron to a trained network
#
# - **Morning — theory.** Notebooks 01–07 as slides, with short exercises in class: the neuron,
#   the forward pass, gradient descent, backpropagation, activations, losses, regularization. All of
#   it from scratch in NumPy, so that no step is a black box.
# - **Afternoon — hands-on.** You write the code: PyTorch essentials (08), then a full model of
#   the Breast Cancer Wisconsin data (09), step by step with self-checks.
# - **Every notebook** has a core path (the lecture), optional deep dives, and practice exercises
#   for after the lecture.

# %% [markdown] slideshow={"slide_type": "notes"}
# Say why the morning avoids PyTorch: once students have computed a gradient by hand (04) and
# watched an optimizer step (03), `loss.backward()` and `optimizer.step()` in 08 are no longer
# magic. Deep dives are for the curious and for revision; nobody needs them to follow the day.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Timetable
#
# | time | notebook | topic |
# | --- | --- | --- |
# | 9:30–9:55 | 01 | the artificial neuron |
# | 9:55–10:15 | 02 | the forward pass |
# | 10:15–10:40 | 03 | gradient descent and optimizers |
# | 10:40–10:50 | — | break |
# | 10:50–11:15 | 04 | backpropagation |
# | 11:15–11:40 | 05 | activation functions |
# | 11:40–12:05 | 06 | loss functions |
# | 12:05–12:30 | 07 | training and regularization |
# | 12:30–14:30 | — | lunch |
# | 14:30–15:30 | 08 | PyTorch essentials (hands-on) |
# | 15:30–16:45 | 09 | practical: Breast Cancer Wisconsin (hands-on) |
# | 16:45–17:00 | — | recap and questions |

# %% [markdown] slideshow={"slide_type": "notes"}
# Each slot is at least the notebook's estimated time for its core path (`python -m dlcourse
# budget`; a test checks the table against it). The morning has little slack: keep deep dives for
# later and the in-class exercises to their minutes. In the afternoon, students work at their own
# pace; walk around, and collect common problems for the recap at 16:45.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What you need ready
#
# - A laptop with the course environment: `make lab` opens JupyterLab (conda and Windows: README).
# - This notebook run top to bottom (Run → Run All Cells), every check below reading ✓:
#   1. packages and a kernel in the course environment,
#   2. the **device** PyTorch computes on (a laptop CPU is enough; a GPU is optional),
#   3. **reproducible** random numbers,
#   4. figures shown inside the notebook.
#
# A ✗ comes with the command that fixes it; if it persists, bring its output to the instructor.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask for a show of hands: who saw a ✗? Sort those out now, during the first exercise, or at the
# break: the afternoon needs a working environment. The usual culprits are a JupyterLab started
# outside the course environment (wrong kernel) and inline plots switched off.

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
import torch

from dlcourse.plots import set_style
from dlcourse.runtime import environment_report, format_report, get_device, seed_everything

seed_everything(0)
DEVICE = get_device()
set_style()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Packages, kernel and device
#
# One ✓ line per requirement; a ✗ line comes with the command that fixes it. In a terminal,
# `python -m dlcourse doctor` prints the same report.

# %% slideshow={"slide_type": "fragment"}
checks = environment_report()
missing = [check.name for check in checks if not check.ok]
print(format_report(checks))
print(f"✗ to fix: {missing}" if missing else "All good: you are ready for the course.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The device
#
# `get_device()` picks the best device available (cuda → mps → cpu); the environment variable
# `DLCOURSE_DEVICE=cpu` forces one. A matrix product on it proves it works.

# %% slideshow={"slide_type": "fragment"}
A = torch.ones(256, 256, device=DEVICE)
product = A @ A  # every entry: 256 ones times ones
assert torch.all(product == 256), "matrix product on the device gave a wrong result"
print(f"✓ {DEVICE} computes correctly: A @ A has entries {product[0, 0].item():.0f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Stress that the GPU is optional: every notebook runs on a laptop CPU within its time slot, and
# the afternoon's model trains in seconds. Those with a GPU see `cuda` (or `mps` on Apple silicon).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Reproducibility
#
# `seed_everything(0)` fixes the seeds of Python, NumPy and PyTorch, so every computer draws the
# same numbers: torch `[0.4963 0.7682 0.0885]`, numpy `[0.637 0.2698 0.041]`.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
EXPECTED_DRAWS = [0.4963, 0.7682, 0.0885, 0.637, 0.2698, 0.041]
seed_everything(0)
torch_draws = torch.rand(3).numpy().round(4)
numpy_draws = np.random.default_rng(0).random(3).round(4)
print("torch:", torch_draws)
print("numpy:", numpy_draws)
same = np.allclose(np.concatenate([torch_draws, numpy_draws]), EXPECTED_DRAWS)
print("✓ reproducible" if same else "✗ different numbers: tell the instructor")

# %% [markdown] slideshow={"slide_type": "notes"}
# Why it matters today: every number quoted on a slide is printed by the code beside it, and the
# students' runs print the same numbers. A different result then means a different code path,
# not bad luck. (Across PyTorch versions or GPU kernels, the last digits may differ.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Figures
#
# You should see an S-shaped curve. Text such as `<Figure ...>` instead means inline plots are
# off: restart the kernel and run the notebook again.

# %% slideshow={"slide_type": "fragment"} tags=["hide-code"] alt="An S-shaped sigmoid curve rising from 0 to 1 as z goes from -6 to 6."
z = np.linspace(-6, 6, 200)
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(z, 1 / (1 + np.exp(-z)))
ax.set(xlabel="$z$", ylabel=r"$\sigma(z)$", title="If you can see this curve, plots work")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary: ready for 9:30
#
# - Every check above reads ✓. For a ✗: run the `fix:` command under it, restart the kernel, run
#   this notebook again.
# - A CPU is enough for the whole day; a GPU only makes the practical faster.
# - Seeds make results reproducible: your numbers will match the ones in the lecture.
#
# Still stuck? Run `python -m dlcourse doctor` in a terminal and bring its output to the instructor.
#
# **Next:** notebook 01 — the artificial neuron.
