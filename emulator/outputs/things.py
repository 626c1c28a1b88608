"""Objects for prompt-built models, each a list of `Part`s in natural units (metres-ish, +Y up, front +Z).

A builder takes the `Kit` (resolution) and a seed (the prompt's, for the shapes that vary).
"""

from __future__ import annotations

from .parts import (
    Kit,
    Part,
    blob,
    box,
    capsule,
    cone,
    cylinder,
    ellipsoid,
    hull,
    lathe,
    rod,
    rotated,
    rotated_y,
    sphere,
    torus,
    wheel,
)

WOOD = (142, 96, 56)
DARK = (52, 50, 56)
STEEL = (170, 174, 180)
WHITE = (240, 238, 232)


def mushroom(kit: Kit, seed: int) -> list[Part]:
    """A cap on a stem, with a few pale spots on the cap."""
    stem = lathe(kit, [(0, 0), (0.11, 0), (0.085, 0.3), (0.075, 0.52), (0, 0.52)])
    cap = lathe(kit, [(0, 0.46), (0.1, 0.46), (0.36, 0.5), (0.4, 0.55), (0.36, 0.66), (0.24, 0.77), (0, 0.82)])
    parts = [Part(cap, (200, 40, 35), True), Part(stem, (236, 226, 205), False)]
    for angle, (r, y) in ((0, (0.3, 0.715)), (70, (0.34, 0.68)), (140, (0.3, 0.715)), (215, (0.34, 0.68)),
                          (290, (0.3, 0.715)), (35, (0.14, 0.795)), (180, (0.16, 0.79))):
        spot = ellipsoid(kit, (0.0, y, r - 0.012), (0.05, 0.03, 0.05))  # pale spots sitting on the cap
        parts.append(Part(rotated_y(spot, angle), WHITE, False))
    return parts


def chair(kit: Kit, seed: int, back: float = 0.5, arms: bool = False, round_seat: bool = False) -> list[Part]:
    """A seat on four legs with a back (none for a stool, tall with arms for a throne)."""
    seat_h, w, d, t = 0.45, 0.46, 0.44, 0.05
    parts = [Part(cylinder(kit, w / 2, seat_h - t, seat_h) if round_seat else box((w, t, d), (0, seat_h - t / 2, 0)),
                  WOOD, True)]
    for sx in (1, -1):
        for sz in (1, -1):
            leg = box((0.045, seat_h - t, 0.045), (sx * (w / 2 - 0.04), (seat_h - t) / 2, sz * (d / 2 - 0.04)))
            parts.append(Part(leg, WOOD, True))
    if back:
        for sx in (1, -1):
            post = box((0.045, back, 0.045), (sx * (w / 2 - 0.03), seat_h + back / 2, -d / 2 + 0.03))
            parts.append(Part(post, WOOD, True))
        parts.append(Part(box((w - 0.04, back * 0.55, 0.035), (0, seat_h + back * 0.68, -d / 2 + 0.03)), WOOD, True))
    if arms:
        for sx in (1, -1):
            parts.append(Part(box((0.05, 0.05, d), (sx * (w / 2 + 0.02), seat_h + 0.22, 0)), WOOD, True))
            parts.append(Part(box((0.05, 0.22, 0.05), (sx * (w / 2 + 0.02), seat_h + 0.11, d / 2 - 0.04)), WOOD, True))
        parts.append(Part(box((w - 0.06, 0.04, d - 0.06), (0, seat_h + 0.02, 0.01)), (160, 30, 40), False))  # cushion
    return parts


def sofa(kit: Kit, seed: int) -> list[Part]:
    c = (120, 90, 150)
    parts = [Part(box((1.9, 0.25, 0.85), (0, 0.27, 0)), c, True), Part(box((1.9, 0.5, 0.2), (0, 0.55, -0.33)), c, True)]
    for sx in (1, -1):
        parts.append(Part(box((0.18, 0.35, 0.85), (sx * 0.86, 0.47, 0)), c, True))
        parts.append(Part(box((0.7, 0.12, 0.6), (sx * 0.4, 0.45, 0.06)), c, True))  # cushions
        for sz in (1, -1):
            parts.append(Part(box((0.06, 0.14, 0.06), (sx * 0.85, 0.07, sz * 0.36)), DARK, False))
    return parts


def table(kit: Kit, seed: int) -> list[Part]:
    parts = [Part(box((1.2, 0.05, 0.7), (0, 0.725, 0)), WOOD, True)]
    for sx in (1, -1):
        for sz in (1, -1):
            parts.append(Part(box((0.06, 0.7, 0.06), (sx * 0.54, 0.35, sz * 0.29)), WOOD, True))
    return parts


