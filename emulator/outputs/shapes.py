"""Text to 3D's geometry: read a prompt's head noun and adjectives, assemble that noun from primitive parts.

"a tall red mushroom" is a cap on a stem, stretched up; "a wooden chair" a seat, a back and four
legs; "a knight" a standing figure in a helmet (rigs like `emulator.rigging.figure`). The head
noun is the last known noun before the first "with", "of", "holding"... ("a cup of coffee" is a
cup, "a knight with a sword" a knight); a prompt with no known noun gets a lumpy shape keyed on
its hash. Size words (tiny, small, big, huge, giant) scale it, proportion words (tall, short,
wide, thin, long, flat) stretch it. Without `auto_size` the longest side is 1 unit times the
size word; with it, the noun's real height in metres (a chair 0.95 m, a person 1.75 m).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import fast_simplification
import numpy as np
import trimesh

from . import creatures, things
from .parts import LOWPOLY, STANDARD, Kit, Part

Builder = Callable[[Kit, int, str], list[Part]]
RAW_FACES = 12_000  # about how many triangles a standard (not remeshed) preview has
MIN_PART_FACES = 40  # a part simplified to its share keeps at least this many
LOWPOLY_FACES = 600  # about how many a low-poly model has (a box keeps its 12)
DECAL_LIFT = 0.03  # share of the model's size detail parts are drawn nearer by


def _thing(fn: Callable[..., list[Part]], **kw: object) -> Builder:
    return lambda kit, seed, pose: fn(kit, seed, **kw)


def _person(look: str) -> Builder:
    return lambda kit, seed, pose: creatures.humanoid(kit, pose, look)


def _animal(name: str) -> Builder:
    return lambda kit, seed, pose: creatures.quadruped(kit, name)


# noun -> (builder, real height in metres)
NOUNS: dict[str, tuple[Builder, float]] = {
    "mushroom": (_thing(things.mushroom), 0.15), "chair": (_thing(things.chair), 0.95),
    "stool": (_thing(things.chair, back=0.0, round_seat=True), 0.45),
    "throne": (_thing(things.chair, back=1.0, arms=True), 1.6), "sofa": (_thing(things.sofa), 0.85),
    "table": (_thing(things.table), 0.75), "bed": (_thing(things.bed), 1.2), "lamp": (_thing(things.lamp), 1.45),
    "tree": (_thing(things.tree), 5.0), "pine": (_thing(things.pine), 6.0), "palm": (_thing(things.palm), 8.0),
    "flower": (_thing(things.flower), 0.5), "cactus": (_thing(things.cactus), 1.5),
    "rock": (_thing(things.rock), 0.6), "house": (_thing(things.house), 7.0),
    "castle": (_thing(things.castle), 12.0), "tower": (_thing(things.tower), 15.0),
    "car": (_thing(things.car), 1.5), "truck": (_thing(things.car, truck=True), 2.8), "bus": (_thing(things.bus), 3.0),
    "airplane": (_thing(things.airplane), 4.5), "boat": (_thing(things.boat), 5.5),
    "rocket": (_thing(things.rocket), 40.0), "sword": (_thing(things.sword), 1.1), "axe": (_thing(things.axe), 0.9),
    "hammer": (_thing(things.hammer), 0.35), "shield": (_thing(things.shield), 0.9),
    "vase": (_thing(things.vase), 0.4), "bottle": (_thing(things.bottle), 0.3), "cup": (_thing(things.cup), 0.1),
    "glass": (_thing(things.cup, handle=False), 0.12), "bowl": (_thing(things.bowl), 0.08),
    "teapot": (_thing(things.teapot), 0.2), "barrel": (_thing(things.barrel), 0.9),
    "chest": (_thing(things.chest), 0.6), "crate": (_thing(things.crate), 0.8), "cube": (_thing(things.cube), 1.0),
    "ball": (_thing(things.ball), 0.22), "sphere": (_thing(things.ball), 1.0), "apple": (_thing(things.apple), 0.08),
    "donut": (_thing(things.donut), 0.05), "pyramid": (_thing(things.pyramid), 10.0),
    "cone": (_thing(things.cone_shape), 1.0), "column": (_thing(things.column), 3.0),
    "cake": (_thing(things.cake), 0.3), "snowman": (_thing(things.snowman), 1.8),
    "bird": (lambda kit, seed, pose: creatures.bird(kit), 0.2),
    "penguin": (lambda kit, seed, pose: creatures.bird(kit, upright=True), 0.7),
    "fish": (lambda kit, seed, pose: creatures.fish(kit), 0.3),
}
HEIGHTS = {"person": 1.75, "woman": 1.65, "knight": 1.85, "robot": 1.8, "wizard": 1.8, "astronaut": 1.8, "king": 1.8,
           "zombie": 1.75, "alien": 1.4, "ninja": 1.75}
for _word, _look in creatures.LOOKS.items():
    NOUNS[_word] = (_person(_look), 1.2 if _word in ("kid", "child") else HEIGHTS[_look])
ANIMAL_HEIGHTS = {"dog": 0.6, "cat": 0.3, "fox": 0.45, "wolf": 0.8, "horse": 1.7, "cow": 1.5, "pig": 0.8,
                  "sheep": 0.9, "bear": 1.2, "lion": 1.2, "dinosaur": 3.0, "dragon": 3.0}
for _name in creatures.ANIMALS:
    NOUNS[_name] = (_animal(_name), ANIMAL_HEIGHTS[_name])

ALIASES = {"toadstool": "mushroom", "fungus": "mushroom", "armchair": "chair", "seat": "chair", "couch": "sofa",
           "desk": "table", "oak": "tree", "bush": "tree", "rose": "flower", "tulip": "flower", "daisy": "flower",
           "sunflower": "flower", "boulder": "rock", "stone": "rock", "pebble": "rock", "cottage": "house",
           "cabin": "house", "hut": "house", "home": "house", "building": "house", "fortress": "castle",
           "palace": "castle", "lighthouse": "tower", "automobile": "car", "vehicle": "car", "taxi": "car",
           "lorry": "truck", "plane": "airplane", "jet": "airplane", "aeroplane": "airplane", "ship": "boat",
           "sailboat": "boat", "spaceship": "rocket", "katana": "sword", "blade": "sword", "dagger": "sword",
           "hatchet": "axe", "mallet": "hammer", "urn": "vase", "jar": "vase", "pot": "vase", "flask": "bottle",
           "mug": "cup", "goblet": "glass", "kettle": "teapot", "treasure": "chest", "box": "crate", "block": "cube",
           "orb": "sphere", "planet": "sphere", "globe": "sphere", "fruit": "apple", "doughnut": "donut",
           "ring": "donut", "torus": "donut", "pillar": "column", "cylinder": "column", "puppy": "dog", "kitten": "cat",
           "pony": "horse", "bull": "cow", "lamb": "sheep", "tiger": "lion", "dino": "dinosaur", "trex": "dinosaur",
           "duck": "bird", "chicken": "bird", "owl": "bird", "parrot": "bird", "shark": "fish", "statue": "person",
           "soldier": "soldier"}
# "pine tree", "palm tree", "fire truck": the word before the head noun picks a variant.
VARIANTS = {"tree": {"pine": "pine", "fir": "pine", "spruce": "pine", "christmas": "pine", "conifer": "pine",
                     "evergreen": "pine", "palm": "palm"}}
SEPARATORS = {"with", "holding", "on", "in", "of", "and", "wearing", "riding", "carrying", "under", "near",
              "beside", "made", "from", "for", "by", "at", "inside", "behind", "next", "that", "which", "who"}
SIZES = {"tiny": 0.35, "miniature": 0.4, "mini": 0.5, "small": 0.6, "little": 0.6, "big": 1.6, "large": 1.6,
         "huge": 2.5, "massive": 2.5, "giant": 3.0, "gigantic": 3.0, "enormous": 3.0, "colossal": 4.0}
# word -> (x, y, z) stretch; "long" stretches the longer of x and z (marked by a 0 there).
STRETCH = {"tall": (0.85, 1.5, 0.85), "towering": (0.8, 1.7, 0.8), "short": (1.0, 0.7, 1.0),
           "squat": (1.2, 0.65, 1.2), "stubby": (1.15, 0.7, 1.15), "wide": (1.45, 1.0, 1.45),
           "broad": (1.4, 1.0, 1.4), "fat": (1.45, 1.0, 1.45), "chubby": (1.35, 0.95, 1.35),
           "thin": (0.65, 1.0, 0.65), "slim": (0.7, 1.0, 0.7), "slender": (0.65, 1.05, 0.65),
           "skinny": (0.6, 1.0, 0.6), "narrow": (0.65, 1.0, 0.65), "flat": (1.1, 0.45, 1.1), "long": (0, 1.0, 0)}


@dataclass(frozen=True)
class Plan:
    """What a prompt asks for: the noun (or "" for the default shape), its size and stretch."""

    noun: str
    size: float
    stretch: tuple[float, float, float]
    long: float  # extra stretch of the longer horizontal side
    real_height: float  # metres, for auto_size (the noun's height, scaled and stretched)
    seed: int


@dataclass
class Shape:
    """A built model: triangles, each face's part colour, and which faces take the prompt's colour."""

    mesh: trimesh.Trimesh
    colors: np.ndarray  # (F, 3) uint8
    main: np.ndarray  # (F,) bool

    def lift(self) -> np.ndarray:
        """Drawing-order lift for a thumbnail: the detail parts (eyes, panels, spots) over what they sit on."""
        return lift_of(self.mesh, self.main)


def lift_of(mesh: trimesh.Trimesh, main: np.ndarray) -> np.ndarray:
    return (~np.asarray(main)).astype(np.float64) * DECAL_LIFT * float(np.ptp(mesh.vertices, axis=0).max())


def _seed(prompt: str) -> int:
    return int.from_bytes(hashlib.sha256(prompt.encode()).digest()[:4], "little")


def _noun_of(word: str) -> str | None:
    for form in (word, word[:-3] + "y" if word.endswith("ies") else "", word[:-2] if word.endswith("es") else "",
                 word[:-1] if word.endswith("s") else ""):
        if form and (form in NOUNS or form in ALIASES):
            return ALIASES.get(form, form)
    return None


def read(prompt: str) -> Plan:
    """The head noun and the adjectives of its phrase."""
    words = re.findall(r"[a-z]+", prompt.lower())
    cut = next((i for i, w in enumerate(words) if w in SEPARATORS and i > 0), len(words))
    clause = words[:cut]
    noun, at = "", -1
    for i, word in enumerate(clause):
        found = _noun_of(word)
        if found:
            noun, at = found, i
    if not noun:
        noun = next((n for n in map(_noun_of, words[cut:]) if n), "")
    if noun and at > 0:
        noun = VARIANTS.get(noun, {}).get(clause[at - 1], noun)
    size, stretch, long = 1.0, np.ones(3), 1.0
    for i, word in enumerate(clause):
        power = 2.0 if i > 0 and clause[i - 1] in ("very", "extremely", "really") else 1.0
        if word in SIZES:
            size *= SIZES[word] ** power
        elif word in STRETCH:
            s = STRETCH[word]
            if s[0] == 0:
                long *= 1.5 ** power
            else:
                stretch *= np.asarray(s) ** power
    height = (NOUNS[noun][1] if noun else 0.5) * size * float(stretch[1])
    return Plan(noun, size, (float(stretch[0]), float(stretch[1]), float(stretch[2])), long, height, _seed(prompt))


def _default(kit: Kit, seed: int, pose: str) -> list[Part]:
    """A lumpy sculpture sitting on the ground, different for every unknown prompt."""
    from .parts import blob

    mesh = blob(kit, seed, radius=0.5, roughness=0.35, lumps=6)
    mesh.apply_scale((1.0, 1.2, 0.9))
    return [Part(mesh, (190, 170, 150), True)]


def parts(plan: Plan, pose: str = "", lowpoly: bool = False) -> list[Part]:
    """The plan's parts in natural units, stretched by its adjectives, standing on y=0."""
    kit = LOWPOLY if lowpoly else STANDARD
    builder = NOUNS[plan.noun][0] if plan.noun else _default
    out = builder(kit, plan.seed, pose)
    allv = np.vstack([p.mesh.vertices for p in out])
    lo, hi = allv.min(axis=0), allv.max(axis=0)
    centre = np.array([(lo[0] + hi[0]) / 2, lo[1], (lo[2] + hi[2]) / 2])
    stretch = np.asarray(plan.stretch, dtype=np.float64)
    if plan.long != 1.0:
        stretch[0 if hi[0] - lo[0] >= hi[2] - lo[2] else 2] *= plan.long
    for part in out:
        part.mesh.vertices = (np.asarray(part.mesh.vertices) - centre) * stretch
    return out


