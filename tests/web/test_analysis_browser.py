"""Browser (Playwright, Debian's Chromium, headless): the patrol plan map draws the chosen cells
under the strict CSP, an analyst records the plan, and the evaluation page shows its charts.
Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import re

import pytest

from tests.api import analysis_live
from tests.api.live_server import PASSWORD
from tests.web.test_browser import ARTIFACTS, browser, shot  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def alive(tmp_path_factory):
    server = analysis_live.server(tmp_path_factory)
    yield server
    analysis_live.stop()


@pytest.fixture
def analyst_page(browser, alive):  # noqa: F811 - the imported fixture
    context = browser.new_context(base_url=alive.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/login")
    page.fill("input[name=name]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    yield page, errors
    context.close()


def test_patrol_plan_map_and_recording_in_the_browser(analyst_page):
    page, errors = analyst_page
    page.click("text=Patrol plans")
    page.wait_for_url(re.compile(r"/hotspots/patrol-plan"))
    page.select_option("select[name=area]", "test-centre")
    page.fill("input[name=start]", "2022-01")
    page.fill("input[name=end]", "2022-03")
    page.fill("input[name=budget_hours]", "0.5")
    page.fill("input[name=shift]", "09:00-11:00")
    page.fill("input[name=date]", "2026-08-03")
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector('#map[data-ready="1"]')
    # two visits: one or two cells drawn as vector squares, plus the study area outline
    assert 2 <= page.locator("#map path.leaflet-interactive").count() <= 3
    assert page.locator("#visits tbody tr").count() == 2
    shot(page, "20-analyst-patrol-plan-phone")
    page.select_option("#record-form select[name=operation]", "test-op")
    page.click("#record-form button[type=submit]")
    page.wait_for_selector("#plan-recorded")
    assert "Recorded 2 planned patrols in test-op" in page.inner_text("#plan-recorded")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_evaluation_page_in_the_browser(analyst_page):
    page, errors = analyst_page
    page.goto("/operations/eval-op")
    page.click('a[href="/operations/eval-op/evaluation"]')
    page.wait_for_url(re.compile(r"/operations/eval-op/evaluation"))
    page.fill("input[name=before]", "2022-01..2022-02")
    page.fill("input[name=during]", "2022-03..2022-03")
    page.click("#evaluation-form button[type=submit]")
    page.wait_for_selector("#methods")
    assert page.locator("#method-wdd td").nth(4).inner_text().startswith("ok")
    widths = page.eval_on_selector_all("figure.chart img", "imgs => imgs.map(i => i.naturalWidth)")
    assert widths and all(w > 0 for w in widths)  # the SVG charts load as data: images
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    shot(page, "21-analyst-evaluation-phone")
    assert not [e for e in errors if "Content Security Policy" in e], errors
