#!/usr/bin/env bash
# Installs LiteLLM 1.110.2 as a reference peer into a virtualenv (default .venv-litellm).
# `litellm[proxy]==1.110.2` does not resolve from the registry here (its litellm-proxy pin is missing and two
# other pins are newer than the registry has), but the proxy code ships inside the litellm wheel: install it and
# the proxy's extras one by one.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${1:-.venv-litellm}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
[ -x "$VENV/bin/litellm" ] && "$VENV/bin/python" -c "import litellm.proxy.proxy_server" 2>/dev/null && { echo "LiteLLM already installed in $VENV"; exit 0; }
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet 'litellm==1.110.2' openai
"$VENV/bin/pip" install --quiet 'gunicorn>=23,<24' 'uvicorn>=0.33,<1' 'uvloop>=0.22.1,<1' 'fastapi>=0.136.3,<1' 'starlette>=1.0.1,<2' \
  'backoff>=2.2.1,<3' 'rq>=2.7,<3' 'orjson>=3.12,<4' 'apscheduler>=3.11.2,<4' 'fastapi-sso>=0.19,<1' 'pyjwt>=2.13,<3' \
  'python-multipart>=0.0.27,<1' 'cryptography>=49,<51' 'pynacl>=1.6.2,<2' 'websockets>=15.0.1,<16' 'mcp>=2.3,<3' \
  litellm-proxy-extras==0.4.110 litellm-enterprise==0.1.83 'rich>=13.9.4,<14' 'semver>=3.0.4,<4' 'expression>=5.6,<6' \
  'restrictedpython>=8.5,<9' tomlkit polars backports-zstd soundfile pyroscope-io
LITELLM_LOCAL_MODEL_COST_MAP=True "$VENV/bin/python" -c "import litellm.proxy.proxy_server" >/dev/null
echo "LiteLLM $("$VENV/bin/pip" show litellm | awk '/^Version/ {print $2}') installed in $VENV"
