"""Stylization throughput of `LiteEngine` at 224 px on this machine.

Usage: python benchmarks/stylize_speed.py [--n 20] [--size 224] [--threads N]
Reads real ImageNet images from the shared test data (`shape_sparsity.testing.test_data_path`),
resizes their shorter side to `--size` and stylizes them with a built-in style (pixel blend) and with
a style image (style-vector interpolation, the AdaIN-like mode), both at strength 0.5.
Prints one markdown table row per mode.
"""
import argparse, os, platform, time
from pathlib import Path
from fastai.data.transforms import get_image_files
from shape_sparsity.data.stylize import LiteEngine, _load_rgb
from shape_sparsity.testing import test_data_path

def bench(engine, imgs, style, strength=0.5):
    engine.stylize(imgs[0], style, strength)  # warm up (loads the ONNX session)
    t0 = time.perf_counter()
    for im in imgs: engine.stylize(im, style, strength)
    return len(imgs) / (time.perf_counter() - t0)

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=20)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--threads", type=int, default=None)
    a = p.parse_args()
    files = sorted(get_image_files(test_data_path("imagenet-mini")/"val"))[:a.n]
    imgs = [_load_rgb(f, a.size) for f in files]
    style_img = files[-1]  # any picture works as a style image
    eng = LiteEngine(device="cpu", threads=a.threads)
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}"
    print("| engine | mode | images | size (shorter side) | images/s | machine |")
    print("|---|---|---|---|---|---|")
    for mode, style in [("built-in style 7", 7), ("style image", style_img)]:
        ips = bench(eng, imgs, style)
        print(f"| {eng.name} | {mode} | {len(imgs)} | {a.size} | {ips:.2f} | {machine}, threads={a.threads or 'all'} |")

if __name__ == "__main__": main()
