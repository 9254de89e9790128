"""Reviewing labelled data: which labels are probably wrong, which rows are alike, what each label is about.

Pure numpy (and scikit-learn for out-of-sample probabilities); no Qt. This package may use
:mod:`bertdesk.core.ml` and the layers below it, never the other way round.
"""
