"""A real browser: JupyterLab on loopback, Chromium driven by Playwright, a lab run and a widget used.

Needs Debian's chromium (installed by .ci/run); never downloads a browser.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser_support import launch, open_and_run_all, serve_jupyterlab

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.browser

# Lab 00's checker solved by hand from the seed notes' "Datastore Files" list.
CHECKER_SOLUTION = """metadata about the VM's snapshots: .vmsd
the VM's suspended state: vmss
the VM's BIOS or EFI settings: .NVRAM
swap space used when the host's memory is overcommitted: .vswp
the state of the VM when a snapshot was taken: .vmsn
extra configuration for VMs in a team: .vmxf"""


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab serving a copy of labs/ (autosave must never touch the committed notebooks).

    One server for the module; each test opens its own notebook in its own browser profile.
    """
    tmp_path = tmp_path_factory.mktemp("jupyterlab")
    root = tmp_path / "root"
    shutil.copytree(REPO / "labs", root / "labs", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    with serve_jupyterlab(root, tmp_path) as (base, token):
        yield base, token, tmp_path


def test_start_lab_runs_and_widgets_answer_in_a_real_browser(jupyterlab, require_tool):
    chromium = require_tool("chromium")
    from playwright.sync_api import expect, sync_playwright

    base, token, tmp = jupyterlab
    with sync_playwright() as p:
        browser = launch(p, chromium, tmp, "profile-lab00")
        page = open_and_run_all(browser, base, token, "00_start_here.ipynb")

        query = page.locator(".vlab-lookup-query input")
        expect(query).to_be_visible(timeout=90_000)
        query.fill("vmsd")
        expect(page.locator(".vlab-lookup-card").first).to_contain_text("snapshot", timeout=30_000)

        question = page.locator(".vlab-quiz .vlab-quiz-question").first
        expect(question).to_contain_text("where is the attempt recorded")
        check = question.locator("button.vlab-quiz-check")
        feedback = question.locator(".vlab-quiz-feedback")
        # A wrong choice first: the browser shows the cross and the choice's own feedback.
        question.locator(".vlab-quiz-choice label", has_text="On a VMware server").click()
        check.click()
        expect(feedback).to_contain_text("✗", timeout=30_000)
        expect(feedback).to_contain_text("works offline")
        # Then the bank's correct answer (datasets/quizzes/00_start_here.yaml, where-progress-lives).
        question.locator(".vlab-quiz-choice label", has_text="In a SQLite file").click()
        check.click()
        expect(feedback).to_contain_text("✓ Correct", timeout=30_000)
        expect(page.locator(".vlab-quiz-score").first).to_contain_text(re.compile(r"\d"))

        # The checker: the starting text fails; the learner types the answers and it passes.
        work = page.locator(".vlab-checker-work textarea").first
        results = page.locator(".vlab-checker-results").first
        page.locator("button.vlab-checker-check").first.click()
        expect(results).to_contain_text("0 of 6 checks pass", timeout=30_000)
        work.fill(CHECKER_SOLUTION)
        page.locator("button.vlab-checker-check").first.click()
        expect(results).to_contain_text("✓ All 6 checks pass", timeout=30_000)
        page.screenshot(path=str(tmp / "lab00.png"), full_page=False)
        browser.close()

    from vlab.learn.progress import ProgressStore

    recorded = ProgressStore(path=tmp / "vlab_home" / "progress.sqlite").attempts(all_learners=True)
    assert [(a.lab, a.question_id, a.correct) for a in recorded] == [
        ("00_start_here", "where-progress-lives", False),
        ("00_start_here", "where-progress-lives", True),
        ("00_start_here", "match-the-files", False),
        ("00_start_here", "match-the-files", True),
    ]


def test_a_panel_reacts_to_its_controls_and_redraws_its_plotly_figure(jupyterlab, require_tool):
    # Lab 04's cluster panel: a control drives the model, the summary and the FigureWidget (plotly via
    # anywidget) in the browser. Expected texts come from the lab's stated defaults: 4 hosts, 16 VMs,
    # HA admission control on (9 of 16 VMs admitted); without admission control all 16 power on.
    chromium = require_tool("chromium")
    from playwright.sync_api import expect, sync_playwright

    base, token, tmp = jupyterlab
    with sync_playwright() as p:
        browser = launch(p, chromium, tmp, "profile-lab04")
        page = open_and_run_all(browser, base, token, "04_vcenter_suite.ipynb")
        summary = page.get_by_text(re.compile(r"of 16 VMs powered on; DRS:")).first
        expect(summary).to_contain_text("9 of 16 VMs powered on", timeout=120_000)
        panel = page.locator(".widget-vbox", has=summary).last
        figure = panel.locator(".js-plotly-plot").first
        expect(figure).to_be_visible(timeout=30_000)
        bars_before = figure.locator("g.trace.bars").first.inner_html()

        panel.get_by_text("HA admission control: tolerate 1 host").click()
        expect(summary).to_contain_text("16 of 16 VMs powered on", timeout=30_000)
        page.wait_for_function(
            "([el, before]) => el.querySelector('g.trace.bars').innerHTML !== before",
            arg=[figure.element_handle(), bars_before], timeout=30_000,
        )
        page.screenshot(path=str(tmp / "lab04.png"), full_page=False)
        browser.close()


# Every panel and checker the labs display, built as the labs build them.
UI_CELLS = [
    "from vlab.widgets.vmkernel_panel import CpuSchedPanel, PageSharingPanel\n"
    "CpuSchedPanel(vms=4, vm1_shares=1000, vm1_reservation_mhz=0, pcpus=2)",
    "PageSharingPanel(vms=4, identical_fraction=0.4, salting=2)",
    "from vlab.widgets.vswitch_panel import VSwitchPanel\nVSwitchPanel(mode='VST', vlan_web=10, vlan_db=20)",
    "from vlab.widgets.io_path_panel import IoPathPanel\nIoPathPanel()",
    "from vlab.widgets.vcenter_panel import VcenterPanel\nVcenterPanel()",
    "from vlab.widgets.datastore_panel import FolderPanel\nFolderPanel()",
    "from vlab.widgets.backup_panel import BackupPanel\nBackupPanel()",
    "from vlab.widgets.security_panel import HyperthreadPanel\n"
    "HyperthreadPanel(cores=8, vms=4, vcpus_each=2, busy=0.8)",
    "from vlab.exercises.hardening import WEB01_VMX\nfrom vlab.widgets.hardening_panel import HardeningPanel\n"
    "HardeningPanel(WEB01_VMX)",
    "from vlab.widgets.hardening_panel import HostHardeningPanel\nHostHardeningPanel()",
    "from vlab.widgets.storage_panel import StoragePanel\nStoragePanel()",
    "from vlab.widgets.rdm_panel import RdmPanel\nRdmPanel()",
    "from vlab.widgets.management_panel import BruteForcePanel\n"
    "BruteForcePanel(length=8, classes='lower case only', guesses_per_s=100, lock_failures=5, unlock_s=900)",
    "from vlab.exercises.vmkernel import host_settings_checker\nhost_settings_checker(record=False)",
    "from vlab.exercises.vcenter_suite import pools_and_ha_checker\npools_and_ha_checker(record=False)",
    "from vlab.widgets import QuizWidget, ProgressWidget\nQuizWidget.from_bank('09_scalability', seed=0)",
    "ProgressWidget()",
    "print('UI' + '-READY')",
]

# Text that the browser cuts short with an ellipsis, in any widget the notebook shows.
TRUNCATED_JS = """() => {
  const all = Array.from(document.querySelectorAll('.jp-OutputArea .jupyter-widgets *'));
  const clipped = all.filter(el => getComputedStyle(el).textOverflow === 'ellipsis'
                                   && el.offsetParent !== null && el.textContent.trim());
  return {checked: clipped.length,
          cut: clipped.filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.textContent.trim())};
}"""


def test_no_panel_label_is_cut_short_in_the_browser(jupyterlab, require_tool):
    chromium = require_tool("chromium")
    import nbformat
    from playwright.sync_api import expect, sync_playwright

    base, token, tmp = jupyterlab
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in UI_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp / "root" / "labs" / "ui_check.ipynb")
    with sync_playwright() as p:
        browser = launch(p, chromium, tmp, "profile-ui", viewport={"width": 1280, "height": 900})
        page = open_and_run_all(browser, base, token, "ui_check.ipynb")
        expect(page.get_by_text("UI-READY", exact=True)).to_be_visible(timeout=180_000)
        page.wait_for_timeout(2_000)  # the last widget views finish rendering
        found = page.evaluate(TRUNCATED_JS)
        page.screenshot(path=str(tmp / "ui_check.png"), full_page=False)
        browser.close()
    assert found["checked"] >= 40, f"only {found['checked']} labels found: did the widgets render?"
    assert found["cut"] == [], f"labels cut short in the browser: {found['cut']}"
