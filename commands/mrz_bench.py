"""``llave-verify mrz-bench``: measure the MRZ reader on the shared real document photos.

For every image under ``--data`` (default ``../shared/data/mrz`` next to the repository) it prints
whether an MRZ was read, whether every check digit holds, whether the lines equal the ground truth
(``mrz_ground_truth.csv`` beside the images, where given) and the time taken; then a summary.
Prints no personal data beyond the lines of these public synthetic specimens when ``--show``.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``mrz-bench``."""
    parser.add_argument(
        "--data",
        type=Path,
        default=_REPO.parent / "shared" / "data" / "mrz",
        help="folder of MRZ photos, searched recursively (default: ../shared/data/mrz)",
    )
    parser.add_argument("--show", action="store_true", help="print the lines read")
    parser.add_argument("--repeat", type=int, default=1, help="read each image N times (timing)")


def _ground_truth(root: Path) -> dict[Path, list[str]]:
    """image path -> expected MRZ lines, from every mrz_ground_truth.csv under ``root``."""
    truth: dict[Path, list[str]] = {}
    for csv_path in sorted(root.rglob("mrz_ground_truth.csv")):
        with csv_path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                lines = [row.get(k, "") or "" for k in ("line1", "line2", "line3")]
                truth[(csv_path.parent / row["file"]).resolve()] = [x for x in lines if x]
    return truth


def run(args: argparse.Namespace) -> int:
    """Read every image, print one row per file and a summary; 0 when all ground truth matched."""
    import cv2

    from pipeline.engines.tesseract import OcrEngine
    from pipeline.mrz_image import read_mrz

    root: Path = args.data
    if not root.is_dir():
        print(f"no such folder: {root}")
        return 2
    truth = _ground_truth(root)
    images = sorted(p for p in root.rglob("*") if p.suffix.lower() in _IMAGE_SUFFIXES)
    ocr = OcrEngine()
    ocr.check()
    print(f"{'file':45} {'read':5} {'fmt':4} {'valid':6} {'exact':6} {'sec':>6} {'cpu':>6}  method")
    stats = {"n": 0, "read": 0, "valid": 0, "gt": 0, "exact": 0}
    times: list[float] = []
    cpus: list[float] = []
    for path in images:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        elapsed, cpu, result = 0.0, 0.0, None
        for _ in range(max(1, args.repeat)):
            start, start_cpu = time.perf_counter(), _cpu_seconds()
            result = read_mrz(image, ocr) if image is not None else None
            elapsed, cpu = time.perf_counter() - start, _cpu_seconds() - start_cpu
        times.append(elapsed)
        cpus.append(cpu)
        expected = truth.get(path.resolve())
        exact = None if expected is None else (result is not None and result.lines == expected)
        _count(stats, result, expected, exact)
        _print_row(path.relative_to(root), result, exact, elapsed, cpu, args.show)
    _print_summary(stats, times, cpus)
    return 0 if stats["exact"] == stats["gt"] else 1


def _count(stats: dict[str, int], result: object, expected: object, exact: bool | None) -> None:
    stats["n"] += 1
    stats["read"] += result is not None
    stats["valid"] += bool(result is not None and getattr(result, "valid", False))
    stats["gt"] += expected is not None
    stats["exact"] += bool(exact)


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the tesseract runs): unlike wall
    time, it does not grow when other processes load the machine."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _print_row(  # type: ignore[no-untyped-def]
    name: Path, result, exact: bool | None, elapsed: float, cpu: float, show: bool
) -> None:
    read = "yes" if result is not None else "no"
    fmt = result.format if result is not None else "-"
    valid = ("yes" if result.valid else "no") if result is not None else "-"
    ex = "-" if exact is None else ("yes" if exact else "NO")
    method = result.method if result is not None else ""
    repairs = f" repairs={len(result.repairs)}" if result is not None and result.repairs else ""
    row = f"{str(name):45} {read:5} {fmt:4} {valid:6} {ex:6} {elapsed:6.2f} {cpu:6.2f}"
    print(f"{row}  {method}{repairs}")
    if show and result is not None:
        for line in result.lines:
            print(f"    {line}")


def _print_summary(stats: dict[str, int], times: list[float], cpus: list[float]) -> None:
    n = stats["n"]
    mean, worst = (sum(times) / n, max(times)) if n else (0.0, 0.0)
    mean_cpu, worst_cpu = (sum(cpus) / n, max(cpus)) if n else (0.0, 0.0)
    print(
        f"\n{n} images: MRZ read {stats['read']}, all check digits valid {stats['valid']}; "
        f"ground truth given {stats['gt']}, read exactly {stats['exact']}\n"
        f"wall time mean {mean:.2f} s, max {worst:.2f} s; "
        f"CPU time mean {mean_cpu:.2f} s, max {worst_cpu:.2f} s per image"
    )
