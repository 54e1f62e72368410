"""The training claim in the shape-texture world: every configuration of the README's study, resumable.

Runs, on this machine's CPU, with the package's defaults for the world and the recipe (`WORLD_RECIPE`):
  1. the cue calibration (`calibrate_world`: each cue alone, 4 texture contrasts, seeds 0 and 1),
  2. the paper ResNet-18 (width 1/4, 32 px): dense, Top-K 2_20, random:2_20 (`--part study`, what `shape-sparsity world`
     runs) and the sweep 2_5, 3_20, 1-2_20 (`--part sweep`), seeds 0-4, with Top-K inserted at inference into every
     dense network; both parts write into one study folder, so the sweep is compared with the same dense runs,
  3. torchvision's ResNet-18 (32 px): dense, 2_20, random:2_20, seeds 0-4.
Each part writes into its own folder under --out (one folder per run: rerun to resume an interrupted study) and can
run as several processes at once (`--part study --seeds 0 1` in one shell, `--seeds 2 3 4` in another); `--part
report` gathers every finished run into benchmarks/results/world_*.csv, world_study.md and the figures in nbs/images/.

    python benchmarks/world_study.py --part calibration|study|sweep|resnet18|report [--seeds 0 1 2 3 4] [--threads 1]
"""
import argparse, time
from pathlib import Path
import matplotlib; matplotlib.use("Agg")
import pandas as pd, torch
from shape_sparsity.utils import md_table, write_csv_atomic, atomic_write_text
from shape_sparsity.world import WorldConfig, show_world
from shape_sparsity.world_study import (world_study, calibrate_world, collect_world, summarize_world, world_table, plot_world_study,
                                        plot_calibration, choose_contrast, DEFAULT_ARMS, SWEEP_ARMS, STUDY_SEEDS, INFER_SPECS)

ROOT = Path(__file__).resolve().parent.parent
RES, IMG = ROOT/"benchmarks"/"results", ROOT/"nbs"/"images"
PARTS = {"study": ("paper", DEFAULT_ARMS, INFER_SPECS), "sweep": ("paper", SWEEP_ARMS, ()), "resnet18": ("resnet18", DEFAULT_ARMS, INFER_SPECS)}
FOLDER = {"study": "study", "sweep": "study", "resnet18": "resnet18"}  # the sweep shares the paper study's folder (and dense runs)

def run_part(name:str, out:Path, seeds):
    arch, arms, infer = PARTS[name]
    return world_study(out/FOLDER[name], arms, seeds, recipe=dict(arch=arch), infer_specs=infer)

def report(out:Path):
    cal = pd.concat([pd.read_csv(f) for f in sorted((out/"calibration").glob("**/calibration.csv"))])
    write_csv_atomic(cal, RES/"world_calibration.csv")
    plot_calibration(cal).savefig(IMG/"world_calibration.png", dpi=130, bbox_inches="tight")
    curves = cal.pivot_table(index=["contrast", "epoch"], columns="cue", values="valid_acc").reset_index()
    parts = []
    for name in ("study", "resnet18"):
        if (out/name).is_dir() and list((out/name).glob("*/eval.json")):
            for part in [p for p, f in FOLDER.items() if f == name]: run_part(part, out, STUDY_SEEDS)  # finished runs are read back (re-evaluated if the evaluation changed since)
            parts.append((name, collect_world(out/name)))
    runs = pd.concat([r for _, r in parts], ignore_index=True)
    write_csv_atomic(runs, RES/"world_runs.csv")
    sm = pd.concat([summarize_world(r, out/name) for name, r in parts], ignore_index=True)
    write_csv_atomic(sm, RES/"world_summary.csv")
    plot_world_study(runs, sm, title="The shape-texture world, 5 seeds per arm").savefig(IMG/"world_study.png", dpi=130, bbox_inches="tight")
    show_world().savefig(IMG/"world_samples.png", dpi=130, bbox_inches="tight")
    text = (f"## Calibration (dense paper ResNet-18, width 1/4; validation accuracy per epoch, mean of seeds)\n\n{md_table(curves, '{:.3f}')}\n\n"
            f"chosen texture contrast: {choose_contrast(cal)}\n\n## Study\n\n{md_table(world_table(sm))}\n")
    atomic_write_text(text, RES/"world_study.md")
    print(text)

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--part", required=True, choices=["calibration", *PARTS, "report"])
    p.add_argument("--seeds", nargs="+", type=int, default=list(STUDY_SEEDS))
    p.add_argument("--threads", type=int, default=None, help="torch threads (1 when running two processes on 2 cores)")
    p.add_argument("--out", type=Path, default=ROOT/"benchmarks"/"world_runs", help="where the run folders go (not committed)")
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    t0 = time.time()
    if a.part == "report": return report(a.out)
    if a.part == "calibration":
        for s in a.seeds: calibrate_world(a.out/"calibration"/f"s{s}", seeds=(s,))
    else: run_part(a.part, a.out, a.seeds)
    print(f"{a.part}, seeds {a.seeds}: {time.time() - t0:.0f} s")

if __name__ == "__main__": main()
