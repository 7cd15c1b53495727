"""The admin UI in a real browser: the built proxy in front of mock-azure, and headless Debian chromium via selenium.

Skips when chromium/chromedriver/selenium are missing, unless REQUIRE_BROWSER=1 (as .ci/run sets), where it fails.
Screenshots go to artifacts/ui-screenshots/ (UI_SCREENSHOTS_DIR overrides it).
"""
import importlib.util
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("UI_SCREENSHOTS_DIR", ROOT / "artifacts" / "ui-screenshots"))

# The SDK tests' launcher (bin path, mock-azure, the proxy config), loaded under its own name.
_spec = importlib.util.spec_from_file_location("sdk_conftest", ROOT / "Tests" / "sdk" / "conftest.py")
sdk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sdk)

MASTER_KEY = sdk.PROXY_MASTER_KEY


def _missing_browser():
    """Why the browser test cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "chromium is not installed (apt-get install chromium chromium-driver)"
    if not shutil.which("chromedriver"):
        return "chromedriver is not installed (apt-get install chromium-driver)"
    return None


@pytest.fixture(scope="session")
def browser_available():
    reason = _missing_browser()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)


class Proxy:
    """The proxy binary with its log in a file (never a pipe that could fill up), so the test can read every line."""

    def __init__(self, tmp_path, mock_url, extra_env=None):
        config = sdk.proxy_config(tmp_path, mock_url)
        self.log_path = tmp_path / "proxy.log"
        env = dict(os.environ, SDK_AZURE_KEY=sdk.PROXY_AZURE_KEY, LITELLM_MASTER_KEY=MASTER_KEY, **(extra_env or {}))
        env.pop("UI_USERNAME", None)
        env.pop("UI_PASSWORD", None)
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(sdk.bin_path() / "proxy"), "--config", str(config), "--port", "0", "--host", "127.0.0.1"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, env=env,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            match = re.search(r"listening on (http://\S+)", self.log_text())
            if match:
                self.url = match.group(1)
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("proxy did not start: " + self.log_text())

    def log_text(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def mock_azure():
    server = sdk.Server(
        [str(sdk.bin_path() / "mock-azure"), "--port", "0", "--fixtures", "fixtures", "--speed", "0", "--api-key", sdk.MOCK_KEY],
        r"listening on (http://\S+)",
    )
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def proxy(browser_available, mock_azure, tmp_path_factory):
    server = Proxy(tmp_path_factory.mktemp("ui-proxy"), mock_azure)
    yield server
    server.stop()


# Entra ID sign-in through mock-azure's emulation (its default users; any client id and secret).
SSO_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
SSO_CLIENT_SECRET = "ui-sso-client-secret-do-not-log"


@pytest.fixture(scope="session")
def sso_proxy(browser_available, mock_azure, tmp_path_factory):
    server = Proxy(tmp_path_factory.mktemp("ui-sso-proxy"), mock_azure, extra_env={
        "MICROSOFT_CLIENT_ID": "gateway-admin-ui", "MICROSOFT_CLIENT_SECRET": SSO_CLIENT_SECRET,
        "MICROSOFT_TENANT": SSO_TENANT, "AZURE_AUTHORITY_HOST": mock_azure,
        "MICROSOFT_GRAPH_ENDPOINT": mock_azure + "/v1.0",
    })
    yield server
    server.stop()


@pytest.fixture(scope="session")
def driver(browser_available):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager would try the internet first
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,1000", "--disable-gpu"]:
        options.add_argument(argument)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    options.binary_location = binary
    browser = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")), options=options)
    browser.set_page_load_timeout(30)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield browser
    browser.quit()


@pytest.fixture()
def shot(driver):
    """Saves a full-page screenshot and the page's HTML under SCREENSHOTS."""
    def save(name):
        path = SCREENSHOTS / f"{name}.png"
        # The whole page: the window grows to the document's height for the shot (capped), then shrinks back.
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1440, min(max(height + 140, 1000), 5000))
        driver.save_screenshot(str(path))
        driver.set_window_size(1440, 1000)
        # The page's HTML too, for the key scan after the suite (scripts/scan-secrets.py).
        path.with_suffix(".html").write_text(driver.page_source)
        return path
    return save
