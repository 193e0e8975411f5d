#!/usr/bin/env python3
"""Every target imports only what Package.swift says it depends on.

Reads the package as SwiftPM sees it (`swift package dump-package`, or the JSON file given as
the first argument), then every Swift file of every target: an `import M` of a module that is
neither a declared dependency (a target or a product) nor part of the toolchain is reported
with its file and line. Exits 1 when anything is reported.
"""
import json
import os
import re
import subprocess
import sys

TOOLCHAIN = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Musl", "Darwin",
             "Dispatch", "XCTest", "Testing", "Synchronization", "_Concurrency", "os", "Observation"}
IMPORT = re.compile(r"^\s*(?:@testable\s+|@_exported\s+|@preconcurrency\s+)*(?:public\s+|internal\s+|package\s+|private\s+|fileprivate\s+)?import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)")


def package_json(root):
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            return json.load(f)
    scratch = os.path.join(root, ".build-dump-package")
    out = subprocess.run(["swift", "package", "--scratch-path", scratch, "dump-package"], cwd=root,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def declared(target):
    names = set()
    for dep in target["dependencies"]:
        for kind in ("byName", "target", "product"):
            if kind in dep:
                names.add(dep[kind][0])
    return names


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    package = package_json(root)
    problems = []
    for target in package["targets"]:
        if target["type"] in ("system", "binary", "plugin"):
            continue
        name = target["name"]
        path = target.get("path") or os.path.join("Tests" if target["type"] == "test" else "Sources", name)
        allowed = declared(target) | TOOLCHAIN | {name}
        for folder, _, files in os.walk(os.path.join(root, path)):
            for file in sorted(files):
                if not file.endswith(".swift"):
                    continue
                full = os.path.join(folder, file)
                with open(full, encoding="utf-8") as f:
                    in_literal = False  # inside a multi-line string (a Python script a test runs)
                    for number, line in enumerate(f, 1):
                        quoted = in_literal
                        in_literal ^= line.count('"""') % 2 == 1
                        m = None if quoted else IMPORT.match(line)
                        if m and m.group(1) not in allowed:
                            problems.append(f"{os.path.relpath(full, root)}:{number}: {name} imports {m.group(1)}, "
                                            f"which Package.swift does not list among its dependencies")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} undeclared import(s): add the dependency to the target in Package.swift, or drop the import")
        return 1
    print("every target imports only what it declares")
    return 0


if __name__ == "__main__":
    sys.exit(main())
