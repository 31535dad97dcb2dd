"""Reproducibility, device choice and the environment report behind ``python -m dlcourse doctor``.

The notebooks start with::

    seed_everything(0)
    DEVICE = get_device()

``get_device`` honours the environment variable ``DLCOURSE_DEVICE`` so that the same notebooks run on
CPU in CI and on a GPU runner (``DLCOURSE_DEVICE=cuda make test-notebooks``) without editing them.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import platform
import random
import sys
from dataclasses import dataclass

import numpy as np
from packaging.version import InvalidVersion, Version

from dlcourse._validation import require_int

DEVICE_ENV_VAR = "DLCOURSE_DEVICE"
MAX_SEED = 2**32 - 1
KNOWN_DEVICES = ("cpu", "cuda", "mps")

# (import name, distribution name, minimum version, why the course needs it)
REQUIREMENTS = (
    ("numpy", "numpy", "1.24", "arrays and the from-scratch engine"),
    ("torch", "torch", "2.1", "PyTorch, the deep-learning framework"),
    ("matplotlib", "matplotlib", "3.7", "figures"),
    ("seaborn", "seaborn", "0.13", "statistical plots in the practical"),
    ("sklearn", "scikit-learn", "1.3", "the Breast Cancer Wisconsin data, baselines and metrics"),
    ("pandas", "pandas", "2.0", "tables of simulated genomics data"),
    ("tqdm", "tqdm", "4.66", "progress bars"),
    ("ipywidgets", "ipywidgets", "7.6", "sliders and progress bars inside JupyterLab"),
    ("scipy", "scipy", "1.10", "intervals for comparisons (t, normal quantiles)"),
    ("jupyterlab", "jupyterlab", "4.0", "the notebook interface"),
)
# Checks that concern a JupyterLab of one's own: Colab brings its own interface and kernel.
NOT_ON_COLAB = {"jupyterlab", "jupyter kernel"}


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch, and ask PyTorch for deterministic algorithms.

    After this call a notebook gives the same numbers on every CPU run. On CUDA, cuBLAS needs
    ``CUBLAS_WORKSPACE_CONFIG`` to be deterministic; it is set here when not already set.

    Args:
        seed: an integer in [0, 2**32 - 1] (the range NumPy's global seed accepts). It also
            fixes every ``dlcourse.scratch`` layer built with ``rng=None``, which draws from
            NumPy's global state.
    """
    # Checked before anything is reseeded: NumPy's legacy seed must fit in 32 bits.
    seed = require_int("seed_everything: seed", seed, 0, MAX_SEED)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (the legacy global state is what students' code draws from)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    import torch

    torch.manual_seed(seed)  # seeds the CPU and every CUDA device
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False


def available_devices() -> list[str]:
    """The device names PyTorch can use on this machine, best first (e.g. ``['cuda', 'cpu']``)."""
    import torch

    devices = []
    if torch.cuda.is_available():
        devices.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append("mps")
    devices.append("cpu")
    return devices


def get_device(name: str | None = None):
    """Choose the ``torch.device`` the course runs on.

    Order of precedence: the ``name`` argument, then the environment variable ``DLCOURSE_DEVICE``,
    then the best available device (cuda, then mps, then cpu).

    Args:
        name: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"`` or ``None`` for automatic choice.

    Returns:
        torch.device

    Raises:
        ValueError: the name is not a device type PyTorch knows, or the device is not available here;
            the message lists the devices that are.
    """
    import torch

    requested = name if name is not None else os.environ.get(DEVICE_ENV_VAR) or None
    available = available_devices()
    if requested is None:
        return torch.device(available[0])
    if not isinstance(requested, str):
        raise ValueError(f"device name must be a string such as 'cpu' or 'cuda', got {requested!r}")
    source = "argument" if name is not None else f"environment variable {DEVICE_ENV_VAR}"
    kind, _, index = requested.strip().lower().partition(":")
    if kind not in KNOWN_DEVICES or (index and not index.isdigit()):
        raise ValueError(
            f"unknown device {requested!r} (from the {source}); expected one of "
            f"{', '.join(KNOWN_DEVICES)} (optionally with an index such as 'cuda:0'); "
            f"available here: {', '.join(available)}"
        )
    if kind not in available:
        raise ValueError(
            f"device {requested!r} (from the {source}) is not available on this machine; "
            f"available here: {', '.join(available)}. "
            f"Unset {DEVICE_ENV_VAR} or choose one of those."
        )
    if index and kind == "cuda" and int(index) >= torch.cuda.device_count():
        raise ValueError(
            f"device {requested!r} does not exist: this machine has "
            f"{torch.cuda.device_count()} CUDA device(s), numbered from 0"
        )
    return torch.device(requested.strip().lower())


@dataclass(frozen=True)
class Check:
    """One line of the environment report: ``ok`` is True when the requirement is met."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def _too_old(version: str, minimum: str) -> bool:
    try:
        return Version(version) < Version(minimum)
    except InvalidVersion:  # an unparsable version is reported, not judged
        return False


def check_package(module: str, distribution: str, minimum: str, purpose: str) -> Check:
    """Check that ``module`` imports and that its distribution is at least version ``minimum``."""
    install = f"run `make install` (or `pip install '{distribution}>={minimum}'`)"
    try:
        importlib.import_module(module)
    except Exception as error:  # a broken install raises more than ImportError
        detail = f"missing ({type(error).__name__}: {error}); needed for {purpose}"
        return Check(distribution, False, detail, install)
    try:
        version = importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        version = getattr(sys.modules[module], "__version__", "unknown")
    if _too_old(version, minimum):
        return Check(distribution, False, f"{version} is older than {minimum}", install)
    return Check(distribution, True, version)


def check_python(minimum: tuple[int, int] = (3, 10)) -> Check:
    """Check the interpreter version."""
    version = platform.python_version()
    ok = sys.version_info[:2] >= minimum
    fix = "" if ok else f"install Python {minimum[0]}.{minimum[1]} or newer and recreate .venv"
    return Check("python", ok, version, fix)


def check_kernel() -> Check:
    """Check that JupyterLab will find a Python kernel that runs in this environment."""
    fix = "run `make install` (it installs ipykernel into the course environment)"
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        specs = KernelSpecManager().find_kernel_specs()
    except Exception as error:
        return Check("jupyter kernel", False, f"cannot list kernels ({error})", fix)
    if "python3" not in specs:
        return Check("jupyter kernel", False, "no 'python3' kernel found", fix)
    return Check("jupyter kernel", True, "python3")


def check_device() -> Check:
    """Report the device the notebooks will use; an invalid ``DLCOURSE_DEVICE`` is a failure."""
    try:
        device = get_device()
    except Exception as error:
        return Check("device", False, str(error), f"unset {DEVICE_ENV_VAR} or fix its value")
    return Check("device", True, f"{device} (available: {', '.join(available_devices())})")


def running_in_colab() -> bool:
    """Whether this kernel runs in Google Colab (its ``google.colab`` module is loaded)."""
    return "google.colab" in sys.modules


def environment_report() -> list[Check]:
    """Every check of ``python -m dlcourse doctor``, in display order."""
    checks = [check_python()]
    checks += [check_package(*requirement) for requirement in REQUIREMENTS]
    checks.append(check_kernel())
    if running_in_colab():
        checks = [check for check in checks if check.name not in NOT_ON_COLAB]
    torch_ok = next(check.ok for check in checks if check.name == "torch")
    if torch_ok:
        checks.append(check_device())
    return checks


def format_report(checks: list[Check]) -> str:
    """The checks as aligned ``✓ name  detail`` lines, with a ``fix:`` line under each failure."""
    width = max(len(check.name) for check in checks)
    lines = []
    for check in checks:
        lines.append(f"{'✓' if check.ok else '✗'} {check.name:<{width}}  {check.detail}")
        if not check.ok and check.fix:
            lines.append(f"    fix: {check.fix}")
    return "\n".join(lines)
