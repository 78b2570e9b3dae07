#!/usr/bin/env bash
# The GPU checks of backend-cuda, in one run that fits a short device session (about 9 minutes by default):
#   1. nvidia-smi and the probe (`gpt2 backends`)
#   2. the GPU tests: CudaKernelsTest, the conformance suite on cuda (CudaConformanceTest), CudaProviderTest
#   3. `gpt2 bench` on cuda: random:124M and random:1558M, f32 and bf16, prompt 512, decode 128
#   4. scripts/gpu/torch_bench.py: PyTorch's GPT2LMHeadModel of the same sizes, in its fastest working mode
#   5. `gpt2 bench` bf16 again with -Dgpt2.cuda.matmul=fast (prefill with one tensor-core product, as PyTorch)
#   6. a summary with the targets: batch-1 decode faster than PyTorch's best, 1558M bf16 decode at least 50% of the
#      memory-bandwidth bound
# Run from the repository root on the GPU machine, after the lead has run ../shared/tools/device-bundle.sh here (it
# packs a JDK 25 runtime, the jars and the test classes into .device/). Results go to $OUT (default ./gpu-results):
# check.log, nvidia-smi.txt, backends.txt, junit.txt and junit/ (XML), bench-*.json, torch.json, summary.json, and
# kernel-cache/ (the compiled kernels).
# Environment: DEADLINE_S (default 540) bounds the whole run; SIZES, DTYPES, NEW_TOKENS, PROMPT_TOKENS override the
# benchmark matrix.
set -uo pipefail
started=$(date +%s)
deadline=${DEADLINE_S:-540}
sizes=${SIZES:-124M 1558M}
dtypes=${DTYPES:-f32 bf16}
prompt=${PROMPT_TOKENS:-512}
new=${NEW_TOKENS:-128}
out=${OUT:-gpu-results}
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)

log() { echo "== $(date +%T) $*" | tee -a "$out/check.log"; }
left() { echo $(( deadline - ($(date +%s) - started) )); }
# run SECONDS FILE COMMAND...: runs with a timeout bounded by what is left, stdout to FILE, stderr to FILE.err
run() {
  local limit=$1 file=$2
  shift 2
  local budget
  budget=$(left)
  (( budget < limit )) && limit=$budget
  if (( limit <= 5 )); then
    log "skipped (time budget spent): $*"
    return 124
  fi
  log "running (up to ${limit}s): $*"
  timeout --kill-after=10 "$limit" "$@" >"$file" 2>"$file.err"
  local rc=$?
  log "exit $rc: $(tail -c 300 "$file.err" | tr '\n' ' ')"
  return $rc
}

if [ ! -x .device/java ] && [ ! -f .device/java ]; then
  echo "check.sh: no .device/ bundle here: run ../shared/tools/device-bundle.sh from the repository root first" >&2
  exit 2
fi

log "1. device"
timeout 30 nvidia-smi >"$out/nvidia-smi.txt" 2>&1
timeout 30 nvidia-smi --query-gpu=name,memory.total,clocks.max.memory,driver_version --format=csv \
  >>"$out/nvidia-smi.txt" 2>&1
head -20 "$out/nvidia-smi.txt" | tee -a "$out/check.log"
run 60 "$out/backends.txt" bash .device/java dev.gpt2.cli.Main backends
cat "$out/backends.txt" | tee -a "$out/check.log"

# compiled kernels are cached with the results (and reused by every run below): NVRTC runs once
export JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-} -Dgpt2.cuda.cache=$(cd "$out" && pwd)/kernel-cache"

log "2. GPU tests (kernels, conformance, provider)"
run 240 "$out/junit.txt" bash .device/junit \
  --select-class dev.gpt2.backend.cuda.CudaKernelsTest \
  --select-class dev.gpt2.backend.cuda.CudaConformanceTest \
  --select-class dev.gpt2.backend.cuda.CudaProviderTest \
  --details=tree --disable-banner --reports-dir "$out/junit"
grep -E "tests (successful|failed|skipped|aborted)|max \|diff\||read .* GB/s|MethodSource|✘" "$out/junit.txt" \
  | head -60 | tee -a "$out/check.log"

bench() {  # bench FILE [JVM OPTION...] -- SIZE DTYPE
  local file=$1
  shift
  local opts=()
  while [ "$1" != "--" ]; do opts+=("$1"); shift; done
  run 150 "$file" bash .device/java "${opts[@]}" dev.gpt2.cli.Main bench --model "random:$2" --backend cuda \
    --dtype "$3" --prompt-tokens "$prompt" --new-tokens "$new" --json
  cat "$file" | tee -a "$out/check.log"
}

log "3. gpt2 bench on cuda"
for size in $sizes; do
  for dtype in $dtypes; do
    bench "$out/bench-$size-$dtype.json" -- "$size" "$dtype"
  done
