"""A second, finer face measurement for grey-zone pairs, measured on LFW fold 1 (issue 5).

``llave-verify face-bench --refinement`` answers: if the pairs whose plain distance falls in the
policy's grey zone (``faces.match_max_distance`` < d < ``faces.mismatch_min_distance``) were
re-measured with a finer template (more views of each face averaged), could some be decided
``match`` without the false-match rate rising? The rule is measured as it would be applied: every
cross-identity pair of fold 1 (clean photo vs clean photo, and card print vs photo, as in
:mod:`bench.faces`) whose plain distance is in the grey zone is re-measured with the refined
templates; the refined threshold is fitted like the plain one (largest keeping the rule's FMR not
above the plain rule's own FMR, and separately at FMR 1e-3), cross-checked on the identity split,
and compared with the plain distance alone thresholded at the same FMR (a better *measurement*
must beat that; spending FMR budget is only a looser threshold).

Views per face (``pipeline.faces`` detection, crop and landmarks; one dlib encoding each): the
plain template (chip + mirror, already cached by :mod:`bench.faces`), the 5-point chip with
padding 0.35 instead of 0.25, the chip in grey (no colour: the ID print is 60-95 % desaturated),
and the chip aligned on all 68 landmarks. Results: ``bench/results/faces_refinement.json``.
Findings and the decision are in ``docs/faces.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from bench.faces import (
    RESULTS,
    Lfw,
    _degraded_summary,
    cached,
    degraded_pairs,
    distance_matrix,
    encode_photos,
    evaluate,
    identity_halves,
    load_lfw,
    pair_sets,
    rates,
    threshold_at_fmr,
)

#: Extra views, one encoding each (rows of the cached array).
VIEWS = ("pad0.35", "grey", "lm68")
#: Refined templates compared: weights of the plain template (it averages two descriptors, so
#: weight 2) and of each extra view, summed and scaled to unit length.
CANDIDATES: dict[str, dict[str, float]] = {
    "plain+lm68": {"plain": 2, "lm68": 1},
    "plain+pad0.35": {"plain": 2, "pad0.35": 1},
    "plain+grey": {"plain": 2, "grey": 1},
    "plain+pad0.35+lm68": {"plain": 2, "pad0.35": 1, "lm68": 1},
    "plain+pad0.35+lm68+grey": {"plain": 2, "pad0.35": 1, "lm68": 1, "grey": 1},
}


def extra_views(bgr: np.ndarray, models: Any) -> np.ndarray | None:
    """Descriptors (raw, one row per :data:`VIEWS`) of the centre face, or None without a face.

    Uses the pipeline's own detection, crop and landmarks (the private helpers of
    ``pipeline.faces``), so the views are of exactly the face the plain template encodes.
    """
    from pipeline import faces as stage

    found = stage._detect_upright(bgr, models)
    if found.detections is None:
        return None
    upright = stage._turned(bgr, found.rotation)
    boxes = sorted(found.detections, key=lambda d: -stage._side(d.box))
    chosen = stage._central(boxes, upright.shape[1], upright.shape[0])
    crop, crop_box = stage._face_crop(upright, boxes[chosen].box)
    shape5 = models.landmarks(crop, crop_box, 5)
    shape68 = models.landmarks(crop, crop_box, 68)
    grey = cv2.cvtColor(
        cv2.cvtColor(models.chip(crop, shape5), cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB
    )
    chips = {
        "pad0.35": models.chip(crop, shape5, 150, 0.35),
        "grey": grey,
        "lm68": models.chip(crop, shape68),
    }
    return models.encode([chips[view] for view in VIEWS])


def encode_views(paths: list[Path], degrade: bool = False) -> tuple[np.ndarray, np.ndarray, float]:
    """:func:`extra_views` of every photo (flattened rows), found mask, CPU seconds."""
    from pipeline.engines.dlib_faces import FaceModels

    models = FaceModels.load()
    return encode_photos(paths, len(VIEWS) * 128, lambda bgr: extra_views(bgr, models), degrade)


def refined_templates(
    plain: np.ndarray, views: np.ndarray, weights: dict[str, float]
) -> np.ndarray:
    """Weighted sum of the plain templates and the extra views, rows scaled to unit length.

    >>> plain = np.array([[1.0, 0.0]]); views = np.array([[0.0, 1.0, 0.0, 0.0, 0.0, 0.0]])
    >>> refined_templates(plain, views, {"plain": 1, "pad0.35": 1}).round(4).tolist()
    [[0.7071, 0.7071]]
    """
    dim = plain.shape[1]
    total = weights.get("plain", 0) * plain
    for k, view in enumerate(VIEWS):
        if weights.get(view):
            total = total + weights[view] * views[:, k * dim : (k + 1) * dim]
    norms = np.linalg.norm(total, axis=1, keepdims=True)
    return total / np.where(norms > 0, norms, 1.0)


# ----------------------------------------------------------------------------- refinement


@dataclass
class RuleZones:
    """The policy's zones and the refinement band, for the vectorised rule."""

    match_max: float
    mismatch_min: float
    band: tuple[float, float]


