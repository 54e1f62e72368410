"`shape-sparsity synthesize` end to end, offline, at a tiny size: the images, the figure, reruns, bad input"
import argparse, os, shutil, subprocess
from pathlib import Path
import numpy as np
import pytest
from PIL import Image
from conftest import ROOT
from shape_sparsity.testing import test_data_path as data_path  # aliased: pytest would collect test_*
from shape_sparsity.texture import add_synthesize_parser, read_texture_info, texture_name

JEEPS = sorted((data_path("imagenet-mini")/"val"/"n03594945").iterdir())[:3]
TINY = ["--size", "40", "--steps", "1", "--iters-per-step", "2"]

def parser():
    p = argparse.ArgumentParser(prog="shape-sparsity")
    add_synthesize_parser(p.add_subparsers(dest="command"))
    return p

def synthesize(*args):
    "Parse `shape-sparsity synthesize ARGS` and run it in this process, as the CLI's `main` does (no progress bars)"
    a = parser().parse_args(["synthesize", *map(str, args)])
    a.no_bars = True
    return a.func(a)

def snapshot(d): return {p.name: p.stat().st_mtime_ns for p in Path(d).iterdir()}

def test_three_kinds_and_the_figure(tmp_path, capsys):
    out = tmp_path/"out"
    assert synthesize("--images", *JEEPS, "--out", out, *TINY) == 0
    assert "9 syntheses written" in capsys.readouterr().out
    for f in JEEPS:
        for n in ("all", "topk", "non_topk"):
            p = out/texture_name(f, n, 0, size=40, steps=1, iters_per_step=2)
            assert p.is_file(), p
            im = Image.open(p)
            assert im.size == (40, 40) and im.mode == "RGB"
            info = read_texture_info(p)
            assert (info["neurons"], info["seed"], info["size"], info["k"]) == (n, 0, 40, 0.05)
    fig = Image.open(out/"texture_synthesis.png")
    assert fig.width > 300 and fig.height > 300  # 3 rows x 4 columns
    a, b = (np.asarray(Image.open(out/texture_name(JEEPS[0], n, 0, size=40, steps=1, iters_per_step=2))) for n in ("topk", "non_topk"))
    assert not np.array_equal(a, b)

def test_rerun_skips_and_other_settings_do_not(tmp_path, capsys):
    out = tmp_path/"out"
    synthesize("--images", JEEPS[0], "--neurons", "topk", "--out", out, *TINY)
    before = snapshot(out)
    capsys.readouterr()
    assert synthesize("--images", JEEPS[0], "--neurons", "topk", "--out", out, *TINY) == 0
    assert "0 syntheses written" in capsys.readouterr().out
    assert snapshot(out) == before  # nothing rewritten, not even the figure
    synthesize("--images", JEEPS[0], "--neurons", "topk", "--k", "0.2", "--seeds", "0", "1", "--out", out, *TINY)
    assert "2 syntheses written" in capsys.readouterr().out
    assert {n: t for n, t in snapshot(out).items() if n in before and n != "texture_synthesis.png"} == \
           {n: t for n, t in before.items() if n != "texture_synthesis.png"}  # the k=0.05 file untouched
    s0, s1 = (np.asarray(Image.open(out/texture_name(JEEPS[0], "topk", s, k=0.2, size=40, steps=1, iters_per_step=2))) for s in (0, 1))
    assert not np.array_equal(s0, s1)

def test_folder_input(tmp_path):
    d = tmp_path/"imgs"; d.mkdir()
    for f in JEEPS[:2]: shutil.copy(f, d/f.name)
    assert synthesize("--images", d, "--neurons", "all", "--out", tmp_path/"out", *TINY) == 0
    assert len(list((tmp_path/"out").glob("n03594945_*_all_*.png"))) == 2

