"""Face matcher benchmark and calibration on LFW fold 1 (``llave-verify face-bench``).

What it measures, side by side for our pipeline and face_recognition's defaults
(``load_image_file`` + ``face_locations(upsample=1)`` + ``face_encodings(num_jitters=1)`` on
the full image) on the same 807 photos:

* official-pairs accuracy, with a *clean identity split*: the identities of fold 1 are joined
  into connected components by the official pairs (a different-person pair joins two
  identities), and the components are dealt into two halves A and B; thresholds are fitted on one
  half's pairs and evaluated on the other's (2-fold, both directions, pooled). No identity
  of an evaluation pair was seen when its threshold was chosen.
* over all pairs that can be built (324,290 cross-identity, 931 same-identity): the thresholds
  giving false-match rates 1e-3 and 1e-4 and the false non-match rates there;
* the same with the ID side degraded like a card print (smaller, greyish, low contrast, slight
  blur, JPEG) against the untouched photo, both directions;
* the logistic calibration distance -> P(same person) (class-balanced), ROC points, time per
  12 MP selfie (CPU, one thread) and 1:N gallery search over 1,000,000 synthetic templates.

LFW in the pipeline is a stand-in: the LFW photos are 250 x 250 news photos, not phone selfies.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

MISSING_DISTANCE = 9.0  # a photo without a detected face never matches
FMR_TARGETS = (1e-3, 1e-4)
ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"


# ----------------------------------------------------------------------------- data


@dataclass
class Lfw:
    """Photos, identities and official pairs (indices into ``files``)."""

    root: Path
    files: list[str]
    identities: list[str]
    official: list[tuple[int, int, bool]]


def load_lfw(root: Path) -> Lfw:
    """Read ``labels.csv`` and ``pairs.csv`` of the shared LFW fold."""
    with open(root / "labels.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    files = [r["file"] for r in rows]
    index = {f: i for i, f in enumerate(files)}
    with open(root / "pairs.csv", newline="") as handle:
        official = [
            (index[r["file_a"]], index[r["file_b"]], r["same_person"] == "1")
            for r in csv.DictReader(handle)
        ]
    return Lfw(root, files, [r["identity"] for r in rows], official)


def identity_halves(lfw: Lfw) -> dict[str, int]:
    """Identity -> half (0 or 1): connected components of the official pairs, dealt greedily."""
    parent = {name: name for name in lfw.identities}

    def find(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for a, b, _ in lfw.official:
        parent[find(lfw.identities[a])] = find(lfw.identities[b])
    weight: dict[str, int] = {}
    for a, _, _ in lfw.official:
        root = find(lfw.identities[a])
        weight[root] = weight.get(root, 0) + 1
    load = [0, 0]
    half_of_root: dict[str, int] = {}
    for root in sorted(weight, key=lambda r: (-weight[r], r)):
        half = 0 if load[0] <= load[1] else 1
        half_of_root[root] = half
        load[half] += weight[root]
    return {name: half_of_root.get(find(name), 0) for name in set(lfw.identities)}


# ----------------------------------------------------------------------------- encoders


def card_print(bgr: np.ndarray, seed: int) -> np.ndarray:
    """A photo degraded like an ID-card portrait: smaller, greyish, flat, soft, JPEG."""
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.55, 0.9)
    small = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    mix = rng.uniform(0.6, 1.0)
    out = mix * grey.astype(np.float64) + (1 - mix) * small.astype(np.float64)
    out = 128 + (out - 128) * rng.uniform(0.55, 0.8) + rng.uniform(-10, 25)
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.5, 1.0))
    out = out + rng.normal(0, 3.0, out.shape)
    out = np.clip(out, 0, 255).astype(np.uint8)
    quality = int(rng.uniform(40, 70))
    ok, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(data, cv2.IMREAD_COLOR) if ok else out


def encode_ours(paths: list[Path], degrade: bool = False) -> tuple[np.ndarray, np.ndarray, float]:
    """Our pipeline's encodings (centre face), found mask, CPU seconds."""
    from pipeline.engines.dlib_faces import FaceModels
    from pipeline.faces import faces_in_image

    models = FaceModels.load()
    return encode_photos(
        paths, 128, lambda bgr: faces_in_image(bgr, models, pick="central").encoding, degrade
    )