def rule_accepts(plain: np.ndarray, refined: np.ndarray, z: RuleZones, refined_max: float):
    """Pairs the pipeline decides ``match`` (``pipeline.faces.decided_zone``, vectorised).

    >>> z = RuleZones(0.37, 0.46, (0.37, 0.46))
    >>> rule_accepts(np.array([0.3, 0.4, 0.4, 0.5]), np.array([0.9, 0.35, 0.39, 0.1]), z, 0.36)
    array([ True,  True, False, False])
    """
    grey = (plain > z.match_max) & (plain < z.mismatch_min)
    measured = (plain > z.band[0]) & (plain < z.band[1])
    return (plain <= z.match_max) | (grey & measured & (refined <= refined_max))


def rule_rates(gen: tuple, imp: tuple, z: RuleZones, refined_max: float) -> dict[str, float]:
    """FMR, FNMR and the genuine grey-zone rate of the rule as applied (``(plain, refined)`` pairs)."""
    acc_gen = rule_accepts(gen[0], gen[1], z, refined_max)
    grey_gen = ~acc_gen & (gen[0] < z.mismatch_min)
    fmr = float(rule_accepts(imp[0], imp[1], z, refined_max).mean())
    return {
        "refined_max": round(refined_max, 4),
        "fmr": fmr,
        "fnmr": float((~acc_gen).mean()),
        "genuine_grey": float(grey_gen.mean()),
        "plain_fnmr_at_same_fmr": rates(gen[0], imp[0], threshold_at_fmr(imp[0], fmr))["fnmr"],
    }


def refined_max_for(imp: tuple, z: RuleZones, fmr: float) -> float:
    """The largest refined threshold (4 decimals) whose rule keeps the FMR over ``imp`` <= ``fmr``."""
    plain, refined = imp
    base = int((plain <= z.match_max).sum())
    extra = int(np.floor(fmr * len(plain) + 1e-6)) - base
    if extra < 0:
        return 0.0
    grey = (plain > max(z.match_max, z.band[0])) & (plain < min(z.mismatch_min, z.band[1]))
    ordered = np.sort(refined[grey])
    if extra >= len(ordered):
        return z.mismatch_min
    return float(np.floor(ordered[extra] * 1e4 - 1e-6) / 1e4)


def refinement_summary(
    lfw: Lfw,
    plain: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    refined: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    half_of: dict[str, int],
    z: RuleZones,
) -> dict[str, Any]:
    """The refined templates alone, and the grey-zone rule as the pipeline applies it.

    ``plain`` and ``refined`` are (clean templates, found, card-print templates, found). The rule
    is measured on every cross-identity pair (clean-clean and card-vs-photo): each pair whose
    plain distance is in the band is re-measured with the refined templates. The refined
    threshold is derived like the plain one: the largest keeping the rule's FMR at or below the
    plain rule's own FMR at ``match_max`` (not worse), on both pair sets, and separately the
    largest at FMR 1e-3; and cross-checked on the identity split (fitted on one half's pairs,
    measured on the other's).
    """
    enc, found, deg, found_d = plain
    renc, rfound, rdeg, rfound_d = refined
    dist = distance_matrix(enc, found, enc, found)
    rdist = distance_matrix(renc, rfound, renc, rfound)
    clean = (pair_sets(lfw, dist), pair_sets(lfw, rdist))
    card = (
        degraded_pairs(lfw, deg, found_d, enc, found),
        degraded_pairs(lfw, rdeg, rfound_d, renc, rfound),
    )
    sets = {
        name: ((p[0], r[0]), (p[1], r[1])) for name, (p, r) in (("clean", clean), ("card", card))
    }
    plain_fmr = {name: float((imp[0] <= z.match_max).mean()) for name, (_, imp) in sets.items()}
    not_worse = min(refined_max_for(imp, z, plain_fmr[name]) for name, (_, imp) in sets.items())
    at_1e3 = min(refined_max_for(imp, z, 1e-3) for _, imp in sets.values())
    result: dict[str, Any] = {
        "zones": {"match_max": z.match_max, "mismatch_min": z.mismatch_min, "band": list(z.band)},
        "refined_alone": evaluate(lfw, rdist, half_of),
        "refined_alone_card": _degraded_summary(*card[1]),
        "refined_max_not_worse_fit": not_worse,
        "refined_max_fmr1e-3_fit": at_1e3,
    }
    for name, (gen, imp) in sets.items():
        result[name] = {
            "plain_rule": rule_rates(gen, imp, z, -1.0),
            "rule_not_worse_fit": rule_rates(gen, imp, z, not_worse),
            "rule_fmr1e-3_fit": rule_rates(gen, imp, z, at_1e3),
            "grey_pairs_remeasured": {
                "genuine": int(((gen[0] > z.band[0]) & (gen[0] < z.band[1])).sum()),
                "impostor": int(((imp[0] > z.band[0]) & (imp[0] < z.band[1])).sum()),
            },
        }
    result["identity_split"] = _refined_split(lfw, dist, rdist, half_of, z)
    return result


