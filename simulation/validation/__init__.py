"""The literature trends as data (:mod:`~simulation.validation.trends`) and the machinery that
measures them over seeds (:mod:`~simulation.validation.checks`)."""
