"""Tables and charts the lessons show, readable by screen readers (issue 16).

* **pandas tables.** pandas writes the top-left corner of a table (and the cells beside an index's name)
  as an empty header cell, ``<th></th>``; a screen reader announces it as a header with no name, and
  axe-core reports ``empty-table-header``.  :func:`table_html` is pandas' own HTML with every *empty*
  header cell written as an ordinary empty cell (``<td></td>``): the table looks the same, and the
  headers left are the ones that name something.  The text form (``text/plain``) is pandas' own.
* **Charts.**  :func:`figure_html` is the PNG as an ``<img>`` with a text alternative:
  :func:`iraqtalks.views.plotting.describe` (the chart's title, what runs across and down with the
  first labels, the key).  A :class:`~iraqtalks.views.plotting.KitFigure` offers it itself; for any
  other matplotlib Figure shown in a lesson, :func:`register` adds it.

:func:`register` installs both in the running IPython kernel (``lesson_setup()`` calls it, and so does
importing ``check`` in an exercise notebook); outside a kernel it does nothing.
"""
from __future__ import annotations

import base64
import html
import re

__all__ = ["table_html", "figure_html", "register"]

# an empty header cell: nothing, spaces or a non-breaking space between <th ...> and </th>
_EMPTY_TH = re.compile(r"<th(\s[^>]*)?>(?:\s|&nbsp;|&#160;)*</th>")


def fix_table_html(markup: str | None) -> str | None:
    """`markup` with each empty ``<th>`` written as ``<td>`` (attributes kept)."""
    if markup is None:
        return None
    return _EMPTY_TH.sub(lambda m: f"<td{m.group(1) or ''}></td>", markup)


def table_html(obj) -> str | None:
    """pandas' HTML for a DataFrame or Styler, without empty header cells (None if pandas gives none)."""
    return fix_table_html(obj._repr_html_())


def figure_html(fig, png: bytes | None = None, alt: str | None = None) -> str:
    """`fig` as an ``<img>`` of its PNG with a text alternative (``alt``, default: :func:`plotting.describe`)."""
    if png is None:
        buf = __import__("io").BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight", facecolor="white")
        png = buf.getvalue()
    if alt is None:
        from .plotting import describe

        alt = describe(fig)
    width = _png_width(png)
    size = f' width="{width}"' if width else ""
    return (f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}"{size} '
            f'style="max-width:100%;height:auto" alt="{html.escape(alt, quote=True)}">')


def _png_width(png: bytes) -> int | None:
    if png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR":
        return int.from_bytes(png[16:20], "big")
    return None


def register(shell=None) -> bool:
    """Install the table and chart HTML in IPython's display (the running kernel, or `shell`).

    Returns True if it did (a shell was there), False otherwise.  Safe to call more than once.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython ships with Jupyter
            return False
        shell = get_ipython()
    if shell is None or getattr(shell, "display_formatter", None) is None:
        return False
    # by name: nothing is imported until a table or a figure is shown
    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type_by_name("pandas.core.frame", "DataFrame", table_html)
    formatter.for_type_by_name("pandas.io.formats.style", "Styler", table_html)
    formatter.for_type_by_name("matplotlib.figure", "Figure", _figure_html)
    return True


def _figure_html(fig) -> str:
    # A KitFigure has its own _repr_html_ (one drawing for both the <img> and image/png); any other
    # matplotlib Figure (pyplot's, in a lesson) gets an <img> with a description too.
    from .plotting import KitFigure

    return fig._repr_html_() if isinstance(fig, KitFigure) else figure_html(fig)
