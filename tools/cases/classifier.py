"Cases of the classifier jobs (data, demo, sweep, table1, train) and the command line's error handling"
import json, os, shutil, signal, subprocess, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent.parent))
from user_cases import run, EXE, locked_by_another_process

def _data(sub=None):
    from shape_sparsity.testing import test_data_path
    return test_data_path(sub)

CC = lambda: _data("cue-conflict")
FAST = ["--size", "64", "--backend", "torch", "--quiet"]  # the sweep's small settings (Lite0 from its wheel, offline)

def _mini(dst, classes=("n01440764", "n03594945"), skip=0, n=4):
    "A tiny train/val ImageFolder of imagenet-mini links: `n` images per class and split, after the first `skip`"
    for split in ("train", "val"):
        for c in classes:
            (dst/split/c).mkdir(parents=True)
            for f in sorted((_data("imagenet-mini")/"val"/c).iterdir())[skip:skip + n]: (dst/split/c/f.name).symlink_to(f)
    return dst

def _last_line(r, *contains):
    "An argparse usage error: exit 2, no traceback, the last stderr line says what is wrong"
    assert r.code == 2 and "Traceback" not in r.err, f"expected a usage error, got {r!r}"
    last = r.err.strip().splitlines()[-1]
    for c in contains: assert c in last, f"{c!r} not in {last!r}"

def _lite_weights(path, seed):
    import torch
    from shape_sparsity.models import efficientnet_lite
    torch.manual_seed(seed)
    torch.save(efficientnet_lite("efficientnet_lite0", weights=None).state_dict(), path)

def case_demo_data_other_data_same_out(tmp):
    "issue 19 #1: demo --data (now train-demo) B into A's --out reprinted A's table and mixed A's and B's stylized images"
    a, b = _mini(tmp/"A", n=2), _mini(tmp/"B", skip=2, n=2)
    args = ["train-demo", "--arch", "resnet18", "--epochs", "1", "--size", "32", "--bs", "4", "--quiet", "--out", tmp/"O"]
    run(*args, "--data", a).ok()
    run(*args, "--data", b).one_line_error("holds another run", "images")

def case_sweep_weights_replaced_in_place(tmp):
    "issue 19 #3: the sweep cache was keyed by the weights' path: a replaced file gave the old numbers"
    w, keys = tmp/"w.pth", ("shape_hits", "texture_hits", "shape_accuracy", "texture_accuracy")
    args = ["sweep", "--ks", "0.2", "--n", "8", "--cue-conflict", CC(), *FAST, "--json", "--weights", w]
    rows = lambda r: [{k: x[k] for k in keys} for x in json.loads(r.ok().out)["rows"]]
    _lite_weights(w, 0); first = rows(run(*args, "--out", tmp/"s"))
    _lite_weights(w, 1); again, fresh = rows(run(*args, "--out", tmp/"s")), rows(run(*args, "--out", tmp/"fresh"))
    assert fresh != first, "the two weights files give the same numbers: the case shows nothing"
    assert again == fresh, f"after replacing --weights, the sweep reported {again}, but those weights give {fresh}"

def case_sweep_trials_match_the_table(tmp):
    "issue 19 #4: --n 8, --n 16, --n 8: the table said n=8 but the trials CSV beside it was the 16-image run"
    for n in (8, 16, 8): r = run("sweep", "--ks", "0.2", "--n", n, "--cue-conflict", CC(), *FAST, "--out", tmp).ok()
    import pandas as pd
    for f in ("cue-conflict_efficientnet_lite0-dense_session-1.csv", "cue-conflict_efficientnet_lite0-topk0.2_session-1.csv"):
        got = len(pd.read_csv(tmp/f))
        assert got == 8, f"{f} holds {got} trials, but the table beside it is the 8-image run"

def case_data_dest_other_wnids(tmp):
    "issue 19 #13: data --out (was --dest) reused with other --wnids kept the old classes beside the new ones"
    mini = _data("imagenet-mini")
    run("data", "--imagenet", mini, "--wnids", "n01440764", "n03594945", "--out", tmp/"d").ok()
    run("data", "--imagenet", mini, "--wnids", "n03201208", "--out", tmp/"d").one_line_error("holds another subset", "n03201208")

