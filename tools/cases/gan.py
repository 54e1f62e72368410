"Cases of the training runs (`train`, 06a) and the few-shot GAN (`gan`, `gan-eval`, 07a-07f): runs identified by their inputs' content, one writer per run folder"
import atexit, functools, json, os, shutil, subprocess, sys, tempfile
from pathlib import Path
import numpy as np
from PIL import Image
sys.path.insert(0, str(Path(__file__).parent.parent)); from user_cases import run, EXE
from shape_sparsity.testing import test_data_path

TINY = ["--size", "32", "--ngf", "8", "--ndf", "8", "--nz", "16", "--bs", "4", "--percept", "l1", "--threads", "1", "--quiet"]
MINI = test_data_path("imagenet-mini")

def _images(folder, n=8, seed=0, mode="RGB"):
    "`n` small random images in `folder` (16-bit greyscale PNGs if `mode` is 'I;16')"
    folder.mkdir(parents=True, exist_ok=True)
    g = np.random.default_rng(seed)
    for i in range(n):
        a = np.full((32, 32), 20000, np.uint16) if mode == "I;16" else g.integers(0, 256, (32, 32, 3), dtype=np.uint8)
        Image.fromarray(a).save(folder/f"img{i}.png")
    return folder

def _gan(data, out, *extra): return run("gan", "--data", data, "--out", out, *TINY, *extra)

def case_gan_resume_on_other_images_is_refused(tmp):
    "Same folder, same number of images, other pictures: another run, not a resume (the images are fingerprinted)"
    data = _images(tmp/"data")
    _gan(data, tmp/"run", "--iters", "1", "--ckpt-every", "1").ok()
    _images(data, seed=1)  # the same names and count, other content
    _gan(data, tmp/"run", "--iters", "2", "--ckpt-every", "1").one_line_error("images: ")

def case_gan_out_inside_data_is_refused(tmp):
    "Its sample grids would be read back as training images"
    data = _images(tmp/"data")
    _gan(data, data/"run", "--iters", "1").one_line_error("outside --data")

def case_gan_reports_only_its_own_samples(tmp):
    "An older run's iter_000003.png left in the folder is not this run's latest grid"
    data = _images(tmp/"data")
    _gan(data, tmp/"run", "--iters", "3", "--ckpt-every", "3").ok()
    (tmp/"run"/"checkpoint.pth").unlink(); (tmp/"run"/"results.json").unlink()  # start again, the old grids stay
    r = _gan(data, tmp/"run", "--iters", "2", "--ckpt-every", "2").ok()
    assert "iter_000002.png" in r.out and "iter_000003.png" not in r.out, r

