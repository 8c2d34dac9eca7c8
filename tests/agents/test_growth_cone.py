"""GrowthCone: climbs trophic gradients, stalls and collapses on scar, enters the distal tract."""

from collections import Counter

from simulation.agents.growth_cone import GrowthCone
from simulation.agents.neuron import Neuron
from tests.agents.conftest import make_sandbox


def _cone(model, xy=(0, 2)):
    neuron = Neuron(model, xy, model.scenario.neuron)
    neuron.cone = GrowthCone(model, xy, model.scenario.growth_cone, neuron)
    return neuron.cone


def test_cone_waits_out_its_latency_then_extends():
    """No movement before the latency; then it advances along x and lays down axon."""
    model = make_sandbox(**{"growth_cone.latency_h": 3.0})
    model.fields["trophic"][:] = 1.0
    cone = _cone(model)
    for _ in range(2):
        cone.step()
    assert cone.xy == (0, 2)
    for _ in range(20):
        cone.step()
    assert cone.xy[0] >= 2
    assert model.axon.sum() == len(cone.path) > 0


def test_cone_steers_up_the_trophic_gradient():
    """With trophic factor only on the upper side, most steps go up in y."""
    moves = Counter()
    for seed in range(60):
        model = make_sandbox(seed=seed, **{"growth_cone.latency_h": 0.0})
        model.fields["trophic"][:, 3:] = 1.0
        cone = _cone(model, (1, 2))
        while cone.xy == (1, 2):
            cone.step()
        moves[cone.xy[1] - 2] += 1
    assert moves[1] > moves[-1] + moves[0]


def test_scar_at_stall_level_blocks_the_cone():
    """A wall of scar at the stall level ahead stops the cone; it never crosses it."""
    model = make_sandbox(**{"growth_cone.latency_h": 0.0, "growth_cone.collapse_rate_per_h": 0.0})
    model.fields["trophic"][:] = 1.0
    model.fields["scar"][2, :] = model.scenario.growth_cone.scar_stall
    cone = _cone(model)
    for _ in range(100):
        cone.step()
    assert cone.xy[0] <= 1


def test_scar_collapses_and_retracts_a_cone():
    """On heavy scar with a high collapse rate the cone retracts along its own path."""
    model = make_sandbox(**{"growth_cone.latency_h": 0.0})
    model.fields["trophic"][:] = 1.0
    cone = _cone(model)
    for _ in range(30):
        if cone.xy[0] >= 3:
            break
        cone.step()
    assert cone.xy[0] >= 3
    before = len(cone.path)
    model.fields["scar"][cone.xy] = 0.5
    cone.p = cone.p.model_copy(update={"collapse_rate_per_h": 50.0})  # collapse surely
    cone.step()
    assert len(cone.path) < before
    assert model.axon.sum() == len(cone.path)


def test_cone_leaving_the_grid_enters_the_distal_tract_and_reaches_the_muscle():
    """At the distal edge the cone enters the tract and, after distal_path_um, reinnervates."""
    model = make_sandbox(
        **{
            "growth_cone.latency_h": 0.0,
            "injury.distal_path_um": 500.0,
            "injury.type": "peripheral",
        }
    )
    model.fields["trophic"][:] = 1.0
    cone = _cone(model, (4, 2))
    for _ in range(5):
        cone.step()
    assert cone.in_distal_tract and cone.bridged
    for _ in range(200):
        cone.step()
    assert cone.arrived and model.muscle.axons_arrived == 1