def case_second_sweep_into_a_busy_folder(tmp):
    "lost work: two sweeps with different --ks into one --out both said saved, the last writer's rows only"
    with locked_by_another_process(tmp/"s"):
        run("sweep", "--ks", "0.5", "--n", "8", "--cue-conflict", CC(), *FAST, "--out", tmp/"s").one_line_error("in use by another shape-sparsity job")
    assert not (tmp/"s"/"sweep.csv").exists(), "the refused sweep wrote into the busy folder"

def case_sweep_ctrl_c(tmp):
    "a traceback: Ctrl-C showed KeyboardInterrupt's"
    out = tmp/"s"
    p = subprocess.Popen([EXE, "sweep", "--ks", "0.1", "0.2", "--n", "64", "--cue-conflict", str(CC()), *FAST, "--out", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock, t0 = out/".shape_sparsity.lock", time.time()  # the sweep writes its pid there once it holds --out: it is working
    while p.poll() is None and time.time() - t0 < 120 and not (lock.exists() and lock.read_text().strip() == str(p.pid)): time.sleep(0.02)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    lines = [l for l in err.strip().splitlines() if l.strip()]
    assert p.returncode == 130 and len(lines) == 1 and "Traceback" not in err and "interrupted" in lines[0], (p.returncode, err[-1500:])

def case_foreign_sweep_csv_is_not_overwritten(tmp):
    "lost work: a sweep.csv the package did not write was overwritten without a word"
    (tmp/"sweep.csv").write_text("name,score\nmine,1\n")
    run("sweep", "--ks", "0.2", "--n", "4", "--cue-conflict", CC(), *FAST, "--out", tmp).one_line_error("not a CSV this package wrote")
    assert (tmp/"sweep.csv").read_text() == "name,score\nmine,1\n", "the user's sweep.csv was overwritten"

def case_sweep_huge_size(tmp):
    "sweep --size 100000 grew to ~24 GB and was OOM-killed (here under an address-space limit of 6 GB more than now)"
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    vm = int(next(l for l in open("/proc/self/status") if l.startswith("VmSize")).split()[1]) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (vm + (6 << 30), hard))
    try: r = run("sweep", "--size", 100000, "--n", 1, "--cue-conflict", CC(), "--out", tmp/"s", "--quiet")
    finally: resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    _last_line(r, "--size")

def case_folder_named_sweep_csv(tmp):
    "traceback: a folder named sweep.csv (or sweep.png) in --out"
    (tmp/"sweep.csv").mkdir()
    run("sweep", "--ks", "0.2", "--n", "4", "--cue-conflict", CC(), *FAST, "--out", tmp).one_line_error("sweep.csv", "is a folder")

def case_imagenette_offline(tmp):
    "traceback: data --imagenette without the network (SHAPE_SPARSITY_OFFLINE=1 too) must say the network is needed"
    old = os.environ.get("FASTAI_HOME")
    os.environ["FASTAI_HOME"] = str(tmp)  # nothing downloaded yet
    try: r = run("data", "--imagenette", "--size", "160")
    finally:
        if old is None: os.environ.pop("FASTAI_HOME", None)
        else: os.environ["FASTAI_HOME"] = old
    r.one_line_error("needs the network")

def case_table1_report_beside_a_gan_run(tmp):
    "traceback: table1 --report-only over a folder that also holds a GAN run"
    h = [dict(epoch=0, valid_acc=0.5, stylized_acc=0.3, train_loss=1.0)]
    cls = dict(config=dict(subset="in-s1", arch="paper", topk=None, seed=0, epochs=1), complete=True, epochs_done=1, history=h,
               best=dict(valid_acc=0.5, stylized_acc=0.3), final=dict(valid_acc=0.5, stylized_acc=0.3))
    gan = dict(config=dict(ngf=8), iters_done=10, complete=True, history=[], fid=None)
    for d, r in (("in-s1_paper_dense_s0", cls), ("gan", gan)):
        (tmp/d).mkdir(); (tmp/d/"results.json").write_text(json.dumps(r))
    out = run("table1", "--report-only", "--out", tmp).ok().out
    assert "| in-s1 | dense | 1 | 50.0" in out, out

def case_demo_k_1(tmp):
    "misleading: demo --k 1 said 'Length of values (2) does not match length of index (1)'"
    run("demo", "--k", "1", "--n", "4", "--size", "64", "--cue-conflict", CC(), "--out", tmp).one_line_error("--k")

def case_huge_seed(tmp):
    "misleading: a huge --seed said 'Overflow when unpacking long long'"
    r = run("train", "--data", _mini(tmp/"d"), "--seed", 2**64, "--epochs", "1", "--size", "32", "--no-image-check", "--quiet", "--out", tmp/"r")
    _last_line(r, "--seed")

def case_weights_file_missing(tmp):
    "misleading: --weights missing.pth said it needs torchvision's weights from the network"
    run("demo", "--arch", "alexnet", "--weights", tmp/"missing.pth", "--cue-conflict", CC(), "--out", tmp/"o").one_line_error("not found", "missing.pth")

def case_sweep_out_is_a_file(tmp):
    "misleading: sweep --out FILE said 'File exists'"
    (tmp/"f").write_text("x")
    run("sweep", "--n", "4", "--cue-conflict", CC(), *FAST, "--out", tmp/"f").one_line_error("is a file, expected a folder")

# --- train, table1 --------------------------------------------------------------------------------------------

TINY_TRAIN = ["--arch", "resnet18", "--epochs", "1", "--size", "32", "--bs", "4", "--quiet"]

def case_table1_other_data_or_settings_same_out(tmp):
    "review #1: table1 with other data (or --epochs) into the same --out reprinted the old table with exit 0"
    a, b = _mini(tmp/"A", n=2), _mini(tmp/"B", skip=2, n=2)
    args = ["table1", "--seeds", "0", "--epochs", "1", "--size", "32", "--bs", "4", "--no-stylized", "--workers", "0", "--arch", "resnet18"]
    run(*args, "--in-s1", a, "--out", tmp/"T").ok()
    run(*args, "--in-s1", b, "--out", tmp/"T").one_line_error("holds another run", "data_fingerprint")
    run(*[x if x != "1" else "2" for x in args], "--in-s1", a, "--out", tmp/"T").one_line_error("holds another run", "epochs: 1 -> 2")

def _results(run_folder): return json.loads((run_folder/"results.json").read_text())

def case_train_16bit_pngs(tmp):
    "review #5: train on 16-bit PNGs saw white images (fastai's PILImage clips them): the run must equal one on their 8-bit copies"
    import numpy as np
    from PIL import Image
    src = _mini(tmp/"src", n=2)
    for bits in (8, 16):
        for f in src.rglob("*.JPEG"):
            a = np.asarray(Image.open(f).convert("L").resize((40, 40)))
            d = tmp/f"d{bits}"/f.relative_to(src).with_suffix(".png"); d.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(a.astype(np.uint16) * 257 if bits == 16 else a).save(d)
    for bits in (8, 16): run("train", "--data", tmp/f"d{bits}", "--topk", "none", *TINY_TRAIN, "--out", tmp/f"r{bits}").ok()
    h8, h16 = (_results(tmp/f"r{b}"/"resnet18_dense_s0")["history"][0] for b in (8, 16))
    assert abs(h8["train_loss"] - h16["train_loss"]) < 1e-5 and h8["valid_acc"] == h16["valid_acc"], \
        f"16-bit PNGs train differently from their 8-bit copies: {h16} vs {h8}"

def case_train_resume_after_moving_the_data(tmp):
    "review #4: the same images moved to another folder: a rerun was refused (the data's absolute path must match), hinting to delete the run"
    d = _mini(tmp/"A", n=2)
    run("train", "--data", d, "--topk", "none", *TINY_TRAIN, "--out", tmp/"r").ok()
    shutil.move(d, tmp/"moved")
    r = run("train", "--data", tmp/"moved", "--topk", "none", *TINY_TRAIN, "--out", tmp/"r").ok()
    assert "clean accuracy" in r.out, r

# --- issue 26 #8: the shared layers (run identity, argument checks, strict JSON) ------------------------------

def case_train_schedule_is_part_of_the_run(tmp):
    "issue 26 #1: train, then the same with --per-batch: the finished run was reprinted as the --per-batch answer"
    d, args = _mini(tmp/"D", n=2), ["--topk", "2_20", "--seed", "0", *TINY_TRAIN, "--out", tmp/"O"]
    run("train", "--data", d, *args).ok()
    run("train", "--data", d, *args, "--per-batch").one_line_error("holds another run", "schedule")

def case_train_same_size_copy_with_mtime(tmp):
    "issue 26 #2: `cp -p` of a same-size image over a trained one (same mtime, as unpacked archives have) went unseen"
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(0)
    for split in ("train", "val"):
        for c in ("a", "b"):
            (tmp/"D"/split/c).mkdir(parents=True)
            for i in range(2):  # uncompressed PNGs: every file has the same size
                Image.fromarray(rng.integers(0, 256, (32, 32, 3), np.uint8)).save(tmp/"D"/split/c/f"{i}.png", compress_level=0)
    files = sorted((tmp/"D").rglob("*.png"))
    for f in files: os.utime(f, ns=(1_600_000_000_000_000_000,) * 2)  # one mtime for all, as `tar x` or `unzip` leave them
    time.sleep(2.5)  # unpacked a while before the run
    args = ["train", "--data", tmp/"D", "--topk", "none", *TINY_TRAIN, "--no-image-check", "--out", tmp/"O"]
    run(*args).ok()
    shutil.copy2(files[1], files[0])  # `cp -p`: the same size and mtime, other bytes
    run(*args).one_line_error("holds another run", "data_fingerprint")

def case_topk_that_keeps_every_position(tmp):
    "issue 26 #3: resnet18 at 32 px has 1x1 maps after layer 4: --topk 4_50 keeps every position, a dense net named 4_50"
    d = _mini(tmp/"D", n=2)
    run("train", "--data", d, "--topk", "4_50", *TINY_TRAIN, "--out", tmp/"O").one_line_error("4_50", "keeps all 1 positions")
    run("train-demo", "--data", d, "--topk", "4_50", *TINY_TRAIN, "--out", tmp/"demo").one_line_error("4_50", "keeps all")
    run("table1", "--in-s1", d, "--seeds", "0", "--epochs", "1", "--size", "8", "--bs", "4", "--no-stylized", "--workers", "0",
        "--arch", "resnet18", "--quiet", "--out", tmp/"T").one_line_error("2_20", "keeps all")
    assert not any(p.name == "results.json" for p in tmp.rglob("*")), "a refused command trained first"

def case_demo_options_that_do_not_apply(tmp):
    ("issue 26 #6: demo --topk 2_20 (and --arch, --epochs, --styles) without --data were ignored: the preset's result "
     "printed. The training demo is its own command now (train-demo): each refuses the other's options in one line")
    for opt, says in ((["--topk", "2_20"], "unrecognized arguments: --topk 2_20"), (["--epochs", "3"], "unrecognized"),
                      (["--styles", "1"], "unrecognized"), (["--arch", "resnet18"], "invalid choice: 'resnet18'")):
        run("demo", "--cue-conflict", CC(), "--n", "4", "--size", "64", "--quiet", *opt, "--out", tmp/"o").one_line_error(
            says, "(see shape-sparsity")
    run("demo", "--data", _mini(tmp/"D", n=2), "--out", tmp/"d").one_line_error("train-demo --data")
    run("train-demo", "--data", tmp/"D", "--k", "0.1", *TINY_TRAIN, "--out", tmp/"d").one_line_error(
        "unrecognized arguments: --k 0.1")
    assert not (tmp/"o").exists() and not (tmp/"d").exists(), "a refused command wrote files"

def case_shape_bias_json_is_json(tmp):
    "issue 26 #7: shape-bias --json printed bare NaN when no trial was decided for either cue"
    import pandas as pd
    df = pd.read_csv(_data("cue-conflict-responses")/"cue-conflict_VGG-normal_session-1.csv").head(20)
    df["object_response"] = "knife"  # neither cue for these trials: no decision, no shape bias
    df = df[(df.category != "knife") & ~df.imagename.str.contains("-knife")]
    df.to_csv(tmp/"r.csv", index=False)
    out = run("shape-bias", "--responses", tmp/"r.csv", "--json").ok().out
    json.loads(out, parse_constant=lambda c: (_ for _ in ()).throw(AssertionError(f"{c} is not JSON: {out[:300]}")))

def case_sweep_duplicate_ks(tmp):
    "issue 26 #8: sweep --ks 0.2 0.20 ran k=0.2 twice"
    run("sweep", "--ks", "0.2", "0.20", "--n", "4", "--cue-conflict", CC(), *FAST, "--out", tmp/"s").one_line_error(
        "--ks has duplicates [0.2]")
    assert not (tmp/"s").exists(), "a refused command wrote files"
