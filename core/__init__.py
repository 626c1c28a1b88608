"""The add-on's core: data and rules with no bpy, tested in a plain Python.

``params`` (every create parameter of each kind, as data), ``requests`` (the
one way from a kind, the values a user set and the preferences to a
validated request), ``states`` (a task's state: the journal's ``JobState``),
``messages`` (one sentence per error), ``glb`` (a GLB without materials),
``settings`` (the preferences as one snapshot), ``views`` (what each panel
shows, as pure functions of a ``snapshot``). Only relative imports, and
nothing below ``client/``.
"""