def bed(kit: Kit, seed: int) -> list[Part]:
    parts = [Part(box((1.0, 0.25, 2.0), (0, 0.2, 0)), WOOD, False), Part(box((0.95, 0.18, 1.9), (0, 0.41, 0.02)),
                                                                           (235, 235, 240), True),
             Part(box((1.0, 0.75, 0.06), (0, 0.45, -1.0)), WOOD, False),
             Part(ellipsoid(kit, (0, 0.55, -0.75), (0.3, 0.06, 0.15)), WHITE, False),
             Part(box((0.97, 0.05, 1.2), (0, 0.52, 0.35)), (70, 110, 170), True)]
    return parts


def lamp(kit: Kit, seed: int) -> list[Part]:
    shade = lathe(kit, [(0.19, 1.1), (0.22, 1.1), (0.13, 1.45), (0.1, 1.45), (0.17, 1.12)])
    return [Part(cylinder(kit, 0.16, 0, 0.03), DARK, False),
            Part(rod(kit, (0, 0.03, 0), (0, 1.3, 0), 0.015), DARK, False), Part(shade, (240, 220, 170), True),
            Part(sphere(kit, (0, 1.2, 0), 0.05), (255, 250, 210), False)]


def tree(kit: Kit, seed: int) -> list[Part]:
    """A trunk under a crown of overlapping foliage balls."""
    parts = [Part(cylinder(kit, 0.22, 0, 2.2, top=0.14), (100, 70, 45), False)]
    for at, r in (((0, 3.0, 0), 1.1), ((0.7, 2.6, 0.2), 0.8), ((-0.65, 2.7, -0.1), 0.8), ((0.1, 2.5, -0.7), 0.75),
                  ((-0.1, 2.5, 0.7), 0.75), ((0, 3.7, 0), 0.7)):
        parts.append(Part(sphere(kit, at, r), (70, 140, 60), True))
    return parts


def pine(kit: Kit, seed: int) -> list[Part]:
    parts = [Part(cylinder(kit, 0.18, 0, 1.2, top=0.12), (100, 70, 45), False)]
    for k, (y0, r) in enumerate(((0.8, 1.3), (1.9, 1.0), (2.9, 0.7))):
        parts.append(Part(cone(kit, r, y0, y0 + 1.5 - 0.2 * k), (40, 110, 60), True))
    return parts


def palm(kit: Kit, seed: int) -> list[Part]:
    parts = []
    for k in range(6):  # a leaning, segmented trunk
        y0, y1 = k * 0.6, (k + 1) * 0.6
        parts.append(Part(rod(kit, (0.03 * k * k, y0, 0), (0.03 * (k + 1) ** 2, y1, 0), 0.16 - 0.01 * k),
                          (140, 110, 70), False))
    crown = (1.08, 3.6, 0)
    for k in range(7):
        leaf = ellipsoid(kit, (crown[0], crown[1], 0.9), (0.22, 0.04, 0.9))
        rotated(leaf, 25, (1, 0, 0), crown)
        parts.append(Part(rotated_y(leaf, k * 360 / 7, crown), (60, 140, 60), True))
    return parts


def flower(kit: Kit, seed: int) -> list[Part]:
    parts = [Part(rod(kit, (0, 0, 0), (0, 0.45, 0), 0.012), (60, 140, 60), False),
             Part(sphere(kit, (0, 0.47, 0.02), 0.05), (240, 200, 40), False)]
    for k in range(8):
        petal = ellipsoid(kit, (0, 0.47, 0.1), (0.04, 0.015, 0.07))
        rotated(petal, -70, (1, 0, 0), (0, 0.47, 0))  # open towards the front
        parts.append(Part(rotated(petal, k * 45, (0, 0, 1), (0, 0.47, 0)), (230, 70, 110), True))
    leaf = ellipsoid(kit, (0.07, 0.18, 0), (0.07, 0.012, 0.03))
    parts.append(Part(rotated(leaf, 30, (0, 0, 1), (0, 0.18, 0)), (60, 140, 60), False))
    return parts


