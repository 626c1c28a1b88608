"""Sidebar panels and menus (drawing only). Placeholder until the sidebar lands."""


def register() -> None:
    pass


def unregister() -> None:
    pass
