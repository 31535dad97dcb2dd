"""dlcourse: helper package of the Day 3 deep-learning course.

Modules:
    runtime    seeds, device choice and the environment report
    scratch    the from-scratch NumPy engine (no torch import)
    data       datasets: Breast Cancer Wisconsin and seeded genomics simulators
    plots      one consistent figure style and the course's figures
    training   the PyTorch training loop and evaluation helpers
    exercises  self-checks for the notebooks' exercises
    pipeline   notebook build, pairing check and student edition
"""

__version__ = "0.1.0"
