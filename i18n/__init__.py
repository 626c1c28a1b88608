"""Japanese and Simplified Chinese (and any other language a translator adds) for Meshy Tools.

- ``po.py``     reads and writes the simple subset of gettext ``.po`` files the translations use (no bpy)
- ``match.py``  translates sentences made at run time: exact messages first, then templates such as
                ``"{name} must be between {lo} and {hi}, not {value}"`` matched as regexes (no bpy)
- ``ui.py``     Blender's side: ``register()`` hands the catalogs to ``bpy.app.translations``, and ``tr()``
                is the one function every shown sentence goes through (reports, the sidebar's messages)

``<locale>.po`` beside this file is one language; ``meshy_tools.pot`` is the template
``tools/i18n_extract.py`` makes from the code. Nothing here runs at import.
"""

#: Blender's translation context of the add-on's own labels (the parameter table's names and choices, the kinds,
#: the operation panels' titles). Blender looks a label up in its own catalog first and an add-on's second, so
#: in the default context its "Remesh" (重构网格, the modifier) would win over Meshy's 重建网格; no Blender
#: catalog has this context. ``i18n.ui.tr`` reads it too.
CONTEXT = "meshy_tools"
