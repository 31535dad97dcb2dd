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

# %% [markdown] slideshow={"slide_type": "slide"}
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
# The same report is printed in a terminal by `python -m dlcourse doctor`. You should see one ✓ line
# per package (Python, numpy, torch, matplotlib, seaborn, scikit-learn, pandas, JupyterLab, …), then
# "All good: you are ready for the course."

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
print("✓ the device computes correctly")
assert torch.all(product == 256), "matrix product on the device gave a wrong result"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Reproducibility
#
# `seed_everything(0)` fixes the seeds of Python, NumPy and PyTorch, so the numbers below are the same
# on every computer. You must see exactly:
#
# ```text
# torch: [0.4963 0.7682 0.0885]
# numpy: [0.637  0.2698 0.041 ]
# ```
#
# The cell checks this itself and says ✓ or ✗.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-check-output"]
seed_everything(0)
torch_draws = torch.rand(3).numpy().round(4)
numpy_draws = np.random.default_rng(0).random(3).round(4)
print("torch:", torch_draws)
print("numpy:", numpy_draws)
expected = ([0.4963, 0.7682, 0.0885], [0.637, 0.2698, 0.041])
same = np.allclose(torch_draws, expected[0]) and np.allclose(numpy_draws, expected[1])
print(
    "✓ reproducible: your numbers match the course's"
    if same
    else "✗ different numbers: tell the instructor"
)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Figures
#
# You should see an S-shaped curve (the sigmoid) rising from 0 on the left to 1 on the right. If you
# see text such as `<Figure ...>` instead, your JupyterLab is not showing inline plots: restart the
# kernel and run the notebook again.

# %% slideshow={"slide_type": "fragment"} tags=["hide-code"] alt="An S-shaped sigmoid curve rising from 0 to 1 as z goes from -6 to 6."
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