done

log "4. PyTorch"
torch_budget=$(( $(left) - 100 ))
if (( torch_budget > 30 )); then
  run $(( torch_budget + 30 )) "$out/torch.json" python3 "$here/torch_bench.py" --sizes "${sizes// /,}" \
    --dtypes "${dtypes// /,}" --prompt-tokens "$prompt" --new-tokens "$new" --budget-s "$torch_budget"
else
  log "skipped PyTorch: no time left"
fi

log "5. gpt2 bench on cuda, bf16 with -Dgpt2.cuda.matmul=fast (one tensor-core product per matmul, as PyTorch)"
if [[ " $dtypes " == *" bf16 "* ]]; then
  for size in $sizes; do
    bench "$out/bench-$size-bf16-fast.json" -Dgpt2.cuda.matmul=fast -- "$size" bf16
  done
fi

log "6. summary"
python3 - "$out" "$prompt" "$new" <<'PY' | tee -a "$out/check.log"
import glob, json, os, sys
out, prompt, new = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
SIZES = {"124M": (12, 768), "355M": (24, 1024), "774M": (36, 1280), "1558M": (48, 1600)}
def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except Exception as e:
        return {"error": "%s: %s" % (path, e)}
torch = load(os.path.join(out, "torch.json"))
best = torch.get("best", {})
bandwidth = torch.get("read_bytes_per_s")
rows, checks = [], []
for path in sorted(glob.glob(os.path.join(out, "bench-*.json"))):
    name = os.path.basename(path)[6:-5]
    parts = name.split("-")
    size, dtype, fast = parts[0], parts[1], len(parts) > 2
    b = load(path)
    # the bound: weights read once per token at the best read bandwidth measured (by the bench or by PyTorch)
    java_bw = (b.get("read_bandwidth_gb_per_s") or 0) * 1e9
    bw = max(java_bw, bandwidth or 0) or None
    row = {"run": name, "decode_tokens_per_s": b.get("decode_tokens_per_s"),
           "prefill_tokens_per_s": b.get("prefill_tokens_per_s"), "error": b.get("error")}
    t = best.get(size + " " + dtype, {})
    row["torch_decode_tokens_per_s"] = t.get("decode_tokens_per_s")
    row["torch_decode_mode"] = t.get("decode_mode")
    row["torch_prefill_tokens_per_s"] = t.get("prefill_tokens_per_s")
    layers, width = SIZES.get(size, (0, 0))
    params = layers * (12 * width * width + 13 * width) + 50257 * width
    bytes_per_token = b.get("weight_bytes_per_token") or params * (4 if dtype == "f32" else 2)
    if bw and row["decode_tokens_per_s"]:
        row["bandwidth_bound_tokens_per_s"] = bw / bytes_per_token
        row["fraction_of_bound"] = row["decode_tokens_per_s"] / row["bandwidth_bound_tokens_per_s"]
    rows.append(row)
    if not fast and row["decode_tokens_per_s"] and row["torch_decode_tokens_per_s"]:
        checks.append({"target": "decode faster than PyTorch's best: %s %s" % (size, dtype),
                       "pass": row["decode_tokens_per_s"] > row["torch_decode_tokens_per_s"],
                       "java": row["decode_tokens_per_s"], "torch": row["torch_decode_tokens_per_s"]})
    if not fast and size == "1558M" and dtype == "bf16" and "fraction_of_bound" in row:
        checks.append({"target": "1558M bf16 decode >= 50% of the bandwidth bound",
                       "pass": row["fraction_of_bound"] >= 0.5, "fraction": row["fraction_of_bound"]})
summary = {"device": torch.get("device"), "torch_read_bytes_per_s": bandwidth, "torch": torch.get("torch"),
           "runs": rows, "targets": checks, "torch_error": torch.get("error")}
with open(os.path.join(out, "summary.json"), "w") as f:
    json.dump(summary, f, indent=1)
print("%-16s %12s %12s %12s %12s %8s" % ("run", "decode t/s", "torch dec", "prefill t/s", "torch pre", "of bound"))
for r in rows:
    f = lambda v, fmt="%12.1f": fmt % v if isinstance(v, (int, float)) else "%12s" % "-"
    print("%-16s %s %s %s %s %s" % (r["run"], f(r["decode_tokens_per_s"]), f(r["torch_decode_tokens_per_s"]),
          f(r["prefill_tokens_per_s"]), f(r["torch_prefill_tokens_per_s"]), f(r.get("fraction_of_bound"), "%8.2f")))
for c in checks:
    print(("PASS " if c["pass"] else "FAIL ") + c["target"] + " " + json.dumps({k: v for k, v in c.items()
                                                                               if k not in ("target", "pass")}))
PY
log "done in $(( $(date +%s) - started ))s; results in $out"
