"""nbval settings for the lab notebooks in labs/ (here, at the top of the tree, so labs/ holds only what a
learner opens; the hook below acts on notebooks only, and unit tests' fixtures live in tests/conftest.py).

Rich outputs (HTML tables, JavaScript, plotly JSON, widget views, images) are not compared byte for byte: the
unit tests of the code that makes them check them. Printed text in cells marked `# NBVAL_CHECK_OUTPUT` is compared.
stderr is left out too, because a library's deprecation warning depends on the version pip installs;
tests/test_lab_frame.py checks that the committed notebooks hold no stderr output and no error.
"""

import os
import tempfile

RICH_OUTPUTS = (
    "text/html",
    "application/javascript",
    "application/vnd.plotly.v1+json",
    "application/vnd.jupyter.widget-view+json",
    "image/png",
    "image/svg+xml",
    "stderr",
)


def pytest_configure(config):
    # The kernels nbval starts inherit this: a test run never reads or writes the learner's real progress.
    os.environ["VLAB_HOME"] = tempfile.mkdtemp(prefix="vlab-nbval-home-")


def pytest_collectstart(collector):
    path = getattr(collector, "path", None)
    if path is not None and path.suffix == ".ipynb":
        collector.skip_compare += RICH_OUTPUTS
