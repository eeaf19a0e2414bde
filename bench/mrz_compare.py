"""Our MRZ stage against PassportEye's ``read_mrz``, on the same image files.

Images: the INE backs (``id_back``) and passport data pages (``id_front`` of passport cases) of
the benchmark's generated set, and the real camera photos under ``/work/shared/data/mrz``.
Read rate = share of images whose MRZ was read *fully valid* (every check digit, PassportEye's
``MRZ.valid``; ours ``MrzResult.valid``). Times include decoding each file (ours
``decode_upload``, PassportEye its own loader) and the tesseract subprocesses both start; CPU
seconds are this process plus its reaped children.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from bench.measure import Timed, summary, timed

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp"}


def case_images(cases_dir: Path, limit: int) -> list[tuple[str, Path]]:
    """(label, path) of every INE back and passport page in the set (first ``limit`` if > 0)."""
    found = []
    for case_json in sorted(cases_dir.glob("*/case.json")):
        documents = json.loads(case_json.read_text())["documents"]
        role = "id_back" if documents["id_type"] == "ine" else "id_front"
        name = documents.get(role)
        path = case_json.parent / name if name else None
        if path is not None and path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
            found.append((f"{case_json.parent.name}/{role}", path))
    return found[:limit] if limit > 0 else found


def shared_images(root: Path) -> list[tuple[str, Path]]:
    """(label, path) of the real MRZ photos under ``root``."""
    if not root.is_dir():
        return []
    paths = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    return [(f"shared/{p.relative_to(root)}", p) for p in paths]


def ours(path: Path, ocr: Any) -> bool:
    """True when our stage reads a fully valid MRZ from the file."""
    from pipeline.mrz_image import read_mrz
    from pipeline.uploads import decode_upload

    upload = decode_upload("id_back", path.read_bytes())
    if upload.image is None:
        return False
    result = read_mrz(upload.image, ocr)
    return bool(result is not None and result.valid)


def passporteye(path: Path) -> bool:
    """True when PassportEye's ``read_mrz`` reads a fully valid MRZ from the file."""
    from passporteye import read_mrz

    try:
        with warnings.catch_warnings():  # its scikit-image calls are deprecated, each image
            warnings.simplefilter("ignore", FutureWarning)
            mrz = read_mrz(str(path))
    except Exception:  # noqa: BLE001 - a crash on an image is a failed read, counted as such
        return False
    return bool(mrz is not None and mrz.valid)


def run(
    images: list[tuple[str, Path]], ocr: Any, log: Any = print, skip_passporteye: bool = False
) -> dict[str, Any]:
    """Both readers on every image; per-image rows and the summary by image group."""
    rows: list[dict[str, Any]] = []
    for label, path in images:
        our, our_t = timed(ours, path, ocr)
        theirs, pe_t = (False, Timed(0.0, 0.0)) if skip_passporteye else timed(passporteye, path)
        rows.append(
            {
                "image": label,
                "group": _group(label),
                "ours_valid": our,
                "ours_cpu_s": round(our_t.cpu, 4),
                "ours_wall_s": round(our_t.wall, 4),
                "pe_valid": theirs,
                "pe_cpu_s": round(pe_t.cpu, 4),
                "pe_wall_s": round(pe_t.wall, 4),
            }
        )
        log(
            f"  mrz {label}: ours {our} {our_t.cpu:.2f}s cpu, passporteye {theirs} {pe_t.cpu:.2f}s cpu"
        )
    names = sorted({str(r["group"]) for r in rows})
    groups = {g: [r for r in rows if r["group"] == g] for g in names}
    groups["all"] = rows
    return {"rows": rows, "summary": {name: summarise(group) for name, group in groups.items()}}


def _group(label: str) -> str:
    if label.startswith("shared/"):
        return "shared_photos"
    return "ine_back" if label.endswith("id_back") else "passport_page"


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Read rates and time ratios (PassportEye / ours) over ``rows``."""
    return {
        "images": len(rows),
        "ours_read": sum(r["ours_valid"] for r in rows),
        "pe_read": sum(r["pe_valid"] for r in rows),
        "ours_cpu_s": summary([r["ours_cpu_s"] for r in rows]),
        "pe_cpu_s": summary([r["pe_cpu_s"] for r in rows]),
        "ours_wall_s": summary([r["ours_wall_s"] for r in rows]),
        "pe_wall_s": summary([r["pe_wall_s"] for r in rows]),
        "speedup_cpu_s": _ratio(rows, "cpu_s"),
        "speedup_wall_s": _ratio(rows, "wall_s"),
    }


def _ratio(rows: list[dict[str, Any]], clock: str) -> float:
    ours_total = sum(r[f"ours_{clock}"] for r in rows)
    return (
        round(sum(r[f"pe_{clock}"] for r in rows) / ours_total, 2) if ours_total else float("nan")
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.mrz_compare``: the MRZ comparison alone, on a case set and the photos."""
    import argparse

    from bench.run import REPO
    from pipeline.engines.tesseract import OcrEngine

    p = argparse.ArgumentParser(prog="python -m bench.mrz_compare", description=__doc__)
    p.add_argument("--cases-dir", type=Path, help="a generated case set (INE backs, passports)")
    p.add_argument("--images", type=int, default=30, help="at most this many set images (0: all)")
    p.add_argument("--mrz-data", type=Path, default=REPO.parent / "shared" / "data" / "mrz")
    p.add_argument("--ours-only", action="store_true", help="skip PassportEye (quick iteration)")
    p.add_argument("--json", type=Path, help="write rows and summary here")
    args = p.parse_args(argv)
    images = case_images(args.cases_dir, args.images) if args.cases_dir else []
    images += shared_images(args.mrz_data)
    ocr = OcrEngine()
    ocr.check()
    result = run(images, ocr, skip_passporteye=args.ours_only)
    for name, s in result["summary"].items():
        print(
            f"{name:14} n={s['images']:3} read ours {s['ours_read']:3} / pe {s['pe_read']:3}  "
            f"cpu p50 ours {s['ours_cpu_s']['p50']:.2f} / pe {s['pe_cpu_s']['p50']:.2f}  "
            f"pe/ours cpu {s['speedup_cpu_s']}"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