def cactus(kit: Kit, seed: int) -> list[Part]:
    g = (70, 140, 70)
    parts = [Part(capsule(kit, (0, 0.15, 0), (0, 1.5, 0), 0.18), g, True)]
    for side, y in ((1, 0.7), (-1, 0.95)):
        parts.append(Part(capsule(kit, (0, y, 0), (side * 0.4, y, 0), 0.1), g, True))
        parts.append(Part(capsule(kit, (side * 0.4, y, 0), (side * 0.4, y + 0.45, 0), 0.1), g, True))
    parts.append(Part(cylinder(kit, 0.3, 0, 0.3, top=0.36), (190, 100, 60), False))  # pot
    return parts


def rock(kit: Kit, seed: int) -> list[Part]:
    mesh = blob(kit, seed, radius=0.5, roughness=0.3, lumps=7)
    mesh.apply_scale((1.2, 0.75, 1.0))
    return [Part(mesh, (128, 127, 120), True)]


def house(kit: Kit, seed: int) -> list[Part]:
    """Walls, a pitched roof, a door, windows and a chimney."""
    w, h, d = 6.0, 3.2, 5.0
    roof = hull([(-w / 2 - 0.3, h, -d / 2 - 0.3), (w / 2 + 0.3, h, -d / 2 - 0.3), (-w / 2 - 0.3, h, d / 2 + 0.3),
                 (w / 2 + 0.3, h, d / 2 + 0.3), (-w / 2 - 0.3, h + 2.2, 0), (w / 2 + 0.3, h + 2.2, 0)])
    parts = [Part(box((w, h, d), (0, h / 2, 0)), (230, 215, 180), True), Part(roof, (150, 50, 40), False),
             Part(box((1.0, 2.0, 0.1), (0, 1.0, d / 2 + 0.05)), (110, 70, 40), False),
             Part(box((0.6, 1.6, 0.6), (1.6, h + 1.4, -0.8)), (140, 70, 50), False)]
    for x in (-1.8, 1.8):
        parts.append(Part(box((1.0, 0.9, 0.08), (x, 1.9, d / 2 + 0.04)), (120, 170, 210), False))
    return parts


def castle(kit: Kit, seed: int) -> list[Part]:
    stone = (150, 146, 140)
    parts = [Part(box((6, 3.5, 6), (0, 1.75, 0)), stone, True), Part(box((1.4, 2.2, 0.1), (0, 1.1, 3.05)), DARK, False)]
    for sx in (1, -1):
        for sz in (1, -1):
            parts.append(Part(cylinder(kit, 1.0, 0, 5.5, x=sx * 3, z=sz * 3), stone, True))
            parts.append(Part(cone(kit, 1.25, 5.5, 7.5, x=sx * 3, z=sz * 3), (60, 70, 130), False))
    for k in range(-2, 3):
        for z in (-3, 3):
            parts.append(Part(box((0.6, 0.6, 0.6), (k * 1.1, 3.8, z)), stone, True))
    return parts


def tower(kit: Kit, seed: int) -> list[Part]:
    parts = [Part(cylinder(kit, 1.3, 0, 8, top=1.1), (150, 146, 140), True),
             Part(cone(kit, 1.6, 8, 11), (60, 70, 130), False), Part(box((0.9, 1.8, 0.3), (0, 0.9, 1.25)), DARK, False)]
    for y in (3.5, 6.0):
        parts.append(Part(box((0.4, 0.8, 0.3), (0, y, 1.18)), DARK, False))
    return parts


def car(kit: Kit, seed: int, truck: bool = False) -> list[Part]:
    """A body, a cabin with windows, four wheels and headlights (length along Z, front +Z)."""
    body = (200, 40, 40)
    parts = [Part(box((1.8, 0.65, 4.2), (0, 0.62, 0)), body, True)]
    if truck:
        parts += [Part(box((1.8, 0.9, 1.4), (0, 1.4, 1.2)), body, True), Part(box((1.9, 1.2, 2.6), (0, 1.55, -0.9)),
                                                                                (220, 220, 220), False)]
    else:
        parts += [Part(hull([(-0.85, 0.94, 0.9), (0.85, 0.94, 0.9), (-0.85, 0.94, -1.5), (0.85, 0.94, -1.5),
                             (-0.75, 1.5, 0.3), (0.75, 1.5, 0.3), (-0.75, 1.5, -1.2), (0.75, 1.5, -1.2)]), body, True),
                  Part(box((1.52, 0.4, 0.05), (0, 1.22, 0.62)), (60, 80, 100), False)]  # windscreen
    for sx in (1, -1):
        for sz in (1.35, -1.35):
            parts.append(Part(wheel(kit, 0.36, 0.28, (sx * 0.88, 0.36, sz)), DARK, False))
        parts.append(Part(sphere(kit, (sx * 0.6, 0.7, 2.1), 0.1), (250, 240, 200), False))
    return parts


