"""Shared test configuration: headless plotting and float64 PyTorch references."""

import matplotlib

matplotlib.use("Agg")
