#!/usr/bin/env bash
# One command installs everything the tests need, offline afterwards:
#   .venv          chatconform (editable) with its test and lint tools
#   .venv-litellm  LiteLLM's proxy, the real gateway of the end-to-end test; it needs
#                  openai<3 while chatconform uses openai 3.x, hence its own venv.
#   .venv-langchain  LangChain's ChatOpenAI, a client of the client matrix (tests/clients). It
#                  could share .venv, but langsmith (a dependency) loads a pytest plugin into every
#                  pytest run there, ~2 s of start-up each, so it gets a venv of its own.
#   tests/clients/node/node_modules  the Node clients of the client matrix, from the committed
#                  lockfile (npm ci); skipped when node/npm are absent (those tests then skip).
# Set CHATCONFORM_SKIP_LITELLM=1, CHATCONFORM_SKIP_LANGCHAIN=1 or CHATCONFORM_SKIP_NODE=1 to skip
# one of the last three (the tests that need it then skip themselves).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
LITELLM_PIN='litellm[proxy]==1.106.2'   # keep in step with tests/e2e/litellm_gateway.py
LANGCHAIN_PIN='langchain-openai==1.7.4'

"$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# constraints.txt: the versions the test run was last green with (a release upstream cannot break CI).
.venv/bin/python -m pip install --quiet -c constraints.txt -e '.[dev]'

if [ "${CHATCONFORM_SKIP_LITELLM:-0}" != "1" ]; then
  "$PYTHON" -m venv .venv-litellm
  .venv-litellm/bin/python -m pip install --quiet --upgrade pip
  .venv-litellm/bin/python -m pip install --quiet "$LITELLM_PIN"
fi
if [ "${CHATCONFORM_SKIP_LANGCHAIN:-0}" != "1" ]; then
  "$PYTHON" -m venv .venv-langchain
  .venv-langchain/bin/python -m pip install --quiet --upgrade pip
  .venv-langchain/bin/python -m pip install --quiet "$LANGCHAIN_PIN"
fi
if [ "${CHATCONFORM_SKIP_NODE:-0}" != "1" ]; then
  if command -v node >/dev/null && command -v npm >/dev/null; then
    # --loglevel=error: the pinned AI SDK and openai packages declare node>=22 and npm warns
    # (EBADENGINE) on Node 20, where the matrix passes; see tests/clients/README.md.
    (cd tests/clients/node && npm ci --no-audit --no-fund --loglevel=error)
  else
    echo "node/npm not found: the Node clients of tests/clients will be skipped"
  fi
fi
echo "installed: run the tests with  .venv/bin/pytest"
