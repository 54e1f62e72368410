"The checks of nbs/tutorials/01_topk_in_five_minutes.ipynb, each run right after the cell it names (tools/test_tutorials.py)"
from fastcore.test import *
from shape_sparsity.evaluation.shape_bias import CATEGORIES

# %% after dfa2aa03
test_eq(len(items), 1280)
test_eq(list(ex["shape"]), ["elephant", "truck", "airplane", "cat"])

# %% after 9cc81189
for k in ks[1:]: test_eq(int((spatial_topk(e, k) != 0).sum()), n_keep(k, h, w))

# %% after 68b4e404
keep, rev, mean = (spatial_topk(e, k, mode=m) for m in TOPK_MODES)
test_eq(keep + rev, e)  # "revert" keeps exactly what "keep" drops
test_eq(((mean != 0) == (keep != 0)).all(), True)  # "mean" keeps the same positions ...
test_eq(mean[mean != 0].unique().numel(), 1)  # ... all with one value,
test_close(mean[mean != 0][0], keep[keep != 0].mean())  # the mean of the kept ones
test_eq(spatial_topk(e, 1.0, mode="revert"), e)  # k = 1 is the dense map whatever the mode

# %% after ebd302ab
test_eq(after, spatial_topk(before, 0.2))
test_eq((after != 0).sum((2, 3)).unique().tolist(), [n_keep(0.2, 56, 56)])  # per channel: exactly n_keep (no ties)

# %% after fc110bfb
for s in stages:
    dense_in, dense_out = maps[1.0][s]
    test_eq(dense_out, dense_in)  # switched off, the layer passes the dense maps through
    test_eq((dense_in != 0).float().mean() > 0.99, True)
    for k in lite_ks[1:]:
        b, a = maps[k][s]
        test_eq(a, spatial_topk(b, k))
        test_eq((a != 0).sum((2, 3)).unique().tolist(), [n_keep(k, *b.shape[-2:])])
        test_ne(a, dense_out)
for d in decisions.values(): test_eq(len(d), 3); assert set(d) <= set(CATEGORIES), d
test_eq(decisions[1.0], ["bottle", "truck", "elephant"])  # the decisions the prose describes (float32 on CPU)
test_eq(decisions[0.2], ["elephant", "airplane", "bicycle"])
# AlexNet with random weights (no download): the operator's facts at its Top-K layers
net = pretrained_topk("alexnet", k=0.1, weights=None)
xr = torch.cat([model_input(p, net) for p in ex.path])
before, after = activation_maps(net, "features.2", xr)
test_eq(before.shape, (4, 64, 27, 27))
test_eq(after, spatial_topk(before, 0.1))
test_close((after != 0).sum((2, 3)).float().mean() / (27 * 27), 0.1, eps=0.01)  # ties at the threshold keep a few more
for name in topk_layer_names(net):
    b, a = activation_maps(net, name, xr[:1])
    test_eq(a, spatial_topk(b, 0.1))