def bus(kit: Kit, seed: int) -> list[Part]:
    parts = [Part(box((2.5, 2.6, 10), (0, 1.65, 0)), (240, 190, 40), True)]
    for z in range(-4, 5, 2):
        for sx in (1, -1):
            parts.append(Part(box((0.05, 0.8, 1.5), (sx * 1.26, 2.2, z)), (60, 80, 100), False))
    for sx in (1, -1):
        for z in (3.2, -3.2):
            parts.append(Part(wheel(kit, 0.5, 0.35, (sx * 1.15, 0.5, z)), DARK, False))
    return parts


def airplane(kit: Kit, seed: int) -> list[Part]:
    c = (235, 235, 240)
    parts = [Part(capsule(kit, (0, 1.5, -5), (0, 1.5, 5), 0.8), c, True),
             Part(hull([(0, 1.4, 1.0), (0, 1.4, -1.2), (-7, 1.5, -2.0), (7, 1.5, -2.0), (-7, 1.55, -2.6),
                        (7, 1.55, -2.6), (0, 1.6, -1.0)]), c, True),
             Part(hull([(0, 1.8, -4.2), (0, 4.0, -5.6), (0, 4.0, -6.2), (0, 1.8, -5.8), (0.1, 2.5, -5),
                        (-0.1, 2.5, -5)]), (40, 80, 160), False),
             Part(hull([(0, 1.6, -4.8), (-2.6, 1.6, -5.8), (2.6, 1.6, -5.8), (0, 1.7, -5.9)]), c, True)]
    for sx in (1, -1):
        parts.append(Part(rod(kit, (sx * 2.8, 1.0, -0.6), (sx * 2.8, 1.0, 1.0), 0.4), (120, 120, 130), False))
    return parts


def boat(kit: Kit, seed: int) -> list[Part]:
    hull_mesh = hull([(-1.1, 1.0, -2.6), (1.1, 1.0, -2.6), (-1.2, 1.0, 1.6), (1.2, 1.0, 1.6), (0, 1.0, 3.4),
                      (-0.6, 0, -2.3), (0.6, 0, -2.3), (0, 0, 2.6)])
    return [Part(hull_mesh, (120, 80, 50), True), Part(rod(kit, (0, 1.0, 0), (0, 5.5, 0), 0.08), WOOD, False),
            Part(hull([(0, 1.6, 0.1), (0, 5.2, 0.1), (0.05, 1.6, 2.4), (-0.05, 1.6, 2.4)]), WHITE, False)]


def rocket(kit: Kit, seed: int) -> list[Part]:
    parts = [Part(lathe(kit, [(0, 0.3), (0.4, 0.3), (0.42, 2.4), (0.3, 3.2), (0, 3.7)]), WHITE, True),
             Part(lathe(kit, [(0.18, 0.0), (0.32, 0.0), (0.25, 0.3), (0, 0.3)]), DARK, False),
             Part(sphere(kit, (0, 2.5, 0.36), 0.14), (100, 170, 220), False)]
    for k in range(4):
        fin = hull([(0.38, 0.2, 0), (0.38, 1.2, 0), (0.95, 0.0, 0), (0.9, 0.35, 0.03), (0.9, 0.35, -0.03)])
        parts.append(Part(rotated_y(fin, 45 + 90 * k), (200, 40, 40), False))
    return parts


def sword(kit: Kit, seed: int) -> list[Part]:
    """Point up: pommel, grip, crossguard, a blade with a tip."""
    blade = box((0.05, 0.75, 0.008), (0, 0.63, 0))
    tip = hull([(-0.025, 1.0, -0.004), (0.025, 1.0, 0.004), (-0.025, 1.0, 0.004), (0.025, 1.0, -0.004), (0, 1.09, 0)])
    return [Part(blade, STEEL, True), Part(tip, STEEL, True), Part(box((0.24, 0.03, 0.035), (0, 0.24, 0)),
                                                                   (180, 140, 60), False),
            Part(cylinder(kit, 0.016, 0.08, 0.23), (90, 55, 35), False), Part(sphere(kit, (0, 0.065, 0), 0.026),
                                                                             (180, 140, 60), False)]


