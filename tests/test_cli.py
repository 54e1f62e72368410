"""The `shape-sparsity` command as a user runs it: the installed console script (a subprocess) where processes matter
(installation, concurrency, a killed run), the in-process runner `cli.run_cli` (what `main` prints) for the rest.
Never downloads."""
import json, os, shutil, sys
from pathlib import Path
import pytest
from conftest import ROOT
from shape_sparsity.cli.main import run_cli
from shape_sparsity.testing import test_data_path as data_path  # aliased: pytest would collect test_*

EXE = shutil.which("shape-sparsity")
OFFLINE = {**os.environ, "SHAPE_SPARSITY_OFFLINE": "1", "MPLBACKEND": "Agg"}
SUBCOMMANDS = ["data", "stylize", "train", "table1", "world", "gan", "gan-eval", "shape-bias", "sweep", "synthesize", "demo", "train-demo"]

class Run:
    "What a user sees: exit code, stdout, stderr"
    def __init__(self, code, out, err): self.returncode, self.stdout, self.stderr = code, out, err

def exe(*args, check=True):
    "The installed console script, in a new process (offline)"
    res = __import__("subprocess").run([EXE, *map(str, args)], capture_output=True, text=True, env=OFFLINE, cwd=ROOT)
    if check: assert res.returncode == 0, f"{args} exited {res.returncode}\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res

@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    for k, v in OFFLINE.items():
        if k in ("SHAPE_SPARSITY_OFFLINE", "MPLBACKEND"): monkeypatch.setenv(k, v)

def cli(*args, check=True):
    "`shape-sparsity *args` in this process (`cli.run_cli`): the same output and exit code, without a new interpreter"
    res = Run(*run_cli(*args))
    if check: assert res.returncode == 0, f"{args} exited {res.returncode}\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res

def test_installed():
    assert EXE, "the shape-sparsity console script is not on PATH: is the package installed (pip install -e .)?"

@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_help(sub):
    out = cli(sub, "--help").stdout
    assert out.startswith(f"usage: shape-sparsity {sub}")

def test_top_level_help_lists_every_subcommand():
    out = exe("--help").stdout  # the installed entry point
    for sub in SUBCOMMANDS: assert sub in out

def test_shape_bias_json():
    "The console script prints the library's numbers as JSON (the published values are the shape-bias chapter's facts)"
    from shape_sparsity.evaluation.shape_bias import shape_bias, read_responses
    R = data_path("cue-conflict-responses")
    for files, n in (([R/"cue-conflict_VGG-normal_session-1.csv"], 1200), (sorted(R.glob("cue-conflict_subject-*.csv")), 12000)):
        res = json.loads(cli("shape-bias", "--responses", *files, "--json").stdout)
        assert abs(res["shape_bias"] - shape_bias(read_responses(files), n_boot=0).shape_bias) < 1e-12
        assert res["n_trials"] == n and res["shape_hits"] + res["texture_hits"] <= res["n_trials"]

def test_errors_are_clear():
    r = cli("shape-bias", "--responses", "/no/such/file.csv", check=False)
    assert r.returncode == 2 and "/no/such/file.csv" in r.stderr
    r = cli("train", "--data", "/no/such/folder", check=False)
    assert r.returncode != 0 and "/no/such/folder" in r.stderr
    r = cli("sweep", "--size", "16", check=False)  # Lite0 downsamples 32x: no map left for Top-K
    assert r.returncode == 2 and "argument --size: must be an integer >= 32" in r.stderr, r.stderr

def test_demo_main_job_offline(tmp_path):
    "The main job as a new user runs it with no network: the embedded Lite0, dense vs Top-K, on all 1280 stimuli"
    r = cli("demo", "--cue-conflict", data_path("cue-conflict"), "--out", tmp_path, "--quiet")
    rows = [l for l in r.stdout.splitlines() if l.startswith("| efficientnet_lite0")]
    assert len(rows) == 2 and "| dense |" in rows[0] and "| 0.2 |" in rows[1], r.stdout
    assert "shape bias [95% CI]" in r.stdout and "cue share" in r.stdout, r.stdout
    sb = [float(row.split("|")[4].split()[0]) for row in rows]
    assert sb[1] > sb[0] + 0.1, r.stdout  # the paper's effect, on a network it did not test (README: placement study)
    assert (tmp_path/"demo_shape_bias.png").stat().st_size > 0 and (tmp_path/"demo_sweep.png").stat().st_size > 0
    assert len(list(tmp_path.glob("cue-conflict_efficientnet_lite0-*_session-1.csv"))) == 2
    j = json.loads(cli("demo", "--cue-conflict", data_path("cue-conflict"), "--out", tmp_path, "--quiet", "--json").stdout)  # cached: instant
    assert [round(x["shape_bias"], 3) for x in j["rows"]] == sb and all(x["n_trials"] == 1200 for x in j["rows"])

