"""The ``microgrand`` command. ``microgrand demo`` trains a small network and shows its progress:

    microgrand demo                      # an MLP 2-16-16-1 on two moons
    microgrand demo --dataset xor        # an MLP 2-8-1 on the 4 points of XOR
    python -m microgrand demo --epochs 50 --seed 1 --quiet
    microgrand --version

It behaves as a Unix tool: usage errors exit with status 2 and the command's usage, Ctrl-C with
status 130 and a closed pipe (``microgrand demo | head -1``) quietly, without a traceback; a
stdout that is closed (``>&-``) or full (``>/dev/full``) gets a one-line message and status 1, and
a terminal that cannot show a character (``PYTHONIOENCODING=ascii``) gets an ASCII stand-in.
Pure Python: it needs nothing beyond the standard library.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import io
import math
import os
import sys
import time
from collections.abc import Callable, Sequence

import microgrand  # for microgrand.__version__, the one place the version is written

from . import data, losses, nn, optim, train
from .checks import positive_float, positive_int
from .engine import Value


def _hidden_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hidden takes layer sizes like 16,16; got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"--hidden sizes must be >= 1, got {text!r}")
    return sizes


def _whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= `minimum` (argparse reports a bad one and exits)."""

    def parse(text: str) -> int:
        try:
            return positive_int("the value", int(text), minimum)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {text!r}") from None

    return parse


def _learning_rate(text: str) -> float:
    """An argparse type: a finite number > 0."""
    try:
        return positive_float("the learning rate", float(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"the learning rate must be a finite number > 0, got {text!r}"
        ) from None


# Options that only the two-moons demo uses: XOR is 4 fixed points, trained without a validation set
_MOONS_ONLY = {
    "samples": "--samples applies only to --dataset moons: XOR is always its 4 points",
    "patience": "--patience applies only to --dataset moons: XOR trains without a validation set, "
    "so there is no early stopping",
}


def _parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The top-level parser, and each command's own parser (for errors in that command's words)."""
    parser = argparse.ArgumentParser(
        prog="microgrand", description="A scalar autograd engine for learning backprop."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {microgrand.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    demo = commands.add_parser(
        "demo",
        help="train an MLP on two moons (or XOR) and print its progress and accuracy",
        description="Train an MLP with microgrand: max-margin loss + L2 penalty, SGD with momentum, "
        "early stopping on a validation set (moons). Prints a line per epoch and the final accuracy.",
    )
    demo.add_argument("--dataset", choices=["moons", "xor"], default="moons", help="default: moons")
    demo.add_argument("--epochs", type=_whole_number(1), default=None, help="default: 100 (moons), 50 (xor)")
    demo.add_argument("--seed", type=int, default=0, help="seed for the data and the weights (default 0)")
    demo.add_argument(
        "--hidden",
        type=_hidden_sizes,
        default=None,
        help="hidden layer sizes, default 16,16 (moons), 8 (xor)",
    )
    demo.add_argument("--lr", type=_learning_rate, default=0.1, help="learning rate (default 0.1)")
    demo.add_argument(
        "--samples",
        type=_whole_number(10),
        default=None,
        help="two-moons samples, at least 10 (default 100; moons only)",
    )
    demo.add_argument(
        "--patience",
        type=_whole_number(1),
        default=None,
        help="early-stopping patience in epochs (default 20; moons only)",
    )
    demo.add_argument("--quiet", action="store_true", help="print only the result, not a line per epoch")
    return parser, {"demo": demo}


# What a terminal that cannot show a character (PYTHONIOENCODING=ascii, an old console) gets instead
_ASCII = {"·": "*", "×": "x", "−": "-", "–": "-", "—": "--", "…": "...", "≈": "~", "→": "->"}


def _ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    """A codecs error handler: each character the output's encoding lacks becomes its ASCII stand-in."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return "".join(_ASCII.get(c, "?") for c in error.object[error.start : error.end]), error.end


codecs.register_error("microgrand-ascii", _ascii_fallback)


def _degrade_gracefully(stream: object) -> None:
    """Print ASCII stand-ins, not a UnicodeEncodeError, where the stream's encoding lacks a character."""
    if isinstance(stream, io.TextIOWrapper):
        try:
            "".join(_ASCII).encode(stream.encoding)
        except (UnicodeEncodeError, LookupError):
            stream.reconfigure(errors="microgrand-ascii")


def _score(model: nn.Module, x: Sequence[float]) -> float:
    score = model(x)
    assert isinstance(score, Value)  # the demo's MLPs have one output
    return score.data


