"""Opening a file or folder with the program the computer uses for it (Excel or WPS, Word, the file manager).

Windows: ``os.startfile``; macOS: ``open``; elsewhere: ``xdg-open``. The program is started and left
to run; the panel does not wait for it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.i18n import _


def open_path(path: str | Path) -> None:
    """Open `path` with its default program; a ToolkitError says why when that cannot be done."""
    path = Path(path)
    if not path.exists():
        raise ToolkitError(_("it is not there (moved or deleted?)"), path=path)
    try:
        if sys.platform == "win32":
            os.startfile(str(path))  # noqa: S606 - the file's own default program, as Explorer would
            return
        command = "open" if sys.platform == "darwin" else "xdg-open"
        program = shutil.which(command)
        if program is None:
            raise ToolkitError(
                _("no program to open it with was found ({command} is missing)").format(command=command), path=path
            )
        subprocess.Popen(
            [program, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        raise ToolkitError(_("could not be opened: {reason}").format(reason=exc.strerror or exc), path=path) from None
