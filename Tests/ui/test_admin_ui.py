"""The admin UI at /ui in headless chromium: log in, find the seed's request with its response, create a key and use
it, see a <script> prompt rendered as inert text, visit Models and Usage, log out. Screenshots: artifacts/ui-screenshots/.
The tests run in file order and share one browser session."""
import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from conftest import MASTER_KEY, sdk

SEED_ID = "chatcmpl-CHr8WRLSX5TzWqrnIJvdp8iJquX3B"
SEED_BODY = '{"model": "o4-mini", "messages": [{"role": "user", "content": "what llm are you"}]}'
SCRIPT_PROMPT = "<script>window.__pwned = 1; alert('xss')</script><img src=x onerror=\"window.__pwned = 2; alert(2)\">"
created = {}


def by():
    from selenium.webdriver.common.by import By
    return By


def chat(proxy, key, body):
    request = urllib.request.Request(proxy.url + "/chat/completions", data=body.encode(), method="POST",
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def open_until(driver, url, text, timeout=10):
    """Loads a page until it shows `text` (spend rows are written in batches)."""
    deadline = time.time() + timeout
    while True:
        driver.get(url)
        if text in driver.page_source or time.time() > deadline:
            return
        time.sleep(0.3)


def submit(driver, element):
    """Clicks a button or link that loads another page, and waits until that page has loaded. An alert on the new
    page fails the test (UnexpectedAlertPresentException is not swallowed)."""
    from selenium.common.exceptions import UnexpectedAlertPresentException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait
    driver.execute_script("window.__oldPage = true")

    def loaded(d):
        try:
            return d.execute_script("return !window.__oldPage && document.readyState === 'complete'")
        except UnexpectedAlertPresentException:
            raise
        except WebDriverException:  # the old page's context went away mid-call
            return False
    element.click()
    WebDriverWait(driver, 15).until(loaded)


def assert_no_alert(driver):
    from selenium.common.exceptions import NoAlertPresentException
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text


def test_login(driver, proxy, shot):
    B = by()
    driver.get(proxy.url + "/ui/logs")
    assert "/ui/login" in driver.current_url, "pages need a session"
    shot("01-login")
    driver.find_element(B.ID, "username").send_keys("admin")
    driver.find_element(B.ID, "password").send_keys("sk-wrong-password")
    submit(driver, driver.find_element(B.ID, "login"))
    assert "Invalid username or password" in driver.find_element(B.CSS_SELECTOR, ".error").text
    driver.find_element(B.ID, "username").clear()
    driver.find_element(B.ID, "username").send_keys("admin")
    driver.find_element(B.ID, "password").send_keys(MASTER_KEY)
    submit(driver, driver.find_element(B.ID, "login"))
    assert driver.current_url.endswith("/ui/logs")
    assert driver.find_element(B.TAG_NAME, "h1").text == "Logs"
    session = driver.get_cookie("ui_session")
    assert session["httpOnly"] and session["sameSite"] == "Strict" and session["path"] == "/ui"
    assert "ui_session" not in driver.execute_script("return document.cookie"), "HttpOnly: scripts cannot read it"
    created["session"] = session["value"]


def test_seed_request_shows_up_with_request_and_response(driver, proxy, shot):
    B = by()
    # The seed's curl, as the operator ran it (urllib when curl is absent).
    if shutil.which("curl"):
        out = subprocess.run(["curl", "--silent", "--location", proxy.url + "/chat/completions", "--header", f"Authorization: Bearer {MASTER_KEY}",
                              "--header", "Content-Type: application/json", "--data", SEED_BODY], capture_output=True, text=True, timeout=30)
        answer = json.loads(out.stdout)
    else:
        _, answer = chat(proxy, MASTER_KEY, SEED_BODY)
    assert answer["id"] == SEED_ID
    open_until(driver, proxy.url + "/ui/logs", SEED_ID)
    row = driver.find_element(B.XPATH, f"//a[text()='{SEED_ID}']/ancestor::tr")
    cells = [cell.text for cell in row.find_elements(B.TAG_NAME, "td")]
    assert cells[1] == "success" and cells[3] == "azure/o4-mini" and cells[4] == "o4-mini" and cells[5] == "master key"
    assert cells[6:10] == ["11", "172", "128", "$0.0007689"], cells
    shot("02-logs")
    submit(driver, driver.find_element(B.LINK_TEXT, SEED_ID))
    request = driver.find_element(B.ID, "request-json").text
    response = driver.find_element(B.ID, "response-json").text
    assert '"content": "what llm are you"' in request
    assert "I’m ChatGPT" in response and '"model": "azure/o4-mini-2025-04-16"' in response
    assert '"reasoning_tokens": 128' in response
    shot("03-log-detail")


def test_create_a_key_and_use_it(driver, proxy, shot):
    B = by()
    driver.get(proxy.url + "/ui/keys")
    driver.find_element(B.ID, "key_alias").send_keys("browser-team")
    driver.find_element(B.CSS_SELECTOR, "input[name=models][value='gpt-4o']").click()
    driver.find_element(B.NAME, "max_budget").send_keys("2.5")
    submit(driver, driver.find_element(B.ID, "create-key"))
    key = driver.find_element(B.ID, "new-key").text
    assert key.startswith("sk-") and len(key) == 25
    created["key"] = key
    shot("04-key-created")
    status, answer = chat(proxy, key, '{"model": "gpt-4o", "messages": [{"role": "user", "content": "Say hello in three languages"}]}')
    assert status == 200, answer
    driver.get(proxy.url + "/ui/keys")
    assert key not in driver.page_source, "shown once"
    row = driver.find_element(B.XPATH, "//td[text()='browser-team']/ancestor::tr")
    assert "sk-..." + key[-4:] in row.text and "$2.5000" in row.text
    open_until(driver, proxy.url + "/ui/logs?key_alias=browser-team", "Requests: 1")
    assert "browser-team" in driver.find_element(B.CSS_SELECTOR, "table.logs tbody").text
    driver.get(proxy.url + "/ui/keys")
    submit(driver, driver.find_element(B.XPATH, "//td[text()='browser-team']/ancestor::tr//button[text()='Block']"))
    assert "blocked." in driver.find_element(B.CSS_SELECTOR, ".flash").text
    assert chat(proxy, key, '{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}')[0] == 401
    shot("05-keys")


def test_a_script_prompt_is_inert(driver, proxy, shot):
    B = by()
    status, answer = chat(proxy, MASTER_KEY, json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": SCRIPT_PROMPT}]}))
    assert status == 200
    open_until(driver, proxy.url + "/ui/logs", answer["id"])
    submit(driver, driver.find_element(B.LINK_TEXT, answer["id"]))
    assert_no_alert(driver)
    assert driver.execute_script("return window.__pwned") is None
    assert "<script>window.__pwned = 1; alert('xss')</script>" in driver.find_element(B.ID, "request-json").text, "shown as text"
    assert driver.find_elements(B.CSS_SELECTOR, "main script, main img") == []
    shot("06-script-inert")
    # A hostile key alias is text too.
    driver.get(proxy.url + "/ui/keys")
    driver.find_element(B.ID, "key_alias").send_keys("<img src=x onerror=alert(3)>")
    submit(driver, driver.find_element(B.ID, "create-key"))
    assert_no_alert(driver)
    assert "<img src=x onerror=alert(3)>" in driver.find_element(B.ID, "created-key").text


def test_models_and_usage(driver, proxy, shot):
    B = by()
    driver.get(proxy.url + "/ui/models")
    submit(driver, driver.find_element(B.ID, "check-health"))
    # Every deployment of the test config (o4-mini, gpt-4o and the conformance router groups) answers.
    assert len(driver.find_elements(B.XPATH, "//span[text()='healthy']")) == 6
    assert driver.find_elements(B.XPATH, "//span[text()='unhealthy']") == []
    assert sdk.PROXY_AZURE_KEY not in driver.page_source
    shot("07-models")
    driver.get(proxy.url + "/ui/usage")
    assert driver.find_elements(B.CSS_SELECTOR, "figure.chart svg rect")
    models = driver.find_element(B.ID, "usage-models").text
    assert "o4-mini 1 0 $0.0007689 11 172 128" in models, models
    shot("08-usage")


def test_a_pass_through_call_shows_up_with_request_and_response(driver, proxy, shot):
    B = by()
    request = urllib.request.Request(
        proxy.url + "/azure/openai/deployments/gpt-4o/chat/completions?api-version=2025-01-01-preview",
        data=b'{"messages": [{"role": "user", "content": "through the pass-through"}]}', method="POST",
        headers={"api-key": MASTER_KEY, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.load(response)
    open_until(driver, proxy.url + "/ui/logs", answer["id"])
    row = driver.find_element(B.XPATH, f"//a[text()='{answer['id']}']/ancestor::tr")
    cells = [cell.text for cell in row.find_elements(B.TAG_NAME, "td")]
    assert cells[1] == "success" and cells[4] == "gpt-4o", cells
    usage = answer["usage"]
    assert cells[6:8] == [str(usage["prompt_tokens"]), str(usage["completion_tokens"])], cells
    submit(driver, driver.find_element(B.LINK_TEXT, answer["id"]))
    assert '"content": "through the pass-through"' in driver.find_element(B.ID, "request-json").text
    assert answer["choices"][0]["message"]["content"][:20] in driver.find_element(B.ID, "response-json").text
    assert "allm_passthrough_route" in driver.page_source
    shot("09-pass-through-log")


def test_logout_and_nothing_secret_in_the_proxy_log(driver, proxy):
    B = by()
    driver.get(proxy.url + "/ui/logs")
    submit(driver, driver.find_element(B.CSS_SELECTOR, ".logout button"))
    assert "/ui/login" in driver.current_url
    driver.get(proxy.url + "/ui/keys")
    assert "/ui/login" in driver.current_url, "the session ended"
    log = proxy.log_text()
    assert "ui login" in log and "ui key created" in log
    for secret in [MASTER_KEY, created["key"], created["session"], sdk.PROXY_AZURE_KEY]:
        assert secret not in log
