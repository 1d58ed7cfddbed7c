"""The exercise checkers: each accepts a right answer, says "not attempted yet" for the
placeholder, and rejects wrong answers with hints that guide before they tell."""

from __future__ import annotations

import doctest
import functools
import math
import re
from collections.abc import Iterator
from typing import Any

import pytest
from test_notebooks import NOTEBOOKS, _exercises, _setup_cells, solution_code

import microgrand.exercises
from microgrand import Value
from microgrand.exercises import (
    EXERCISES,
    ExerciseError,
    check,
    check_derivative,
    check_gradient,
    check_learning_rate,
    check_local_grads,
    check_number,
    check_outputs,
)


@pytest.fixture(autouse=True)
def _no_tries_carried_over() -> Iterator[None]:
    microgrand.exercises._tries.clear()  # the count of wrong tries lives for a kernel; here, a test
    yield
    microgrand.exercises._tries.clear()


def test_docstring_examples() -> None:
    assert doctest.testmod(microgrand.exercises).failed == 0


def test_derivative_right_and_wrong() -> None:
    check_derivative(math.sin, math.cos, [-1.0, 0.0, 0.5, 2.0])
    check_derivative(lambda x: x**3, lambda x: 3 * x**2, [0.5])
    with pytest.raises(ExerciseError, match=r"^at x = 0.5 your d/dx is 0.25: too small$"):
        check_derivative(lambda x: x**3, lambda x: x**2, [0.5])
    # right at the first point is not enough: the second is wrong
    with pytest.raises(ExerciseError, match=r"at x = 2 your d/dx is 4: too small\nThe answer: .* = 12 there"):
        check_derivative(lambda x: x**3, lambda x: 3 * x**2 if x < 1 else 4.0, [0.5, 2.0], show_answer=True)
    with pytest.raises(ExerciseError, match=r"at x = 1 your d/dx is -3: the wrong sign"):
        check_derivative(lambda x: x**3, lambda x: -3 * x**2, [1.0])


def test_derivative_of_value_functions_and_bad_answers() -> None:
    # a function written with Values works too: the checker evaluates it on plain numbers
    check_derivative(lambda x: 3 * x**2 - 4 * x + 5, lambda x: Value(6 * x - 4), [3.0])
    with pytest.raises(ExerciseError, match="did you forget `return`"):
        check_derivative(math.sin, lambda x: None, [1.0])
    with pytest.raises(ExerciseError, match="should be a number, got str"):
        check_derivative(math.sin, lambda x: "cos(x)", [1.0])
    with pytest.raises(ExerciseError, match="is nan"):
        check_derivative(math.sin, lambda x: math.nan, [1.0])


def test_gradient_right_and_wrong() -> None:
    def f(a: float, b: float) -> float:
        return a * b + b**2

    check_gradient(f, lambda a, b: [b, a + 2 * b], [(1.0, 2.0), (-0.5, 3.0)], names=["a", "b"])
    with pytest.raises(ExerciseError, match=r"at a = 1, b = 2 your d/db is 1: too small$"):
        check_gradient(f, lambda a, b: [b, a], [(1.0, 2.0)], names=["a", "b"])
    with pytest.raises(ExerciseError, match="should be 2 numbers"):
        check_gradient(f, lambda a, b: b, [(1.0, 2.0)])


def test_gradient_refuses_fewer_names_than_inputs() -> None:
    """Issue 17: with two names for three inputs, the third partial was never compared, so
    this wrong gradient (d/dc should be -1) passed."""

    def f(a: float, b: float, c: float) -> float:
        return a + b - c

    with pytest.raises(ValueError, match=r"names has 2 names \(\['a', 'b'\]\) but the points have 3 inputs"):
        check_gradient(f, lambda a, b, c: [1.0, 1.0, 5.0], [(1.0, 2.0, 3.0)], names=["a", "b"])
    with pytest.raises(ValueError, match="names has 4 names"):
        check_gradient(f, lambda a, b, c: [1.0, 1.0, -1.0], [(1.0, 2.0, 3.0)], names="abcd")


