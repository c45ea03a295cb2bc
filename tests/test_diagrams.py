"""The labs' diagrams (labs/*.svg): well-formed, self-contained SVG that reads in light and dark themes,
and every lab 01-11 shows at least one of them from a Markdown cell.

JupyterLab shows a Markdown image as it is, on the notebook's background: in the dark theme an SVG without
a background of its own puts dark text on a dark page. So each diagram carries a full-size light
background rect, keeps its text as <text> (readable, searchable, translatable) at 12 px or more, and
pulls in nothing from outside (no scripts, no foreignObject, no web links).
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

LABS = Path(__file__).resolve().parents[1] / "labs"
SVGS = sorted(LABS.glob("*.svg"))
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
MIN_FONT_PX = 12
MAX_WIDTH_PX = 900
# A background counts as light when its relative luminance is at least this (#f6f8fa is about 0.94).
MIN_BACKGROUND_LUMINANCE = 0.85
DIAGRAM_LABS = [f"{n:02d}" for n in range(1, 12)]
# ![alt](01_x.svg), ![alt](01_x.svg "title"), <img src="01_x.svg" ...>
IMAGE_REF = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+\.svg)>?(?:\s+\"[^\"]*\")?\s*\)"
                       r"|<img\b[^>]*\bsrc\s*=\s*[\"']([^\"']+\.svg)[\"']", re.I)
NAMED_COLOURS = {"white": "#ffffff", "whitesmoke": "#f5f5f5", "snow": "#fffafa", "ghostwhite": "#f8f8ff"}


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def number(value: str) -> float:
    return float(re.sub(r"(px)?\s*$", "", value.strip()))


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2) of #rgb / #rrggbb / a few named colours; 0 for anything else."""
    colour = NAMED_COLOURS.get(colour.strip().lower(), colour.strip().lower())
    m = re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", colour)
    if not m:
        return 0.0
    hexes = m.group(1)
    if len(hexes) == 3:
        hexes = "".join(c * 2 for c in hexes)
    channels = []
    for i in (0, 2, 4):
        c = int(hexes[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def style_value(element: ET.Element, name: str) -> str | None:
    """A presentation value, from the attribute or the inline style (the style wins, as in CSS)."""
    m = re.search(rf"(?:^|;)\s*{name}\s*:\s*([^;]+)", element.get("style", ""))
    return m.group(1).strip() if m else element.get(name)


def view_box(root: ET.Element) -> tuple[float, float, float, float]:
    return tuple(float(v) for v in re.split(r"[\s,]+", root.get("viewBox", "").strip()))  # type: ignore[return-value]


@pytest.fixture(scope="module", params=SVGS, ids=[p.name for p in SVGS])
def svg(request) -> tuple[Path, ET.Element]:
    path = request.param
    return path, ET.parse(path).getroot()  # a parse error fails here: not well-formed XML


def test_there_are_diagrams():
    assert SVGS, "labs/ holds no .svg diagram"


def test_root_is_svg_with_a_viewbox_no_wider_than_the_page(svg):
    path, root = svg
    assert root.tag == SVG_NS + "svg", f"{path.name}: root is {root.tag}, not an SVG element"
    assert root.get("viewBox"), f"{path.name}: no viewBox, so it cannot scale"
    x, y, width, height = view_box(root)
    assert width > 0 and height > 0, f"{path.name}: empty viewBox"
    shown = number(root.get("width")) if root.get("width") else width
    assert shown <= MAX_WIDTH_PX, f"{path.name}: {shown} px wide; at most {MAX_WIDTH_PX}"


def test_has_title_and_desc(svg):
    path, root = svg
    for tag in ("title", "desc"):
        element = root.find(SVG_NS + tag)
        assert element is not None and (element.text or "").strip(), f"{path.name}: no <{tag}> with text"


def test_text_is_text(svg):
    path, root = svg
    assert any("".join(t.itertext()).strip() for t in root.iter(SVG_NS + "text")), (
        f"{path.name}: no <text>; labels drawn as paths cannot be read by a screen reader or searched")


def test_nothing_active_or_external(svg):
    path, root = svg
    for element in root.iter():
        name = local(element.tag)
        assert name not in ("script", "foreignObject"), f"{path.name}: <{name}> is not allowed"
        for attr in ("href", XLINK_HREF):
            target = element.get(attr, "")
            assert not re.match(r"\s*(https?:)?//", target, re.I), (
                f"{path.name}: <{name}> points outside the file ({target})")
        assert not any(k.lower().startswith("on") for k in element.attrib), (
            f"{path.name}: <{name}> has an event handler")
        css = (element.text or "") if name == "style" else element.get("style", "")
        assert not re.search(r"(@import|url\(\s*['\"]?(https?:)?//)", css, re.I), (
            f"{path.name}: CSS that loads something from outside")


def test_full_size_light_background(svg):
    path, root = svg
    x, y, width, height = view_box(root)

    def covers(rect: ET.Element) -> bool:
        def size(attr: str, full: float) -> float:
            value = rect.get(attr, "0")
            return full if value.strip() == "100%" else number(value)
        return (size("x", 0) <= x and size("y", 0) <= y
                and size("width", width) >= width and size("height", height) >= height)

    backgrounds = [r for r in root.findall(SVG_NS + "rect") if covers(r)]
    assert backgrounds, f"{path.name}: no rect covering the whole viewBox (needed for the dark theme)"
    fill = style_value(backgrounds[0], "fill") or ""
    assert luminance(fill) >= MIN_BACKGROUND_LUMINANCE, (
        f"{path.name}: background fill {fill!r} is not light enough for dark text in the dark theme")


def test_font_sizes_are_readable(svg):
    path, root = svg
    for element in root.iter():
        size = style_value(element, "font-size")
        if size is None:
            continue
        assert re.fullmatch(r"\s*[\d.]+(px)?\s*", size), (
            f"{path.name}: font-size {size!r}; use px numbers so the minimum can be checked")
        assert number(size) >= MIN_FONT_PX, (
            f"{path.name}: <{local(element.tag)}> font-size {size} < {MIN_FONT_PX}")
    assert root.get("font-size") or all(
        style_value(t, "font-size") for t in root.iter(SVG_NS + "text")), (
        f"{path.name}: set a font-size on the root or on every <text> (the default depends on the viewer)")


# --- the labs show them --------------------------------------------------------------------------------


def lab_notebooks() -> dict[str, Path]:
    return {p.name[:2]: p for p in sorted(LABS.glob("[0-9][0-9]_*.ipynb"))}


def markdown_references(notebook: Path) -> list[str]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    found = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        found += [a or b for a, b in IMAGE_REF.findall(text)]
    return found


REFERENCES = {name: markdown_references(path) for name, path in lab_notebooks().items()}


@pytest.mark.parametrize("lab", DIAGRAM_LABS)
def test_each_lab_shows_a_diagram(lab):
    assert lab in REFERENCES, f"no notebook labs/{lab}_*.ipynb"
    assert REFERENCES[lab], (
        f"lab {lab} shows no diagram: add ![what it shows]({lab}_....svg) to a Markdown cell")


def test_every_referenced_diagram_exists_beside_the_labs():
    for lab, refs in REFERENCES.items():
        for ref in refs:
            assert "/" not in ref and "\\" not in ref, (
                f"lab {lab} links {ref}: keep diagrams in labs/ and link them by file name, "
                "so the learner workspace (a flat copy of labs/) still finds them")
            assert (LABS / ref).is_file(), f"lab {lab} shows {ref}, which is not in labs/"


def test_every_diagram_is_shown_by_a_lab():
    shown = {ref for refs in REFERENCES.values() for ref in refs}
    unused = [p.name for p in SVGS if p.name not in shown]
    assert not unused, f"diagrams no lab shows: {unused}"
