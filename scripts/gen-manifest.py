#!/usr/bin/env python3
"""Writes a large valid manifest (optionally with --local-images TEMPLATE.png copied per character) for benchmarks: C characters x K clips in B render blocks,
URL media with digests (so no media files are needed)."""
import hashlib, sys

def main(path, characters, clips, blocks, local_images=False):
    h = lambda s: hashlib.sha256(s.encode()).hexdigest()
    out = ["troupe: 1", "name: bench", "provider: {use: preview, model: kling-v3, mode: std}",
           "defaults: {orientation: video, prompt: \"bench\"}", "characters:"]
    import os
    media = os.path.join(os.path.dirname(os.path.abspath(path)), "media")
    if local_images:
        os.makedirs(media, exist_ok=True)
        template = open(local_images, "rb").read()
    for c in range(characters):
        if local_images:
            # A real PNG (the template) made unique by bytes after IEND, which decoders ignore.
            with open(os.path.join(media, f"c{c}.png"), "wb") as f:
                f.write(template + hashlib.sha256(f"c{c}".encode()).digest())
            out.append(f"  c{c}: {{image: media/c{c}.png}}")
        else:
            out.append(f"  c{c}: {{image: \"https://cdn.example.com/c/{c}.png\", sha256: {h(f'c{c}')}}}")
    out.append("clips:")
    for k in range(clips):
        out.append(f"  k{k}: {{video: \"https://cdn.example.com/k/{k}.mp4\", sha256: {h(f'k{k}')}, duration: {5 + k % 20}}}")
    out.append("renders:")
    per = characters // blocks
    for b in range(blocks):
        names = ", ".join(f"c{c}" for c in range(b * per, characters if b == blocks - 1 else (b + 1) * per))
        out.append(f"  - characters: [{names}]")
        out.append("    clips: [\"*\"]")
        if b % 2:
            out.append(f"    exclude: [{{character: c{b * per}, clip: k0}}]")
            out.append("    with: {mode: pro}")
    out.append("outputs:")
    out.append("  - name: first-row")
    out.append("    concat: [\"c1/*\"]")
    open(path, "w").write("\n".join(out) + "\n")

if __name__ == "__main__":
    images = sys.argv[sys.argv.index("--local-images") + 1] if "--local-images" in sys.argv else None
    main(sys.argv[1], *(int(a) for a in sys.argv[2:5]), local_images=images)
