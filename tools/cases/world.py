"Cases of the shape-texture world's command (`shape-sparsity world`), found tried as a hostile user would (issue 26)"
import json, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent.parent))
from user_cases import run

TINY = ["--arms", "dense", "--seeds", "0", "--epochs", "1", "--n-train", "3", "--n-valid", "1", "--n-test", "1", "--n-conflict", "1",
        "--infer", "none", "--quiet"]

def _pooled(r) -> float:
    return json.loads(r.ok().out)["summary"][0]["sb_pooled"]

def case_world_edited_responses_change_nothing(tmp):
    "issue 26 #4: truncating a finished run's responses.csv changed the pooled shape bias on rerun (or blocked every rerun)"
    first = _pooled(run("world", "--out", tmp, *TINY, "--json"))
    f = tmp/"paper_dense_s0"/"responses.csv"
    lines = f.read_text().splitlines(); f.write_text("\n".join(lines[:len(lines) // 3]) + "\n")
    again = _pooled(run("world", "--out", tmp, *TINY, "--json"))
    assert again == first, f"the pooled shape bias moved from {first} to {again} after a user edited an export"
    f.unlink(); assert _pooled(run("world", "--out", tmp, *TINY, "--json")) == first

def case_world_keeps_the_users_own_files(tmp):
    "issue 26 #5: world --out O overwrote a user's own world_summary.csv / world_runs.csv / world_study.png in O"
    tmp.mkdir(exist_ok=True); (tmp/"world_summary.csv").write_text("my own numbers")
    run("world", "--out", tmp, *TINY).one_line_error("already holds ['world_summary.csv'] not written by a world study")
    assert (tmp/"world_summary.csv").read_text() == "my own numbers"

def case_world_options_that_do_not_apply(tmp):
    "issue 26 #6: world --export DIR --calibrate and world --calibrate --arms ... --infer ... ignored options silently"
    run("world", "--export", tmp/"e", "--calibrate").one_line_error("--calibrate and --export are different jobs")
    run("world", "--out", tmp/"c", "--calibrate", "--arms", "2_20", "--infer", "2_20").one_line_error(
        "--arms, --infer: not an option of `world --calibrate`")
    assert not (tmp/"e").exists() and not (tmp/"c").exists(), "a refused command wrote files"

def case_world_export_json_is_json(tmp):
    "issue 26 #7: world --export DIR --json printed text"
    r = run("world", "--export", tmp/"e", "--n-train", "1", "--n-valid", "1", "--n-test", "1", "--n-conflict", "1", "--json", "--quiet").ok()
    assert json.loads(r.out)["path"] == str(tmp/"e")

def case_world_duplicate_contrasts(tmp):
    "issue 26 #8: world --calibrate --contrasts 2 2 trained the same calibration twice"
    run("world", "--out", tmp, "--calibrate", "--contrasts", "1", "1").one_line_error("--contrasts has duplicates [1.0]")

def case_world_broken_eval_json(tmp):
    "issue 26 #10: an eval.json holding [] gave a traceback; a truncated one a JSON error without the file's name, on every rerun"
    first = _pooled(run("world", "--out", tmp, *TINY, "--json"))
    for bad in ("[]", '{"identity": {"ver'):
        (tmp/"paper_dense_s0"/"eval.json").write_text(bad)
        r = run("world", "--out", tmp, *TINY, "--json")
        assert _pooled(r) == first and "Traceback" not in r.err, r
