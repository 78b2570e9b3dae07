#!/usr/bin/env python3
"""PyTorch's GPT-2 on this GPU, for comparison with `gpt2 bench --backend cuda`.

Builds Hugging Face's GPT2LMHeadModel from a randomly initialised GPT2Config of each size (no download), then
measures batch-1 prefill of --prompt-tokens tokens and greedy decode of --new-tokens tokens, in every mode that works
here, fastest last:
  eager          a plain loop: model(ids, past_key_values=...) one token at a time (dynamic cache)
  generate       model.generate(...) with the default dynamic cache
  static+compile model.generate(...) with cache_implementation="static" and forward = torch.compile(mode=
                 "reduce-overhead", fullgraph=True): Hugging Face's recipe for fast decoding
A mode that fails (an old transformers, no compiler) is reported with its error and skipped. Also measures the
device's memory read bandwidth (a sum over a large tensor), the bound of batch-1 decode.

Prints one JSON object: {"device", "torch", "transformers", "read_bytes_per_s", "results": [{"size", "dtype",
"mode", "prefill_tokens_per_s", "decode_tokens_per_s", ...}], "best": {...}}.
"""
import argparse
import json
import sys
import time

SIZES = {"124M": (12, 768, 12), "355M": (24, 1024, 16), "774M": (36, 1280, 20), "1558M": (48, 1600, 25)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="124M,1558M")
    p.add_argument("--dtypes", default="f32,bf16")
    p.add_argument("--prompt-tokens", type=int, default=512)
    p.add_argument("--new-tokens", type=int, default=128)
    p.add_argument("--modes", default="eager,generate,static+compile")
    p.add_argument("--budget-s", type=float, default=420,
                   help="stop starting new measurements after this many seconds (torch.compile is slow)")
    args = p.parse_args()
    start = time.time()
    report = {"results": []}
    try:
        import torch
        import transformers
    except Exception as e:  # no torch here: say so in the JSON
        report["error"] = "cannot import torch / transformers: %s" % e
        print(json.dumps(report, indent=1))
        return 0
    report["torch"] = torch.__version__
    report["transformers"] = transformers.__version__
    if not torch.cuda.is_available():
        report["error"] = "torch sees no CUDA device"
        print(json.dumps(report, indent=1))
        return 0
    report["device"] = torch.cuda.get_device_name(0)
    report["read_bytes_per_s"] = read_bandwidth(torch)
    modes = args.modes.split(",")
    # cheap modes for every size first, torch.compile last: the budget cuts the slow ones, not the baseline
    plan = [(m, s, d) for m in modes for s in args.sizes.split(",") for d in args.dtypes.split(",")]
    for mode, size, dtype in plan:
        if time.time() - start > args.budget_s:
            report["results"].append({"size": size, "dtype": dtype, "mode": mode, "skipped": "time budget spent"})
            continue
        entry = {"size": size, "dtype": dtype, "mode": mode}
        try:
            entry.update(measure(torch, transformers, size, dtype, mode, args.prompt_tokens, args.new_tokens))
        except Exception as e:  # report and go on with the next mode
            entry["error"] = ("%s: %s" % (type(e).__name__, e)).splitlines()[0][:400]
        finally:
            torch.cuda.empty_cache()
        report["results"].append(entry)
        print(json.dumps(entry), file=sys.stderr, flush=True)
    best = {}
    for r in report["results"]:
        if "decode_tokens_per_s" in r:
            key = r["size"] + " " + r["dtype"]
            b = best.setdefault(key, {"decode_tokens_per_s": 0, "prefill_tokens_per_s": 0})
            if r["decode_tokens_per_s"] > b["decode_tokens_per_s"]:
                b["decode_tokens_per_s"] = r["decode_tokens_per_s"]
                b["decode_mode"] = r["mode"]
            if r.get("prefill_tokens_per_s", 0) > b["prefill_tokens_per_s"]:
                b["prefill_tokens_per_s"] = r["prefill_tokens_per_s"]
                b["prefill_mode"] = r["mode"]
    report["best"] = best
    report["seconds"] = round(time.time() - start, 1)
    print(json.dumps(report, indent=1))
    return 0


def read_bandwidth(torch):
    """Bytes per second of a sum over 2 GiB: one read of device memory, the bound of batch-1 decode."""
    x = torch.ones(512 * 1024 * 1024, dtype=torch.float32, device="cuda")
    x.sum()
    torch.cuda.synchronize()
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        x.sum()
        torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t)
    n = x.numel() * 4
    del x
    return n / best


def model_for(torch, transformers, size, dtype):
    layers, width, heads = SIZES[size]
    config = transformers.GPT2Config(n_layer=layers, n_embd=width, n_head=heads, n_positions=1024,
                                     vocab_size=50257)
    torch_dtype = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}[dtype]
    with torch.device("cuda"):
        model = transformers.GPT2LMHeadModel(config)
    return model.to(torch_dtype).eval(), config


def measure(torch, transformers, size, dtype, mode, prompt, new):
    torch.manual_seed(0)
    model, config = model_for(torch, transformers, size, dtype)
    ids = torch.randint(0, config.vocab_size, (1, prompt), device="cuda")
    out = {}
    with torch.inference_mode():
        if mode == "eager":
            out.update(eager_loop(torch, model, ids, new))
        elif mode == "generate":
            out.update(generate(torch, model, ids, new, {}))
        elif mode == "static+compile":
            model.generation_config.cache_implementation = "static"
            model.forward = torch.compile(model.forward, mode="reduce-overhead", fullgraph=True)
            out.update(generate(torch, model, ids, new, {}))
        else:
            raise ValueError("unknown mode " + mode)
    del model
    return out


def eager_loop(torch, model, ids, new):
    def run(steps):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        o = model(ids, use_cache=True)
        past = o.past_key_values
        nxt = o.logits[:, -1].argmax(-1, keepdim=True)
        torch.cuda.synchronize()
        t1 = time.perf_counter()
        for _ in range(steps):
            o = model(nxt, past_key_values=past, use_cache=True)
            past = o.past_key_values
            nxt = o.logits[:, -1].argmax(-1, keepdim=True)
        torch.cuda.synchronize()
        return t1 - t0, time.perf_counter() - t1
    run(4)
    prefill, decode = min(run(new) for _ in range(2))
    return {"prefill_tokens_per_s": ids.shape[1] / prefill, "decode_tokens_per_s": new / decode}


def generate(torch, model, ids, new, extra):
    def run(n):
        torch.cuda.synchronize()
        t = time.perf_counter()
        model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=n, min_new_tokens=n,
                       do_sample=False, pad_token_id=0, **extra)
        torch.cuda.synchronize()
        return time.perf_counter() - t
    run(new)  # warm-up (and compilation)
    run(new)
    one = min(run(1) for _ in range(3))
    full = min(run(new) for _ in range(2))
    return {"prefill_tokens_per_s": ids.shape[1] / one, "decode_tokens_per_s": (new - 1) / max(full - one, 1e-9)}


if __name__ == "__main__":
    sys.exit(main())
