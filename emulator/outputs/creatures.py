"""Characters and animals for prompt-built models, as `Part` lists (glTF axes, facing +Z, left on +X).

The humanoid has the proportions of `emulator.rigging.figure` (1 unit tall, legs apart, arms
clear of the body), so a text-to-3d character rigs like the figure the rigging tests use.
"""

from __future__ import annotations

from collections.abc import Callable

from .parts import Kit, Part, box, capsule, cone, cylinder, ellipsoid, hull, lathe, rod, sphere, torus

SKIN = (224, 182, 150)
DARK = (52, 50, 56)
STEEL = (160, 164, 172)

# Hand positions for each pose_mode: the shoulder is at (0.15, 0.80); "" hangs the arms at ~25°.
HANDS = {"t-pose": (0.52, 0.80), "a-pose": (0.41, 0.54), "": (0.29, 0.49)}


def _arm_end(pose: str) -> tuple[float, float]:
    return HANDS.get(pose, HANDS[""])


def humanoid(kit: Kit, pose: str, look: str = "person") -> list[Part]:
    """A standing figure 1 unit tall; `look` dresses it (person, knight, robot, wizard, astronaut, king...)."""
    hx, hy = _arm_end(pose)
    robot = look == "robot"
    body = STEEL if look in ("knight", "robot") else (70, 110, 170)
    legs = STEEL if look in ("knight", "robot") else (60, 64, 84)
    skin = (120, 190, 110) if look == "alien" else (120, 160, 130) if look == "zombie" else SKIN
    if look == "ninja":
        body = legs = skin = DARK
    parts: list[Part] = []
    for side in (1, -1):
        limb = rod if robot else capsule
        parts.append(Part(limb(kit, (side * 0.085, 0.50, 0.0), (side * 0.09, 0.055, 0.0), 0.052), legs, True))
        parts.append(Part(box((0.075, 0.05, 0.16), (side * 0.09, 0.025, 0.04)), DARK, False))
        parts.append(Part(limb(kit, (side * 0.15, 0.80, 0.0), (side * hx, hy, 0.0), 0.036), body, True))
        parts.append(Part(sphere(kit, (side * hx, hy, 0.0), 0.042), STEEL if robot else skin, robot))
        if robot:
            for at in ((side * 0.087, 0.28, 0.0), (side * (0.15 + hx) / 2, (0.80 + hy) / 2, 0.0)):
                parts.append(Part(sphere(kit, at, 0.058), DARK, False))  # knee, elbow joints
    parts.append(Part(box((0.30, 0.36, 0.18), (0, 0.66, 0)), body, True))
    parts.append(Part(box((0.27, 0.12, 0.17), (0, 0.51, 0)), legs, True))
    helmeted = look in ("knight", "astronaut")  # the helmet is the head: nothing of it shows through
    neck = DARK if robot else body if helmeted else skin
    parts.append(Part(capsule(kit, (0, 0.82, 0), (0, 0.87, 0), 0.04), neck, helmeted))
    if robot:
        parts.append(Part(box((0.15, 0.14, 0.14), (0, 0.935, 0)), STEEL, True))
        parts.append(Part(rod(kit, (0, 1.0, 0), (0, 1.06, 0), 0.006), DARK, False))
        parts.append(Part(sphere(kit, (0, 1.065, 0), 0.015), (230, 60, 40), False))
        for side in (1, -1):
            parts.append(Part(box((0.035, 0.025, 0.02), (side * 0.035, 0.945, 0.07)), (80, 220, 240), False))
        parts.append(Part(box((0.16, 0.12, 0.02), (0, 0.69, 0.095)), DARK, False))  # chest panel
    elif not helmeted:
        head_r = 0.095 if look == "alien" else 0.075
        parts.append(Part(sphere(kit, (0, 0.925, 0.005), head_r), skin, False))
    parts += _dress(kit, look, body)
    return parts


