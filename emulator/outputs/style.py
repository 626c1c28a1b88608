"""Read a texture prompt: its colours (CSS names via webcolors, plus common extras) and materials.

"painted ceramic, red glaze with cream spots" gives a smooth red glaze with
cream spots; "mossy stone with red lichen" a rough grey-green stone with red
patches. Words before "with" describe the base, words after it the accents.
"""

from __future__ import annotations

import colorsys
import hashlib
import re
from dataclasses import dataclass

import webcolors

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Finish:
    """How a material looks: colour, PBR values, relief (0..1) and its own pattern."""

    color: RGB
    metallic: float
    roughness: float
    relief: float
    pattern: str
    accent: RGB | None = None


MATERIALS: dict[str, Finish] = {
    "ceramic": Finish((236, 231, 220), 0.0, 0.2, 0.15, "smooth"),
    "porcelain": Finish((244, 243, 238), 0.0, 0.15, 0.1, "smooth"),
    "glaze": Finish((230, 226, 215), 0.0, 0.1, 0.1, "smooth"),
    "clay": Finish((176, 110, 76), 0.0, 0.85, 0.45, "noise"),
    "terracotta": Finish((196, 104, 66), 0.0, 0.85, 0.4, "noise"),
    "stone": Finish((128, 127, 120), 0.0, 0.92, 0.9, "noise"),
    "rock": Finish((118, 112, 104), 0.0, 0.93, 1.0, "noise"),
    "granite": Finish((150, 146, 142), 0.0, 0.8, 0.6, "speckle", (60, 58, 58)),
    "concrete": Finish((152, 151, 146), 0.0, 0.95, 0.55, "speckle", (120, 119, 115)),
    "marble": Finish((236, 234, 228), 0.0, 0.2, 0.15, "veins", (120, 120, 125)),
    "brick": Finish((164, 72, 52), 0.0, 0.9, 0.8, "bricks", (196, 190, 178)),
    "moss": Finish((92, 118, 52), 0.0, 0.97, 0.7, "patches"),
    "lichen": Finish((170, 176, 96), 0.0, 0.95, 0.5, "patches"),
    "rust": Finish((150, 66, 28), 0.15, 0.9, 0.6, "patches"),
    "wood": Finish((142, 96, 56), 0.0, 0.7, 0.45, "grain", (98, 62, 34)),
    "bark": Finish((96, 72, 52), 0.0, 0.95, 1.0, "grain", (60, 44, 32)),
    "leather": Finish((112, 70, 42), 0.0, 0.6, 0.35, "speckle", (90, 55, 32)),
    "fabric": Finish((170, 160, 150), 0.0, 0.95, 0.3, "speckle"),
    "plastic": Finish((220, 220, 222), 0.0, 0.4, 0.1, "smooth"),
    "rubber": Finish((40, 40, 42), 0.0, 0.85, 0.15, "smooth"),
    "glass": Finish((210, 232, 240), 0.0, 0.05, 0.0, "smooth"),
    "ice": Finish((200, 228, 245), 0.0, 0.1, 0.3, "cracks", (235, 245, 255)),
    "metal": Finish((170, 172, 176), 1.0, 0.35, 0.2, "noise"),
    "steel": Finish((160, 164, 170), 1.0, 0.3, 0.15, "noise"),
    "iron": Finish((100, 100, 104), 1.0, 0.55, 0.3, "noise"),
    "chrome": Finish((220, 222, 226), 1.0, 0.05, 0.0, "smooth"),
    "silver": Finish((200, 202, 206), 1.0, 0.2, 0.1, "smooth"),
    "gold": Finish((228, 176, 52), 1.0, 0.25, 0.1, "smooth"),
    "bronze": Finish((176, 118, 58), 1.0, 0.35, 0.25, "noise"),
    "copper": Finish((190, 104, 64), 1.0, 0.3, 0.2, "noise"),
    "brass": Finish((200, 160, 70), 1.0, 0.3, 0.15, "noise"),
    "sand": Finish((212, 188, 140), 0.0, 0.95, 0.5, "speckle"),
    "snow": Finish((246, 248, 252), 0.0, 0.8, 0.3, "noise"),
    "scales": Finish((90, 120, 80), 0.0, 0.5, 0.7, "scales"),
    "fur": Finish((140, 110, 80), 0.0, 0.95, 0.4, "grain"),
}
# Forms that name a material; adjectives coat the base ("mossy stone") instead of being it.
NOUNS = {"stones": "stone", "rocks": "rock", "bricks": "brick", "wooden": "wood", "metallic": "metal",
         "golden": "gold", "glazed": "glaze", "leathery": "leather", "marbled": "marble", "cloth": "fabric",
         "scaly": "scales", "scale": "scales", "plank": "wood", "planks": "wood", "timber": "wood",
         "cobblestone": "stone", "pottery": "ceramic", "enamel": "glaze"}
