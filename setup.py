"""The package build compiles the message catalogs (toolkit/locale/*/LC_MESSAGES/*.po -> .mo) into the
wheel, so an installed toolkit speaks Chinese without Babel. Everything else is in pyproject.toml."""

from pathlib import Path

from babel.messages.mofile import write_mo  # Babel is a build requirement (pyproject.toml [build-system])
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    def run(self):
        for po in Path("toolkit/locale").glob("*/LC_MESSAGES/*.po"):
            with po.open("rb") as f:
                catalog = read_po(f, locale=po.parts[-3])
            with po.with_suffix(".mo").open("wb") as f:
                write_mo(f, catalog)
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
