"""The HTML hotspot map opens in Chromium offline: Leaflet runs, cells and boundary are drawn,
no request leaves the file, the attribution is shown."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
from shapely.geometry import box

from clearhold.analytics import hotspots as hs
from clearhold.reports.hotspot_outputs import write_html

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing (scripts/run test installs Debian's chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_map_renders_offline(browser, tmp_path):
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(475_500, 150, 200), rng.uniform(474_000, 477_000, 100)])
    y = np.concatenate([rng.normal(260_500, 150, 200), rng.uniform(259_000, 262_000, 100)])
    area = box(474_000, 259_000, 477_000, 262_000)
    r = hs.hotspot_grid(x, y, area=area, cell_size_m=250, bandwidth_m=500, method="gistar")
    path = tmp_path / "map.html"
    write_html(path, r.cells, 250, r.parameters(), boundary=area, title="Test map")
    page = browser.new_page()
    requests, errors = [], []
    page.on("request", lambda req: requests.append(req.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelectorAll('.leaflet-overlay-pane canvas, .leaflet-overlay-pane path').length > 0")
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert page.evaluate("typeof L") == "object" and page.evaluate("L.version").startswith("1.")
    attribution = page.inner_text(".leaflet-control-attribution")
    assert "Contains public sector information licensed under the Open Government Licence v3.0" in attribution
    assert "Contains OS data © Crown copyright and database right" in attribution
    assert page.evaluate("cells.features.length") == len(r.cells) == 144
    assert page.evaluate("map.getZoom()") > 10
    page.close()
