import os
import sys

import pytest

# the test helpers (op_catalogue, ...) live beside the tests
sys.path.insert(0, os.path.dirname(__file__))

# tests marked `jupyter` start a Jupyter server: they run when asked (.ci/run's own step), where a
# skip fails as anywhere else under MICROGRAND_NO_SKIPS=1
JUPYTER_ASKED = os.environ.get("MICROGRAND_JUPYTERLAB") == "1"


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("jupyter") and not JUPYTER_ASKED:
        pytest.skip("starts a Jupyter server: runs with MICROGRAND_JUPYTERLAB=1 (CI runs it in its own step)")


def _fail_a_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    """With MICROGRAND_NO_SKIPS=1 (as .ci/run sets it, where every optional dependency is
    installed) a skipped test, or module, fails: there a skip means a broken install, and a
    test that silently does not run would hide whatever it was there to catch."""
    if report.skipped and not hasattr(report, "wasxfail") and os.environ.get("MICROGRAND_NO_SKIPS") == "1":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped, but MICROGRAND_NO_SKIPS=1 says everything is installed: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    # a module or test that .ci/run runs in a step of its own (with what it needs) may skip in the
    # main run: a module that says so, or a test marked `jupyter` (MICROGRAND_JUPYTERLAB=1 runs those)
    own_step = getattr(getattr(item, "module", None), "RUN_BY_CI_IN_ITS_OWN_STEP", False)
    if not own_step and not (item.get_closest_marker("jupyter") and not JUPYTER_ASKED):
        _fail_a_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):  # type: ignore[no-untyped-def]
    outcome = yield  # a module-level importorskip skips the whole module while collecting it
    _fail_a_skip(outcome.get_result())


# the two chapters that train the most (about a minute each on 2 cores): they start first, one on
# each worker (xdist hands each worker two units at the start: the first two go to different ones)
LONGEST_CHAPTERS = ("07_regularization", "09_capstone_handwritten_digits")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With pytest-xdist's --dist loadgroup (pyproject's addopts), a module's tests run on one
    worker, so that a module-scoped fixture (a package build, a browser) is made once and never
    twice at once; the notebooks, each in its own kernel, are the slow part and spread over all.
    They go first, the longest two first, then the last chapter first (the later a chapter, the
    more it trains), so that no worker is left running one at the end while the other waits."""
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and module.__name__ != "test_notebooks":
            item.add_marker(pytest.mark.xdist_group(module.__name__))

    runs = "test_notebook_runs_and_its_claims_hold"  # one test per chapter, its id the notebook's name
    chapters = [item for item in items if getattr(item, "originalname", "") == runs]
    chapters.sort(key=lambda item: (item.callspec.id in LONGEST_CHAPTERS, item.callspec.id), reverse=True)
    items[:] = chapters + [item for item in items if item not in chapters]
