"""Which key labels a row with which label: 1-9 by position, then a, b, c, ... (pure, no Qt).

The label panel's other keys are 0, Backspace, Space, the arrows and Ctrl+letter shortcuts,
so every unmodified letter is free: up to 9 + 26 = 35 labels get a key.
"""

from __future__ import annotations

import string

DIGIT_KEYS = tuple(str(i) for i in range(1, 10))
LETTER_KEYS = tuple(string.ascii_lowercase)
ALL_KEYS = DIGIT_KEYS + LETTER_KEYS


def key_for_position(position: int) -> str | None:
    """The key of the label at 0-based ``position`` ("1".."9", then "a".."z"), or None."""
    return ALL_KEYS[position] if 0 <= position < len(ALL_KEYS) else None


def position_for_key(key: int) -> int | None:
    """The label position a Qt key code selects (Key_1..Key_9, Key_A..Key_Z), or None.

    Qt's key codes for these are their ASCII codes ("1" = 0x31, "A" = 0x41), so no Qt import.
    """
    if ord("1") <= key <= ord("9"):
        return key - ord("1")
    if ord("A") <= key <= ord("Z"):
        return len(DIGIT_KEYS) + key - ord("A")
    return None


def legend(names: tuple[str, ...] | list[str]) -> str:
    """ "a  tenth · b  eleventh" for the labels beyond the ninth ("" when there are none)."""
    return " · ".join(f"{key_for_position(i)}  {name}" for i, name in enumerate(names) if i >= len(DIGIT_KEYS) and key_for_position(i))
