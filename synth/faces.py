"""The face pool (``fixtures/faces``) and how faces become ID portraits and selfies."""

from __future__ import annotations

import csv
import dataclasses
import functools
import random
import shutil
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

POOL_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "faces"
FEMALE = set(
    [
        "Amber_Tamblyn",
        "Angela_Bassett",
        "Angela_Lansbury",
        "Ann_Veneman",
        "Barbara_Brezigar",
        "Candice_Bergen",
        "Carla_Myers",
        "Cathy_Freeman",
        "Clare_Short",
        "Corinne_Coman",
        "Demi_Moore",
        "Doris_Roberts",
        "Drew_Barrymore",
        "Elinor_Caplan",
        "Emmanuelle_Beart",
        "Geraldine_Chaplin",
        "Gillian_Anderson",
        "Janica_Kostelic",
        "Jeanne_Moreau",
        "Jennifer_Garner",
        "Jessica_Lange",
        "Jodie_Foster",
        "Julianna_Margulies",
        "Justine_Henin",
        "Kate_Winslet",
        "Kathy_Winters",
        "Kristin_Davis",
        "Lisa_Gottsegen",
        "Marlene_Weingartner",
        "Martha_Bowen",
        "Monica_Bellucci",
        "Naomi_Campbell",
        "Nora_Bendijo",
        "Pamela_Anderson",
        "Patricia_Heaton",
        "Patty_Schnyder",
        "Sachiko_Yamada",
        "Silvia_Farina_Elia",
        "Stockard_Channing",
        "Tomoko_Hagiwara",
        "Tyra_Banks",
        "Valerie_Harper",
        "Yukiko_Okudo",
    ]
)


@dataclasses.dataclass(frozen=True)
class Identity:
    """One person of the pool: two or more photos and the sex the documents will state."""

    name: str
    sexo: str
    photos: tuple[Path, ...]


@dataclasses.dataclass(frozen=True)
class Pool:
    """The faces the generator may use."""

    identities: tuple[Identity, ...]
    no_face: tuple[Path, ...]

    def of_sex(self, sexo: str) -> list[Identity]:
        """Identities whose documents state ``sexo``."""
        return [i for i in self.identities if i.sexo == sexo]


@functools.lru_cache(maxsize=4)
def load_pool(root: Path = POOL_DIR) -> Pool:
    """Read ``manifest.csv`` of the pool (file, identity, sexo, kind)."""
    by_name: dict[str, list[Path]] = {}
    sexes: dict[str, str] = {}
    no_face = []
    with open(root / "manifest.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            path = root / row["file"]
            if row["kind"] == "no_face":
                no_face.append(path)
                continue
            by_name.setdefault(row["identity"], []).append(path)
            sexes[row["identity"]] = row["sexo"]
    ids = tuple(Identity(n, sexes[n], tuple(sorted(p))) for n, p in sorted(by_name.items()))
    return Pool(ids, tuple(no_face))


def load_rgb(path: Path) -> Image.Image:
    """An image file as RGB."""
    with Image.open(path) as img:
        return img.convert("RGB")


def face_crop(img: Image.Image, aspect: float, zoom: float = 1.0) -> Image.Image:
    """A crop around the centred face of an LFW-style photo, ``aspect`` = width / height."""
    w, h = img.size
    ch = min(h, h * 0.78 / zoom)
    cw = min(w, ch * aspect)
    cx, cy = w / 2, h * 0.47
    box = (cx - cw / 2, max(0, cy - ch / 2), cx + cw / 2, min(h, cy - ch / 2 + ch))
    return img.crop(tuple(round(v) for v in box))


def id_portrait(img: Image.Image, rng: random.Random, aspect: float) -> Image.Image:
    """The face as a card prints it: greyish, low contrast, slightly soft."""
    crop = face_crop(img, aspect, zoom=rng.uniform(0.95, 1.1))
    grey = crop.convert("L").convert("RGB")
    out = Image.blend(crop, grey, rng.uniform(0.6, 0.95))
    out = ImageEnhance.Contrast(out).enhance(rng.uniform(0.6, 0.8))
    out = ImageEnhance.Brightness(out).enhance(rng.uniform(1.05, 1.2))
    return out.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))


def _phone_finish(arr: np.ndarray, rng: random.Random) -> np.ndarray:
    """Sharpen an upscaled photo a little and add sensor noise (BGR uint8)."""
    from synth.capture import add_noise

    blur = cv2.GaussianBlur(arr, (0, 0), 2.0)
    return add_noise(cv2.addWeighted(arr, 1.5, blur, -0.5, 0), rng, strength=0.8)


def _upscale(img: Image.Image, size: tuple[int, int]) -> np.ndarray:
    arr = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)
    return cv2.resize(arr, size, interpolation=cv2.INTER_CUBIC)


def selfie(img: Image.Image, rng: random.Random, long_side: int) -> np.ndarray:
    """A portrait phone selfie (3:4) with the face large and frontal (BGR)."""
    crop = face_crop(img, 0.75, zoom=rng.uniform(0.85, 1.0))
    crop = ImageEnhance.Brightness(crop).enhance(rng.uniform(0.9, 1.1))
    size = (round(long_side * 0.75), long_side)
    return _phone_finish(_upscale(crop, size), rng)


