"""The course's exercises and their checkers: a wrong answer gets a hint that guides before it tells.

In a notebook, each exercise is checked by one call that names it and passes your answer::

    check("4.1", tanh_prime)                    # prints a pass message, or raises ExerciseError
    check("4.1", tanh_prime, show_answer=True)  # the same, and a wrong answer also shows the value

The checker owns everything but your answer: its own copy of the data, the reference it judges
against (central differences, f'(x) ≈ (f(x + ε) − f(x − ε)) / 2ε, wherever a derivative is asked
for), and the hints. So a check cell computes nothing in view. A wrong answer raises
`ExerciseError` whose message says what is wrong and which way (which partial derivative, too
large, too small or the wrong sign), then a hint: the first try gets the first hint, later tries
more specific ones. The expected value appears only with ``show_answer=True``. An answer still
holding the exercise's placeholder (``...`` or None) prints "not attempted yet" and raises
nothing, so "Run All" and ``jupyter nbconvert --execute`` run an unfinished notebook to the end.

How the notebooks lay out an exercise (tests/test_notebooks.py checks it; the course website
reads it to run exercises in the page). Cell metadata ``"microgrand": {"exercise": "4.1"}``
marks the cells of exercise 4.1:

- the exercise's code cell, tag ``exercise``: a placeholder with ``...`` for the learner to fill;
- its check cell, tag ``check``: ``check("4.1", answer)``;
- its solution, tag ``solution``: a Markdown cell (so Shift+Enter and "Run All" never run it)
  holding a collapsed ``<details>`` block whose summary names the exercise and whose first
  ```` ```python ```` fence is the solution's code;
- setup: the code cells an exercise needs first carry ``"microgrand": {"setup_for": ["4.1", ...]}``,
  in notebook order; they need only microgrand and the standard library;
- an exercise that needs scikit-learn's data or a long training adds ``"notebook_only": "<why>"``
  to its cells' metadata.

The general checkers below (`check_derivative`, `check_gradient`, `check_local_grads`,
`check_number`, `check_outputs`, `check_learning_rate`) judge answers to exercises of your own:

>>> check_derivative(lambda x: x**3, lambda x: 3 * x**2, [0.5, 2.0])
d/dx matches central differences at 2 points.
>>> check_derivative(lambda x: x**3, lambda x: x**2, [0.5], show_answer=True)
Traceback (most recent call last):
...
microgrand.exercises.ExerciseError: at x = 0.5 your d/dx is 0.25: too small
The answer: central differences give d/dx = 0.75 there
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .checks import as_float
from .engine import Value
from .finite_differences import analytic_grad, numerical_grad

Point = float | Sequence[float]


class ExerciseError(AssertionError):
    """A wrong answer to an exercise; the message is the hint."""

    def _render_traceback_(self) -> list[str]:
        # IPython (Jupyter) shows these lines instead of a traceback: the hint is about the
        # student's answer, not about where in the checker it was found
        return [f"ExerciseError: {self}"]


class _Wrong(Exception):
    """What a judge found wrong (`what`, never the expected value) and the expected value (`answer`)."""

    def __init__(self, what: str, answer: str) -> None:
        super().__init__(what)
        self.what, self.answer = what, answer


def _fmt(x: float) -> str:
    """A number as a student would write it: 4 significant digits, no float noise."""
    return f"{x:.4g}"


def _point(p: Point) -> list[float]:
    if isinstance(p, (int, float)):
        return [as_float(p, "a point")]
    return [as_float(v, "a point's coordinate") for v in p]


def _where(names: Sequence[str], xs: Sequence[float]) -> str:
    return ", ".join(f"{n} = {_fmt(x)}" for n, x in zip(names, xs))


def _close(yours: float, reference: float, tol: float) -> bool:
    return abs(yours - reference) <= tol * max(1.0, abs(reference))


def _which_way(yours: float, reference: float, tol: float) -> str:
    """How a wrong number is wrong, without saying the right one."""
    if abs(reference) > tol and abs(yours) > tol and (yours > 0) != (reference > 0):
        return "the wrong sign"
    return "too large" if yours > reference else "too small"


def _unfinished(answer: Any) -> bool:
    """True while the answer still holds the exercise's placeholder: `...` (or None) as the
    answer, anywhere in a list or dict, or written in a function's code."""
    if answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, dict):
        answer = list(answer.values())
    if isinstance(answer, (list, tuple)):
        return any(
            item is Ellipsis or (isinstance(item, (list, tuple, dict)) and _unfinished(item))
            for item in answer
        )
    code = getattr(answer, "__code__", None)
    return code is not None and _holds_ellipsis(code.co_consts)


def _holds_ellipsis(constants: Sequence[Any]) -> bool:
    for c in constants:  # nested functions and tuples of constants have constants of their own
        if c is Ellipsis or (isinstance(c, tuple) and _holds_ellipsis(c)):
            return True
        if hasattr(c, "co_consts") and _holds_ellipsis(c.co_consts):
            return True
    return False


