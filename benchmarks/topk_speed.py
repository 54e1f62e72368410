"""Speed of Top-K: `spatial_topk` against the paper's official Top-K, and what Top-K costs EfficientNet-Lite0 at inference.

Run: `python benchmarks/topk_speed.py [--device cuda] [--reps 20]`: forward+backward of `spatial_topk` against a
restatement of the paper's official Top-K, as a markdown table (paste it into the README with the machine line it
prints). Inputs are post-ReLU activations, as after a ResNet stage.

`python benchmarks/topk_speed.py --inference [--reps 7] [--threads 1 2] [--bs 1 16 64]`: the exact per-channel
threshold selections (`topk` + `min`, the code before numpy's partition; `kthvalue`; `core.kth_largest`, numpy's
partition) on Lite0's Top-K maps, and Lite0 at 224 px dense vs Top-K (k = 0.2) with the old and the new selection,
min and median of `--reps` timed calls (variants interleaved, after a warm-up). Writes
`benchmarks/results/topk_inference.csv` and `.md` (or `--out`). Every selection is checked to give the same mask first.
"""
import argparse, os, platform, statistics, time
from pathlib import Path
import pandas as pd
import torch
import shape_sparsity.core as core
from shape_sparsity.core import spatial_topk, reference_topk, n_keep, kth_largest
from shape_sparsity.utils import torch_threads, write_csv_atomic, md_table

SHAPES = [(16, 128, 56, 56), (32, 256, 28, 28)]
KS = [0.2, 0.05]

def _sync(device):
    if device.startswith("cuda"): torch.cuda.synchronize()

def time_fwd_bwd(fn, x, k, reps, device):
    "Median seconds of one forward+backward of `fn(x, k)` (after 2 warm-up calls)"
    g = torch.ones_like(x)
    times = []
    for i in range(reps + 2):
        xx = x.detach().requires_grad_()
        _sync(device); t0 = time.perf_counter()
        fn(xx, k).backward(g)
        _sync(device); t1 = time.perf_counter()
        if i >= 2: times.append(t1 - t0)
    return statistics.median(times)

def machine(device):
    if device.startswith("cuda"): return f"{torch.cuda.get_device_name()} (CUDA {torch.version.cuda}), torch {torch.__version__}"
    return f"{platform.processor() or platform.machine()} CPU, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads, torch {torch.__version__}"

def main(device="cpu", reps=20, dtype="float32"):
    dt = getattr(torch, dtype)
    print(f"Machine: {machine(device)}; dtype {dtype}; median of {reps} forward+backward passes\n")
    print("| shape | k | reference (ms) | spatial_topk (ms) | speed-up |")
    print("|---|---|---|---|---|")
    for shape in SHAPES:
        torch.manual_seed(0)
        x = torch.relu(torch.randn(shape, device=device, dtype=dt))
        for k in KS:
            assert torch.equal(spatial_topk(x, k), reference_topk(x, k)), "outputs differ"  # continuous data: no nonzero ties
            tr, to = time_fwd_bwd(reference_topk, x, k, reps, device), time_fwd_bwd(spatial_topk, x, k, reps, device)
            print(f"| {tuple(shape)} | {k} | {tr*1e3:.1f} | {to*1e3:.1f} | {tr/to:.2f}x |")

def topk_threshold(a, nk):
    "The selection before `core.kth_largest`: `topk(sorted=False)` then the smallest of the kept values"
    return a.topk(nk, dim=2, sorted=False).values.amin(dim=2, keepdim=True)

def kthvalue_threshold(a, nk):
    "`torch.kthvalue` on the |x| view: the (L - nk + 1)-th smallest is the nk-th largest"
    return a.kthvalue(a.shape[2] - nk + 1, dim=2, keepdim=True).values

SELECTIONS = {"topk+min (old)": topk_threshold, "kthvalue": kthvalue_threshold, "np.partition (new)": kth_largest}
LITE0_MAPS = [(16, 112, 112), (24, 56, 56), (40, 28, 28), (112, 14, 14), (320, 7, 7)]  # Lite0's Top-K maps at 224 px

