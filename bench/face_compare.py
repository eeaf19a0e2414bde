"""Our face stage against face_recognition's defaults, on the same ID fronts and 12 MP selfies.

Pairs come from the benchmark's generated set: genuine cases (``genuine_ine``,
``genuine_passport``: same person) and ``face_mismatch`` cases (another person's selfie). A selfie
smaller than 12 MP is upscaled to 4000 px on its long side (bicubic, JPEG quality 92), so both
sides see the phone-camera size that makes detection expensive; both read the same files.

* ours: ``decode_upload`` of both files, ``faces.read_faces`` and the policy's ``face_match``
  check (pass = same person; the grey zone, inconclusive, is not a match).
* face_recognition defaults: ``load_image_file``, ``face_locations`` (HOG, upsample 1),
  ``face_encodings`` (1 jitter) on each full-size image, the largest face of each, match when
  ``face_distance < 0.6``. A side without a face is no match.

Times include decoding, exclude model loading (done once before), and are CPU seconds of this
process (dlib runs single-threaded here) and wall seconds.

Run on its own (``python -m bench`` runs it as one of its parts)::

    OMP_THREAD_LIMIT=1 uv run python -m bench.face_compare --cases-dir DIR [--pairs 8] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from bench.measure import Timed, summary, timed

GENUINE = ("genuine_ine", "genuine_passport")
IMPOSTOR = ("face_mismatch",)
TWELVE_MP_SIDE = 4000
FR_TOLERANCE = 0.6


def pick_pairs(cases_dir: Path, per_class: int) -> list[tuple[Path, str]]:
    """Up to ``per_class`` genuine and ``per_class`` face-mismatch case folders, in name order."""
    labels = json.loads((cases_dir / "labels.json").read_text())["cases"]
    picked: list[tuple[Path, str]] = []
    for kind, scenarios in (("genuine", GENUINE), ("impostor", IMPOSTOR)):
        names = sorted(n for n, label in labels.items() if label["scenario"] in scenarios)
        picked += [(cases_dir / n, kind) for n in names[:per_class]]
    return picked


def twelve_mp(selfie: Path, out: Path) -> tuple[Path, bool]:
    """``selfie`` itself when already ~12 MP, else an upscaled copy written to ``out``."""
    image = cv2.imread(str(selfie), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"unreadable selfie in {selfie.parent.name}")
    if max(image.shape[:2]) >= TWELVE_MP_SIDE:
        return selfie, False
    scale = TWELVE_MP_SIDE / max(image.shape[:2])
    big = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    cv2.imwrite(str(out), big, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return out, True


def _id_front(case_dir: Path) -> Path:
    documents = json.loads((case_dir / "case.json").read_text())["documents"]
    return case_dir / documents["id_front"]


def ours(id_path: Path, selfie_path: Path, ctx: Any) -> tuple[str, float | None]:
    """Our stage and decision: (``pass``/``inconclusive``/``fail``, distance)."""
    from pipeline import face_checks, faces
    from pipeline.uploads import decode_upload

    id_front = decode_upload("id_front", id_path.read_bytes())
    selfie = decode_upload("selfie", selfie_path.read_bytes())
    reading = faces.read_faces(id_front, selfie, ctx.engines.faces)
    return face_checks.face_match_check(reading, ctx.policy).status, reading.distance


def face_recognition_defaults(id_path: Path, selfie_path: Path) -> tuple[str, float | None]:
    """face_recognition as its README uses it: (``pass``/``fail``, distance)."""
    import face_recognition

    encodings = [_largest_encoding(face_recognition, path) for path in (id_path, selfie_path)]
    if any(e is None for e in encodings):
        return "fail", None
    distance = float(face_recognition.face_distance([encodings[0]], encodings[1])[0])
    return ("pass" if distance < FR_TOLERANCE else "fail"), distance


def _largest_encoding(fr: Any, path: Path) -> np.ndarray | None:
    image = fr.load_image_file(str(path))
    boxes = fr.face_locations(image)  # HOG, number_of_times_to_upsample=1
    if not boxes:
        return None
    largest = max(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))
    return fr.face_encodings(image, [largest])[0]


def run(cases_dir: Path, per_class: int, work: Path, ctx: Any, log: Any = print) -> dict[str, Any]:
    """Both readers on every picked pair; per-pair rows and the summary."""
    import face_recognition  # noqa: F401 - loads its models now, outside the timings

    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for case_dir, kind in pick_pairs(cases_dir, per_class):
        selfie, upscaled = twelve_mp(
            case_dir / _selfie_name(case_dir), work / f"{case_dir.name}.jpg"
        )
        id_path = _id_front(case_dir)
        (our, our_distance), our_t = timed(ours, id_path, selfie, ctx)
        (theirs, fr_distance), fr_t = timed(face_recognition_defaults, id_path, selfie)
        rows.append(
            _row(case_dir.name, kind, upscaled, our, our_distance, our_t, theirs, fr_distance, fr_t)
        )
        log(
            f"  faces {case_dir.name} {kind}: ours {our} {our_t.cpu:.2f}s cpu, "
            f"face_recognition {theirs} {fr_t.cpu:.2f}s cpu"
        )
    return {"rows": rows, "summary": summarise(rows)}


def _selfie_name(case_dir: Path) -> str:
    return str(json.loads((case_dir / "case.json").read_text())["documents"]["selfie"])


def _row(
    name: str,
    kind: str,
    upscaled: bool,
    our: str,
    our_d: float | None,
    our_t: Timed,
    theirs: str,
    fr_d: float | None,
    fr_t: Timed,
) -> dict[str, Any]:
    return {
        "case": name,
        "kind": kind,
        "selfie_upscaled": upscaled,
        "ours": our,
        "ours_distance": our_d,
        "ours_cpu_s": round(our_t.cpu, 4),
        "ours_wall_s": round(our_t.wall, 4),
        "fr": theirs,
        "fr_distance": fr_d,
        "fr_cpu_s": round(fr_t.cpu, 4),
        "fr_wall_s": round(fr_t.wall, 4),
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Time ratios (theirs / ours) and binary accuracy (accept = ``pass``) per reader."""
    out: dict[str, Any] = {"pairs": len(rows), "upscaled": sum(r["selfie_upscaled"] for r in rows)}
    for who in ("ours", "fr"):
        out[who] = {
            "cpu_s": summary([r[f"{who}_cpu_s"] for r in rows]),
            "wall_s": summary([r[f"{who}_wall_s"] for r in rows]),
            **_accuracy(rows, who),
        }
    for clock in ("cpu_s", "wall_s"):
        ours_total = sum(r[f"ours_{clock}"] for r in rows) or float("nan")
        out[f"speedup_{clock}"] = round(sum(r[f"fr_{clock}"] for r in rows) / ours_total, 2)
    return out


