"""Shared test fixtures. (nbval settings for the notebooks live in the top-level conftest.py.)"""
from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

# No per-example deadline: CI shares two cores with notebooks and a browser, and a slow example is not a bug.
# In CI the examples are derandomized, so a red run can be reproduced exactly.
settings.register_profile(
    "vlab", deadline=None, derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("vlab")


@pytest.fixture
def require_tool():
    """Return a function that finds a system tool or skips; in CI a missing tool is a failure.

    `.ci/run` installs every tool the suite drives, so a skip there would hide a broken set-up.
    """

    def _require(name: str) -> str:
        path = shutil.which(name)
        if path:
            return path
        reason = f"{name} is not installed (Debian package installed by .ci/run)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must not skip: {reason}")
        pytest.skip(reason)

    return _require


@pytest.fixture
def vlab_home(tmp_path, monkeypatch):
    """A private $VLAB_HOME so tests never touch the learner's real progress store."""
    home = tmp_path / "vlab_home"
    home.mkdir()
    monkeypatch.setenv("VLAB_HOME", str(home))
    return home