def case_gan_second_run_into_a_training_out_is_refused(tmp):
    "A real `gan` training in --out and a second `gan` with another --topk into it: refused in one line, before saying 'resuming'; the first trains on"
    data, out = _images(tmp/"data"), tmp/"run"
    first = subprocess.Popen([EXE, "gan", "--data", str(data), "--out", str(out), *TINY[:-1], "--topk", "none", "--iters", "100000", "--ckpt-every", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in first.stdout:  # one line per iteration without a terminal; iteration 1 is checkpointed once iteration 2's line comes
            if line.startswith("iter 2:"): break
        else: raise AssertionError(f"the first run ended (exit {first.wait()}) before its second iteration")
        r = _gan(data, out, "--iters", "1", "--topk", "32_5")
        r.one_line_error("in use by another shape-sparsity job")
        assert "resuming" not in r.out, f"the refused run said it was resuming: {r.out!r}"
        assert first.poll() is None, "the first run stopped"
    finally: first.kill(); first.wait()
    _gan(data, out, "--iters", "1", "--topk", "32_5").one_line_error("topk: None -> '32_5'")  # then: another run, not a resume

def case_gan_resumes_on_its_images_moved(tmp):
    "The same images moved to another folder resume the run (identified by content; the path was a must-match and refused it)"
    data = _images(tmp/"data")
    _gan(data, tmp/"run", "--iters", "1", "--ckpt-every", "1").ok()
    data.rename(tmp/"moved")
    r = _gan(tmp/"moved", tmp/"run", "--iters", "2", "--ckpt-every", "1").ok()
    assert "resuming" in r.out and "2 iterations" in r.out, r

EV = ("--n", "4", "--fid-size", "32", "--inception", "no", "--quiet")

def case_gan_eval_checks_the_run_images(tmp):
    "gan-eval: images moved (say where), found again with --data (by content), changed in place (refused: not the run's), other --data (said)"
    data = _images(tmp/"data")
    _gan(data, tmp/"run", "--iters", "1").ok()
    data.rename(tmp/"moved")
    run("gan-eval", tmp/"run", *EV).one_line_error("if they moved, give their folder with --data")
    run("gan-eval", tmp/"run", *EV, "--data", tmp/"moved").ok()
    ev, cfg = (json.loads((tmp/"run"/f).read_text()) for f in ("eval.json", "results.json"))
    assert ev["images"] == cfg["config"]["images"] and ev["training_images"] is True, ev
    _images(tmp/"data", seed=1)  # the run's folder again, other pictures in it
    run("gan-eval", tmp/"run", *EV).one_line_error("not the ones it was trained on")
    r = run("gan-eval", tmp/"run", *EV, "--data", tmp/"data").ok()
    assert "not the run's training images" in r.err and json.loads((tmp/"run"/"eval.json").read_text())["training_images"] is False, r

def case_gan_huge_numbers_are_bounded(tmp):
    "Seeds past 2**32-1 ended in 'Overflow when unpacking long long'; --fid-n/--n/--fid-size/--bs had no upper bound (all fakes are held in memory)"
    data = _images(tmp/"data")
    _usage_error(_gan(data, tmp/"run", "--iters", "1", "--seed", 2**64), "argument --seed: must be a seed")
    _usage_error(_gan(data, tmp/"run", "--iters", "1", "--fid-n", 10**9), "argument --fid-n: must be an integer in [1, 50000]")
    _usage_error(_gan(data, tmp/"run", "--iters", "1", "--bs", 10**9), "argument --bs")
    for opt, v in (("--seed", 2**64), ("--n", 10**9), ("--fid-size", 10**6), ("--bs", 10**9)):
        _usage_error(run("gan-eval", tmp/"run", opt, v), f"argument {opt}")
    _usage_error(run("world", "--out", tmp/"w", "--arms", "nonsense", "--n-train", 10**9), "argument --n-train")
    _usage_error(run("synthesize", "--images", tmp/"none.png", "--out", tmp/"s", "--seeds", 2**64), "argument --seeds: must be a seed")

def _usage_error(r, *contains):
    "argparse's refusal: exit 2, its usage line and one error line, no traceback"
    last = r.err.strip().splitlines()[-1]
    assert r.code == 2 and "Traceback" not in r.err and all(c in last for c in contains), f"expected an argparse error, got {r!r}"

def case_gan_huge_width_is_bounded(tmp):
    "--ngf 999999992 tried to allocate the network and ended in a traceback"
    _usage_error(_gan(_images(tmp/"data"), tmp/"run", "--ngf", "999999992"), "argument --ngf: must be an integer in [8, 256]")

def case_gan_diverging_run_stops_with_an_error(tmp):
    "A learning rate of 1e30: NaN losses stop the run with exit 2, not a 'finished' run of NaN weights"
    r = _gan(_images(tmp/"data"), tmp/"run", "--iters", "2", "--ckpt-every", "2", "--lr", "1e30")
    r.one_line_error("diverged")
    assert not (tmp/"run"/"checkpoint.pth").exists()

def case_gan_eval_prints_what_it_cannot_save(tmp):
    "gan-eval on a run whose eval.json cannot be written (here a folder stands there; a read-only run as a non-root user) still prints the result"
    data = _images(tmp/"data")
    _gan(data, tmp/"run", "--iters", "1").ok()
    (tmp/"run"/"eval.json").mkdir()
    r = run("gan-eval", tmp/"run", "--n", "4", "--fid-size", "32", "--inception", "no", "--quiet").ok()
    assert "Lite0-FID@32px" in r.out and "could not save" in r.err, r

def case_gan_checkpoint_holding_a_list(tmp):
    import torch
    data = _images(tmp/"data"); (tmp/"run").mkdir()
    torch.save([1, 2], tmp/"run"/"checkpoint.pth")
    _gan(data, tmp/"run", "--iters", "1").one_line_error("checkpoint.pth")

def case_gan_16bit_training_images_are_grey(tmp):
    "16-bit greyscale PNGs (value 20000 of 65535) reach the GAN as grey (~78), not white"
    from shape_sparsity.gan.data import gan_dls
    m = gan_dls(_images(tmp/"data", mode="I;16"), size=32, bs=4, device="cpu").images.float().mean().item()
    assert abs(m - 20000 / 257) < 1, f"mean {m:.1f}, expected ~77.8"

TRAIN = ["--epochs", "1", "--size", "32", "--bs", "8", "--quiet", "--no-image-check", "--workers", "0"]

@functools.lru_cache(None)
def _trained() -> Path:
    "One finished 1-epoch `train` run on a small copy of imagenet-mini (links: 8 training and 4 validation images a class), its val images as the stylized set"
    root = Path(tempfile.mkdtemp(prefix="cases-train-")); atexit.register(shutil.rmtree, root, True)
    for split, n in (("train", 8), ("val", 4)):
        for c in sorted((MINI/split).iterdir()):
            (root/"data"/split/c.name).mkdir(parents=True)
            for f in sorted(c.iterdir())[:n]: os.symlink(f, root/"data"/split/c.name/f.name)
    run("train", "--data", root/"data", "--out", root/"runs", "--stylized", root/"data"/"val", *TRAIN).ok()
    return root

def case_train_batch_larger_than_training_set(tmp):
    "--bs 256 on 240 training images took zero steps and called the run complete"
    run("train", "--data", MINI, "--out", tmp, *TRAIN[:4], "--bs", "256", *TRAIN[6:]).one_line_error("larger than the training set (240 images)")

def case_train_new_stylized_set_is_not_the_cached_one(tmp):
    "A finished run asked about another --stylized set must not reprint the old set's accuracy"
    root = _trained()
    run("train", "--data", root/"data", "--out", root/"runs", "--stylized", root/"data"/"train", *TRAIN).one_line_error("stylized_fingerprint")

def case_train_data_identified_by_content(tmp):
    "The same data folder with one training image replaced is another run, not the finished one"
    root = _trained()
    f = sorted((root/"data"/"train").rglob("*.JPEG"))[0]
    target = os.readlink(f); f.unlink(); shutil.copy(sorted(MINI.rglob("*.JPEG"))[-1], f)
    try: run("train", "--data", root/"data", "--out", root/"runs", "--stylized", root/"data"/"val", *TRAIN).one_line_error("data_fingerprint")
    finally: f.unlink(); os.symlink(target, f)