def test_sweep_offline_writes_trials(tmp_path):
    "`sweep --arch efficientnet_lite0 --ks 1 0.2` offline, on a few images: table, cache, plot and each run's trials"
    r = cli("sweep", "--arch", "efficientnet_lite0", "--ks", "1", "0.2", "--n", "32", "--cue-conflict", data_path("cue-conflict"),
            "--out", tmp_path)  # no --quiet: stdout is a pipe here, so no progress-bar redraws in the log
    assert r.stdout.count("| efficientnet_lite0 |") == 2, r.stdout
    assert "\r" not in r.stdout + r.stderr and "█" not in r.stdout + r.stderr, r.stdout[:500]
    assert (tmp_path/"sweep.csv").exists() and (tmp_path/"sweep.png").exists()
    assert sorted(f.name for f in tmp_path.glob("cue-conflict_*.csv")) == [
        "cue-conflict_efficientnet_lite0-dense_session-1.csv", "cue-conflict_efficientnet_lite0-topk0.2_session-1.csv"]
    j = json.loads(cli("shape-bias", "--responses", tmp_path/"cue-conflict_efficientnet_lite0-topk0.2_session-1.csv", "--json").stdout)
    assert 0 <= j["shape_bias"] <= 1 and j["ci_low"] <= j["shape_bias"] <= j["ci_high"]

def test_train_demo_offline(tmp_path):
    "The offline training demo on real ImageNet images: stylize, train dense and Top-K briefly, print both accuracies"
    r = cli("train-demo", "--data", data_path("imagenet-mini"), "--arch", "resnet18", "--epochs", "1", "--size", "32",
            "--out", tmp_path, "--quiet")
    assert "| dense |" in r.stdout and "| Top-K 2_20 |" in r.stdout, r.stdout
    assert len(list((tmp_path/"val-stylized").rglob("*.png"))) == 60
    import pandas as pd
    df = pd.read_csv(tmp_path/"demo.csv")
    assert list(df.model) == ["dense", "Top-K 2_20"] and df.clean.between(0, 1).all() and df.stylized.between(0, 1).all()

def test_demo_pretrained_with_local_weights(tmp_path):
    "The pretrained demo's whole path offline: a local AlexNet state_dict (random here) and the local cue-conflict set"
    import torch, torchvision
    torch.save(torchvision.models.alexnet().state_dict(), tmp_path/"alexnet.pth")
    r = cli("demo", "--arch", "alexnet", "--weights", tmp_path/"alexnet.pth", "--cue-conflict", data_path("cue-conflict"), "--n", "16",
            "--size", "64", "--out", tmp_path/"out", "--quiet")
    assert "| alexnet dense | dense |" in r.stdout and "| alexnet Top-K 0.1 | 0.1 |" in r.stdout, r.stdout
    assert (tmp_path/"out"/"demo_shape_bias.png").stat().st_size > 0

def _val_folder(tmp_path, n=2):
    "A small ImageFolder split of real ImageNet images (symlinks): 2 classes x n images"
    src = tmp_path/"val"
    for c in ["n01440764", "n03594945"]:
        (src/c).mkdir(parents=True)
        for f in sorted((data_path("imagenet-mini")/"val"/c).glob("*.JPEG"))[:n]: (src/c/f.name).symlink_to(f)
    return src