def axe(kit: Kit, seed: int) -> list[Part]:
    head = hull([(0.02, 0.78, -0.02), (0.02, 0.92, -0.02), (0.02, 0.78, 0.02), (0.02, 0.92, 0.02),
                 (0.22, 0.68, 0), (0.22, 1.0, 0), (0.2, 0.7, 0.01), (0.2, 0.98, -0.01)])
    return [Part(cylinder(kit, 0.022, 0, 1.0), WOOD, False), Part(head, STEEL, True)]


def hammer(kit: Kit, seed: int) -> list[Part]:
    return [Part(cylinder(kit, 0.02, 0, 0.8), WOOD, False), Part(box((0.28, 0.12, 0.12), (0, 0.84, 0)), STEEL, True)]


def shield(kit: Kit, seed: int) -> list[Part]:
    face = lathe(kit, [(0, 0.0), (0.4, 0.0), (0.4, 0.03), (0, 0.06)])
    face.apply_transform([[1, 0, 0, 0], [0, 0, -1, 0.45], [0, 1, 0, 0], [0, 0, 0, 1]])  # stand it up, facing +Z
    return [Part(face, (60, 80, 160), True), Part(sphere(kit, (0, 0.45, 0.06), 0.06), (200, 170, 60), False)]


def vase(kit: Kit, seed: int) -> list[Part]:
    """A lathed body with an open neck (walls and a floor inside)."""
    return [Part(lathe(kit, [(0, 0), (0.12, 0), (0.2, 0.12), (0.22, 0.26), (0.17, 0.44), (0.08, 0.56), (0.09, 0.64),
                             (0.11, 0.68), (0.095, 0.68), (0.075, 0.62), (0.07, 0.56), (0.15, 0.44),
                             (0.19, 0.26), (0.17, 0.12), (0, 0.04)]), (60, 110, 180), True)]


def bottle(kit: Kit, seed: int) -> list[Part]:
    body = lathe(kit, [(0, 0), (0.08, 0), (0.08, 0.2), (0.03, 0.27), (0.025, 0.33), (0, 0.33)])
    return [Part(body, (60, 140, 80), True),
            Part(cylinder(kit, 0.028, 0.33, 0.35), (150, 110, 70), False)]


def cup(kit: Kit, seed: int, handle: bool = True) -> list[Part]:
    """A thick-walled cup (a mug with a handle)."""
    parts = [Part(lathe(kit, [(0, 0), (0.04, 0), (0.045, 0.095), (0.04, 0.095), (0.036, 0.01), (0, 0.01)]),
                  (236, 231, 220), True)]
    if handle:
        parts.append(Part(torus(kit, 0.025, 0.006, (0.05, 0.05, 0), upright=True), (236, 231, 220), True))
    return parts


def bowl(kit: Kit, seed: int) -> list[Part]:
    return [Part(lathe(kit, [(0, 0), (0.05, 0), (0.12, 0.04), (0.14, 0.08), (0.13, 0.08), (0.11, 0.045),
                             (0.05, 0.012), (0, 0.012)]), (236, 231, 220), True)]


def teapot(kit: Kit, seed: int) -> list[Part]:
    w = (236, 231, 220)
    return [Part(lathe(kit, [(0, 0), (0.08, 0), (0.11, 0.06), (0.1, 0.13), (0.06, 0.16), (0, 0.16)]), w, True),
            Part(lathe(kit, [(0, 0.16), (0.05, 0.16), (0.02, 0.19), (0.012, 0.2), (0, 0.2)]), w, True),
            Part(capsule(kit, (0, 0.06, 0.1), (0, 0.14, 0.19), 0.014), w, True),
            Part(torus(kit, 0.045, 0.01, (0, 0.09, -0.1), upright=True), w, True)]


def barrel(kit: Kit, seed: int) -> list[Part]:
    parts = [Part(lathe(kit, [(0, 0), (0.25, 0), (0.3, 0.45), (0.25, 0.9), (0, 0.9)]), WOOD, True)]
    for y, r in ((0.12, 0.27), (0.78, 0.27)):
        parts.append(Part(torus(kit, r, 0.015, (0, y, 0)), DARK, False))
    return parts


def chest(kit: Kit, seed: int) -> list[Part]:
    lid = lathe(Kit(sections=max(12, kit.sections), sphere=kit.sphere, rings=kit.rings), [(0, -0.45), (0.2, -0.45),
                                                                                         (0.2, 0.45), (0, 0.45)])
    lid.apply_transform([[0, 1, 0, 0], [1, 0, 0, 0.5], [0, 0, 1, 0], [0, 0, 0, 1]])  # a half-round lid along X
    lid.apply_scale((1.0, 1.0, 1.1))
    return [Part(box((0.9, 0.5, 0.55), (0, 0.25, 0)), WOOD, True), Part(lid, WOOD, True),
            Part(box((0.08, 0.12, 0.03), (0, 0.48, 0.29)), (200, 170, 60), False)]


