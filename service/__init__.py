"""The job service: one owner of settings, client, engine, journal, task list and waiting.

Pure Python, no bpy: Blender (``runtime.py``) and the batch inject what only
they can do (import a result into the scene, say whether Blender may go
online, redraw), so tier 1 runs the service against the emulator.
"""
