"""Keyless Azure under load, with the official openai SDK: the proxy on AKS workload identity (a projected
service-account token file, exchanged as a client assertion) in front of MockAzure with key authentication disabled.
Tokens live 5 seconds: a minute of steady traffic loses no request and fetches a token about once per lifetime, not per
request. Then a 10-second token endpoint outage while the cached token is valid loses nothing either."""
import re
import threading
import time
import urllib.request

from openai import OpenAI

from conftest import PROXY_MASTER_KEY, Server, bin_path, start_proxy

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "gateway-proxy"
SUBJECT = "system:serviceaccount:llm:litellm-proxy"


def start_mock(lifetime):
    return Server(
        [
            str(bin_path() / "mock-azure"), "--port", "0", "--fixtures", "fixtures", "--speed", "0",
            "--local-auth-disabled", "--token-lifetime", str(lifetime), "--federated-subject", SUBJECT,
            "--entra-client-id", CLIENT,
        ],
        r"listening on (http://\S+)",
    )


def call(method, url, data=None):
    request = urllib.request.Request(url, method=method, data=data)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def write_service_account_token(mock_url, path):
    """What the kubelet does: a fresh projected token, replaced atomically."""
    token = call("POST", f"{mock_url}/__mock/entra/service-account-token?subject={SUBJECT}&lifetime=3600")
    staging = path.with_suffix(".new")
    staging.write_text(token)
    staging.replace(path)


def start_keyless_proxy(tmp_path, mock_url):
    token_file = tmp_path / "azure-identity-token"
    write_service_account_token(mock_url, token_file)
    config = tmp_path / "config.yaml"
    config.write_text(f"""
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: azure/gpt-4o
      api_base: {mock_url}
      api_version: "2025-01-01-preview"
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
  sqlite_path: {tmp_path / "spend.sqlite"}
litellm_settings:
  callbacks: ["prometheus"]
""")
    environment = {
        "AZURE_AUTHORITY_HOST": mock_url, "AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": CLIENT,
        "AZURE_FEDERATED_TOKEN_FILE": str(token_file), "AZURE_API_KEY": None, "AZURE_CLIENT_SECRET": None,
    }
    return start_proxy(config, env=environment), token_file


def drive(proxy_url, seconds, workers=8, during=None, pause=0.2):
    """`workers` openai clients in a loop for `seconds` (every fourth call streamed), each pausing `pause` between
    calls to stay under MockAzure's per-deployment rate limit (its 429s would be retried, not lost, but slow the
    run); returns (ok, failures)."""
    ok, failures, lock = [0], [], threading.Lock()
    stop = time.time() + seconds

    def worker():
        client = OpenAI(base_url=proxy_url + "/v1", api_key=PROXY_MASTER_KEY, max_retries=0)
        count = 0
        while time.time() < stop:
            count += 1
            try:
                if count % 4 == 0:
                    stream = client.chat.completions.create(
                        model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True
                    )
                    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
                else:
                    answer = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
                    assert answer.choices[0].message.content
                with lock:
                    ok[0] += 1
                time.sleep(pause)
            except Exception as error:  # noqa: BLE001 - every failure is counted and shown
                with lock:
                    failures.append(repr(error)[:300])

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    if during:
        during()
    for thread in threads:
        thread.join()
    return ok[0], failures


def stats(mock_url):
    import json
    return json.loads(call("GET", f"{mock_url}/__mock/entra/stats"))


def fetch_counts(proxy_url):
    request = urllib.request.Request(proxy_url + "/metrics", headers={"Authorization": f"Bearer {PROXY_MASTER_KEY}"})
    text = urllib.request.urlopen(request, timeout=10).read().decode()
    counts = {}
    for line in text.splitlines():
        if line.startswith("llm_gateway_entra_token_fetches_total{"):
            outcome = re.search(r'outcome="(\w+)"', line).group(1)
            counts[outcome] = counts.get(outcome, 0) + int(float(line.rsplit(" ", 1)[1]))
    return counts


def test_a_minute_on_five_second_tokens_loses_nothing(tmp_path):
    mock = start_mock(lifetime=5)
    proxy, token_file = start_keyless_proxy(tmp_path, mock.url)
    try:
        def kubelet():
            # The projected token is rotated while the traffic runs; the proxy reads the file at every exchange.
            for _ in range(3):
                time.sleep(20)
                write_service_account_token(mock.url, token_file)

        started = time.time()
        ok, failures = drive(proxy.url, 60, during=kubelet)
        elapsed = time.time() - started
        issued = stats(mock.url)
        fetched = fetch_counts(proxy.url)
        print(f"\nentra load: {ok} requests in {elapsed:.0f} s, {len(failures)} failed; tokens issued "
              f"{issued['tokens_issued']['client_assertion']}, proxy fetches {fetched}")
        assert not failures, failures[:5]
        assert ok > 500
        exchanges = issued["tokens_issued"]["client_assertion"]
        # Tokens say expires_in 4 s and are refreshed at 80 % of that: about 19 in a minute; per request would be
        # hundreds.
        assert 10 <= exchanges <= 30, exchanges
        assert fetched.get("success") == exchanges and "rejected" not in fetched and "unavailable" not in fetched
        assert issued["refused"] == 0
    finally:
        proxy.stop()
        mock.stop()


def test_a_ten_second_token_endpoint_outage_loses_nothing(tmp_path):
    # Tokens live 26 s (expires_in 25): the refresh falls due at 20 s, inside the outage from 11 s to 21 s, and the
    # cached token stays usable until about 23.7 s.
    mock = start_mock(lifetime=26)
    proxy, _ = start_keyless_proxy(tmp_path, mock.url)
    try:
        def outage():
            time.sleep(11)
            call("POST", f"{mock.url}/__mock/entra/outage?seconds=10")

        ok, failures = drive(proxy.url, 28, workers=4, during=outage)
        issued = stats(mock.url)
        fetched = fetch_counts(proxy.url)
        print(f"\nentra outage: {ok} requests, {len(failures)} failed; endpoint refused {issued['unavailable']} "
              f"fetches during the outage; proxy fetches {fetched}")
        assert not failures, failures[:5]
        assert issued["unavailable"] >= 1, "the refresh was not tried during the outage"
        assert fetched.get("unavailable", 0) == issued["unavailable"]
        assert fetched.get("success", 0) >= 2
    finally:
        proxy.stop()
        mock.stop()
