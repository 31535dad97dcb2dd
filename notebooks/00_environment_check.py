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
# # 00 — Environment check
#
# **Day 3 · Deep Learning Foundations (PyTorch)**
#
# Run this notebook once *before* the course day. It takes a few seconds and tells you, line by line,
# whether your computer is ready — and, if not, exactly what to do.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## What this notebook checks
#
# 1. Python and every package the course uses, with their versions.
# 2. That JupyterLab can find a kernel running in the course environment.
# 3. Which **device** PyTorch will compute on: a GPU (`cuda`, or `mps` on Apple silicon) or the `cpu`.
#    Every notebook of the day runs on a laptop CPU; a GPU is optional.
# 4. That random numbers are **reproducible**: the same seed gives the same numbers on every machine.
# 5. That figures appear inside the notebook.

# %% slideshow={"slide_type": "skip"}
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
# Each line is ✓ when the requirement is met. A ✗ line is followed by the command that fixes it.
# The same report is printed in a terminal by `python -m dlcourse doctor`.

# %% slideshow={"slide_type": "fragment"}
checks = environment_report()
print(format_report(checks))
missing = [check.name for check in checks if not check.ok]
print("\nAll good: you are ready for the course." if not missing else f"\nTo fix: {missing}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The device
#
# `get_device()` picks the best device available (cuda → mps → cpu). To force one, set the
# environment variable `DLCOURSE_DEVICE` (for example `DLCOURSE_DEVICE=cpu`) before starting
# JupyterLab. A small matrix product on that device proves it works.

# %% slideshow={"slide_type": "fragment"}
A = torch.ones(256, 256, device=DEVICE)
product = A @ A
print(f"device: {DEVICE}; every entry of A @ A is {product[0, 0].item():.0f} (expected 256)")
assert torch.all(product == 256), "matrix product on the device gave a wrong result"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Reproducibility
#
# `seed_everything(0)` fixes the seeds of Python, NumPy and PyTorch. The three numbers below must be
# identical on your screen, on your neighbour's and in the course's committed copy of this notebook.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
seed_everything(0)
print("torch:", torch.rand(3).numpy().round(4))
print("numpy:", np.random.default_rng(0).random(3).round(4))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Figures
#
# You should see a sigmoid curve below. If you see text such as `<Figure ...>` instead, your
# JupyterLab is not showing inline plots: restart the kernel and run the notebook again.

# %% slideshow={"slide_type": "fragment"}
z = np.linspace(-6, 6, 200)
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(z, 1 / (1 + np.exp(-z)))
ax.set(xlabel="$z$", ylabel=r"$\sigma(z)$", title="If you can see this curve, plots work")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Every line of the report above should read ✓. If one reads ✗, run the `fix:` command under it,
#   restart the kernel, and run this notebook again.
# - A CPU is enough for the whole day; a GPU only makes the practical faster.
# - Seeds make results reproducible: your numbers will match the course's.
#
# Still stuck? Run `python -m dlcourse doctor` in a terminal and bring its output to the instructor.
