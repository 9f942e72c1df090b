#!/usr/bin/env bash
# Benchmark `mlpack serve`: single-stream decode through the server vs in
# process (predict's path), aggregate tokens/s at 1/2/4/8 concurrent
# streams, p50/p95 time to first token, server peak RSS.
#
#   bench/serve.sh [HF_MODEL_DIR_OR_BUNDLE] [TOKENS] [ROUNDS] [CONCURRENCY]
#
# Default model: testdata/tiny-chat (saved as an llm/v1/chat bundle first).
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-testdata/tiny-chat}
tokens=${2:-128}
rounds=${3:-2}
levels=${4:-1,2,4,8}
work=$(mktemp -d)
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

go build -o "$work/mlpack" ./cmd/mlpack
if [ -f "$src/MLmodel" ]; then
	bundle=$src
else
	bundle=$work/bundle
	"$work/mlpack" save -m "$src" --task llm/v1/chat -o "$bundle" --link >/dev/null
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$work/mlpack" serve -m "$bundle" --port "$port" --parallel 8 --max-queue 64 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 1 600); do
	curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
	sleep 0.2
done
echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
go run ./bench/servebench -bundle "$bundle" -url "http://127.0.0.1:$port" -pid "$server_pid" -tokens "$tokens" -rounds "$rounds" -concurrency "$levels"
