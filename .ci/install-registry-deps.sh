#!/usr/bin/env bash
# Installs the real peers the registry tests start on 127.0.0.1:
#   docker-registry  Debian's Docker Distribution 2.8 (end-to-end push/pull/resume/auth tests)
#   htpasswd         apache2-utils, bcrypt password file for the auth test
#   oras             ORAS CLI, to prove another tool can pull an mlpack artifact
# oras lands in $(go env GOPATH)/bin, which .ci/run puts on PATH.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi

if ! command -v docker-registry >/dev/null || ! command -v htpasswd >/dev/null; then
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		docker-registry apache2-utils >/dev/null
fi
# The package ships a service listening on :5000; tests start their own
# instance, so make sure a stray one does not hold resources.
command -v docker-registry

if ! command -v oras >/dev/null && [ ! -x "$(go env GOPATH)/bin/oras" ]; then
	go install oras.land/oras/cmd/oras@v1.3.6
fi
"$(go env GOPATH)/bin/oras" version 2>/dev/null | head -1 || oras version | head -1
