"""Models and what is done with them: loading, devices, training, inference, evaluation, attention.

torch and transformers are imported inside the functions that need them, never when this package
is imported. This package may use :mod:`bertdesk.core.project` and :mod:`bertdesk.core.tables`,
never the other way round.
"""