def _as_number(answer: Any, what: str) -> float:
    """The student's answer as a float, or a `_Wrong` that says what came back instead."""
    if isinstance(answer, Value):
        answer = answer.data
    if answer is None:
        raise _Wrong(f"{what} is None: did you forget `return`?", "")
    try:
        value = as_float(answer, what)
    except TypeError:
        raise _Wrong(f"{what} should be a number, got {type(answer).__name__}: {answer!r}", "") from None
    if not math.isfinite(value):
        raise _Wrong(f"{what} is {value}: the answer is a finite number", "")
    return value


def _call(fn: Callable[..., Any], *args: Any, setup: str = "") -> Any:
    """Your function's result; if it raises, the error becomes a hint that says so."""
    if not callable(fn):
        raise _Wrong(f"your answer should be a function, got {type(fn).__name__}: {fn!r}", "")
    try:
        return fn(*args)
    except NameError as error:  # after a kernel restart: say which cells define the name
        setup = setup or "the cells above that define it (the notebook's first cells import math and Value)"
        raise _Wrong(
            f"your code raised NameError: {error}: run {setup} first, then the exercise cell", ""
        ) from error
    # any other error in the student's code is reported as a hint, not as a crash of the checker
    except Exception as error:
        shown = ", ".join(_fmt(a) if isinstance(a, float) else repr(a) for a in args)
        raise _Wrong(
            f"your code raised {type(error).__name__} when called with ({shown}): {error}", ""
        ) from error


def _on_floats(f: Callable[..., Any]) -> Callable[..., Value]:
    """f on the plain numbers inside Values, so that math.sin or a float formula can be differentiated."""

    def g(*xs: Value) -> Value:
        return Value(_as_number(f(*(x.data for x in xs)), "the function's value"))

    return g


# --- judges: each returns a pass message or raises _Wrong ---------------------------------------


def _judge_partials(
    f: Callable[..., Any],
    grad: Callable[..., Any],
    points: Sequence[Point],
    names: Sequence[str] | None,
    tol: float,
    what: str = "d/d{}",
    setup: str = "",
) -> str:
    """Each partial derivative ``grad(*x)[i]`` against central differences of ``f``, at every point."""
    for p in points:
        xs = _point(p)
        labels = list(names) if names is not None else _labels(len(xs))
        if len(labels) != len(xs):
            raise ValueError(f"names has {len(labels)} names ({labels}) but the points have {len(xs)} inputs")
        reference = numerical_grad(_on_floats(f), xs)
        yours = _call(grad, *xs, setup=setup)
        if len(xs) == 1 and not isinstance(yours, (list, tuple)):
            yours = [yours]
        if not isinstance(yours, (list, tuple)) or len(yours) != len(xs):
            raise _Wrong(
                f"your gradient at {_where(labels, xs)} should be {len(xs)} numbers, got {yours!r}", ""
            )
        for name, y, r in zip(labels, yours, reference):
            value = _as_number(y, f"at {_where(labels, xs)} your {what.format(name)}")
            if not _close(value, r, tol):
                raise _Wrong(
                    f"at {_where(labels, xs)} your {what.format(name)} is {_fmt(value)}: "
                    + _which_way(value, r, tol),
                    f"central differences give {what.format(name)} = {_fmt(r)} there",
                )
    kind = "gradient" if len(_point(points[0])) > 1 else "d/dx"
    return f"{kind} matches central differences at {_count(points)}."


def _labels(n: int) -> list[str]:
    """How the inputs are named in a hint: x for one input, x1, x2, … for several."""
    return ["x"] if n == 1 else [f"x{i + 1}" for i in range(n)]


def _count(points: Sequence[Any]) -> str:
    return "1 point" if len(points) == 1 else f"{len(points)} points"


def _judge_local_grads(
    op: Callable[..., Any], points: Sequence[Point], forward: Callable[..., float] | None, tol: float
) -> str:
    for p in points:
        xs = _point(p)
        labels = _labels(len(xs))
        out = _call(op, *(Value(x) for x in xs))
        if not isinstance(out, Value):
            raise _Wrong(f"your op should return a Value (build it with Value.from_op), got {out!r}", "")
        if forward is not None and not _close(out.data, forward(*xs), tol):
            raise _Wrong(
                f"your op's value at {_where(labels, xs)} is {_fmt(out.data)}: "
                + _which_way(out.data, forward(*xs), tol),
                f"its value there is {_fmt(forward(*xs))}",
            )
        reference = numerical_grad(op, xs)
        yours = analytic_grad(op, xs)
        for name, y, r in zip(labels, yours, reference):
            if not _close(y, r, tol):
                raise _Wrong(
                    f"at {_where(labels, xs)} backward() through your op gives d/d{name} = {_fmt(y)}: "
                    f"{_which_way(y, r, tol)} (it comes from the local derivative you pass to from_op)",
                    f"central differences give d/d{name} = {_fmt(r)} there",
                )
    return f"the local derivatives match central differences at {_count(points)}."


