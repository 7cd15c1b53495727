#!/usr/bin/env python3
"""The folders of Sources/Proxy depend one way: each may use the types of the folders before it in LAYERS, never of
a folder after it (docs/architecture.md draws the graph). Types are found by their declarations (struct, class,
enum, protocol, actor, typealias), uses by the type's name outside comments. Exit 1 listing each wrong-way use."""
import os
import re
import sys

ROOT = "Sources/Proxy"
# Lowest first. The files directly in Sources/Proxy (Application+build.swift: the wiring) come last.
LAYERS = [
    "Support", "Logs", "Config", "Errors", "Identity", "Pricing", "Store", "Auth", "HTTP", "Shaping", "Upstream", "Routing",
    "Accounts", "Keys", "Spend", "Metrics", "Tracing", "Cache", "Guardrails", "Gateway", "Admin", "UI", "Server", "(root)",
]
DECLARATION = re.compile(
    r"^(?:public |final |private |fileprivate |internal )*(?:struct|class|enum|protocol|actor|typealias)\s+([A-Z]\w*)",
    re.M,
)


def folder_of(path):
    relative = os.path.relpath(path, ROOT)
    return relative.split(os.sep)[0] if os.sep in relative else "(root)"


def main():
    files = [os.path.join(d, f) for d, _, names in os.walk(ROOT) for f in names if f.endswith(".swift")]
    declared = {}
    for path in files:
        for name in DECLARATION.findall(open(path, encoding="utf-8").read()):
            declared.setdefault(name, folder_of(path))
    unknown = sorted({folder_of(p) for p in files} - set(LAYERS))
    if unknown:
        print(f"check-layers: folders without a layer: {', '.join(unknown)} (add them to LAYERS)")
        return 1
    wrong = []
    for path in sorted(files):
        folder = folder_of(path)
        text = re.sub(r"//[^\n]*", "", open(path, encoding="utf-8").read())
        for name, home in declared.items():
            if LAYERS.index(home) > LAYERS.index(folder) and re.search(r"\b" + name + r"\b", text):
                wrong.append(f"{path}: {folder}/ uses {name} of {home}/ (a later layer)")
    for line in wrong:
        print(line)
    print(f"check-layers: {len(files)} files in {len(LAYERS) - 1} folders, {len(wrong)} wrong-way use(s)")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
