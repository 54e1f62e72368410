"""The few-shot GAN (chapters 07a-07e) on the CPU at tiny sizes: shapes at every resolution, the measured density of
the Top-K map, exact resume, Lite0-FID sanity, spec errors, and the `gan` / `gan-eval` commands end to end."""
import argparse, io, json, shutil, subprocess, sys
from contextlib import redirect_stdout, redirect_stderr
from pathlib import Path
import pytest
import torch
from shape_sparsity.core import n_keep
from shape_sparsity.gan_models import (GAN_SIZES, FastGANGenerator, FastGANDiscriminator, generator_resolutions, parse_gan_topk,
                                       topk_density)
from shape_sparsity.gan_metrics import Lite0Scorer, frechet_distance, torch_threads
from shape_sparsity.gan_data import gan_dls, load_images, find_images
from shape_sparsity.gan_train import gan_learner, fit_gan, generate, load_gan_run
from shape_sparsity.gan_cli import add_gan_parsers
from shape_sparsity.testing import test_data_path as data_path  # not `test_*`: pytest would collect it

TINY = dict(ngf=8, ndf=8, nz=16, percept="l1", seed=0)

@pytest.fixture(autouse=True, scope="module")
def one_thread():
    "Tiny networks: one CPU thread is fastest, and other test processes may share the CPU"
    with torch_threads(1): yield

@pytest.fixture(scope="module")
def jeep():
    return str(data_path("imagenet-mini")/"*"/"n03594945")

@pytest.fixture(scope="module")
def jeep_dls(jeep):
    return gan_dls(jeep, size=32, bs=4, device="cpu")