def _dress(kit: Kit, look: str, body: tuple[int, int, int]) -> list[Part]:
    """What makes a knight a knight: helmet and pauldrons; a wizard's hat and robe; a crown..."""
    out: list[Part] = []
    if look == "knight":
        out.append(Part(cylinder(kit, 0.085, 0.87, 0.98), STEEL, True))
        out.append(Part(lathe(kit, [(0, 0.98), (0.085, 0.98), (0.06, 1.03), (0, 1.045)]), STEEL, True))
        out.append(Part(box((0.09, 0.012, 0.02), (0, 0.935, 0.084)), DARK, False))  # visor slit
        out.append(Part(ellipsoid(kit, (0, 1.07, -0.01), (0.018, 0.05, 0.06)), (180, 30, 40), False))  # plume
        for side in (1, -1):
            out.append(Part(ellipsoid(kit, (side * 0.16, 0.81, 0), (0.07, 0.045, 0.08)), STEEL, True))
        out.append(Part(box((0.2, 0.3, 0.02), (0, 0.62, 0.095)), (170, 30, 40), False))  # tabard
        out.append(Part(box((0.29, 0.035, 0.19), (0, 0.5, 0)), (90, 60, 35), False))  # belt
    elif look == "wizard":
        out.append(Part(lathe(kit, [(0, 0.97), (0.13, 0.97), (0.13, 0.985), (0.07, 0.985), (0, 1.2)]), body, True))
        out.append(Part(lathe(kit, [(0, 0.1), (0.2, 0.1), (0.14, 0.55), (0, 0.58)]), body, True))  # robe
        out.append(Part(cone(kit, 0.05, 0.80, 0.86, z=0.04), (235, 235, 235), False))  # beard
    elif look == "astronaut":
        out.append(Part(sphere(kit, (0, 0.925, 0.0), 0.11), (240, 240, 245), True))
        out.append(Part(box((0.08, 0.05, 0.01), (0, 0.93, 0.11)), (40, 60, 90), False))  # visor
        out.append(Part(box((0.22, 0.28, 0.1), (0, 0.66, -0.13)), (230, 230, 235), True))  # backpack
    elif look == "king":
        out.append(Part(torus(kit, 0.065, 0.012, (0, 0.99, 0.005)), (228, 176, 52), False))
        for k in range(5):
            x = -0.05 + 0.025 * k
            out.append(Part(cone(kit, 0.012, 0.99, 1.04, x=x, z=0.05), (228, 176, 52), False))
    elif look in ("person", "zombie", "alien", "ninja"):
        if look != "alien":
            out.append(Part(ellipsoid(kit, (0, 0.95, -0.008), (0.08, 0.06, 0.08)), (90, 60, 40), False))  # hair
    elif look == "woman":
        out.append(Part(ellipsoid(kit, (0, 0.93, -0.015), (0.085, 0.09, 0.085)), (110, 70, 40), False))
        out.append(Part(lathe(kit, [(0, 0.28), (0.19, 0.28), (0.15, 0.56), (0, 0.56)]), body, True))  # skirt
    return out


LOOKS = {"person": "person", "man": "person", "woman": "woman", "girl": "woman", "boy": "person",
         "character": "person", "human": "person", "hero": "person", "figure": "person", "doll": "person",
         "kid": "person", "child": "person", "farmer": "person", "villager": "person", "pirate": "person",
         "soldier": "knight", "knight": "knight", "warrior": "knight", "paladin": "knight", "guard": "knight",
         "robot": "robot", "android": "robot", "cyborg": "robot", "mech": "robot", "droid": "robot",
         "wizard": "wizard", "witch": "wizard", "mage": "wizard", "sorcerer": "wizard", "astronaut": "astronaut",
         "spaceman": "astronaut", "king": "king", "queen": "king", "prince": "king", "princess": "king",
         "zombie": "zombie", "alien": "alien", "ninja": "ninja", "elf": "person", "goblin": "alien"}


# --- four-legged animals --------------------------------------------------------------------

