"""The scenarios of the fixture set, their expected routing and how often they occur."""

from __future__ import annotations

import random

#: scenario -> (expected decision, expected reasons)
ROUTING: dict[str, tuple[str, list[str]]] = {
    "genuine_ine": ("verified", []),
    "genuine_passport": ("verified", []),
    "face_mismatch": ("review", ["FACE_MISMATCH"]),
    "curp_mismatch": ("review", ["CURP_MISMATCH"]),
    "name_mismatch": ("review", ["NAME_MISMATCH"]),
    "birthdate_mismatch": ("review", ["BIRTHDATE_MISMATCH"]),
    "sex_mismatch": ("review", ["SEX_MISMATCH"]),
    "mrz_inconsistent": ("review", ["MRZ_INCONSISTENT"]),
    "curp_invalid": ("review", ["CURP_INVALID"]),
    "id_expired": ("resubmit", ["ID_EXPIRED"]),
    "address_stale": ("resubmit", ["ADDRESS_PROOF_STALE"]),
    "address_mismatch": ("review", ["ADDRESS_MISMATCH"]),
    "selfie_no_face": ("resubmit", ["SELFIE_NO_FACE"]),
    "selfie_multiple_faces": ("resubmit", ["SELFIE_MULTIPLE_FACES"]),
    "id_unreadable": ("resubmit", ["ID_UNREADABLE"]),
    "id_as_address_proof": ("resubmit", ["DOCUMENT_TYPE_MISMATCH"]),
    "file_invalid": ("resubmit", ["FILE_INVALID"]),
}
SCENARIOS = list(ROUTING)
FAULTS = SCENARIOS[2:]
#: share of the set: 40 % genuine (INE 25, passport 15), the faults evenly over the rest.
WEIGHTS = {"genuine_ine": 0.25, "genuine_passport": 0.15} | {f: 0.60 / len(FAULTS) for f in FAULTS}


def allocate(n: int, seed: int) -> list[str]:
    """The scenario of each of ``n`` cases: every scenario once when ``n`` allows, the rest by
    weight (largest remainder), in a seeded random order.

    >>> plan = allocate(17, 1)
    >>> sorted(plan) == sorted(SCENARIOS)
    True
    >>> plan = allocate(200, 7)
    >>> plan.count("genuine_ine"), plan.count("genuine_passport"), plan.count("file_invalid")
    (50, 30, 8)
    """
    base = {s: 1 for s in SCENARIOS} if n >= len(SCENARIOS) else {s: 0 for s in SCENARIOS}
    quotas = {s: WEIGHTS[s] * n - base[s] for s in SCENARIOS}
    counts = {s: base[s] + max(0, int(quotas[s])) for s in SCENARIOS}
    order = sorted(SCENARIOS, key=lambda s: quotas[s] - int(quotas[s]), reverse=True)
    missing = n - sum(counts.values())
    i = 0
    while missing > 0:
        counts[order[i % len(order)]] += 1
        missing -= 1
        i += 1
    while missing < 0:
        top = max(counts, key=lambda s: counts[s])
        counts[top] -= 1
        missing += 1
    plan = [s for s in SCENARIOS for _ in range(counts[s])]
    random.Random(f"plan:{seed}").shuffle(plan)
    return plan
