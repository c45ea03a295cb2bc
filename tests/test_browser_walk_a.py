"""The learner path in the learner edition, labs 00-03 (see tests/walk_support.py); the labs are split over
three files so that the suite's workers share the browser work."""
from __future__ import annotations

import pytest
from walk_support import LABS, learner_lab, learner_path, walk, walk_browser  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("slug", LABS[:4])
def test_the_learner_path_in_the_learner_edition(learner_lab, walk_browser, slug):  # noqa: F811
    walk(learner_lab, walk_browser, slug)


def test_every_lab_after_the_first_has_a_prediction_and_a_your_turn_on_its_path():
    for slug in LABS[1:]:
        path = learner_path(slug)
        assert path["prediction"] and path["turn"] and path["cases"], slug