def _accuracy(rows: list[dict[str, Any]], who: str) -> dict[str, Any]:
    genuine = [r for r in rows if r["kind"] == "genuine"]
    impostor = [r for r in rows if r["kind"] == "impostor"]
    true_accept = sum(r[who] == "pass" for r in genuine)
    true_reject = sum(r[who] != "pass" for r in impostor)
    return {
        "genuine_accepted": f"{true_accept}/{len(genuine)}",
        "impostor_rejected": f"{true_reject}/{len(impostor)}",
        "grey_zone": sum(r[who] == "inconclusive" for r in rows),
        "accuracy": round((true_accept + true_reject) / max(1, len(rows)), 4),
    }


# ----------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """Compare both readers on a labelled set and print the summary (0 when it ran)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.face_compare",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--cases-dir", type=Path, required=True, help="labelled set (labels.json)")
    parser.add_argument("--pairs", type=int, default=8, help="genuine and mismatch pairs, each")
    parser.add_argument(
        "--work", type=Path, default=Path("/tmp/llave-bench/selfies-12mp"), help="upscaled selfies"
    )
    parser.add_argument("--json", type=Path, help="also write the rows and summary here")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from commands._runtime import build_context

    result = run(args.cases_dir, args.pairs, args.work, build_context())
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    print(format_summary(result["summary"]))
    return 0


def format_summary(s: dict[str, Any]) -> str:
    """The summary as a few lines of text."""
    lines = [f"{s['pairs']} pairs ({s['upscaled']} selfies upscaled to {TWELVE_MP_SIDE} px)"]
    for who, name in (("ours", "face stage (ours)"), ("fr", "face_recognition defaults")):
        r = s[who]
        lines.append(
            f"{name:26s} CPU s p50 {r['cpu_s']['p50']:.3f} p95 {r['cpu_s']['p95']:.3f} "
            f"mean {r['cpu_s']['mean']:.3f}; genuine accepted {r['genuine_accepted']}, impostors "
            f"rejected {r['impostor_rejected']}, grey {r['grey_zone']}, accuracy {r['accuracy']:.2f}"
        )
    lines.append(
        f"face_recognition / ours (total seconds): {s['speedup_cpu_s']:.2f}x CPU, "
        f"{s['speedup_wall_s']:.2f}x wall"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
