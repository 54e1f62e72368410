"""Where the time of a cue-conflict evaluation goes on this machine, and how fast the demo runs.

Run: `python benchmarks/eval_speed.py [--arch efficientnet_lite0] [--n 256] [--bs 64]`. Prints a markdown table
(paste it into the README with the machine line it prints):

- decode + resize of the PNG stimuli (PIL, one process) in images/s;
- the network alone on decoded images, PyTorch (contiguous and channels_last) and ONNX Runtime, dense and with
  Top-K at the preset k, in images/s, and Top-K's cost relative to dense; PyTorch also with the threshold selection
  Top-K used before `core.kth_largest` (`topk` + `min`; see `benchmarks/topk_speed.py --inference`);
- how often ONNX Runtime and PyTorch reach the same 16-class decision (dense, and with Top-K, where a hard
  threshold amplifies float rounding);
- the whole `evaluate_cue_conflict` on the full set (decode included), dense and Top-K, as the demo runs it.
"""
import argparse, copy, os, platform, time, warnings
import torch
import shape_sparsity.core as core
from shape_sparsity.insert import topk_state
from shape_sparsity.models import pretrained_topk, PRESET_K
from shape_sparsity.evaluate import load_stimuli, evaluate_cue_conflict, onnx_runner, spread_sample, _items
from shape_sparsity.shape_bias import category_decisions
from shape_sparsity.cue_conflict import stimulus_preprocess
from shape_sparsity.testing import test_data_path

def rate(n, fn, reps=2):
    "Best images/s of `reps` runs of `fn` (after one warm-up) over `n` images"
    fn(); best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); best = min(best, time.perf_counter() - t0)
    return n / best

def batches(x, bs): return x.split(bs)

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--arch", default="efficientnet_lite0")
    p.add_argument("--cue-conflict", default=None)
    p.add_argument("--n", type=int, default=256, help="images for the per-part timings")
    p.add_argument("--bs", type=int, default=64)
    p.add_argument("--skip-full", action="store_true", help="skip the full-set evaluations")
    a = p.parse_args()
    warnings.filterwarnings("ignore")
    data = a.cue_conflict or test_data_path("cue-conflict")
    k = PRESET_K[a.arch]
    model = pretrained_topk(a.arch, k=None)
    pre = stimulus_preprocess(model.preprocess)
    print(f"Machine: {platform.processor() or platform.machine()} CPU, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads, "
          f"torch {torch.__version__}; {a.arch}, Top-K k={k}; {a.n} stimuli, batch {a.bs}\n")
    items = spread_sample(_items(data), a.n)
    t0 = time.perf_counter(); _, imgs = load_stimuli(items, model.preprocess, progress=False); dec = a.n / (time.perf_counter() - t0)
    xs = [pre.normalize(b) for b in batches(imgs, a.bs)]
    rows = [("decode + resize (PIL, 1 process)", dec, "", "")]
    res, preds = {}, {}
    for name, topk in [("dense", False), (f"Top-K {k:g}", True)]:
        with topk_state(model, k=k, enabled=topk):
            mcl = copy.deepcopy(model).to(memory_format=torch.channels_last)  # a copy: the original stays as it is
            with torch.inference_mode():
                res[("torch", name)] = rate(a.n, lambda: [model(x) for x in xs])
                res[("torch channels_last", name)] = rate(a.n, lambda: [mcl(x.contiguous(memory_format=torch.channels_last)) for x in xs])
                preds[("torch", name)] = sum((category_decisions(model(x)) for x in xs), [])
                if topk:  # the selection before numpy's partition, for comparison (same masks, so the same outputs)
                    new, core.kth_largest = core.kth_largest, lambda a, n: a.topk(n, dim=2, sorted=False).values.amin(dim=2, keepdim=True)
                    try: res[("torch, old selection", name)] = rate(a.n, lambda: [model(x) for x in xs])
                    finally: core.kth_largest = new
            run = onnx_runner(model, pre.crop)
            res[("onnx", name)] = rate(a.n, lambda: [run(x) for x in xs])
            preds[("onnx", name)] = sum((category_decisions(run(x)) for x in xs), [])
    for be in ("torch", "torch channels_last", "onnx"):
        d, t = res[(be, "dense")], res[(be, f"Top-K {k:g}")]
        rows.append((f"network, {be}", d, t, f"{d / t:.2f}x"))
    d, t = res[("torch", "dense")], res[("torch, old selection", f"Top-K {k:g}")]
    rows.append(("network, torch, Top-K's old selection (topk + min)", d, t, f"{d / t:.2f}x"))
    print("| part | dense (img/s) | Top-K (img/s) | Top-K cost |\n|---|---|---|---|")
    for r in rows: print(f"| {r[0]} | {r[1]:.1f} | {r[2] if isinstance(r[2], str) else f'{r[2]:.1f}'} | {r[3]} |")
    print()
    for name in ("dense", f"Top-K {k:g}"):
        agree = sum(x == y for x, y in zip(preds[("torch", name)], preds[("onnx", name)])) / a.n
        print(f"ONNX Runtime vs PyTorch, {name}: same 16-class decision on {agree:.1%} of {a.n} stimuli")
    if not a.skip_full:
        print("\n| whole evaluation (1280 stimuli, decode included) | seconds | img/s |\n|---|---|---|")
        n_all = len(_items(data))
        for be in ("auto", "torch"):
            for name, topk in [("dense", False), (f"Top-K {k:g}", True)]:
                with topk_state(model, k=k, enabled=topk):
                    t0 = time.perf_counter()
                    evaluate_cue_conflict(model, data, bs=a.bs, device="cpu", progress=False, backend=be)
                    dt = time.perf_counter() - t0
                print(f"| {'ONNX Runtime' if be == 'auto' else 'PyTorch'}, {name} | {dt:.1f} | {n_all / dt:.1f} |")

if __name__ == "__main__": main()
