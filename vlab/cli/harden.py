"""`vlab harden FILE.vmx`: audit a VM's configuration file against the hardening rules.

Exit codes: 0 = every audited rule passes, 4 = failures found (listed; `--json` gives them as
data), 1 = the file cannot be read or is not a .vmx (a message, never a traceback).
`--fix OUT.vmx` also writes a copy with every failure fixed (the exit code still reports the
original file's audit). `--profile` picks rule groups: baseline (default), advanced, legacy.
"""
from __future__ import annotations

from pathlib import Path

from vlab.cli.errors import UserError
from vlab.cli.util import (
    check_input_file,
    json_text,
    need_value,
    printable,
    same_file,
)

EXIT_PASS = 0
EXIT_FAILURES = 4
PROFILE_CHOICES = ("baseline", "advanced", "legacy", "all")


def register(sub) -> None:
    p = sub.add_parser(
        "harden",
        help="audit a .vmx file against vSphere 8 hardening rules (exit 4 when something fails)",
        description="Audit a .vmx file against the vSphere 8 Security Configuration Guide's VM "
        "rules, with the pass/fail semantics of VMware's own audit script.",
    )
    p.add_argument("file", metavar="FILE.vmx", help="the VM configuration file to audit")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--fix", metavar="OUT.vmx", help="write a fixed copy of the file to OUT.vmx")
    p.add_argument(
        "--profile", action="append", choices=PROFILE_CHOICES,
        help="rule group(s) to audit: baseline (default; SCG 8 / STIG 8), advanced, legacy "
        "(5.x/6.x guides) or all; repeat to combine",
    )
    p.set_defaults(run=run)


def _profiles(chosen: list[str] | None) -> tuple[str, ...]:
    if not chosen:
        return ("baseline",)
    if "all" in chosen:
        return ("baseline", "advanced", "legacy")
    return tuple(dict.fromkeys(chosen))


def _read(path: Path):
    from vlab.formats.dictfile import read_dictfile

    try:
        is_dir = path.is_dir()
    except OSError as err:  # e.g. a file inside a folder the user may not enter
        raise UserError(f"{path}: cannot read it ({err.strerror or err})") from None
    if is_dir:
        raise UserError(f"{path} is a folder; give the .vmx file inside it "
                        f"(`vlab explain {path}` lists a folder)")
    check_input_file(path, ".vmx file")  # missing, a broken link, a pipe or a device such as /dev/zero
    try:
        vmx = read_dictfile(path)
    except PermissionError:
        raise UserError(f"{path}: permission denied") from None
    except OSError as err:
        raise UserError(f"{path}: cannot read it ({err.strerror or err})") from None
    except ValueError as err:
        raise UserError(f"{err} (is this a .vmx file?)") from None
    if not len(vmx):
        raise UserError(f"{path}: no key = \"value\" lines at all; a .vmx has at least "
                        f"config.version and virtualHW.version")
    return vmx


def _check_fix_target(out: Path, source: Path) -> None:
    try:
        is_dir = out.is_dir()
    except OSError:  # in a folder the user may not enter: writing will say so
        is_dir = False
    if is_dir:
        raise UserError(f"--fix {out} is a folder; give a file name such as {out / 'fixed.vmx'}")
    if same_file(out, source):
        raise UserError(f"--fix {out} is the file being audited; write the fixed copy to another "
                        f"file, compare the two, then replace the original yourself")


def _write_fixed(vmx, out: Path, profiles: tuple[str, ...]):
    """Write the fixed copy; return the keys whose value it changed, added or removed, and the
    model's FixReport (what it fixed and what a .vmx edit cannot fix)."""
    from vlab.models.security.hardening import fix_report

    try:
        report = fix_report(vmx, profiles)
        fixed = report.fixed
        out.write_bytes(fixed.to_bytes())
    except ValueError as err:
        raise UserError(f"cannot write the fixed file: {err}") from None
    except OSError as err:
        raise UserError(f"{out}: cannot write it ({err.strerror or err})") from None
    before, after = vmx.normalized(), fixed.normalized()
    return [key for key in dict.fromkeys([*vmx, *fixed])
            if before.get(key.lower()) != after.get(key.lower())], report


def run(args) -> int:
    from vlab.models.security.hardening import audit, counts, failures

    need_value("--fix", args.fix)
    path = Path(args.file)
    profiles = _profiles(args.profile)
    if args.fix:
        _check_fix_target(Path(args.fix), path)
    vmx = _read(path)
    results = audit(vmx, profiles)
    failed = failures(results)
    changed, report = _write_fixed(vmx, Path(args.fix), profiles) if args.fix else ([], None)
    not_fixed = [] if report is None else [{"key": n.key, "reason": n.reason}
                                           for n in report.not_fixed]
    code = EXIT_FAILURES if failed else EXIT_PASS
    warnings = list(vmx.warnings)
    if "virtualHW.version" not in vmx and "config.version" not in vmx:
        warnings.append(f"{path.name} has neither virtualHW.version nor config.version, which "
                        f"every .vmx has; is it a .vmx (not a .vmsd or .vmxf)?")
    if args.json:
        print(json_text({
            "file": str(path), "profiles": list(profiles), "passed": not failed,
            "counts": counts(results), "warnings": warnings,
            "fixed_file": args.fix, "fixed_keys": changed, "not_fixed": not_fixed,
            "results": [r.to_dict() for r in results],
        }))
        return code
    tally = counts(results)
    na = f", {tally['not_applicable']} not applicable" if tally["not_applicable"] else ""
    print(f"{printable(str(path))}: {len(results)} rules ({', '.join(profiles)}): {tally['pass']} pass, "
          f"{tally['not_present']} not set (default complies), {tally['fail']} fail{na}")
    for warning in warnings:
        print(f"  warning: {warning}")
    for r in failed:
        ident = r.rule.scg8_id or r.rule.stig8_id or r.rule.profile
        print(f"  FAIL [{r.rule.severity}] {r.rule.key} ({ident}): {r.message}")
        print(f"       {r.rule.title}. Expected: {r.expected}.")
    for r in results:
        if r.status == "not_applicable":
            print(f"  N/A  {r.rule.key}: {printable(r.message)}")
    if args.fix:
        keys = f": {', '.join(changed)}" if changed else ""
        print(f"Wrote {printable(args.fix)} with {len(report.fixed_rules)} rule(s) fixed; "
              f"changed key(s){keys or ': none'}.")
        for item in not_fixed:
            print(f"  not fixed: {item['key']}: {item['reason']}")
    if failed and not args.fix:
        print("Tip: --fix OUT.vmx writes a fixed copy; `--json` gives every rule as data.")
    if not failed:
        print("All audited rules pass.")
    return code
