"""What do Top-K neurons encode? Texture syntheses from all / Top-K / non-Top-K neurons, measured.

For the first `--per-class` validation images of each class of the shared imagenet-mini (tench, jeep, dining
table) and each seed, synthesizes a texture with EfficientNet-Lite0 from all neurons, the Top-K only and the
non-Top-K only (`shape_sparsity.texture.study.texture_study`), and measures each synthesis by
  - top-5 recognition of the source's class by an independent classifier (EfficientNet-Lite2, offline), and
  - its low-frequency share (spectral power below 1/8 cycle per pixel), relative to the source crop's.
Writes `benchmarks/results/texture_study.csv` (one row per synthesis and per source) and the comparison figure
`nbs/images/texture_synthesis.png`, and prints the summary as a Markdown table (mean and spread over seeds).
The syntheses are kept in `--work` (default ~/.cache/shape_sparsity/texture_study), so a rerun resumes.

    python benchmarks/texture_study.py [--per-class 3] [--seeds 0 1 2] [--size 128] [--steps 10] [--threads 1]

With `--preset paper` it follows the official protocol (`texture_preset("paper")`: 256 px squashed, the official loss,
strong-Wolfe L-BFGS 100 x 20, near-mean start, histogram matching) over the paper's conditions (all, non_topk, and the
supplement's topk_act) unless `--conditions` names others, and writes `texture_study_paper.csv` by default; `--size`,
`--steps`, `--iters-per-step` override the preset (e.g. a smoke run: --per-class 1 --seeds 0 --size 64 --steps 1 --iters-per-step 20).
`--merge` reruns only the `--conditions` given and keeps the other conditions' rows of the existing CSV (the figure then
shows only the rerun conditions: give it its own `--fig`), e.g. the supplement's corrected Top-K activation matching:

    python benchmarks/texture_study.py --preset paper --conditions topk_act --seeds 0 --merge \
        --fig nbs/images/texture_synthesis_paper_topk_act.png
"""
import argparse, os, platform, time
from pathlib import Path
import matplotlib; matplotlib.use("Agg")
from PIL import Image
import torchvision.transforms as T
from shape_sparsity.data.core import WNID_INDEX, wnid_names
from shape_sparsity.models import efficientnet_lite
from shape_sparsity.testing import test_data_path
from shape_sparsity.texture.synthesis import NEURONS, CONDITIONS, CONDITION_LABELS, PAPER_CONDITIONS, TEXTURE_K, texture_model, load_source, texture_preset
from shape_sparsity.texture.study import texture_study, summarize_study, plot_texture_grid, synthesize_file
from shape_sparsity.utils import md_table, write_csv_atomic, maybe_bar
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--per-class", type=int, default=3, help="validation images per class")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--preset", choices=["default", "paper"], default="default", help="paper: the official protocol (see above)")
    p.add_argument("--conditions", nargs="+", choices=list(CONDITIONS), help="default: all topk non_topk; --preset paper: all non_topk topk_act")
    p.add_argument("--size", type=int, help="default 128; --preset paper 256")
    p.add_argument("--steps", type=int, help="default 10; --preset paper 100 (1 for activation matching)")
    p.add_argument("--iters-per-step", type=int, help="default and paper: 20")
    p.add_argument("--k", type=float, default=TEXTURE_K)
    p.add_argument("--threads", type=int, default=1, help="torch threads (1: fastest for one small image on a shared CPU)")
    p.add_argument("--classifier", default="efficientnet_lite2", choices=["efficientnet_lite1", "efficientnet_lite2"])
    p.add_argument("--work", default=Path.home()/".cache"/"shape_sparsity"/"texture_study", help="where the syntheses are kept")
    p.add_argument("--out", help="default: benchmarks/results/texture_study.csv (texture_study_paper.csv with --preset paper)")
    p.add_argument("--fig", help="default: nbs/images/texture_synthesis.png (texture_synthesis_paper.png with --preset paper)")
    p.add_argument("--merge", action="store_true", help="keep the rows of the other conditions already in --out")
    a = p.parse_args()
    paper = a.preset == "paper"
    suffix = "_paper" if paper else ""
    a.out = a.out or ROOT/"benchmarks"/"results"/f"texture_study{suffix}.csv"
    a.fig = a.fig or ROOT/"nbs"/"images"/f"texture_synthesis{suffix}.png"
    conditions = a.conditions or list(PAPER_CONDITIONS if paper else NEURONS)
    mini = test_data_path("imagenet-mini")/"val"
    wnids = sorted(d.name for d in mini.iterdir() if d.is_dir())
    per = [[(f, WNID_INDEX[w]) for f in sorted((mini/w).iterdir())[:a.per_class]] for w in wnids]
    sources = [s for i in range(a.per_class) for c in per for s in c[i:i+1]]  # class-interleaved: a partial run stays balanced
    model, clf = texture_model("efficientnet_lite0"), efficientnet_lite(a.classifier)
    given = {k: v for k, v in dict(size=a.size, steps=a.steps, iters_per_step=a.iters_per_step).items() if v is not None}
    kw = dict(given, k=a.k, threads=a.threads)
    ckw = lambda n: dict(texture_preset(a.preset, CONDITIONS[n][1]), **kw, match=CONDITIONS[n][1])  # one condition's settings
    size, resize, steps = ckw("all")["size"], ckw("all")["resize"], ckw("all")["steps"]
    t0 = time.perf_counter()
    parts, failed = [], []  # one call per (image, condition): a synthesis that diverges is reported, the others go on
    for f, c in maybe_bar(sources):
        for n in conditions:
            try: parts.append(texture_study([(f, c)], clf, a.work, model, seeds=a.seeds, neurons=[n], preset=a.preset, progress=False, **kw))
            except FloatingPointError as e: failed.append(dict(source=f.stem, target=c, neurons=n, error=str(e))); print(f"{f.stem} {n}: {e}")
    df = pd.concat(parts, ignore_index=True).drop_duplicates(["source", "neurons", "seed"])
    if failed: write_csv_atomic(pd.DataFrame(failed), Path(a.out).with_name(Path(a.out).stem + "_failed.csv"))
    df.insert(2, "class", df.target.map(dict(zip([WNID_INDEX[w] for w in wnids], wnid_names(wnids)))))
    df = df.assign(preset=a.preset, size=size, steps=steps, k=a.k, classifier=a.classifier)
    if a.merge and Path(a.out).is_file():  # the other conditions' rows stay; this run's replace theirs (sources included)
        old = pd.read_csv(a.out)
        old = old[~(old.source.isin(df.source) & old.neurons.isin(conditions + ["source"]))]
        srcs = list(dict.fromkeys([*old.source, *df.source]))  # the old file's order, then new sources
        rank = {n: i for i, n in enumerate(dict.fromkeys(["source", *old.neurons, *CONDITIONS]))}  # the old file's order first
        df = pd.concat([old, df], ignore_index=True)
        df = df.assign(_s=df.source.map(srcs.index), _n=df.neurons.map(rank)).sort_values(["_s", "_n"], kind="stable")
        df = df.drop(columns=["_s", "_n"]).reset_index(drop=True)
    write_csv_atomic(df, a.out)
    # the figure: the first image of each class, the first two seeds
    firsts = [next(f for f, c in sources if c == WNID_INDEX[w]) for w in wnids]
    rows, labels = [], []
    for f, name in zip(firsts, wnid_names(wnids)):
        for s in a.seeds[:2]:
            rows.append([T.functional.to_pil_image(load_source(f, size, resize)[0])] +
                        [Image.open(synthesize_file(f, a.work, model, CONDITIONS[n][0], s, **ckw(n))[0]).convert("RGB") for n in conditions])
            labels.append(f"{name}\n{f.stem}, seed {s}")
    fig = plot_texture_grid(rows, labels, ["source"] + [CONDITION_LABELS[n] for n in conditions], cell=2.2)
    Path(a.fig).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(a.fig, dpi=80, bbox_inches="tight")
    Image.open(a.fig).convert("RGB").quantize(256).save(a.fig, optimize=True)  # 256 colors: noisy images compress badly
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, threads={a.threads}"
    print(f"{len(sources)} images x {len(a.seeds)} seeds x {len(conditions)} conditions ({', '.join(conditions)}), preset {a.preset}, at "
          f"{size} px, {steps} L-BFGS steps of {ckw('all')['iters_per_step']} iterations, k={a.k:g}; classifier {a.classifier}; "
          f"{time.perf_counter() - t0:.0f} s this run ({machine})")
    print(f"saved {a.out} and {a.fig}\n")
    print(md_table(summarize_study(df, as_text=True)))
    if failed: print(f"\n{len(failed)} syntheses diverged and are left out of the table: " + "; ".join(f"{r['source']} {r['neurons']} ({r['error']})" for r in failed))

if __name__ == "__main__": main()