def _refined_split(lfw: Lfw, dist: np.ndarray, rdist: np.ndarray, half_of: dict[str, int], z):
    """Refined threshold fitted on one identity half (not worse than plain), measured on the other."""
    members = np.array([half_of[name] for name in lfw.identities])
    folds = []
    for fit_half in (0, 1):
        pairs = {}
        for half in (fit_half, 1 - fit_half):
            (gp, ip), (gr, ir) = (
                pair_sets(lfw, dist, members == half),
                pair_sets(lfw, rdist, members == half),
            )
            pairs[half] = ((gp, gr), (ip, ir))
        fit_imp = pairs[fit_half][1]
        t2 = refined_max_for(fit_imp, z, float((fit_imp[0] <= z.match_max).mean()))
        gen, imp = pairs[1 - fit_half]
        folds.append(
            {
                "fit_half": fit_half,
                "refined_max_fit": t2,
                "test_plain_rule": rule_rates(gen, imp, z, -1.0),
                "test_rule": rule_rates(gen, imp, z, t2),
            }
        )
    return folds


def print_refinement(r: dict[str, Any]) -> None:
    """The refined templates alone and the grey-zone rule as applied, next to the plain rule."""
    print(f"refinement ({r['method']}), zones {r['zones']}")
    alone, card = r["refined_alone"], r["refined_alone_card"]
    print(
        f"  refined alone: identity-split acc {alone['identity_split_cv']['accuracy']}; "
        + "; ".join(
            f"{name} {k}: thr {v['threshold']} FNMR {v['fnmr']:.4f}"
            for name, block in (("clean", alone), ("card", card))
            for k, v in block.items()
            if k in ("at_fmr_0.001", "at_fmr_0.0001")
        )
    )
    print(
        f"  refined threshold fitted: not-worse {r['refined_max_not_worse_fit']}, "
        f"FMR 1e-3 {r['refined_max_fmr1e-3_fit']}"
    )
    for name in ("clean", "card"):
        block = r[name]
        print(f"  {name}: re-measured pairs {block['grey_pairs_remeasured']}")
        for rule in ("plain_rule", "rule_not_worse_fit", "rule_fmr1e-3_fit"):
            v = block[rule]
            print(
                f"    {rule:20s} t2 {v['refined_max']:>7}: FMR {v['fmr']:.6f} "
                f"FNMR {v['fnmr']:.4f} genuine grey {v['genuine_grey']:.4f} "
                f"(plain distance alone at that FMR: FNMR {v['plain_fnmr_at_same_fmr']:.4f})"
            )
    for fold in r["identity_split"]:
        a, b = fold["test_plain_rule"], fold["test_rule"]
        print(
            f"  held-out half {1 - fold['fit_half']}: t2 {fold['refined_max_fit']} -> "
            f"FMR {a['fmr']:.6f}->{b['fmr']:.6f}, FNMR {a['fnmr']:.4f}->{b['fnmr']:.4f}"
        )


def run(data: Path, out: Path = RESULTS) -> dict[str, Any]:
    """Measure every candidate refined template; print and write ``faces_refinement.json``."""
    from bench.faces import encode_ours
    from pipeline.faces import METHOD
    from pipeline.policy import load_policy

    lfw = load_lfw(data)
    paths = [lfw.root / f for f in lfw.files]
    key = METHOD + "|" + "|".join(lfw.files)
    enc, found, _ = cached("ours", key, lambda: encode_ours(paths))
    deg, found_d, _ = cached("ours-card", key + "|card1", lambda: encode_ours(paths, True))
    vkey = f"{key}|views|{','.join(VIEWS)}"
    views, vfound, _ = cached("views", vkey, lambda: encode_views(paths))
    dviews, vfound_d, _ = cached("views-card", vkey + "|card1", lambda: encode_views(paths, True))
    policy = load_policy()
    low, high = (
        policy.number("faces.match_max_distance"),
        policy.number("faces.mismatch_min_distance"),
    )
    zones = RuleZones(low, high, (low, high))
    half_of = identity_halves(lfw)
    summary: dict[str, Any] = {
        "views": list(VIEWS),
        "policy_version": policy.version,
        "candidates": {},
    }
    for name, weights in CANDIDATES.items():
        refined = (
            refined_templates(enc, views, weights),
            found & vfound,
            refined_templates(deg, dviews, weights),
            found_d & vfound_d,
        )
        result = refinement_summary(lfw, (enc, found, deg, found_d), refined, half_of, zones)
        result["method"] = name
        summary["candidates"][name] = result
        print_refinement(result)
    out.mkdir(parents=True, exist_ok=True)
    (out / "faces_refinement.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
