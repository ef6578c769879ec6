"""Where the kit's files are, wherever a notebook is opened from, and however the package was installed.

The helper package can live in two places:

* inside the kit's folder (a clone, or an editable install): the kit's ``data/`` is the folder beside the package;
* installed as a wheel (a JupyterHub image, ``pip install iraqtalks``): the package no longer knows where the
  kit's folder is, so the data folder is found, in this order, from

  1. ``data_dir=`` given to a function (a teacher's own copy);
  2. the environment variable ``IRAQTALKS_DATA`` (the path of a ``data/`` folder);
  3. the kit folder beside the package (a clone or editable install);
  4. the working folder or one of its parents that holds ``data/datapackage.json`` (a student's copy of the kit,
     with the notebooks inside it).

If none of these is found, :func:`data_dir` raises :class:`KitDataNotFound` with one sentence that says how to
point the kit at a copy.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

ENV_VAR = "IRAQTALKS_DATA"
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # iraqtalks/ (this file is iraqtalks/data/paths.py)


class KitDataNotFound(FileNotFoundError):
    """The kit's data folder could not be found (a wheel install outside a copy of the kit)."""


def _holds_data(folder: Path) -> bool:
    return (folder / "data" / "datapackage.json").is_file()


def find_root(start: str | Path | None = None) -> Path | None:
    """The kit's folder: from ``IRAQTALKS_DATA``, beside the package, or the working folder and its parents."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser().resolve().parent
    if _holds_data(PACKAGE_DIR.parent):
        return PACKAGE_DIR.parent
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _holds_data(folder):
            return folder
    return None


_FOUND = find_root()
# The kit's folder as found when the package was imported; the package's parent when none was found, so that
# these names always exist (data_dir() then says how to point the kit at its data).
ROOT = _FOUND if _FOUND is not None else PACKAGE_DIR.parent
DATA_DIR = ROOT / "data"
SEEDS_DIR = ROOT / "seeds"
NOTEBOOKS_DIR = ROOT / "notebooks"
EXERCISES_DIR = ROOT / "exercises"
DATAPACKAGE = DATA_DIR / "datapackage.json"
# Where exports are written: inside the kit, or in the working folder when the package is installed on its own.
EXPORTS_DIR = (ROOT if _FOUND is not None else Path.cwd()) / "exports"


def not_found_message() -> str:
    return (
        "The kit's data folder was not found (the iraqtalks package is installed on its own, outside a copy of "
        f"the kit): open the notebooks from inside a copy of the kit, set the environment variable {ENV_VAR} "
        "to the copy's data/ folder, or pass data_dir='path/to/kit/data'."
    )


def data_dir(path: str | Path | None = None) -> Path:
    """The data folder to use: `path` if given (a teacher's own copy), else the kit's `data/`.

    Raises :class:`KitDataNotFound` (one sentence, saying how to point the kit at its data) when no path is
    given and the kit's folder cannot be found.
    """
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise ValueError(
                f"data_dir is the folder that holds the kit's tables (a path, such as 'data' or Path('my_copy/data')), "
                f"not a {type(path).__name__}: {path!r}. To choose articles, events or tables, use the function's own "
                "argument for them."
            )
        return Path(path).expanduser().resolve()
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        d = Path(env).expanduser().resolve()
        if not (d / "datapackage.json").is_file():
            raise KitDataNotFound(
                f"{ENV_VAR} is set to {env!r}, but that folder holds no datapackage.json: point it at the kit's "
                "data/ folder, or unset it."
            )
        return d
    if (DATA_DIR / "datapackage.json").is_file():
        return DATA_DIR
    root = find_root()
    if root is None:
        raise KitDataNotFound(not_found_message())
    return root / "data"


def seeds_dir_for(data: str | Path | None = None) -> Path:
    """The seeds folder that goes with a data folder: a `seeds/` beside it if there is one, else the kit's."""
    d = data_dir(data)
    beside = d.parent / "seeds"
    return beside if beside.is_dir() else SEEDS_DIR


def passes_a_link(folder: str | Path, relative: str) -> bool:
    """Whether folder/relative passes through a symbolic link below the folder (one lstat per part: cheap
    enough for load() to ask on every call)."""
    cur = str(folder)
    for part in relative.split("/"):
        if part in ("", "."):
            continue
        cur = os.path.join(cur, part)
        try:
            if stat.S_ISLNK(os.lstat(cur).st_mode):
                return True
        except OSError:
            return False  # does not exist: nothing to follow (a missing file is reported by its table)
    return False
