"""Where the kit's files are, wherever a notebook is opened from."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
SEEDS_DIR = ROOT / "seeds"
NOTEBOOKS_DIR = ROOT / "notebooks"
EXERCISES_DIR = ROOT / "exercises"
DATAPACKAGE = DATA_DIR / "datapackage.json"


def data_dir(path: str | Path | None = None) -> Path:
    """The data folder to use: `path` if given (a teacher's own copy), else the kit's `data/`."""
    return Path(path).expanduser().resolve() if path is not None else DATA_DIR


def seeds_dir_for(data: str | Path | None = None) -> Path:
    """The seeds folder that goes with a data folder: a `seeds/` beside it if there is one, else the kit's."""
    d = data_dir(data)
    beside = d.parent / "seeds"
    return beside if beside.is_dir() else SEEDS_DIR
