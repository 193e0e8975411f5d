#!/usr/bin/env python3
"""Writes a campaign whose media are URLs (declared digest and duration), for runs against troupe-sim.

    gen-remote-manifest.py OUT.yaml CHARACTERS CLIPS [--concurrency N] [--rate R/s] [--seconds S] [--provider kling|fal]

Same shape as Tests/Support/RemoteManifest.swift: CHARACTERS x CLIPS renders, each also exported
to out/renders/..., so the campaign has 2 x CHARACTERS x CLIPS jobs.
"""
import argparse


def digest(name):
    h = 0xCBF29CE484222325
    for b in name.encode():
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}" * 4


p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("characters", type=int)
p.add_argument("clips", type=int)
p.add_argument("--concurrency", type=int, default=20)
p.add_argument("--rate", default="50/s")
p.add_argument("--seconds", type=float, default=5)
p.add_argument("--provider", default="kling")
a = p.parse_args()
lines = [
    "troupe: 1",
    "name: sim-bench",
    f"provider: {{use: {a.provider}, model: kling-v3, mode: std, concurrency: {a.concurrency}, rate: {a.rate}}}",
    f"budget: {{max_units: {a.characters * a.clips * a.seconds * 2:g}}}",
    'defaults: {orientation: video, prompt: "sim"}',
    "characters:",
]
for c in range(a.characters):
    lines.append(f'  c{c}: {{image: "https://media.example/c{c}.png", sha256: {digest(f"image-{c}")}}}')
lines.append("clips:")
for k in range(a.clips):
    lines.append(f'  k{k}: {{video: "https://media.example/k{k}.mp4", sha256: {digest(f"clip-{k}")}, duration: {a.seconds:g}}}')
lines += ["renders:", '  - characters: ["*"]', '    clips: ["*"]', ""]
with open(a.out, "w") as f:
    f.write("\n".join(lines))