def encode_photos(
    paths: list[Path],
    width: int,
    encode: Callable[[np.ndarray], np.ndarray | None],
    degrade: bool = False,
) -> tuple[np.ndarray, np.ndarray, float]:
    """``encode`` (a row of ``width`` values, or None when no face) of every photo, printed on a
    card first with ``degrade``: the rows, the found mask and the CPU seconds it took."""
    out = np.zeros((len(paths), width))
    found = np.zeros(len(paths), dtype=bool)
    started = time.process_time()
    for i, path in enumerate(paths):
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if degrade:
            bgr = card_print(bgr, zlib.crc32(path.name.encode()))
        row = encode(bgr)
        if row is not None:
            out[i], found[i] = np.asarray(row).reshape(-1), True
    return out, found, time.process_time() - started


def encode_defaults(paths: list[Path]) -> tuple[np.ndarray, np.ndarray, float]:
    """face_recognition's defaults on the full image (centre face when several)."""
    import face_recognition

    out = np.zeros((len(paths), 128))
    found = np.zeros(len(paths), dtype=bool)
    started = time.process_time()
    for i, path in enumerate(paths):
        image = face_recognition.load_image_file(str(path))
        boxes = face_recognition.face_locations(image, number_of_times_to_upsample=1)
        if not boxes:
            continue
        h, w = image.shape[:2]
        box = min(
            boxes, key=lambda b: ((b[1] + b[3]) / 2 - w / 2) ** 2 + ((b[0] + b[2]) / 2 - h / 2) ** 2
        )
        out[i] = face_recognition.face_encodings(image, [box], num_jitters=1)[0]
        found[i] = True
    return out, found, time.process_time() - started


