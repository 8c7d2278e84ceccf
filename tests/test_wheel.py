"""The toolkit as an office installs it: a wheel built from this repository, installed (not editable)
into a fresh virtual environment, runs the demo with the templates it carries and speaks Chinese from
the message catalog its build compiled.

The wheel is built from a copy of the repository's files (nothing is written into the checkout).
The fresh environment gets the toolkit from the wheel alone; its dependencies are the ones this
test runs with, made visible by a path file rather than downloaded again, and `pip check` proves
the wheel's declared requirements are met by them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from toolkit.i18n import use_language
from toolkit.panel.launchers import launchers_note

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # builds a wheel, makes a virtual environment and runs the demo


def run(*args, cwd: Path, timeout: int = 600, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run a command in `cwd` (never the checkout: `python -c` would import the toolkit found there)."""
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def repository_files() -> list[str]:
    """The files git keeps (and new ones it does not ignore), as a fresh clone would have them."""
    out = run("git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=REPO).stdout
    return [name for name in out.split("\0") if name and (REPO / name).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a fresh virtual environment with the toolkit installed from its wheel."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    for name in repository_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--disable-pip-version-check",
        "-w",
        base / "dist",
        source,
        cwd=base,
    )
    (wheel,) = (base / "dist").glob("office_toolkit-*.whl")
    env = base / "env"
    venv.EnvBuilder(with_pip=True).create(env)
    bin_dir = env / "bin"
    python = bin_dir / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=base).stdout.strip())
    # The dependencies this test runs with; appended after the environment's own site-packages,
    # so the toolkit itself can only come from the wheel.
    (site / "toolkit-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run(python, "-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check", wheel, cwd=base)
    return bin_dir


def test_the_wheel_installs_the_package_with_its_templates_and_defaults(installed, tmp_path):
    python = installed / "python"
    where = run(
        python, "-c", "import toolkit, pathlib; print(pathlib.Path(toolkit.__file__).resolve().parent)", cwd=tmp_path
    ).stdout.strip()
    package = Path(where)
    assert package.parent.name == "site-packages" and REPO not in package.parents, package
    shipped = sorted(p.name for p in (package / "templates").glob("*.docx"))
    assert shipped == sorted(p.name for p in (REPO / "toolkit" / "templates").glob("*.docx"))
    assert (package / "defaults" / "settings.toml").is_file()
    run(python, "-m", "pip", "check", "--disable-pip-version-check", cwd=tmp_path)  # every declared requirement is met


def test_the_installed_toolkit_runs_the_demo_from_its_own_templates(installed, tmp_path):
    folder = tmp_path / "demo"
    done = run(
        installed / "toolkit", "demo", folder, "--customers", "60", "--complaints", "300", "--lang", "zh", cwd=tmp_path
    )
    # in Chinese: the wheel carries the compiled message catalog
    assert "生成通知书" in done.stdout and "月度报告" in done.stdout, done.stdout
    assert list((folder / "notices").glob("*.docx")) and list((folder / "reports").glob("*.docx"))
    # the notices and the report came from the template files the wheel installed, not built in memory
    used = run(
        installed / "python",
        "-c",
        "import datetime, sys; from toolkit.jobs.notices import make_notices; "
        "r = make_notices(sys.argv[1], as_of=datetime.datetime(2026, 11, 20, 17), dry_run=True, force=True); "
        "print('\\n'.join(r.templates.values()))",
        folder,
        cwd=tmp_path,
    ).stdout.split()
    assert used and all("site-packages" in u and u.endswith(".docx") for u in used), used


def test_the_installed_toolkit_speaks_chinese(installed, tmp_path):
    """The build compiles the catalog (setup.py; the checkout's .mo is not in git, so the wheel cannot have
    copied it): the installed package holds the .mo alone, and what a clerk reads is in Chinese."""
    python = installed / "python"
    where = run(
        python, "-c", "import toolkit, pathlib; print(pathlib.Path(toolkit.__file__).resolve().parent)", cwd=tmp_path
    ).stdout.strip()
    locale = Path(where) / "locale"
    assert (locale / "zh_CN" / "LC_MESSAGES" / "toolkit.mo").is_file()
    assert not list(locale.rglob("*.po"))  # read from the compiled catalog, not compiled on the fly
    env = {k: v for k, v in os.environ.items() if k != "TOOLKIT_LANG"}  # the default language: Chinese
    done = run(installed / "toolkit", "init", tmp_path / "office", cwd=tmp_path, env=env)
    with use_language("zh"):
        note = launchers_note([Path("客服工具箱.cmd"), Path("客服工具箱.command")])
    with use_language("en"):
        english = launchers_note([Path("客服工具箱.cmd"), Path("客服工具箱.command")])
    assert note != english and "无需 Excel 宏" in note  # the catalog's Chinese, not the English id
    assert note in done.stdout, done.stdout
