#!/usr/bin/env bash
# Push and pull a 2 GiB bundle through Docker Distribution 2.8 on 127.0.0.1:
# throughput, bytes uploaded on a re-push, peak RSS of the mlpack process,
# and a resumed pull after an interruption.
#
#   bench/registry.sh [SIZE_BYTES]     (default 2147483648; needs docker-registry, /usr/bin/time)
#
# Everything lives in a temporary folder removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${1:-2147483648}
TMP=$(mktemp -d)
REG_PID=""
cleanup() {
	if [ -n "$REG_PID" ]; then kill "$REG_PID" 2>/dev/null || true; wait "$REG_PID" 2>/dev/null || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

command -v docker-registry >/dev/null || { echo "docker-registry not installed (.ci/install-registry-deps.sh)"; exit 1; }

go build -o "$TMP/mlpack" ./cmd/mlpack
go run ./bench/registry -o "$TMP/bundle" -size "$SIZE"
sync

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$TMP/reg.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: $TMP/reg-data}
  delete: {enabled: true}
http: {addr: 127.0.0.1:$PORT}
YML
docker-registry serve "$TMP/reg.yml" >"$TMP/reg.log" 2>&1 &
REG_PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/v2/" >/dev/null && break; sleep 0.1; done
REF=127.0.0.1:$PORT/bench/tiny:v1
export DOCKER_CONFIG=$TMP/docker XDG_CACHE_HOME=$TMP/cache

# run NAME CMD...: runs CMD under /usr/bin/time, prints seconds and peak RSS.
run() {
	local name=$1; shift
	/usr/bin/time -f "%e %M" -o "$TMP/time" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || { cat "$TMP/$name.err"; exit 1; }
	read -r secs rss <"$TMP/time"
	echo "$name $secs $rss"
}
mib() { python3 -c "print(f'{$1/1048576:.0f}')"; }
rate() { python3 -c "print(f'{$1/1048576/max($2,1e-9):.0f}')"; }

TOTAL=$(du -sb "$TMP/bundle" | cut -f1)
echo "bundle: $(mib "$TOTAL") MiB ($TOTAL bytes), registry 127.0.0.1:$PORT, $(nproc) cores"
printf '%-22s %8s %10s %12s %s\n' step seconds MiB/s peakRSS_MiB note

read -r _ s rss < <(run push "$TMP/mlpack" push -q --json "$TMP/bundle" "$REF")
up=$(python3 -c "import json;print(json.load(open('$TMP/push.out'))['uploaded_bytes'])")
printf '%-22s %8s %10s %12s %s\n' "push (cold)" "$s" "$(rate "$up" "$s")" "$(mib $((rss*1024)))" "uploaded $(mib "$up") MiB in 64 MiB chunks"

# The transfer-mode comparisons below go to fresh repositories; forget where
# the blobs are so they upload instead of mounting.
forget_mounts() { rm -rf "$XDG_CACHE_HOME/mlpack/mounts"; }
forget_mounts
read -r _ s rss < <(run push-mono "$TMP/mlpack" push -q --json --chunk-mib 0 "$TMP/bundle" "127.0.0.1:$PORT/bench/mono:v1")
printf '%-22s %8s %10s %12s %s\n' "push (one PATCH)" "$s" "$(rate "$up" "$s")" "$(mib $((rss*1024)))" "other repository, --chunk-mib 0, digests cached"

forget_mounts
read -r _ s rss < <(run push-chunked "$TMP/mlpack" push -q --json "$TMP/bundle" "127.0.0.1:$PORT/bench/chunked:v1")
printf '%-22s %8s %10s %12s %s\n' "push (64 MiB chunks)" "$s" "$(rate "$up" "$s")" "$(mib $((rss*1024)))" "other repository, default --chunk-mib 64, digests cached"

read -r _ s rss < <(run push-mount "$TMP/mlpack" push -q --json "$TMP/bundle" "127.0.0.1:$PORT/bench/mounted:v1")
read -r up mnt < <(python3 -c "import json;r=json.load(open('$TMP/push-mount.out'));print(r['uploaded_bytes'],r['mounted_bytes'])")
printf '%-22s %8s %10s %12s %s\n' "push (mounted)" "$s" "-" "$(mib $((rss*1024)))" "other repository: uploaded $up bytes, mounted $(mib "$mnt") MiB"

read -r _ s rss < <(run repush "$TMP/mlpack" push -q --json "$TMP/bundle" "$REF")
up=$(python3 -c "import json;print(json.load(open('$TMP/repush.out'))['uploaded_bytes'])")
printf '%-22s %8s %10s %12s %s\n' "re-push" "$s" "-" "$(mib $((rss*1024)))" "uploaded $up bytes"

read -r _ s rss < <(run pull "$TMP/mlpack" pull -q --json -o "$TMP/out" "$REF")
printf '%-22s %8s %10s %12s %s\n' "pull" "$s" "$(rate "$TOTAL" "$s")" "$(mib $((rss*1024)))" ""
cmp "$TMP/bundle/model/model.safetensors" "$TMP/out/model/model.safetensors"
diff -r "$TMP/bundle" "$TMP/out" && echo "pull is bit-identical"

read -r _ s rss < <(run pull-present "$TMP/mlpack" pull -q --json -o "$TMP/out" "$REF")
printf '%-22s %8s %10s %12s %s\n' "pull (all present)" "$s" "-" "$(mib $((rss*1024)))" "digests from the cache, nothing fetched"

# Interrupt a pull halfway, then resume it.
rm -rf "$TMP/out2"
"$TMP/mlpack" pull -q -o "$TMP/out2" "$REF" >/dev/null 2>&1 &
PULL_PID=$!
part=""
for _ in $(seq 600); do
	part=$(ls "$TMP"/out2/.mlpack-pull/*.part 2>/dev/null | head -1 || true)
	if [ -n "$part" ] && [ "$(stat -c %s "$part" 2>/dev/null || echo 0)" -gt $((SIZE / 2)) ]; then break; fi
	sleep 0.05
done
kill -INT "$PULL_PID" 2>/dev/null || true
wait "$PULL_PID" 2>/dev/null || true
read -r _ s rss < <(run pull-resume "$TMP/mlpack" pull -q --json -o "$TMP/out2" "$REF")
res=$(python3 -c "import json;print(json.load(open('$TMP/pull-resume.out'))['resumed_bytes'])")
printf '%-22s %8s %10s %12s %s\n' "pull (resumed)" "$s" "-" "$(mib $((rss*1024)))" "kept $(mib "$res") MiB from the interrupted run"
cmp "$TMP/bundle/model/model.safetensors" "$TMP/out2/model/model.safetensors" && echo "resumed pull is bit-identical"