def cached(name: str, key: str, compute: Callable[[], tuple[np.ndarray, np.ndarray, float]]):
    """Encodings from ``bench/results/cache`` when computed with the same method and files."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    path = RESULTS / "cache" / f"{name}-{digest}.npz"
    if path.exists():
        with np.load(path) as data:
            return data["enc"], data["found"], float(data["cpu"])
    enc, found, cpu = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, enc=enc, found=found, cpu=cpu)
    return enc, found, cpu


# ----------------------------------------------------------------------------- metrics


def distance_matrix(a: np.ndarray, found_a: np.ndarray, b: np.ndarray, found_b: np.ndarray):
    """All distances between rows of ``a`` and ``b``; missing faces never match."""
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    dist = np.sqrt(np.maximum(sq, 0))
    dist[~found_a, :] = MISSING_DISTANCE
    dist[:, ~found_b] = MISSING_DISTANCE
    return dist


def threshold_at_fmr(impostor: np.ndarray, fmr: float) -> float:
    """The largest threshold t (accept when d < t) whose false-match rate is <= ``fmr``."""
    ordered = np.sort(impostor)
    allowed = int(np.floor(fmr * len(ordered)))
    return float(ordered[allowed])


def rates(genuine: np.ndarray, impostor: np.ndarray, threshold: float) -> dict[str, float]:
    """False match and false non-match rates when accepting d < threshold."""
    return {
        "threshold": round(threshold, 4),
        "fmr": float((impostor < threshold).mean()),
        "fnmr": float((genuine >= threshold).mean()),
    }


def best_accuracy_threshold(dist: np.ndarray, same: np.ndarray) -> float:
    """The threshold maximising accuracy on labelled pairs (midpoint between neighbours)."""
    ordered = np.unique(dist)
    candidates = np.concatenate([[ordered[0] - 1e-3], (ordered[1:] + ordered[:-1]) / 2])
    scores = [((dist < t) == same).mean() for t in candidates]
    return float(candidates[int(np.argmax(scores))])


def logistic_fit(dist: np.ndarray, same: np.ndarray, iterations: int = 50) -> dict[str, float]:
    """Class-balanced logistic regression P(same) = 1 / (1 + exp(a + b d)) by Newton steps."""
    weights = np.where(same, 0.5 / same.sum(), 0.5 / (~same).sum())
    x = np.stack([np.ones_like(dist), dist], axis=1)
    y = same.astype(np.float64)
    beta = np.zeros(2)
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(x @ beta)))
        gradient = x.T @ (weights * (y - p))
        hessian = (x * (weights * p * (1 - p))[:, None]).T @ x
        beta = beta + np.linalg.solve(hessian + 1e-9 * np.eye(2), gradient)
    return {"a": float(-beta[0]), "b": float(-beta[1])}


# ----------------------------------------------------------------------------- evaluation


def pair_sets(lfw: Lfw, dist: np.ndarray, members: np.ndarray | None = None):
    """(genuine, impostor) distances over all unordered pairs of photos in ``members``."""
    ids = np.array(lfw.identities)
    same = ids[:, None] == ids[None, :]
    upper = np.triu(np.ones_like(same), k=1)
    if members is not None:
        upper &= members[:, None] & members[None, :]
    return dist[upper & same], dist[upper & ~same]


def official_arrays(lfw: Lfw, dist: np.ndarray, half_of: dict[str, int] | None, half: int | None):
    """Distances and labels of the official pairs (of one half when given)."""
    chosen = [
        (a, b, s)
        for a, b, s in lfw.official
        if half is None or half_of is None or half_of[lfw.identities[a]] == half
    ]
    return np.array([dist[a, b] for a, b, _ in chosen]), np.array([s for _, _, s in chosen])


def cross_validated(lfw: Lfw, dist: np.ndarray, half_of: dict[str, int]) -> dict[str, Any]:
    """Thresholds fitted on one identity half, evaluated on the other; both directions pooled."""
    members = np.array([half_of[name] for name in lfw.identities])
    correct = total = 0
    folds = []
    for fit_half in (0, 1):
        test_half = 1 - fit_half
        d_fit, s_fit = official_arrays(lfw, dist, half_of, fit_half)
        d_test, s_test = official_arrays(lfw, dist, half_of, test_half)
        acc_t = best_accuracy_threshold(d_fit, s_fit)
        correct += int(((d_test < acc_t) == s_test).sum())
        total += len(s_test)
        gen_fit, imp_fit = pair_sets(lfw, dist, members == fit_half)
        gen_test, imp_test = pair_sets(lfw, dist, members == test_half)
        fmr_t = threshold_at_fmr(imp_fit, 1e-3)
        folds.append(
            {
                "fit_half": fit_half,
                "official_pairs_test": len(s_test),
                "accuracy_threshold": round(acc_t, 4),
                "accuracy_test": round(float(((d_test < acc_t) == s_test).mean()), 4),
                "fmr1e-3_threshold_fit": round(fmr_t, 4),
                "test_at_that_threshold": rates(gen_test, imp_test, fmr_t),
                "test_pairs": {"genuine": len(gen_test), "impostor": len(imp_test)},
            }
        )
    return {"accuracy": round(correct / total, 4), "pairs": total, "folds": folds}


def evaluate(lfw: Lfw, dist: np.ndarray, half_of: dict[str, int]) -> dict[str, Any]:
    """All figures for one distance matrix."""
    genuine, impostor = pair_sets(lfw, dist)
    d_off, s_off = official_arrays(lfw, dist, None, None)
    result: dict[str, Any] = {
        "official_accuracy_at_0.6": round(float(((d_off < 0.6) == s_off).mean()), 4),
        "official_best_accuracy_in_sample": round(
            float(((d_off < best_accuracy_threshold(d_off, s_off)) == s_off).mean()), 4
        ),
        "identity_split_cv": cross_validated(lfw, dist, half_of),
        "all_pairs": {"genuine": len(genuine), "impostor": len(impostor)},
    }
    for fmr in FMR_TARGETS:
        result[f"at_fmr_{fmr:g}"] = rates(genuine, impostor, threshold_at_fmr(impostor, fmr))
    result["at_0.6"] = rates(genuine, impostor, 0.6)
    return result


def degraded_pairs(
    lfw: Lfw, deg: np.ndarray, found_d: np.ndarray, enc: np.ndarray, found: np.ndarray
):
    """(genuine, impostor) distances of degraded photo i against clean photo j, i != j."""
    dist = distance_matrix(deg, found_d, enc, found)
    ids = np.array(lfw.identities)
    same = ids[:, None] == ids[None, :]
    off_diagonal = ~np.eye(len(ids), dtype=bool)
    return dist[same & off_diagonal], dist[~same]


def roc_rows(curves: dict[str, tuple[np.ndarray, np.ndarray]]) -> list[dict[str, Any]]:
    """FMR/FNMR of every curve at thresholds 0.20..0.90."""
    rows = []
    for threshold in np.round(np.arange(0.20, 0.9001, 0.005), 3):
        row: dict[str, Any] = {"threshold": float(threshold)}
        for name, (genuine, impostor) in curves.items():
            row[f"{name}_fmr"] = float((impostor < threshold).mean())
            row[f"{name}_fnmr"] = float((genuine >= threshold).mean())
        rows.append(row)
    return rows


# ----------------------------------------------------------------------------- speed


def selfie_12mp(lfw: Lfw) -> np.ndarray:
    """A 4000 x 3000 portrait-orientation 'selfie' (an LFW photo upscaled, as the fixtures do)."""
    bgr = cv2.imread(str(lfw.root / lfw.files[0]), cv2.IMREAD_COLOR)
    big = cv2.resize(bgr, (3000, 3000), interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(big, 500, 500, 0, 0, cv2.BORDER_REFLECT)


def time_12mp(lfw: Lfw, repeats: int = 5) -> dict[str, Any]:
    """CPU seconds for detection + encoding of one 12 MP selfie, ours vs face_recognition."""
    import face_recognition

    from pipeline.engines.dlib_faces import FaceModels
    from pipeline.faces import faces_in_image

    bgr = selfie_12mp(lfw)
    models = FaceModels.load()
    ours = []
    for _ in range(repeats):
        started = time.process_time()
        faces_in_image(bgr, models)
        ours.append(time.process_time() - started)
    rgb = np.ascontiguousarray(bgr[:, :, ::-1])
    started = time.process_time()
    boxes = face_recognition.face_locations(rgb, number_of_times_to_upsample=1)
    face_recognition.face_encodings(rgb, boxes, num_jitters=1)
    defaults = time.process_time() - started
    return {
        "image": f"{bgr.shape[1]}x{bgr.shape[0]}",
        "ours_cpu_s_median": round(float(np.median(ours)), 3),
        "ours_cpu_s_max": round(float(np.max(ours)), 3),
        "defaults_cpu_s": round(defaults, 3),
    }


def time_gallery(
    real: np.ndarray, radius: float, size: int = 1_000_000, queries: int = 20
) -> dict[str, Any]:
    """1:N search time over ``size`` synthetic unit templates drawn like the real ones.

    Synthetic templates come from a Gaussian with the mean and covariance of our LFW templates,
    scaled to unit length, so their distances look like real ones (impostors ~0.5-0.8).
    """
    from pipeline.gallery import Gallery

    rng = np.random.default_rng(4)
    mean, cov = real.mean(axis=0), np.cov(real.T)
    templates = rng.multivariate_normal(mean, cov, size, method="cholesky").astype(np.float32)
    templates /= np.linalg.norm(templates, axis=1, keepdims=True)
    gallery = Gallery()
    started = time.perf_counter()
    names = [f"acct-{i}" for i in range(size)]
    gallery.add_many(names, names, names, templates)
    load_s = time.perf_counter() - started
    probes = real[rng.integers(0, len(real), queries)]
    found: dict[str, list[float]] = {"radius": [], "full": []}
    hits = 0
    for probe in probes:
        started = time.perf_counter()
        hits += len(gallery.search(probe, k=5, radius=radius))
        found["radius"].append((time.perf_counter() - started) * 1000)
    for probe in probes[:5]:
        started = time.perf_counter()
        gallery.search(probe, k=5)
        found["full"].append((time.perf_counter() - started) * 1000)
    return {
        "templates": size,
        "load_and_index_s": round(load_s, 2),
        "radius": radius,
        "search_ms_median": round(float(np.median(found["radius"])), 1),
        "search_ms_max": round(float(np.max(found["radius"])), 1),
        "full_scan_top5_ms_median": round(float(np.median(found["full"])), 1),
        "synthetic_hits_within_radius_per_query": hits / queries,
    }


# ----------------------------------------------------------------------------- main


def run(
    data: Path, write_calibration: bool, skip_speed: bool, out: Path = RESULTS
) -> dict[str, Any]:
    """Run everything, write results, print a summary; returns the summary."""
    from pipeline.faces import METHOD

    lfw = load_lfw(data)
    paths = [lfw.root / f for f in lfw.files]
    key = METHOD + "|" + "|".join(lfw.files)
    enc, found, cpu = cached("ours", key, lambda: encode_ours(paths))
    deg, found_d, cpu_d = cached("ours-card", key + "|card1", lambda: encode_ours(paths, True))
    ref, found_r, cpu_r = cached(
        "defaults", "fr-defaults|" + "|".join(lfw.files), lambda: encode_defaults(paths)
    )
    half_of = identity_halves(lfw)
    dist = distance_matrix(enc, found, enc, found)
    dist_ref = distance_matrix(ref, found_r, ref, found_r)
    gen_d, imp_d = degraded_pairs(lfw, deg, found_d, enc, found)
    gen_deg_ref, imp_deg_ref = _degraded_reference(lfw, paths, ref, found_r)
    summary: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "data": str(data),
        "method": METHOD,
        "split": "identities joined by official pairs into components, dealt into 2 halves",
        "faces_found": {
            "ours": int(found.sum()),
            "ours_card": int(found_d.sum()),
            "defaults": int(found_r.sum()),
            "photos": len(paths),
        },
        "encode_cpu_s_per_photo": {
            "ours": round(cpu / len(paths), 4),
            "defaults": round(cpu_r / len(paths), 4),
        },
        "ours": evaluate(lfw, dist, half_of),
        "defaults": evaluate(lfw, dist_ref, half_of),
        "card_vs_photo": _degraded_summary(gen_d, imp_d),
    }
    if gen_deg_ref is not None:
        summary["card_vs_photo_defaults"] = _degraded_summary(gen_deg_ref, imp_deg_ref)
    genuine, impostor = pair_sets(lfw, dist)
    labels = np.concatenate(
        [np.ones(len(genuine) + len(gen_d), bool), np.zeros(len(impostor) + len(imp_d), bool)]
    )
    distances = np.concatenate([genuine, gen_d, impostor, imp_d])
    usable = distances < MISSING_DISTANCE
    fit = logistic_fit(distances[usable], labels[usable])
    summary["calibration"] = fit
    ref_gen, ref_imp = pair_sets(lfw, dist_ref)
    rows = roc_rows(
        {"ours": (genuine, impostor), "defaults": (ref_gen, ref_imp), "ours_card": (gen_d, imp_d)}
    )
    if not skip_speed:
        summary["speed_12mp"] = time_12mp(lfw)
        from pipeline.policy import load_policy

        radius = load_policy().number("duplicates.match_max_distance")
        summary["gallery"] = time_gallery(enc[found].astype(np.float32), radius)
    out.mkdir(parents=True, exist_ok=True)
    _write_csv(out / "faces_roc.csv", rows)
    (out / "faces_summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if write_calibration:
        _write_calibration(summary, fit, len(genuine) + len(gen_d), len(impostor) + len(imp_d))
    print_summary(summary)
    return summary


def _degraded_reference(lfw: Lfw, paths: list[Path], ref: np.ndarray, found_r: np.ndarray):
    """The card-print pairs for face_recognition's defaults (cached like the others)."""
    import tempfile

    def compute() -> tuple[np.ndarray, np.ndarray, float]:
        with tempfile.TemporaryDirectory() as folder:
            copies = []
            for i, path in enumerate(paths):
                bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
                copy = Path(folder) / f"{i}.png"
                cv2.imwrite(str(copy), card_print(bgr, zlib.crc32(path.name.encode())))
                copies.append(copy)
            return encode_defaults(copies)

    deg_r, found_dr, _ = cached(
        "defaults-card", "fr-defaults|card1|" + "|".join(lfw.files), compute
    )
    return degraded_pairs(lfw, deg_r, found_dr, ref, found_r)


