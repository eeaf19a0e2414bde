"""Route every case of a labelled fixture folder through the face stage alone.

``python -m bench.face_fixtures DIR`` (or ``llave-verify face-bench --fixtures DIR``) reads each
case's ID front and selfie, runs ``read_faces`` + ``face_checks`` with the bundled policy and
compares the face-related reasons with the labels: the reasons the face stage may give must be
exactly the labelled ones among them, and a genuine case must have its match in the match zone.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from models.codes import ReasonCode

FACE_REASONS = {
    ReasonCode.FACE_MISMATCH,
    ReasonCode.SELFIE_NO_FACE,
    ReasonCode.SELFIE_MULTIPLE_FACES,
    ReasonCode.SELFIE_QUALITY,
}


def route_faces(folder: Path, models: Any, policy: Any) -> list[dict[str, Any]]:
    """One row per case: scenario, expected and produced face reasons, match status, distance."""
    from models.case import Case
    from pipeline.face_checks import face_checks
    from pipeline.faces import read_faces
    from pipeline.uploads import decode_upload

    labels = json.loads((folder / "labels.json").read_text())["cases"]
    rows = []
    for name, label in sorted(labels.items()):
        case_dir = folder / name
        try:
            case = Case.model_validate_json((case_dir / "case.json").read_text())
        except (OSError, ValueError):
            continue
        uploads = {}
        for role in ("id_front", "selfie"):
            path = case_dir / getattr(case.documents, role)
            uploads[role] = decode_upload(role, path.read_bytes() if path.is_file() else None)
        started = time.process_time()
        reading = read_faces(uploads["id_front"], uploads["selfie"], models)
        cpu = time.process_time() - started
        checks = face_checks(reading, policy)
        produced = {r for c in checks for r in c.reasons if r in FACE_REASONS}
        expected = {ReasonCode(r) for r in label["expected_reasons"]} & FACE_REASONS
        match = next(c for c in checks if c.name == "face_match")
        ok = produced == expected
        if label["scenario"].startswith("genuine") or not expected:
            ok = ok and (match.status == "pass" or not label.get("readable", {}).get("id", True))
        rows.append(
            {
                "case": name,
                "scenario": label["scenario"],
                "expected": sorted(expected),
                "produced": sorted(produced),
                "match": match.status,
                "distance": None if reading.distance is None else round(reading.distance, 3),
                "ok": ok,
                "cpu_s": round(cpu, 2),
            }
        )
    return rows


def main(folder: Path) -> int:
    """Print the routing of every case; exit 1 if any face scenario is misrouted."""
    from pipeline.engines.dlib_faces import FaceModels
    from pipeline.policy import load_policy

    rows = route_faces(folder, FaceModels.load(), load_policy())
    for row in rows:
        if not row["ok"]:
            print("MISROUTED", row)
    by = Counter((r["scenario"], r["ok"]) for r in rows)
    for (scenario, ok), count in sorted(by.items()):
        print(f"{scenario:24s} {'ok' if ok else 'WRONG':6s} {count}")
    genuine = sorted(
        r["distance"]
        for r in rows
        if r["scenario"].startswith("genuine") and r["distance"] is not None
    )
    mismatch = sorted(
        r["distance"]
        for r in rows
        if r["scenario"] == "face_mismatch" and r["distance"] is not None
    )
    print(f"genuine distances: {genuine}\nface_mismatch distances: {mismatch}")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    import sys

    sys.exit(main(Path(sys.argv[1])))
