"""The benchmark machinery (not a timing test: no figure is judged here)."""

import json

import pytest

from dlcourse.tooling import bench, bench_engine

# Each test here starts kernels in child processes.
pytestmark = pytest.mark.slow


def test_benchmark_measures_a_notebook_and_its_floor(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "_scratch_vs_torch", lambda: None)
    source = tmp_path / "01_tiny.py"
    source.write_text('# %%\nimport math\n\n# %%\nblock = b"x" * (200 * 2**20)\n')
    output = tmp_path / "out" / "bench.json"
    report = bench.run_benchmark([source], output)
    row = report["notebooks"][0]
    assert row["error"] is None and row["floor"]["error"] is None
    assert row["wall_s"] > 0 and row["floor"]["wall_s"] > 0
    # the notebook holds 200 MiB more than its floor (imports only)
    assert row["peak_mib"] - row["floor"]["peak_mib"] > 150
    assert json.loads(output.read_text()) == {"generated_by": "python -m dlcourse bench", **report}
    table = bench.format_report(report)
    assert "01_tiny" in table and "floor" in table


def test_a_failing_notebook_is_reported_not_raised(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "_scratch_vs_torch", lambda: None)
    source = tmp_path / "02_broken.py"
    source.write_text("# %%\nimport math\n\n# %%\nraise ValueError('boom')\n")
    report = bench.run_benchmark([source], tmp_path / "bench.json")
    assert "ValueError" in report["notebooks"][0]["error"]
    assert "FAILED" in bench.format_report(report)
    assert bench.failures(report) == ["02_broken"]


def test_scratch_and_torch_are_timed_on_the_same_step():
    result = bench_engine.benchmark_scratch_vs_torch(repeats=3)
    assert result["scratch_ms"] > 0 and result["torch_ms"] > 0
    assert result["ratio"] == pytest.approx(result["scratch_ms"] / result["torch_ms"])
    with pytest.raises(ValueError, match="repeats"):
        bench_engine.benchmark_scratch_vs_torch(repeats=0)
