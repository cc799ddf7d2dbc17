"""What a class handed in (a folder of submissions, or a zip of them extracted safely) and the
submissions found there. Nothing here follows a link, reads more than grading would, or raises over
one student's files: what cannot be used is that student's `problem` or a note for the instructor.
Only a SUBMISSIONS that is not a folder or a readable zip at all is a BatchInputError."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import struct
import tempfile
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from autograder.sandbox.staging import write_stand_in

MAX_ZIP_BYTES = 2 * 1024**3  # all that one zip may unpack to
MAX_ENTRY_BYTES = 64 * 1024**2  # one file of a zip; a bigger one is not extracted
MAX_ENTRIES = 100_000  # entries of a zip extracted, and entries of a folder looked at
MAX_FOLDER_ENTRIES = 1_000  # entries of one folder of a zip extracted
MAX_DEPTH = 32  # folders in one zip entry's path
MAX_WRAPPERS = 8  # single wrapper folders descended through
MAX_HASHED_BYTES = 64 * 1024**2  # a bigger file counts by its size and time, unread
UTF8_NAME = 0x800  # a zip entry's flag bit 11: its name is UTF-8
HIDDEN = (".", "__")  # .git, .DS_Store, __MACOSX, __pycache__: never a student


class BatchInputError(ValueError):
    """A SUBMISSIONS argument that is neither a folder nor a readable zip."""


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path
    content_hash: str
    problem: str = ""  # why it cannot be graded at all: its result says so ("" when it can)


@dataclass(frozen=True)
class Intake:
    """The folder whose entries are the students, and what extraction left out."""

    folder: Path
    notes: tuple[str, ...] = ()  # one line per entry not extracted
    damaged: Mapping[Path, str] = field(default_factory=dict)  # a file not extracted: why


def printable(text: str) -> str:
    """`text` as valid UTF-8 on one line: undecodable bytes (a file name's) and control characters
    are written as escapes."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "backslashreplace")
    decoded = raw.decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in decoded)


def student_id(name: str) -> str:
    """The student's id from a folder's or a notebook's name, whatever the file system's encoding:
    its bytes read as UTF-8 (NFC), any byte that is not written \\xNN."""
    return printable(unicodedata.normalize("NFC", os.fsencode(name).decode("utf-8", "backslashreplace")))


def _visible(folder: Path) -> list[os.DirEntry[str]]:
    """The entries of `folder` that may be students, sorted; none if it cannot be read."""
    try:
        with os.scandir(folder) as entries:
            return sorted(
                (e for e in islice(entries, MAX_ENTRIES) if not e.name.startswith(HIDDEN)),
                key=lambda e: e.name,
            )
    except OSError:
        return []


