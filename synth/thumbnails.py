"""Small previews of each document kind of a generated set (for fixtures/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageOps

#: thumbnail name -> (scenario preference, id type, role, file suffix)
KINDS = {
    "ine_front": (("genuine_ine",), "ine", "id_front", ".jpg"),
    "ine_back": (("genuine_ine",), "ine", "id_back", ".jpg"),
    "passport": (("genuine_passport",), "passport", "id_front", ".jpg"),
    "selfie": (("genuine_ine", "genuine_passport"), None, "selfie", ".jpg"),
    "selfie_no_face": (("selfie_no_face",), None, "selfie", ".jpg"),
    "selfie_multiple_faces": (("selfie_multiple_faces",), None, "selfie", ".jpg"),
    "id_unreadable": (("id_unreadable",), None, "id_front", ".jpg"),
}
BILLS = {
    "bill_cfe": "CFE",
    "bill_phone": ("TELMEX", "TOTALPLAY", "IZZI", "MEGACABLE"),
    "bill_water_or_predial": ("SACMEX", "PREDIAL"),
    "bill_gas": "NATURGY",
}


def _open_upright(path: Path, size: int) -> Image.Image:
    with Image.open(path) as img:
        up = ImageOps.exif_transpose(img).convert("RGB")
    up.thumbnail((size, size))
    return up


def _cases(root: Path) -> list[tuple[str, dict, dict]]:
    labels = json.loads((root / "labels.json").read_text())["cases"]
    out = []
    for folder, label in sorted(labels.items()):
        case = json.loads((root / folder / "case.json").read_text())
        out.append((folder, label, case))
    return out


def write_thumbnails(root: Path, dest: Path, size: int = 640) -> list[str]:
    """Write one JPEG preview per document kind found in ``root``; returns the names."""
    dest.mkdir(parents=True, exist_ok=True)
    cases = _cases(root)
    written = []
    for name, (scenarios, id_type, role, suffix) in KINDS.items():
        for folder, label, case in cases:
            docs = case["documents"]
            file = docs.get(role) or ""
            ok_type = id_type is None or docs["id_type"] == id_type
            if label["scenario"] in scenarios and ok_type and file.endswith(suffix):
                _open_upright(root / folder / file, size).save(dest / f"{name}.jpg", quality=80)
                written.append(name)
                break
    for name, issuers in BILLS.items():
        wanted = (issuers,) if isinstance(issuers, str) else issuers
        for folder, label, case in cases:
            file = case["documents"]["address_proof"]
            if (
                label["truth"]["address.emisor"] in wanted
                and file.endswith(".jpg")
                and (label["scenario"] not in ("file_invalid",))
            ):
                _open_upright(root / folder / file, size).save(dest / f"{name}.jpg", quality=80)
                written.append(name)
                break
    return written