# leg length, body radii (x, y, z), head radius, neck rise, ears, tail (length, radius), colour
ANIMALS: dict[str, tuple[float, tuple[float, float, float], float, float, str, tuple[float, float],
                         tuple[int, int, int]]] = {
    "dog": (0.38, (0.15, 0.15, 0.34), 0.12, 0.18, "flop", (0.25, 0.03), (150, 100, 60)),
    "cat": (0.28, (0.12, 0.12, 0.3), 0.1, 0.12, "point", (0.38, 0.022), (150, 150, 150)),
    "fox": (0.3, (0.13, 0.13, 0.32), 0.1, 0.14, "point", (0.35, 0.07), (214, 110, 40)),
    "wolf": (0.42, (0.15, 0.16, 0.38), 0.12, 0.16, "point", (0.35, 0.05), (120, 118, 112)),
    "horse": (0.75, (0.2, 0.22, 0.55), 0.12, 0.42, "point", (0.45, 0.05), (120, 80, 50)),
    "cow": (0.55, (0.26, 0.26, 0.55), 0.15, 0.15, "round", (0.4, 0.02), (240, 240, 235)),
    "pig": (0.2, (0.2, 0.19, 0.36), 0.14, 0.05, "point", (0.12, 0.02), (240, 170, 170)),
    "sheep": (0.3, (0.22, 0.21, 0.34), 0.11, 0.12, "flop", (0.08, 0.04), (240, 238, 228)),
    "bear": (0.35, (0.28, 0.28, 0.48), 0.17, 0.08, "round", (0.06, 0.05), (110, 76, 50)),
    "lion": (0.45, (0.2, 0.2, 0.46), 0.15, 0.18, "round", (0.45, 0.025), (210, 160, 80)),
    "dinosaur": (0.5, (0.25, 0.28, 0.6), 0.15, 0.55, "none", (0.9, 0.12), (90, 140, 70)),
    "dragon": (0.45, (0.24, 0.25, 0.55), 0.14, 0.5, "horn", (0.9, 0.1), (160, 40, 40)),
}


def quadruped(kit: Kit, animal: str) -> list[Part]:
    """Body, four legs, a head on a neck, ears, a tail (and wings for a dragon)."""
    leg, (bx, by, bz), head_r, neck, ears, (tail_len, tail_r), color = ANIMALS[animal]
    top = leg + by
    parts = [Part(ellipsoid(kit, (0, leg + by * 0.6, 0), (bx, by, bz)), color, True)]
    for sx in (1, -1):
        for sz in (1, -1):
            foot = (sx * bx * 0.65, 0.03, sz * bz * 0.62)
            parts.append(Part(capsule(kit, (foot[0], leg + by * 0.3, foot[2]), foot, min(0.06, bx * 0.3)), color, True))
    neck_base = (0, leg + by * 0.9, bz * 0.8)
    head = (0, leg + by * 0.9 + neck, bz * 0.8 + head_r * 1.2 + neck * 0.25)
    parts.append(Part(capsule(kit, neck_base, head, head_r * 0.6), color, True))
    parts.append(Part(sphere(kit, head, head_r), color, True))
    snout = (0, head[1] - head_r * 0.25, head[2] + head_r * 0.9)
    parts.append(Part(ellipsoid(kit, snout, (head_r * 0.5, head_r * 0.45, head_r * 0.6)), color, True))
    parts.append(Part(sphere(kit, (0, snout[1] + head_r * 0.1, snout[2] + head_r * 0.55), head_r * 0.15), DARK, False))
    for side in (1, -1):
        eye = (side * head_r * 0.45, head[1] + head_r * 0.3, head[2] + head_r * 0.75)
        parts.append(Part(sphere(kit, eye, head_r * 0.12), DARK, False))
        base = (side * head_r * 0.55, head[1] + head_r * 0.7, head[2] - head_r * 0.1)
        if ears == "point":
            x, y, z = base
            tip = (x * 1.1, y + head_r * 0.8, z)
            ear = hull([(x - 0.03, y, z - 0.02), (x + 0.03, y, z - 0.02), (x, y, z + 0.03), tip])
            parts.append(Part(ear, color, True))
        elif ears == "round":
            parts.append(Part(sphere(kit, base, head_r * 0.3), color, True))
        elif ears == "flop":
            parts.append(Part(ellipsoid(kit, (base[0] * 1.3, base[1] - head_r * 0.5, base[2]),
                                        (head_r * 0.15, head_r * 0.5, head_r * 0.3)), color, True))
        elif ears == "horn":
            parts.append(Part(capsule(kit, base, (base[0] * 1.2, base[1] + head_r, base[2] - head_r), head_r * 0.12),
                              (230, 220, 190), False))
    tail0 = (0, top - by * 0.2, -bz * 0.9)
    tail1 = (0, top - by * 0.2 + tail_len * 0.4, -bz * 0.9 - tail_len)
    parts.append(Part(capsule(kit, tail0, tail1, tail_r), color, True))
    if animal == "dragon":
        for side in (1, -1):
            root = (side * bx * 0.6, top, 0.1)
            parts.append(Part(hull([root, (root[0], root[1], root[2] - 0.3), (side * 1.0, top + 0.45, -0.1),
                                    (side * 0.9, top + 0.1, -0.45), (root[0], root[1] + 0.02, root[2])]),
                              color, True))
    return parts


