"""Where to put Top-K in EfficientNet-Lite0, and is it the *choice* of positions that matters?

Runs `topk_sweep` on all 1280 cue-conflict images for several Top-K placements and for a random mask of the same
size (with and without rescaling), and writes `benchmarks/results/placement_study.csv` (resumable: rerun to finish
an interrupted study) and the figure `nbs/images/placement_study.png`.

    python benchmarks/placement_study.py [--cue-conflict DIR] [--ks 0.5 0.3 0.2 0.1 0.05]
"""
import argparse, time
from pathlib import Path
import matplotlib; matplotlib.use("Agg")
from shape_sparsity.models import TOPK_PRESETS, efficientnet_lite
from shape_sparsity.evaluation.sweep import topk_sweep, plot_topk_sweep
from shape_sparsity.testing import test_data_path

ROOT = Path(__file__).resolve().parent.parent

def placements():
    blocks = [n for n, _ in efficientnet_lite("efficientnet_lite0", weights=None).named_modules() if n.count(".") == 2 and n.startswith("blocks.")]
    return {"stage_ends": TOPK_PRESETS["efficientnet_lite0"], "every_block": blocks,
            "early": ["blocks.0", "blocks.1", "blocks.2"], "late": ["blocks.4", "blocks.6"]}

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cue-conflict", default=None, help="cue-conflict folder (default: the shared test data)")
    p.add_argument("--ks", nargs="+", type=float, default=[0.5, 0.3, 0.2, 0.1, 0.05])
    p.add_argument("--n", type=int, help="only n images (quick look)")
    p.add_argument("--out", default=ROOT/"benchmarks"/"results"/"placement_study.csv")
    p.add_argument("--fig", default=ROOT/"nbs"/"images"/"placement_study.png")
    a = p.parse_args()
    data = a.cue_conflict or test_data_path("cue-conflict")
    runs = [(name, after, "keep") for name, after in placements().items()]
    runs += [("stage_ends", placements()["stage_ends"], m) for m in ("random", "random_rescaled")]
    res = []
    for name, after, mode in runs:
        t0 = time.perf_counter()
        df = topk_sweep("efficientnet_lite0", ks=a.ks, data=data, n=a.n, after=after, placement=name, mode=mode,
                        cache=a.out, device="cpu", progress=False)
        print(f"{name:12s} {mode:16s} {time.perf_counter() - t0:6.1f}s  " +
              "  ".join(f"k={r.k:g}: {r.shape_bias:.3f} [{r.ci_low:.2f},{r.ci_high:.2f}] cue {r.cue_share:.2f}" for r in df.itertuples()), flush=True)
        res.append(df.assign(placement=name, mode=[mode if k < 1 else "keep" for k in df.k]))
    import pandas as pd
    allres = pd.concat(res, ignore_index=True)
    fig = plot_topk_sweep(allres.drop_duplicates(["placement", "mode", "k"]))
    fig.set_size_inches(14, 7); fig.tight_layout()
    Path(a.fig).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(a.fig, dpi=110, bbox_inches="tight")
    print(f"saved {a.out} and {a.fig}\n")
    print(markdown_table(allres))

def markdown_table(df) -> str:
    "One row per placement and mode, one column per k: shape bias [95% CI] and cue share"
    ks = sorted(df.k.unique(), reverse=True)
    lines = ["| placement | mask | " + " | ".join("dense" if k >= 1 else f"k = {k:g}" for k in ks) + " |", "|---|---|" + "---|" * len(ks)]
    for (pl, mode), d in df.groupby(["placement", "mode"], sort=False):
        if (d.k < 1).sum() == 0: continue
        d = d.set_index("k")
        cell = lambda r: f"{r.shape_bias:.2f} [{r.ci_low:.2f}, {r.ci_high:.2f}] / {r.cue_share:.2f}"
        dense = df[(df.placement == pl) & (df.k >= 1)]
        cells = [cell(dense.iloc[0]) if k >= 1 and len(dense) else (cell(d.loc[k]) if k in d.index else "") for k in ks]
        lines.append(f"| {pl} | {'Top-K' if mode == 'keep' else mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines)

if __name__ == "__main__": main()
