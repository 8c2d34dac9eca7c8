"""The tissue: NerveRepairModel (geometry, injury, recruitment, the tick) and the therapies
delivered into it."""