def _judge_number(
    name: str, yours: Any, expected: float, tol: float, mistakes: dict[float, str] | None = None
) -> str:
    value = _as_number(yours, f"your {name}")
    if not _close(value, expected, tol):
        known = next((why for m, why in (mistakes or {}).items() if _close(value, m, tol)), "")
        raise _Wrong(
            f"your {name} is {_fmt(value)}: {_which_way(value, expected, tol)}"
            + (f"; {known}" if known else ""),
            f"{name} = {_fmt(expected)}",
        )
    return f"{name}: right."


def _judge_outputs(
    model: Callable[[Any], Any], inputs: Sequence[Any], targets: Sequence[float], tol: float
) -> str:
    if len(inputs) != len(targets):
        raise ValueError(f"check_outputs got {len(inputs)} inputs but {len(targets)} targets")
    for x, t in zip(inputs, targets):
        value = _as_number(_call(model, x), f"your output for input {x}")
        if not _close(value, t, tol):
            raise _Wrong(
                f"for input {x} your model outputs {_fmt(value)}: "
                f"{_which_way(value, t, tol)} (the target is {_fmt(t)})",
                "",
            )
    return f"all {len(inputs)} outputs are right."


def _judge_learning_rate(lr: Any, losses_for: Callable[[float], Sequence[float]], want: str) -> str:
    if want not in ("diverge", "converge"):
        raise ValueError(f"want must be 'diverge' or 'converge', got {want!r}")
    rate = _as_number(lr, "your learning rate")
    if rate <= 0:
        raise _Wrong(f"your learning rate is {_fmt(rate)}; a learning rate is a step size, so it is > 0", "")
    try:
        curve = [float(v) for v in losses_for(rate)]
    except (OverflowError, ArithmeticError):
        curve = [math.inf]
    first, last = curve[0], curve[-1]
    diverged = not math.isfinite(last) or last > first
    went = f"with lr = {_fmt(rate)} the loss went from {_fmt(first)} to {_fmt(last)}"
    if want == "diverge" and not diverged:
        raise _Wrong(f"{went}: it does not diverge, so your lr is too small", "")
    if want == "converge" and not (math.isfinite(last) and last < 0.01 * first):
        # a loss that rose above its start on the way overshot: a smaller lr, not a larger one
        overshot = diverged or max(curve) > first
        verdict = "it overshoots: your lr is too large" if overshot else "too slow: your lr is too small"
        raise _Wrong(f"{went}: {verdict}", "")
    return f"lr = {_fmt(rate)}: the loss goes from {_fmt(first)} to {_fmt(last)}; it does {want}."


# --- the general checkers, for exercises of your own --------------------------------------------


def _report(judge: Callable[[], str], show_answer: bool, hint: str = "") -> None:
    try:
        print(judge())
    except _Wrong as wrong:
        lines = [wrong.what] + ([f"Hint: {hint}"] if hint else [])
        if show_answer and wrong.answer:
            lines.append(f"The answer: {wrong.answer}")
        raise ExerciseError("\n".join(lines)) from None


def check_derivative(
    f: Callable[[float], Any],
    df: Callable[[float], Any],
    points: Sequence[float],
    tol: float = 1e-4,
    *,
    show_answer: bool = False,
) -> None:
    """Check your derivative ``df(x)`` of ``f(x)`` at each x in `points` (plain numbers)."""
    _report(lambda: _judge_partials(f, df, points, ["x"], tol), show_answer)


def check_gradient(
    f: Callable[..., Any],
    grad: Callable[..., Any],
    points: Sequence[Point],
    names: Sequence[str] | None = None,
    tol: float = 1e-4,
    *,
    show_answer: bool = False,
) -> None:
    """Check your gradient ``grad(*x)`` (a list, one partial derivative per input) of ``f(*x)``.

    `f` and `grad` take plain numbers. At each point of `points` (a number, or a tuple with
    one number per input) every ∂f/∂xᵢ must agree with central differences to `tol`
    (relative, for derivatives larger than 1). `names`, if given, names every input.
    """
    _report(lambda: _judge_partials(f, grad, points, names, tol), show_answer)


def check_local_grads(
    op: Callable[..., Value],
    points: Sequence[Point],
    forward: Callable[..., float] | None = None,
    tol: float = 1e-4,
    *,
    show_answer: bool = False,
) -> None:
    """Check a new op's local derivatives: ``op(*values)`` builds a node (e.g. with
    `Value.from_op`), and `backward()` through it must agree with central differences on the
    op's own forward value, at every point. With `forward` (the op's formula on plain
    numbers) the op's value is checked first."""
    _report(lambda: _judge_local_grads(op, points, forward, tol), show_answer)


def check_number(
    name: str, yours: Any, expected: float, hint: str = "", tol: float = 1e-6, *, show_answer: bool = False
) -> None:
    """Check a number you worked out (a gradient, a weight, a learning rate's effect...)."""
    _report(lambda: _judge_number(name, yours, expected, tol), show_answer, hint)


