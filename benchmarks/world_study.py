"""The training claim in the shape-texture world, as the README reports it (issue 25).

    python benchmarks/world_study.py --part plan      # carry out benchmarks/plans/training_claim.toml (hours; resumable)
    python benchmarks/world_study.py --part report    # copy its verdict, runs, mechanism and figures into the repository
    python benchmarks/world_study.py --part report --refresh  # first recompute the verdict and mechanism from the runs made so far

`--part plan` is exactly `shape-sparsity world --plan benchmarks/plans/training_claim.toml --out <--out>`; the run folders
stay out of git (benchmarks/world_runs/). `--part report` writes benchmarks/results/world_plan/ (plan.json, design.json,
verdict.json, verdict.md, runs.csv, mechanism/*.csv, the published networks' decisions) and the README's figures in
nbs/images/ (world_samples.png, world_verdict.png, world_curves.png, world_probes.png, world_keep.png, world_texture_bias.png).
The first, withdrawn study (5 epochs, the clipped world) is kept as benchmarks/results/world_v1_*.
"""
import argparse, json, shutil, subprocess, sys
from pathlib import Path
import matplotlib; matplotlib.use("Agg")
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT/"benchmarks"/"plans"/"training_claim.toml"
RES, IMG = ROOT/"benchmarks"/"results"/"world_plan", ROOT/"nbs"/"images"
PUBLISHED = {"AlexNet": "cue-conflict-responses/cue-conflict_AlexNet-normal_session-1.csv",
             "AlexNet Top-K 10%": "official-topk-responses/cue-conflict_AlexNet-topK-10_session-1.csv",
             "VGG-16": "cue-conflict-responses/cue-conflict_VGG-normal_session-1.csv",
             "VGG-16 Top-K 5%": "official-topk-responses/cue-conflict_VGG-topK-5_session-1.csv"}

def published_decisions() -> pd.DataFrame:
    "Shape bias, shape and texture decisions of the paper's published AlexNet/VGG-16 responses, dense and with Top-K"
    from shape_sparsity.testing import test_data_path
    from shape_sparsity.evaluation.shape_bias import read_responses
    from shape_sparsity.world.mechanism import decisions
    return pd.DataFrame([decisions(read_responses(test_data_path()/f), name) for name, f in PUBLISHED.items()])

def figures(out:Path):
    "The README's figures of the plan, from its folder"
    from shape_sparsity.world.render import show_world, WorldConfig
    from shape_sparsity.world.plan import plot_verdict
    p = json.loads((out/"plan.json").read_text())["plan"]  # the checked plan the runs were made under
    design, runs = json.loads((out/"design.json").read_text()), pd.read_csv(out/"runs.csv")
    save = lambda fig, name: fig.savefig(IMG/name, dpi=120, bbox_inches="tight")
    save(plot_verdict(runs, p, design["main_seeds"], "2_20 vs dense, paired by seed"), "world_verdict.png")
    save(show_world(WorldConfig()), "world_samples.png")
    save(show_world(WorldConfig(**p["worlds"]["textured"])), "world_samples_textured.png")
    for name in ("probes", "keep", "curves", "texture_bias"):
        for w in p["worlds"]: shutil.copy(out/"mechanism"/f"{name}_{w}.png", IMG/f"world_{name}_{w}.png")

def refresh(out:Path):
    "The verdict (later comparisons not run yet shown with 0 seeds) and the mechanism, from the runs made so far"
    from shape_sparsity.world.plan import plan_verdict, plan_mechanism, verdict_text
    from shape_sparsity.utils import atomic_write_text
    p = json.loads((out/"plan.json").read_text())["plan"]
    design = json.loads((out/"design.json").read_text())
    atomic_write_text(verdict_text(plan_verdict(out, p, design), p), out/"verdict.md")
    plan_mechanism(out, p, design)

def report(out:Path):
    RES.mkdir(parents=True, exist_ok=True); (RES/"mechanism").mkdir(exist_ok=True)
    for f in ("plan.json", "design.json", "verdict.json", "verdict.md", "runs.csv"): shutil.copy(out/f, RES/f)
    for f in (out/"mechanism").glob("*.csv"): shutil.copy(f, RES/"mechanism"/f.name)
    published_decisions().to_csv(RES/"published_decisions.csv", index=False)
    figures(out)
    print((RES/"verdict.md").read_text())

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--part", required=True, choices=["plan", "report"])
    p.add_argument("--refresh", action="store_true", help="with --part report: recompute the verdict and mechanism first")
    p.add_argument("--out", type=Path, default=ROOT/"benchmarks"/"world_runs"/"plan", help="the plan's study folder (not committed)")
    a = p.parse_args()
    if a.part == "plan":
        sys.exit(subprocess.call(["shape-sparsity", "world", "--plan", str(PLAN), "--out", str(a.out)]))
    if a.refresh: refresh(a.out)
    report(a.out)

if __name__ == "__main__": main()
