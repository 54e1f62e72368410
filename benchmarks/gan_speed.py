"""Training speed of the few-shot GAN: iterations per second of FastGAN, dense vs Top-K `32_5`, at 64 and 128 px.

Run: `python benchmarks/gan_speed.py [--device cpu|cuda] [--sizes 64 128] [--ngf 64] [--iters 6] [--warmup 2]
[--percept lite0] [--threads N]`. Writes `benchmarks/results/gan_speed.csv` (one row per device, size and generator,
replacing earlier rows of the same device and thread count) and prints a Markdown table with the machine line.

The timed loop is the real one: `gan_learner` (TopKGen's recipe at the given width, batch 8; mixed precision and
channels-last on CUDA) trained by `fit_gan` on the jeep images of the local ImageNet sample (preloaded, as always):
per-iteration seeding, flips and latents, DiffAugment, the discriminator's step with the reconstruction loss, the
generator's step, the EMA update and, for Top-K, `TopKCallback`'s density tracking. One iteration is one D step plus
one G step on a batch of 8. Iterations are timed after `--warmup` of them; the last one (which writes the sample
grid) and the checkpoint are not timed. The 32x32 map's measured density is reported as a check that Top-K is on.
"""
import argparse, os, platform, tempfile, time
from pathlib import Path
import pandas as pd
import torch
from fastai.callback.core import Callback
from shape_sparsity.gan.data import gan_dls, GAN_RECIPE
from shape_sparsity.gan.train import gan_learner, fit_gan
from shape_sparsity.gan.metrics import torch_threads
from shape_sparsity.utils import md_table, write_csv_atomic

RESULTS = Path(__file__).parent/"results"/"gan_speed.csv"
GENERATORS = (None, "32_5")  # the dense FastGAN and the paper's Top-K generator

def _sync(device):
    if str(device).startswith("cuda"): torch.cuda.synchronize()

class _IterTimer(Callback):
    "Time stamps after every training iteration (after everything else in the batch)"
    order = 100
    def __init__(self, device): self.device, self.stamps = device, []
    def after_batch(self):
        if self.training: _sync(self.device); self.stamps.append(time.perf_counter())

def time_run(data, size, topk, ngf, iters, warmup, device, percept, bs=GAN_RECIPE["bs"]):
    "(iterations per second, measured density of the 32x32 map) of `iters` training iterations"
    dls = gan_dls(data, size=size, bs=bs, device=device)
    with tempfile.TemporaryDirectory() as d:
        learn = gan_learner(dls, topk=topk, ngf=ngf, ndf=ngf, percept=percept, path=d)
        timer = _IterTimer(device)
        with learn.no_bar(), learn.no_logging():
            res = fit_gan(learn, iters=iters, ckpt_every=iters, sample_every=iters, resume=False, cbs=[timer])
    t = timer.stamps  # t[i]: end of iteration i; the last one also wrote the sample grid
    n = len(t) - 1 - warmup
    density = res["history"][-1].get("density_generator.topk_32")
    return n / (t[-2] - t[warmup - 1]), density

def machine(device):
    if str(device).startswith("cuda"): return f"{torch.cuda.get_device_name()} (CUDA {torch.version.cuda}), torch {torch.__version__}"
    load = ", load average %.2f %.2f %.2f" % os.getloadavg() if hasattr(os, "getloadavg") else ""
    return (f"{platform.processor() or platform.machine()} CPU, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads, "
            f"torch {torch.__version__}{load}")

def main(device="cpu", sizes=(64, 128), ngf=GAN_RECIPE["ngf"], iters=6, warmup=2, percept="lite0", data=None):
    if iters < warmup + 2: raise SystemExit("--iters must be at least --warmup + 2 (the last iteration is not timed)")
    if data is None:
        from shape_sparsity.testing import test_data_path
        data = str(test_data_path("imagenet-mini")/"*"/"n03594945")
    rows = []
    for size in sizes:
        for topk in GENERATORS:
            ips, density = time_run(data, size, topk, ngf, iters, warmup, device, percept)
            rows.append(dict(device=device, size=size, generator=f"Top-K {topk}" if topk else "dense", ngf=ngf, bs=GAN_RECIPE["bs"],
                             percept=percept, threads=torch.get_num_threads() if device == "cpu" else None, iters_timed=iters - 1 - warmup,
                             it_per_s=ips, s_per_it=1 / ips, images_per_s=ips * GAN_RECIPE["bs"], density_32=density, machine=machine(device)))
            print(f"{size} px {rows[-1]['generator']}: {ips:.3f} it/s", flush=True)
    df = pd.DataFrame(rows)
    old = pd.read_csv(RESULTS) if RESULTS.is_file() else pd.DataFrame()
    if len(old): old = old[~((old.device == device) & (old.threads.fillna(0) == (df.threads.fillna(0).iloc[0])))]  # rerun replaces its rows
    write_csv_atomic(pd.concat([old, df], ignore_index=True), RESULTS)
    print(f"\n{machine(device)}\n")
    print(md_table(df[["size", "generator", "ngf", "percept", "it_per_s", "s_per_it", "images_per_s", "density_32"]], floatfmt="{:.3f}"))
    print(f"\nsaved {RESULTS}")
    return df

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--sizes", nargs="+", type=int, default=[64, 128])
    p.add_argument("--ngf", type=int, default=GAN_RECIPE["ngf"], help="width of both networks (the paper: 64)")
    p.add_argument("--iters", type=int, default=6, help="iterations per configuration, warm-up and the untimed last one included")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--percept", default="lite0", choices=["lite0", "l1", "lpips"], help="reconstruction loss (lite0: the offline default)")
    p.add_argument("--threads", type=int, help="torch CPU threads (default: torch's)")
    p.add_argument("--data", help="image folder(s) glob (default: the jeep images of the local test data)")
    a = p.parse_args()
    with torch_threads(a.threads):
        main(a.device, tuple(a.sizes), a.ngf, a.iters, a.warmup, a.percept, a.data)
