"""The performance benchmark of issue 9, one command: ``uv run python -m bench``.

1. A labelled set of ``--cases`` cases (generated with ``--seed`` into ``--work``, reused when
   already there) or ``--cases-dir``.
2. The whole pipeline over every case, in a fresh process per pass that loads the engines and
   forks 1, then 2 workers (``--workers``): per-case and per-stage CPU and wall times, cases per
   hour, peak RSS per worker (``bench/pipeline_pass.py``).
3. Our face stage against face_recognition's defaults on ID fronts and 12 MP selfies
   (``bench/face_compare.py``), and our MRZ stage against PassportEye on the INE backs, passport
   pages and the shared MRZ photos (``bench/mrz_compare.py``).
4. Writes ``bench/results/bench-<UTC time>.json`` and the generated section of
   ``docs/performance.md``, and prints that section.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench import face_compare, groups, machine, mrz_compare, pipeline_pass, report, summarise

REPO = Path(__file__).resolve().parent.parent
PARTS = ("pipeline", "faces", "mrz")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--cases", type=int, default=100, help="cases to generate (default 100)")
    p.add_argument("--seed", type=int, default=2026, help="generator seed (default 2026)")
    p.add_argument(
        "--family",
        default="",
        help="generate the IDs only in these layout families (NAME[,NAME...]; default: the "
        "generator's draw, which mixes every family)",
    )
    p.add_argument("--cases-dir", type=Path, help="use this labelled set instead of generating")
    p.add_argument("--work", type=Path, default=Path("/tmp/llave-bench"), help="scratch folder")
    p.add_argument("--workers", default="1,2", help="worker counts of the pipeline passes")
    p.add_argument("--face-pairs", type=int, default=8, help="genuine and mismatch pairs, each")
    p.add_argument(
        "--mrz-images", type=int, default=0, help="at most this many set images (0: all)"
    )
    p.add_argument("--mrz-data", type=Path, default=REPO.parent / "shared" / "data" / "mrz")
    p.add_argument("--skip", default="", help=f"comma-separated parts to skip: {', '.join(PARTS)}")
    p.add_argument(
        "--reuse",
        action="store_true",
        help="reuse pipeline passes already in --work (a finished pass, else the cases done so far)",
    )
    p.add_argument("--results", type=Path, default=REPO / "bench" / "results")
    p.add_argument("--doc", type=Path, default=REPO / "docs" / "performance.md")
    p.add_argument("--no-doc", action="store_true", help="do not touch docs/performance.md")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when it ran (targets missed are reported, not an error)."""
    args = parse_args(argv)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    result: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv),
        "machine": machine.describe(),
    }
    cases_dir = args.cases_dir or _generated_set(args)
    result["cases_dir_note"] = _set_note(args, cases_dir)
    labels = summarise.load_labels(cases_dir)
    result["families_missing"] = _missing_families(args, labels)
    if "pipeline" not in skip:
        _pipeline(args, cases_dir, labels, result)
    if not {"faces", "mrz"} <= skip:
        _comparisons(args, cases_dir, skip, result)
    result["load_average_end"] = os.getloadavg()
    result["acceptance"] = summarise.acceptance(result)
    _write(args, result)
    return 0


def _generated_set(args: argparse.Namespace) -> Path:
    """The generated set for ``--cases``/``--seed``, made now unless complete already."""
    families = f"-f{args.family.replace(',', '+')}" if args.family else ""
    folder = args.work / f"cases-n{args.cases}-s{args.seed}{families}"
    labels = folder / "labels.json"
    if labels.exists() and len(json.loads(labels.read_text())["cases"]) == args.cases:
        _log(f"reusing the generated set {folder}")
        return folder
    _log(f"generating {args.cases} cases (seed {args.seed}) into {folder}")
    command = [
        sys.executable,
        "-m",
        "commands",
        "fixtures",
        "generate",
        "--out",
        str(folder),
        "--n",
        str(args.cases),
        "--seed",
        str(args.seed),
    ]
    command += ["--family", args.family] if args.family else []
    subprocess.run(command, cwd=REPO, check=True)
    return folder


def _set_note(args: argparse.Namespace, cases_dir: Path) -> str:
    count = len(list(cases_dir.glob("*/case.json")))
    if args.cases_dir:
        return f"{count} cases from `{cases_dir}`"
    families = f" --family {args.family}" if args.family else ""
    return (
        f"{count} cases generated by `llave-verify fixtures generate --n {args.cases} "
        f"--seed {args.seed}{families}`"
    )