def test_local_grads_right_and_wrong() -> None:
    def cube(x: Value) -> Value:
        return Value.from_op(x.data**3, "cube", [x], [3 * x.data**2])

    def buggy_cube(x: Value) -> Value:
        return Value.from_op(x.data**3, "cube", [x], [x.data**2])

    check_local_grads(cube, [-1.5, 0.5, 2.0], forward=lambda x: x**3)
    with pytest.raises(
        ExerciseError, match=r"at x = 0.5 backward\(\) through your op gives d/dx = 0.25: too small"
    ):
        check_local_grads(buggy_cube, [0.5])
    with pytest.raises(ExerciseError, match=r"value at x = 2 is 8: too large"):
        check_local_grads(cube, [2.0], forward=lambda x: x**2)

    def times(a: Value, b: Value) -> Value:  # two inputs, one of them wrong
        return Value.from_op(a.data * b.data, "times", [a, b], [b.data, b.data])

    with pytest.raises(ExerciseError, match=r"at x1 = 2, x2 = 3 backward\(\) .* d/dx2 = 3: too large"):
        check_local_grads(times, [(2.0, 3.0)])
    with pytest.raises(ExerciseError, match="should return a Value"):
        check_local_grads(lambda x: x.data**2, [1.0])


def test_number_right_and_wrong() -> None:
    check_number("w.grad", 12.0, 12.0)
    with pytest.raises(ExerciseError, match=r"^your w.grad is 4: too small\nHint: leaves accumulate$"):
        check_number("w.grad", 4.0, 12.0, hint="leaves accumulate")
    with pytest.raises(ExerciseError, match=r"\nThe answer: w.grad = 12$"):
        check_number("w.grad", 4.0, 12.0, show_answer=True)


def test_outputs_right_and_wrong() -> None:
    X = [[0, 0], [0, 1], [1, 0], [1, 1]]
    check_outputs(lambda x: float(x[0] != x[1]), X, [0, 1, 1, 0])
    with pytest.raises(
        ExerciseError, match=r"for input \[1, 1\] your model outputs 2: too large \(the target is 0\)"
    ):
        check_outputs(lambda x: Value(x[0] + x[1]), X, [0, 1, 1, 0])
    with pytest.raises(ValueError):  # a different number of inputs and targets is the caller's mistake
        check_outputs(lambda x: 0.0, X, [0, 1])


def _descent(lr: float, steps: int = 20) -> list[float]:
    """Gradient descent on L(w) = w², from w = 1: converges for 0 < lr < 1, diverges above."""
    w, curve = 1.0, []
    for _ in range(steps):
        curve.append(w * w)
        w -= lr * 2 * w
    return curve


def test_learning_rate_right_and_wrong() -> None:
    check_learning_rate(1.5, _descent, want="diverge")
    check_learning_rate(0.3, _descent, want="converge")
    with pytest.raises(ExerciseError, match=r"lr = 0.3 the loss went from 1 to .*not diverge.*too small"):
        check_learning_rate(0.3, _descent, want="diverge")
    with pytest.raises(ExerciseError, match="it overshoots: your lr is too large"):
        check_learning_rate(1.5, _descent, want="converge")
    with pytest.raises(ExerciseError, match="too slow: your lr is too small"):
        check_learning_rate(0.001, _descent, want="converge")
    with pytest.raises(ExerciseError, match="> 0"):
        check_learning_rate(-0.1, _descent)
    with pytest.raises(ValueError, match="want"):
        check_learning_rate(0.1, _descent, want="explode")


def test_learning_rate_that_overshoots_then_stalls_is_too_large() -> None:
    """A loss that jumps above its start and then settles high is a step too large, not too small."""
    check_learning_rate(0.3, _descent, want="converge")
    with pytest.raises(ExerciseError, match="overshoots: your lr is too large"):
        check_learning_rate(9.0, lambda lr: [1.0, 40.0, 0.9, 0.8], want="converge")


def test_learning_rate_overflow_counts_as_divergence() -> None:
    def overflowing(lr: float) -> list[float]:
        raise OverflowError("math range error")

    check_learning_rate(10.0, overflowing, want="diverge")


def test_an_error_in_the_students_code_becomes_a_hint() -> None:
    def cube(x: Value) -> Value:
        return Value.from_op(x.data**3, "cube", [x], [1 / 0])

    with pytest.raises(ExerciseError, match=r"your code raised ZeroDivisionError when called with \(Value"):
        check_local_grads(cube, [1.0])
    with pytest.raises(ExerciseError, match=r"raised ZeroDivisionError when called with \(0\)"):
        check_derivative(math.sin, lambda x: 1 / x, [0.0])


