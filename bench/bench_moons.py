"""micrograd's demo training step, timed with microgrand (two ways), micrograd 0.1.0 and floats, in one run.

The step (micrograd's demo.ipynb): an MLP 2-16-16-1 with ReLU, 100 two-moons
samples, loss = mean max-margin + 1e-4·Σp² over all parameters, full batch
forward + backward + SGD with lr = 1 - 0.9·k/100 at step k.

* microgrand: ``nn.MLP``, ``losses.hinge_loss + losses.l2_penalty``,
  ``optim.SGD``: every gradient comes out of ``backward()``. The inputs are
  plain floats (data: no gradient wanted, so no graph nodes), as a user writes it.
* microgrand-demo: micrograd's demo code as written, with only the import changed (every
  input wrapped in a Value, the loss built from ``+``, ``*`` and ``relu``: about 4,400 nodes a
  step where the idiomatic form builds 3,300), the workload ``../shared/bench-peers`` times.
* micrograd 0.1.0: the demo's own code (skipped, with a message, if not installed).
* float floor: the same arithmetic written by hand on floats and lists, no
  graph objects (forward, then backward for every sample, as a graph engine does).

Each measurement runs in a fresh interpreter that imports only its engine (the
cyclic garbage collector walks every live object, so a heap holding another
library would slow the engine under test); engines are interleaved and their
order rotated round by round, and ratios are taken round by round. "GC on" is
how users run; "GC off" disables the cyclic collector inside the timed step
only. All engines start from the same weights; the script checks that their
losses and parameters agree.

    python bench/bench_moons.py                  # ~1-2 minutes
    python bench/bench_moons.py --rounds 3 --steps 2
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import random
import statistics
import sys
import time
from operator import mul

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import rotate, run_worker, summary

SIZES = [2, 16, 16, 1]
ALPHA = 1e-4
ENGINES = ["microgrand", "microgrand-demo", "micrograd", "floor"]


def lr_at(k: int) -> float:
    return 1.0 - 0.9 * k / 100


def make_problem(seed: int = 1337) -> dict:
    """Two moons (labels -1/+1) and micrograd's initialisation (w ~ U(-1, 1), b = 0), seeded."""
    from microgrand.data import make_moons  # the parent only: workers get the numbers

    X, y = make_moons(100, noise=0.1, seed=seed, signed=True)
    rng = random.Random(seed + 1)
    init = [
        [([rng.uniform(-1.0, 1.0) for _ in range(nin)], 0.0) for _ in range(nout)]
        for nin, nout in itertools.pairwise(SIZES)
    ]
    return {"X": X, "Y": [float(v) for v in y], "init": init}


def flat_init(init: list) -> list[float]:
    """Parameters in micrograd's order: layer by layer, neuron by neuron, weights then bias."""
    return [p for layer in init for ws, b in layer for p in (*ws, b)]


# ---------------------------------------------------------------- the three steps


def microgrand_step_fn(problem: dict):
    from microgrand.losses import hinge_loss, l2_penalty
    from microgrand.nn import MLP
    from microgrand.optim import SGD

    X, Y = problem["X"], problem["Y"]
    model = MLP(2, SIZES[1:])
    params = model.parameters()
    for p, x in zip(params, flat_init(problem["init"]), strict=True):
        p.data = x
    optimizer = SGD(params, lr=1.0)

    def step(k: int) -> float:
        scores = [model(x) for x in X]
        loss = hinge_loss(scores, Y) + l2_penalty(params, ALPHA)
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = lr_at(k)
        optimizer.step()
        return loss.data

    return step, lambda: [p.data for p in params]