def _degraded_summary(genuine: np.ndarray, impostor: np.ndarray) -> dict[str, Any]:
    found: dict[str, Any] = {"pairs": {"genuine": len(genuine), "impostor": len(impostor)}}
    for fmr in FMR_TARGETS:
        found[f"at_fmr_{fmr:g}"] = rates(genuine, impostor, threshold_at_fmr(impostor, fmr))
    for threshold in (0.5, 0.55, 0.6, 0.65):
        found[f"at_{threshold}"] = rates(genuine, impostor, threshold)
    return found


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _write_calibration(
    summary: dict[str, Any], fit: dict[str, float], n_gen: int, n_imp: int
) -> None:
    from pipeline.face_checks import CALIBRATION_PATH
    from pipeline.version import PIPELINE_VERSION

    record = {
        "version": f"lfw1-logistic-{summary['date']}",
        "model": "P(same) = 1 / (1 + exp(a + b * distance)), class-balanced (50 % prior)",
        "logistic": {"a": round(fit["a"], 4), "b": round(fit["b"], 4)},
        "method": summary["method"],
        "pipeline_version": PIPELINE_VERSION,
        "fitted_on": {
            "data": "LFW fold 1 (807 photos, 435 identities), /work/shared/data/faces/lfw",
            "pairs": "all same/cross-identity photo pairs, clean-clean and card-print-vs-clean",
            "genuine_pairs": n_gen,
            "impostor_pairs": n_imp,
        },
        "date": summary["date"],
        "thresholds_seen": {
            "clean_fmr_1e-3": summary["ours"]["at_fmr_0.001"]["threshold"],
            "card_fmr_1e-3": summary["card_vs_photo"]["at_fmr_0.001"]["threshold"],
        },
        "written_by": "llave-verify face-bench --write-calibration",
    }
    CALIBRATION_PATH.parent.mkdir(parents=True, exist_ok=True)
    CALIBRATION_PATH.write_text(json.dumps(record, indent=2) + "\n")
    print(f"calibration written to {CALIBRATION_PATH}")


