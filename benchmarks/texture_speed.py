"""Seconds per texture synthesis (EfficientNet-Lite0) at 128 and 256 px, for each kind of neurons, on this machine.

Times `synthesize_texture` on a shared jeep image with the default budget (10 L-BFGS steps of 20 iterations,
k = 0.05), after one untimed warm-up, and writes `benchmarks/results/texture_speed.csv` (appending rows for
other machines or thread counts, replacing rows of the same machine, device, threads and size), then prints the
Markdown table.

    python benchmarks/texture_speed.py [--sizes 128 256] [--steps 10] [--repeats 2] [--threads 1] [--device cpu]
"""
import argparse, os, platform, time
from pathlib import Path
import pandas as pd
import torch
from shape_sparsity.testing import test_data_path
from shape_sparsity.texture.synthesis import NEURONS, ITERS_PER_STEP, TEXTURE_STEPS, texture_model, synthesize_texture
from shape_sparsity.utils import md_table, write_csv_atomic

ROOT = Path(__file__).resolve().parent.parent

def machine(device) -> str:
    if device.startswith("cuda"): return torch.cuda.get_device_name(device)
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", nargs="+", type=int, default=[128, 256])
    p.add_argument("--steps", type=int, default=TEXTURE_STEPS)
    p.add_argument("--repeats", type=int, default=2, help="timed runs per size and kind (seeds 0, 1, ...)")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--out", default=ROOT/"benchmarks"/"results"/"texture_speed.csv")
    a = p.parse_args()
    img = sorted((test_data_path("imagenet-mini")/"val"/"n03594945").iterdir())[0]
    model = texture_model().to(a.device)
    threads = a.threads or torch.get_num_threads()
    kw = dict(steps=a.steps, threads=a.threads, progress=False)
    rows = []
    for size in a.sizes:
        synthesize_texture(img, model, neurons="topk", size=size, steps=1, iters_per_step=2, threads=a.threads, progress=False)  # warm-up
        for n in NEURONS:
            secs = []
            for seed in range(a.repeats):
                if a.device.startswith("cuda"): torch.cuda.synchronize()
                t0 = time.perf_counter()
                synthesize_texture(img, model, neurons=n, size=size, seed=seed, **kw)
                if a.device.startswith("cuda"): torch.cuda.synchronize()
                secs.append(time.perf_counter() - t0)
            rows.append(dict(model="efficientnet_lite0", size=size, neurons=n, iterations=a.steps * ITERS_PER_STEP, repeats=a.repeats,
                             seconds=sum(secs) / len(secs), min_seconds=min(secs), device=a.device, machine=machine(a.device),
                             threads=threads, torch=torch.__version__, load_avg=round(os.getloadavg()[0], 2)))
            print(f"{size} px {n:9s} {rows[-1]['seconds']:.1f} s (min {rows[-1]['min_seconds']:.1f})", flush=True)
    new = pd.DataFrame(rows)
    out = Path(a.out)
    if out.exists():
        old = pd.read_csv(out)
        key = ["machine", "device", "threads", "size"]
        old = old[~old.set_index(key).index.isin(new.set_index(key).index)]
        new = pd.concat([old, new], ignore_index=True)
    write_csv_atomic(new, out)
    print(f"saved {out}\n")
    print(md_table(new[["model", "size", "neurons", "iterations", "seconds", "min_seconds", "device", "machine", "threads", "load_avg"]], floatfmt="{:.1f}"))

if __name__ == "__main__": main()