def test_bad_input_is_named(tmp_path, capsys):
    with pytest.raises(FileNotFoundError, match=r"--images: path not found: '.*no/such\.jpg'"):
        synthesize("--images", tmp_path/"no"/"such.jpg", "--out", tmp_path/"out")
    (tmp_path/"empty").mkdir()
    with pytest.raises(ValueError, match="--images: no image files"):
        synthesize("--images", tmp_path/"empty", "--out", tmp_path/"out")
    with pytest.raises(ValueError, match="--size 16 is too small for this network.*32 or more"):
        synthesize("--images", JEEPS[0], "--size", "16", "--out", tmp_path/"out")
    with pytest.raises(ValueError, match="`--layers`: EfficientNet has no layer 'blocks.9'; valid names"):
        synthesize("--images", JEEPS[0], "--layers", "blocks.9", "--out", tmp_path/"out")
    assert not (tmp_path/"out").exists() or not any((tmp_path/"out").glob("*.png"))  # nothing made
    for bad in (["--k", "0"], ["--k", "1.5"], ["--steps", "0"], ["--neurons", "some"]):
        with pytest.raises(SystemExit): synthesize("--images", JEEPS[0], *bad)
        assert bad[0] in capsys.readouterr().err

def _wired() -> bool:
    "Whether the CLI's parser has the `synthesize` subcommand (checked in this process: no subprocess at collection)"
    from shape_sparsity.cli import make_parser
    subs = [a for a in make_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return bool(shutil.which("shape-sparsity")) and any("synthesize" in a.choices for a in subs)

@pytest.mark.skipif(not _wired(), reason="`synthesize` is not wired into shape_sparsity.cli yet")
def test_console_script(tmp_path):
    env = {**os.environ, "SHAPE_SPARSITY_OFFLINE": "1", "MPLBACKEND": "Agg"}
    run = lambda *a: subprocess.run(["shape-sparsity", "synthesize", *map(str, a)], capture_output=True, text=True, env=env, cwd=ROOT)
    r = run("--images", JEEPS[0], "--out", tmp_path/"out", *TINY)
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path/"out").glob("*.png"))) == 4  # three syntheses and the figure
    r = run("--images", tmp_path/"missing", "--out", tmp_path/"out")
    assert r.returncode == 2 and r.stderr.strip().startswith("shape-sparsity synthesize: error:") and "missing" in r.stderr, r.stderr

def test_paper_preset_conditions(tmp_path, capsys):
    "--preset paper: the paper's conditions (all, non-Top-K, the supplement's Top-K activations), official settings in every name"
    out = tmp_path/"paper"
    assert synthesize("--images", JEEPS[0], "--out", out, "--preset", "paper", "--size", "40", "--steps", "1", "--iters-per-step", "2") == 0
    names = sorted(p.name for p in out.glob("n03594945_*.png"))
    assert len(names) == 3 and all("squash" in n and "officialloss" in n and "histmatch" in n and "strong_wolfe" in n for n in names)
    act = [n for n in names if "_act_" in n]
    assert len(act) == 1 and "_topk_" in act[0] and "lr10" in act[0]
    assert read_texture_info(out/act[0])["match"] == "activations"

def test_gatys_vgg19_file_and_synthesis(tmp_path):
    "A VGG-19 saved in the official file format (a pickle of (module sources, pickled network)) loads without running its code"
    import pickle, torch
    from shape_sparsity.texture import gatys_vgg19, load_gatys_vgg19, synthesize_texture, texture_preset, TEXTURE_LAYERS
    torch.manual_seed(0)
    net = gatys_vgg19()
    path = tmp_path/"VGG19_normalized_avg_pool_pytorch"
    with open(path, "wb") as f: pickle.dump(({"torch.nn.modules.container": "raise SystemExit('stored code ran')"}, pickle.dumps(net)), f)
    loaded = load_gatys_vgg19(path)
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad(): assert torch.equal(loaded(x), net(x))
    torch.save(net.state_dict(), tmp_path/"sd.pth")
    with torch.no_grad(): assert torch.equal(load_gatys_vgg19(tmp_path/"sd.pth")(x), net(x))
    evil = tmp_path/"evil"
    with open(evil, "wb") as f: pickle.dump(({}, pickle.dumps(os.getcwd)), f)  # a pickle that would call something else
    with pytest.raises(ValueError, match="does not import"): load_gatys_vgg19(evil)
    with pytest.raises(FileNotFoundError, match="does not come with the package"): load_gatys_vgg19(tmp_path/"missing")
    img = synthesize_texture(JEEPS[0], loaded, TEXTURE_LAYERS["gatys_vgg19"], **dict(texture_preset("paper"), size=32, steps=1, iters_per_step=3),
                             progress=False, threads=1)
    assert img.size == (32, 32) and np.isfinite(img.info["loss"])
