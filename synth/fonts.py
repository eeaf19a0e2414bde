"""The typefaces documents are printed in: system fonts when installed, matplotlib's DejaVu else."""

from __future__ import annotations

import dataclasses
import functools
import os
import random
from pathlib import Path

_SYSTEM = Path("/usr/share/fonts")
#: family -> (regular, bold) file names, searched under /usr/share/fonts.
FAMILIES = {
    "DejaVuSans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "DejaVuSansCondensed": ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    "LiberationSans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    "LiberationSansNarrow": ("LiberationSansNarrow-Regular.ttf", "LiberationSansNarrow-Bold.ttf"),
    "LiberationSerif": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
    "FreeSans": ("FreeSans.ttf", "FreeSansBold.ttf"),
    "FreeSerif": ("FreeSerif.ttf", "FreeSerifBold.ttf"),
    "NotoSans": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
}
SANS = [
    "DejaVuSans",
    "DejaVuSansCondensed",
    "LiberationSans",
    "LiberationSansNarrow",
    "FreeSans",
    "NotoSans",
]
MRZ_FILES = ("OCRB.otf", "OCRB.ttf", "ocrb10.otf", "OCR-B.ttf")


@dataclasses.dataclass(frozen=True)
class Font:
    """A font file at a size in points."""

    path: str
    size: float

    def sized(self, size: float) -> Font:
        """The same face at another size."""
        return Font(self.path, size)


@functools.lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    found: dict[str, str] = {}
    import matplotlib

    bundled = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"
    for root in (bundled, _SYSTEM):
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                found[name] = os.path.join(dirpath, name)
    return found


@functools.cache
def family(name: str) -> tuple[str, str]:
    """(regular, bold) font paths of ``name``, falling back to DejaVu Sans."""
    regular, bold = FAMILIES.get(name, FAMILIES["DejaVuSans"])
    index = _index()
    if regular in index and bold in index:
        return index[regular], index[bold]
    return index["DejaVuSans.ttf"], index["DejaVuSans-Bold.ttf"]


def available_sans() -> list[str]:
    """The sans families installed (at least DejaVu Sans, shipped with matplotlib)."""
    index = _index()
    names = [f for f in SANS if all(p in index for p in FAMILIES[f])]
    return names or ["DejaVuSans"]


def random_sans(rng: random.Random) -> tuple[str, str]:
    """(regular, bold) paths of a random installed sans family."""
    return family(rng.choice(available_sans()))


def random_serif(rng: random.Random) -> tuple[str, str]:
    """(regular, bold) paths of a random serif family."""
    return family(rng.choice(["LiberationSerif", "FreeSerif"]))


@functools.lru_cache(maxsize=1)
def mrz_font_path() -> str:
    """The OCR-B font (fonts-ocr-b), else DejaVu Sans Mono."""
    index = _index()
    for name in MRZ_FILES:
        if name in index:
            return index[name]
    return index["DejaVuSansMono.ttf"]
