"""The playground in a real browser: Playwright drives the system's Chromium against a live server.

Skipped, with the reason, when Playwright or Chromium is missing (``.ci/run`` installs both; locally
``apt-get install chromium`` and ``pip install playwright``). Screenshots are written to
``test-artifacts/playground/`` (or ``$CHAINRULE_ARTIFACTS/playground/``).
"""

import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.playground import PlaygroundServer

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on PATH (Debian: apt-get install chromium)")

ARTIFACTS = Path(os.environ.get("CHAINRULE_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts"))
# Chromium's own network features are refused on this machine's closed network; keep it quiet and local.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

# Both classes' tints on the boundary canvas: orange (class 0) has red well above blue, blue (class 1) the reverse.
COUNT_CLASS_PIXELS = """() => {
  const canvas = document.getElementById("boundary");
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let orange = 0, blue = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] - data[i + 2] > 40) orange++;
    else if (data[i + 2] - data[i] > 40) blue++;
  }
  return [orange, blue];
}"""


@pytest.fixture(scope="module")
def url():
    server = PlaygroundServer("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(url):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 1300, "height": 900}, accept_downloads=True)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        page.wait_for_function("document.getElementById('download').getAttribute('href') !== '#'")   # a session
        yield page
        browser.close()
        assert errors == [], f"the page raised JavaScript errors: {errors}"


def screenshot(page, name):
    folder = ARTIFACTS / "playground"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def test_moons_trains_to_90_percent_draws_both_classes_hints_divergence_and_downloads(page, tmp_path):
    first = page.get_attribute("#download", "href")
    page.select_option("#dataset", "moons")                       # a new session on the moons
    page.wait_for_function(f"document.getElementById('download').getAttribute('href') !== '{first}'")
    page.click("#play")
    page.wait_for_function("parseFloat(document.getElementById('test-acc').textContent) >= 0.9", timeout=120_000)
    page.click("#play")                                          # pause
    page.wait_for_function("document.getElementById('play').textContent === 'Play'")
    screenshot(page, "moons_trained.png")
    orange, blue = page.evaluate(COUNT_CLASS_PIXELS)
    assert orange > 5000 and blue > 5000, (orange, blue)       # of 420 x 420: both regions are drawn

    with page.expect_download() as download:
        page.click("#download")
    path = tmp_path / "playground_model.npz"
    download.value.save_as(path)
    model = cr.load(path)
    X, y = cr.datasets.make_moons(n_samples=200, noise=0.2, seed=5)
    assert np.mean(model.predict(X).argmax(axis=1) == y) > 0.85   # the trained net, in Python

    page.click("#show-code")
    page.wait_for_function("document.getElementById('code').textContent.includes('cr.mlp')")

    page.fill("#lr", "30")
    page.press("#lr", "Tab")                                     # 'change': the session's lr, weights kept
    page.click("#play")
    page.wait_for_selector('#hints li[data-code="lr_too_high"]', timeout=120_000)
    assert "lr 30.0 is too high" in page.text_content('#hints li[data-code="lr_too_high"]')
    screenshot(page, "moons_lr_too_high.png")


def test_a_bad_setting_is_shown_on_the_page(page):
    page.fill("#hidden", "8,999")
    page.press("#hidden", "Tab")
    page.wait_for_selector("#error:not([hidden])")
    assert "hidden[1] must be a whole number in [1, 64]" in page.text_content("#error")
    screenshot(page, "bad_setting.png")
