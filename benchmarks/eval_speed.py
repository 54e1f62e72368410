"""Where the time of a cue-conflict evaluation goes on this machine, and what Top-K costs on each backend.

Run: `python benchmarks/eval_speed.py [--arch efficientnet_lite0] [--n 256] [--reps 3] [--split-reps 0] [--out benchmarks/results/eval_speed.md]`.
Prints (and writes to --out) markdown tables with the machine line, its load before and after:

- decode + resize of the PNG stimuli, one thread and the threads `load_stimuli` uses;
- the network alone on `--n` decoded images, in images/s, dense and with Top-K at the preset k, each variant run in turn
  `--reps` times (dense and Top-K interleaved, so that a change of the machine's load hits both): PyTorch
  (channels_last), ONNX Runtime with the whole graph exported (Top-K as ONNX's `TopK` operator: the path before issue
  28) and ONNX Runtime split at the Top-K points (`onnx_topk`: numpy's exact selection between the pieces, the default
  now); Top-K's cost is the ratio of the medians (the median, min and max of the per-round ratios beside it);
- with `--split-reps N`, N more rounds of the split runner alone (dense, Top-K) and the median of its per-round Top-K
  cost with a 95% bootstrap interval: the machine's speed changes by ±15% within minutes, so one ratio of 5 rounds
  cannot tell 1.10 from 1.15;
- how often ONNX Runtime and PyTorch reach the same 16-class decision on all the stimuli, dense and with Top-K;
- the whole `evaluate_cue_conflict` on the full set (decode included), dense and Top-K, as the demo runs it.
"""
import argparse, copy, os, platform, statistics, time, warnings
from pathlib import Path
import numpy as np, torch

def machine_line() -> str:
    "CPU model, cores, library versions"
    import onnxruntime
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
    return (f"{cpu}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads; torch {torch.__version__}, "
            f"onnxruntime {onnxruntime.__version__}, numpy {np.__version__}")

def load() -> str: return "/".join(f"{v:.2f}" for v in os.getloadavg())

