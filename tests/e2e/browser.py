"""The cockpit in a real browser: `streamlit run` on a free 127.0.0.1 port, headless Chromium
signed in through the form, and a page visit that waits for the page to finish and screenshots it.
Shared by the cockpit e2e tests (they differ in the user, the marts and the pages they visit)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"the cockpit did not listen on 127.0.0.1:{port} within {seconds:.0f} s")


@contextlib.contextmanager
def signed_in_cockpit(
    env: dict[str, str], user: str, password: str, window: str = "1400,2400"
) -> Iterator[tuple[Any, str]]:
    """(browser, base URL) of a cockpit started with ``env`` and signed in as ``user``.
    Skips when Chromium or its driver is not installed."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_bin = shutil.which("chromedriver")
    if not chromium or not driver_bin:
        pytest.skip(
            "Chromium is not installed (Debian packages chromium, chromium-driver; "
            ".ci/run installs them)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "streamlit"), "run", "app/cockpit/streamlit_app.py",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    opts = webdriver.ChromeOptions()
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-dev-shm-usage", f"--window-size={window}"):  # fmt: skip
        opts.add_argument(a)
    opts.binary_location = chromium
    browser = None
    try:
        _wait_for_port(port)
        browser = webdriver.Chrome(service=Service(driver_bin), options=opts)
        base = f"http://127.0.0.1:{port}"
        browser.get(f"{base}/")  # every page is behind the sign-in
        WebDriverWait(browser, 60).until(
            lambda b: b.find_elements(By.CSS_SELECTOR, "input[type='password']")
        )
        browser.find_element(By.CSS_SELECTOR, "input[aria-label='User name']").send_keys(user)
        browser.find_element(By.CSS_SELECTOR, "input[type='password']").send_keys(password)
        browser.find_element(
            By.CSS_SELECTOR, "[data-testid='stBaseButton-secondaryFormSubmit']"
        ).click()
        WebDriverWait(browser, 60).until(  # '/' opens the overview at its own address
            lambda b: b.current_url.rstrip("/").endswith("/overview")
        )
        yield browser, base
    finally:
        if browser is not None:
            browser.quit()
        server.terminate()
        server.wait(timeout=20)


PAGE_TIMEOUT_S = 180


def visit(browser: Any, base: str, url: str, title: str, shot: Path) -> None:
    """Open ``/url``, wait for its ``title`` heading and for the run to finish, check that no
    exception is shown and save a screenshot that is not blank."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{base}/{url}")
    # generous: a page renders in seconds, but a loaded 2-core machine (a 100M-row query spilling
    # beside the suite) once took longer than 60 s for one of them
    WebDriverWait(browser, PAGE_TIMEOUT_S).until(
        lambda b: any(h.text == title for h in b.find_elements(By.CSS_SELECTOR, "h1")),
        f"{url}: no '{title}' heading",
    )
    WebDriverWait(browser, PAGE_TIMEOUT_S).until(
        lambda b: not b.find_elements(By.CSS_SELECTOR, "[data-testid='stStatusWidget']"),
        f"{url}: still running",
    )
    time.sleep(1.5)  # let charts draw before the screenshot
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid='stException']"), url
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000, f"{url}: the screenshot is blank"