def _balanced(mesh: trimesh.Trimesh, budget: float, floor: int, split: bool = True) -> trimesh.Trimesh:
    """About `budget` faces: every face split in four while that stays within it (flat sides get vertices to
    bend at), or simplified when the part is far denser than its share (a small spot on a cap)."""
    v, f = np.asarray(mesh.vertices), np.asarray(mesh.faces)
    if len(f) > 2 * max(budget, floor):
        points, tris = fast_simplification.simplify(v.astype(np.float32), f.astype(np.int32),
                                                    target_count=int(max(budget, floor)))
        return trimesh.Trimesh(vertices=points, faces=tris, process=True)
    while split and len(f) * 4 <= 2 * budget:
        v, f = trimesh.remesh.subdivide(v, f)
    return trimesh.Trimesh(vertices=v, faces=f, process=True)


def build(prompt: str, pose: str = "", lowpoly: bool = False, auto_size: bool = False,
          origin_at: str = "bottom", faces: int | None = RAW_FACES) -> Shape:
    """The prompt's model: one mesh of all parts, split to about `faces` triangles (None: as built), or a few
    hundred flat-shaded ones (`lowpoly`)."""
    plan = read(prompt)
    pieces = parts(plan, pose, lowpoly)
    if faces or lowpoly:
        area = sum(float(p.mesh.area) for p in pieces) or 1.0
        for part in pieces:  # faces shared by area: a torso gets many, an eye none
            share = float(part.mesh.area) / area
            part.mesh = _balanced(part.mesh, LOWPOLY_FACES * share, 12, split=False) if lowpoly else \
                _balanced(part.mesh, (faces or RAW_FACES) * share, MIN_PART_FACES)
    allv = np.vstack([p.mesh.vertices for p in pieces])
    extent = allv.max(axis=0) - allv.min(axis=0)
    if auto_size:
        scale = plan.real_height / max(float(extent[1]), 1e-9)
    else:
        scale = plan.size / max(float(extent.max()), 1e-9)
    for part in pieces:
        part.mesh.apply_scale(scale)
    mesh = trimesh.util.concatenate([p.mesh for p in pieces])
    counts = [len(p.mesh.faces) for p in pieces]
    colors = np.repeat(np.array([p.color for p in pieces], dtype=np.uint8), counts, axis=0)
    main = np.repeat(np.array([p.main for p in pieces], dtype=bool), counts)
    if lowpoly:
        mesh.unmerge_vertices()  # flat shading: every face its own corners
    if origin_at == "center":
        lo, hi = mesh.bounds
        mesh.apply_translation([0, -(lo[1] + hi[1]) / 2, 0])
    return Shape(mesh, colors, main)
