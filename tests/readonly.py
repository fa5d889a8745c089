"""A directory made read-only for the code under test, also when the tests run as root.

``chmod`` is applied (it is what counts for an ordinary user); root ignores it, so the
system calls that create, change or remove something in the directory are made to fail
with EACCES as the kernel would answer an ordinary user. Reading works as before.
"""
from __future__ import annotations

import builtins
import errno
import io
import os
import stat
from contextlib import contextmanager
from pathlib import Path

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


@contextmanager
def read_only(directory: Path, monkeypatch):
    directory = Path(directory).resolve()
    modes = {p: p.stat().st_mode for p in [directory, *directory.rglob("*")]
             if not p.is_symlink()}
    for path, mode in modes.items():
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))

    def inside(path) -> bool:
        if isinstance(path, int):
            return False
        try:
            target = Path(os.fsdecode(path))
            target = (target.parent.resolve() / target.name) if target.name else target
        except (OSError, ValueError):
            return False
        return target == directory or directory in target.parents

    def refuse(path):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))

    real = {name: getattr(os, name) for name in
            ("open", "mkdir", "symlink", "replace", "rename", "remove", "unlink", "rmdir")}
    real_open = builtins.open

    def guarded_os_open(path, flags, *args, **kwargs):
        if flags & WRITE_FLAGS and inside(path):
            refuse(path)
        return real["open"](path, flags, *args, **kwargs)

    def guarded_open(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wax+") and inside(file):
            refuse(file)
        return real_open(file, mode, *args, **kwargs)

    def guarded(name):
        def call(*args, **kwargs):
            for path in args[:2]:
                if inside(path):
                    refuse(path)
            return real[name](*args, **kwargs)
        return call

    monkeypatch.setattr(os, "open", guarded_os_open)
    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    for name in ("mkdir", "symlink", "replace", "rename", "remove", "unlink", "rmdir"):
        monkeypatch.setattr(os, name, guarded(name))
    try:
        yield directory
    finally:
        monkeypatch.setattr(os, "open", real["open"])
        monkeypatch.setattr(builtins, "open", real_open)
        monkeypatch.setattr(io, "open", real_open)
        for name in ("mkdir", "symlink", "replace", "rename", "remove", "unlink", "rmdir"):
            monkeypatch.setattr(os, name, real[name])
        for path, mode in modes.items():
            if path.exists():
                path.chmod(mode)
