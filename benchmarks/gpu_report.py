"""One call on a GPU: what Top-K costs there and how fast the package's jobs run, as JSON and Markdown.

    python benchmarks/gpu_report.py [--device cuda] [--budget 420] [--out DIR]   # the real report (a CUDA GPU)
    python benchmarks/gpu_report.py --smoke                                     # every part at tiny sizes on the CPU (CI)

Parts, each given a share of `--budget` seconds (past it, a part stops between two settings; a part that cannot start
in what is left is skipped; the report says which):

1. `topk_op`: the package's Top-K (`core.spatial_topk`) vs the restated official algorithm (`core.reference_topk`) on
   the paper ResNet-18's layer-2 map at 224 px (bs 32 x 128 x 112 x 112), k 0.2 and 0.05, fp32 and bf16, forward and
   forward + backward; whether the outputs are identical (in bf16 ties at the threshold are common: the package keeps
   them all, the official code keeps exactly `n_keep`, so there they differ only at ties, which is checked too).
2. `train_224`: the paper ResNet-18 (full width) training at 224 px on synthetic batches (the GPU's part of a step:
   forward, backward, SGD with the paper's recipe), dense vs `2_20`, bf16 autocast + channels_last and fp32: images/s,
   FLOPs per image (`torch.utils.flop_counter`), the fraction of the GPU's peak (a table of known GPUs) and the hours
   IN-S1's 50 epochs of ~13,000 images would take at that rate.
3. `world_64`: the world study's training at 64 px (`world.world_dls`, `train.paper_learner` at full width, `fit_paper`),
   dense and `2_20`, a few epochs: images/s (`paper_learner`'s defaults on CUDA: bf16 autocast and channels_last).
4. `gan`: few-shot GAN iterations/s at 64 and 128 px, dense vs Top-K `32_5` (`benchmarks/gan_speed.py`'s loop, the
   Lite0 reconstruction loss; `--smoke`: the L1 one, no weights).
5. `texture`: texture synthesis L-BFGS iterations/s at 128 and 256 px (`texture.synthesize_texture`, Lite0).

Writes `gpu_report.json` and `gpu_report.md` into `--out` (default `benchmarks/results/gpu_report_<device>`), with the
device, the versions and every number; prints the Markdown.
"""
import argparse, json, os, platform, sys, tempfile, time, traceback, warnings
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parent.parent
IN_S1 = dict(epochs=50, images_per_epoch=13_000)  # the paper's ImageNet subset IN-S1, as the issue sizes it
# dense peak TFLOP/s by GPU (first match of the name, in this order): (bf16, tf32, fp32); vendor sheets, dense (no sparsity)
PEAKS = [("H200", (989.0, 494.7, 66.9)), ("H100 PCIe", (756.0, 378.0, 51.2)), ("H100", (989.0, 494.7, 66.9)),
         ("A100", (312.0, 156.0, 19.5)), ("L40S", (362.0, 183.0, 91.6)), ("L4", (121.0, 60.0, 30.3)),
         ("A10", (125.0, 62.5, 31.2)), ("RTX 4090", (165.2, 82.6, 82.6)), ("V100", (125.0, 15.7, 15.7)), ("T4", (65.0, 8.1, 8.1))]

def peak_tflops(name:str) -> dict|None:
    "The GPU's dense peak TFLOP/s {bf16, tf32, fp32} from `PEAKS`, or None for an unknown GPU"
    for key, (bf16, tf32, fp32) in PEAKS:
        if key.lower() in name.lower(): return dict(bf16=bf16, tf32=tf32, fp32=fp32)
    return None

def sync(device):
    if device.type == "cuda": torch.cuda.synchronize(device)

def late(S) -> bool:
    "Whether the running part has used its share of the budget (its remaining settings are then skipped)"
    return time.perf_counter() > S["deadline"]

def timed(fn, device, iters:int, warmup:int=2) -> float:
    "Seconds per call of `fn`, over `iters` calls after `warmup`"
    for _ in range(warmup): fn()
    sync(device); t0 = time.perf_counter()
    for _ in range(iters): fn()
    sync(device)
    return (time.perf_counter() - t0) / iters

