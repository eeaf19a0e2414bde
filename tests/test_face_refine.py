"""The grey-zone refinement rule of bench/face_refine.py on hand-made distances (no models)."""

from __future__ import annotations

import numpy as np

from bench.face_refine import RuleZones, refined_max_for, rule_accepts, rule_rates

ZONES = RuleZones(0.37, 0.46, (0.37, 0.46))


def test_only_grey_pairs_are_settled_by_the_refined_distance():
    plain = np.array([0.30, 0.40, 0.40, 0.50, 0.37])
    refined = np.array([0.90, 0.33, 0.36, 0.10, 0.90])
    assert rule_accepts(plain, refined, ZONES, 0.35).tolist() == [True, True, False, False, True]


def test_not_worse_threshold_admits_no_extra_impostor():
    impostor = (np.array([0.30, 0.40, 0.41, 0.42, 0.60]), np.array([0.9, 0.36, 0.34, 0.38, 0.1]))
    plain_fmr = float((impostor[0] <= ZONES.match_max).mean())
    t2 = refined_max_for(impostor, ZONES, plain_fmr)
    assert t2 < 0.34
    assert rule_accepts(*impostor, ZONES, t2).sum() == 1
    genuine = (np.array([0.39, 0.45]), np.array([0.30, 0.40]))
    rates = rule_rates(genuine, impostor, ZONES, t2)
    assert rates["fmr"] == plain_fmr and rates["fnmr"] == 0.5 and rates["genuine_grey"] == 0.5
    assert 0.34 <= refined_max_for(impostor, ZONES, 0.4) < 0.36  # exactly one more allowed
