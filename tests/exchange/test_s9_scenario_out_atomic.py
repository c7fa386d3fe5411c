"""`scenario run --out RESULT.json` writes its result whole or not at all (scenario.write_out): it
wrote straight into RESULT.json, so a write failing half-way (disk full, the process killed) left
a truncated file where the previous good result had been."""

from __future__ import annotations

import builtins
import errno
import io
import os
import stat

import pytest
from django.core.management.base import CommandError

from ekinerja.exchange.management.commands.scenario import write_out

PREVIOUS = '{"period": "2026-09", "hasil": "sebelumnya"}\n'
NEW = '{"period": "2026-10", "hasil": "baru", "rows": [' + ", ".join(["1"] * 5000) + "]}\n"


class _DiskFull:
    """A file that takes part of what is written, then fails as a full disk does."""

    def __init__(self, f):
        self._f = f

    def write(self, text):
        self._f.write(text[: len(text) // 2])
        self._f.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


@pytest.fixture
def disk_full(monkeypatch, tmp_path):
    """Once called: every file opened for writing in tmp_path fills the disk half-way (whichever
    way it is opened: pathlib and os.fdopen go through io.open, open() is the builtin)."""
    real = io.open

    def opening(file, mode="r", *args, **kwargs):
        f = real(file, mode, *args, **kwargs)
        where = str(file) if not isinstance(file, int) else ""
        if any(c in mode for c in "wax+") and where.startswith(str(tmp_path)):
            return _DiskFull(f)
        return f

    def arm():
        monkeypatch.setattr(io, "open", opening)
        monkeypatch.setattr(builtins, "open", opening)

    return arm


def test_a_write_failing_half_way_keeps_the_previous_result(tmp_path, disk_full):
    out = tmp_path / "hasil.json"
    out.write_text(PREVIOUS, encoding="utf-8")
    disk_full()
    with pytest.raises(CommandError) as err:
        write_out(str(out), NEW)
    # The message as before.
    assert str(err.value) == f"--out {out}: berkas tidak dapat ditulis (No space left on device)."
    assert out.read_bytes() == PREVIOUS.encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hasil.json"]  # no temporary left


def test_a_first_result_failing_half_way_leaves_nothing(tmp_path, disk_full):
    out = tmp_path / "hasil.json"
    disk_full()
    with pytest.raises(CommandError, match="berkas tidak dapat ditulis"):
        write_out(str(out), NEW)
    assert list(tmp_path.iterdir()) == []


def test_a_good_write_replaces_the_result_and_keeps_its_permissions_and_link(tmp_path):
    real = tmp_path / "hasil.json"
    real.write_text(PREVIOUS, encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "terbaru.json"
    link.symlink_to(real)
    write_out(str(link), NEW)
    assert real.read_text(encoding="utf-8") == NEW
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert link.is_symlink() and link.resolve() == real
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hasil.json", "terbaru.json"]
