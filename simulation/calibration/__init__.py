"""Calibration: fit the model's parameters to the published anchors by ABC-SMC (pyabc).

:mod:`~simulation.calibration.spec` reads calibration files; :mod:`~simulation.calibration.bridge`
turns a particle into runs and the anchors' statistics; :mod:`~simulation.calibration.sampler`
evaluates proposals reproducibly on any executor; :mod:`~simulation.calibration.abc` runs
pyabc's ABC-SMC with a resumable SQLite history; :mod:`~simulation.calibration.outputs` writes
the posterior, the posterior-median scenario, figures and the report. ``nervesim calibrate``
is the command. Illustrative: a posterior says what these anchors allow in this model, not
what is true of any tissue.
"""
