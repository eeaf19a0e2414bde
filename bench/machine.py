"""A description of the machine and software a benchmark ran on."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

PACKAGES = (
    "numpy",
    "opencv-python-headless",
    "pillow",
    "dlib",
    "tesserocr",
    "face-recognition",
    "passporteye",
    "pytesseract",
    "pypdf",
    "pydantic",
    "scikit-image",
)


def describe() -> dict[str, object]:
    """CPU model, cores, RAM, load, OS, Python, tesseract, poppler and library versions."""
    return {
        "cpu_model": _cpuinfo("model name"),
        "cores": os.cpu_count(),
        "ram_gb": round(_meminfo_kb("MemTotal") / 1024 / 1024, 1),
        "load_average": os.getloadavg(),
        "os": _os_name(),
        "python": platform.python_version(),
        "tesseract": _first_line(["tesseract", "--version"]),
        "poppler": _first_line(["pdftotext", "-v"]),
        "omp_thread_limit": os.environ.get("OMP_THREAD_LIMIT", ""),
        "dlib_blas": _dlib_blas(),
        "packages": {name: _version(name) for name in PACKAGES},
    }


def _cpuinfo(field: str) -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(field):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _meminfo_kb(field: str) -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.platform()


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _dlib_blas() -> bool:
    """Whether dlib was built against a BLAS (its face encoder is ~5x faster with one)."""
    import dlib

    return bool(dlib.DLIB_USE_BLAS)
