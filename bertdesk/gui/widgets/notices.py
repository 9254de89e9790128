"""The look of a notice that must not be missed (a warning box), shared by every panel and dialog."""

from __future__ import annotations

WARNING_STYLE = "QLabel { background: #fff4ce; color: #5c4400; padding: 6px; border-radius: 4px; }"
STRONG_WARNING_STYLE = "QLabel { background: #fff4ce; color: #5c4400; padding: 6px; border-radius: 4px; font-weight: bold; }"
