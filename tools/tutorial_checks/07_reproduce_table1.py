"The checks of nbs/tutorials/07_reproduce_table1.ipynb, each run right after the cell it names (tools/test_tutorials.py)"
from fastcore.test import *

# %% after 36c34ede
test_eq(len(TABLE1_REFERENCE), 4)
test_close(
    TABLE1_REFERENCE[("in-s2", "2_20")]["stylized"][0] - TABLE1_REFERENCE[("in-s2", "dense")]["stylized"][0],
    7.7,
    eps=1e-6,
)

# %% after dca6adab
test_eq(sorted(p.name for p in mini.iterdir()), ["train", "val"])
test_eq(len(list((mini/"train").rglob("*.JPEG"))), 240)
test_eq(len(list((mini/"val").rglob("*.JPEG"))), 60)
assert all(p.is_symlink() for p in (mini/"val").rglob("*.JPEG"))  # links, not copies

# %% after 925c04b5
out = Path(man.output[0])
test_eq(len(man), 60 * 3)
test_eq(set(man.label), {"offline engine, paper styles"})
test_eq(set(man.status), {"ok"})
test_eq(out.parent.name, Path(man.source[0]).parent.name)  # same class folder
test_eq(min(Image.open(out).size), 96)

# %% after 7aec1ea9
h = pd.DataFrame(saved["history"])
test_eq(saved, json.loads(json.dumps(mini_res)))
test_eq((saved["complete"], saved["epochs_done"]), (True, 2))
test_eq(
    (saved["config"]["arch"], saved["config"]["topk"], saved["config"]["subset"], saved["config"]["seed"]),
    ("resnet18", "2_20", "mini", 0),
)
test_eq(list(h.epoch), [0, 1])
test_close(h.lr[0], PAPER_RECIPE["lr"])  # the staircase: lr 0.1 for the whole first epoch ...
test_close(h.lr[1], PAPER_RECIPE["lr"] / 2)  # ... then the cosine's value at 1/2 of a 2-epoch run
test_eq(saved["best"]["stylized_acc"], h.stylized_acc.max())
test_eq(saved["final"]["valid_acc"], h.valid_acc.iloc[-1])
assert h.stylized_acc.between(0, 1).all() and (h.train_loss > 0).all()
assert (run/"models"/"checkpoint.pth").is_file() and (run/"models"/"final.pth").is_file()

# %% after 10c8088a
test_eq((part["epochs_done"], part["complete"]), (1, False))
test_eq((resumed["epochs_done"], resumed["complete"]), (2, True))
test_eq(resumed["history"][0], part["history"][0])  # epoch 1 was not trained again
test_eq([r["epoch"] for r in resumed["history"]], [0, 1])

# %% after aa8333ad
hd = cb.density_history
test_eq(list(hd.epoch), [0, 1])
test_close(hd.k_layer2, 0.2)
for d in (hd.train_density_layer2, hd.valid_density_layer2, h.density_layer2):  # the callback's and results.json's
    assert ((0.05 < d) & (d <= n_keep(0.2, 4, 4) / 16 + 1e-6)).all(), d

# %% after a8c2ada4
# the setting it was trained and validated with
test_close(acc.loc["k=20% (trained)", "clean"], mini_res["final"]["valid_acc"])
test_close(acc.loc["k=20% (trained)", "stylized"], mini_res["final"]["stylized_acc"])
test_eq(acc.loc["k=100%"], acc.loc["off"])  # keeping 100% is no Top-K at all
test_eq([(tk.k, tk.enabled) for _, tk in topk_layers(mini_learn.model)], [(0.2, True)])  # restored

# %% after f7c3a525
test_eq(
    sorted(runs.run),
    ["mini_resnet18_dense_s0", "mini_resnet18_dense_s1", "mini_resnet18_topk2_20_s0", "mini_resnet18_topk2_20_s1"],
)
assert runs.complete.all()
test_eq(set(runs.epochs_done), {2})
test_eq({r: (MINI_OUT/r/RESULTS).stat().st_mtime_ns for r in before}, before)  # skipped, not retrained
test_eq(runs.set_index("run").stylized_best["mini_resnet18_topk2_20_s0"], mini_res["best"]["stylized_acc"])

# %% after c8a66b5f
r = runs.set_index("run")
test_eq(list(report.model), ["dense", "2_20"])  # dense first
test_eq(list(report.n_seeds), [2, 2])
test_close(report.set_index("model").loc["2_20", "valid_best_mean"],
           100 * (r.valid_best["mini_resnet18_topk2_20_s0"] + r.valid_best["mini_resnet18_topk2_20_s1"]) / 2)
test_eq((MINI_OUT/"table1.md").read_text(), md)
assert "| mini | Top-K 2_20 | 2 |" in md and "| offline engine, paper styles |" in md, md

# %% after 3b3dc644
test_eq(rc, 0)
cli_res = json.loads((cli_out/"resnet18_topk2_20_s0"/RESULTS).read_text())
for a, b in zip(cli_res["history"], mini_res["history"]):
    test_eq((a["valid_acc"], a["stylized_acc"]), (b["valid_acc"], b["stylized_acc"]))
    test_close(a["train_loss"], b["train_loss"])

# %% after 5c96a1bb
test_eq(rc, 0)
test_eq(printed.getvalue().strip(), md.strip())