def check_outputs(
    model: Callable[[Any], Any], inputs: Sequence[Any], targets: Sequence[float], tol: float = 1e-6
) -> None:
    """Check that ``model(x)`` (a Value or a number) is each target, input by input."""
    _report(lambda: _judge_outputs(model, inputs, targets, tol), False)


def check_learning_rate(
    lr: Any, losses_for: Callable[[float], Sequence[float]], want: str = "diverge"
) -> None:
    """Check that gradient descent with learning rate `lr` does what you were asked.

    ``losses_for(lr)`` runs the training and returns the loss after each step. ``want`` is
    ``"diverge"`` (the loss ends larger than it started, or overflows) or ``"converge"``
    (it ends below a hundredth of where it started).
    """
    _report(lambda: _judge_learning_rate(lr, losses_for, want), False)


# --- the course's exercises ----------------------------------------------------------------------


@dataclass(frozen=True)
class Exercise:
    """One exercise of the course: how an answer is judged, and the hints for each wrong try."""

    number: str  # "4.1": notebook 4, exercise 1
    title: str
    judge: Callable[[Any], str]  # the answer -> a pass message, or raises _Wrong
    hints: tuple[str, str, str]  # for the first, second and third (and later) wrong try
    setup: str = ""  # the cells that define what the answer uses, for a NameError after a restart


EXERCISES: dict[str, Exercise] = {}
_tries: dict[str, int] = {}  # wrong tries so far, per exercise, in this kernel


def exercise(
    number: str, title: str, hints: tuple[str, str, str], setup: str = ""
) -> Callable[[Callable[[Any], str]], Callable[[Any], str]]:
    """Register the decorated judge as exercise `number`."""

    def register(judge: Callable[[Any], str]) -> Callable[[Any], str]:
        EXERCISES[number] = Exercise(number, title, judge, hints, setup)
        return judge

    return register


def check(number: str, answer: Any, *, show_answer: bool = False) -> None:
    """Check your answer to exercise `number` of the course (e.g. ``check("4.1", tanh_prime)``).

    Prints "not attempted yet" while the answer is the exercise's placeholder, a pass message for
    a right answer, and raises `ExerciseError` with a hint for a wrong one; the hints grow more
    specific with each wrong try. With ``show_answer=True`` a wrong answer also shows the value
    the checker expected.
    """
    if number not in EXERCISES:
        raise ValueError(f"there is no exercise {number!r}; the exercises are {', '.join(EXERCISES)}")
    ex = EXERCISES[number]
    if _unfinished(answer):
        print(
            f"Exercise {number}: not attempted yet. Replace each ... in the exercise cell,"
            " then run this check."
        )
        return
    try:
        passed = ex.judge(answer)
    except _Wrong as wrong:
        tries = _tries[number] = _tries.get(number, 0) + 1
        lines = [wrong.what, f"Hint {min(tries, 3)}: {ex.hints[min(tries, 3) - 1]}"]
        if show_answer and wrong.answer:
            lines.append(f"The answer: {wrong.answer}")
        elif tries >= 3 and wrong.answer:
            lines.append(f'Still stuck? check("{number}", ..., show_answer=True) shows the expected value.')
        raise ExerciseError("\n".join(lines)) from None
    _tries.pop(number, None)
    print(f"Exercise {number}, right: {passed}")


def _gd_data() -> tuple[list[float], list[float]]:
    """Notebook 1's data: roughly y = 2x, with some noise."""
    return [0.5, 1.0, 1.5, 2.0], [1.1, 1.9, 3.2, 3.9]


@exercise(
    "1.1",
    "a derivative, and its sign",
    (
        "differentiate term by term, with the power rule (xⁿ)′ = n·xⁿ⁻¹.",
        "x³ becomes 3x²; a term c·x becomes the constant c.",
        "g′(x) is 3x² minus the slope of 2x: what is that slope, for every x?",
    ),
)
def _ex_1_1(dg: Any) -> str:
    return _judge_partials(lambda x: x**3 - 2 * x, dg, [-2.0, -0.5, 0.0, 1.0, 3.0], ["x"], 1e-4, what="dg(x)")


@exercise(
    "1.2",
    "make gradient descent diverge",
    (
        "each step multiplies the distance to W* by (1 − η·a): when does that distance grow?",
        "it grows when |1 − η·a| > 1, that is when η > 2/a.",
        "compute 2 / a with the curvature `a` from the learning-rate section, and take any lr above it.",
    ),
)
def _ex_1_2(lr: Any) -> str:
    xs, ys = _gd_data()

    def losses(rate: float) -> list[float]:
        W, curve = 0.0, []
        for _ in range(30):
            curve.append(sum((x * W - y) ** 2 for x, y in zip(xs, ys)) / len(xs))
            W -= rate * 2 / len(xs) * sum(x * (x * W - y) for x, y in zip(xs, ys))
        return curve

    a = 2 / len(xs) * sum(x * x for x in xs)
    try:
        return _judge_learning_rate(lr, losses, "diverge")
    except _Wrong as wrong:
        raise _Wrong(wrong.what, f"any lr above 2/a = {_fmt(2 / a)} (a = {_fmt(a)})") from None


