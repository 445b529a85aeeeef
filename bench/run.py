#!/usr/bin/env python3
"""Runs the otpp comparison benchmarks: otpp vs Erlang/BEAM vs CAF, same workloads, same run.

    python3 bench/run.py --build build/release [--workloads spawn,ring] [--runs 3]

For every workload it runs, in this order and once per --runs:
  otpp   <build>/bench/otpp/otpp_bench WORKLOAD
  BEAM   erl -noshell +S 2 +P 2000000 -pa <build>/bench/erlang -run otpp_bench main WORKLOAD -s init stop
         (every bench/erlang/*.erl -- otpp_bench.erl and the gen_server callback modules
          otpp_bench_server.erl and otpp_bench_echo.erl -- is compiled with erlc into
          <build>/bench/erlang first)
  CAF    <build>/bench/caf/caf_bench WORKLOAD
Each program prints `RESULT <metric> <value> <unit>` lines (the workloads are defined in the header
of bench/erlang/otpp_bench.erl). The median over the runs is reported in a Markdown table, with
"how many times better otpp is" ratios and the otpp targets; the table and machine information are
also written to bench/results/latest.md.

Distribution workloads (dist_send, dist_call, dist_send_beam, dist_call_beam): each program starts
its own peer node as a child OS process (see otpp_bench.erl). For them this script starts a
private epmd (`epmd -port P -address 127.0.0.1`, its child, ended by its pid at the end) and runs
every program with ERL_EPMD_PORT=P (and OTPP_BENCH_ERL_DIR=<the compiled bench/erlang>, where
otpp_bench finds the erl peer for the *_beam variants). dist_send_beam / dist_call_beam are
otpp -> BEAM; they have no BEAM program of their own: their BEAM column is BEAM <-> BEAM, i.e.
BEAM's dist_send_rate / dist_call_rate from the dist_send / dist_call runs (run once and shared
when both rows are selected). CAF has no distribution workloads: "—".

A missing binary, a failure or a timeout shows up as a dash plus the reason, never as a crash of
this script; a program that does not know a workload (exits non-zero with a usage message and no
RESULT) shows up as "— (not implemented)". Python standard library only.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import platform
import re
import shutil
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ERL_SOURCE_DIR = REPO / "bench" / "erlang"   # otpp_bench.erl + otpp_bench_server.erl
DEFAULT_OUTPUT = REPO / "bench" / "results" / "latest.md"

# Exactly how the BEAM side is started; WORKLOAD and the code path are filled in per run.
# (The dist workloads' erl peer nodes use the same flags: PEER_ERL_FLAGS in otpp_bench.erl and
# dist_main in otpp_bench.cpp.)
ERL_FLAGS = ["-noshell", "+S", "2", "+P", "2000000"]

RESULT_RE = re.compile(r"^RESULT\s+(\S+)\s+(-?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)\s+(\S+)\s*$")

IMPLS = ["otpp", "BEAM", "CAF"]


@dataclasses.dataclass(frozen=True)
class Workload:
    name: str
    metric: str           # the primary metric, the one the target applies to
    unit: str
    higher_is_better: bool
    min_ratio: float | None = None   # target: otpp at least this many times better than BEAM
    max_value: float | None = None   # target: otpp's absolute value at most this
    # BEAM runs this workload instead (its outcomes shared with that workload's row) and its
    # `beam_metric` is what otpp's `metric` is compared with.
    beam_workload: str | None = None
    beam_metric: str | None = None
    caf: bool = True                 # False: not applicable to CAF (not run, shown as "—")
    needs_epmd: bool = False         # run with a private epmd (ERL_EPMD_PORT)

    def metric_of(self, impl: str) -> str:
        """The name under which `impl` reports the primary metric."""
        return self.beam_metric if impl == "BEAM" and self.beam_metric else self.metric

    def program_workload(self, impl: str) -> str:
        """The workload name `impl`'s program is run with."""
        return self.beam_workload if impl == "BEAM" and self.beam_workload else self.name

    def target_text(self) -> str:
        if self.min_ratio is not None:
            return f"≥{self.min_ratio:g}× BEAM"
        if self.max_value is not None:
            return f"≤{self.max_value:g} {self.unit}"
        return "—"