def file_fingerprint(path: Path) -> bytes:
    """What grading would see of one file: its bytes, or why it would not be used. Never follows a
    link, never blocks on a pipe, never reads more than MAX_HASHED_BYTES, never raises."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return b"missing"
    except OSError as error:
        return b"link" if os.path.islink(path) else f"unreadable {error.errno}".encode()
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return b"not a regular file"
        if info.st_size > MAX_HASHED_BYTES:
            return f"{info.st_size} bytes at {info.st_mtime_ns}".encode()
        with os.fdopen(os.dup(fd), "rb") as source:
            return hashlib.sha256(source.read(MAX_HASHED_BYTES + 1)).digest()
    except OSError as error:
        return f"unreadable {error.errno}".encode()
    finally:
        os.close(fd)


def _module_names(folder: Path, modules: Sequence[str] | None) -> list[str]:
    if modules:
        return sorted(modules)
    return sorted(e.name[:-3] for e in _visible(folder) if e.name.endswith(".py"))


def content_hash(path: Path, modules: Sequence[str] | None = None) -> str:
    """A digest of what grading reads of a submission: the notebook, or a folder's module files
    (`NAME.py`; without `modules`, the `.py` files at its top), nothing else. Never raises."""
    digest = hashlib.sha256()
    if os.path.isdir(path) and not os.path.islink(path):
        for name in _module_names(path, modules):
            digest.update(os.fsencode(name) + b"\0" + file_fingerprint(path / f"{name}.py") + b"\0")
    else:
        digest.update(file_fingerprint(path))
    return digest.hexdigest()


def _excluded(path: Path, excluded: Sequence[str]) -> bool:
    here = os.path.realpath(path)
    return any(e == here or e.startswith(here.rstrip(os.sep) + os.sep) for e in excluded)


def _kind(entry: os.DirEntry[str]) -> str:
    """'folder', 'notebook', 'link' (to either; not followed), 'special' (a notebook's name on a
    pipe, socket or device) or '' (not a submission)."""
    notebook = entry.name.endswith(".ipynb")
    if entry.is_symlink():
        return "link" if notebook or entry.is_dir() else ""
    if entry.is_dir(follow_symlinks=False):
        return "folder"
    if notebook:
        return "notebook" if entry.is_file(follow_symlinks=False) else "special"
    return ""


def _problem(path: Path, kind: str, modules: Sequence[str] | None, damaged: Mapping[Path, str]) -> str:
    """Why the submission at `path` cannot be graded at all, or "": a link, or a file grading needs
    that the zip could not give (`damaged`: the notebook, or one of the folder's modules)."""
    if kind in ("link", "special"):
        return "it is a symbolic link (not followed)" if kind == "link" else "it is not a regular file"
    if path in damaged:
        return f"{path.name}: {damaged[path]}"
    if kind != "folder" or not damaged:
        return ""
    names = modules or [f.stem for f in damaged if f.parent == path and f.suffix == ".py"]
    for file in sorted(path / f"{name}.py" for name in names):
        if file in damaged:
            return f"{file.name}: {damaged[file]}"
    return ""


def _unique(name: str, taken: set[str]) -> str:
    unique, copy = name, 1
    while unique in taken:
        copy += 1
        unique = f"{name}~{copy}"
    taken.add(unique)
    return unique


def discover(
    folder: Path,
    fingerprint: str = "",
    *,
    modules: Sequence[str] | None = None,
    exclude: Sequence[Path] = (),
    damaged: Mapping[Path, str] | None = None,
) -> list[Submission]:
    """One submission per sub-folder or notebook of `folder`, sorted by name. Hidden entries
    (`.x`, `__x`) and anything at or holding a path of `exclude` (the output folder, the gradebook)
    are not students. The id is the name, as UTF-8 text; a folder and a notebook with the same
    name are both graded, the notebook as NAME.ipynb; any other clash gets `~2`, `~3`. A symbolic
    link, or a file of `damaged` that grading needs, makes that student's `problem`."""
    damaged = damaged or {}
    excluded = [os.path.realpath(p) for p in exclude]
    entries = [(Path(e.path), _kind(e)) for e in _visible(folder)]
    entries += [(p, "notebook") for p in damaged if p.parent == folder and p.suffix == ".ipynb"]
    found = sorted((p, k) for p, k in entries if k and not _excluded(p, excluded))
    folders = {p.name for p, k in found if k == "folder"}
    taken: set[str] = set()
    submissions = []
    for path, kind in found:
        name = path.name if kind == "folder" or path.stem in folders else path.stem
        problem = _problem(path, kind, modules, damaged)
        digest = hashlib.sha256(problem.encode()).hexdigest() if problem else content_hash(path, modules)
        submissions.append(
            Submission(_unique(student_id(name), taken), path, f"{digest}-{fingerprint}", problem)
        )
    return submissions


def entry_parts(name: str) -> tuple[tuple[str, ...], str]:
    """A zip entry's path as parts under the extraction folder, or () and why it is not extracted.
    Backslashes are separators (zips made on Windows); empty and `.` parts are dropped."""
    text = name.replace("\\", "/")
    if text.startswith("/") or re.match(r"[A-Za-z]:", text):
        return (), "an absolute path"
    parts = tuple(
        os.fsdecode(p.encode("utf-8", "surrogateescape")) for p in text.split("/") if p not in ("", ".")
    )
    if ".." in parts:
        return (), "a path out of the folder"
    if not parts:
        return (), "an empty name"
    if len(parts) > MAX_DEPTH:
        return (), f"more than {MAX_DEPTH} folders deep"
    return parts, ""


def entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name. One not flagged UTF-8 is cp437 by the standard, but many tools write UTF-8
    without the flag: if its bytes are UTF-8, it is read so (`José/`, not `Jos├⌐/`)."""
    if info.flag_bits & UTF8_NAME:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except UnicodeError:
        return info.filename


def _is_link(info: zipfile.ZipInfo) -> bool:
    return (info.external_attr >> 16) & 0o170000 == 0o120000


def _write_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    """One file, created new (O_EXCL: a duplicate keeps the first), never through a link."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        with os.fdopen(fd, "wb") as sink, archive.open(info) as source:
            shutil.copyfileobj(source, sink)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _extract_one(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int) -> str:
    """Extract one entry; why it was not ("" when it was)."""
    if _is_link(info):
        return "a symbolic link"
    if entry_name(info).endswith(("/", "\\")):
        try:
            target.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            return "a duplicate entry: a file of that name came first, and is kept"
        except OSError as error:
            return f"the file system refuses its name ({error.strerror})"
        return ""
    if info.file_size > min(MAX_ENTRY_BYTES, budget):
        return f"larger than {MAX_ENTRY_BYTES} bytes, or past {MAX_ZIP_BYTES} bytes in all"
    if info.flag_bits & 0x1:
        return "encrypted"
    try:
        _write_entry(archive, info, target)
    except (FileExistsError, NotADirectoryError):
        return "a duplicate entry: the first one is kept"
    except OSError as error:
        return f"the file system refuses it ({error.strerror})"
    except Exception as error:  # a corrupt entry: bad CRC, bad compressed data, unknown method...
        return f"a corrupt zip entry ({type(error).__name__}: {printable(str(error))})"
    return ""


def extract(
    archive: zipfile.ZipFile, root: Path, modules: Sequence[str] = ()
) -> tuple[tuple[str, ...], dict[Path, str]]:
    """Extract `archive` under `root`; never raises over an entry. The rules:

    - backslashes are separators (zips made on Windows: `ada\\lstm_gates.py`); empty and `.` parts
      are dropped;
    - not extracted: an absolute path, a `..` part, a symbolic link, more than MAX_DEPTH folders, a
      name the file system refuses, an encrypted or corrupt entry, a file larger than
      MAX_ENTRY_BYTES or past MAX_ZIP_BYTES in all, an entry past MAX_FOLDER_ENTRIES in its folder
      (one student's junk cannot crowd out the others) or past MAX_ENTRIES extracted in all;
    - a duplicate entry (the same path, or a file where a folder is): the first one is kept.
    Returns a note per entry left out (`'NAME': why`), and, for a file left out other than as a
    duplicate, its path and why (`damaged`), unless it is one of `modules`: that one becomes a
    stand-in that fails only its own checks, with the reason."""
    notes: list[str] = []
    damaged: dict[Path, str] = {}
    budget, extracted, crowded = MAX_ZIP_BYTES, 0, Counter[Path]()
    for info in archive.infolist():
        name = entry_name(info)
        parts, why = entry_parts(name)
        target = root.joinpath(*parts) if parts else root
        crowded[target.parent] += 1
        if crowded[target.parent] > MAX_FOLDER_ENTRIES or extracted >= MAX_ENTRIES:
            continue
        extracted += 1
        why = why or _extract_one(archive, info, target, budget)
        if why:
            notes.append(f"'{printable(name)}': not extracted ({why})")
            if parts and not name.endswith(("/", "\\")) and "duplicate" not in why:
                reason = f"not extracted from the zip: {why}"
                if target.stem not in modules or not write_stand_in(target, reason):
                    damaged[target] = reason
        elif not name.endswith(("/", "\\")):
            budget -= info.file_size
            damaged.pop(target, None)  # an earlier copy failed, this one did not
    skipped = sum(count - MAX_FOLDER_ENTRIES for count in crowded.values() if count > MAX_FOLDER_ENTRIES)
    if skipped or extracted >= MAX_ENTRIES:
        notes.append(
            f"entries past {MAX_FOLDER_ENTRIES} in one folder or {MAX_ENTRIES} in all: not extracted"
        )
    return tuple(notes), damaged


def _holds_modules(folder: Path, modules: Sequence[str]) -> bool:
    names = {f"{m}.py" for m in modules}
    return any((e.name in names if names else e.name.endswith(".py")) for e in _visible(folder))


def students_level(root: Path, modules: Sequence[str] = ()) -> Path:
    """The folder whose entries are the students: `root`, or, while it holds nothing but one folder
    (hidden entries aside) that itself holds no module file but folders or notebooks, that folder:
    class.zip/2024/section1/ada/lstm_gates.py gives section1; ada.zip/ada/lstm_gates.py gives the
    top (ada is the one student)."""
    level = root
    for _ in range(MAX_WRAPPERS):
        entries = _visible(level)
        if len(entries) != 1 or _kind(entries[0]) != "folder":
            break
        inner = Path(entries[0].path)
        if _holds_modules(inner, modules) or not any(_kind(e) for e in _visible(inner)):
            break
        level = inner
    return level


def _clear_false_utf8_flags(copy: Path) -> None:
    """In a copy of a zip, clear the UTF-8 flag of every central directory name that is not UTF-8:
    zipfile refuses a whole zip over one such name; this way only that entry fails (its local
    header still claims UTF-8, so opening it raises) and the others are extracted."""
    with open(copy, "r+b") as file:
        size = file.seek(0, os.SEEK_END)
        file.seek(max(0, size - 65_557))
        tail = file.read()
        end = tail.rfind(b"PK\x05\x06")
        if end < 0 or len(tail) < end + 22:
            raise BatchInputError(f"{copy.name}: no zip directory")
        count, _, offset = struct.unpack("<H2L", tail[end + 10 : end + 20])
        for _ in range(count):
            file.seek(offset)
            header = file.read(46)
            if len(header) < 46 or header[:4] != b"PK\x01\x02":
                raise BatchInputError(f"{copy.name}: a damaged zip directory")
            flags = struct.unpack("<H", header[8:10])[0]
            name_size, extra, comment = struct.unpack("<3H", header[28:34])
            name = file.read(name_size)
            try:
                name.decode("utf-8")
            except UnicodeDecodeError:
                file.seek(offset + 8)
                file.write(struct.pack("<H", flags & ~UTF8_NAME))
            offset += 46 + name_size + extra + comment


def open_zip(source: Path, scratch: Path) -> zipfile.ZipFile:
    """The zip at `source`; BatchInputError (one line) if it is not a readable zip at all."""
    try:
        try:
            return zipfile.ZipFile(source)
        except UnicodeDecodeError:  # a name flagged UTF-8 that is not: read a repaired copy
            copy = scratch / "names-repaired.zip"
            shutil.copyfile(source, copy)
            _clear_false_utf8_flags(copy)
            return zipfile.ZipFile(copy)
    except Exception as error:  # any failure to read a zip's directory: BadZipFile, OSError, ...
        raise BatchInputError(
            f"{source}: expected a folder of submissions or a readable .zip of them ({printable(str(error))})"
        ) from None


@contextmanager
def opened(source: Path, modules: Sequence[str] = (), *, workspace: Path | None = None) -> Iterator[Intake]:
    """The submissions' folder: `source` itself, or a zip extracted by `extract`'s rules into a
    temporary folder (under `workspace`, default the system's) and descended to the students'
    level (`students_level`)."""
    if source.is_dir():
        yield Intake(source)
        return
    if not source.is_file():
        raise BatchInputError(f"{source}: expected a folder of submissions or a .zip of them")
    with tempfile.TemporaryDirectory(prefix="batch-", dir=workspace, ignore_cleanup_errors=True) as scratch:
        root = Path(scratch).resolve() / "unpacked"
        root.mkdir()
        with open_zip(source, Path(scratch)) as archive:
            notes, damaged = extract(archive, root, modules)
        yield Intake(students_level(root, modules), notes, damaged)
