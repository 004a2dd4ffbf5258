"""Migrated file code produces the same files (bytes) and return values as the original.

Every coroutine in ``SOURCE`` runs twice on real temp directories holding the same seed
files: once as written, once as migrated by the ``files`` codemod. Both runs must return
equal values and leave byte-identical trees behind.
"""

from __future__ import annotations

import asyncio
import types
from pathlib import Path

import pytest

from async_migrate import migrate_source
from codemods.files.command import FilesCommand

SEED = {
    "mixed.txt": b"one\r\ntwo\rthree\nfour\xe2\x80\xa8still four\x0cstill four\nlast",
    "latin1.txt": "caf\xe9\nna\xefve\n".encode("latin-1"),
    "utf16.txt": "h\xe9llo\nw\xf6rld\n".encode("utf-16"),
    "data.bin": bytes(range(256)) * 3 + b"\nline2\nline3",
    "quoted.csv": b'id,text\r\n1,"multi\r\nline"\r\n2,"with ""quotes"" and \xe2\x80\xa8"\r\n',
    "settings.json": b'{"a": [1, 2, {"b": null}], "c": "\\u00e9"}',
    "sub/nested.txt": b"nested\n",
}

SOURCE = """
import csv
import json
import os
import os.path
import pickle
import shutil
import tempfile
from pathlib import Path


def _made(d) -> Path:
    return Path(d) / "made-by-helper"


async def read_modes(d):
    out = []
    with open(os.path.join(d, "mixed.txt")) as f:
        out.append(f.read())
        out.append(f.newlines)
    with open(os.path.join(d, "mixed.txt"), newline="") as f:
        out.append(f.readline())
        out.append(f.readlines())
    with open(os.path.join(d, "mixed.txt"), "rb") as f:
        out.append(f.read(5))
        out.append(f.tell())
        f.seek(2)
        out.append(f.read1(3))
        out.append(f.peek(1)[:1])
        out.append(f.readable())
    with open(os.path.join(d, "data.bin"), "rb", buffering=0) as f:
        out.append(f.readall())
    with open(os.path.join(d, "mixed.txt"), encoding="utf-8") as f:
        out.append((f.readable(), f.writable(), f.seekable(), f.isatty(), f.name, f.mode))
    return out


async def write_modes(d):
    with open(os.path.join(d, "w.txt"), "w", encoding="utf-8") as f:
        f.write("h\\u00e9llo\\nworld\\n")
        f.writelines(["a\\n", "b\\n"])
    with open(os.path.join(d, "w.txt"), "a") as f:
        n = f.write("appended\\n")
    with open(os.path.join(d, "x.bin"), "xb") as f:
        f.write(b"\\x00\\x01binary\\r\\n")
    with open(os.path.join(d, "x.txt"), "x", newline="\\r\\n") as f:
        f.write("crlf\\nlines\\n")
    with open(os.path.join(d, "cr.txt"), "w", newline="\\r") as f:
        f.write("cr\\nlines\\n")
    with open(os.path.join(d, "w.txt"), "r+") as f:
        f.seek(0, 2)
        end = f.tell()
        f.seek(0)
        f.write("H")
        f.flush()
        first = f.readline()
    with open(os.path.join(d, "data.bin"), "r+b") as f:
        f.seek(10)
        f.write(b"XYZ")
        f.truncate(300)
    with open(os.path.join(d, "w.bin"), "wb") as f:
        f.write(b"abc")
    with open(os.path.join(d, "w.bin"), "ab") as f:
        f.write(b"def")
    with open(os.path.join(d, "w+.txt"), "w+") as f:
        f.write("w plus")
        f.seek(0)
        back = f.read()
    with open(os.path.join(d, "a+.txt"), "a+") as f:
        f.write("a plus")
        f.seek(0)
        back2 = f.read()
    with open(os.path.join(d, "enc16.txt"), "w", encoding="utf-16") as f:
        f.write("sixteen")
    with open(os.path.join(d, "bad.txt"), "w", encoding="ascii", errors="replace") as f:
        f.write("\\u00e9t\\u00e9")
    return n, end, first, back, back2


async def open_close(d):
    f = open(os.path.join(d, "assigned.txt"), "w")
    f.write("opened without with\\n")
    closed_before = f.closed
    f.close()
    f = open(os.path.join(d, "assigned.txt"))
    try:
        text = f.read()
    finally:
        f.close()
    return closed_before, f.closed, text


async def encodings(d):
    with open(os.path.join(d, "latin1.txt"), encoding="latin-1") as f:
        latin = f.read()
    with open(os.path.join(d, "utf16.txt"), encoding="utf-16") as f:
        utf16 = f.readlines()
    with open(os.path.join(d, "latin1.txt"), encoding="utf-8", errors="surrogateescape") as f:
        escaped = f.read()
    with open(os.path.join(d, "out-latin1.txt"), "w", encoding="latin-1") as f:
        f.write(latin.upper())
    return latin, utf16, escaped


async def line_loop_default(d):
    lines = []
    with open(os.path.join(d, "mixed.txt"), encoding="utf-8") as f:
        for line in f:
            lines.append(line)
    return lines


async def line_loop_newline_empty(d):
    lines = []
    with open(os.path.join(d, "mixed.txt"), encoding="utf-8", newline="") as f:
        for line in f:
            lines.append(line)
    return lines


async def line_loop_newline_lf(d):
    lines = []
    with open(os.path.join(d, "mixed.txt"), encoding="utf-8", newline="\\n") as f:
        for number, line in enumerate([x for x in f]):
            lines.append((number, line))
    return lines


async def line_loop_binary(d):
    lines = []
    with open(os.path.join(d, "data.bin"), "rb") as f:
        for line in f:
            lines.append(line)
    return lines


async def line_loop_break(d):
    with open(os.path.join(d, "mixed.txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("three"):
                return line
    return None


async def comprehension(d):
    with open(os.path.join(d, "mixed.txt"), encoding="utf-8") as f:
        return [line.rstrip("\\n") for line in f if line]


async def splitlines(d):
    with open(os.path.join(d, "mixed.txt"), encoding="utf-8", newline="") as f:
        return f.read().splitlines()


async def json_round_trip(d):
    with open(os.path.join(d, "settings.json"), encoding="utf-8") as f:
        settings = json.load(f)
    settings["n"] = 1.5
    with open(os.path.join(d, "out.json"), "w", encoding="utf-8") as f:
        json.dump(settings, f, indent=2, sort_keys=True, ensure_ascii=False)
    with open(os.path.join(d, "out.json"), "rb") as f:
        back = json.load(f)
    return settings, back


async def csv_read(d):
    with open(os.path.join(d, "quoted.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    with open(os.path.join(d, "quoted.csv"), encoding="utf-8", newline="") as f:
        records = [dict(r) for r in csv.DictReader(f)]
    with open(os.path.join(d, "quoted.csv"), encoding="utf-8") as f:
        translated = list(csv.reader(f, delimiter=","))
    return rows, records, translated


CSV_ROWS = [
    ["id", "text"],
    [1, "multi\\nline"],
    [2, "crlf\\r\\ninside"],
    [3, "bare\\rcr"],
    [4, 'with "quotes", commas'],
    [5, "line\\u2028separator"],
    [6, None, 2.5, ""],
]


async def csv_write_newline_empty(d):
    with open(os.path.join(d, "w-empty.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        counts = [writer.writerow(CSV_ROWS[0]), writer.writerow(CSV_ROWS[1])]
        counts.append(writer.writerows(CSV_ROWS[2:]))
    with open(os.path.join(d, "w-empty.csv"), "a", newline="") as f:
        csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL).writerows(CSV_ROWS)
    return counts


async def csv_write_default_newline(d):
    with open(os.path.join(d, "w-default.csv"), "w") as f:
        writer = csv.writer(f, lineterminator="\\n")
        for row in CSV_ROWS:
            last = writer.writerow(row)
        dialect = writer.dialect.lineterminator
    with open(os.path.join(d, "w-default2.csv"), "w", encoding="utf-8") as f:
        csv.writer(f).writerows(CSV_ROWS)
    return last, dialect


async def csv_write_translated_newlines(d):
    with open(os.path.join(d, "w-crlf.csv"), "w", newline="\\r\\n") as f:
        csv.writer(f).writerows(CSV_ROWS)
    with open(os.path.join(d, "w-cr.csv"), "x", newline="\\r") as f:
        csv.writer(f).writerows(CSV_ROWS)
    with open(os.path.join(d, "w-lf.csv"), "w+", newline="\\n") as f:
        csv.writer(f).writerows(CSV_ROWS)


async def csv_dict_writer(d):
    fields = ["id", "text", "extra"]
    records = [dict(zip(fields, row)) for row in CSV_ROWS]
    with open(os.path.join(d, "dict.csv"), "w", encoding="utf-16", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, restval="?")
        header = writer.writeheader()
        first = writer.writerow(records[0])
        writer.writerows(records[1:])
        names = writer.fieldnames
    return header, first, names


async def csv_write_exception_between_rows(d):
    written = []
    try:
        with open(os.path.join(d, "partial.csv"), "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["kept", "multi\\nline"])
            for row in CSV_ROWS:
                if row[0] == 3:
                    raise RuntimeError("failed after some rows")
                written.append(writer.writerow(row))
    except RuntimeError as e:
        written.append(str(e))
    try:
        with open(os.path.join(d, "partial-rows.csv"), "w", newline="") as f:
            csv.writer(f).writerows([["a"], ["b", "c\\r\\n"], 5, ["never"]])
    except csv.Error as e:
        written.append(type(e).__name__)
    try:
        with open(os.path.join(d, "partial-dict.csv"), "w") as f:
            writer = csv.DictWriter(f, fieldnames=["a"])
            writer.writeheader()
            writer.writerows([{"a": 1}, {"a": 2}, {"b": 3}, {"a": 4}])
    except ValueError as e:
        written.append(str(e))
    return written


async def print_to_file(d):
    with open(os.path.join(d, "printed.txt"), "w", encoding="utf-8") as f:
        print("plain", file=f)
        print("a", 1, None, 2.5, file=f)
        print(file=f)
        print("x", "y", sep="--", end="|", file=f)
        print(*["s1", "s2"], sep=",", file=f)
        print(f"f-string {len(d) > 0}", file=f)
        print(["list"], file=f, end="")
    with open(os.path.join(d, "printed-crlf.txt"), "w", newline="\\r\\n") as f:
        print("translated", "newline", file=f)


async def pickle_round_trip(d):
    value = {"k": [1, 2.0, "three", b"four", (5,)], "nested": {"x": None}}
    with open(os.path.join(d, "v.pkl"), "wb") as f:
        pickle.dump(value, f, protocol=4)
    with open(os.path.join(d, "v2.pkl"), "wb") as f:
        pickle.dump(value, f)
    with open(os.path.join(d, "v.pkl"), "rb") as f:
        back = pickle.load(f)
    return back


async def two_files_one_with(d):
    src_path, dst_path = os.path.join(d, "mixed.txt"), os.path.join(d, "copy.bin")
    with open(src_path, "rb") as src, open(dst_path, "wb") as dst:
        dst.write(src.read())


async def pathlib_helpers(d):
    base = Path(d)
    text = (base / "mixed.txt").read_text(encoding="utf-8")
    data = Path(d, "data.bin").read_bytes()
    p = base / "pl.txt"
    n = p.write_text("path text\\n", encoding="utf-8")
    m = (base / "pl.bin").write_bytes(b"path bytes")
    with (base / "pl.txt").open("a", encoding="utf-8") as f:
        f.write("more\\n")
    q = Path(d) / "made"
    q.mkdir()
    return text, len(data), n, m, p.exists(), q.is_dir(), p.stat().st_size


async def derived_paths(d):
    root = Path(d).expanduser().resolve()
    made = root.joinpath("derived", "deeper")
    made.mkdir(parents=True)
    target = made.with_suffix(".txt")
    written = target.write_text("derived\\n", encoding="utf-8")
    path = Path(d)
    path = path / "sub"
    path = path / "nested.txt"
    return written, target.parent.is_dir(), made.parent.exists(), path.read_text()


async def narrowed_paths(d):
    out = []
    for item in (Path(d) / "mixed.txt", os.path.join(d, "sub"), Path(d) / "sub" / "nested.txt"):
        if isinstance(item, Path) and item.stat().st_size > 20:
            out.append(item.exists())
        elif isinstance(item, Path):
            out.append(item.read_text())
        else:
            out.append(item)
    return out


async def annotated_helper(d):
    target = _made(d)
    target.mkdir()
    (target / "inside.txt").write_text("inside")
    return target.is_dir(), _made(d).exists()


async def os_helpers(d):
    out = []
    out.append(os.path.exists(os.path.join(d, "mixed.txt")))
    out.append(os.path.exists(os.path.join(d, "nope")))
    out.append(os.path.getsize(os.path.join(d, "data.bin")))
    out.append(os.path.isfile(os.path.join(d, "sub")))
    out.append(os.path.isdir(os.path.join(d, "sub")))
    os.makedirs(os.path.join(d, "a", "b"), exist_ok=True)
    os.mkdir(os.path.join(d, "c"))
    out.append(sorted(os.listdir(d)))
    os.rename(os.path.join(d, "sub", "nested.txt"), os.path.join(d, "renamed.txt"))
    os.replace(os.path.join(d, "renamed.txt"), os.path.join(d, "replaced.txt"))
    os.remove(os.path.join(d, "replaced.txt"))
    os.rmdir(os.path.join(d, "c"))
    out.append(os.stat(os.path.join(d, "data.bin")).st_size)
    shutil.copy(os.path.join(d, "mixed.txt"), os.path.join(d, "copied.txt"))
    shutil.copytree(os.path.join(d, "a"), os.path.join(d, "tree"))
    shutil.rmtree(os.path.join(d, "a"))
    os.chmod(os.path.join(d, "copied.txt"), 0o600)
    out.append(oct(os.stat(os.path.join(d, "copied.txt")).st_mode & 0o777))
    try:
        os.remove(os.path.join(d, "missing"))
    except FileNotFoundError as e:
        out.append(type(e).__name__)
    return out


async def temp_files(d):
    with tempfile.TemporaryDirectory(dir=d) as tmp:
        with open(os.path.join(tmp, "inside.txt"), "w") as f:
            f.write("gone after")
        existed = os.path.exists(os.path.join(tmp, "inside.txt"))
    with tempfile.NamedTemporaryFile("w+", dir=d, delete=False, suffix=".txt") as t:
        t.write("kept")
        t.seek(0)
        back = t.read()
        name = t.name
    os.rename(name, os.path.join(d, "named.txt"))
    with tempfile.TemporaryFile() as t:
        t.write(b"anonymous")
        t.seek(0)
        anon = t.read()
    return existed, os.path.exists(tmp), back, anon
"""

