"""Every Learn topic points at things that exist: settings, scenario files, arms and metrics."""

import pytest

from dashboard.learn_content import MECHANISMS, NEUROPATHY, OUTCOMES, THERAPIES, Topic
from dashboard.library import build_arm, library, settings
from simulation.runs.metrics import METRICS

TOPICS = MECHANISMS + THERAPIES + NEUROPATHY + OUTCOMES


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.key)
def test_topic_refers_to_real_settings_scenarios_and_metrics(topic: Topic) -> None:
    known = settings()
    assert [k for k in topic.params if k not in known] == []
    assert [s for s in topic.scenarios if s not in library()] == []
    for item in topic.tries:
        assert [m for m in item.metrics if m not in METRICS] == [], item.title
        for arm in item.arms:
            build_arm(arm)  # a one-line ScenarioError if an arm does not validate


def test_topic_keys_are_unique() -> None:
    keys = [t.key for t in TOPICS]
    assert len(keys) == len(set(keys))
