"""The ``microgrand demo`` command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from microgrand.cli import main


def test_demo_xor_trains_to_full_accuracy(capsys):
    assert main(["demo", "--dataset", "xor", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "training accuracy: 100.0%" in out
    assert not any(line.startswith("epoch ") for line in out.splitlines())  # --quiet: no progress lines


def test_demo_moons_prints_a_line_per_epoch_and_the_accuracy(capsys):
    assert main(["demo", "--epochs", "5", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert sum(line.startswith("epoch ") for line in out.splitlines()) == 5
    assert "epoch 5/5  train loss" in out and "val loss" in out
    assert "training accuracy:" in out and "validation accuracy:" in out


@pytest.mark.parametrize(
    "argv",
    [["demo", "--dataset", "spirals"], ["demo", "--epochs", "0"], ["demo", "--hidden", "16,x"], []],
)
def test_bad_arguments_exit_with_status_2_and_a_message(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


@pytest.mark.parametrize("lr", ["-0.1", "-1", "0", "nan", "inf", "fast"])
def test_a_learning_rate_that_is_not_finite_and_positive_is_a_usage_error(lr, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--lr", lr])
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert f"argument --lr: the learning rate must be a finite number > 0, got '{lr}'" in err and out == ""


def test_too_few_samples_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--samples", "5"])
    assert exc.value.code == 2
    assert "argument --samples: expected a whole number >= 10, got '5'" in capsys.readouterr().err


def test_python_m_microgrand_demo_runs_with_no_optional_dependency():
    code = (
        "import sys, runpy; sys.argv = ['microgrand', 'demo', '--dataset', 'xor', '--quiet']\n"
        "try:\n    runpy.run_module('microgrand', run_name='__main__')\n"
        "except SystemExit as e:\n    assert e.code == 0, e.code\n"
        "loaded = {'graphviz', 'numpy', 'torch', 'matplotlib'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "training accuracy: 100.0%" in result.stdout
