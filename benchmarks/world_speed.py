"""World-study training throughput on this machine: the old setting against the new default, in one run (issue 28).

    python benchmarks/world_speed.py [--steps 60] [--out benchmarks/results/world_speed.md]

Trains the study's network (paper ResNet-18, width 1/4, 32 px, batch 32, the paper's optimiser) on world images for
`--steps` steps after a warm-up, in each setting, and reports images/s, the FLOP rate (forward + backward FLOPs per
image counted by `torch.utils.flop_counter`) and the ratio to the old setting:
  - old: one run, torch's default threads (2 here), default memory layout (what the 5-epoch study used);
  - one run, 2 threads, channels_last; one run, 1 thread, channels_last; bf16 autocast (2 threads, channels_last);
  - new: two runs at once (two processes, 1 thread each, channels_last): the `world_study(jobs=2)` default.
Then it checks that the layout and thread count change only the rounding: the same 2-epoch run in the old and the
new setting gives the same predictions on the conflict images up to a few flips, and weights within float noise.
"""
import argparse, json, os, platform, subprocess, sys, time
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parent.parent

def _steps(threads:int, channels_last:bool, bf16:bool, steps:int, warmup:int=5, topk=None) -> float:
    "Images/s of `steps` training steps of the study's network and optimiser"
    from shape_sparsity.world.render import make_world, world_tensor, WorldConfig
    from shape_sparsity.models import make_resnet18
    torch.set_num_threads(threads); torch.manual_seed(0)
    ws = make_world("agree", 32, WorldConfig(), 0, "train")
    x, y = world_tensor(ws.x), ws.label
    mf = torch.channels_last if channels_last else torch.contiguous_format
    m = make_resnet18("paper", 10, topk, 32, 0.25).to(memory_format=mf)
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    for i in range(warmup + steps):
        if i == warmup: t0 = time.perf_counter()
        idx = torch.randint(0, len(x), (32,))
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = torch.nn.functional.cross_entropy(m(x[idx].contiguous(memory_format=mf)).float(), y[idx])
        opt.zero_grad(); loss.backward(); opt.step()
    return 32 * steps / (time.perf_counter() - t0)

def flops_per_image() -> float:
    from torch.utils.flop_counter import FlopCounterMode
    from shape_sparsity.models import make_resnet18
    m, x = make_resnet18("paper", 10, None, 32, 0.25), torch.randn(32, 3, 32, 32)
    with FlopCounterMode(display=False) as fc: m(x).sum().backward()
    return fc.get_total_flops() / 32

def _child(args) -> float:
    "Run one setting in a fresh process (so thread settings never leak), return its images/s"
    r = subprocess.run([sys.executable, __file__, "--child", *map(str, args)], capture_output=True, text=True, check=True)
    return float(r.stdout.strip().splitlines()[-1])

def _pair(steps:int) -> float:
    "Aggregate images/s of two one-thread channels-last runs at once"
    cmd = [sys.executable, __file__, "--child", "1", "1", "0", str(steps)]
    ps = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    return sum(float(p.communicate()[0].strip().splitlines()[-1]) for p in ps)

def same_results(epochs:int=2) -> dict:
    "The same short world run in the old and the new setting: conflict predictions that differ, largest weight difference"
    from shape_sparsity.world.study import world_run, world_data, world_recipe, predict_world
    from shape_sparsity.world.render import WorldConfig
    from shape_sparsity.world.mechanism import load_world_net
    import tempfile
    rc = dict(epochs=epochs, n_train=60, n_valid=10, n_conflict=2, n_test=5)
    with tempfile.TemporaryDirectory() as d:
        torch.set_num_threads(2); world_run(Path(d)/"old", "dense", 0, recipe=rc, channels_last=False)
        torch.set_num_threads(1); world_run(Path(d)/"new", "dense", 0, recipe=rc, channels_last=True)
        a, b = load_world_net(Path(d)/"old"/"paper_dense_s0"), load_world_net(Path(d)/"new"/"paper_dense_s0")
        conflict = world_data(WorldConfig(), world_recipe(rc))[1]["conflict"]
        flips = int((predict_world(a, conflict) != predict_world(b, conflict)).sum())
        dw = max(float((p - q).abs().max()) for p, q in zip(a.state_dict().values(), b.state_dict().values()) if p.is_floating_point())
    return dict(conflict_images=len(conflict.x), flipped=flips, max_weight_diff=dw)

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=60, help="timed training steps per setting (after 5 warm-up steps)")
    p.add_argument("--out", type=Path, default=ROOT/"benchmarks"/"results"/"world_speed.md", help="Markdown report")
    p.add_argument("--child", nargs=4, type=int, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        th, cl, bf, steps = a.child; print(_steps(th, bool(cl), bool(bf), steps)); return
    fl = flops_per_image()
    rows = [("old: 1 run, 2 threads, default layout", _child([2, 0, 0, a.steps])),
            ("1 run, 2 threads, channels_last", _child([2, 1, 0, a.steps])),
            ("1 run, 1 thread, channels_last", _child([1, 1, 0, a.steps])),
            ("1 run, 2 threads, channels_last, bf16 autocast", _child([2, 1, 1, a.steps])),
            ("new: 2 runs at once, 1 thread each, channels_last", _pair(a.steps))]
    same = same_results()
    load = os.getloadavg()
    lines = [f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}; "
             f"load average before/after {load[0]:.2f}; {fl / 1e6:.0f} MFLOPs per image (forward + backward)", "",
             "| setting | images/s | GFLOP/s | vs old |", "|---|---|---|---|"]
    lines += [f"| {n} | {v:.0f} | {v * fl / 1e9:.1f} | {v / rows[0][1]:.2f}x |" for n, v in rows]
    lines += ["", f"Same run, old vs new setting (2 epochs, 600 images): {same['flipped']} of {same['conflict_images']} conflict "
              f"decisions differ, largest weight difference {same['max_weight_diff']:.2e}."]
    text = "\n".join(lines) + "\n"
    a.out.parent.mkdir(parents=True, exist_ok=True); a.out.write_text(text); print(text)

if __name__ == "__main__": main()
