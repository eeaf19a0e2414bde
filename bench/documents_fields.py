"""Field accuracy of the document stages on a generated set, against its labels.json truth.

    uv run python -m bench.documents_fields DIR [--workers 2] [--show-misses]

Runs ``read_id`` / ``read_address_proof`` and the document checks on every case folder and
prints, among readable IDs / proofs of address, the share of fields read exactly (compared as
``analysis.evaluate.same_value`` does: case and accents aside), the share of cases whose
document reason codes equal the expected ones, and the time per ID / per proof of address.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

DOC_CODES = {
    "CURP_MISMATCH", "NAME_MISMATCH", "BIRTHDATE_MISMATCH", "SEX_MISMATCH", "CURP_INVALID",
    "MRZ_INCONSISTENT", "ID_EXPIRED", "ID_UNREADABLE", "ADDRESS_PROOF_STALE", "ADDRESS_MISMATCH",
    "ADDRESS_PROOF_UNREADABLE", "DOCUMENT_TYPE_MISMATCH",
}  # fmt: skip
ID_FIELDS = {
    "curp": ["id.curp"],
    "birth date": ["id.fecha_nacimiento"],
    "full name": ["id.primer_apellido", "id.segundo_apellido", "id.nombre"],
    "expiry": ["id.vigencia_hasta"],
    "sex": ["id.sexo"],
    "document no.": ["id.numero_documento"],
    "clave elector": ["id.clave_elector"],
}
ADDRESS_FIELDS = {
    "C.P.": ["address.codigo_postal"],
    "recency date": ["address.fecha"],
    "issuer": ["address.emisor"],
}


def read_case(folder: Path) -> dict[str, Any]:
    """Read one case folder's documents; extracted keys, document reasons and timings."""
    from models.case import Case
    from pipeline import address_checks, address_proof, document_checks
    from pipeline.engines.poppler import PdfEngine
    from pipeline.engines.tesseract import OcrEngine
    from pipeline.id import read_id
    from pipeline.policy import load_policy
    from pipeline.uploads import decode_upload

    ocr, pdf, policy = OcrEngine(), PdfEngine(), load_policy()
    case = Case.model_validate_json((folder / "case.json").read_text())
    uploads = {
        role: decode_upload(
            role, (folder / name).read_bytes() if (folder / name).exists() else None
        )
        for role, name in case.documents.roles().items()
    }
    start = time.perf_counter()
    reading = read_id(uploads["id_front"], uploads.get("id_back"), case.documents.id_type, ocr)
    middle = time.perf_counter()
    address = address_proof.read_address_proof(uploads["address_proof"], ocr, pdf)
    end = time.perf_counter()
    checks = document_checks.id_checks(case, reading, policy)
    checks += address_checks.address_checks(case, address, policy)
    return {
        "extracted": document_checks.id_extracted(reading)
        | address_checks.address_extracted(address),
        "reasons": sorted({r.value for c in checks for r in c.reasons}),
        "id_s": middle - start,
        "address_s": end - middle,
    }


def main() -> int:
    """Run the bench and print its figures."""
    from analysis.evaluate import same_value

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    labels = json.loads((args.folder / "labels.json").read_text())["cases"]
    names = sorted(labels)
    with ProcessPoolExecutor(args.workers) as pool:
        results = dict(
            zip(names, pool.map(read_case, [args.folder / n for n in names]), strict=True)
        )
    tallies: dict[str, list[int]] = {}
    for name, result in results.items():
        label, read = labels[name], results[name]["extracted"]
        truth = label["truth"]
        groups = []
        if label["readable"]["id"]:
            groups.append(ID_FIELDS)
            if truth.get("id.mrz_valid"):
                _tally(tallies, "MRZ valid", read.get("id.mrz_valid") is True)
        if label["readable"]["address"] and truth.get("address.emisor") is not None:
            groups.append(ADDRESS_FIELDS)
        for group in groups:
            for field, keys in group.items():
                ok = all(same_value(truth.get(k), read.get(k)) for k in keys)
                _tally(tallies, field, ok)
                if args.show_misses and not ok:
                    print(f"  {name} {field}: read {[read.get(k) for k in keys]}")
        expected = sorted(set(label["expected_reasons"]) & DOC_CODES)
        _tally(tallies, "document reasons", result["reasons"] == expected)
        if args.show_misses and result["reasons"] != expected:
            print(f"  {name} {label['scenario']}: expected {expected} got {result['reasons']}")
    for field, (ok, total) in tallies.items():
        print(f"{field:18s} {ok:4d}/{total:<4d} {100 * ok / max(total, 1):5.1f}%")
    for key in ("id_s", "address_s"):
        times = [r[key] for r in results.values()]
        print(f"{key:18s} median {statistics.median(times):.2f} s, max {max(times):.2f} s")
    return 0


def _tally(tallies: dict[str, list[int]], field: str, ok: bool) -> None:
    tally = tallies.setdefault(field, [0, 0])
    tally[0] += bool(ok)
    tally[1] += 1


if __name__ == "__main__":
    raise SystemExit(main())