def bird(kit: Kit, upright: bool = False) -> list[Part]:
    """A round bird (or a penguin, `upright`) on two thin legs."""
    color = (40, 40, 48) if upright else (200, 170, 60)
    body_y = 0.35 if upright else 0.3
    radii = (0.15, 0.25, 0.15) if upright else (0.14, 0.13, 0.2)
    head = (0, 0.66, 0.02) if upright else (0, 0.5, 0.16)
    parts = [Part(ellipsoid(kit, (0, body_y, 0), radii), color, True),
             Part(sphere(kit, head, 0.09), color, True),
             Part(cone(kit, 0.035, 0, 0.1), (240, 160, 40), False)]
    beak = parts[-1].mesh
    beak.apply_transform([[1, 0, 0, 0], [0, 0, -1, 0], [0, 1, 0, 0], [0, 0, 0, 1]])  # point it forward (+Z)
    beak.apply_translation((0, head[1] - 0.01, head[2] + 0.08))
    if upright:
        parts.append(Part(ellipsoid(kit, (0, 0.33, 0.09), (0.11, 0.2, 0.07)), (245, 245, 245), False))  # belly
    for side in (1, -1):
        wing = ellipsoid(kit, (side * radii[0], body_y + 0.02, -0.02), (0.03, radii[1] * 0.7, radii[2] * 0.8))
        parts.append(Part(wing, color, True))
        parts.append(Part(sphere(kit, (side * 0.04, head[1] + 0.02, head[2] + 0.075), 0.015), DARK, False))
        parts.append(Part(rod(kit, (side * 0.05, body_y - radii[1] * 0.8, 0), (side * 0.05, 0.0, 0.02), 0.012),
                          (240, 160, 40), False))
    return parts


def fish(kit: Kit) -> list[Part]:
    color = (240, 140, 40)
    parts = [Part(ellipsoid(kit, (0, 0.3, 0), (0.08, 0.17, 0.32)), color, True),
             Part(hull([(0, 0.3, -0.26), (0.01, 0.5, -0.5), (0.01, 0.1, -0.5), (-0.01, 0.3, -0.3)]), color, True),
             Part(hull([(0, 0.45, 0.05), (0.01, 0.58, -0.12), (0, 0.44, -0.18)]), color, True)]
    for side in (1, -1):
        parts.append(Part(sphere(kit, (side * 0.06, 0.35, 0.22), 0.025), DARK, False))
    return parts


def character_builder(look: str) -> Callable[[Kit, str], list[Part]]:
    return lambda kit, pose: humanoid(kit, pose, look)
