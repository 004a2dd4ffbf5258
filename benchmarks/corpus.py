"""Real-world corpus: run the real `async-migrate` over published packages.

For each requirement of the corpus list (a file given as LIST, else the list of requirements
below), downloads the wheel with
`pip download --no-deps --only-binary :all:`, unpacks its `.py` files into a temporary
directory (never into this repository), keeps that tree as the original, migrates a copy in
place with `async-migrate`, and prints per package and in total:

  files       .py files unpacked           scanned   files async-migrate scanned
  changed     files the run changed        rewrites  rewrites it counted
  broken      changed files that no longer compile                           (must be 0)
  refused     valid files (they compile under this Python) it refused        (must be 0)
  invalid     files that do not compile here that it refused (information: Python 2, templates)
  F821 / F401 new undefined names / unused imports in changed files (ruff)   (must be 0)
  sorted      changed files whose imports were sorted before: ruff's I001 ("import block is
              un-sorted or un-formatted") finds nothing in the original file
  I001        of those, files where I001 finds something after                (must be 0)
  stable      a second run (`--check --diff`) wants no change                (must be yes)
  before / after  ruff's blocking-call findings (BLOCKING_CODES) in the original / migrated tree
  unreported  findings left after that async-migrate did not report on the same line, in a
              `--check` run over the migrated tree (so line numbers match)   (must be 0)
  not blocking  findings left after on calls that do not block, which async-migrate rightly
              leaves alone with no finding (`os.waitpid(pid, os.WNOHANG)` and the like, matched
              by benchmarks/not_blocking.py); each is listed, none counts as unreported
  time        wall time of the in-place run

Both I001 runs use ruff's default isort settings (``--isolated``, from the tree's top
directory, so the tree's top-level packages are first-party), because a wheel ships no ruff or
isort configuration to follow: a file written to another standard shows I001 before and is not
counted as sorted, so "sorted before" means sorted by the default standard, the one the tool
places new imports by.

and, for the ``helpers`` codemod (calls in coroutines to the project's own sync functions that
block, directly or through other project functions), from the project index built on the
unpacked tree exactly as the run builds it (``async_migrate.runner.project.build`` over ``.``;
the tree's top directory holds the top-level packages, so module names resolve as imports
spell them):

  sites       transitive sites: calls in coroutines to project functions that block
  rewritten   sites the run offloaded (AM651 at the site)
  reported    sites the run reported (AM652-AM654 at the site, or AM654 at its coroutine
              naming the site's line)
  silent      sites that got neither                                          (must be 0)
  index s     time of building the index in this script

and, in a second table, database and blocking-library calls in coroutines, from the same
project index of the original tree (``codemods/core/index.py``: names resolved through each
module's imports with the stdlib ``ast``). In each coroutine the index records (an ``async def``
at module level or in a class, its own body: not nested functions, lambdas or classes; a nested
``async def`` is not indexed, so not counted), each call that is not awaited and

- resolves to a function of the catalogue's database, redis, network or threads families
  (``codemods/core/catalogue.py``: ``sqlite3.connect``, ``smtplib.SMTP``, ``ftplib.FTP``,
  ``socket.create_connection``, ``concurrent.futures.wait``) or to a ``db`` driver's connect
  (``psycopg2.connect``, ``pymysql.connect``, ``MySQLdb.connect``), or
- calls a method on a name the index binds to an object of those families, when the tool's
  classifier (``codemods/core/blocking.py``) takes that method for a blocking one: a name bound
  at module level by ``x = <constructor>(...)``, an annotated parameter, or a name bound in the
  coroutine by ``x = <constructor>(...)`` or ``with <constructor>(...) as x`` (constructors and
  annotations from the catalogue: sqlite3 connections, redis clients, pymongo clients,
  smtplib/ftplib/http.client connections, boto3 clients, resources and sessions, paramiko
  clients, threading events, locks and threads, queues, futures and executors, SQLAlchemy
  engines and sessions, sockets).

Not counted: objects the index does not follow (what a method returns, ``cur =
conn.cursor()``, ``s = engine.connect()``; attributes, ``self.conn``), and the methods of
psycopg2 and pymysql connections (the catalogue has no kind for them; the ``db`` codemod
follows them in the coroutine that opens them and reports a connection it does not migrate at
its connect call). Each call is classified from the JSON of the in-place run (its positions are
those of its input, the original tree):

  db calls    the calls counted
  rewritten   a db or redis rewrite (AM701-AM703, AM901-AM903) at the call's position
  offloaded   an offload (AM601, AM904) at the call's position
  reported    neither, and a finding on the call's line
  silent      none of these                                                   (must be 0)

and whether the offload fallback drops a finding: a ``--check --no-offload --output-format
json`` run over the original tree, whose every finding the default (in-place) run must keep or
fix:

  no-offload findings  findings of the --no-offload run
  kept        the default run has a finding at the same position or on the same line (those
              kept only by another finding on their line are listed, as information)
  fixed       the default run has a rewrite at the same position (offloaded, or rewritten)
  dropped     neither                                                         (must be 0)

then the details of every must-be-0 figure that is not 0, and exits 1 if there is any.

Usage: python benchmarks/corpus.py [LIST] [--only NAME ...] [--jobs N] [--wheels DIR] [--keep DIR]
                                  [--sites]
``--sites`` lists every transitive site with what the run did at it and the chain, and every
database or blocking-library call with what the run did there.
Needs `async-migrate`, `ruff` and `pip` next to this interpreter (or on PATH).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from not_blocking import Span, classify

from async_migrate.runner.discovery import Excludes
from async_migrate.runner.project import build, project_roots
from codemods.core.catalogue import FUNCTIONS, KIND_FAMILY, Family, ObjectKind, call_may_block
from codemods.db.drivers import PREFILTER as DRIVER_CONNECTS
from codemods.helpers.analysis import Project

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    return str(BIN / name) if (BIN / name).exists() else shutil.which(name) or name


ASYNC_MIGRATE = _tool("async-migrate")
RUFF = _tool("ruff")

# ruff's blocking-call rules (inside async functions): HTTP, subprocess, open, os.path and
# pathlib, time.sleep.
BLOCKING_CODES = (
    "ASYNC210",
    "ASYNC212",
    "ASYNC220",
    "ASYNC221",
    "ASYNC222",
    "ASYNC230",
    "ASYNC240",
    "ASYNC251",
)
NAME_CODES = ("F401", "F821")
#: isort's check: an import block not sorted (or not formatted) as isort would leave it.
SORT_CODES = ("I001",)

# The requirements of dev-corpus.txt, for when that file is not there (never the code itself).
REQUIREMENTS = """
g4f==8.8.6
xinference==4.1.0
camel-ai==0.2.90
langbot==4.11.2
prefect==3.9.1
praisonaiagents==1.7.17
pyppeteer==2.0.0
open-webui==0.12.4
agno==3.1.10
telethon==1.45.0
langchain-community==0.4.2
pyrogram==2.0.106
nodriver==0.50.99
fschat==0.2.36
pytelegrambotapi==4.37.1
telegram-upload==0.7.1
discord.py==2.7.1
aiogram==3.31.0
sanic==25.12.1
nicegui==3.18.0
"""

FINDING = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>AM\d{3}) (?P<msg>.*)$")
ERROR = re.compile(r"^(?P<path>.+?): error: (?P<msg>.*)$")
SUMMARY = re.compile(r"(?P<files>\d+) files? scanned, (?P<changed>\d+) .*?, (?P<rewrites>\d+) rew")
#: The helpers codemod's codes: a rewrite, and the findings it leaves.
HELPERS_REWRITE = "AM651"
HELPERS_REPORTS = ("AM652", "AM653", "AM654")
#: AM654 at a coroutine's ``def`` for a site an earlier rewrite changed names the site's line.
LOST_SITE = re.compile(r"\(line (?P<line>\d+) of the input\)")
#: The catalogue's families counted as database and blocking-library calls (not HTTP,
#: subprocesses, files, input or sleep: the other codemods' calls).
LIBRARY_FAMILIES = frozenset({Family.DATABASE, Family.REDIS, Family.NETWORK, Family.THREADS})
#: Rewrites to an async driver (the db and redis codemods), and offloads to a thread.
DRIVER_REWRITES = ("AM701", "AM702", "AM703", "AM901", "AM902", "AM903")
OFFLOADS = ("AM601", "AM904")
_KINDS = {kind.value: kind for kind in ObjectKind}


@dataclass(frozen=True, order=True)
class Site:
    """A transitive site, where the index found it, and what the run did there."""

    path: str
    line: int
    col: int
    coroutine: str
    target: str
    chain: str
    outcome: str = "silent"  # "rewritten", "reported" or "silent"
    code: str = ""
    message: str = ""

    def describe(self) -> str:
        what = f"{self.code} {self.message}" if self.code else f"{self.target}(): {self.chain}"
        return f"{self.path}:{self.line}:{self.col} in {self.coroutine}: {self.outcome}: {what}"


@dataclass(frozen=True, order=True)
class LibraryCall:
    """A database or blocking-library call in a coroutine, and what the run did there."""

    path: str
    line: int
    col: int
    coroutine: str
    call: str  # "sqlite3.connect", "conn.execute (sqlite3 connection or cursor)"
    outcome: str = "silent"  # "rewritten", "offloaded", "reported" or "silent"
    code: str = ""
    message: str = ""

    def describe(self) -> str:
        what = f"{self.code} {self.message}" if self.code else f"{self.call}()"
        return f"{self.path}:{self.line}:{self.col} in {self.coroutine}: {self.outcome}: {what}"


@dataclass
class Result:
    name: str
    files: int = 0
    scanned: int = 0
    changed: int = 0
    rewrites: int = 0
    broken: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    new_f821: list[str] = field(default_factory=list)
    new_f401: list[str] = field(default_factory=list)
    #: Changed files whose imports were sorted before (no I001 in the original), how many
    #: of those I001 finds unsorted after, and its findings there.
    sorted_before: int = 0
    unsorted_after: int = 0
    new_i001: list[str] = field(default_factory=list)
    unstable: list[str] = field(default_factory=list)
    before: Counter[str] = field(default_factory=Counter)
    after: Counter[str] = field(default_factory=Counter)
    unreported: list[str] = field(default_factory=list)
    not_blocking: list[str] = field(default_factory=list)  # information, not a problem
    sites: list[Site] = field(default_factory=list)
    #: helpers findings at no site of the index (information: there should be none)
    strays: list[str] = field(default_factory=list)
    library_calls: list[LibraryCall] = field(default_factory=list)
    #: Findings of the ``--no-offload`` run: how many, and those the default run kept
    #: (a finding on the line), fixed (a rewrite at the position) or dropped (neither).
    no_offload_findings: int = 0
    kept: int = 0
    fixed: int = 0
    dropped: list[str] = field(default_factory=list)
    #: Kept only by another finding on the same line (information).
    kept_by_line: list[str] = field(default_factory=list)
    seconds: float = 0.0
    index_seconds: float = 0.0
    failure: str = ""  # the package could not be measured at all (download, unpack)

    @property
    def problems(self) -> int:
        return sum(
            len(x)
            for x in (
                self.broken,
                self.refused,
                self.new_f821,
                self.new_f401,
                self.new_i001,
                self.unstable,
                self.unreported,
                self.silent,
                self.library_outcomes("silent"),
                self.dropped,
            )
        ) + bool(self.failure)

    def outcomes(self, outcome: str) -> list[Site]:
        return [s for s in self.sites if s.outcome == outcome]

    @property
    def silent(self) -> list[Site]:
        return self.outcomes("silent")

    def library_outcomes(self, outcome: str) -> list[LibraryCall]:
        return [c for c in self.library_calls if c.outcome == outcome]


def requirements(list_path: Path | None) -> list[str]:
    text = list_path.read_text(encoding="utf-8") if list_path else REQUIREMENTS
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def project_name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]


def _flat_wheel(requirement: str, wheels: Path) -> Path | None:
    """A wheel of a pinned ``name==version`` lying directly in ``wheels`` (a directory
    filled by ``pip download -d``), if there is one."""
    name, _, version = requirement.partition("==")
    if not version:
        return None
    wanted = (re.sub(r"[-_.]+", "_", name.strip()).lower(), version.strip())
    for wheel in sorted(wheels.glob("*.whl")):
        distribution, _, rest = wheel.name.partition("-")
        if (distribution.lower(), rest.partition("-")[0]) == wanted:
            return wheel
    return None


def download(requirement: str, wheels: Path) -> Path:
    if wheels.is_dir() and (flat := _flat_wheel(requirement, wheels)):
        return flat
    target = wheels / re.sub(r"[^A-Za-z0-9_.-]", "_", requirement)
    target.mkdir(parents=True, exist_ok=True)
    found = sorted(target.glob("*.whl"))
    if not found:
        cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps"]
        cmd += ["--only-binary", ":all:", "-d", str(target), requirement]
        done = subprocess.run(cmd, capture_output=True, text=True)
        found = sorted(target.glob("*.whl"))
        if done.returncode != 0 or not found:
            last = (done.stderr.strip().splitlines() or ["no wheel"])[-1]
            raise RuntimeError(f"pip download failed: {last}")
    return found[0]


def unpack(wheel: Path, into: Path) -> int:
    """Extract the wheel's .py files under ``into``; how many."""
    count = 0
    root = into.resolve()
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.infolist():
            if member.is_dir() or not member.filename.endswith(".py"):
                continue
            destination = (into / member.filename).resolve()
            if root not in destination.parents:
                continue  # an absolute or ../ member name: never write outside the tree
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.read(member))
            count += 1
    return count


