"""Evidence: the published anchors of ``shared/REFERENCE.md`` as data, and the model held to them.

:mod:`~simulation.evidence.anchors` loads and validates the anchor files in ``anchors/`` (one
per injury, plus the therapies); :mod:`~simulation.evidence.statistics` turns a run's time
series into the statistic an anchor names (a peak day, a fraction of the peak, a ratio, a rate);
:mod:`~simulation.evidence.check` runs what the anchors need over seeds and judges each one.
``nervesim evidence`` is the command.
"""
