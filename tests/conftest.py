import os
import tempfile

import numpy as np
import pytest

# Every test's run store, and every server a test starts, in a folder of their own.
os.environ.setdefault("BACKPROP_STORE", tempfile.mkdtemp(prefix="backprop-store-"))

from backprop_core import Network, compiled, datasets
from dashboard.components.bootstrap import WORKER_KEY
from tests.apptest_helpers import OPENED
from tests.live_server import CHROMIUM, CHROMIUM_FLAGS, streamlit_app

compiled.warm_up()  # every trainer in the tests runs compiled from the start, as a warm server's


@pytest.fixture(autouse=True)
def stop_training_workers():
    """A test's AppTest sessions may still be training in the background: stop them."""
    yield
    while OPENED:
        worker = OPENED.pop().session_state.get(WORKER_KEY)
        if worker is not None:
            worker.pause()


@pytest.fixture
def half_adder():
    return datasets.half_adder()


@pytest.fixture
def reference_net():
    return Network([2, 2, 2, 2], activation="sigmoid", cost="mse", seed=0)


def random_problem(sizes, n_samples, seed):
    """Inputs in [-1, 1] and targets in [0, 1] for a network with layer sizes ``sizes``."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n_samples, sizes[0])), rng.uniform(0, 1, (n_samples, sizes[-1]))


@pytest.fixture(scope="module")
def server():
    """``streamlit run app.py`` on a free loopback port, for one test module."""
    with streamlit_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright, for one test module (its event loop must not
    outlive the module: other modules run asyncio themselves)."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    yield context.new_page()
    context.close()