COATINGS = {"mossy": "moss", "rusty": "rust", "rusted": "rust", "stony": "stone", "sandy": "sand",
            "snowy": "snow", "icy": "ice"}
COAT_MIX = {"moss": 0.35, "rust": 0.15}
EXTRA_COLORS: dict[str, RGB] = {
    "cream": (255, 246, 214), "rust": (150, 66, 28), "bronze": (176, 118, 58), "copper": (190, 104, 64),
    "brass": (200, 160, 70), "charcoal": (54, 57, 61), "burgundy": (128, 0, 32), "mustard": (225, 173, 1),
    "ochre": (204, 119, 34), "terracotta": (196, 104, 66), "mint": (152, 255, 152), "emerald": (80, 200, 120),
    "ruby": (224, 17, 95), "sapphire": (15, 82, 186), "amber": (255, 191, 0), "jade": (0, 168, 107),
    "scarlet": (255, 36, 0), "crimson": (220, 20, 60), "cobalt": (0, 71, 171), "sand": (212, 188, 140),
    "stone": (128, 127, 120), "moss": (92, 118, 52), "wine": (114, 47, 55), "rose": (255, 102, 153),
    "navy blue": (0, 0, 128), "baby blue": (137, 207, 240), "olive green": (107, 142, 35),
    "off white": (250, 249, 240), "bone": (227, 218, 201), "mauve": (224, 176, 255), "teal blue": (54, 117, 136),
}
SHADES = {"dark": (0.0, 0.55), "deep": (0.0, 0.7), "light": (1.0, 0.45), "pale": (1.0, 0.6),
          "pastel": (1.0, 0.5), "bright": (None, 0.0), "muted": (0.5, 0.35)}
PATTERNS = {"spot": "spots", "spots": "spots", "spotted": "spots", "dots": "spots", "dotted": "spots",
            "polka": "spots", "stripe": "stripes", "stripes": "stripes", "striped": "stripes",
            "stripy": "stripes", "bands": "stripes", "patch": "patches", "patches": "patches",
            "patchy": "patches", "blotches": "patches", "splotches": "patches", "speckles": "speckle",
            "speckled": "speckle", "flecks": "speckle", "freckles": "speckle", "veins": "veins",
            "veined": "veins", "cracks": "cracks", "cracked": "cracks", "crackle": "cracks",
            "checker": "checker", "checkered": "checker", "checkerboard": "checker", "tiles": "checker",
            "tiled": "checker", "grain": "grain", "rings": "grain"}
GLOSS = {"glossy": 0.35, "shiny": 0.35, "polished": 0.3, "lacquered": 0.3, "wet": 0.4,
         "matte": 2.0, "rough": 1.6, "weathered": 1.4, "worn": 1.3, "dusty": 1.5}
GLOW = {"glow", "glowing", "neon", "lava", "emissive", "luminous", "fluorescent", "radioactive"}
_ACCENT_SPLIT = re.compile(r"\b(?:with|featuring|covered (?:in|with)|dotted with|and some)\b")
_CSS = {name: tuple(webcolors.name_to_rgb(name)) for name in webcolors.names("css3")}


@dataclass(frozen=True)
class Style:
    """Everything the maps need, read from one prompt (or one style image)."""

    key: str  # seeds the noise: same prompt, same maps
    base: RGB
    accent: RGB
    pattern: str
    metallic: float
    roughness: float
    relief: float
    accent_metallic: float
    accent_roughness: float
    glow: bool = False
    understood: bool = True
    named_color: bool = False  # the prompt named a colour (not only a material)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] * (1 - t) + b[0] * t), round(a[1] * (1 - t) + b[1] * t), round(a[2] * (1 - t) + b[2] * t))


