"""The ``llave-verify`` command line: one module per command group, imported on demand.

Each command module defines ``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "verify": ("commands.verify", "verify one case folder and print its verdict JSON"),
    "batch": ("commands.batch", "verify every case of a folder (or S3 prefix) into OUT_DIR"),
    "evaluate": ("commands.evaluate", "score verdicts against fixture labels"),
    "schema": ("commands.schema", "write the JSON Schema files of the models"),
    "fixtures": ("commands.fixtures", "generate labelled synthetic cases"),
    "face-match": ("commands.face_match", "compare the faces of two images"),
    "face-bench": ("commands.face_bench", "calibrate and benchmark the face matcher on LFW"),
    "mrz-bench": ("commands.mrz_bench", "measure the MRZ reader on the shared real documents"),
    "enqueue": ("commands.enqueue", "upload a case folder to S3 and enqueue it"),
    "status": ("commands.status", "show a submission's job state or verdict"),
    "stack": ("commands.stack", "start or stop the local redis-server and S3 server"),
    "review-console": ("commands.review_console", "run the reviewers' web console"),
    "report": ("commands.report", "write an HTML report of a batch run"),
    "compare": ("commands.compare", "list the cases whose decision changed between two runs"),
    "purge": (
        "commands.purge",
        "delete a submission's or account's data (retention, cancellation)",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every command module's sub-parser."""
    parser = argparse.ArgumentParser(prog="llave-verify", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``llave-verify`` console script."""
    args = build_parser().parse_args(argv)
    return int(args._run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
