#!/usr/bin/env bash
# Build llama.cpp (CPU backend only) and bench/llamacpp/driver.cpp from the
# sources that ship inside the ollama Go module zip, into a cache folder
# outside the repository. Nothing from llama.cpp or ollama is copied into the
# repository; the object files and binary live only in the cache.
#
#   bench/llamacpp/build.sh OLLAMA_MODULE_DIR OUT_DIR
#
# The flags follow what llama.cpp's own CMake build uses by default on
# x86-64 Linux with gcc (GGML_NATIVE, GGML_OPENMP, GGML_LLAMAFILE,
# GGML_CPU_REPACK, Release = -O3 -DNDEBUG), CPU backend only.
# LLAMACPP_OPENMP=0 builds with ggml's own thread pool instead (ollama's
# cgo build does that). LLAMACPP_JOBS sets parallel compiles (default 2).
# LLAMACPP_MARCH (default native) is gcc's -march: haswell builds the
# AVX2+FMA+F16C code paths only, as on the 2-core Zen 1 the performance
# issue was written against.
set -euo pipefail
mod=${1:?ollama module dir}
out=${2:?output dir}
here=$(cd "$(dirname "$0")" && pwd)
jobs=${LLAMACPP_JOBS:-2}
openmp=${LLAMACPP_OPENMP:-1}
march=${LLAMACPP_MARCH:-native}

ggml=$mod/ml/backend/ggml/ggml
lsrc=$mod/llama/llama.cpp
[ -f "$lsrc/include/llama.h" ] || { echo "build.sh: no llama.cpp sources under $lsrc" >&2; exit 1; }

defs=(-DNDEBUG -D_GNU_SOURCE -DGGML_USE_CPU -DGGML_USE_LLAMAFILE -DGGML_USE_CPU_REPACK
	-DGGML_SCHED_MAX_COPIES=4 '-DGGML_VERSION="ollama-v0.17.4"' '-DGGML_COMMIT="ec98e2002"')
omp=()
if [ "$openmp" = 1 ]; then
	defs+=(-DGGML_USE_OPENMP)
	omp=(-fopenmp)
fi
incs=(-I"$ggml/include" -I"$ggml/src" -I"$ggml/src/ggml-cpu" -I"$lsrc/include" -I"$lsrc/src")
opt=(-O3 "-march=$march" -pthread "${omp[@]}")

srcs=(
	"$ggml"/src/{ggml.c,ggml.cpp,ggml-alloc.c,ggml-backend.cpp,ggml-opt.cpp,ggml-threading.cpp,ggml-quants.c,gguf.cpp,ggml-backend-reg.cpp}
	"$ggml"/src/ggml-cpu/{ggml-cpu.c,ggml-cpu.cpp,repack.cpp,hbm.cpp,quants.c,traits.cpp,binary-ops.cpp,unary-ops.cpp,vec.cpp,ops.cpp}
	"$ggml"/src/ggml-cpu/amx/{amx.cpp,mmq.cpp}
	"$ggml"/src/ggml-cpu/llamafile/sgemm.cpp
	"$ggml"/src/ggml-cpu/arch/x86/{quants.c,repack.cpp}
	"$lsrc"/src/*.cpp
	"$lsrc"/src/models/*.cpp
)

mkdir -p "$out/obj"
# Objects built with other flags (or from another source tree) are stale.
stamp="$mod ${opt[*]} ${defs[*]} $(gcc -dumpfullversion)"
if [ "$(cat "$out/flags.txt" 2>/dev/null)" != "$stamp" ]; then
	rm -f "$out"/obj/*.o
	printf '%s' "$stamp" >"$out/flags.txt"
fi
# One line per source: compiler, source, object; built jobs-wide by xargs.
list=$out/obj/list.txt
: >"$list"
for s in "${srcs[@]}"; do
	rel=${s#"$mod"/}
	o=$out/obj/$(echo "$rel" | tr '/' '_').o
	case $s in
	*.c) printf '%s\n' "gcc -std=c11 ${opt[*]} $(printf '%q ' "${defs[@]}" "${incs[@]}") -c $s -o $o" >>"$list" ;;
	*) printf '%s\n' "g++ -std=c++17 ${opt[*]} $(printf '%q ' "${defs[@]}" "${incs[@]}") -c $s -o $o" >>"$list" ;;
	esac
done
start=$(date +%s)
# Compile only what is missing; a failed compile leaves no object behind.
grep -v '^$' "$list" | while read -r line; do
	o=${line##* -o }
	[ -f "$o" ] || printf '%s\0' "$line"
done | xargs -0 -r -P "$jobs" -I{} bash -c 'o=${0##* -o }; echo "  cc ${o##*/}" >&2; eval "nice $0" || { rm -f "$o"; exit 255; }' {}
rm -f "$out/libllama-cpu.a"
ar rcs "$out/libllama-cpu.a" "$out"/obj/*.o
g++ -std=c++17 -O2 "-march=$march" -pthread "${omp[@]}" -I"$lsrc/include" -I"$ggml/include" \
	"$here/driver.cpp" "$out/libllama-cpu.a" -o "$out/llama-driver.tmp"
mv "$out/llama-driver.tmp" "$out/llama-driver"
echo "build.sh: built $out/llama-driver in $(($(date +%s) - start)) s" >&2