def demo_step_fn(problem: dict, engine: str = "micrograd"):
    """micrograd's demo.ipynb loss() and training loop, as written, on `engine`'s Value and MLP:
    micrograd itself, or microgrand with only the import changed (every input wrapped in a
    Value, the loss built from ``+``, ``*`` and ``relu``), the workload of ../shared/bench-peers."""
    import importlib

    Value = importlib.import_module(f"{engine}.engine").Value
    MLP = importlib.import_module(f"{engine}.nn").MLP

    X, Y = problem["X"], problem["Y"]
    model = MLP(2, SIZES[1:])
    params = model.parameters()
    for p, x in zip(params, flat_init(problem["init"]), strict=True):
        p.data = x

    def step(k: int) -> float:
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(Y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        model.zero_grad()
        total_loss.backward()
        learning_rate = lr_at(k)
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        return total_loss.data

    return step, lambda: [p.data for p in params]


def floor_step_fn(problem: dict):
    """The step by hand: W[l][j] is neuron j's weight list in layer l, B[l][j] its bias."""
    X, Y = problem["X"], problem["Y"]
    W = [[list(ws) for ws, _ in layer] for layer in problem["init"]]
    B = [[b for _, b in layer] for layer in problem["init"]]
    last = len(W) - 1
    inv_n = 1.0 / len(X)

    def step(k: int) -> float:
        gW = [[[0.0] * len(row) for row in Wl] for Wl in W]
        gB = [[0.0] * len(Bl) for Bl in B]
        WT = [[list(col) for col in zip(*Wl)] for Wl in W]  # columns, for the backward pass
        data_loss = 0.0
        for x, y in zip(X, Y):
            acts = [x]  # forward
            for layer, (Wl, Bl) in enumerate(zip(W, B)):
                z = [sum(map(mul, row, acts[layer]), b) for row, b in zip(Wl, Bl)]
                acts.append(z if layer == last else [v if v > 0.0 else 0.0 for v in z])
            margin = 1.0 - y * acts[-1][0]
            if margin > 0.0:
                data_loss += margin
            d = [-y * inv_n if margin > 0.0 else 0.0]  # dL/dscore
            for layer in range(last, -1, -1):  # backward, for every sample as a graph engine does
                a_in = acts[layer]
                gWl, gBl = gW[layer], gB[layer]
                for j, dj in enumerate(d):
                    g = gWl[j]
                    for i, a in enumerate(a_in):
                        g[i] += dj * a
                    gBl[j] += dj
                if layer:
                    d = [sum(map(mul, col, d)) if h > 0.0 else 0.0 for col, h in zip(WT[layer], a_in)]
        reg = 0.0  # L2 on every parameter, then SGD
        lr = lr_at(k)
        for Wl, Bl, gWl, gBl in zip(W, B, gW, gB):
            for j, row in enumerate(Wl):
                g = gWl[j]
                for i, p in enumerate(row):
                    reg += p * p
                    row[i] = p - lr * (g[i] + 2.0 * ALPHA * p)
                p = Bl[j]
                reg += p * p
                Bl[j] = p - lr * (gBl[j] + 2.0 * ALPHA * p)
        return data_loss * inv_n + ALPHA * reg

    def params() -> list[float]:
        return [p for Wl, Bl in zip(W, B) for row, b in zip(Wl, Bl) for p in (*row, b)]

    return step, params


STEP_FNS = {
    "microgrand": microgrand_step_fn,
    "microgrand-demo": lambda problem: demo_step_fn(problem, "microgrand"),
    "micrograd": demo_step_fn,
    "floor": floor_step_fn,
}


# ---------------------------------------------------------------- one process per measurement


def timed_step(step, k: int, gc_mode: str) -> tuple[float, float]:
    """(seconds, loss) of step k; with the collector off inside the timed step only."""
    if gc_mode == "off":
        gc.collect()  # (micrograd's graphs are cycles: freed only by a collection)
        gc.disable()
    t0 = time.perf_counter()
    loss = step(k)
    seconds = time.perf_counter() - t0
    gc.enable()
    return seconds, loss


def worker(engine: str, steps: int, check_after: int, gc_mode: str) -> dict:
    problem = json.loads(sys.stdin.read())
    try:
        step, params = STEP_FNS[engine](problem)
    except ImportError as e:
        return {"error": f"{type(e).__name__}: {e}"}
    losses = [step(0)]  # warm-up step (first graph, caches), untimed
    times = []
    snapshot = params() if check_after == 1 else None
    for k in range(1, steps + 1):
        seconds, loss = timed_step(step, k, gc_mode)
        times.append(seconds)
        if k < check_after:
            losses.append(loss)
        if k + 1 == check_after:
            snapshot = params()
    return {"times": times, "losses": losses, "params": snapshot}


def paired_worker(engines: list[str], steps: int, gc_mode: str) -> dict:
    """The engines in ONE process, a step of each in turn (order rotated each step), so that each
    ratio compares two steps taken within a fraction of a second of each other: on a shared
    machine whose speed moves in phases of seconds, this cancels what one process per engine
    cannot. Only where a shared heap is fair: the collector off, or beside the float floor (which
    makes no graph for the collector to walk)."""
    problem = json.loads(sys.stdin.read())
    steps_of = {}
    for engine in engines:
        try:
            steps_of[engine] = STEP_FNS[engine](problem)[0]
        except ImportError as e:
            return {"error": f"{type(e).__name__}: {e}"}
        steps_of[engine](0)  # warm-up step, untimed
    times: dict[str, list[float]] = {e: [] for e in engines}
    for k in range(1, steps + 1):
        for engine in rotate(engines, k):
            times[engine].append(timed_step(steps_of[engine], k, gc_mode)[0])
    return {"times": times}


def ratio(ours: float, base: float, base_name: str) -> float:
    """How many times faster than micrograd, or how many times the float floor's time."""
    return base / ours if base_name == "micrograd" else ours / base


PAIRED_BASE = {"on": "floor", "off": "micrograd"}  # the pairs that may share a process (paired_worker)
TARGETS = {("off", "micrograd"): "target >= 10x", ("on", "floor"): "target <= 3.5x"}  # issue 16


def print_ratio(ours: str, base_name: str, gc_mode: str, ratios: list[float]) -> None:
    label = f"micrograd / {ours}" if base_name == "micrograd" else f"{ours} / float floor"
    target = TARGETS.get((gc_mode, base_name), "")
    print(f"  {label:29s} GC {gc_mode:3s}: {summary(ratios, lambda v: f'{v:.1f}x'):26s} {target}")


def run_paired(gc_mode: str, engines: list[str], args: argparse.Namespace, problem_json: str) -> dict:
    """Per round (process), the median of the step-by-step ratios to the first engine."""
    base, ours = engines[0], engines[1:]
    ratios: dict[str, list[float]] = {e: [] for e in ours}
    for r in range(args.paired_rounds):
        names = ",".join(engines)
        out = run_worker(__file__, names, args.paired_steps, gc_mode, stdin=problem_json, mode="_paired")
        if "error" in out:
            print(f"# paired {', '.join(engines)}: skipped ({out['error'].strip()})")
            return {}
        t = out["times"]
        for e in ours:
            ratios[e].append(statistics.median(ratio(a, b, base) for a, b in zip(t[e], t[base])))
        print(
            f"# paired, GC {gc_mode}, round {r + 1}/{args.paired_rounds}: "
            + ", ".join(f"{e} {fmt_time(statistics.median(ts))}" for e, ts in t.items()),
            flush=True,
        )
    return ratios


# ---------------------------------------------------------------- report


def fmt_time(s: float) -> str:
    return f"{s:.3g} s" if s >= 1.0 else f"{s * 1e3:.3g} ms"


def run_mode(gc_mode: str, args: argparse.Namespace, problem_json: str, engines: list[str]) -> dict:
    medians: dict[str, list[float]] = {e: [] for e in engines}
    results: dict[str, dict] = {}
    for r in range(args.rounds):
        for engine in rotate(engines, r):
            if engine not in medians:
                continue
            steps = args.steps if engine == "micrograd" else max(args.steps, args.fast_steps)
            out = run_worker(__file__, engine, steps, args.steps + 1, gc_mode, stdin=problem_json)
            if "error" in out:
                print(f"# {engine}: skipped ({out['error'].strip()})")
                del medians[engine]
                continue
            medians[engine].append(statistics.median(out["times"]))
            results.setdefault(engine, out)  # the first round's losses and parameters, for the check
        print(
            f"# GC {gc_mode}, round {r + 1}/{args.rounds}: "
            + ", ".join(f"{e} {fmt_time(m[-1])}" for e, m in medians.items()),
            flush=True,
        )
    return {"medians": medians, "results": results}


def report(modes: dict[str, dict], args: argparse.Namespace) -> None:
    print(
        f"\nmoons step: MLP 2-16-16-1 ReLU, 100 samples, hinge + 1e-4·L2, full batch fwd+bwd+SGD; "
        f"{args.rounds} rounds, one process per engine per round; median [min .. max] of round medians"
    )
    for gc_mode, mode in modes.items():
        print(f"\nGC {gc_mode}:")
        for engine, ms in mode["medians"].items():
            print(f"  {engine:15s} {summary(ms, fmt_time)} per step")
    print("\nratios, round by round (median [min .. max]):")
    # (with the collector on, micrograd's time moves two-fold with the heap: no target there)
    for gc_mode, mode in modes.items():
        m = mode["medians"]
        for ours in ("microgrand", "microgrand-demo"):
            for base in ("micrograd", "floor"):
                if base in m and ours in m:
                    print_ratio(ours, base, gc_mode, [ratio(a, b, base) for a, b in zip(m[ours], m[base])])
    check(next(iter(modes.values()))["results"], args.steps + 1)


def report_paired(paired: dict[str, dict[str, list[float]]]) -> None:
    if not any(paired.values()):
        return
    print("\nthe same ratios, step by step in one process (median [min .. max] over processes):")
    for gc_mode, ratios in paired.items():
        for ours, rs in ratios.items():
            print_ratio(ours, PAIRED_BASE[gc_mode], gc_mode, rs)


def check(results: dict[str, dict], steps: int) -> None:
    """Same weights in, same losses and parameters out (to rounding)."""
    if "microgrand" not in results:
        return
    ref = results["microgrand"]
    for engine, out in results.items():
        if engine == "microgrand":
            continue
        dloss = max(abs(a - b) for a, b in zip(ref["losses"], out["losses"], strict=True))
        dparam = max(abs(a - b) for a, b in zip(ref["params"], out["params"], strict=True))
        ok = dloss < 1e-9 and dparam < 1e-9
        print(
            f"check: microgrand vs {engine} after {steps} steps: max |Δloss| = {dloss:.1e}, "
            f"max |Δparam| = {dparam:.1e}  {'OK' if ok else 'MISMATCH'}"
        )
        if not ok:
            raise SystemExit(1)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        engine, steps, check_after, gc_mode = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        print(json.dumps(worker(engine, steps, check_after, gc_mode)))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_paired":
        print(json.dumps(paired_worker(sys.argv[2].split(","), int(sys.argv[3]), sys.argv[4])))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="processes per engine and GC mode (default 5)")
    parser.add_argument("--steps", type=int, default=3, help="timed micrograd steps per process (default 3)")
    parser.add_argument("--fast-steps", type=int, default=20, help="timed steps for the others")
    parser.add_argument("--paired-rounds", type=int, default=3, help="processes for the step-by-step ratios")
    parser.add_argument("--paired-steps", type=int, default=10, help="steps of each engine in each of them")
    parser.add_argument("--gc", choices=["on", "off", "both"], default="both")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, default: all four")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    for e in engines:
        if e not in STEP_FNS:
            parser.error(f"unknown engine {e!r}: choose from {', '.join(ENGINES)}")
    problem_json = json.dumps(make_problem())
    gc_modes = ["on", "off"] if args.gc == "both" else [args.gc]
    modes = {m: run_mode(m, args, problem_json, engines) for m in gc_modes}
    ours = [e for e in engines if e.startswith("microgrand")]
    paired = {
        m: run_paired(m, [PAIRED_BASE[m], *ours], args, problem_json)
        for m in gc_modes
        if PAIRED_BASE[m] in engines and ours and args.paired_rounds > 0
    }
    report(modes, args)
    report_paired(paired)


if __name__ == "__main__":
    main()
