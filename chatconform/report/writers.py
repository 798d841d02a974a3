"""Write the compatibility report of a run: compat.json, compat.md and compat.html.

Called by the pytest plugin at session end, in the controlling process only.
Each format has its own module; this one only names the files.
"""

from __future__ import annotations

from pathlib import Path

from chatconform.report.causes import causes
from chatconform.report.digest import digest
from chatconform.report.html import render_html
from chatconform.report.json_writer import render_json
from chatconform.report.markdown import render_markdown
from chatconform.report.model import RunResults

FILE_NAMES = ("compat.json", "compat.md", "compat.html")


def render_reports(results: RunResults) -> dict[str, str]:
    """Every report file's name and text."""
    found = causes(results)  # grouped once, shown three ways
    d = digest(results, found)
    texts = (render_json(results, found), render_markdown(d), render_html(d))
    return dict(zip(FILE_NAMES, texts, strict=True))


def write_reports(results: RunResults, directory: Path) -> list[Path]:
    """Write every report file into `directory` (created if needed); return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_reports(results).items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
