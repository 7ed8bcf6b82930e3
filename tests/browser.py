"""Debian's Chromium and ChromeDriver for the report's browser tests. `python -m tests.browser` installs
them with apt-get when they are absent (what `make test` does, so CI on a new machine has them) and says
so; where they cannot be installed, it says why and the browser tests skip loudly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Any

PACKAGES = ("chromium", "chromium-driver")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromedriver() -> str | None:
    return shutil.which("chromedriver")


def missing() -> list[str]:
    return [name for name, found in (("chromium", chromium()), ("chromedriver", chromedriver())) if found is None]


def start_chromium(*, offline: bool = False, console: bool = False) -> Any:
    """A headless Chromium under selenium (a fresh profile; no background traffic); `offline`: JavaScript's
    network is off and every http(s)/ws URL blocked; `console`: the page's console kept for `get_log`."""
    import tempfile

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium())
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tempfile.mkdtemp(prefix='profilegen-chromium-')}",
    ):
        options.add_argument(flag)
    if console:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(chromedriver())))
    if offline:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
        )
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*", "wss://*"]})
    return driver


def _apt(*args: str) -> bool:
    command = ["apt-get", *args] if os.geteuid() == 0 else ["sudo", "-n", "apt-get", *args]
    if shutil.which(command[0]) is None:
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False).returncode == 0


def ensure() -> list[str]:
    """Install what is missing; what is still missing afterwards."""
    absent = missing()
    if not absent:
        return []
    if shutil.which("apt-get") is None:
        return absent
    print(f"browser tests: {', '.join(absent)} missing; installing {' '.join(PACKAGES)} with apt-get", flush=True)
    if not _apt("install", "-y", "-q", *PACKAGES):
        _apt("update", "-q")
        _apt("install", "-y", "-q", *PACKAGES)
    return missing()


if __name__ == "__main__":
    still = ensure()
    if still:
        print(f"BROWSER TESTS WILL SKIP: {', '.join(still)} could not be installed (apt-get as root or sudo -n)")
    else:
        print(f"browser tests: {chromium()} with {chromedriver()}")
    sys.exit(0)