@pytest.mark.parametrize("size", GAN_SIZES)
def test_shapes_at_every_resolution(size):
    torch.manual_seed(0)
    topk = "32_5" if size >= 32 else None
    G, D = FastGANGenerator(size, topk, ngf=8, nz=16), FastGANDiscriminator(size, ndf=8)
    z = torch.randn(2, 16)
    maps = G.feature_maps(z)
    assert list(maps) == list(generator_resolutions(size))
    for r, f in maps.items(): assert f.shape[-2:] == (r, r)
    with torch.no_grad():
        big, small = G(z)
        assert big.shape == (2, 3, size, size)
        assert small.shape == (2, 3, min(128, size // 2), min(128, size // 2))
        assert D([big, small]).shape == (2 * 2 * 25,)
        logits, recs = D(big, part=3)
        assert logits.shape == (100,) and all(r.shape == (2, 3, min(size, 128), min(size, 128)) for r in recs)

@pytest.mark.parametrize("size,spec,res", [(64, "32_5", 32), (128, "32_5", 32), (64, "32_20", 32), (128, "16-32_10-5", 16)])
def test_topk_really_sparsifies(size, spec, res):
    torch.manual_seed(0)
    k = parse_gan_topk(spec).as_dict()[res]
    z = torch.randn(4, 16)
    assert topk_density(FastGANGenerator(size, spec, ngf=8, nz=16), z, res) == pytest.approx(n_keep(k, res, res) / res**2, abs=1e-6)
    assert topk_density(FastGANGenerator(size, None, ngf=8, nz=16), z, res) > 0.99  # the dense generator's map is dense

@pytest.mark.parametrize("spec,size,msg", [
    ("32", None, '"<resolutions>_<percents>"'), ("32_0", None, "percent 0 is not in (0, 100]"),
    ("32_101", None, "percent 101 is not in (0, 100]"), ("24_5", None, "not a power of two"),
    ("16-32_5-5-5", None, "2 resolutions but 3 percents"), ("64_5", 32, "no 64x64 feature map"),
    ("512_5", 256, "no 512x512 feature map"), ("x_5", None, "are not numbers")])
def test_bad_specs(spec, size, msg):
    with pytest.raises(ValueError, match=msg.replace("(", r"\(").replace(")", r"\)")): parse_gan_topk(spec, size)
    if size is not None:
        with pytest.raises(ValueError): FastGANGenerator(size, spec, ngf=8)

def _states(learn):
    return dict(model=learn.model.state_dict(), ema=learn.gan_ema.state_dict(),
                opt_g=learn.opt.state_dict()["state"], opt_d=learn.opt_d.state_dict()["state"])

def _assert_same(a, b):
    for k in ("model", "ema"):
        assert a[k].keys() == b[k].keys()
        for n in a[k]: assert torch.equal(a[k][n], b[k][n]), f"{k}.{n} differs"
    for k in ("opt_g", "opt_d"):
        for sa, sb in zip(a[k], b[k]):
            for n in sa: assert torch.equal(torch.as_tensor(sa[n]), torch.as_tensor(sb[n])), f"{k}.{n} differs"

def test_resume_gives_identical_weights(jeep, jeep_dls, tmp_path):
    straight = gan_learner(jeep_dls, topk="16_10", path=tmp_path/"straight", **TINY)
    fit_gan(straight, iters=5, ckpt_every=5)
    first = gan_learner(jeep_dls, topk="16_10", path=tmp_path/"resumed", **TINY)
    fit_gan(first, iters=2, ckpt_every=2)
    resumed = gan_learner(gan_dls(jeep, size=32, bs=4, device="cpu"), topk="16_10", path=tmp_path/"resumed", **TINY)
    res = fit_gan(resumed, iters=5, ckpt_every=2)  # other chunk sizes: 2, 2, 1
    assert res["iters_done"] == 5 and [h["iter"] for h in res["history"]] == [2, 4, 5]
    _assert_same(_states(straight), _states(resumed))
    other = gan_learner(jeep_dls, topk="16_10", path=tmp_path/"other", **dict(TINY, seed=1))
    fit_gan(other, iters=5, ckpt_every=5)
    assert not torch.equal(other.model.state_dict()["generator.to_big.parametrizations.weight.original"],
                           straight.model.state_dict()["generator.to_big.parametrizations.weight.original"])  # the test can fail

def test_rerun_with_other_settings_is_refused(jeep_dls, tmp_path):
    fit_gan(gan_learner(jeep_dls, topk="16_10", path=tmp_path, **TINY), iters=1)
    with pytest.raises(ValueError, match="topk='16_10', but this run has topk=None"):
        fit_gan(gan_learner(jeep_dls, topk=None, path=tmp_path, **TINY), iters=2)
    with pytest.raises(ValueError, match="ngf=8, but this run has ngf=16"):
        fit_gan(gan_learner(jeep_dls, topk="16_10", path=tmp_path, **dict(TINY, ngf=16)), iters=2)

def test_lite0_fid_sanity():
    mini = data_path("imagenet-mini")
    load = lambda wnid, n: load_images(find_images(mini/"train"/wnid)[:n], 64).float() / 127.5 - 1
    jeep, fish = load("n03594945", 24), load("n01440764", 24)
    scorer = Lite0Scorer(jeep, size=96)
    same, other = scorer(jeep), scorer(fish)
    assert same["Lite0-FID@96px"] == pytest.approx(0, abs=1e-6)
    assert other["Lite0-FID@96px"] > 10 and other["Lite0-KID@96px"] > same["Lite0-KID@96px"]
    a, b = torch.randn(50, 32).double(), torch.randn(40, 32).double() + 0.5
    from torchmetrics.image.fid import _compute_fid
    assert frechet_distance(a, b) == pytest.approx(_compute_fid(a.mean(0), a.T.cov(), b.mean(0), b.T.cov()).item(), rel=1e-6)

def _run(*argv):
    p = argparse.ArgumentParser(prog="shape-sparsity")
    subs = p.add_subparsers(dest="command")
    add_gan_parsers(subs)
    a = p.parse_args(argv)
    a.no_bars = True
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()): rc = a.func(a)
    return rc, out.getvalue()

def test_cli_end_to_end(jeep, tmp_path):
    tiny = ["--size", "32", "--ngf", "8", "--ndf", "8", "--nz", "16", "--bs", "4", "--percept", "l1", "--ckpt-every", "2", "--threads", "1"]
    for topk in ("none", "32_5"):
        rc, out = _run("gan", "--data", jeep, "--out", str(tmp_path/topk), "--topk", topk, "--iters", "2", *tiny)
        assert rc == 0 and "2 iterations" in out
    rc, out = _run("gan", "--data", jeep, "--out", str(tmp_path/"32_5"), "--topk", "32_5", "--iters", "3", *tiny)
    assert rc == 0 and "resuming" in out and "3 iterations" in out
    assert json.loads((tmp_path/"32_5"/"results.json").read_text())["iters_done"] == 3
    assert sorted(p.name for p in (tmp_path/"32_5"/"samples").iterdir()) == ["iter_000002.png", "iter_000003.png"]
    rc, out = _run("gan-eval", str(tmp_path/"none"), str(tmp_path/"32_5"), "--n", "12", "--fid-size", "64", "--inception", "no")
    assert rc == 0 and "Lite0-FID@64px" in out and "Top-K 32_5" in out and "dense" in out
    ev = json.loads((tmp_path/"32_5"/"eval.json").read_text())
    assert ev["iters"] == 3 and ev["real"] == 100 and ev["Lite0-FID@64px"] > 0
    cfg, G = load_gan_run(tmp_path/"32_5", device="cpu")
    assert torch.equal(generate(G, 3, seed=1), generate(G, 3, seed=1))

def _cli_has_gan():
    from shape_sparsity.cli import make_parser
    return any("gan" in (getattr(a, "choices", None) or {}) for a in make_parser()._actions)

@pytest.mark.skipif(not _cli_has_gan(), reason="`gan` is not registered in shape_sparsity.cli.make_parser yet")
def test_console_script_errors_are_one_line(tmp_path):
    exe = shutil.which("shape-sparsity") or pytest.skip("the shape-sparsity console script is not on PATH")
    res = subprocess.run([exe, "gan", "--data", str(tmp_path), "--out", str(tmp_path/"run"), "--size", "32"], capture_output=True, text=True)
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith("shape-sparsity gan: error: no images found in")

def test_paper_preset_official_fid_and_selection(jeep_dls, tmp_path):
    "The paper preset at 32 px with the official FID protocol on Lite0 features: every FID is labelled, best.pth is the best"
    from shape_sparsity.gan_train import gan_preset, BEST
    paper = gan_preset("paper", jeep_dls.folders)
    assert paper["learner"]["topk"] == "32_5"  # the jeep wnid
    learn = gan_learner(jeep_dls, path=tmp_path, **TINY, **paper["learner"])
    res = fit_gan(learn, iters=3, ckpt_every=1, fid_size=64, **dict(paper["fit"], fid_every=1, fid_n=8, fid_features="lite0",
                                                                    patience=1, max_rollbacks=2))
    key = "Lite0-FID@64px [official protocol]"
    assert res["best"]["metric"] == key and all(len(f[key + " all"]) == 3 for f in res["fid"])
    assert len(res["rollbacks"]) <= 2 and res["iters_done"] == 3
    assert res["best"]["fid"] == min(f[key] for f in res["fid"])
    assert torch.load(tmp_path/BEST, weights_only=False)["iteration"] == res["best"]["iter"]
    assert load_gan_run(tmp_path, device="cpu")[0]["checkpoint"] == "best"

def test_forced_rollback_resumes_exactly(jeep, jeep_dls, tmp_path):
    "A rollback (forced by a stand-in FID) replays iterations with new random numbers; stopping and resuming changes nothing"
    fids = {(1, 0): 5., (2, 0): 6., (3, 0): 7., (2, 1): 4., (3, 1): 3., (4, 1): 2.}
    def fit(learn, iters):
        scorer = lambda fakes: {"FID (stub)": fids[learn.gan_iter, learn.gan_rollbacks]}
        return fit_gan(learn, iters=iters, ckpt_every=1, fid_every=1, fid_n=2, select_best=True, patience=2, eps_g=1e-4, fid_scorer=scorer)
    straight = gan_learner(jeep_dls, topk="16_10", path=tmp_path/"straight", **TINY)
    res = fit(straight, 4)
    assert res["rollbacks"] == [dict(at=3, to=1, best=5.)] and res["best"] == dict(iter=4, fid=2., metric="FID (stub)")
    first = gan_learner(jeep_dls, topk="16_10", path=tmp_path/"resumed", **TINY)
    fit(first, 3)
    resumed = gan_learner(gan_dls(jeep, size=32, bs=4, device="cpu"), topk="16_10", path=tmp_path/"resumed", **TINY)
    res2 = fit(resumed, 4)
    assert res2["rollbacks"] == res["rollbacks"] and res2["best"] == res["best"]
    _assert_same(_states(straight), _states(resumed))
    no_rb = gan_learner(jeep_dls, topk="16_10", path=tmp_path/"plain", **TINY)
    fit_gan(no_rb, iters=4, ckpt_every=1)
    assert not torch.equal(no_rb.gan_ema.state_dict()["to_big.parametrizations.weight.original"],
                           straight.gan_ema.state_dict()["to_big.parametrizations.weight.original"])

def test_cli_paper_preset(jeep, tmp_path):
    tiny = ["--size", "32", "--ngf", "8", "--ndf", "8", "--nz", "16", "--bs", "4", "--percept", "l1", "--ckpt-every", "1", "--threads", "1"]
    rc, out = _run("gan", "--data", jeep, "--out", str(tmp_path/"p"), "--preset", "paper", "--iters", "2", "--fid-every", "2", "--fid-n", "4",
                   "--fid-features", "lite0", "--fid-size", "64", *tiny)
    assert rc == 0 and "Top-K 32_5 generator" in out and "FID (official protocol, lite0 features) every 2 iterations on 3 x 4 images" in out
    assert "best: Lite0-FID@64px [official protocol]" in out and (tmp_path/"p"/"best.pth").is_file()
    cfg = json.loads((tmp_path/"p"/"results.json").read_text())["config"]
    assert cfg["mixed_precision"] in (False, None) and cfg["ema_warmup"] is False and cfg["selection"]["eps_g"] == 1e-4