def print_summary(s: dict[str, Any]) -> None:
    """The figures, ours next to face_recognition's defaults."""
    ours, ref = s["ours"], s["defaults"]
    print(
        f"LFW fold 1: {s['faces_found']['photos']} photos; faces found ours {s['faces_found']['ours']}, "
        f"defaults {s['faces_found']['defaults']}, ours on card prints {s['faces_found']['ours_card']}"
    )
    print(f"split: {s['split']}")
    print(f"{'':42s}{'ours':>12s}{'defaults':>12s}")
    line = "{:42s}{:>12}{:>12}"
    print(
        line.format(
            "official pairs accuracy @0.6",
            ours["official_accuracy_at_0.6"],
            ref["official_accuracy_at_0.6"],
        )
    )
    print(
        line.format(
            "official pairs accuracy, identity-split CV",
            ours["identity_split_cv"]["accuracy"],
            ref["identity_split_cv"]["accuracy"],
        )
    )
    for key in ("at_fmr_0.001", "at_fmr_0.0001", "at_0.6"):
        a, b = ours[key], ref[key]
        print(line.format(f"{key}: threshold", a["threshold"], b["threshold"]))
        print(line.format(f"{key}: FMR", f"{a['fmr']:.5f}", f"{b['fmr']:.5f}"))
        print(line.format(f"{key}: FNMR", f"{a['fnmr']:.4f}", f"{b['fnmr']:.4f}"))
    ratio = ours["at_fmr_0.001"]["fnmr"] / max(ref["at_fmr_0.001"]["fnmr"], 1e-9)
    print(f"FNMR ratio ours/defaults at FMR 1e-3: {ratio:.2f} (target <= 0.7)")
    for fold in ours["identity_split_cv"]["folds"]:
        t = fold["test_at_that_threshold"]
        print(
            f"  held-out half {1 - fold['fit_half']}: acc {fold['accuracy_test']} "
            f"(thr {fold['accuracy_threshold']}); FMR1e-3 thr from other half {t['threshold']}: "
            f"FMR {t['fmr']:.5f} FNMR {t['fnmr']:.4f}"
        )
    for name in ("card_vs_photo", "card_vs_photo_defaults"):
        if name in s:
            c = s[name]
            print(
                f"{name}: {c['pairs']}; "
                + "; ".join(
                    f"{k}: thr {v['threshold']} FMR {v['fmr']:.5f} FNMR {v['fnmr']:.4f}"
                    for k, v in c.items()
                    if k.startswith("at_")
                )
            )
    print(f"calibration: {s['calibration']}")
    if "speed_12mp" in s:
        print(f"12 MP selfie CPU: {s['speed_12mp']}")
        print(f"gallery: {s['gallery']}")
