"""Target muscle: atrophies while denervated; recovers less the later it is reinnervated."""

from tests.agents.conftest import make_sandbox


def _muscle_after(reinnervate_at_h: int, total_h: int = 24 * 120) -> float:
    model = make_sandbox(**{"neuron.count": 10})
    m = model.muscle
    for hour in range(total_h):
        if hour == reinnervate_at_h:
            for _ in range(10):
                m.reinnervate()
        m.step()
    return m.mass_index


def test_denervated_muscle_atrophies_toward_its_floor():
    """Never reinnervated, the mass index falls toward floor_index and not below."""
    model = make_sandbox()
    m = model.muscle
    for _ in range(24 * 200):
        m.step()
    assert m.p.floor_index <= m.mass_index < m.p.floor_index + 0.02


def test_later_reinnervation_recovers_less():
    """Reinnervation at 2 weeks recovers more muscle by day 120 than at 6 weeks."""
    early, late = _muscle_after(24 * 14), _muscle_after(24 * 42)
    assert early > late + 0.05
    assert early > _muscle_after(10**9)  # and any reinnervation beats none
