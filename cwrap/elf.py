"""Just enough ELF reading to tell whether LD_PRELOAD can reach a program.

LD_PRELOAD works only through the dynamic loader: a static binary has no
PT_INTERP, a Go binary makes its own system calls (its build-id note or
buildinfo section gives it away), and a setuid/setgid program runs in
secure mode where ld.so ignores preloads from the environment.
"""

from __future__ import annotations

import os
import stat
import struct
from dataclasses import dataclass
from pathlib import Path

PT_INTERP = 3
PT_DYNAMIC = 2


@dataclass
class Program:
    path: Path
    is_elf: bool = False
    interpreter: str | None = None
    dynamic: bool = False
    go: bool = False
    setuid: bool = False
    setgid: bool = False
    shebang: str | None = None


def inspect(path: str | os.PathLike[str]) -> Program:
    path = Path(path)
    mode = path.stat().st_mode
    prog = Program(path=path, setuid=bool(mode & stat.S_ISUID),
                   setgid=bool(mode & stat.S_ISGID))
    with open(path, "rb") as f:
        head = f.read(64)
        if head.startswith(b"#!"):
            prog.shebang = head[2:].split(b"\n")[0].decode(errors="replace").strip()
            return prog
        if not head.startswith(b"\x7fELF") or len(head) < 64:
            return prog
        prog.is_elf = True
        _read_elf(f, head, prog)
    return prog


def _read_elf(f, head: bytes, prog: Program) -> None:  # type: ignore[no-untyped-def]
    is64 = head[4] == 2
    end = "<" if head[5] == 1 else ">"
    if is64:
        phoff, shoff = struct.unpack_from(end + "QQ", head, 32)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(end + "HHHHH", head, 54)
    else:
        phoff, shoff = struct.unpack_from(end + "II", head, 28)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(end + "HHHHH", head, 42)
    for i in range(phnum):
        f.seek(phoff + i * phentsize)
        ph = f.read(phentsize)
        p_type = struct.unpack_from(end + "I", ph, 0)[0]
        if is64:
            offset, filesz = struct.unpack_from(end + "Q", ph, 8)[0], struct.unpack_from(end + "Q", ph, 32)[0]
        else:
            offset, filesz = struct.unpack_from(end + "I", ph, 4)[0], struct.unpack_from(end + "I", ph, 16)[0]
        if p_type == PT_INTERP:
            f.seek(offset)
            prog.interpreter = f.read(filesz).rstrip(b"\0").decode(errors="replace")
        elif p_type == PT_DYNAMIC:
            prog.dynamic = True
    names = _section_names(f, end, is64, shoff, shentsize, shnum, shstrndx)
    prog.go = ".go.buildinfo" in names or ".note.go.buildid" in names


def _section_names(f, end: str, is64: bool, shoff: int, shentsize: int,  # type: ignore[no-untyped-def]
                   shnum: int, shstrndx: int) -> set[str]:
    if shoff == 0 or shnum == 0 or shstrndx >= shnum:
        return set()
    headers = []
    for i in range(shnum):
        f.seek(shoff + i * shentsize)
        sh = f.read(shentsize)
        if is64:
            name, offset, size = (struct.unpack_from(end + "I", sh, 0)[0],
                                  struct.unpack_from(end + "Q", sh, 24)[0],
                                  struct.unpack_from(end + "Q", sh, 32)[0])
        else:
            name, offset, size = (struct.unpack_from(end + "I", sh, 0)[0],
                                  struct.unpack_from(end + "I", sh, 16)[0],
                                  struct.unpack_from(end + "I", sh, 20)[0])
        headers.append((name, offset, size))
    _, str_off, str_size = headers[shstrndx]
    f.seek(str_off)
    table = f.read(str_size)
    names = set()
    for name, _, _ in headers:
        stop = table.find(b"\0", name)
        names.add(table[name:stop if stop >= 0 else None].decode(errors="replace"))
    return names
