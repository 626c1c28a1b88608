"""The Account panel: does the key work, how many credits are left, are we online."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class AccountView:
    """What the Account panel shows (pure, so tests can check each state)."""

    key_text: str
    key_icon: str
    balance_text: str
    online: bool
    notes: list[tuple[str, str]]  # (sentence, icon)
    can_check: bool = False


def account_view(api_key: str, key_from_env: bool, online: bool, key_status: str, balance: int | None,
                 checking: bool, error: str) -> AccountView:
    notes: list[tuple[str, str]] = []
    if not api_key:
        key_text, key_icon = "API key: not set", "ERROR"
        notes.append(("Get a key at meshy.ai > Settings > API, then paste it in Preferences.", "INFO"))
    elif key_status == "rejected":
        key_text, key_icon = "API key: rejected by Meshy", "ERROR"
        notes.append(("Check the key in Preferences" + (" (MESHY_API_KEY is set)" if key_from_env else "")
                      + ".", "INFO"))
    elif key_status == "works":
        key_text, key_icon = "API key: works", "CHECKMARK"
    elif not online:
        key_text, key_icon = "API key: set, not checked", "QUESTION"
    else:
        key_text, key_icon = ("API key: checking…" if checking else "API key: set, not checked"), "TIME"
    if not online:
        notes.insert(0, ("Online access is off, so nothing is sent to Meshy. Allow it below, or in "
                         "Edit > Preferences > System > Network.", "ERROR"))
    if error:
        notes.append((error, "ERROR"))
    balance_text = "Credits: …" if checking and balance is None else (
        f"Credits: {balance:,}" if balance is not None else "Credits: unknown")
    return AccountView(key_text, key_icon, balance_text, online, notes, can_check=online and bool(api_key))
