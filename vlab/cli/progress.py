"""`vlab progress`: completion and score per lab; export attempts as CSV; reset with confirmation."""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

from vlab.cli.errors import UserError
from vlab.cli.util import json_text, need_value, printable, same_file


def register(sub) -> None:
    p = sub.add_parser(
        "progress",
        help="your quiz completion and score per lab (export, reset)",
        description="Show completion (questions answered correctly / questions in the lab's bank) "
        "and score per lab, from $VLAB_HOME/progress.sqlite (default ~/.vlab).",
    )
    p.add_argument("--learner", help="whose progress (default: $VLAB_LEARNER or your user name)")
    p.add_argument("--lab", help="only this lab (with --reset: delete only this lab's attempts)")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--export", metavar="FILE.csv",
                      help="write one row per attempt (every learner in the store, or --learner)")
    what.add_argument("--reset", action="store_true",
                      help="delete the learner's attempts (asks first, unless --yes)")
    p.add_argument("--yes", action="store_true", help="with --reset: do not ask")
    p.set_defaults(run=run)


def run(args) -> int:
    from vlab.learn.progress import ProgressStore, default_learner

    if args.yes and not args.reset:
        raise UserError("--yes only goes with --reset")
    need_value("--export", args.export)
    if args.learner is not None and not args.learner.strip():
        raise UserError("--learner needs a name, not an empty string")
    if args.lab is not None and not args.lab.strip():
        raise UserError("--lab needs a lab such as 00_start_here, not an empty string")
    learner = args.learner or default_learner()
    try:
        learner.encode("utf-8")
    except UnicodeEncodeError:
        where = "--learner" if args.learner else "the learner name ($VLAB_LEARNER or your user name)"
        raise UserError(f"{where} '{printable(learner)}' is not valid UTF-8 text; give a name "
                        f"with --learner") from None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store = ProgressStore(learner=learner)
        try:
            store.count()  # opens the store: a broken file is moved aside, an unusable one
            if store.in_memory:  # (VLAB_HOME a file, no write access) leaves an empty stand-in
                _print_warnings(caught)
                raise UserError(f"cannot open or create the progress store {store.path}, so "
                                f"there is nothing to show, export or reset; set VLAB_HOME to "
                                f"a folder you can write to")
            if args.export:
                code = _export(store, args)
            elif args.reset:
                code = _reset(store, args, learner)
            else:
                code = _show(store, args, learner)
        finally:
            store.close()
    _print_warnings(caught)
    return code


def _print_warnings(caught: list) -> None:
    for w in caught:
        print(f"vlab: warning: {w.message}", file=sys.stderr)
    caught.clear()


def _check_lab(store, lab: str) -> None:
    from vlab.knowledge.records import LAB_SLUGS

    known = set(LAB_SLUGS) | {a.lab for a in store.attempts(all_learners=True)}
    if lab not in known:
        import difflib

        close = difflib.get_close_matches(lab, sorted(known), n=3)
        tip = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UserError(f"no lab called '{lab}'.{tip}")


def _show(store, args, learner: str) -> int:
    rows = store.summary()
    if args.lab:
        _check_lab(store, args.lab)
        rows = [r for r in rows if r.lab == args.lab]
    total_q = sum(r.questions_total for r in rows)
    total_ok = sum(r.questions_correct for r in rows)
    total_pts = sum(r.points_earned for r in rows)
    total_max = sum(r.points_possible for r in rows)
    attempts = sum(r.attempts for r in rows)
    if args.json:
        print(json_text({
            "learner": learner,
            "store": str(store.path),
            "labs": [
                {"lab": r.lab, "questions_total": r.questions_total,
                 "questions_correct": r.questions_correct, "completion": r.completion,
                 "points_earned": r.points_earned, "points_possible": r.points_possible,
                 "attempts": r.attempts, "exercises_passed": r.exercises_passed,
                 "predictions_made": r.predictions_made,
                 "predictions_right": r.predictions_right}
                for r in rows
            ],
            "total": {"questions_total": total_q, "questions_correct": total_ok,
                      "points_earned": total_pts, "points_possible": total_max,
                      "attempts": attempts},
        }))
        return 0
    from vlab.learn.render import PROGRESS_HEADER, progress_rows_text

    print(f"Progress of {learner} ({store.path})")
    widths = (24, 10, 9, 9, 11, 8)
    print("  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                    for i, (h, w) in enumerate(zip(PROGRESS_HEADER, widths, strict=True))))
    for row in progress_rows_text(rows):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    share = f" ({total_ok / total_q:.0%})" if total_q else ""
    print(f"Total: {total_ok} of {total_q} questions{share}, {total_pts:g} of {total_max:g} points, "
          f"{attempts} attempt(s).")
    made = sum(r.predictions_made for r in rows)
    if made:
        right = sum(r.predictions_right for r in rows)
        print(f"Predictions: {right} of {made} borne out by the model (not part of the score: a wrong "
              "prediction is where learning starts).")
    return 0


def _export(store, args) -> int:
    if args.lab:
        raise UserError("--export writes every attempt; filter the CSV by its 'lab' column")
    target = Path(args.export)
    beside = target.resolve().parent == store.path.resolve().parent
    if same_file(target, store.path) or (beside and target.name.startswith(store.path.name)):
        raise UserError(f"--export {args.export} is the progress store itself; give a new "
                        f"file name such as attempts.csv")
    try:
        if args.learner:
            n = store.export_csv(args.export, learner=args.learner)
        else:
            n = store.export_csv(args.export, all_learners=True)
    except OSError as err:
        raise UserError(f"cannot write {args.export}: {err.strerror or err}") from None
    print(f"wrote {n} attempt(s) to {args.export}", file=sys.stderr)
    return 0


def _reset(store, args, learner: str) -> int:
    if args.lab:
        _check_lab(store, args.lab)
    n = len(store.attempts(lab=args.lab))
    scope = f"lab {args.lab}" if args.lab else "all labs"
    if n == 0:
        print(f"Nothing to reset: {learner} has no attempts in {scope}.")
        return 0
    if not args.yes:
        print(f"Delete {n} attempt(s) of {learner} in {scope}? [y/N] ", end="", file=sys.stderr,
              flush=True)
        try:
            reply = sys.stdin.readline() if sys.stdin is not None else ""
        except (OSError, ValueError):
            reply = ""
        if reply.strip().lower() not in ("y", "yes"):
            print("Nothing deleted.", file=sys.stderr)
            return 1
    deleted = store.reset(lab=args.lab)
    print(f"Deleted {deleted} attempt(s) of {learner} in {scope}.")
    return 0