@exercise(
    "1.3",
    "a gradient with a bias",
    (
        "L is a mean of squared errors e² with e = x·W + b − y; the chain rule gives d(e²)/dθ = 2e · de/dθ.",
        "de/dW = x and de/db = 1: sum 2e·x (for W) or 2e (for b) over the examples.",
        "L is a mean, not a sum: divide each sum by n.",
    ),
    setup='the cells of "The linear model and its loss" (they define xs, ys and n)',
)
def _ex_1_3(grad_L: Any) -> str:
    xs, ys = _gd_data()

    def loss(W: float, b: float) -> float:
        return sum((x * W + b - y) ** 2 for x, y in zip(xs, ys)) / len(xs)

    points = [(0.0, 0.0), (1.5, 0.3), (2.0, -1.0)]
    setup = EXERCISES["1.3"].setup
    return _judge_partials(loss, grad_L, points, ["W", "b"], 1e-4, what="∂L/∂{}", setup=setup)


@exercise(
    "2.1",
    "backpropagate by hand",
    (
        "name the inner nodes, s = a + b and t = b − c, so L = s·t; start at L, where dL/dL = 1.",
        "a product sends each input the other input times the upstream gradient (dL/ds = t, dL/dt = s); "
        "a sum passes the gradient on, a minus flips its sign.",
        "b feeds both s and t: its gradient is the sum of what arrives along both paths.",
    ),
)
def _ex_2_1(my_grads: Any) -> str:
    if not isinstance(my_grads, (list, tuple)) or len(my_grads) != 3:
        raise _Wrong(f"my_grads should be a list of 3 numbers [dL/da, dL/db, dL/dc], got {my_grads!r}", "")
    points = [(2.0, -3.0, 10.0)]
    return _judge_partials(
        lambda a, b, c: (a + b) * (b - c), lambda *_: my_grads, points, "abc", 1e-6, what="dL/d{}"
    )


@exercise(
    "2.2",
    "a sigmoid neuron",
    (
        "write n = x1·w1 + x2·w2 + b and o = σ(n): every partial is do/dn times dn/d(input).",
        "do/dn = σ(n)(1 − σ(n)) = o(1 − o); the sum passes it on unchanged to b.",
        "a product x1·w1 sends each factor the other one: dn/dx1 = w1 and dn/dw1 = x1.",
    ),
    setup="the first cells of the notebook (they import math)",
)
def _ex_2_2(neuron_grads: Any) -> str:
    def neuron(x1: float, w1: float, x2: float, w2: float, b: float) -> float:
        return 1 / (1 + math.exp(-(x1 * w1 + x2 * w2 + b)))

    points = [(2.0, -3.0, 0.0, 1.0, 6.88), (0.5, 0.3, -1.0, 2.0, 0.1), (1.0, 1.0, 1.0, 1.0, -4.0)]
    setup = EXERCISES["2.2"].setup
    return _judge_partials(neuron, neuron_grads, points, ["x1", "w1", "x2", "w2", "b"], 1e-4, "∂o/∂{}", setup)


@exercise(
    "3.1",
    "a new op, x³",
    (
        "from_op's last argument lists the local derivatives d(out)/d(input), numbers at the input's value.",
        "the power rule: d(x³)/dx = 3x².",
        "write it with x.data, the input's number (a local derivative is a float, not a Value).",
    ),
)
def _ex_3_1(cube: Any) -> str:
    return _judge_local_grads(cube, [-1.5, 0.5, 2.0], lambda x: x**3, 1e-4)


@exercise(
    "3.2",
    "an op with two inputs, hypot",
    (
        "one local derivative per input, in the order of the inputs [x, y].",
        "r = √u with u = x² + y²: dr/du = 1/(2√u) = 1/(2r), and du/dx = 2x.",
        "so ∂r/∂x is x.data divided by r (and ∂r/∂y likewise with y.data).",
    ),
    setup="the first cells of the notebook (they import math and Value)",
)
def _ex_3_2(hypot: Any) -> str:
    return _judge_local_grads(hypot, [(3.0, 4.0), (-1.0, 0.5), (0.2, -2.0)], math.hypot, 1e-4)


@exercise(
    "3.3",
    "forget zero_grad",
    (
        "start with one pass: loss = (2w − 3)², so dloss/dw = 2(2w − 3)·2, at w = 0.5.",
        "backward() adds (+=) each gradient into .grad, and nothing resets w.grad between the calls.",
        "three passes, each adding the same gradient as the first one.",
    ),
)
def _ex_3_3(my_prediction: Any) -> str:
    w = Value(0.5)
    for _ in range(3):  # the loop of the exercise, run here so that the check cell shows no answer
        loss = (w * 2.0 - 3.0) ** 2
        loss.backward()
    one_pass = w.grad / 3
    mistakes = {one_pass: "that is the gradient of one backward() pass, and the loop makes three"}
    return _judge_number("w.grad after three backward() calls", my_prediction, w.grad, 1e-6, mistakes)


