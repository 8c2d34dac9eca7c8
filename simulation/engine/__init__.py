"""The machinery that makes cell rules fast, with no biology in it: per-type state arrays by slot,
the loop that plays a type's turn, random-number blocks, and the one place that leans on Mesa's
private attributes (:mod:`simulation.engine.mesa_compat`)."""