WORKLOADS = [
    Workload("spawn", "spawn_exit_total", "ms", False, min_ratio=5),
    Workload("skynet", "skynet_total", "ms", False, min_ratio=4),
    Workload("memory", "mem_rss_per_proc", "bytes", False, max_value=1024),
    Workload("pingpong", "pingpong_rate", "roundtrips/s", True, min_ratio=3),
    Workload("ring", "ring_rate", "hops/s", True, min_ratio=3),
    Workload("fanin2", "fanin2_rate", "msgs/s", True, min_ratio=2),
    Workload("fanin4", "fanin4_rate", "msgs/s", True, min_ratio=2),
    Workload("call", "call_rate", "calls/s", True, min_ratio=3),
    Workload("idle_server", "mem_gen_server_per_proc", "bytes", False, max_value=512),
    Workload("dist_send", "dist_send_rate", "msgs/s", True, min_ratio=3, caf=False, needs_epmd=True),
    Workload("dist_call", "dist_call_rate", "calls/s", True, min_ratio=2, caf=False, needs_epmd=True),
    # otpp -> BEAM against BEAM <-> BEAM: no slower.
    Workload("dist_send_beam", "dist_send_beam_rate", "msgs/s", True, min_ratio=1,
             beam_workload="dist_send", beam_metric="dist_send_rate", caf=False, needs_epmd=True),
    Workload("dist_call_beam", "dist_call_beam_rate", "calls/s", True, min_ratio=1,
             beam_workload="dist_call", beam_metric="dist_call_rate", caf=False, needs_epmd=True),
]
WORKLOADS_BY_NAME = {w.name: w for w in WORKLOADS}


@dataclasses.dataclass
class Outcome:
    """What one run of one implementation produced."""
    results: dict[str, tuple[float, str]]   # metric -> (value, unit)
    error: str | None = None                # short reason, shown in the table
    detail: str | None = None               # longer explanation, shown in the notes


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_command(cmd: list[str], timeout: float, cwd: Path | None = None,
                env: dict[str, str] | None = None) -> Outcome:
    """Runs one benchmark process; never raises."""
    try:
        # Own session, so that a timeout kills the whole process group (erl starts helpers,
        # the dist workloads their peer node).
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True, cwd=cwd,
                                env=None if env is None else {**os.environ, **env})
    except OSError as e:
        return Outcome({}, "cannot start", f"{cmd[0]}: {e}")
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        return Outcome({}, "timeout", f"no exit after {timeout:g} s: {' '.join(cmd)}")
    results: dict[str, tuple[float, str]] = {}
    for line in out.splitlines():
        m = RESULT_RE.match(line.strip())
        if m:
            results[m.group(1)] = (float(m.group(2)), m.group(3))
    tail = " | ".join(err.strip().splitlines()[-3:])
    if proc.returncode > 0 and not results and "usage" in err.lower():
        # The program does not know this workload (yet): it printed its usage and gave up.
        return Outcome({}, "not implemented", f"{' '.join(cmd)}: exit {proc.returncode}; stderr: {tail}")
    if proc.returncode != 0:
        reason = f"exit {proc.returncode}" if proc.returncode > 0 else f"signal {-proc.returncode}"
        return Outcome(results, reason, f"{' '.join(cmd)}: {reason}; stderr: {tail or '(empty)'}")
    if not results:
        return Outcome({}, "no result", f"{' '.join(cmd)}: no RESULT line; stderr: {tail or '(empty)'}")
    return Outcome(results)


def compile_erlang(build: Path) -> tuple[Path | None, str | None]:
    """Compiles bench/erlang/*.erl into the build tree; returns (beam dir, error)."""
    if shutil.which("erl") is None or shutil.which("erlc") is None:
        return None, "erl/erlc not found"
    out_dir = build / "bench" / "erlang" if build.is_dir() else Path(tempfile.mkdtemp(prefix="otpp_bench_erl."))
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = sorted(str(f) for f in ERL_SOURCE_DIR.glob("*.erl"))
    proc = subprocess.run(["erlc", "-o", str(out_dir), *sources], capture_output=True, text=True)
    if proc.returncode != 0:
        return None, "erlc failed: " + " | ".join((proc.stdout + proc.stderr).strip().splitlines()[-3:])
    return out_dir, None


