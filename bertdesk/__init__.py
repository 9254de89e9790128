"""bertdesk: classify the text in your spreadsheets with a fine-tuned BERT model.

Importing this package is cheap on purpose: torch, transformers, pandas and Qt are imported
by the modules that need them, so the window can open before torch has finished loading.
"""

__version__ = "0.1.0"
