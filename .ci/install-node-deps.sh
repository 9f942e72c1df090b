#!/usr/bin/env bash
# Installs the official openai npm client that pkg/serve's SDK tests drive
# (pkg/serve/testdata/sdk, version pinned in its package.json/lock file).
set -euo pipefail
cd "$(dirname "$0")/../pkg/serve/testdata/sdk"
if [ -f package-lock.json ]; then
	npm ci --no-audit --no-fund
else
	npm install --no-audit --no-fund
fi