class PrivateEpmd:
    """An epmd of our own on a free loopback port, for the distribution workloads: started on
    first use, ended (by its pid) by stop()."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.error: str | None = None

    def ensure(self) -> int | None:
        if self.proc is not None or self.error is not None:
            return self.port
        exe = shutil.which("epmd")
        if exe is None:
            self.error = "epmd not found on PATH"
            log(f"warning: {self.error}; the dist workloads use the default EPMD")
            return None
        with socket.socket() as s:   # a port free right now (good enough on loopback)
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        # -d -d: it says when it listens. Its stderr is drained by a thread from then on.
        proc = subprocess.Popen([exe, "-d", "-d", "-port", str(port), "-address", "127.0.0.1"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, bufsize=0, start_new_session=True)
        fd = proc.stderr.fileno()
        deadline = time.monotonic() + 10
        seen = b""
        while b"entering the main select() loop" not in seen:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(left, 0))
            chunk = os.read(fd, 4096) if ready else b""
            if not chunk:   # timeout or exit
                proc.kill()
                proc.wait()
                tail = " | ".join(seen.decode(errors="replace").strip().splitlines()[-3:])
                self.error = f"private epmd did not start: {tail or '(no output)'}"
                log(f"warning: {self.error}; the dist workloads use the default EPMD")
                return None
            seen += chunk
        threading.Thread(target=lambda: [None for _ in iter(lambda: os.read(fd, 65536), b"")],
                         daemon=True).start()
        self.proc, self.port = proc, port
        log(f"private epmd on port {port} (pid {proc.pid})")
        return port

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def commands(build: Path, erl_dir: Path | None, erl_error: str | None, w: Workload):
    """impl -> command line, or impl -> (None, reason) when it cannot run."""
    cmds: dict[str, tuple[list[str] | None, str | None]] = {}
    for impl, binary in (("otpp", build / "bench" / "otpp" / "otpp_bench"),
                         ("CAF", build / "bench" / "caf" / "caf_bench")):
        if os.access(binary, os.X_OK):
            cmds[impl] = ([str(binary), w.program_workload(impl)], None)
        else:
            cmds[impl] = (None, f"missing {binary}")
    if not w.caf:
        cmds["CAF"] = (None, None)   # not applicable: not run, "—"
    if erl_dir is None:
        cmds["BEAM"] = (None, erl_error)
    else:
        cmds["BEAM"] = (["erl", *ERL_FLAGS, "-pa", str(erl_dir), "-run", "otpp_bench", "main",
                         w.program_workload("BEAM"), "-s", "init", "stop"], None)
    return cmds


def fmt_value(v: float | None) -> str:
    if v is None:
        return "—"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:,.1f}"


def higher_is_better(unit: str) -> bool:
    return unit.endswith("/s")


def ratio(otpp: float | None, other: float | None, higher: bool) -> float | None:
    """How many times better otpp is than `other`."""
    if otpp is None or other is None or otpp <= 0 or other <= 0:
        return None
    return otpp / other if higher else other / otpp


def fmt_ratio(r: float | None) -> str:
    return "—" if r is None else f"{r:.2f}×"


def machine_info(erl_ok: bool) -> list[tuple[str, str]]:
    def cmd_out(cmd: list[str]) -> str:
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            return p.stdout.strip() or p.stderr.strip() or "?"
        except (OSError, subprocess.SubprocessError) as e:
            return f"? ({e})"

    info = [("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"))]
    try:
        nproc = str(len(os.sched_getaffinity(0)))
    except AttributeError:
        nproc = str(os.cpu_count())
    info.append(("nproc", nproc))
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info.append(("cpu", cpu))
    info.append(("uname", cmd_out(["uname", "-a"]) if shutil.which("uname") else " ".join(platform.uname())))
    if erl_ok:
        info.append(("erlang", cmd_out(["erl", "-noshell", "-eval",
                                        'io:format("OTP ~s, ERTS ~s", [erlang:system_info(otp_release), '
                                        'erlang:system_info(version)]), halt().'])))
        info.append(("erl flags", " ".join(ERL_FLAGS)))
    caf_cfg = Path("/usr/include/caf/config.hpp")
    if caf_cfg.exists():
        m = re.search(r"#define CAF_VERSION (\d+)", caf_cfg.read_text())
        if m:
            v = int(m.group(1))
            info.append(("caf", f"{v // 10000}.{v // 100 % 100}.{v % 100} (2 scheduler threads)"))
    if shutil.which("g++"):
        info.append(("g++", cmd_out(["g++", "--version"]).splitlines()[0]))
    if shutil.which("git"):
        rev = cmd_out(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
        if re.fullmatch(r"[0-9a-f]+", rev):
            info.append(("git", rev))
    return info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True, help="CMake build directory (e.g. build/release)")
    ap.add_argument("--workloads", default=",".join(w.name for w in WORKLOADS),
                    help="comma-separated subset of: " + ",".join(w.name for w in WORKLOADS))
    ap.add_argument("--runs", type=int, default=1, help="runs per implementation; the median is reported")
    ap.add_argument("--timeout", type=float, default=300, help="seconds before one run is killed (default 300)")
    ap.add_argument("--impls", default=",".join(IMPLS), help="comma-separated subset of: otpp,BEAM,CAF")
    ap.add_argument("--output", default=str(DEFAULT_OUTPUT), help=f"Markdown report (default {DEFAULT_OUTPUT})")
    args = ap.parse_args()

    names = [n.strip() for n in args.workloads.split(",") if n.strip()]
    unknown = [n for n in names if n not in WORKLOADS_BY_NAME]
    if unknown or not names:
        ap.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS_BY_NAME)}")
    impl_map = {i.lower(): i for i in IMPLS}
    selected = [impl_map.get(i.strip().lower()) for i in args.impls.split(",") if i.strip()]
    if None in selected or not selected:
        ap.error(f"--impls: choose from {','.join(IMPLS)}")
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    build = Path(args.build)
    if not build.is_dir() and not build.is_absolute() and (REPO / build).is_dir():
        build = REPO / build
    build = build.resolve()
    if not build.is_dir():
        log(f"warning: build directory {build} does not exist; otpp and CAF will be reported missing")

    erl_dir, erl_error = (None, "not selected")
    # otpp's *_beam workloads start an erl peer from the compiled bench/erlang too.
    otpp_needs_erl = "otpp" in selected and any(WORKLOADS_BY_NAME[n].beam_workload for n in names)
    if "BEAM" in selected or otpp_needs_erl:
        erl_dir, erl_error = compile_erlang(build)
        if erl_error:
            log(f"warning: BEAM side unavailable: {erl_error}")
        if "BEAM" not in selected:
            erl_error = "not selected"

    # raw[workload][impl] = list of Outcome, one per run
    raw: dict[str, dict[str, list[Outcome]]] = {}
    # BEAM program workload -> its outcomes, for rows that share them (dist_*_beam).
    beam_runs: dict[str, list[Outcome]] = {}
    epmd = PrivateEpmd()
    try:
        for name in names:
            run_workload(WORKLOADS_BY_NAME[name], build, erl_dir, erl_error, selected, args, raw,
                         beam_runs, epmd)
    finally:
        epmd.stop()

    table, notes = build_table(names, raw, selected, args.runs)
    print(table)
    if notes:
        print()
        print("\n".join(notes))

    info = machine_info(erl_dir is not None)
    report = ["# otpp benchmark results", ""]
    report += [f"- **{k}**: {v}" for k, v in info]
    report += [f"- **runs**: {args.runs} per implementation (median shown)", f"- **build**: {build}", "", table]
    if notes:
        report += ["", *notes]
    out = Path(args.output)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(report) + "\n")
        log(f"wrote {out}")
    except OSError as e:
        log(f"warning: cannot write {out}: {e}")
    return 0


def run_workload(w: Workload, build: Path, erl_dir: Path | None, erl_error: str | None,
                 selected: list[str], args, raw, beam_runs, epmd: PrivateEpmd) -> None:
    name = w.name
    cmds = commands(build, erl_dir, erl_error, w)
    raw[name] = {impl: [] for impl in IMPLS}
    env: dict[str, str] = {}
    if w.needs_epmd:
        port = epmd.ensure()
        if port is not None:
            env["ERL_EPMD_PORT"] = str(port)
        if erl_dir is not None:
            env["OTPP_BENCH_ERL_DIR"] = str(erl_dir)
    shared_beam = w.program_workload("BEAM")
    reuse_beam = "BEAM" in selected and shared_beam in beam_runs
    if reuse_beam:
        raw[name]["BEAM"] = beam_runs[shared_beam]
        log(f"[{name}] BEAM: the {shared_beam} runs of this invocation")
    for run in range(args.runs):
        for impl in IMPLS:
            if impl not in selected or (impl == "BEAM" and reuse_beam):
                continue
            cmd, why = cmds[impl]
            if cmd is None:
                if run == 0 and why is not None:
                    raw[name][impl].append(Outcome({}, "missing" if why.startswith("missing") else "n/a", why))
                continue
            label = name if impl != "BEAM" or shared_beam == name else f"{name} (BEAM {shared_beam})"
            log(f"[{label}] {impl} run {run + 1}/{args.runs} ...")
            # erl runs in its code directory, so a crash dump does not land in the caller's cwd
            # (so does otpp when it starts an erl peer).
            cwd = erl_dir if impl == "BEAM" or (impl == "otpp" and w.needs_epmd) else None
            outcome = run_command(cmd, args.timeout, cwd, env or None)
            shown = ", ".join(f"{m}={fmt_value(v)} {u}" for m, (v, u) in outcome.results.items())
            log(f"[{label}] {impl}: {shown or '-'}{'  (' + outcome.error + ')' if outcome.error else ''}")
            raw[name][impl].append(outcome)
    if "BEAM" in selected and not reuse_beam:
        beam_runs[shared_beam] = raw[name]["BEAM"]


def build_table(names, raw, selected, runs):
    header = ["workload", "metric", "unit", "otpp", "BEAM", "CAF", "otpp/BEAM", "otpp/CAF", "target", "met?"]
    rows = [header, ["---"] * len(header)]
    notes: list[str] = []
    for name in names:
        w = WORKLOADS_BY_NAME[name]
        # The primary metric first, then any extra metric some implementation reported (an
        # implementation may name the primary metric differently: Workload.metric_of).
        metrics: dict[str, str] = {w.metric: w.unit}
        for impl in IMPLS:
            for o in raw[name][impl]:
                for m, (_, unit) in o.results.items():
                    if m != w.metric_of(impl):
                        metrics.setdefault(m, unit)
        for metric, unit in metrics.items():
            primary = metric == w.metric
            higher = w.higher_is_better if primary else higher_is_better(unit)
            med: dict[str, float | None] = {}
            cell: dict[str, str] = {}
            for impl in IMPLS:
                outs = raw[name][impl]
                key = w.metric_of(impl) if primary else metric
                values = [o.results[key][0] for o in outs if key in o.results and not o.error]
                med[impl] = statistics.median(values) if values else None
                errors = sorted({o.error for o in outs if o.error})
                if impl not in selected:
                    cell[impl] = "—"
                elif med[impl] is not None:
                    cell[impl] = fmt_value(med[impl]) + (f" ({len(values)}/{len(outs)} ok)" if errors else "")
                else:
                    cell[impl] = "— (" + ", ".join(errors) + ")" if errors else "—"
            r_beam = ratio(med["otpp"], med["BEAM"], higher)
            r_caf = ratio(med["otpp"], med["CAF"], higher)
            target, met = "—", "—"
            if primary:
                target = w.target_text()
                if w.min_ratio is not None and r_beam is not None:
                    met = "yes" if r_beam >= w.min_ratio else "no"
                elif w.max_value is not None and med["otpp"] is not None:
                    met = "yes" if med["otpp"] <= w.max_value else "no"
            shown_metric = metric
            if primary and w.beam_metric:
                shown_metric = f"{metric} (BEAM: {w.beam_metric})"
            rows.append([name, shown_metric, unit, cell["otpp"], cell["BEAM"], cell["CAF"],
                         fmt_ratio(r_beam), fmt_ratio(r_caf), target, met])
        for impl in IMPLS:
            failed = [(i, o.detail) for i, o in enumerate(raw[name][impl]) if o.error and o.detail]
            if len(failed) > 1 and len({d for _, d in failed}) == 1:
                # The same failure every run (e.g. "not implemented"): one note is enough.
                notes.append(f"- {name} / {impl} ({len(failed)} runs, same failure): {failed[0][1]}")
                continue
            for i, detail in failed:
                notes.append(f"- {name} / {impl}" + (f" run {i + 1}" if runs > 1 else "") + f": {detail}")
        if runs > 1:
            for impl in IMPLS:
                key = w.metric_of(impl)
                vals = [fmt_value(o.results[key][0]) if key in o.results else (o.error or "?")
                        for o in raw[name][impl]]
                if vals and impl in selected:
                    notes.append(f"- {name} / {impl} all runs ({key}): {'; '.join(vals)}")
    table = "\n".join("| " + " | ".join(r) + " |" for r in rows)
    table += ("\n\nRatios say how many times better otpp is: other/otpp for times and bytes, "
              "otpp/other for rates. Targets are against BEAM, except memory and idle_server (absolute; "
              "BEAM's and CAF's bytes per process are in their columns). dist_send_beam and "
              "dist_call_beam are otpp -> BEAM, compared with BEAM <-> BEAM (BEAM's dist_send_rate "
              "and dist_call_rate); the dist rows have no CAF version.")
    if notes:
        notes.insert(0, "Notes:")
    return table, notes


if __name__ == "__main__":
    sys.exit(main())
