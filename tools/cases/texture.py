"Cases of `synthesize` (10b_texture.study) and `stylize` (05b_data.stylize): results reused only when they are what was asked for"
import shutil, subprocess, sys, time
from pathlib import Path
import numpy as np
from PIL import Image
sys.path.insert(0, str(Path(__file__).parent.parent)); from user_cases import run, locked_by_another_process

BASE = ["--size", 32, "--steps", 1, "--iters-per-step", 2, "--threads", 1, "--quiet"]
TINY = [*BASE, "--neurons", "all"]

def _jeeps(n=2):
    from shape_sparsity.testing import test_data_path
    return sorted((test_data_path("imagenet-mini")/"val"/"n03594945").iterdir())[:n]

def _pixels(p): return np.asarray(Image.open(p).convert("RGB"))

def _syntheses(out): return sorted(p for p in Path(out).glob("*.png") if p.name != "texture_synthesis.png")

def _ramps(folder):
    "The same grey ramp as a 16-bit PNG and as the 8-bit PNG it should read as"
    folder.mkdir(parents=True, exist_ok=True)
    a8 = np.tile(np.linspace(0, 255, 48).round().astype(np.uint8), (48, 1))
    a8 = (a8 + a8.T) // 2  # some structure in both directions
    Image.fromarray((a8.astype(np.uint16) * 257)).save(folder/"g16.png")
    Image.fromarray(a8).convert("RGB").save(folder/"g8.png")
    return folder/"g16.png", folder/"g8.png"

# --- synthesize ------------------------------------------------------------------------------------------------

def case_synthesize_same_name_other_image(tmp):
    "A/photo.JPEG, then B/photo.JPEG into one --out: B is synthesized (not 'already there'), and the figure shows B's"
    a, b = _jeeps()
    for d, f in (("A", a), ("B", b)): (tmp/d).mkdir(); shutil.copy(f, tmp/d/"photo.JPEG")
    run("synthesize", "--images", tmp/"A"/"photo.JPEG", "--out", tmp/"O", *TINY).ok()
    r = run("synthesize", "--images", tmp/"B"/"photo.JPEG", "--out", tmp/"O", *TINY).ok()
    assert "1 syntheses written" in r.out, f"B's photo.JPEG was not synthesized: {r.out}"
    run("synthesize", "--images", tmp/"B"/"photo.JPEG", "--out", tmp/"fresh", *TINY).ok()
    assert np.array_equal(_pixels(_syntheses(tmp/"O")[0]), _pixels(_syntheses(tmp/"fresh")[0])), "O holds A's synthesis under B's name"
    assert np.array_equal(_pixels(tmp/"O"/"texture_synthesis.png"), _pixels(tmp/"fresh"/"texture_synthesis.png")), "the figure is A's"

def case_synthesize_source_edited_in_place(tmp):
    "The same file edited in place: synthesized again"
    a, b = _jeeps()
    (tmp/"A").mkdir(); shutil.copy(a, tmp/"A"/"photo.JPEG")
    run("synthesize", "--images", tmp/"A"/"photo.JPEG", "--out", tmp/"O", *TINY).ok()
    time.sleep(0.01); shutil.copy(b, tmp/"A"/"photo.JPEG")
    r = run("synthesize", "--images", tmp/"A"/"photo.JPEG", "--out", tmp/"O", *TINY).ok()
    assert "1 syntheses written" in r.out, f"the edited image was not synthesized again: {r.out}"

def case_synthesize_16bit_png_is_not_white(tmp):
    "A 16-bit grayscale PNG gives the synthesis of the 8-bit image it is, not of a white one"
    g16, g8 = _ramps(tmp/"imgs")
    run("synthesize", "--images", g16, g8, "--out", tmp/"O", *TINY).ok()
    s16, s8 = (next(p for p in _syntheses(tmp/"O") if p.name.startswith(n)) for n in ("g16_", "g8_"))
    assert np.array_equal(_pixels(s16), _pixels(s8)), f"16-bit source read differently (mean {_pixels(s16).mean():.0f} vs {_pixels(s8).mean():.0f})"

def case_synthesize_k1_sparse_refused(tmp):
    "--neurons non_topk --k 1 would write the all-neurons image labelled non-Top-K only: refused"
    r = run("synthesize", "--images", _jeeps(1)[0], "--out", tmp/"O", *BASE, "--neurons", "non_topk", "--k", 1)
    r.one_line_error("--k")
    assert not _syntheses(tmp/"O") if (tmp/"O").exists() else True

def case_synthesize_garbage_output_recomputed(tmp):
    "A zero-byte or garbage PNG at a synthesis's name is recomputed, not kept (and not a traceback on every rerun)"
    src = _jeeps(1)[0]
    run("synthesize", "--images", src, "--out", tmp/"O", *TINY).ok()
    out = _syntheses(tmp/"O")[0]
    for junk in (b"", b"\x89PNG garbage"):
        out.write_bytes(junk)
        run("synthesize", "--images", src, "--out", tmp/"O", "--seeds", 0, 1, *TINY).ok()
        from shape_sparsity.images import image_ok
        assert image_ok(out), f"{junk!r} at {out.name} was kept"

def case_synthesize_folder_at_output_name(tmp):
    "A folder named like a synthesis or like the figure: a one-line error"
    from shape_sparsity.texture.study import texture_name
    src = _jeeps(1)[0]
    (tmp/"O"/texture_name(src, "all", 0, size=32, steps=1, iters_per_step=2)).mkdir(parents=True)
    run("synthesize", "--images", src, "--out", tmp/"O", *TINY).one_line_error("is a folder")
    (tmp/"F"/"texture_synthesis.png").mkdir(parents=True)
    run("synthesize", "--images", src, "--out", tmp/"F", *TINY).one_line_error("is a folder")

