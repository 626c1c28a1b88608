"""Headless batch CLI. Placeholder until the batch runner lands."""


def register() -> None:
    pass


def unregister() -> None:
    pass
