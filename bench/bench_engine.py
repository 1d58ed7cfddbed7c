"""Engine benchmark: microgrand's Value against micrograd 0.1.0, in one run.

    python bench/bench_engine.py [--rounds 5] [--sizes 10000,100000]

Workload (the peers' standard): the chain h <- relu(h*w + b), N steps, three
op nodes per step, w and b shared leaves. Figures:

* forward and backward ns per node at each size, garbage collector ON as users
  run it and OFF (disabled inside the timed region: the engines' own cost, and
  the stable ratio; with it on, the collector's walks over the growing graph
  dominate and move with the heap), median [min .. max] over rounds, and
  micrograd's time / ours;
* bytes per node (tracemalloc and RSS growth while building a 100k-step chain);
* the deepest chain whose backward() succeeds under the default recursion limit;
* Module bookkeeping (microgrand only): ms for parameters(), state_dict(), zero_grad() and
  repr() of an MLP 2-16-16-1 whose module also keeps a dataset of --dataset-rows rows
  (a list of [x1, x2] rows and a list of labels) as attributes.

Each figure comes from a fresh interpreter that imports one engine; engines
are interleaved and their order rotated each round. micrograd is a benchmark-
only dependency (`pip install micrograd==0.1.0`); without it only our figures print.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
import tracemalloc
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import module_available, ratios, rotate, run_worker, summary

NODES_PER_STEP = 3


def load(engine: str) -> Any:
    if engine == "microgrand":
        from microgrand import Value
    else:
        from micrograd.engine import Value  # type: ignore[import-not-found, no-redef]
    return Value


def chain(Value: Any, n: int) -> tuple[Any, Any, Any, Any]:
    x, w, b = Value(0.5), Value(0.9), Value(0.1)
    h = x
    for _ in range(n):
        h = (h * w + b).relu()
    return h, x, w, b


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def worker(kind: str, engine: str, n: int) -> dict[str, Any]:
    Value = load(engine)
    if kind in ("time-gc-on", "time-gc-off"):
        if engine == "micrograd":  # its topological sort is recursive: ~1 frame per node
            sys.setrecursionlimit(max(sys.getrecursionlimit(), NODES_PER_STEP * n + 10_000))
        chain(Value, 1000)[0].backward()  # warm-up
        gc.collect()
        if kind == "time-gc-off":
            gc.disable()
        t0 = time.perf_counter()
        h, *_ = chain(Value, n)
        t1 = time.perf_counter()
        h.backward()
        t2 = time.perf_counter()
        gc.enable()
        return {"fwd": (t1 - t0) / (NODES_PER_STEP * n), "bwd": (t2 - t1) / (NODES_PER_STEP * n)}
    if kind == "memory":
        warm = chain(Value, 1000)
        del warm
        gc.collect()
        r0 = rss_bytes()
        g = chain(Value, n)
        r1 = rss_bytes()
        del g
        gc.collect()
        tracemalloc.start()
        t0 = tracemalloc.get_traced_memory()[0]
        g = chain(Value, n)
        t1 = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        nodes = NODES_PER_STEP * n
        return {"rss": (r1 - r0) / nodes, "traced": (t1 - t0) / nodes}
    if kind == "deep":
        h, *_ = chain(Value, n)
        try:
            h.backward()
            return {"ok": True}
        except RecursionError:
            return {"ok": False}
    if kind == "walker":
        from microgrand.nn import MLP, Module

        class WithData(Module):  # a model that keeps its training data beside its parameters
            def __init__(self) -> None:
                self.net = MLP(2, [16, 16, 1], seed=0)
                self.X = [[i * 1e-5, -i * 1e-5] for i in range(n)]
                self.y = [i % 2 for i in range(n)]

        model = WithData()
        assert len(model.parameters()) == 337
        times = {}
        for name, call in (
            ("parameters", model.parameters),
            ("state_dict", model.state_dict),
            ("zero_grad", model.zero_grad),
            ("repr", lambda: repr(model)),
        ):
            t0 = time.perf_counter()
            call()
            times[name] = time.perf_counter() - t0
        return times
    raise ValueError(kind)


def deepest(engine: str, cap: int) -> int | None:
    """Largest N whose backward succeeds (None: all up to `cap` do), by bisection."""
    if run_worker(__file__, "deep", engine, cap).get("ok"):
        return None
    lo, hi = 0, cap
    while hi - lo > max(1, lo // 100):  # 1 % precision is enough
        mid = (lo + hi) // 2
        if run_worker(__file__, "deep", engine, mid).get("ok"):
            lo = mid
        else:
            hi = mid
    return lo


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        print(json.dumps(worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--memory-steps", type=int, default=100_000)
    ap.add_argument("--deep-cap", type=int, default=1_000_000, help="steps tried for the deepest chain")
    ap.add_argument("--dataset-rows", type=int, default=300_000, help="rows kept by the bookkeeping's module")
    args = ap.parse_args()
    engines = ["microgrand"] + (["micrograd"] if module_available("micrograd") else [])
    if len(engines) == 1:
        print("# micrograd not installed (pip install micrograd==0.1.0): printing microgrand only")
    print(
        f"# python {sys.version.split()[0]}, {os.cpu_count()} cpus, {args.rounds} rounds, "
        f"fresh process per figure; 'x faster' = micrograd / microgrand, per round"
    )

    for gc_mode, n in ((g, int(s)) for g in ("on", "off") for s in args.sizes.split(",")):
        fig: dict[str, dict[str, list[float]]] = {e: {"fwd": [], "bwd": [], "tot": []} for e in engines}
        for r in range(args.rounds):
            for e in rotate(engines, r):
                out = run_worker(__file__, f"time-gc-{gc_mode}", e, n)
                if "error" in out:
                    sys.exit(f"{e}: {out['error']}")
                fig[e]["fwd"].append(out["fwd"] * 1e9)
                fig[e]["bwd"].append(out["bwd"] * 1e9)
                fig[e]["tot"].append((out["fwd"] + out["bwd"]) * 1e9)
        print(f"\nchain relu(h*w + b), {n} steps = {NODES_PER_STEP * n} nodes, GC {gc_mode}; ns per node")
        print(f"{'engine':12s} {'forward':22s} {'backward':22s} {'forward+backward':22s}")
        for e in engines:
            print(
                f"{e:12s} " + " ".join(f"{summary(fig[e][k], '{:.0f}'):22s}" for k in ("fwd", "bwd", "tot"))
            )
        if "micrograd" in fig:
            mg, us = fig["micrograd"], fig["microgrand"]
            print(
                f"{'x faster':12s} "
                + " ".join(f"{summary(ratios(us[k], mg[k]), '{:.1f}'):22s}" for k in ("fwd", "bwd", "tot"))
            )

    mem: dict[str, dict[str, list[float]]] = {e: {"traced": [], "rss": []} for e in engines}
    for r in range(max(3, args.rounds // 2)):
        for e in rotate(engines, r):
            out = run_worker(__file__, "memory", e, args.memory_steps)
            mem[e]["traced"].append(out["traced"])
            mem[e]["rss"].append(out["rss"])
    print(f"\nmemory: chain of {args.memory_steps} steps; bytes per node")
    print(f"{'engine':12s} {'tracemalloc':22s} {'RSS growth':22s}")
    for e in engines:
        print(f"{e:12s} {summary(mem[e]['traced'], '{:.0f}'):22s} {summary(mem[e]['rss'], '{:.0f}'):22s}")
    if "micrograd" in mem:
        us, mg = mem["microgrand"], mem["micrograd"]
        traced, rss = summary(ratios(us["traced"], mg["traced"])), summary(ratios(us["rss"], mg["rss"]))
        print(f"{'x smaller':12s} {traced:22s} {rss:22s}")

    print(f"\ndeepest chain whose backward() succeeds, default recursion limit {sys.getrecursionlimit()}:")
    for e in engines:
        d = deepest(e, args.deep_cap)
        shown = (
            f"> {NODES_PER_STEP * args.deep_cap:,} nodes (all tried)"
            if d is None
            else f"{NODES_PER_STEP * d:,} nodes"
        )
        print(f"{e:12s} {shown}")

    walks: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for name, seconds in run_worker(__file__, "walker", "microgrand", args.dataset_rows).items():
            walks.setdefault(name, []).append(seconds * 1e3)
    print(
        f"\nmicrograd's MLP 2-16-16-1 in a Module that keeps a {args.dataset_rows:,}-row dataset; ms per call"
    )
    for name, ms in walks.items():
        print(f"{name + '()':14s} {summary(ms, '{:.1f}')}")


if __name__ == "__main__":
    main()
