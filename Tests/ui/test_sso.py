"""Single sign-on in headless chromium: the login page's "Sign in with Microsoft" goes through mock-azure's Entra ID
emulation (authorization code + PKCE) and back; the Entra app role decides what the signed-in user may see and do.
Runs after test_admin_ui.py (file order) in the same browser, on its own proxy."""
import urllib.parse

from conftest import SSO_CLIENT_SECRET
from test_admin_ui import by, submit


def sign_in(driver, proxy, username, start="/ui/keys"):
    B = by()
    driver.delete_all_cookies()
    driver.get(proxy.url + start)
    assert "/ui/login" in driver.current_url, "pages need a session"
    submit(driver, driver.find_element(B.ID, "sso"))
    authorize = urllib.parse.urlparse(driver.current_url)
    query = urllib.parse.parse_qs(authorize.query)
    assert authorize.path.endswith("/oauth2/v2.0/authorize"), driver.current_url
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["response_type"] == ["code"] and query["client_id"] == ["gateway-admin-ui"]
    assert query["state"][0] and query["nonce"][0] and query["redirect_uri"] == [proxy.url + "/sso/callback"]
    assert "Sign in to your account" in driver.page_source
    submit(driver, driver.find_element(B.XPATH, f"//button[contains(., 'Sign in as {username}')]"))
    # The callback page moves on by itself; wait for the page the sign-in started from.
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, 15).until(lambda d: d.current_url.endswith(start))
    assert driver.find_element(B.CSS_SELECTOR, ".logout .user").text == username


def test_an_internal_user_signs_in_and_only_looks(driver, sso_proxy, shot):
    B = by()
    sign_in(driver, sso_proxy, "dev@contoso.com")
    shot("sso-01-internal-user-keys")
    nav = [link.text for link in driver.find_elements(B.CSS_SELECTOR, "header nav a")]
    assert "Audit" not in nav, nav
    driver.get(sso_proxy.url + "/ui/audit")
    assert "may not see this page" in driver.page_source
    driver.get(sso_proxy.url + "/ui/keys")
    assert not driver.find_elements(B.ID, "key_alias"), "an internal user gets no key form"


def test_a_proxy_admin_signs_in_and_sees_the_audit_of_sso_users(driver, sso_proxy, shot):
    B = by()
    sign_in(driver, sso_proxy, "admin@contoso.com", start="/ui/audit")
    audit = driver.find_element(B.TAG_NAME, "main").text
    assert "LiteLLM_UserTable" in audit and "created" in audit, audit
    shot("sso-02-admin-audit")
    driver.get(sso_proxy.url + "/ui/keys")
    assert driver.find_elements(B.ID, "key_alias"), "a proxy admin may create keys"
    submit(driver, driver.find_element(B.CSS_SELECTOR, ".logout button"))
    assert "/ui/login" in driver.current_url


def test_a_callback_this_browser_did_not_start_is_refused_and_nothing_secret_is_logged(driver, sso_proxy):
    B = by()
    sign_in(driver, sso_proxy, "viewer@contoso.com")
    session = driver.get_cookie("ui_session")
    assert session and len(session["value"]) >= 32, session
    driver.delete_all_cookies()
    # A callback without the browser's state cookie (another browser, or a forged link) signs nobody in. The real
    # code's one-time use is SSOLoginTests' (in Swift, where the callback URL can be held).
    driver.get(sso_proxy.url + "/sso/callback?code=stolen&state=guessed")
    assert "did not start in this browser" in driver.find_element(B.CSS_SELECTOR, ".error").text
    log = sso_proxy.log_text()
    assert "ui sso login" in log and "ui sso refused" in log
    assert SSO_CLIENT_SECRET not in log
    assert "code=" not in log and "id_token" not in log
    assert session["value"] not in log