# ---------------------------------------------------------------------------------------------------------------- parts
def part_topk_op(dev, S):
    "Top-K forward (and forward + backward) on the layer-2 map: the package's operator vs the official algorithm"
    from shape_sparsity.core import spatial_topk, reference_topk, topk_mask, kth_largest, n_keep
    rows = []
    for dtype in (torch.float32, torch.bfloat16):
        x = torch.randn(S["topk_bs"], 128, S["topk_side"], S["topk_side"], device=dev, generator=None).to(dtype)
        for k in (0.2, 0.05):
            ours, ref = spatial_topk(x, k), reference_topk(x, k)
            same = bool(torch.equal(ours, ref))
            n, c, h, w = x.shape
            a = x.abs().reshape(n, c, h * w)
            thr = a.topk(n_keep(k, h, w), dim=2).values[..., -1:]  # the official threshold value
            at_tie = (a == thr).reshape(x.shape)
            only_ties = bool(torch.equal(ours[~at_tie], ref[~at_tie]))
            row = dict(dtype=str(dtype).split(".")[-1], k=k, shape=list(x.shape), identical=same, differ_only_at_ties=only_ties)
            for name, f in (("ours", spatial_topk), ("official", reference_topk)):
                row[f"{name}_fwd_ms"] = 1e3 * timed(lambda: f(x, k), dev, S["iters"], S["warmup"])
                xg = x.detach().requires_grad_()
                def fb(): f(xg, k).float().sum().backward()
                row[f"{name}_fwd_bwd_ms"] = 1e3 * timed(fb, dev, S["iters"], S["warmup"])
            row["speedup_fwd"] = row["official_fwd_ms"] / row["ours_fwd_ms"]
            row["speedup_fwd_bwd"] = row["official_fwd_bwd_ms"] / row["ours_fwd_bwd_ms"]
            rows.append(row)
            if late(S): return rows
    return rows

def flops_per_image(model, side, dev) -> float:
    "Forward + backward FLOPs of one image (`torch.utils.flop_counter`, convolutions and matrix products)"
    from torch.utils.flop_counter import FlopCounterMode
    x = torch.randn(2, 3, side, side, device=dev)
    with FlopCounterMode(display=False) as fc: model(x).sum().backward()
    model.zero_grad(set_to_none=True)
    return fc.get_total_flops() / 2

def part_train_224(dev, S):
    "The paper ResNet-18 training steps at 224 px: dense vs 2_20, bf16 + channels_last vs fp32"
    from shape_sparsity.models import paper_resnet18
    from shape_sparsity.train.core import PAPER_RECIPE
    side, bs, rows = S["train_side"], S["train_bs"], []
    peaks = peak_tflops(torch.cuda.get_device_name(dev)) if dev.type == "cuda" else None
    for topk in (None, "2_20"):
        for prec in ("bf16+channels_last", "fp32"):
            torch.manual_seed(0)
            model = paper_resnet18(10, topk, img_size=side, width=S["train_width"]).to(dev)
            fl = flops_per_image(model, side, dev)
            cl = prec != "fp32"
            if cl: model = model.to(memory_format=torch.channels_last)
            opt = torch.optim.SGD(model.parameters(), lr=PAPER_RECIPE["lr"], momentum=PAPER_RECIPE["mom"], weight_decay=PAPER_RECIPE["wd"])
            x = torch.randn(bs, 3, side, side, device=dev)
            if cl: x = x.contiguous(memory_format=torch.channels_last)
            y = torch.randint(0, 10, (bs,), device=dev)
            def step():
                with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=cl):
                    loss = torch.nn.functional.cross_entropy(model(x), y)
                opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
            s = timed(step, dev, S["iters"], S["warmup"])
            ips = bs / s
            row = dict(model="dense" if topk is None else f"Top-K {topk}", precision=prec, side=side, bs=bs, width=S["train_width"],
                       images_per_s=ips, gflop_per_image_fwd_bwd=fl / 1e9, achieved_tflops=fl * ips / 1e12,
                       in_s1_50_epochs_h=IN_S1["epochs"] * IN_S1["images_per_epoch"] / ips / 3600)
            if peaks:
                ref = "bf16" if cl else ("tf32" if torch.backends.cudnn.allow_tf32 else "fp32")
                row.update(peak_ref=ref, peak_tflops=peaks[ref], fraction_of_peak=row["achieved_tflops"] / peaks[ref],
                           fraction_of_fp32_peak=row["achieved_tflops"] / peaks["fp32"] if not cl else None)
            rows.append(row)
            del model, opt
            if late(S): return rows
    return rows