def case_synthesize_huge_size_names_the_bound(tmp):
    "--size 100000 says the upper bound, not 'is too small'"
    line = run("synthesize", "--images", _jeeps(1)[0], "--out", tmp/"O", *TINY, "--size", 100000).one_line_error("4096")
    assert "too small" not in line, line

def case_synthesize_out_locked(tmp):
    "A second synthesize into an --out in use is refused with one line"
    (tmp/"O").mkdir()
    with locked_by_another_process(tmp/"O"):
        run("synthesize", "--images", _jeeps(1)[0], "--out", tmp/"O", *TINY).one_line_error("in use")
    assert not _syntheses(tmp/"O")

# --- stylize ---------------------------------------------------------------------------------------------------

def _split(tmp, n=2):
    "An ImageFolder split of `n` jeeps"
    (tmp/"src"/"n03594945").mkdir(parents=True)
    for f in _jeeps(n): shutil.copy(f, tmp/"src"/"n03594945"/f.name)
    return tmp/"src"

STY = ["--styles", 0, "--size", 32, "--quiet"]

def _outputs(dest): return sorted(Path(dest).rglob("*__*.png"))

def case_stylize_killed_before_manifest_rerun_other_strength(tmp):
    "Outputs of a run killed before its manifest, rerun with another --strength: all redone at the new strength"
    src = _split(tmp)
    run("stylize", src, tmp/"D", *STY, "--strength", 0.2).ok()
    (tmp/"D"/"manifest.csv").unlink()  # as if killed before writing it
    run("stylize", src, tmp/"D", *STY, "--strength", 1.0).ok()
    run("stylize", src, tmp/"fresh", *STY, "--strength", 1.0).ok()
    stale = [p.name for p, q in zip(_outputs(tmp/"D"), _outputs(tmp/"fresh")) if not np.array_equal(_pixels(p), _pixels(q))]
    assert not stale, f"outputs left at the old strength but labelled 1.0: {stale}"

def case_stylize_garbage_output_redone(tmp):
    "A garbage file at an output path is redone, not kept and marked ok"
    src = _split(tmp, 1)
    run("stylize", src, tmp/"D", *STY).ok()
    out = _outputs(tmp/"D")[0]; out.write_bytes(b"garbage")
    run("stylize", src, tmp/"D", *STY).ok()
    from shape_sparsity.images import image_ok
    assert image_ok(out), "the garbage output was kept and marked ok"

def case_stylize_manifest_folder(tmp):
    "A folder named manifest.csv in the destination: a one-line error"
    (tmp/"D"/"manifest.csv").mkdir(parents=True)
    run("stylize", _split(tmp, 1), tmp/"D", *STY).one_line_error("manifest.csv")

def case_stylize_16bit_png_is_not_white(tmp):
    "A 16-bit grayscale PNG is stylized as the 8-bit image it is"
    g16, g8 = _ramps(tmp/"src"/"grey")
    run("stylize", tmp/"src", tmp/"D", *STY).ok()
    o16, o8 = (tmp/"D"/"grey"/f"{n}__style00.png" for n in ("g16", "g8"))
    assert np.array_equal(_pixels(o16), _pixels(o8)), "the 16-bit image was stylized as another (white) image"

def case_stylize_dest_locked(tmp):
    "A second stylize into a destination in use is refused with one line (never two strengths under one label)"
    src = _split(tmp, 1); (tmp/"D").mkdir()
    with locked_by_another_process(tmp/"D"):
        run("stylize", src, tmp/"D", *STY).one_line_error("in use")
    assert not _outputs(tmp/"D")

def case_stylize_adain_other_weights_redo_the_outputs(tmp):
    "AdaIN with another decoder.pth at the same path: every output redone (its identity was the engine's name only)"
    import torch
    from shape_sparsity.data.stylize import adain_vgg, adain_decoder
    torch.manual_seed(0); torch.save(adain_vgg().state_dict(), tmp/"vgg.pth"); torch.save(adain_decoder().state_dict(), tmp/"dec.pth")
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(tmp/"style.png")
    src, ada = _split(tmp, 1), ["--engine", "adain", "--vgg", tmp/"vgg.pth", "--decoder", tmp/"dec.pth", "--styles", tmp/"style.png", "--size", 32, "--quiet"]
    run("stylize", src, tmp/"D", *ada).ok()
    old = _pixels(_outputs(tmp/"D")[0])
    torch.manual_seed(1); torch.save(adain_decoder().state_dict(), tmp/"dec.pth")  # another decoder, same file name
    run("stylize", src, tmp/"D", *ada).ok()
    assert not np.array_equal(_pixels(_outputs(tmp/"D")[0]), old), "the old decoder's output was kept"

def case_stylize_says_what_else_is_in_dest(tmp):
    "A run with other styles into a used folder: the earlier run's images (which `train --stylized` would also read) are named in one line"
    src = _split(tmp, 1)
    run("stylize", src, tmp/"D", *STY).ok()
    r = run("stylize", src, tmp/"D", "--styles", 7, *STY[2:]).ok()
    said = [l for l in r.err.splitlines() if "did not ask for" in l]
    assert len(said) == 1 and "1 image(s)" in said[0], f"the style-0 image left in D was not mentioned: {r!r}"
