"""The ``microgrand demo`` command."""

from __future__ import annotations

import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import microgrand
from microgrand.cli import _parsers, main


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


def run_cli(*args: str, **popen: Any) -> subprocess.Popen[str]:
    """`python -m microgrand ARGS` in a new process, as a user runs it from a shell."""
    return subprocess.Popen(
        [sys.executable, "-m", "microgrand", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"microgrand {microgrand.__version__}\n"


@pytest.mark.parametrize(
    ("option", "why"),
    [
        (["--samples", "20"], "--samples applies only to --dataset moons: XOR is always its 4 points"),
        (["--patience", "3"], "--patience applies only to --dataset moons: XOR trains without a validation"),
    ],
)
def test_moons_only_options_are_refused_with_xor(option, why, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--dataset", "xor", *option])
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("usage: microgrand demo") and f"error: {why}" in err


def test_moons_only_options_apply_to_moons(capsys):
    assert main(["demo", "--samples", "20", "--epochs", "1"]) == 0
    assert "moons, 16 training samples + 4 for validation" in capsys.readouterr().out
    # seed 0 improves until epoch 5, then gets worse: patience 1 stops at 6 (patience 20 trains on)
    assert main(["demo", "--patience", "1", "--quiet"]) == 0
    assert "trained 6 epochs" in capsys.readouterr().out
    assert main(["demo", "--patience", "20", "--epochs", "10", "--quiet"]) == 0
    assert "trained 10 epochs" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["demo", "--bogus"], ["demo", "--epochs", "3", "extra"], ["demo", "-x"]])
def test_an_unknown_demo_option_shows_the_demos_usage(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: microgrand demo [-h] [--dataset {moons,xor}]")
    assert f"microgrand demo: error: unrecognized arguments: {argv[-1]}" in err


def significant_digits(text: str) -> int:
    mantissa = text.lower().split("e")[0].lstrip("+-").replace(".", "").lstrip("0")
    return len(mantissa)


def test_scores_and_learning_rate_are_printed_with_four_significant_digits(capsys):
    # lr 1e5 throws the scores out to about -3e20 in three epochs (%.3f would print 25 characters)
    assert main(["demo", "--dataset", "xor", "--lr", "1e5", "--epochs", "3", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "SGD lr=100000 momentum" in out  # %g: at most 6 significant digits
    scores = re.findall(r"score (\S+)", out)
    assert len(scores) == 4 and max(abs(float(s)) for s in scores) > 1e15
    assert all(significant_digits(s) == 4 for s in scores), scores
    # and a score near 1 keeps its four digits too: +1.110, not +1.11
    assert main(["demo", "--dataset", "xor", "--quiet"]) == 0
    scores = re.findall(r"score (\S+)", capsys.readouterr().out)
    assert len(scores) == 4 and all(significant_digits(s) == 4 for s in scores), scores


def test_losses_are_printed_with_four_significant_digits(capsys):
    # lr 1000 on moons: the losses grow to about 1e33 in three epochs; with .4f that is 38 characters
    assert main(["demo", "--lr", "1000", "--epochs", "3", "--patience", "3"]) == 0
    losses = re.findall(r"(?:train|val) loss (\S+)", capsys.readouterr().out)
    assert len(losses) == 6 and max(map(float, losses)) > 1e20
    assert all(significant_digits(text) <= 4 for text in losses), losses


def test_every_demo_option_is_in_the_readme():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    _, commands = _parsers()
    options = set(re.findall(r"--[a-z][a-z-]*", commands["demo"].format_help())) - {"--help"}
    assert {"--dataset", "--quiet", "--samples"} <= options  # the help is read as expected
    missing = sorted(o for o in options if f"`{o}" not in readme)
    assert not missing, f"README.md does not list these options of `microgrand demo --help`: {missing}"
    assert "`microgrand --version`" in readme


@pytest.mark.skipif(sys.platform == "win32", reason="Ctrl-C is a POSIX signal here")
def test_ctrl_c_stops_the_demo_with_status_130_and_no_traceback():
    # a background process may inherit SIGINT ignored; give it the default, as a terminal does
    process = run_cli(
        "demo", "--epochs", "100000", "--patience", "100000",
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        assert process.stdout is not None
        process.stdout.readline()  # the header
        assert process.stdout.readline().startswith("epoch ")  # training has started
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert err == "microgrand demo: interrupted\n"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGPIPE's exit status is POSIX's")
def test_a_closed_pipe_stops_the_demo_quietly():
    # `microgrand demo ... | head -1`: 5000 XOR epochs print about 300 KB, far more than a pipe holds,
    # so the demo is still writing when the reader closes its end
    process = run_cli("demo", "--dataset", "xor", "--epochs", "5000")
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read()
    status = process.wait(timeout=60)
    assert first.startswith("microgrand demo: xor")
    assert err == ""
    assert status == 141  # 128 + SIGPIPE, as a shell reports a tool stopped by a closed pipe


def test_head_of_a_shell_pipe_gets_its_line_and_no_traceback(tmp_path):
    if shutil.which("sh") is None or shutil.which("head") is None:
        pytest.skip("needs a POSIX shell and head")
    demo = f"{shlex.quote(sys.executable)} -m microgrand demo --dataset xor --epochs 5000"
    command = f"{demo} 2>err.txt | head -1"
    result = subprocess.run(["sh", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("microgrand demo: xor")
    assert (tmp_path / "err.txt").read_text() == ""


@pytest.mark.parametrize(("dataset", "epoch", "which"), [("moons", 1, "validation"), ("xor", 2, "training")])
def test_a_diverging_demo_says_why_on_stderr_and_exits_1(dataset, epoch, which, capsys):
    assert main(["demo", "--dataset", dataset, "--lr", "1e300", "--epochs", "5"]) == 1
    out, err = capsys.readouterr()
    assert (
        err.startswith(f"microgrand demo: training diverged in epoch {epoch}: the {which} loss is ")
        and err.count("\n") == 1
    )
    assert "learning rate that is too large (lr = 1e+300)" in err
    assert "accuracy" not in out and "trained" not in out  # no result from a model that ran off


def test_a_divergence_on_the_last_step_exits_1_with_the_reason(capsys):
    """Issue 17: one epoch at lr 1e300 printed 'training accuracy: 50.0%' and scores of +inf, status 0."""
    assert main(["demo", "--dataset", "xor", "--lr", "1e300", "--epochs", "1"]) == 1
    out, err = capsys.readouterr()
    assert err.startswith(
        "microgrand demo: training diverged in epoch 1: after the last step, the training loss"
    )
    assert err.count("\n") == 1 and "accuracy" not in out and "score" not in out


def test_a_score_that_is_not_finite_is_a_divergence_even_when_the_loss_is_finite(monkeypatch, capsys):
    """A hinge loss is 0 for a score of +inf on the right side: the scores are checked too."""
    real_fit = microgrand.train.fit

    def fit_then_overflow(model, *args, **kwargs):
        history = real_fit(model, *args, **kwargs)
        model.layers[-1].neurons[0].b.data = math.inf  # every score +inf
        return history

    monkeypatch.setattr(microgrand.train, "fit", fit_then_overflow)
    assert main(["demo", "--dataset", "xor", "--epochs", "3", "--quiet"]) == 1
    out, err = capsys.readouterr()
    assert err.startswith("microgrand demo: training diverged: a score is inf, not a finite number")
    assert err.count("\n") == 1 and "accuracy" not in out


def run_in_shell(redirect: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    if shutil.which("sh") is None:
        pytest.skip("needs a POSIX shell")
    command = f"{shlex.quote(sys.executable)} -m microgrand demo --dataset xor --epochs 3 {redirect}"
    return subprocess.run(
        ["sh", "-c", command], capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}
    )


@pytest.mark.parametrize(
    ("redirect", "message"),
    [
        (">&-", "microgrand demo: standard output is closed"),
        (">/dev/full", "microgrand demo: cannot write the output: No space left on device"),
    ],
)
def test_stdout_closed_or_full_is_one_line_and_status_1(redirect, message):
    if redirect == ">/dev/full" and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    result = run_in_shell(redirect)
    assert result.returncode == 1
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr


@pytest.mark.parametrize(
    "args", [["--dataset", "xor", "--epochs", "3"], ["--dataset", "xor", "--lr", "1e300"]]
)
def test_an_ascii_terminal_gets_ascii_stand_ins_and_a_normal_run(args):
    process = run_cli("demo", *args, env={**os.environ, "PYTHONIOENCODING": "ascii"})
    out, err = process.communicate(timeout=60)
    assert "Traceback" not in err
    assert out.isascii() and err.isascii()
    assert "hinge loss + 1e-4*L2" in out  # '·' shown as '*'
    if "1e300" in args:
        assert process.returncode == 1 and err.startswith("microgrand demo: training diverged")
    else:
        assert process.returncode == 0 and "training accuracy:" in out