def py_files(tree: Path) -> list[str]:
    return sorted(str(p.relative_to(tree)) for p in tree.rglob("*.py") if p.is_file())


def compiles(data: bytes, name: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


class Lint(NamedTuple):
    code: str
    line: int
    message: str
    span: Span


def ruff(tree: Path, codes: tuple[str, ...]) -> dict[str, list[Lint]]:
    """ruff's findings of ``codes`` under ``tree``, by relative path."""
    version = f"py3{sys.version_info.minor}"
    cmd = [RUFF, "check", "--isolated", "--no-cache", "--exit-zero", "--output-format", "json"]
    cmd += ["--target-version", version, "--select", ",".join(codes), "."]
    done = subprocess.run(cmd, cwd=tree, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ruff failed: {done.stderr.strip()[-500:]}")
    out: dict[str, list[Lint]] = {}
    for item in json.loads(done.stdout or "[]"):
        if not item.get("code"):
            continue  # a syntax error ruff reports: not a lint finding
        path = os.path.relpath(item["filename"], tree)
        start, end = item["location"], item["end_location"]
        span = Span(start["row"], start["column"], end["row"], end["column"])
        out.setdefault(path, []).append(Lint(item["code"], start["row"], item["message"], span))
    return out


@dataclass
class Run:
    seconds: float
    returncode: int
    stdout: bytes
    findings: set[tuple[str, int]]  # (relative path, line)
    errors: dict[str, str]  # relative path -> message
    summary: dict[str, int]
    #: With ``--output-format json``: every rewrite and finding, as the tool lists them.
    records: list[dict[str, object]] = field(default_factory=list)


def async_migrate(tree: Path, options: list[str], jobs: int, timeout: float) -> Run:
    cmd = [ASYNC_MIGRATE, "--no-cache", "-j", str(jobs), *options, "."]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=tree, capture_output=True, timeout=timeout)
    seconds = time.perf_counter() - start
    records: list[dict[str, object]] = []
    if "json" in options:
        records = json.loads(done.stdout or b"[]")
    findings: set[tuple[str, int]] = set()
    errors: dict[str, str] = {}
    summary: dict[str, int] = {}
    for line in done.stderr.decode("utf-8", "replace").splitlines():
        if m := FINDING.match(line):
            findings.add((os.path.normpath(m["path"]), int(m["line"])))
        elif m := ERROR.match(line):
            errors[os.path.normpath(m["path"])] = m["msg"]
        elif m := SUMMARY.search(line):
            summary = {k: int(v) for k, v in m.groupdict().items()}
    if not summary:
        tail = done.stderr.decode("utf-8", "replace").strip()[-800:]
        raise RuntimeError(f"async-migrate gave no summary (exit {done.returncode}): {tail}")
    return Run(seconds, done.returncode, done.stdout, findings, errors, summary, records)


def transitive_sites(tree: Path) -> tuple[list[Site], Project | None]:
    """The helpers codemod's sites in ``tree``, found as the run over ``.`` finds them, and
    the project index they come from."""
    root = os.path.realpath(tree)
    roots = project_roots([root])
    if os.path.realpath(roots[-1]) != root:  # a pyproject.toml above would move the root
        raise RuntimeError(f"the project root is not the unpacked tree: {roots}")
    previous = os.getcwd()
    os.chdir(tree)
    try:
        project = build(["."], Excludes(), None)
    finally:
        os.chdir(previous)
    sites = sorted(
        Site(
            os.path.relpath(path, root),
            site.line,
            site.col,
            site.coroutine,
            site.target,
            site.blocking.describe(),
        )
        for path, found in project.by_path.items()
        for site in found
    )
    return sites, project.project


def library_calls(project: Project | None) -> list[LibraryCall]:
    """The database and blocking-library calls in the coroutines the project index records
    (see the module's docstring for what is counted)."""
    found: dict[tuple[str, int, int], LibraryCall] = {}
    for record in project.modules.values() if project else ():
        path = os.path.normpath(record.path)
        for function in record.functions.values():
            if not function.is_async:
                continue
            for call in function.calls:
                if call.awaited:
                    continue
                name = next(
                    (
                        n
                        for n in call.names
                        if FUNCTIONS.get(n) in LIBRARY_FAMILIES or n in DRIVER_CONNECTS
                    ),
                    None,
                )
                if name is not None:
                    key = (path, call.line, call.col)
                    found[key] = LibraryCall(*key, function.qualname, name)
            for description, line, col in function.object_calls:
                called, _, kind_name = description.rpartition(" (")
                kind = _KINDS[kind_name.removesuffix(")")]
                if KIND_FAMILY.get(kind) not in LIBRARY_FAMILIES:
                    continue
                # As the tool's classifier decides: the index's own test also takes a
                # sqlite3 connection's cursor() and a boto3 sub-resource's constructor.
                if not call_may_block(kind, called.rpartition(".")[2]):
                    continue
                key = (path, line, col)
                found.setdefault(key, LibraryCall(*key, function.qualname, description))
    return sorted(found.values())


def match_library_calls(
    calls: list[LibraryCall], records: list[dict[str, object]]
) -> list[LibraryCall]:
    """Each call with what the run did there: a driver rewrite or an offload at its
    position, else a finding on its line, else nothing."""
    at: dict[tuple[str, int, int], list[dict[str, object]]] = defaultdict(list)
    on_line: dict[tuple[str, int], list[dict[str, object]]] = defaultdict(list)
    for record in records:
        path = os.path.normpath(str(record["path"]))
        line = int(str(record["line"]))
        if record["fixable"]:
            at[(path, line, int(str(record["col"])))].append(record)
        else:
            on_line[(path, line)].append(record)
    out = []
    for call in calls:
        here = at.get((call.path, call.line, call.col), [])
        found, outcome = None, "silent"
        for codes, name in ((DRIVER_REWRITES, "rewritten"), (OFFLOADS, "offloaded")):
            found = next((r for r in here if r["code"] in codes), None)
            if found is not None:
                outcome = name
                break
        if found is None and on_line.get((call.path, call.line)):
            found, outcome = on_line[(call.path, call.line)][0], "reported"
        if found is None:
            out.append(call)
            continue
        code, message = str(found["code"]), str(found["message"])
        out.append(dataclasses.replace(call, outcome=outcome, code=code, message=message))
    return out


def _finding(record: dict[str, object]) -> str:
    return f"{record['path']}:{record['line']}:{record['col']} {record['code']} {record['message']}"


def compare_no_offload(
    no_offload: list[dict[str, object]], default: list[dict[str, object]]
) -> tuple[int, int, list[str], list[str]]:
    """The findings of the ``--no-offload`` run the default run kept (a finding at the
    same place or on the same line) or fixed (a rewrite at the same place), those it
    dropped (neither), and those kept only by a finding elsewhere on their line."""
    findings_at: set[tuple[str, int, int]] = set()
    findings_on: set[tuple[str, int]] = set()
    rewrites_at: set[tuple[str, int, int]] = set()
    for record in default:
        path = os.path.normpath(str(record["path"]))
        line, col = int(str(record["line"])), int(str(record["col"]))
        if record["fixable"]:
            rewrites_at.add((path, line, col))
        else:
            findings_at.add((path, line, col))
            findings_on.add((path, line))
    kept = fixed = 0
    dropped, by_line = [], []
    for record in no_offload:
        if record["fixable"]:
            continue
        path = os.path.normpath(str(record["path"]))
        line, col = int(str(record["line"])), int(str(record["col"]))
        if (path, line, col) in findings_at:
            kept += 1
        elif (path, line, col) in rewrites_at:
            fixed += 1
        elif (path, line) in findings_on:
            kept += 1
            by_line.append(_finding(record))
        else:
            dropped.append(_finding(record))
    return kept, fixed, dropped, by_line


def match_sites(
    sites: list[Site], records: list[dict[str, object]]
) -> tuple[list[Site], list[str]]:
    """Each site with what the run did there; the helpers findings at no site."""
    helpers = [r for r in records if r["code"] == HELPERS_REWRITE or r["code"] in HELPERS_REPORTS]
    at: dict[tuple[str, int, int], dict[str, object]] = {}
    lost: dict[tuple[str, int, str], dict[str, object]] = {}
    for record in helpers:
        path = os.path.normpath(str(record["path"]))
        message = str(record["message"])
        at[(path, int(str(record["line"])), int(str(record["col"])))] = record
        if record["code"] == "AM654" and (m := LOST_SITE.search(message)):
            target = message.split("()", 1)[0]
            lost[(path, int(m["line"]), target)] = record
    used: set[int] = set()
    out = []
    for site in sites:
        record = at.get((site.path, site.line, site.col)) or lost.get(
            (site.path, site.line, site.target)
        )
        if record is None:
            out.append(site)
            continue
        used.add(id(record))
        code = str(record["code"])
        outcome = "rewritten" if code == HELPERS_REWRITE else "reported"
        out.append(
            dataclasses.replace(site, outcome=outcome, code=code, message=str(record["message"]))
        )
    strays = [
        f"{r['path']}:{r['line']}:{r['col']}: {r['code']} {r['message']}"
        for r in helpers
        if id(r) not in used
    ]
    return out, strays


def measure(requirement: str, wheels: Path, work: Path, jobs: int, timeout: float) -> Result:
    result = Result(project_name(requirement))
    try:
        wheel = download(requirement, wheels)
    except RuntimeError as e:
        result.failure = str(e)
        return result
    original, migrated = work / "original", work / "migrated"
    result.files = unpack(wheel, original)
    shutil.copytree(original, migrated)
    files = py_files(original)
    valid = {f for f in files if compiles((original / f).read_bytes(), f)}

    names_before = ruff(original, NAME_CODES)
    sort_before = ruff(original, SORT_CODES)
    blocking_before = ruff(original, BLOCKING_CODES)
    start = time.perf_counter()
    try:
        sites, project = transitive_sites(migrated)  # before the run: it sees the input
    except RuntimeError as e:
        result.failure = str(e)
        return result
    result.index_seconds = time.perf_counter() - start
    try:
        first = async_migrate(migrated, ["--output-format", "json"], jobs, timeout)
    except subprocess.TimeoutExpired:
        result.failure = f"in-place run exceeded {timeout:.0f} s"
        return result
    result.sites, result.strays = match_sites(sites, first.records)
    result.library_calls = match_library_calls(library_calls(project), first.records)
    try:
        # Over the original tree, writing nothing: its positions are those of the first run.
        no_offload = async_migrate(
            original, ["--check", "--no-offload", "--output-format", "json"], jobs, timeout
        )
    except subprocess.TimeoutExpired:
        result.failure = f"--no-offload run exceeded {timeout:.0f} s"
        return result
    result.no_offload_findings = sum(1 for r in no_offload.records if not r["fixable"])
    result.kept, result.fixed, result.dropped, result.kept_by_line = compare_no_offload(
        no_offload.records, first.records
    )
    result.seconds = first.seconds
    result.scanned = first.summary["files"]
    result.rewrites = first.summary["rewrites"]
    for path, message in sorted(first.errors.items()):
        (result.refused if path in valid else result.invalid).append(f"{path}: {message}")

    changed = [f for f in files if (original / f).read_bytes() != (migrated / f).read_bytes()]
    result.changed = len(changed)
    result.broken = [f for f in changed if not compiles((migrated / f).read_bytes(), f)]

    names_after = ruff(migrated, NAME_CODES)
    for path in changed:
        before = Counter((code, msg) for code, _, msg, _ in names_before.get(path, []))
        after = Counter((code, msg) for code, _, msg, _ in names_after.get(path, []))
        for (code, msg), n in (after - before).items():
            target = result.new_f821 if code == "F821" else result.new_f401
            target.extend([f"{path}: {code} {msg}"] * n)

    # Same settings on both sides (see the module's docstring).
    sort_after = ruff(migrated, SORT_CODES)
    sorted_before = [path for path in changed if path not in sort_before]
    result.sorted_before = len(sorted_before)
    for path in sorted_before:
        found = sorted(sort_after.get(path, []))
        result.unsorted_after += bool(found)
        result.new_i001.extend(f"{path}:{line}: {code} {msg}" for code, line, msg, _ in found)

    second = async_migrate(migrated, ["--check", "--diff"], jobs, timeout)
    if second.summary["changed"] or second.stdout:
        result.unstable = [
            line.decode("utf-8", "replace")[4:]
            for line in second.stdout.splitlines()
            if line.startswith(b"+++ ")
        ] or [f"{second.summary['changed']} files would change"]

    blocking_after = ruff(migrated, BLOCKING_CODES)
    result.before = Counter(code for found in blocking_before.values() for code, *_ in found)
    result.after = Counter(code for found in blocking_after.values() for code, *_ in found)
    for path, found in sorted(blocking_after.items()):
        source = (migrated / path).read_text(encoding="utf-8", errors="replace")
        for code, line, msg, span in sorted(found):
            if why := classify(source, code, span):
                result.not_blocking.append(f"{path}:{line}: {code} {why}")
            elif (path, line) not in second.findings:
                result.unreported.append(f"{path}:{line}: {code} {msg}")
    return result


COLUMNS = (
    ("package", 22),
    ("files", 6),
    ("scanned", 7),
    ("changed", 7),
    ("rewrites", 8),
    ("broken", 6),
    ("refused", 7),
    ("invalid", 7),
    ("F821", 5),
    ("F401", 5),
    ("sorted", 6),
    ("I001", 4),
    ("stable", 6),
    ("before", 6),
    ("after", 5),
    ("unreported", 10),
    ("not blocking", 12),
    ("time s", 7),
    ("sites", 5),
    ("rewritten", 9),
    ("reported", 8),
    ("silent", 6),
    ("index s", 7),
)


#: The second table: database and blocking-library calls, and the --no-offload findings.
LIBRARY_COLUMNS = (
    ("package", 22),
    ("db calls", 8),
    ("rewritten", 9),
    ("offloaded", 9),
    ("reported", 8),
    ("silent", 6),
    ("no-offload findings", 19),
    ("kept", 5),
    ("fixed", 5),
    ("dropped", 7),
)


def row(values: list[object], columns: tuple[tuple[str, int], ...] = COLUMNS) -> str:
    cells = []
    for (_, width), value in zip(columns, values, strict=True):
        text = f"{value:.2f}" if isinstance(value, float) else str(value)
        cells.append(text.ljust(width) if not cells else text.rjust(width))
    return " ".join(cells)


def values(r: Result) -> list[object]:
    if r.failure:
        return [r.name, *["-"] * (len(COLUMNS) - 1)]
    return [
        r.name,
        r.files,
        r.scanned,
        r.changed,
        r.rewrites,
        len(r.broken),
        len(r.refused),
        len(r.invalid),
        len(r.new_f821),
        len(r.new_f401),
        r.sorted_before,
        r.unsorted_after,
        "no" if r.unstable else "yes",
        sum(r.before.values()),
        sum(r.after.values()),
        len(r.unreported),
        len(r.not_blocking),
        r.seconds,
        len(r.sites),
        len(r.outcomes("rewritten")),
        len(r.outcomes("reported")),
        len(r.silent),
        r.index_seconds,
    ]


def library_values(r: Result) -> list[object]:
    if r.failure:
        return [r.name, *["-"] * (len(LIBRARY_COLUMNS) - 1)]
    return [
        r.name,
        len(r.library_calls),
        *(len(r.library_outcomes(o)) for o in ("rewritten", "offloaded", "reported", "silent")),
        r.no_offload_findings,
        r.kept,
        r.fixed,
        len(r.dropped),
    ]


def total(results: list[Result]) -> Result:
    out = Result("TOTAL")
    for r in results:
        if r.failure:
            continue
        for name in (
            "files",
            "scanned",
            "changed",
            "sorted_before",
            "unsorted_after",
            "rewrites",
            "seconds",
            "index_seconds",
        ):
            setattr(out, name, getattr(out, name) + getattr(r, name))
        for name in (
            "broken",
            "refused",
            "invalid",
            "new_f821",
            "new_f401",
            "new_i001",
            "unstable",
        ):
            getattr(out, name).extend(getattr(r, name))
        out.unreported.extend(r.unreported)
        out.not_blocking.extend(r.not_blocking)
        out.sites.extend(r.sites)
        out.strays.extend(r.strays)
        out.library_calls.extend(r.library_calls)
        out.no_offload_findings += r.no_offload_findings
        out.kept += r.kept
        out.fixed += r.fixed
        out.dropped.extend(r.dropped)
        out.kept_by_line.extend(r.kept_by_line)
        out.before.update(r.before)
        out.after.update(r.after)
    return out


def details(r: Result, all_sites: bool = False) -> list[str]:
    lines = []
    if r.failure:
        lines.append(f"  could not measure: {r.failure}")
    for label, items in (
        ("no longer compiles", r.broken),
        ("valid file refused", r.refused),
        ("new F821", r.new_f821),
        ("new F401", r.new_f401),
        ("new I001 in a file sorted before", r.new_i001),
        ("second run would change", r.unstable),
        ("left unreported", r.unreported),
        ("helpers site left silent", [s.describe() for s in r.silent]),
        ("helpers finding at no site (information)", r.strays),
        (
            "database or blocking-library call left silent",
            [c.describe() for c in r.library_outcomes("silent")],
        ),
        ("--no-offload finding dropped by the default run", r.dropped),
        (
            "--no-offload finding kept by another finding on its line (information)",
            r.kept_by_line,
        ),
        ("not blocking (information)", r.not_blocking),
        ("invalid input refused (information)", r.invalid),
    ):
        lines.extend(f"  {label}: {item}" for item in items)
    if all_sites:
        lines.extend(f"  helpers site: {s.describe()}" for s in r.sites if s.outcome != "silent")
        lines.extend(
            f"  library call: {c.describe()}" for c in r.library_calls if c.outcome != "silent"
        )
    if r.before or r.after:
        codes = sorted(set(r.before) | set(r.after))
        lines.append(
            "  ruff before -> after: "
            + ", ".join(f"{c} {r.before[c]}->{r.after[c]}" for c in codes)
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("list", nargs="?", type=Path, help="requirements, one a line")
    parser.add_argument("--only", action="append", default=[], metavar="NAME")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--wheels",
        type=Path,
        help="keep downloaded wheels here (reused); a wheel of a pinned requirement lying "
        "directly in it (as `pip download -d` leaves them) is used as it is",
    )
    parser.add_argument("--keep", type=Path, help="keep the unpacked trees here")
    parser.add_argument("--timeout", type=float, default=1800.0, help="per async-migrate run")
    parser.add_argument(
        "--sites",
        action="store_true",
        help="list every helpers site and library call, and what the run did at each",
    )
    args = parser.parse_args()

    list_path = args.list
    reqs = requirements(list_path)
    if args.only:
        wanted = {n.lower() for n in args.only}
        reqs = [r for r in reqs if project_name(r).lower() in wanted]
        if not reqs:
            parser.error(f"no requirement named {', '.join(args.only)}")
    for where in (args.wheels, args.keep):
        if where and (where.resolve() == REPO or REPO in where.resolve().parents):
            parser.error(f"{where} is inside the repository; downloaded code stays outside it")

    print(f"corpus: {list_path or 'built-in list'}; {len(reqs)} packages; {ASYNC_MIGRATE}")
    print(row([name for name, _ in COLUMNS]))
    results: list[Result] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="am-corpus-") as scratch:
        wheels = args.wheels or Path(scratch) / "wheels"
        base = args.keep or Path(scratch) / "trees"
        for requirement in reqs:
            work = base / re.sub(r"[^A-Za-z0-9_.-]", "_", requirement)
            if work.exists():
                shutil.rmtree(work)
            work.mkdir(parents=True)
            result = measure(requirement, wheels, work, args.jobs, args.timeout)
            results.append(result)
            print(row(values(result)), flush=True)
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    summed = total(results)
    print(row(values(summed)))
    print(f"wall time of the whole script: {time.perf_counter() - start:.1f} s")
    print("\ndatabase and blocking-library calls in coroutines; findings of --no-offload:")
    print(row([name for name, _ in LIBRARY_COLUMNS], LIBRARY_COLUMNS))
    for r in [*results, summed]:
        print(row(library_values(r), LIBRARY_COLUMNS))
    for r in results:
        lines = details(r, args.sites)
        if lines:
            print(f"\n{r.name}:")
            print("\n".join(lines))
    if summed.before or summed.after:
        codes = sorted(set(summed.before) | set(summed.after))
        left = Counter(item.split(": ", 1)[1].split()[0] for item in summed.unreported)
        idle = Counter(item.split(": ", 1)[1].split()[0] for item in summed.not_blocking)
        print("\nall packages, ruff code: before -> after (left unreported, not blocking):")
        for code in codes:
            counts = f"{summed.before[code]} -> {summed.after[code]}"
            print(f"  {code}: {counts} ({left[code]}, {idle[code]})")
    print(
        "\nimports of changed files (ruff I001, default isort settings): "
        f"{summed.changed} changed, {summed.sorted_before} sorted before, "
        f"{summed.unsorted_after} of those with I001 after"
    )
    failed = [r.name for r in results if r.problems]
    print(f"\n{'FAIL: ' + ', '.join(failed) if failed else 'OK: every guarantee held'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