def demo(args: argparse.Namespace) -> int:
    """Train, then print the accuracy. Returns the exit status."""
    stopper = None
    if args.dataset == "xor":
        X, y = data.make_xor(signed=True)
        train_set, val = (X, y), None
        hidden, epochs = args.hidden or [8], args.epochs or 50
    else:
        X, y = data.make_moons(args.samples or 100, noise=0.1, seed=args.seed, signed=True)
        train_set, val = data.train_val_split(X, y, 0.2, seed=args.seed)
        hidden, epochs = args.hidden or [16, 16], args.epochs or 100
        stopper = train.EarlyStopping(patience=args.patience or 20)
    model = nn.MLP(2, [*hidden, 1], activation="relu", seed=args.seed)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    sizes = "-".join(map(str, [2, *hidden, 1]))
    n_train = len(train_set[0])
    print(
        f"microgrand demo: {args.dataset}, {n_train} training samples"
        + (f" + {len(val[0])} for validation" if val else "")
        + f"; MLP {sizes} ReLU ({len(model.parameters())} parameters); "
        f"hinge loss + 1e-4·L2, SGD lr={args.lr:g} momentum=0.9"
    )
    start = time.perf_counter()
    try:
        history = train.fit(
            model,
            *train_set,
            loss_fn=losses.hinge_loss,
            optimizer=optimizer,
            epochs=epochs,
            val=val,
            penalty=lambda params: losses.l2_penalty(params, 1e-4),
            early_stopping=stopper,
            seed=args.seed,
            quiet=args.quiet,
        )
    except train.TrainingDiverged as diverged:  # a loss that is nan or inf: say so, never an accuracy
        sys.stdout.flush()  # the epochs so far, before the reason
        print(f"microgrand demo: {diverged}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    # a loss can stay finite while a score is not (a hinge loss is 0 for a score of +inf on the right side)
    samples = [*train_set[0], *(val[0] if val else [])]
    bad = next((s for s in map(lambda x: _score(model, x), samples) if not math.isfinite(s)), None)
    if bad is not None:
        sys.stdout.flush()
        print(
            f"microgrand demo: training diverged: a score is {bad}, not a finite number. The weights have "
            f"run off to infinity; the usual cause is a learning rate that is too large (lr = {args.lr:g}): "
            f"try one 10 times smaller.",
            file=sys.stderr,
        )
        return 1
    result = f"trained {history.epochs} epochs in {seconds:.1f} s"
    if history.best_epoch:
        result += f" (weights of the best epoch, {history.best_epoch})"
    print(result)
    print(f"training accuracy: {train.accuracy(model, *train_set):.1%}")
    if val is not None:
        print(f"validation accuracy: {train.accuracy(model, *val):.1%}")
    if args.dataset == "xor":
        for x, label in zip(*train_set):
            print(f"  xor({x[0]:.0f}, {x[1]:.0f}) = {label:+d}   score {_score(model, x):+#.4g}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; returns the exit status (argparse exits with 2 itself on a usage error)."""
    parser, commands = _parsers()
    # parse_known_args, so that an unknown option is reported with the usage of the command it was
    # given to (parse_args would show the top-level usage, which does not list the demo's options)
    args, unknown = parser.parse_known_args(argv)
    command = commands[args.command]
    if unknown:
        command.error(f"unrecognized arguments: {' '.join(unknown)}")
    moons_only = [message for option, message in _MOONS_ONLY.items() if getattr(args, option) is not None]
    if args.dataset != "moons" and moons_only:
        command.error("; ".join(moons_only))
    if sys.stdout is None:  # started with stdout closed (`>&-`): Python gives None, and print() drops it all
        if sys.stderr is not None:
            print(
                f"microgrand {args.command}: standard output is closed: nowhere to print to", file=sys.stderr
            )
        return 1
    _degrade_gracefully(sys.stdout)
    _degrade_gracefully(sys.stderr)
    try:
        status = demo(args)
        sys.stdout.flush()  # a reader that went away shows up here, where it can be handled
        return status
    except KeyboardInterrupt:
        print(f"microgrand {args.command}: interrupted", file=sys.stderr)
        return 130  # 128 + SIGINT: what a shell reports for a program stopped by Ctrl-C
    except BrokenPipeError:
        # `microgrand demo | head -1`: the reader has all it wanted. Stop quietly, as Unix tools do,
        # and point stdout at /dev/null so that Python's own flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE: what a shell reports for a tool stopped by a closed pipe
    except OSError as error:  # stdout is a full disk (`>/dev/full`), a bad descriptor, …: say so, once
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # what is left unwritten goes
        with contextlib.suppress(OSError):  # stderr as well: nothing more can be said
            print(f"microgrand {args.command}: cannot write the output: {error.strerror}", file=sys.stderr)
        return 1