def part_world_64(dev, S):
    "The world study's training (the package's world API as it is) at 64 px, dense and 2_20: images/s"
    from shape_sparsity.world.render import WorldConfig, world_dls
    from shape_sparsity.train.core import paper_learner, fit_paper
    rows = []
    t0 = time.perf_counter()
    dls = world_dls(WorldConfig(size=S["world_side"]), n_train=S["world_n"], n_valid=S["world_nv"], device=dev)
    make_s = time.perf_counter() - t0
    n_img = len(dls.train_ds)
    for topk in (None, "2_20"):
        with tempfile.TemporaryDirectory() as d:
            learn = paper_learner(dls, topk=topk, epochs=S["world_epochs"], width=S["world_width"], seed=0, path=d, run_name="w")
            with learn.no_bar(), learn.no_logging(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sync(dev); t0 = time.perf_counter()
                res = fit_paper(learn, resume=False)
                sync(dev); secs = time.perf_counter() - t0
        rows.append(dict(model="dense" if topk is None else f"Top-K {topk}", side=S["world_side"], width=S["world_width"],
                         epochs=S["world_epochs"], train_images=n_img, seconds=secs, images_per_s=n_img * S["world_epochs"] / secs,
                         valid_acc=res.get("final", {}).get("valid_acc"), world_make_s=make_s))
        if late(S): break
    return rows

def part_gan(dev, S):
    "Few-shot GAN iterations/s (gan_speed.py's timed loop), dense vs Top-K 32_5"
    sys.path.insert(0, str(ROOT/"benchmarks"))
    import gan_speed
    from shape_sparsity.testing import test_data_path
    data = str(test_data_path("imagenet-mini")/"*"/"n03594945")
    rows = []
    for size in S["gan_sizes"]:
        for topk in gan_speed.GENERATORS:
            ips, density = gan_speed.time_run(data, size, topk, S["gan_ngf"], S["gan_iters"], S["gan_warmup"], str(dev), S["gan_percept"])
            rows.append(dict(size=size, generator=f"Top-K {topk}" if topk else "dense", ngf=S["gan_ngf"], percept=S["gan_percept"], it_per_s=ips,
                             images_per_s=ips * gan_speed.GAN_RECIPE["bs"], density_32=density))
            if late(S): return rows
    return rows

def part_texture(dev, S):
    "Texture synthesis (Lite0, all / Top-K / non-Top-K neurons): L-BFGS iterations/s"
    from shape_sparsity.testing import test_data_path
    from shape_sparsity.texture.synthesis import NEURONS, ITERS_PER_STEP, texture_model, synthesize_texture
    img = sorted((test_data_path("imagenet-mini")/"val"/"n03594945").iterdir())[0]
    model, rows = texture_model().to(dev), []
    for size in S["tex_sizes"]:
        synthesize_texture(img, model, neurons="topk", size=size, steps=1, iters_per_step=2, progress=False)  # warm-up
        for n in NEURONS:
            sync(dev); t0 = time.perf_counter()
            synthesize_texture(img, model, neurons=n, size=size, steps=S["tex_steps"], iters_per_step=S["tex_iters"], progress=False)
            sync(dev); secs = time.perf_counter() - t0
            rows.append(dict(size=size, neurons=n, iterations=S["tex_steps"] * S["tex_iters"], seconds=secs,
                             it_per_s=S["tex_steps"] * S["tex_iters"] / secs))
            if late(S): return rows
    return rows

# name, function, share of the budget it may take at most, the least it needs to start (s)
PARTS = [("topk_op", part_topk_op, 0.10, 10), ("train_224", part_train_224, 0.25, 30), ("world_64", part_world_64, 0.25, 30),
         ("gan", part_gan, 0.20, 20), ("texture", part_texture, 0.20, 20)]
REAL = dict(topk_bs=32, topk_side=112, iters=20, warmup=3, train_side=224, train_bs=32, train_width=1.0,
            world_side=64, world_n=300, world_nv=30, world_epochs=3, world_width=1.0,
            gan_sizes=(64, 128), gan_ngf=64, gan_iters=8, gan_warmup=2, gan_percept="lite0", tex_sizes=(128, 256), tex_steps=5, tex_iters=20)
SMOKE = dict(topk_bs=2, topk_side=12, iters=1, warmup=1, train_side=32, train_bs=2, train_width=0.125,
             world_side=32, world_n=4, world_nv=2, world_epochs=1, world_width=0.125,
             gan_sizes=(64,), gan_ngf=8, gan_iters=3, gan_warmup=1, gan_percept="l1", tex_sizes=(32,), tex_steps=1, tex_iters=2)

# ---------------------------------------------------------------------------------------------------------------- report
def versions() -> dict:
    out = dict(python=platform.python_version(), torch=torch.__version__, cuda=torch.version.cuda,
               cudnn=torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None)
    for m in ("torchvision", "timm", "fastai", "fastcore", "numpy"):
        try: out[m] = __import__(m).__version__
        except Exception: out[m] = None
    return out

def device_info(dev) -> dict:
    if dev.type != "cuda": return dict(name=f"CPU ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)", peaks=None)
    p = torch.cuda.get_device_properties(dev)
    return dict(name=p.name, memory_gib=round(p.total_memory / 2**30, 1), sms=p.multi_processor_count,
                capability=f"{p.major}.{p.minor}", peaks=peak_tflops(p.name), tf32_convs=torch.backends.cudnn.allow_tf32,
                tf32_matmul=torch.backends.cuda.matmul.allow_tf32)

def _fmt(v):
    if isinstance(v, float): return f"{v:.4g}"
    if isinstance(v, (list, tuple)): return "x".join(map(str, v))
    return "" if v is None else str(v)

def markdown(rep:dict) -> str:
    d = rep["device"]
    out = [f"# GPU report: {d['name']}", "", f"Device: {json.dumps(d)}", f"Versions: {json.dumps(rep['versions'])}",
           f"Smoke run: {rep['smoke']}; budget {rep['budget_s']} s; wall {rep['wall_s']:.1f} s", ""]
    for name, part in rep["parts"].items():
        out += [f"## {name} ({part['status']}, {part.get('seconds', 0):.1f} s)", ""]
        rows = part.get("rows") or []
        if rows:
            cols = list(dict.fromkeys(c for r in rows for c in r))
            out += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            out += ["| " + " | ".join(_fmt(r.get(c)) for c in cols) + " |" for r in rows]
        if part.get("error"): out += ["", "```", part["error"], "```"]
        out.append("")
    return "\n".join(out)

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--device", default=None, help="default: cuda if there is a GPU (--smoke: the CPU)")
    p.add_argument("--smoke", action="store_true", help="every part at tiny sizes (the CPU unless --device): seconds, for CI")
    p.add_argument("--budget", type=float, default=420.0, help="seconds for all parts (each gets a share)")
    p.add_argument("--parts", nargs="+", default=[n for n, *_ in PARTS], choices=[n for n, *_ in PARTS])
    p.add_argument("--out", default=None, help="folder for gpu_report.json/.md (default benchmarks/results/gpu_report_<device>)")
    a = p.parse_args()
    dev = torch.device(a.device or ("cpu" if a.smoke or not torch.cuda.is_available() else "cuda"))
    if dev.type == "cuda" and not torch.cuda.is_available(): raise SystemExit("--device cuda: no CUDA GPU here (use --smoke on a CPU)")
    if dev.type == "cpu" and not a.smoke: print("no GPU: the real sizes on a CPU take long; --smoke runs tiny sizes", file=sys.stderr)
    S = SMOKE if a.smoke else REAL
    out = Path(a.out or ROOT/"benchmarks"/"results"/f"gpu_report_{'smoke' if a.smoke else dev.type}")
    rep = dict(device=device_info(dev), versions=versions(), smoke=a.smoke, budget_s=a.budget, settings=S, parts={})
    start = time.perf_counter()
    for name, fn, share, least in PARTS:
        if name not in a.parts: continue
        left = a.budget - (time.perf_counter() - start)
        if left < (0 if a.smoke else least):
            rep["parts"][name] = dict(status=f"skipped: {left:.0f} s of the budget left, it needs {least} s"); continue
        t0 = time.perf_counter()
        try:
            rows = fn(dev, dict(S, deadline=t0 + share * a.budget))  # a part stops between settings once past its share
            rep["parts"][name] = dict(status="ok", rows=rows)
        except Exception as e:  # one part failing must not cost the others (a GPU window is short)
            rep["parts"][name] = dict(status=f"failed: {type(e).__name__}", error=traceback.format_exc()[-3000:])
        rep["parts"][name]["seconds"] = time.perf_counter() - t0
        if dev.type == "cuda": rep["parts"][name]["max_memory_gib"] = torch.cuda.max_memory_allocated(dev) / 2**30; torch.cuda.empty_cache()
        print(f"{name}: {rep['parts'][name]['status']} in {rep['parts'][name]['seconds']:.1f} s", file=sys.stderr, flush=True)
    rep["wall_s"] = time.perf_counter() - start
    out.mkdir(parents=True, exist_ok=True)
    (out/"gpu_report.json").write_text(json.dumps(rep, indent=1, default=str))
    md = markdown(rep)
    (out/"gpu_report.md").write_text(md)
    print(md)
    failed = [n for n, part in rep["parts"].items() if part["status"].startswith("failed")]
    return 1 if failed else 0

if __name__ == "__main__": sys.exit(main())
