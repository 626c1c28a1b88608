"""Japanese and Simplified Chinese (and any other language a translator adds) for Meshy Tools.

- ``po.py``     reads and writes the simple subset of gettext ``.po`` files the translations use (no bpy)
- ``match.py``  translates sentences made at run time: exact messages first, then templates such as
                ``"{name} must be between {lo} and {hi}, not {value}"`` matched as regexes (no bpy)
- ``ui.py``     Blender's side: ``register()`` hands the catalogs to ``bpy.app.translations``, and ``tr()``
                is the one function every shown sentence goes through (reports, the sidebar's messages)

``<locale>.po`` beside this file is one language; ``meshy_tools.pot`` is the template
``tools/i18n_extract.py`` makes from the code. Nothing here runs at import.
"""