def _missing_families(args: argparse.Namespace, labels: Any) -> list[str]:
    """The generator's families the set does not cover (those ``--family`` leaves out aside)."""
    chosen = {name.strip() for name in args.family.split(",") if name.strip()}
    missing = [f for f in groups.missing_families(labels) if not chosen or f in chosen]
    if missing:
        _log(f"warning: no case of the set is drawn in {', '.join(missing)}")
    return missing


def _pipeline(
    args: argparse.Namespace, cases_dir: Path, labels: Any, result: dict[str, Any]
) -> None:
    passes, records = {}, {}
    for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
        record = records[str(workers)] = _pass(args, cases_dir, workers)
        passes[str(workers)] = summarise.pass_figures(record, labels)
        p = passes[str(workers)]
        _log(
            f"{workers} worker(s): case CPU p50 {p['case_cpu_s']['p50']:.2f} s, wall p50 "
            f"{p['case_wall_s']['p50']:.2f} s; {p['throughput_cpu_cases_per_hour']:.0f} cases/h (CPU), "
            f"{p['throughput_wall_cases_per_hour']:.0f} cases/h (wall); peak RSS "
            f"{max(p['peak_rss_mb_per_worker'].values()):.0f} MB"
        )
    result["pipeline"] = passes
    if "1" in passes and "2" in passes:
        result["scaling"] = summarise.scaling(records["1"], records["2"])


def _pass(args: argparse.Namespace, cases_dir: Path, workers: int) -> dict[str, Any]:
    args.work.mkdir(parents=True, exist_ok=True)
    out = args.work / f"pass-{cases_dir.name}-w{workers}.json"
    progress = pipeline_pass.progress_path(out)
    if args.reuse and out.exists():
        _log(f"reusing {out}")
    elif args.reuse and progress.exists():
        _log(f"reusing the cases an interrupted pass finished: {progress}")
        return pipeline_pass.read_partial(progress)
    else:
        _log(f"pipeline pass with {workers} worker(s) over {cases_dir}")
        command = [
            sys.executable,
            "-m",
            "bench.pipeline_pass",
            "--cases-dir",
            str(cases_dir),
            "--workers",
            str(workers),
            "--out",
            str(out),
        ]
        subprocess.run(command, cwd=REPO, check=True)
    return dict(json.loads(out.read_text()))


def _comparisons(
    args: argparse.Namespace, cases_dir: Path, skip: set[str], result: dict[str, Any]
) -> None:
    from commands._runtime import build_context

    ctx = build_context()
    if "faces" not in skip:
        result["faces"] = _reused(
            args, f"faces-{cases_dir.name}", lambda: _faces(args, cases_dir, ctx)
        )
    if "mrz" not in skip:
        result["mrz"] = _reused(args, f"mrz-{cases_dir.name}", lambda: _mrz(args, cases_dir, ctx))


def _faces(args: argparse.Namespace, cases_dir: Path, ctx: Any) -> dict[str, Any]:
    _log(f"faces: ours vs face_recognition defaults, {args.face_pairs} pairs per class")
    return face_compare.run(cases_dir, args.face_pairs, args.work / "selfies-12mp", ctx, _log)


def _mrz(args: argparse.Namespace, cases_dir: Path, ctx: Any) -> dict[str, Any]:
    images = mrz_compare.case_images(cases_dir, args.mrz_images)
    images += mrz_compare.shared_images(args.mrz_data)
    _log(f"mrz: ours vs PassportEye on {len(images)} images")
    return mrz_compare.run(images, ctx.engines.ocr, _log)


def _reused(args: argparse.Namespace, name: str, compute: Any) -> dict[str, Any]:
    """A comparison's result, from ``--work`` with ``--reuse`` when saved there, else computed."""
    path = args.work / f"{name}.json"
    if args.reuse and path.exists():
        _log(f"reusing {path}")
        return dict(json.loads(path.read_text()))
    found = dict(compute())
    args.work.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(found, indent=1))
    return found


def _write(args: argparse.Namespace, result: dict[str, Any]) -> None:
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = args.results / f"bench-{stamp}.json"
    path.write_text(json.dumps(result, indent=1, default=str))
    text = report.markdown(result)
    if not args.no_doc:
        report.write_section(args.doc, text)
    print(text)
    _log(f"wrote {path}" + ("" if args.no_doc else f" and {args.doc}"))


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
