"""Target muscle: atrophies while denervated and recovers less the later it is reinnervated
(peripheral nerve); wastes from disuse and regains mass with use (below a spinal lesion)."""

from tests.agents.conftest import make_sandbox


def _muscle_after(reinnervate_at_h: int, total_h: int = 24 * 120) -> float:
    model = make_sandbox(**{"neuron.count": 10, "injury.type": "peripheral"})
    m = model.muscle
    for hour in range(total_h):
        if hour == reinnervate_at_h:
            for _ in range(10):
                m.reinnervate()
        m.step()
    return m.mass_index


def test_denervated_muscle_atrophies_toward_its_floor():
    """Never reinnervated, the mass index falls toward floor_index and not below."""
    model = make_sandbox(**{"injury.type": "peripheral"})
    m = model.muscle
    for _ in range(24 * 200):
        m.step()
    assert m.p.floor_index <= m.mass_index < m.p.floor_index + 0.02


def test_later_reinnervation_recovers_less():
    """Reinnervation at 2 weeks recovers more muscle by day 120 than at 6 weeks."""
    early, late = _muscle_after(24 * 14), _muscle_after(24 * 42)
    assert early > late + 0.05
    assert early > _muscle_after(10**9)  # and any reinnervation beats none


def _waste(model, hours: int, activity: float | None = None) -> float:
    m = model.muscle
    if activity is not None:
        m.activity = lambda: activity
    for _ in range(hours):
        m.step()
    return m.mass_index


def test_below_a_spinal_lesion_an_unused_muscle_wastes_less_than_a_denervated_one():
    """With no activity at all the spinal muscle wastes toward the disuse floor, above the
    denervation floor, and a peripheral (denervated) muscle has lost more by day 21."""
    spinal = make_sandbox()
    assert spinal.muscle.lower_motor_neurons_intact
    peripheral = make_sandbox(**{"injury.type": "peripheral"})
    assert not peripheral.muscle.lower_motor_neurons_intact
    day21_spinal = _waste(spinal, 24 * 21, activity=0.0)
    day21_denervated = _waste(peripheral, 24 * 21)
    assert day21_spinal > day21_denervated + 0.05
    p = spinal.muscle.p
    assert p.disuse_floor_index > p.floor_index
    assert abs(_waste(spinal, 24 * 400, activity=0.0) - p.disuse_floor_index) < 0.01


def test_returning_use_regrows_a_wasted_spinal_muscle():
    """A muscle wasted by disuse regains mass once activity returns, toward full mass."""
    model = make_sandbox()
    wasted = _waste(model, 24 * 28, activity=0.0)
    regrown = _waste(model, 24 * 56, activity=1.0)
    assert regrown > wasted + 0.2
    assert regrown <= 1.0


def test_muscle_activity_follows_descending_connectivity_and_training():
    """A milder lesion (more spared fibres) gives the muscle more activity; training adds to
    it."""
    mild = make_sandbox(**{"injury.severity": 0.4}).muscle.activity()
    severe_model = make_sandbox(**{"injury.severity": 0.8})
    severe = severe_model.muscle.activity()
    assert mild > severe > 0.0
    severe_model.therapy.rehab_from_h = 0.0
    severe_model.therapy.rehab_level = 0.7
    assert severe_model.muscle.activity() > severe + 0.1


def test_switching_off_intact_motor_neurons_makes_the_spinal_muscle_denervated():
    """With ``lower_motor_neurons_intact`` off, the spinal muscle follows the denervation
    curve exactly."""
    spinal = make_sandbox(**{"mechanisms.lower_motor_neurons_intact": False})
    peripheral = make_sandbox(**{"injury.type": "peripheral"})
    assert _waste(spinal, 24 * 21) == _waste(peripheral, 24 * 21)
