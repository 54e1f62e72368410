"""The `gan` command as the installed console script: what only a new process shows (the one-line error and exit code
of `main`). Every library fact of the few-shot GAN is tested in its chapter (nbs/07a-07f)."""
import shutil, subprocess
import pytest

def test_console_script_errors_are_one_line(tmp_path):
    exe = shutil.which("shape-sparsity") or pytest.skip("the shape-sparsity console script is not on PATH")
    res = subprocess.run([exe, "gan", "--data", str(tmp_path), "--out", str(tmp_path/"run"), "--size", "32"], capture_output=True, text=True)
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith("shape-sparsity gan: error: --data: no image files")