def two_people_selfie(
    a: Image.Image, b: Image.Image, rng: random.Random, long_side: int
) -> np.ndarray:
    """Two people side by side, faces of similar size, cross-faded (landscape 4:3, BGR)."""
    halves = [face_crop(p, 0.72, zoom=rng.uniform(0.9, 1.0)) for p in (a, b)]
    height = round(long_side * 0.75)
    width = round(long_side * 0.55)
    left, right = (_upscale(h, (width, height)).astype(np.float32) for h in halves)
    overlap = 2 * width - long_side
    ramp = np.linspace(1.0, 0.0, overlap, dtype=np.float32)[None, :, None]
    out = np.empty((height, long_side, 3), np.float32)
    out[:, : width - overlap] = left[:, : width - overlap]
    out[:, width:] = right[:, overlap:]
    out[:, width - overlap : width] = left[:, width - overlap :] * ramp + right[:, :overlap] * (
        1 - ramp
    )
    return _phone_finish(out.clip(0, 255).astype(np.uint8), rng)


def no_face_selfie(pool: Pool, rng: random.Random, long_side: int) -> np.ndarray:
    """A phone photo without any human face: a pet, a wall, a ceiling lamp (BGR)."""
    size = (round(long_side * 0.75), long_side)
    if pool.no_face and rng.random() < 0.6:
        img = load_rgb(rng.choice(pool.no_face))
        w, h = img.size
        cw = int(w * rng.uniform(0.6, 0.9))
        x0, y0 = rng.randint(0, w - cw), rng.randint(0, max(0, h - int(cw / 0.75)))
        crop = img.crop((x0, y0, x0 + cw, min(h, y0 + int(cw / 0.75))))
        return _phone_finish(_upscale(crop, size), rng)
    from synth.textures import surface

    arr = surface(np.random.default_rng(rng.getrandbits(32)), size[0], size[1])
    cx, cy = rng.uniform(0.3, 0.7) * size[0], rng.uniform(0.2, 0.6) * size[1]
    y, x = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float32)
    glow = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * (size[0] * 0.25) ** 2))
    arr = np.clip(arr * (0.55 + 0.7 * glow[..., None]), 0, 255).astype(np.uint8)
    return _phone_finish(cv2.GaussianBlur(arr, (0, 0), rng.uniform(2, 6)), rng)


def one_face_as_selfie(path: Path) -> bool:
    """Whether dlib's HOG detector finds exactly one face in the selfie made from ``path``."""
    import face_recognition

    widest = face_crop(load_rgb(path), 0.75, zoom=0.85)
    rgb = np.asarray(widest.resize((750, 1000), Image.BICUBIC))
    return len(face_recognition.face_locations(rgb, number_of_times_to_upsample=1)) == 1


def build_pool(source: Path, dest: Path, identities: int = 72) -> int:
    """Copy LFW identities with two detectable single-face photos into ``dest`` (+ manifest).

    Keeps photos in which dlib's HOG detector finds exactly one face, also once enlarged into
    a selfie (no small bystander in the background), and identities whose
    two kept photos are within 0.5 of each other, so the labels hold for a standard matcher.
    """
    import face_recognition

    with open(source / "lfw" / "labels.csv", newline="") as fh:
        labels = list(csv.DictReader(fh))
    by_id: dict[str, list[str]] = {}
    for row in labels:
        by_id.setdefault(row["identity"], []).append(row["file"])
    dest.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in sorted(n for n, f in by_id.items() if len(f) >= 2):
        good = []
        for file in sorted(by_id[name]):
            arr = face_recognition.load_image_file(source / "lfw" / file)
            boxes = face_recognition.face_locations(arr, number_of_times_to_upsample=2)
            if len(boxes) == 1 and one_face_as_selfie(source / "lfw" / file):
                good.append((file, face_recognition.face_encodings(arr, boxes)[0]))
        if len(good) < 2 or np.linalg.norm(good[0][1] - good[1][1]) > 0.5:
            continue
        sexo = "M" if name in FEMALE else "H"
        for file, _enc in good[:2]:
            target = dest / "lfw" / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / "lfw" / file, target)
            rows.append({"file": f"lfw/{file}", "identity": name, "sexo": sexo, "kind": "person"})
    kept = {r["identity"] for r in rows}
    rng = random.Random(0)
    chosen = sorted(rng.sample(sorted(kept), min(identities, len(kept))))
    rows = [r for r in rows if r["identity"] in chosen]
    for path in sorted(dest.glob("lfw/*/*.jpg")):
        if path.parent.name not in chosen:
            path.unlink()
            if not any(path.parent.iterdir()):
                path.parent.rmdir()
    (dest / "scenes").mkdir(exist_ok=True)
    shutil.copy2(source / "scenes" / "dogs.jpg", dest / "scenes" / "dogs.jpg")
    rows.append({"file": "scenes/dogs.jpg", "identity": "", "sexo": "", "kind": "no_face"})
    with open(dest / "manifest.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, ["file", "identity", "sexo", "kind"])
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