def _shade(color: RGB, word: str) -> RGB:
    target, amount = SHADES[word]
    if target is None:  # bright: more saturated and lighter
        h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in color))
        r, g, b = colorsys.hsv_to_rgb(h, min(1.0, s * 1.25), min(1.0, v * 1.15 + 0.05))
        return (round(r * 255), round(g * 255), round(b * 255))
    grey = round(target * 255)
    return _mix(color, (grey, grey, grey), amount)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def _colors(words: list[str]) -> list[RGB]:
    """Colours named in order: 'sky blue' (CSS skyblue), 'dark red', 'cream', 'navy blue'..."""
    found: list[RGB] = []
    i = 0
    while i < len(words):
        shade = words[i] if words[i] in SHADES and i + 1 < len(words) else None
        j = i + 1 if shade else i
        hit = None
        for n in (3, 2, 1):
            phrase = words[j:j + n]
            if len(phrase) < n:
                continue
            spaced, joined = " ".join(phrase), "".join(phrase)
            if n == 1 and (joined in MATERIALS or joined in NOUNS or joined in COATINGS):
                break  # "gold", "rust", "stone": the material says it
            if spaced in EXTRA_COLORS or joined in _CSS:
                hit = (EXTRA_COLORS.get(spaced) or _CSS[joined], n)
                break
        if hit is None:
            i += 1
            continue
        color, n = hit
        found.append(_shade(color, shade) if shade else color)
        i = j + n
    return found


def _materials(words: list[str]) -> tuple[list[str], list[str]]:
    nouns = [NOUNS.get(w, w) for w in words if NOUNS.get(w, w) in MATERIALS]
    coats = [COATINGS[w] for w in words if w in COATINGS]
    return nouns, coats


def _seed_hue(prompt: str) -> RGB:
    h = int.from_bytes(hashlib.sha256(prompt.encode()).digest()[:4], "little") % 360 / 360
    r, g, b = colorsys.hsv_to_rgb(h, 0.55, 0.8)
    return (round(r * 255), round(g * 255), round(b * 255))


def from_prompt(prompt: str) -> Style:
    """The style a prompt describes; one it does not understand gets a calm hashed colour."""
    text = prompt.lower()
    parts = _ACCENT_SPLIT.split(text, maxsplit=1)
    base_words, accent_words = _words(parts[0]), _words(parts[1]) if len(parts) > 1 else []
    base_colors, accent_colors = _colors(base_words), _colors(accent_words)
    nouns, coats = _materials(base_words)
    accent_nouns, accent_coats = _materials(accent_words)
    all_words = base_words + accent_words
    primary = MATERIALS[nouns[-1]] if nouns else None
    finish = primary or Finish((200, 200, 200), 0.0, 0.5, 0.3, "noise")
    base = base_colors[0] if base_colors else finish.color
    for coat in coats:  # "mossy stone": the stone takes on some of the moss
        base = _mix(base, MATERIALS[coat].color, COAT_MIX.get(coat, 0.3))
    accent_mat = MATERIALS[(accent_nouns or accent_coats or coats or [""])[0]] \
        if (accent_nouns or accent_coats or coats) else None
    pattern = next((PATTERNS[w] for w in accent_words if w in PATTERNS), None) \
        or next((PATTERNS[w] for w in base_words if w in PATTERNS), None)
    if pattern is None:
        pattern = accent_mat.pattern if accent_mat is not None else finish.pattern
    if accent_colors:  # "red lichen": red, with a little of the lichen in it
        accent = _mix(accent_colors[0], accent_mat.color, 0.15) if accent_nouns and accent_mat else accent_colors[0]
    elif len(base_colors) > 1:
        accent = base_colors[1]
    elif accent_mat is not None:
        accent = accent_mat.color
    elif finish.accent is not None:
        accent = finish.accent
    else:
        accent = _shade(base, "dark")
    rough_scale = 1.0
    for w in all_words:
        rough_scale *= GLOSS.get(w, 1.0)
    roughness = min(1.0, max(0.03, finish.roughness * rough_scale))
    understood = bool(base_colors or accent_colors or nouns or coats or accent_nouns)
    if not understood:
        base = _seed_hue(prompt)
        accent = _shade(base, "dark")
    a_metal = accent_mat.metallic if accent_mat is not None else finish.metallic
    a_rough = accent_mat.roughness if accent_mat is not None else roughness
    return Style(key=prompt, base=base, accent=accent, pattern=pattern, metallic=finish.metallic,
                 roughness=roughness, relief=max(finish.relief, accent_mat.relief if accent_mat else 0.0),
                 accent_metallic=a_metal, accent_roughness=a_rough, glow=bool(GLOW & set(all_words)),
                 understood=understood, named_color=bool(base_colors or accent_colors))


def from_palette(key: str, palette: list[RGB]) -> Style:
    """A style image's look: its dominant colour with patches of its second."""
    return Style(key=key, base=palette[0], accent=palette[1], pattern="patches", metallic=0.0,
                 roughness=0.6, relief=0.3, accent_metallic=0.0, accent_roughness=0.6)
