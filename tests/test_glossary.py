"""The glossary that the notebooks link to: every link lands on a term, every term is used."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "notebooks" / "GLOSSARY.md"


def anchors() -> set[str]:
    """GitHub's and JupyterLab's anchor for a heading ``### dying relu`` is ``dying-relu``."""
    headings = re.findall(r"^### (.+)$", GLOSSARY.read_text(encoding="utf-8"), flags=re.M)
    return {heading.strip().lower().replace(" ", "-") for heading in headings}


def links() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for source in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        text = source.read_text(encoding="utf-8")
        found[source.name] = set(re.findall(r"GLOSSARY\.md#([a-z0-9-]+)", text))
    return found


def test_every_glossary_link_lands_on_a_term():
    known = anchors()
    broken = {name: sorted(used - known) for name, used in links().items() if used - known}
    assert not broken, f"links to terms missing from notebooks/GLOSSARY.md: {broken}"


def test_the_morning_notebooks_link_the_glossary():
    linked = {name for name, used in links().items() if used}
    for number in ["01", "02", "03", "04", "05", "06", "07"]:
        assert any(name.startswith(number) for name in linked), f"notebook {number} links no term"


def test_terms_are_sorted_and_unique():
    headings = re.findall(r"^### (.+)$", GLOSSARY.read_text(encoding="utf-8"), flags=re.M)
    assert headings == sorted(set(headings), key=str.lower)