def crate(kit: Kit, seed: int) -> list[Part]:
    parts = [Part(box((0.8, 0.8, 0.8), (0, 0.4, 0)), WOOD, True)]
    for a in (1, -1):
        for b in (1, -1):
            parts.append(Part(box((0.82, 0.08, 0.08), (0, 0.4 + a * 0.37, b * 0.37)), (110, 74, 42), False))
            parts.append(Part(box((0.08, 0.82, 0.08), (a * 0.37, 0.4, b * 0.37)), (110, 74, 42), False))
    return parts


def cube(kit: Kit, seed: int) -> list[Part]:
    return [Part(box((1, 1, 1), (0, 0.5, 0)), (200, 200, 205), True)]


def ball(kit: Kit, seed: int) -> list[Part]:
    return [Part(sphere(kit, (0, 0.5, 0), 0.5), (220, 60, 50), True)]


def apple(kit: Kit, seed: int) -> list[Part]:
    body = lathe(kit, [(0, 0.02), (0.2, 0.0), (0.38, 0.12), (0.4, 0.3), (0.3, 0.5), (0.1, 0.52), (0, 0.46)])
    return [Part(body, (200, 30, 40), True), Part(rod(kit, (0, 0.44, 0), (0.03, 0.62, 0), 0.018), (90, 60, 30), False),
            Part(ellipsoid(kit, (0.1, 0.58, 0), (0.09, 0.015, 0.04)), (70, 150, 60), False)]


def donut(kit: Kit, seed: int) -> list[Part]:
    return [Part(torus(kit, 0.35, 0.15, (0, 0.15, 0)), (210, 160, 100), False),
            Part(torus(kit, 0.35, 0.12, (0, 0.2, 0)), (230, 120, 170), True)]


def pyramid(kit: Kit, seed: int) -> list[Part]:
    mesh = hull([(-0.5, 0, -0.5), (0.5, 0, -0.5), (-0.5, 0, 0.5), (0.5, 0, 0.5), (0, 0.7, 0)])
    return [Part(mesh, (212, 188, 140), True)]


def cone_shape(kit: Kit, seed: int) -> list[Part]:
    return [Part(cone(kit, 0.5, 0, 1.0), (230, 120, 40), True)]


def column(kit: Kit, seed: int) -> list[Part]:
    m = (236, 234, 228)
    return [Part(box((0.8, 0.15, 0.8), (0, 0.075, 0)), m, True),
            Part(cylinder(kit, 0.3, 0.15, 2.85, top=0.27), m, True),
            Part(box((0.8, 0.15, 0.8), (0, 2.925, 0)), m, True)]


def cake(kit: Kit, seed: int) -> list[Part]:
    parts = [Part(cylinder(kit, 0.3, 0, 0.18), (240, 200, 210), True), Part(cylinder(kit, 0.22, 0.18, 0.34),
                                                                            (240, 200, 210), True)]
    parts.append(Part(torus(kit, 0.3, 0.02, (0, 0.18, 0)), WHITE, False))
    parts.append(Part(cylinder(kit, 0.012, 0.34, 0.44), (100, 160, 230), False))
    parts.append(Part(ellipsoid(kit, (0, 0.465, 0), (0.012, 0.025, 0.012)), (255, 190, 40), False))
    return parts


def snowman(kit: Kit, seed: int) -> list[Part]:
    parts = [Part(sphere(kit, (0, 0.4, 0), 0.42), WHITE, True), Part(sphere(kit, (0, 1.0, 0), 0.3), WHITE, True),
             Part(sphere(kit, (0, 1.45, 0), 0.2), WHITE, True), Part(cylinder(kit, 0.22, 1.6, 1.63), DARK, False),
             Part(cylinder(kit, 0.14, 1.63, 1.85), DARK, False)]
    nose = cone(kit, 0.04, 0, 0.22)
    nose.apply_transform([[1, 0, 0, 0], [0, 0, -1, 1.45], [0, 1, 0, 0.18], [0, 0, 0, 1]])
    parts.append(Part(nose, (240, 130, 30), False))
    for side in (1, -1):
        parts.append(Part(sphere(kit, (side * 0.07, 1.52, 0.17), 0.025), DARK, False))
    return parts
