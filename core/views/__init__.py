"""What each panel shows, as pure functions of plain values and a ``snapshot``.

The panels read Blender properties and the snapshot, call these, and lay the
result out; tier 1 tests every state without Blender.
"""
