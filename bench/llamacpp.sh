#!/usr/bin/env bash
# Head-to-head: mlpack against llama.cpp on this machine, TinyLlama-1.1B
# shape (seeded random weights), same thread count, F32 / BF16 / Q8_0
# (mlpack: f32 / bf16 / int8 quantized at load). See bench/llamacpp/README.md.
#
#   bench/llamacpp.sh
#
# Environment (defaults in brackets):
#   REPEAT [3]        runs per measurement, best reported (both sides)
#   ROUNDS [3]        rounds of both engines taken in turn, best of all
#                     reported: decode is bandwidth-bound and the bandwidth
#                     of this shared machine moves from minute to minute
#   PROMPTS [128,512] prompt lengths for prompt processing
#   DECODE [32]       tokens generated for the decode speed
#   THREADS [2]
#   FORMATS [f32,bf16,q8_0]
#   WORKDIR [~/.cache/mlpack-bench/tinyllama-1.1b]  generated HF folders + GGUFs (kept, reused)
#   LLAMACPP_CACHE [~/.cache/mlpack-bench/llamacpp-v0.17.4]  llama.cpp objects + driver
#   LLAMACPP_FA [0]   1: flash attention on in llama.cpp (llama-bench's default is off)
#   CROSSCHECK [1]    0: skip the greedy-id cross-check on F32
#   AVX2 [0]          1: both sides on AVX2 code paths only (the issue's Zen 1
#                     class): llama.cpp built with -march=haswell into its own
#                     cache, mlpack on its avx2 kernel set
set -euo pipefail
cd "$(dirname "$0")/.."
version=v0.17.4
repeat=${REPEAT:-3}
rounds=${ROUNDS:-3}
prompts=${PROMPTS:-128,512}
gen=${DECODE:-32}
threads=${THREADS:-2}
formats=${FORMATS:-f32,bf16,q8_0}
workdir=${WORKDIR:-$HOME/.cache/mlpack-bench/tinyllama-1.1b}
avx2=${AVX2:-0}
march=native kernels=
if [ "$avx2" = 1 ]; then
	march=haswell kernels=avx2
fi
cache=${LLAMACPP_CACHE:-$HOME/.cache/mlpack-bench/llamacpp-$version${kernels:+-$march}}
fa=${LLAMACPP_FA:-0}
crosscheck=${CROSSCHECK:-1}
maxp=$(tr ',' '\n' <<<"$prompts" | sort -n | tail -1)
ctx=$((maxp > 1024 ? maxp : 1024))
batch=$((maxp > 512 ? maxp : 512))

pressure() { head -1 /proc/pressure/cpu 2>/dev/null || echo unavailable; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3)"
echo "cpu pressure at start: $(pressure)"

# (a) llama.cpp sources: the ollama module zip from the Go module proxy
# carries llama.cpp and ggml; nothing of it enters this repository.
mod=$(cd "$tmp" && GOFLAGS= go mod download -json "github.com/ollama/ollama@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -f "$mod/llama/llama.cpp/include/llama.h" ] || { echo "llamacpp.sh: no llama.cpp sources in $mod" >&2; exit 1; }

# (b) build (incremental; the objects stay in the cache).
driver=$cache/llama-driver
if [ ! -x "$driver" ] || [ bench/llamacpp/driver.cpp -nt "$driver" ] || [ bench/llamacpp/build.sh -nt "$driver" ]; then
	start=$(date +%s)
	LLAMACPP_MARCH=$march bench/llamacpp/build.sh "$mod" "$cache"
	echo "llama.cpp build: $(($(date +%s) - start)) s"
fi
echo "llama.cpp (ollama $version vendoring, base ec98e2002): $("$driver" -sysinfo)"

# (c) the models: bench/decode's generator, kept in WORKDIR.
go run ./bench/decode -generate-only -workdir "$workdir" -formats f32,bf16
hf() { case $1 in f32) echo "$workdir/float32" ;; *) echo "$workdir/bfloat16" ;; esac; }
mlfmt() { case $1 in q8_0) echo int8 ;; *) echo "$1" ;; esac; }

# (d) GGUFs (Q8_0 from the bf16 folder, as mlpack's int8 quantizes it at load).
mkdir -p "$workdir/gguf"
go build -o "$tmp/gguf" ./bench/llamacpp/gguf
for f in ${formats//,/ }; do
	g=$workdir/gguf/model-$f.gguf
	if [ ! -f "$g" ] || [ "$(hf "$f")/model.safetensors" -nt "$g" ]; then
		"$tmp/gguf" -model "$(hf "$f")" -type "$f" -o "$g"
	fi
done

# (e) measure, format by format, llama.cpp then mlpack (each its own process).
go build -o "$tmp/decode" ./bench/decode
echo "cpu pressure before: $(pressure)"
for round in $(seq "$rounds"); do
for f in ${formats//,/ }; do
	"$driver" -m "$workdir/gguf/model-$f.gguf" -format "$f" -t "$threads" -r "$repeat" -p "$prompts" -n "$gen" \
		-c "$ctx" -b "$batch" -fa "$fa" | tee -a "$tmp/llama.jsonl"
	"$tmp/decode" -child "$(mlfmt "$f")" -model "$(hf "$f")" -threads "$threads" -prompts "$prompts" -decode "$gen" \
		-repeat "$repeat" ${kernels:+-kernels "$kernels"} | tee -a "$tmp/mlpack.jsonl"
	echo "  round $round, $f done (cpu pressure $(pressure))"
done
done
echo "cpu pressure after: $(pressure)"

# (f) the table.
echo
echo "threads $threads, best of $rounds rounds × $repeat runs, decode $gen tokens after a 16-token prompt; tok/s"
go run ./bench/llamacpp/table -llama "$tmp/llama.jsonl" -mlpack "$tmp/mlpack.jsonl" -prompts "$prompts"
echo

# Cross-check: greedy ids of the F32 GGUF in llama.cpp vs the f32 folder in mlpack.
if [ "$crosscheck" = 1 ] && [ -f "$workdir/gguf/model-f32.gguf" ]; then
	ids=1,450,4996,17354,1701,432,17204,975,278,17366,11203
	ll=$("$driver" -m "$workdir/gguf/model-f32.gguf" -t "$threads" -greedy "$ids" -n 32)
	echo "cross-check, prompt ids $ids, 32 greedy steps, F32 (llama.cpp keeps its KV cache in F16):"
	echo "  llama.cpp: $ll"
	go run ./bench/llamacpp/greedy -model "$(hf f32)" -threads "$threads" -prompt "$ids" -n 32 -against "$ll" | sed 's/^/  mlpack:    /'
fi