CASES = [name.split("(")[0] for name in SOURCE.split("async def ")[1:]]


def _seed(root: Path) -> Path:
    for name, data in SEED.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _tree(root: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def _load(code: bytes | str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(code, name, "exec"), module.__dict__)
    return module


@pytest.fixture(scope="module")
def modules() -> tuple[types.ModuleType, types.ModuleType]:
    migrated = migrate_source(SOURCE, [FilesCommand])
    assert migrated.left == [], migrated.left
    return _load(SOURCE, "original"), _load(migrated.code, "migrated")


def test_every_case_is_migrated() -> None:
    migrated = migrate_source(SOURCE, [FilesCommand]).code.decode()
    original_bodies = SOURCE.split("async def ")[1:]
    migrated_bodies = migrated.split("async def ")[1:]
    assert len(original_bodies) == len(migrated_bodies) == len(CASES)
    for before, after in zip(original_bodies, migrated_bodies, strict=True):
        assert before != after, before.split("(")[0]
        assert "open(" not in after.replace("aiofiles.open(", "").replace(".open(", "")


@pytest.mark.parametrize("case", CASES)
def test_same_files_and_results(
    case: str, tmp_path: Path, modules: tuple[types.ModuleType, types.ModuleType]
) -> None:
    original, migrated = modules
    before_dir = _seed(tmp_path / "before")
    after_dir = _seed(tmp_path / "after")

    before = asyncio.run(getattr(original, case)(str(before_dir)))
    after = asyncio.run(getattr(migrated, case)(str(after_dir)))

    assert after == _relocated(before, before_dir, after_dir)
    assert _tree(after_dir) == _tree(before_dir)


def _relocated(value: object, old: Path, new: Path) -> object:
    """``value`` with the original's temp directory replaced by the migrated run's."""
    if isinstance(value, str):
        return value.replace(str(old), str(new))
    if isinstance(value, list):
        return [_relocated(v, old, new) for v in value]
    if isinstance(value, tuple):
        return tuple(_relocated(v, old, new) for v in value)
    return value


def test_print_to_an_aiofiles_object_would_write_nothing(tmp_path: Path) -> None:
    """Why print(file=f) must be translated (docs/codemods/files.md): left as is, it
    silently loses data."""
    import warnings

    import aiofiles

    async def naive() -> None:
        async with aiofiles.open(tmp_path / "p.txt", "w") as f:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                print("lost", file=f)

    asyncio.run(naive())
    assert (tmp_path / "p.txt").read_bytes() == b""


ENCODING_ERROR = """
import csv


async def export(path, rows):
    done = []
    with open(path, "w", encoding="ascii", newline="") as f:
        writer = csv.writer(f)
        for row in rows:
            writer.writerow(row)
            done.append(row[0])
    return done
"""


def test_csv_encoding_error_is_raised_by_the_single_write(tmp_path: Path) -> None:
    """The documented difference of the buffered csv writer: a character the file's
    encoding cannot encode is raised by the one write at the end (after the later rows
    were handled, and with none of them written), not by the writerow that holds it."""
    migrated = migrate_source(ENCODING_ERROR, [FilesCommand])
    assert [f.code for f in migrated.left] == []
    rows = [["a"], ["caf\u00e9"], ["c"]]
    original, after = _load(ENCODING_ERROR, "enc_o"), _load(migrated.code, "enc_m")

    with pytest.raises(UnicodeEncodeError):
        asyncio.run(original.export(tmp_path / "o.csv", rows))
    with pytest.raises(UnicodeEncodeError):
        asyncio.run(after.export(tmp_path / "m.csv", rows))
    assert (tmp_path / "o.csv").read_bytes() == b"a\r\n"
    assert (tmp_path / "m.csv").read_bytes() == b""
