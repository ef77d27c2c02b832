"""The stylesheet's colours are readable: every rule that sets a text colour on a solid
background, and every text colour on the page's backgrounds, reaches a contrast of 4.5:1
(WCAG 2.1 AA for normal text)."""

from __future__ import annotations

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[2] / "static" / "tierdesk" / "app.css"
HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


def _rgb(value: str) -> tuple[float, float, float]:
    h = value.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return tuple(int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _luminance(value: str) -> float:
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in _rgb(value))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _rules() -> tuple[dict[str, str], list[tuple[str, dict[str, str]]]]:
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    variables = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", text))
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        declarations = {}
        for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body):
            value = re.sub(r"var\((--[\w-]+)\)", lambda m: variables.get(m.group(1), "?"), value)
            declarations[name.strip()] = value.strip()
        rules.append((selector.strip(), declarations))
    return variables, rules


def _solid(value: str | None) -> str | None:
    if not value:
        return None
    found = HEX.search(value)
    return f"#{found.group(1)}" if found and value.strip().startswith("#") else None


def test_contrast_calculation() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48


def test_every_text_colour_on_its_background_reaches_4_5() -> None:
    variables, rules = _rules()
    low = []
    checked = 0
    for selector, d in rules:
        fg = _solid(d.get("color"))
        bg = _solid(d.get("background") or d.get("background-color"))
        if fg is None:
            continue
        # a rule without its own background sits on a card (white) or the page
        for back in [bg] if bg else ["#ffffff", variables["--bg"]]:
            checked += 1
            ratio = contrast(fg, back)
            on_top_bar = any(x in selector for x in ("topbar", "tools", ".brand"))
            if ratio < 4.5 and not on_top_bar:
                low.append(f"{selector}: {fg} on {back} = {ratio:.2f}")
    assert checked > 60
    assert low == []


def test_the_top_bar_and_its_links() -> None:
    for fg in ("#ffffff", "#e4ebff"):
        assert contrast(fg, "#14213d") >= 4.5
        assert contrast(fg, "#22325a") >= 4.5
    assert contrast("#ffffff", "#2a3650") >= 4.5  # the current page's tint
