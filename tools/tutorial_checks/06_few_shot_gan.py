"The checks of nbs/tutorials/06_few_shot_gan.ipynb, each run right after the cell it names (tools/test_tutorials.py)"
from fastcore.test import *

# %% after b1cc75aa
test_eq(list(reported["Top-K spec (official run.sh)"]), [paper_gan_topk(c) for c in reported["class"]])

# %% after d7360ec4
test_eq(len(dls.files), 100)

# %% after 6d00115a
test_close(topk_density(G_topk, z), 51 / 1024, eps=1e-6)
assert topk_density(G_dense, z) > 0.99

# %% after 65a8e3e1
for name, r in results.items():
    test_eq(r["iters_done"], 24)
    test_eq([f["iter"] for f in r["fid"]], [12, 24])
test_close(results["Top-K 32_5"]["history"][-1]["density_generator.topk_32"], 51 / 1024, eps=1e-6)
assert sorted(p.name for p in (runs["dense"]/"samples").iterdir()) == ["iter_000012.png", "iter_000024.png"]

# %% after 939df475
assert all(f["Lite0-FID@128px"] > 0 for r in results.values() for f in r["fid"])

# %% after 0f6cf9df
test_eq(rcs, [0, 0])
text = out.getvalue()
assert "resuming" in text and "30 iterations" in text and "| dense |" in text and "| Top-K 32_5 |" in text
test_eq(json.loads((runs["Top-K 32_5"]/"results.json").read_text())["iters_done"], 30)