@exercise(
    "4.1",
    "tanh′ from tanh",
    (
        "write tanh = sinh / cosh and use the quotient rule, with sinh′ = cosh and cosh′ = sinh.",
        "(sinh/cosh)′ = (cosh² − sinh²) / cosh²: divide both terms by cosh².",
        "cosh²/cosh² is 1 and sinh²/cosh² is tanh²: the result uses math.tanh(x) squared.",
    ),
    setup="the first cells of the notebook (they import math)",
)
def _ex_4_1(tanh_prime: Any) -> str:
    setup = EXERCISES["4.1"].setup
    return _judge_partials(
        math.tanh, tanh_prime, [-3.0, -0.5, 0.0, 0.8, 2.5], ["x"], 1e-4, "tanh_prime(x)", setup
    )


@exercise(
    "4.2",
    "a new activation, ELU",
    (
        "each branch has its own local derivative: of x where x > 0, of eˣ − 1 where x ≤ 0.",
        "the derivative of x is 1; of eˣ it is eˣ itself; of a constant, 0.",
        "evaluate it at the input's number: math.exp(x.data).",
    ),
    setup="the first cells of the notebook (they import math and Value)",
)
def _ex_4_2(elu: Any) -> str:
    return _judge_local_grads(elu, [-3.0, -0.5, 0.4, 2.0], lambda x: x if x > 0 else math.exp(x) - 1, 1e-4)


@exercise(
    "4.3",
    "how deep before it vanishes",
    (
        "after n sigmoids the gradient is at most 0.25ⁿ: find the smallest n with 0.25ⁿ below a millionth.",
        "take log10 of both sides: n·log10(0.25) < −6, so n > 6 / log10(4) (dividing by a negative flips <).",
        "n is a whole number of layers: round 6 / log10(4) up (math.ceil).",
    ),
)
def _ex_4_3(depth: Any) -> str:
    n = _as_number(depth, "your depth")
    if n != int(n) or n < 1:
        raise _Wrong(f"your depth is {_fmt(n)}: a depth is a whole number of sigmoids, 1 or more", "")
    smallest = next(k for k in range(1, 100) if 0.25**k < 1e-6)
    if n < smallest:
        raise _Wrong(
            f"your depth is {int(n)}: too small, 0.25^{int(n)} = {0.25**n:.3g} is not below 1e-6 yet",
            f"depth = {smallest}",
        )
    if n > smallest:
        raise _Wrong(
            f"your depth is {int(n)}: too large, "
            f"0.25^{int(n) - 1} = {0.25 ** (n - 1):.3g} is already below 1e-6",
            f"depth = {smallest}",
        )
    return f"0.25^{smallest} = {0.25**smallest:.3g} is the first power below a millionth."


_XOR_INPUTS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]


@exercise(
    "5.1",
    "XNOR by hand",
    (
        "XNOR is 1 − XOR: keep the hidden layer (layers.0) of the XOR network above as it is.",
        "the XOR network's output was h1 − 2·h2; the output neuron computes w·[h1, h2] + b.",
        "in 1 − (h1 − 2·h2) the bias is the constant term and the weights are the coefficients of h1 and h2.",
    ),
)
def _ex_5_1(xnor_weights: Any) -> str:
    from .nn import MLP  # here, not at the top: nn builds on the engine, and this module on both

    net = MLP(2, [2, 1], activation="relu", seed=0)
    try:
        net.load_state_dict(xnor_weights)
    except (TypeError, ValueError) as error:
        raise _Wrong(f"load_state_dict refused your weights: {error}", "") from None
    try:
        return _judge_outputs(lambda x: net(x), _XOR_INPUTS, [1, 0, 0, 1], 1e-6)
    except _Wrong as wrong:
        answer = "the hidden layer as for XOR, and the output neuron's w = [-1, 2] and b = 1"
        raise _Wrong(wrong.what, answer) from None


@exercise(
    "5.2",
    "AND with one unit",
    (
        "ReLU(z) is 0 wherever z ≤ 0: make w1·x1 + w2·x2 + b ≤ 0 at (0, 0), (0, 1), (1, 0), and 1 at (1, 1).",
        "at (0, 0) the sum is b alone, so b ≤ 0; at (1, 1) it is w1 + w2 + b, which must be 1.",
        "take w1 = w2 = w: then (0, 1) needs w + b ≤ 0 and (1, 1) needs 2w + b = 1.",
    ),
    setup="the first cells of the notebook (they import Value)",
)
def _ex_5_2(and_unit: Any) -> str:
    setup = EXERCISES["5.2"].setup
    try:
        return _judge_outputs(lambda x: _call(and_unit, x, setup=setup), _XOR_INPUTS, [0, 0, 0, 1], 1e-6)
    except _Wrong as wrong:
        raise _Wrong(wrong.what, "w1 = w2 = 1 and b = -1, for example") from None