def test_jupyter_shows_the_hint_without_a_traceback() -> None:
    with pytest.raises(ExerciseError) as caught:
        check_number("w.grad", 4.0, 12.0)
    assert caught.value._render_traceback_() == ["ExerciseError: your w.grad is 4: too small"]


# --- the course's exercises, with the placeholders and solutions read from the notebooks ---------


@functools.cache  # the notebooks are read once, not once per exercise
def _notebook_exercises() -> dict[str, tuple[list[str], str, str, str]]:
    """Exercise number -> (its setup cells, its exercise cell, its solution's code, the name it checks)."""
    nbformat = pytest.importorskip("nbformat")
    found = {}
    for path in NOTEBOOKS:
        cells = nbformat.read(path, as_version=4).cells
        for number, (exercise, check_cell, solution) in _exercises(cells).items():
            name = ANSWER_NAME.search(cells[check_cell].source)
            assert name
            sources = (cells[exercise].source, solution_code(cells[solution]), name.group(1))
            found[number] = (_setup_cells(cells, number), *sources)
    return found


# A plausible wrong answer per exercise (a student's typical slip), as code that replaces the
# exercise cell; the hints must guide without giving the expected value away.
WRONG = {
    "1.1": "def dg(x):\n    return 3 * x**2  # forgot the -2x term",
    "1.2": "lr = 0.1",
    "1.3": "def grad_L(W, b):\n    e = [x * W + b - y for x, y in zip(xs, ys)]\n"
    "    return [sum(2 * x * ei for x, ei in zip(xs, e)), 2 / n * sum(e)]  # no 1/n for W",
    "2.1": "my_grads = [-13.0, -13.0, 1.0]  # one path of b only",
    "2.2": "def neuron_grads(x1, w1, x2, w2, b):\n    o = sigmoid_neuron(x1, w1, x2, w2, b)\n"
    "    return [x1 * o, w1 * o, x2 * o, w2 * o, o]",
    "3.1": "def cube(x):\n    return Value.from_op(x.data**3, 'cube', [x], [x.data**2])",
    "3.2": "def hypot(x, y):\n    r = math.sqrt(x.data**2 + y.data**2)\n"
    "    return Value.from_op(r, 'hypot', [x, y], [x.data / (2 * r), y.data / (2 * r)])",
    "3.3": "my_prediction = -8.0",
    "4.1": "def tanh_prime(x):\n    return 1 - math.tanh(x)  # wrong (issue 18's example)",
    "4.2": "def elu(x):\n    if x.data > 0:\n        return Value.from_op(x.data, 'elu', [x], [1.0])\n"
    "    return Value.from_op(math.exp(x.data) - 1, 'elu', [x], [math.exp(x.data) - 1])",
    "4.3": "depth = 9",
    "5.1": "xnor_weights = {'layers.0.neurons.0.w': [1.0, 1.0], 'layers.0.neurons.0.b': 0.0,\n"
    "    'layers.0.neurons.1.w': [1.0, 1.0], 'layers.0.neurons.1.b': -1.0,\n"
    "    'layers.1.neurons.0.w': [-1.0, 2.0], 'layers.1.neurons.0.b': 0.0}",
    "5.2": "def and_unit(x):\n    return (Value(1.0) * x[0] + Value(1.0) * x[1]).relu()",
    "6.1": "def mse_grad(p1, p2, p3):\n    return [2 * (p - t) for p, t in zip((p1, p2, p3), mse_targets)]",
    "6.2": "def ce_grad(z1, z2, z3):\n    s = sum(math.exp(z) for z in (z1, z2, z3))\n"
    "    return [math.exp(z) / s for z in (z1, z2, z3)]  # forgot the target's -1",
    "6.3": "my_lr = 0.05",
    "7.1": "def d_penalty(w):\n    return 0.1 + 0.1 * w  # forgot the sign of |w|'s slope",
    "7.2": "my_lam = 0.5",
    "8.1": "def stopping_epoch(val_losses, patience):\n    best, waited = float('inf'), 0\n"
    "    for epoch, loss in enumerate(val_losses, start=1):\n"
    "        if loss <= best:  # equal counted as an improvement\n            best, waited = loss, 0\n"
    "        else:\n            waited += 1\n"
    "            if waited == patience:\n                return epoch\n"
    "    return len(val_losses)",
    "8.2": "n_parameters = 32 * 64 + 10 * 32",
    "9.1": "bound = math.sqrt(6 / 64)",
    "9.2": "def my_predict(scores):\n    return max(scores)",
}
ANSWER_NAME = re.compile(r'check\("\d\.\d", (\w+)\)')


