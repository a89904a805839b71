"""Size of the built DependenciesLayer (targets: <= 20 MB unzipped incl. bytecode, <= 8 MB zipped).

Lambda's limit is 250 MB unzipped for a function and all its layers; staying far below
keeps deploys and cold starts fast. Measures what `sam build` produced (a fresh build in a
temporary directory, or ``--build-dir``), zipped with deflate as `sam deploy` uploads it.
MB here is 2**20 bytes.

Usage: python benchmarks/bench_layer_size.py [--build-dir DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

import _repo  # noqa: F401 - puts the repository root on sys.path
from _harness import report

from tests.support.artifacts import sam_build

UNZIPPED_TARGET_MB = 20.0
ZIPPED_TARGET_MB = 8.0
LAYER = "DependenciesLayer"
MB = 2**20


def zipped_bytes(directory: Path, scratch: Path) -> int:
    """Size of ``directory`` as a deflate zip (what is uploaded and what Lambda unpacks)."""
    archive = scratch / f"{directory.name}.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(directory))
    return archive.stat().st_size


def measure(build_dir: Path, scratch: Path) -> dict[str, object]:
    layer = build_dir / LAYER
    files = [p for p in layer.rglob("*") if p.is_file()]
    unzipped = sum(p.stat().st_size for p in files)
    bytecode = sum(p.stat().st_size for p in files if p.suffix == ".pyc")
    zipped = zipped_bytes(layer, scratch)
    site = layer / "python"
    by_package: Counter[str] = Counter()
    for path in files:
        top = path.relative_to(site).parts[0]
        by_package[top.split("-")[0].removesuffix(".py")] += path.stat().st_size
    return {
        "layer_unzipped_mb": round(unzipped / MB, 2),
        "layer_bytecode_mb": round(bytecode / MB, 2),
        "layer_zipped_mb": round(zipped / MB, 2),
        "layer_files": len(files),
        "largest_packages_mb": {
            name: round(size / MB, 2) for name, size in by_package.most_common(6)
        },
        "unzipped_target_mb": UNZIPPED_TARGET_MB,
        "zipped_target_mb": ZIPPED_TARGET_MB,
        "meets_target": unzipped <= UNZIPPED_TARGET_MB * MB and zipped <= ZIPPED_TARGET_MB * MB,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, help="an existing `sam build` output")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-layer-") as scratch:
        build_dir = args.build_dir or sam_build(Path(scratch) / "build")
        report(
            "layer_size",
            build_dir_given=args.build_dir is not None,
            **measure(build_dir, Path(scratch)),
        )


if __name__ == "__main__":
    main()
