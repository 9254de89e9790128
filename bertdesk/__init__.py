"""bertdesk: classify the text in your spreadsheets with a fine-tuned BERT model.

Importing this package is cheap on purpose: torch, transformers, pandas and Qt are imported
by the modules that need them, so the window can open before torch has finished loading.
"""

import os as _os

__version__ = "0.1.0"

# torch's CPU build runs its thread pool on OpenMP, whose threads spin while they wait for
# work. When anything else wants a core -- the GUI thread, another program, a second job --
# the spinning threads steal it: on the 2-core reference machine a MiniLM training step went
# from 0.3 s to 3.2 s with one other busy process. Passive waiting keeps it at 0.3 s. This
# must be set before torch is first imported; a user's own setting wins.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
