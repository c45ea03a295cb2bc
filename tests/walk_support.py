"""The learner path through a lab in a real browser, shared by tests/test_browser_walk_*.py (issue 10, part 5).

One JupyterLab serves a learner workspace built by `sync_workspace`; for every lab Chromium runs all the
cells, then: commits a prediction and sees the explanation (and the "What to notice" it reveals); writes
the right line into a your-turn cell and runs it; presses a checker's Check on the starting work (it fails),
types a right answer, presses Check again (it passes). The attempts and the prediction land in SQLite, and
no instructor cell's text is on the page. Answers come from the suite's own answer tables
(tests/turn_answers, tests/hint_cases), never from the lab.
"""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from browser_support import CHROMIUM_ARGS, open_and_run_all, serve_jupyterlab

from vlab.learn.bank import load_bank
from vlab.learn.editions import sync_workspace

REPO = Path(__file__).resolve().parents[1]
LABS = sorted(p.stem for p in (REPO / "labs").glob("[0-9][0-9]_*.ipynb"))
PREDICT = re.compile(r'PredictWidget\("(\w+)", "([\w-]+)"')
TURN = re.compile(r'your_turn\("(\w+)", "([\w-]+)", (\w+)\)\s*$')


def _modules(folder: str):
    for path in sorted((REPO / "tests" / folder).glob("lab_*.py")):
        spec = importlib.util.spec_from_file_location(f"walk_{folder}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield path.stem.removeprefix("lab_"), module


def _answers() -> dict:
    found: dict = {}
    for _lab, module in _modules("turn_answers"):
        found.update(module.ANSWERS)
    return found


def _checker_cases() -> dict[str, list[dict]]:
    return {lab: list(module.CASES) for lab, module in _modules("hint_cases")}


def learner_path(slug: str) -> dict:
    """What the walk does in one lab, read off its learner notebook and the suite's answer tables."""
    nb = json.loads((REPO / "labs" / f"{slug}.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"
            and "instructor" not in c["metadata"].get("tags", [])]
    instructor = ["".join(c["source"]) for c in nb["cells"] if "instructor" in c["metadata"].get("tags", [])]
    prediction = next((m.group(2) for s in code for m in [PREDICT.search(s)] if m), None)
    turn = next((m.groups() for s in code for m in [TURN.search(s)] if m), None)
    return {"prediction": prediction, "turn": turn, "instructor": instructor,
            "cases": [c for c in _checker_cases().get(slug[:2], []) if isinstance(c["start"], str)]}


@pytest.fixture(scope="module")
def learner_lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("walk")
    root = tmp / "labs"
    sync_workspace(REPO / "labs", root, "learner")
    with serve_jupyterlab(root, tmp) as (base, token):
        yield base, token, tmp


RUN_STATE_JS = """() => {
  const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'));
  // an exception (a warning on stderr is not one: library versions vary)
  const error = Array.from(document.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
    .find(el => /Traceback|\\w+Error\\b/.test(el.textContent));
  return {done: prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)),
          error: error ? error.textContent.slice(0, 400) : '',
          dialog: !!document.querySelector('.jp-Dialog')};
}"""


def _wait_until_every_cell_ran(page, timeout_s: float = 300) -> None:
    """Run All queues every cell; a click before the kernel is idle would wait behind them. A kernel
    dialog that comes late (on a loaded machine) is answered; a cell's error fails at once, with its text."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = page.evaluate(RUN_STATE_JS)
        if state["error"]:
            raise AssertionError(f"a cell failed in the browser: {state['error']}")
        if state["done"]:
            return
        if state["dialog"]:
            select = page.get_by_role("button", name="Select Kernel")
            if select.count():
                select.click()
                page.get_by_role("menuitem", name="Run", exact=True).click()
                page.get_by_text("Run All Cells", exact=True).click()
        page.wait_for_timeout(500)
    raise AssertionError(f"the cells had not all run after {timeout_s:.0f} s")


def _commit_prediction(page, expect, slug: str, qid: str) -> None:
    question = load_bank(slug).get(qid)
    widget = page.locator(".vlab-predict").first
    expect(widget).to_be_visible(timeout=180_000)
    reveal = widget.locator(".vlab-predict-reveal")
    expect(reveal).to_have_text("")  # nothing explained before the commitment
    if question.type in ("numeric", "string"):
        entry = widget.locator(".vlab-quiz-entry input")
        entry.fill("1")
        entry.press("Enter")  # the text box syncs its value on Enter or blur
    elif question.type == "many_choice":
        widget.locator(".vlab-quiz-choice input[type=checkbox]").first.check()
    else:
        widget.locator(".vlab-quiz-choice .widget-radio-box label").first.click()
    widget.locator("button.vlab-predict-commit").click()
    expect(reveal).not_to_have_text("", timeout=30_000)
    expect(widget.locator("button.vlab-predict-commit")).to_be_disabled()
    if question.reveal:
        expect(widget.locator(".vlab-predict-notice")).to_contain_text("What to notice", timeout=30_000)


def _write_your_turn(page, expect, turn, answers) -> None:
    lab, turn_id, name = turn
    from vlab.exercises import turns

    starter = next(t.starter for t in turns(lab) if t.id == turn_id)
    right = answers[(lab, turn_id)][1]
    cell = page.locator(".jp-CodeCell").filter(has_text=f'your_turn("{lab}", "{turn_id}"').first
    expect(cell.locator(".jp-OutputArea")).to_contain_text("Not yet", timeout=180_000)  # the starter
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(f'{starter}{right}your_turn("{lab}", "{turn_id}", {name})')
    page.keyboard.press("Shift+Enter")
    expect(cell.locator(".jp-OutputArea")).to_contain_text("Passed", timeout=60_000)


def _find_checker(page, expect, cases):
    """The first checker on the page whose text area holds a case's starting work (waits for render)."""
    expect(page.locator(".vlab-checker-work textarea").first).to_be_visible(timeout=180_000)
    for _ in range(60):
        for box in page.locator(".vlab-checker").all():
            area = box.locator(".vlab-checker-work textarea")
            if area.count():
                work = area.input_value().strip()
                case = next((c for c in cases if c["start"].strip() == work), None)
                if case is not None:
                    return box, area, case
        page.wait_for_timeout(1_000)
    raise AssertionError("no checker on the page starts from a case in tests/hint_cases")


def _solve_checker(page, expect, cases) -> str:
    box, area, case = _find_checker(page, expect, cases)
    results = box.locator(".vlab-checker-results")
    box.locator("button.vlab-checker-check").click()
    expect(results).to_contain_text("checks pass", timeout=60_000)
    expect(results).not_to_contain_text("All")
    area.fill(case["solution"])
    box.locator("button.vlab-checker-check").click()
    expect(results).to_contain_text(re.compile(r"All \d+ checks pass"), timeout=60_000)
    return case["exercise"]


@pytest.fixture(scope="module")
def walk_browser(learner_lab):
    """One Debian Chromium for a file's labs (each lab gets a fresh context of its own)."""
    import os
    import shutil

    chromium = shutil.which("chromium")
    if not chromium:
        reason = "chromium is not installed (Debian package installed by .ci/run)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must not skip: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def walk(learner_lab, walk_browser, slug: str) -> None:
    """One lab's learner path in Chromium, then what landed in SQLite and what the page held."""
    from playwright.sync_api import expect

    from vlab.learn.progress import ProgressStore

    base, token, tmp = learner_lab
    path = learner_path(slug)
    context = walk_browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = open_and_run_all(context, base, token, f"{slug}.ipynb", folder="")
        _wait_until_every_cell_ran(page)
        if path["prediction"]:
            _commit_prediction(page, expect, slug, path["prediction"])
        if path["turn"]:
            _write_your_turn(page, expect, path["turn"], _answers())
        exercise = _solve_checker(page, expect, path["cases"])
        page.screenshot(path=str(tmp / f"walk-{slug}.png"), full_page=False)
        for number, image in enumerate(page.locator(".jp-RenderedMarkdown img[src*='.svg']").all()):
            image.scroll_into_view_if_needed()
            expect(image).to_be_visible()
            page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=image.element_handle(),
                                   timeout=30_000)  # the diagram loaded from the workspace
            image.screenshot(path=str(tmp / f"diagram-{slug}-{number}.png"))
        text = page.locator(".jp-NotebookPanel").inner_text()
    finally:
        context.close()

    for source in path["instructor"]:
        first = next(line for line in source.splitlines() if len(line.strip()) > 20)
        assert first.strip()[:60] not in text, "an instructor cell is in the learner's page"
    recorded = {(a.question_id, a.correct) for a in ProgressStore(
        path=tmp / "vlab_home" / "progress.sqlite").attempts(lab=slug, all_learners=True)}
    assert {(exercise, False), (exercise, True)} <= recorded
    if path["prediction"]:
        assert any(qid == path["prediction"] for qid, _ in recorded)
    if path["turn"]:
        assert {(f"your-turn-{path['turn'][1]}", False), (f"your-turn-{path['turn'][1]}", True)} <= recorded
