"""Training throughput of the fastai learner (`paper_learner`) against a plain PyTorch loop doing the same steps.

Run: `python benchmarks/train_speed.py [--device cpu|cuda] [--size 32] [--steps 20] [--warmup 3] [--rounds 2]`.
Prints a markdown table with the machine line. Both loops train the paper's ResNet-18 (`make_resnet18("paper")`)
with the paper's optimiser (SGD, momentum 0.9, coupled L2 5e-4, cross-entropy) on the same pre-made synthetic
batches, so data loading costs nothing in either: the fastai learner reads them through a pre-batched fastai
`DataLoader` (`bs=None`), the plain loop from the same Python list. The fastai side is the real thing
(`paper_learner` + `fit` with the paper's lr schedule, `TopKCallback` density tracking for Top-K, recorder,
mixed precision and channels-last on CUDA); only its progress bar and logger are off. Steps are timed after
`--warmup` steps, inside the epoch (validation excluded); the best of `--rounds` repetitions is reported.

Goals: fastai >= 0.95x the plain loop's images/s; a Top-K step <= 1.10x a dense step.
On CUDA (224 px, bf16 autocast, channels_last for both) it also times ~50 fastai steps at 224 px and extrapolates
one epoch of IN-S1 (~13,000 training images, 406 steps of 32).
"""
import argparse, os, platform, time
import torch
from torch import nn
from fastai.callback.core import Callback
from fastai.data.core import DataLoaders
from fastai.data.load import DataLoader
from shape_sparsity.models import make_resnet18
from shape_sparsity.train.core import paper_learner, paper_schedule, PAPER_RECIPE

N_CLASSES = 10  # IN-S1 and IN-S2 have 10 classes
IN_S1_TRAIN = 13_000  # about the number of IN-S1 training images (10 ImageNet classes x ~1,300)

def _sync(device):
    if device.startswith("cuda"): torch.cuda.synchronize()

def make_batches(n, bs, size, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(bs, 3, size, size, generator=g).to(device), torch.randint(0, N_CLASSES, (bs,), generator=g).to(device))
            for _ in range(n)]

def plain_loop(topk, batches, size, warmup, device, amp):
    "Seconds per step of a hand-written PyTorch loop with the paper's optimiser"
    torch.manual_seed(0)
    model = make_resnet18("paper", n_out=N_CLASSES, topk=topk, img_size=size).to(device)
    if device.startswith("cuda"): model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=PAPER_RECIPE["lr"], momentum=PAPER_RECIPE["mom"], weight_decay=PAPER_RECIPE["wd"])
    loss_func = nn.CrossEntropyLoss()
    model.train()
    for i, (x, y) in enumerate(batches):
        if i == warmup: _sync(device); t0 = time.perf_counter()
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=amp):
            loss = loss_func(model(x), y)
        opt.zero_grad(set_to_none=False)  # fastai zeroes the gradients in place too
        loss.backward()
        opt.step()
    _sync(device)
    return (time.perf_counter() - t0) / (len(batches) - warmup)

class _StepTimer(Callback):
    order = 100
    def __init__(self, warmup, device): self.warmup, self.device = warmup, device
    def before_batch(self):
        if self.training and self.iter == self.warmup: _sync(self.device); self.t0 = time.perf_counter()
    def after_batch(self):
        if self.training and self.iter == self.n_iter - 1:
            _sync(self.device); self.per_step = (time.perf_counter() - self.t0) / (self.n_iter - self.warmup)

def fastai_loop(topk, batches, size, warmup, device, amp):
    "Seconds per step of `paper_learner` + `fit` with the paper's schedule"
    dl = DataLoader(batches, bs=None, shuffle=False, device=device)
    dls = DataLoaders(dl, DataLoader(batches[:1], bs=None, device=device), device=device)
    learn = paper_learner(dls, arch="paper", topk=topk, img_size=size, n_out=N_CLASSES, seed=0,
                          mixed_precision="bf16" if amp else False, channels_last=device.startswith("cuda"))
    timer = _StepTimer(warmup, device)
    with learn.no_bar(), learn.no_logging():
        learn.fit(1, lr=PAPER_RECIPE["lr"], cbs=[paper_schedule(PAPER_RECIPE["lr"], 1), timer])
    return timer.per_step