def test_every_exercise_has_a_wrong_answer_here() -> None:
    assert set(WRONG) == set(EXERCISES) == set(_notebook_exercises())


def _run(code: str, namespace: dict[str, Any]) -> None:
    exec(compile(code, "<exercise>", "exec"), namespace)


@pytest.mark.parametrize("number", sorted(WRONG))
def test_course_exercise(number: str, capsys: pytest.CaptureFixture[str]) -> None:
    setup, exercise_cell, solution, answer = _notebook_exercises()[number]
    namespace: dict[str, Any] = {}
    for source in [*setup, exercise_cell]:
        _run(source, namespace)
    capsys.readouterr()

    check(number, namespace[answer])  # the placeholder, as given
    assert capsys.readouterr().out == (
        f"Exercise {number}: not attempted yet. Replace each ... in the exercise cell, then run this check.\n"
    )

    _run(WRONG[number], namespace)
    messages = []
    for _ in range(4):
        with pytest.raises(ExerciseError) as caught:
            check(number, namespace[answer])
        messages.append(str(caught.value))
    with pytest.raises(ExerciseError) as caught:
        check(number, namespace[answer], show_answer=True)
    revealed = str(caught.value)

    hints = EXERCISES[number].hints
    for tries, message in enumerate(messages[:3], start=1):
        hint = message.splitlines()[1]
        assert hint == f"Hint {tries}: {hints[tries - 1]}"
        assert "The answer" not in message
    assert messages[3].splitlines()[1] == f"Hint 3: {hints[2]}"  # later tries keep the last hint
    assert f'check("{number}", ..., show_answer=True)' in messages[2]
    assert len(set(hints)) == 3, "three different hints"
    # the expected value, shown on request only, is in no earlier message
    answer_line = next(line for line in revealed.splitlines() if line.startswith("The answer: "))
    expected = answer_line.removeprefix("The answer: ")
    assert expected and all(expected not in m for m in messages)
    value = expected.split(" = ")[-1]
    if isinstance(namespace[answer], (int, float)) and value != "1":  # a number to find, in no message
        assert not any(re.search(rf"(?<![\w.]){re.escape(value)}(?![\d.])", m) for m in messages), value

    _run(solution, namespace)
    check(number, namespace[answer])
    assert capsys.readouterr().out.startswith(f"Exercise {number}, right: ")
    assert number not in microgrand.exercises._tries  # a right answer starts the count again


def test_a_solution_run_by_accident_cannot_make_a_wrong_answer_pass() -> None:
    """Issue 18: Shift+Enter through exercise (wrong), check, solution, check ran the solution
    and the second check passed. A solution is Markdown now: running every code cell in order
    leaves the student's wrong answer in place."""
    nbformat = pytest.importorskip("nbformat")
    path = next(p for p in NOTEBOOKS if p.name.startswith("04"))
    cells = nbformat.read(path, as_version=4).cells
    _, check_cell, solution = _exercises(cells)["4.1"]
    namespace: dict[str, Any] = {}
    for source in _setup_cells(cells, "4.1"):
        _run(source, namespace)
    _run(WRONG["4.1"], namespace)
    for cell in cells[check_cell : check_cell + 4]:  # Shift+Enter through the following cells
        if cell.cell_type == "code" and "exercise" not in cell.metadata.get("tags", []):
            with pytest.raises(ExerciseError) if cell is cells[check_cell] else _nothing():
                _run(cell.source, namespace)
    assert cells[solution].cell_type == "markdown"
    with pytest.raises(ExerciseError):
        _run(cells[check_cell].source, namespace)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_a_name_missing_after_a_restart_says_which_cells_to_run() -> None:
    def grad_L(W: float, b: float) -> list[float]:
        return [xs[0] * W, b]  # type: ignore[name-defined]  # noqa: F821 (xs: as after a kernel restart)

    with pytest.raises(ExerciseError, match=r"name 'xs' is not defined: run the cells of \"The linear model"):
        check("1.3", grad_L)


def test_an_unknown_exercise_is_named() -> None:
    with pytest.raises(ValueError, match=r"there is no exercise '4.7'; the exercises are 1.1, 1.2"):
        check("4.7", 1.0)
