"""The learner path in the learner edition, labs 08-11 (see tests/walk_support.py); the labs are split over
three files so that the suite's workers share the browser work."""
from __future__ import annotations

import pytest
from walk_support import LABS, learner_lab, learner_path, walk, walk_browser  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("slug", LABS[8:])
def test_the_learner_path_in_the_learner_edition(learner_lab, walk_browser, slug):  # noqa: F811
    walk(learner_lab, walk_browser, slug)