def test_stylize_concurrent_runs_keep_each_others_work(tmp_path):
    "Two stylize runs into one folder at the same time: no lost manifest rows, no deleted temp files, every output there"
    import subprocess, pandas as pd
    src, dest = _val_folder(tmp_path, 3), tmp_path/"sty"
    procs = [subprocess.Popen([EXE, "stylize", src, dest, "--styles", s, "--size", "48", "--quiet"], env=OFFLINE, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for s in ("0", "5")]
    outs = [p.communicate(timeout=300) for p in procs]
    codes = [p.returncode for p in procs]  # both finish, or one is refused (the folder's lock) with a one-line message
    assert 0 in codes and all(c == 0 or (c == 2 and "in use" in e and len(e.strip().splitlines()) == 1) for c, (_, e) in zip(codes, outs)), outs
    styles = {f"style{s:02d}" for s, c in zip((0, 5), codes) if c == 0}
    man = pd.read_csv(dest/"manifest.csv")
    assert len(man) == 6 * len(styles) and set(man["style"]) == styles and set(man.status) == {"ok"}, man
    assert all(Path(o).exists() for o in man.output) and not list(dest.rglob("*.tmp"))

def test_stylize_exits_nonzero_when_every_image_fails(tmp_path):
    src = tmp_path/"val"/"n01440764"; src.mkdir(parents=True)
    for i in range(2): (src/f"broken{i}.JPEG").write_bytes(b"not a jpeg")
    r = cli("stylize", tmp_path/"val", tmp_path/"sty", "--styles", "0", "--quiet", check=False)
    assert r.returncode == 1 and "every one of the 2 stylizations failed" in r.stderr, (r.stdout, r.stderr)

def _mini_copy(dst):
    "A writable copy of imagenet-mini's val split as a tiny train/val subset (links: nothing is duplicated)"
    mini = data_path("imagenet-mini")
    for split in ("train", "val"):
        for c in (mini/"val").iterdir():
            (dst/split/c.name).mkdir(parents=True)
            for f in sorted(c.iterdir())[:4]: (dst/split/c.name/f.name).symlink_to(f)
    return dst

def test_train_refuses_before_the_first_epoch(tmp_path):
    "Bad data or a bad --out: one message naming the file or folder, exit 2, before any training (no run folder)"
    data = _mini_copy(tmp_path/"data")
    args = ["train", "--data", data, "--epochs", "1", "--size", "32", "--bs", "4", "--workers", "0", "--quiet"]
    good = sorted((data/"train"/"n03594945").iterdir())[0].resolve().read_bytes()
    (data/"train"/"n03594945"/"cut.JPEG").write_bytes(good[:len(good)//2])  # a truncated download
    r = cli(*args, "--out", tmp_path/"runs", check=False)
    assert r.returncode == 2 and "cut.JPEG (OSError: image file is truncated" in r.stderr, r.stderr
    assert not (tmp_path/"runs").exists() or not any((tmp_path/"runs").iterdir())
    (data/"train"/"n03594945"/"cut.JPEG").unlink()
    (tmp_path/"file").write_text("x")
    r = cli(*args, "--out", tmp_path/"file", check=False)
    assert r.returncode == 2 and f"--out '{tmp_path/'file'}' is a file, expected a folder" in r.stderr, r.stderr
    (data/"val"/"n09999999").mkdir(); (data/"val"/"n09999999"/"x.JPEG").symlink_to(sorted((data/"val"/"n03594945").iterdir())[0].resolve())
    r = cli(*args, "--out", tmp_path/"runs", check=False)
    assert r.returncode == 2 and "validation classes ['n09999999'] have no training images" in r.stderr, r.stderr
    shutil.rmtree(data/"val")
    (data/"val").mkdir()
    r = cli(*args, "--out", tmp_path/"runs", check=False)
    assert r.returncode == 2 and "the 'val' split has no images" in r.stderr, r.stderr

def test_bad_files_are_named(tmp_path):
    "A destination that is a file, and weights files that are not PyTorch files or hold other weights"
    (tmp_path/"file").write_text("x")
    r = cli("stylize", data_path("imagenet-mini")/"val", tmp_path/"file", "--styles", "0", "--size", "32", "--quiet", check=False)
    assert r.returncode == 2 and "is a file, expected a folder" in r.stderr, r.stderr
    (tmp_path/"page.pth").write_text("<html>404</html>")  # what a failed download often leaves
    r = cli("stylize", data_path("imagenet-mini")/"val", tmp_path/"out", "--engine", "adain", "--vgg", tmp_path/"page.pth",
            "--decoder", tmp_path/"page.pth", check=False)
    assert r.returncode == 2 and f"`vgg_path` '{tmp_path/'page.pth'}' is not a readable PyTorch weights file" in r.stderr, r.stderr
    r = cli("demo", "--arch", "alexnet", "--weights", tmp_path/"page.pth", "--cue-conflict", data_path("cue-conflict"),
            "--out", tmp_path/"demo", check=False)
    assert r.returncode == 2 and "is not a readable PyTorch weights file" in r.stderr and "Traceback" not in r.stderr, r.stderr

def test_world_killed_and_rerun_gives_the_uninterrupted_result(tmp_path):
    "The world study as a user runs it: SIGKILL after the first checkpoint, rerun the same command, same table as a straight run"
    import signal, subprocess, time
    args = ["world", "--arms", "dense", "2_20", "--seeds", "0", "--epochs", "3", "--n-train", "20", "--n-valid", "2", "--n-test", "2",
            "--n-conflict", "1", "--infer", "none", "--jobs", "1", "--threads", "1", "--json"]
    straight = json.loads(exe(*args, "--out", tmp_path/"a").stdout)
    p = subprocess.Popen([EXE, *map(str, args), "--out", tmp_path/"b"], env=OFFLINE, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ck = tmp_path/"b"/"paper_dense_s0"/"models"/"checkpoint.pth"
    t0 = time.time()
    while not ck.exists() and p.poll() is None and time.time() - t0 < 300: time.sleep(0.05)
    p.send_signal(signal.SIGKILL); p.wait()
    assert ck.exists() and not (tmp_path/"b"/"world_summary.csv").exists(), "killed too late to test a resume"
    resumed = json.loads(exe(*args, "--out", tmp_path/"b").stdout)
    keys = ["arm", "seed", "shape_bias", "cue_share", "agree_acc", "shape_only_acc", "texture_only_acc", "valid_acc"]
    assert [{k: r[k] for k in keys} for r in resumed["runs"]] == [{k: r[k] for k in keys} for r in straight["runs"]]
    assert json.loads((tmp_path/"b"/"paper_dense_s0"/"results.json").read_text())["epochs_done"] == 3