def interleaved(n:int, fns:dict, reps:int) -> dict:
    "name -> list of images/s, the variants run in turn, `reps` rounds after one warm-up round"
    for fn in fns.values(): fn()
    res = {k: [] for k in fns}
    for _ in range(reps):
        for k, fn in fns.items():
            t0 = time.perf_counter(); fn(); res[k].append(n / (time.perf_counter() - t0))
    return res

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--arch", default="efficientnet_lite0")
    p.add_argument("--cue-conflict", default=None)
    p.add_argument("--n", type=int, default=256, help="images for the per-part timings")
    p.add_argument("--bs", type=int, default=64)
    p.add_argument("--reps", type=int, default=3, help="rounds of the interleaved timings")
    p.add_argument("--split-reps", type=int, default=0,
                   help="more interleaved rounds of the split runner alone (dense, Top-K), for a CI of its Top-K cost")
    p.add_argument("--skip-full", action="store_true", help="skip the full-set evaluations")
    p.add_argument("--agree-n", type=int, default=None, help="stimuli for the decision check (default: all of them)")
    p.add_argument("--out", default="benchmarks/results/eval_speed.md", help="markdown file written at the end ('' for none)")
    a = p.parse_args()
    warnings.filterwarnings("ignore")
    from shape_sparsity.insert import topk_state
    from shape_sparsity.models import pretrained_topk, PRESET_K
    from shape_sparsity.evaluation.pretrained import load_stimuli, evaluate_cue_conflict, _whole_graph_runner, spread_sample, items_frame
    from shape_sparsity.onnx_topk import onnx_topk_runner
    from shape_sparsity.evaluation.shape_bias import shape_bias
    from shape_sparsity.data.cue_conflict import stimulus_preprocess
    from shape_sparsity.testing import test_data_path
    data = a.cue_conflict or test_data_path("cue-conflict")
    k, lines = PRESET_K[a.arch], []
    say = lambda s="": (print(s, flush=True), lines.append(s))
    say(f"Machine: {machine_line()}; load (1/5/15 min) at start {load()}")
    say(f"{a.arch}, Top-K k={k}; {a.n} stimuli for the timings, batch {a.bs}, {a.reps} interleaved rounds\n")
    model = pretrained_topk(a.arch, k=None)
    pre = stimulus_preprocess(model.preprocess)
    items_all = items_frame(data)
    items = spread_sample(items_all, a.n)
    t0 = time.perf_counter(); _, imgs = load_stimuli(items, model.preprocess, progress=False, threads=1); dec1 = a.n / (time.perf_counter() - t0)
    t0 = time.perf_counter(); load_stimuli(items, model.preprocess, progress=False); dec = a.n / (time.perf_counter() - t0)
    xs = [pre.normalize(b) for b in imgs.split(a.bs)]
    mcl = copy.deepcopy(model).to(memory_format=torch.channels_last)
    with topk_state(model, k=k, enabled=True): whole_topk = _whole_graph_runner(model, pre.crop)
    with topk_state(model, enabled=False): whole_dense = _whole_graph_runner(model, pre.crop)
    split = onnx_topk_runner(model, pre.crop, cache=False)
    def timed(run, net, on):
        def f():
            with topk_state(net, k=k, enabled=on), torch.inference_mode(): [run(x) for x in xs]
        return f
    fns = {("PyTorch, channels_last", "dense"): timed(lambda x: mcl(x.contiguous(memory_format=torch.channels_last)), mcl, False),
           ("PyTorch, channels_last", "topk"): timed(lambda x: mcl(x.contiguous(memory_format=torch.channels_last)), mcl, True),
           ("ONNX Runtime, whole graph (TopK operator; before)", "dense"): timed(whole_dense, model, False),
           ("ONNX Runtime, whole graph (TopK operator; before)", "topk"): timed(whole_topk, model, True),
           ("ONNX Runtime, split at Top-K (exact selection; now)", "dense"): timed(split, model, False),
           ("ONNX Runtime, split at Top-K (exact selection; now)", "topk"): timed(split, model, True)}
    res = interleaved(a.n, fns, a.reps)
    say("| part | dense img/s (median) | Top-K img/s (median) | Top-K cost (ratio of medians) "
        "| per-round ratio: median (min-max) |")
    say("|---|---|---|---|---|")
    say(f"| decode + resize, 1 thread / {torch.get_num_threads()} threads | {dec1:.1f} / {dec:.1f} |  |  |  |")
    for be in dict.fromkeys(b for b, _ in fns):
        d, t = res[(be, "dense")], res[(be, "topk")]
        r = [x / y for x, y in zip(d, t)]  # dense and Top-K of the same round: a change of load hits both
        say(f"| network, {be} | {statistics.median(d):.1f} | {statistics.median(t):.1f} | "
            f"{statistics.median(d) / statistics.median(t):.2f}x | {statistics.median(r):.2f}x ({min(r):.2f}-{max(r):.2f}) |")
    old_d, new_d = (statistics.median(res[(b, "dense")]) for b in list(dict.fromkeys(b for b, _ in fns))[1:])
    say(f"\nONNX Runtime dense, split runner vs whole graph: {new_d / old_d:.2f}x the images/s")
    if a.split_reps:
        key = "ONNX Runtime, split at Top-K (exact selection; now)"
        more = interleaved(a.n, {"dense": fns[(key, "dense")], "topk": fns[(key, "topk")]}, a.split_reps)
        r = np.array([x / y for x, y in zip(more["dense"], more["topk"])])
        boot = np.median(np.random.default_rng(0).choice(r, (5000, len(r))), axis=1)
        say(f"Split runner alone, {a.split_reps} more interleaved rounds: Top-K cost per round, median "
            f"{np.median(r):.3f}x (95% bootstrap CI {np.quantile(boot, 0.025):.3f}-{np.quantile(boot, 0.975):.3f}; "
            f"quartiles {np.quantile(r, 0.25):.3f}-{np.quantile(r, 0.75):.3f})")
    say(f"load after the timings: {load()}\n")
    agree_items, all_imgs = load_stimuli(spread_sample(items_all, a.agree_n), model.preprocess, progress=False)
    for name, on in [("dense", False), (f"Top-K {k:g}", True)]:
        with topk_state(model, k=k, enabled=on):  # the package's own evaluation, once per backend, same images
            got = {be: evaluate_cue_conflict(model, agree_items, bs=a.bs, device="cpu", progress=False, backend=be,
                                             images=all_imgs) for be in ("torch", "onnx")}
        same = int((got["torch"].object_response == got["onnx"].object_response).sum())
        sb = {be: shape_bias(d, n_boot=0).shape_bias for be, d in got.items()}
        say(f"ONNX Runtime (split) vs PyTorch, {name}: same 16-class decision on {same} of {len(all_imgs)} stimuli; "
            f"shape bias {sb['onnx']:.4f} vs {sb['torch']:.4f}")
    if not a.skip_full:
        say(f"\n| whole evaluation ({len(items_all)} stimuli, decode included) | seconds | img/s |\n|---|---|---|")
        for be in ("auto", "torch"):
            for name, on in [("dense", False), (f"Top-K {k:g}", True)]:
                with topk_state(model, k=k, enabled=on):
                    t0 = time.perf_counter()
                    evaluate_cue_conflict(model, data, bs=a.bs, device="cpu", progress=False, backend=be)
                    dt = time.perf_counter() - t0
                say(f"| {'ONNX Runtime' if be == 'auto' else 'PyTorch'}, {name} | {dt:.1f} | {len(items_all) / dt:.1f} |")
    say(f"\nload at the end: {load()}")
    if a.out: Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text("\n".join(lines) + "\n")

if __name__ == "__main__": main()
