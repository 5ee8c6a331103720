"""``iochub plugin new NAME``: a plugin package to start from, whose tests pass as written.

The package's files are the templates in ``plugin_template/`` (``string.Template``: ``$name``,
``$package``, ``$dist``, ``$title``, ``$env``); ``package/`` becomes the Python package.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

import click

from hub.cli.errors import UserError

TEMPLATES = files("hub.cli") / "plugin_template"
NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class PluginNames:
    """What a plugin called ``name`` is called in each place."""

    name: str

    @property
    def package(self) -> str:
        return f"iochub_{self.name}"

    @property
    def dist(self) -> str:
        return f"iochub-{self.name.replace('_', '-')}"

    @property
    def title(self) -> str:
        return self.name.replace("_", " ").capitalize()

    def substitutions(self) -> dict[str, str]:
        return {
            "name": self.name,
            "package": self.package,
            "dist": self.dist,
            "title": self.title,
            "env": f"{self.name.upper()}_TOKEN",
        }


def name_problems(name: str) -> list[str]:
    """Every reason ``name`` cannot name a plugin (none: it can)."""
    problems = []
    if not NAME.fullmatch(name):
        problems.append(
            f"{name!r} is not a plugin name: lower-case letters, digits and _, "
            "starting with a letter (e.g. air_quality)"
        )
    if keyword.iskeyword(name):
        problems.append(f"{name!r} is a Python keyword")
    return problems


def write_plugin(name: str, target: Path) -> list[Path]:
    """Write the package of plugin ``name`` into the folder ``target`` (absent or empty);
    a UserError with every problem otherwise. Returns the files written."""
    problems = name_problems(name)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        problems.append(f"{target} exists and is not an empty folder: choose another --directory")
    if problems:
        raise UserError("; ".join(problems))
    names = PluginNames(name)
    written: list[Path] = []
    _write_tree(TEMPLATES, target, names, written)
    return written


def _write_tree(source: Traversable, target: Path, names: PluginNames, written: list[Path]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(source.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            folder = names.package if entry.name == "package" else entry.name
            _write_tree(entry, target / folder, names, written)
        elif entry.name.endswith(".tmpl"):
            file_name = entry.name.removesuffix(".tmpl")
            if file_name == "gitignore":
                file_name = ".gitignore"  # a dot-file would be left out of the hub's package
            text = Template(entry.read_text(encoding="utf-8"))
            path = target / file_name
            path.write_text(text.substitute(names.substitutions()), encoding="utf-8")
            written.append(path)


@click.group()
def plugin() -> None:
    """Write plugins (see docs/plugins.md)."""


@plugin.command("new")
@click.argument("name")
@click.option(
    "--directory",
    "-d",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the package (default: ./iochub-NAME).",
)
def plugin_new(name: str, directory: Path | None) -> None:
    """Write a plugin package NAME: a connector on the kit, its metric, README and tests."""
    target = directory or Path(PluginNames(name).dist)
    written = write_plugin(name, target)
    click.echo(f"wrote {len(written)} files of the plugin {name!r} in {target}")
    click.echo(f"next: cd {target} && pip install -e . && python -m pytest")