@exercise(
    "6.1",
    "the MSE gradient, by hand",
    (
        "L is a mean of three squares, and each p_i appears in one of them only.",
        "d(p − t)²/dp = 2(p − t).",
        "the mean divides by 3: each partial is 2/3 of an error.",
    ),
    setup="the exercise cell (it defines mse_targets)",
)
def _ex_6_1(mse_grad: Any) -> str:
    targets = [3.0, -0.5, -1.0]
    points = [(2.5, 0.0, -1.0), (0.0, 0.0, 0.0), (-4.0, 1.0, 2.0)]
    return _judge_partials(
        lambda *p: sum((pi - ti) ** 2 for pi, ti in zip(p, targets)) / 3,
        mse_grad,
        points,
        ["p1", "p2", "p3"],
        1e-4,
        "∂L/∂{}",
        EXERCISES["6.1"].setup,
    )


@exercise(
    "6.2",
    "softmax cross-entropy, by hand",
    (
        "L = log(e^z1 + e^z2 + e^z3) − z3 (the target class t = 2 is the third score).",
        "the derivative of log Σ e^z with respect to z_j is the softmax p_j = e^z_j / Σ e^z.",
        "−z3 adds −1 to the third partial only: prediction minus target, p_j − [j = t].",
    ),
    setup="the first cells of the notebook (they import math)",
)
def _ex_6_2(ce_grad: Any) -> str:
    def ce_loss(z1: float, z2: float, z3: float) -> float:
        return math.log(math.exp(z1) + math.exp(z2) + math.exp(z3)) - z3

    points = [(2.0, 1.0, -1.0), (0.0, 0.0, 0.0), (-3.0, 4.0, 0.5)]
    return _judge_partials(
        ce_loss, ce_grad, points, ["z1", "z2", "z3"], 1e-4, "∂L/∂{}", EXERCISES["6.2"].setup
    )


@exercise(
    "6.3",
    "a learning rate that converges",
    (
        "too large and the steps overshoot; too small and 40 steps are too few: try values a factor 3 apart.",
        "with momentum 0.9 each step builds up to about 10 times lr·gradient: the right lr is below 1.",
        "between the slow lr and the one that overshot, take one in the middle.",
    ),
)
def _ex_6_3(my_lr: Any) -> str:
    try:
        return _judge_learning_rate(my_lr, _moons_losses, "converge")
    except _Wrong as wrong:
        raise _Wrong(wrong.what, "lr = 0.5 converges (the training loop above used it)") from None


