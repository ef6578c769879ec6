"""Foreign keys: every reference from one table to another names a row that exists.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .checks import _missing_mask, _required
from .csvtext import _parse
from .descriptor import _as_list, _resource
from .problems import Problem, _closest, _display


def _check_foreign_keys(dd: Path, pkg: dict, res: dict, already: set[tuple]) -> list[Problem]:
    out: list[Problem] = []
    parsed = _parse(dd / res["path"])
    if parsed.values is None:
        return out
    shown = _display(dd / res["path"])
    for fk in res["schema"].get("foreignKeys") or []:
        fields = _as_list(fk["fields"])
        ref = fk["reference"]
        target = _resource(pkg, ref.get("resource") or res["name"])
        rfields = _as_list(ref["fields"])
        tparsed = _parse(dd / target["path"])
        if not parsed.has(*fields) or not tparsed.has(*rfields):
            continue  # the missing file or column is reported by its own table's check
        tshown = _display(dd / target["path"])
        child_missing = _missing_mask(res, np.stack([parsed.column(f) for f in fields], axis=1))
        used = ~child_missing.all(axis=1)
        parent_missing = _missing_mask(target, np.stack([tparsed.column(f) for f in rfields], axis=1))
        keys = set(zip(*(tparsed.column(f)[~parent_missing.any(axis=1)] for f in rfields)))
        child = list(zip(*(parsed.column(f) for f in fields)))
        if {c for c, u in zip(child, used) if u} <= keys:
            continue
        # a key written with spaces around it in the referenced table is reported there, in its own row
        padded = {tuple(v.strip() for v in k) for k in keys if any(v != v.strip() for v in k)}
        col = fields[0] if len(fields) == 1 else ", ".join(fields)
        for key, u, row in zip(child, used, parsed.rows):
            if not u or key in keys or (shown, int(row), col) in already or key in padded:
                continue
            value = key[0] if len(key) == 1 else " | ".join(key)
            advice = f"{value!r} is not in {tshown} column {', '.join(rfields)} (a dangling reference): "
            flat = [k[0] for k in keys] if len(fields) == 1 else []
            if len(fields) == 1 and value.strip() in flat:
                advice += "remove the spaces around it"
            else:
                near = _closest(value, flat, 0.6) if flat else None
                advice += (f"did you mean {near!r}? " if near else "") + (
                    f"Add the row to table {target['name']}, correct the id"
                    + ("" if any(_required(res, f) for f in fields) else ", or leave the cell empty for no reference"))
            out.append(Problem(shown, row=int(row), column=col, found=value,
                               expected=f"a value of {', '.join(rfields)} that exists in table {target['name']}",
                               message=advice))
    return out