def machine(device):
    if device.startswith("cuda"): return f"{torch.cuda.get_device_name()} (CUDA {torch.version.cuda}), torch {torch.__version__}"
    load = ", load average %.2f %.2f %.2f" % os.getloadavg() if hasattr(os, "getloadavg") else ""
    return (f"{platform.processor() or platform.machine()} CPU, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads, "
            f"torch {torch.__version__}{load}")

def main(device="cpu", size=None, bs=PAPER_RECIPE["bs"], steps=None, warmup=5, rounds=2, epoch_steps=50):
    cuda = device.startswith("cuda")
    size = size or (224 if cuda else 32)
    steps = steps or (50 if cuda else 20)
    amp = cuda and torch.cuda.is_bf16_supported()
    print(f"Machine: {machine(device)}\n")
    print(f"Paper ResNet-18, {size} px, batch {bs}, {'bf16 autocast + channels_last' if cuda else 'float32'}; "
          f"seconds per step timed over {steps} steps after {warmup} warm-up steps, best of {rounds} rounds\n")
    batches = make_batches(steps + warmup, bs, size, device)
    res = {}
    for r in range(rounds):  # interleaved, so that a load change on a shared machine hits every configuration
        for topk in (None, "2_20"):
            for name, fn in (("plain PyTorch", plain_loop), ("fastai", fastai_loop)):
                t = fn(topk, batches, size, warmup, device, amp)
                res[name, topk] = min(res.get((name, topk), float("inf")), t)
    print("| loop | model | ms / step | images / s | fastai / plain (throughput) | Top-K / dense (step time) |")
    print("|---|---|---|---|---|---|")
    for topk in (None, "2_20"):
        for name in ("plain PyTorch", "fastai"):
            t = res[name, topk]
            ratio = f"{res['plain PyTorch', topk] / t:.3f}x" if name == "fastai" else ""
            slow = f"{t / res[name, None]:.3f}x" if topk else ""
            print(f"| {name} | {'dense' if topk is None else 'Top-K ' + topk} | {t*1e3:.1f} | {bs/t:.1f} | {ratio} | {slow} |")
    fa = min(res["plain PyTorch", t] / res["fastai", t] for t in (None, "2_20"))
    tk = max(res[n, "2_20"] / res[n, None] for n in ("plain PyTorch", "fastai"))
    print(f"\nGoals: fastai >= 0.95x plain: {'met' if fa >= 0.95 else 'NOT met'} (worst {fa:.3f}x); "
          f"Top-K step <= 1.10x dense: {'met' if tk <= 1.10 else 'NOT met'} (worst {tk:.3f}x)")
    if cuda:
        n_steps = IN_S1_TRAIN // bs
        print(f"\nOne IN-S1 epoch at 224 px ({n_steps} steps of {bs}), extrapolated from {epoch_steps} fastai steps "
              f"(synthetic data: real JPEG decoding needs enough DataLoader workers to keep up):\n")
        print("| model | ms / step | estimated epoch (s) | estimated 50 epochs (min) |")
        print("|---|---|---|---|")
        big = make_batches(epoch_steps + warmup, bs, 224, device)
        for topk in (None, "2_20"):
            t = fastai_loop(topk, big, 224, warmup, device, amp)
            print(f"| {'dense' if topk is None else 'Top-K ' + topk} | {t*1e3:.1f} | {t*n_steps:.0f} | {t*n_steps*50/60:.1f} |")

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--size", type=int, default=None, help="image side (default 224 on CUDA, 32 on CPU)")
    p.add_argument("--bs", type=int, default=PAPER_RECIPE["bs"])
    p.add_argument("--steps", type=int, default=None, help="timed steps (default 50 on CUDA, 20 on CPU)")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--epoch-steps", type=int, default=50, help="CUDA only: steps timed for the epoch estimate")
    main(**{k.replace("-", "_"): v for k, v in vars(p.parse_args()).items()})
