"""What do Top-K neurons encode? Texture syntheses from all / Top-K / non-Top-K neurons, measured.

For the first `--per-class` validation images of each class of the shared imagenet-mini (tench, jeep, dining
table) and each seed, synthesizes a texture with EfficientNet-Lite0 from all neurons, the Top-K only and the
non-Top-K only (`shape_sparsity.texture.texture_study`), and measures each synthesis by
  - top-5 recognition of the source's class by an independent classifier (EfficientNet-Lite2, offline), and
  - its low-frequency share (spectral power below 1/8 cycle per pixel), relative to the source crop's.
Writes `benchmarks/results/texture_study.csv` (one row per synthesis and per source) and the comparison figure
`nbs/images/texture_synthesis.png`, and prints the summary as a Markdown table (mean and spread over seeds).
The syntheses are kept in `--work` (default ~/.cache/shape_sparsity/texture_study), so a rerun resumes.

    python benchmarks/texture_study.py [--per-class 3] [--seeds 0 1 2] [--size 128] [--steps 10] [--threads 1]
"""
import argparse, os, platform, time
from pathlib import Path
import matplotlib; matplotlib.use("Agg")
from PIL import Image
import torchvision.transforms as T
from shape_sparsity.data import WNID_INDEX, wnid_names
from shape_sparsity.models import efficientnet_lite
from shape_sparsity.testing import test_data_path
from shape_sparsity.texture import (NEURONS, TEXTURE_K, texture_model, texture_study, summarize_study, plot_texture_grid,
                                    load_source, synthesize_file)
from shape_sparsity.utils import md_table, write_csv_atomic

ROOT = Path(__file__).resolve().parent.parent

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--per-class", type=int, default=3, help="validation images per class")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--k", type=float, default=TEXTURE_K)
    p.add_argument("--threads", type=int, default=1, help="torch threads (1: fastest for one small image on a shared CPU)")
    p.add_argument("--classifier", default="efficientnet_lite2", choices=["efficientnet_lite1", "efficientnet_lite2"])
    p.add_argument("--work", default=Path.home()/".cache"/"shape_sparsity"/"texture_study", help="where the syntheses are kept")
    p.add_argument("--out", default=ROOT/"benchmarks"/"results"/"texture_study.csv")
    p.add_argument("--fig", default=ROOT/"nbs"/"images"/"texture_synthesis.png")
    a = p.parse_args()
    mini = test_data_path("imagenet-mini")/"val"
    wnids = sorted(d.name for d in mini.iterdir() if d.is_dir())
    sources = [(f, WNID_INDEX[w]) for w in wnids for f in sorted((mini/w).iterdir())[:a.per_class]]
    model, clf = texture_model("efficientnet_lite0"), efficientnet_lite(a.classifier)
    kw = dict(size=a.size, steps=a.steps, k=a.k, threads=a.threads)
    t0 = time.perf_counter()
    df = texture_study(sources, clf, a.work, model, seeds=a.seeds, **kw)
    df.insert(2, "class", df.target.map(dict(zip([WNID_INDEX[w] for w in wnids], wnid_names(wnids)))))
    write_csv_atomic(df.assign(size=a.size, steps=a.steps, k=a.k, classifier=a.classifier), a.out)
    # the figure: the first image of each class, the first two seeds
    firsts = [next(f for f, c in sources if c == WNID_INDEX[w]) for w in wnids]
    rows, labels = [], []
    for f, name in zip(firsts, wnid_names(wnids)):
        for s in a.seeds[:2]:
            rows.append([T.functional.to_pil_image(load_source(f, a.size)[0])] +
                        [Image.open(synthesize_file(f, a.work, model, n, s, **kw)[0]).convert("RGB") for n in NEURONS])
            labels.append(f"{name}\n{f.stem}, seed {s}")
    fig = plot_texture_grid(rows, labels, cell=2.2)
    Path(a.fig).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(a.fig, dpi=80, bbox_inches="tight")
    Image.open(a.fig).convert("RGB").quantize(256).save(a.fig, optimize=True)  # 256 colors: noisy images compress badly
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, threads={a.threads}"
    print(f"{len(sources)} images x {len(a.seeds)} seeds x {len(NEURONS)} kinds at {a.size} px, {a.steps} L-BFGS steps of 20 "
          f"iterations, k={a.k:g}; classifier {a.classifier}; {time.perf_counter() - t0:.0f} s this run ({machine})")
    print(f"saved {a.out} and {a.fig}\n")
    print(md_table(summarize_study(df, as_text=True)))

if __name__ == "__main__": main()