@functools.lru_cache(maxsize=16)  # a learning rate tried again is answered at once
def _moons_losses(lr: float) -> tuple[float, ...]:
    """The loss after each of 40 SGD steps (momentum 0.9) on notebook 6's moons, from its network."""
    from .data import make_moons
    from .losses import binary_cross_entropy_with_logits
    from .nn import MLP
    from .optim import SGD

    X, y = make_moons(100, noise=0.1, seed=0)
    net = MLP(2, [16, 16, 1], seed=0)
    opt = SGD(net.parameters(), lr=lr, momentum=0.9)
    curve = []
    for _ in range(40):
        loss = binary_cross_entropy_with_logits([net(x) for x in X], y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        curve.append(loss.data)
    return tuple(curve)


@exercise(
    "7.1",
    "the elastic net's gradient",
    (
        "differentiate the two terms separately and add: 0.1·|w| and 0.05·w².",
        "d|w|/dw is the sign of w: +1 for w > 0, −1 for w < 0.",
        "d(0.05·w²)/dw = 0.1·w; add 0.1 times the sign of w.",
    ),
)
def _ex_7_1(d_penalty: Any) -> str:
    return _judge_partials(
        lambda w: 0.1 * abs(w) + 0.05 * w**2, d_penalty, [-3.0, -0.2, 0.5, 4.0], ["w"], 1e-4, "d_penalty(w)"
    )


@exercise(
    "7.2",
    "how strong an L1 penalty",
    (
        "each step of the L1 penalty alone moves w towards 0 by the same amount, η·λ.",
        "8 steps must cover the whole distance from w = 1 to 0, so 8·η·λ is that distance.",
        "with η = 0.125, 8 steps move w by 8 · 0.125 · λ in all: set that to the distance, and solve for λ.",
    ),
)
def _ex_7_2(my_lam: Any) -> str:
    from .losses import l1_penalty

    lam = _as_number(my_lam, "your λ")
    if lam <= 0:
        raise _Wrong(f"your λ is {_fmt(lam)}: a penalty's strength is > 0", "λ = 1")
    w, path = Value(1.0), [1.0]
    for _ in range(8):  # as descend_on_penalty in the notebook: the penalty's gradient, and a step
        w.grad = 0.0
        l1_penalty([w], lam).backward()
        w.data -= 0.125 * w.grad
        path.append(w.data)
    if path[-1] == 0.0 < path[-2]:
        return "w reaches exactly 0 at the 8th step."
    first_at_or_past_zero = next((k for k, v in enumerate(path) if v <= 0.0), None)
    if first_at_or_past_zero is None:
        raise _Wrong(
            f"with λ = {_fmt(lam)}, w is still {_fmt(path[-1])} after 8 steps: your λ is too small", "λ = 1"
        )
    raise _Wrong(
        f"with λ = {_fmt(lam)}, w reaches or crosses 0 at step {first_at_or_past_zero}, "
        "not exactly at step 8: your λ is too large",
        "λ = 1",
    )


@exercise(
    "8.1",
    "early stopping by hand",
    (
        "keep two numbers as you go: the best loss so far, and how many epochs in a row have not beaten it.",
        "an epoch improves only if its loss is below the best so far (equal is not); it resets the count.",
        "return the epoch (from 1) as soon as the count reaches patience; after the loop, len(val_losses).",
    ),
)
def _ex_8_1(stopping_epoch: Any) -> str:
    from .train import EarlyStopping

    def reference(val_losses: list[float], patience: int) -> int:
        stopper = EarlyStopping(patience=patience)
        for epoch, loss in enumerate(val_losses, start=1):
            if stopper.step(loss):
                return epoch
        return len(val_losses)

    val_losses = [1.0, 0.8, 0.7, 0.72, 0.69, 0.70, 0.71, 0.75, 0.6]  # the notebook's
    cases = [(val_losses, 3), (val_losses, 1), ([1.0, 0.9, 0.8, 0.7], 2), ([0.5, 0.6, 0.5, 0.7, 0.8], 2)]
    cases.append(([3, 2, 2, 2, 1, 1, 1, 1], 3))
    for losses, patience in cases:
        expected = reference(losses, patience)
        yours = _as_number(_call(stopping_epoch, list(losses), patience), "your stopping_epoch's result")
        if yours != expected:
            when = "too late" if yours > expected else "too early"
            raise _Wrong(
                f"for val_losses = {losses} and patience = {patience} "
                f"your stopping_epoch returns {_fmt(yours)}: {when}",
                f"it should return {expected} there",
            )
    return f"stopping_epoch agrees with EarlyStopping on {len(cases)} sequences."


@exercise(
    "8.2",
    "how many parameters",
    (
        "count layer by layer: a neuron with k inputs has k weights and 1 bias.",
        "layer 1: 32 neurons of 64 inputs each; layer 2: 10 neurons, with the 32 hidden units as inputs.",
        "add the layers: 32 × (64 + 1) for the first, and the second the same way.",
    ),
)
def _ex_8_2(n_parameters: Any) -> str:
    from .nn import MLP

    expected = len(MLP(64, [32, 10]).parameters())
    mistakes: dict[float, str] = {
        32 * 64 + 10 * 32: "that counts the weights only: each neuron has a bias too",
        32 * (64 + 1): "that is the first layer only",
        32 * 64 + 10 * 32 + 10: "the hidden neurons have biases too",
    }
    return _judge_number("number of parameters", n_parameters, expected, 1e-9, mistakes)


@exercise(
    "9.1",
    "Kaiming's bound",
    (
        "n_in is the number of inputs of the layer, and the bound is √(6 / n_in).",
        "the second layer's inputs are the outputs of the first: how many hidden units are there?",
        "the second layer has n_in = 32 inputs: put that into the formula, with math.sqrt.",
    ),
    setup="the first cells of the notebook (they import math)",
)
def _ex_9_1(bound: Any) -> str:
    mistakes = {
        math.sqrt(6 / 64): "that is the first layer's bound (64 inputs)",
        math.sqrt(6 / 10): "n_in counts a layer's inputs, not its neurons",
        6 / 32: "the bound is the square root of 6 / n_in",
    }
    return _judge_number("bound", bound, math.sqrt(6 / 32), 1e-6, mistakes)


@exercise(
    "9.2",
    "from scores to a class",
    (
        "the predicted class is the position (index) of the largest score in the list, from 0 to 9.",
        "max(scores) gives the largest score itself; you want where it is in the list.",
        "a list's .index(value) method gives the position of a value in it.",
    ),
)
def _ex_9_2(my_predict: Any) -> str:
    rng = random.Random(92)
    for _ in range(30):  # scores as a network gives them: 10 floats, no two equal
        scores = [rng.gauss(0.0, 3.0) for _ in range(10)]
        best = scores.index(max(scores))
        yours = _call(my_predict, list(scores))
        if isinstance(yours, float) and yours == scores[best]:
            raise _Wrong(
                f"your my_predict returns {_fmt(yours)}, the largest score itself: the class is its position",
                "return scores.index(max(scores))",
            )
        value = _as_number(yours, "your my_predict's result")
        if value != best:
            raise _Wrong(
                f"for scores whose largest is {_fmt(scores[best])}, your my_predict returns {_fmt(value)}: "
                f"scores[{_fmt(value)}] is not the largest"
                if value in range(10)
                else f"your my_predict returns {_fmt(value)}: a class is 0 to 9",
                f"class {best} there",
            )
    return "my_predict picks the largest score's class in 30 lists of scores."