def interleaved(fns:dict, reps:int) -> dict:
    "name -> (min, median) seconds of `reps` calls of each function, the functions taking turns (after one warm-up each)"
    for f in fns.values(): f()
    ts = {n: [] for n in fns}
    for _ in range(reps):
        for n, f in fns.items():
            t0 = time.perf_counter(); f(); ts[n].append(time.perf_counter() - t0)
    return {n: (min(v), statistics.median(v)) for n, v in ts.items()}

def inference(reps=7, threads=(1, 2), bss=(1, 16, 64), k=0.2, out="benchmarks/results/topk_inference"):
    from shape_sparsity.models import pretrained_topk
    from shape_sparsity.insert import topk_state
    rows = []
    model = pretrained_topk("efficientnet_lite0", k=k)
    for th in threads:
        with torch_threads(th):
            for bs in bss:
                torch.manual_seed(0)
                for shape in LITE0_MAPS:  # the selection alone, on Lite0's real maps would need hooks: random maps of their shapes
                    x = torch.randn(bs, *shape)
                    a, nk = x.abs().reshape(bs, shape[0], -1).view(torch.int32), n_keep(k, shape[1], shape[2])
                    masks = [a >= f(a, nk) for f in SELECTIONS.values()]
                    assert all(torch.equal(masks[0], m) for m in masks[1:]), "selections differ"
                    for n, (lo, med) in interleaved({n: (lambda f=f: f(a, nk)) for n, f in SELECTIONS.items()}, reps).items():
                        rows.append(dict(threads=th, bs=bs, what=f"selection {shape}", variant=n, min_ms=lo * 1e3, median_ms=med * 1e3))
                x = torch.randn(bs, 3, 224, 224)
                def run(enabled, sel):
                    def f():
                        core.kth_largest = sel  # `topk_mask` looks the selection up in the module at each call
                        try:
                            with topk_state(model, enabled=enabled), torch.inference_mode(): return model(x)
                        finally: core.kth_largest = kth_largest
                    return f
                variants = {"dense": run(False, kth_largest), "Top-K, topk+min (old)": run(True, topk_threshold),
                            "Top-K, np.partition (new)": run(True, kth_largest)}
                assert torch.equal(variants["Top-K, topk+min (old)"](), variants["Top-K, np.partition (new)"]()), "outputs differ"
                res = interleaved(variants, max(3, reps // (1 + bs // 16)))
                for n, (lo, med) in res.items():
                    rows.append(dict(threads=th, bs=bs, what="Lite0 224 px forward", variant=n, min_ms=lo * 1e3, median_ms=med * 1e3,
                                     vs_dense_min=lo / res["dense"][0] - 1, vs_dense_median=med / res["dense"][1] - 1))
                print(pd.DataFrame(rows[-3:]).to_string(index=False), flush=True)
    df = pd.DataFrame(rows)
    write_csv_atomic(df.round(4), Path(out).with_suffix(".csv"))
    net = df[df.what.str.startswith("Lite0")]
    sel = df[df.what.str.startswith("selection")].groupby(["threads", "bs", "variant"], sort=False)[["min_ms", "median_ms"]].sum().reset_index()
    md = (f"Machine: {platform.processor() or platform.machine()} CPU, {os.cpu_count()} cores, torch {torch.__version__}, "
          f"numpy {__import__('numpy').__version__}; shared with other jobs (min and median of the interleaved repetitions)\n\n"
          f"## EfficientNet-Lite0, 224 px, inference: dense vs Top-K k={k}\n\n{md_table(net.drop(columns='what'), '{:.3f}')}\n\n"
          f"## The threshold selection alone, summed over Lite0's five Top-K maps\n\n{md_table(sel, '{:.2f}')}\n")
    Path(out).with_suffix(".md").write_text(md)
    print(md)

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--device", default="cpu")
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--dtype", default="float32")
    p.add_argument("--inference", action="store_true", help="the Lite0 inference study (CPU): old vs new selection, dense vs Top-K")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--bs", type=int, nargs="+", default=[1, 16, 64])
    p.add_argument("--out", default="benchmarks/results/topk_inference", help="--inference: where the .csv and .md go")
    a = p.parse_args()
    if a.inference: inference(a.reps if a.reps != 20 else 7, a.threads, a.bs, out=a.out)
    else: main(a.device, a.reps, a.dtype)
