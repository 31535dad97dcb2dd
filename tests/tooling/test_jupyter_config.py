"""The JupyterLab that `make lab` opens: each notebook listed once, no news pop-up."""

import json
import re
from pathlib import Path

from jupyter_server.services.contents.filemanager import FileContentsManager

from dlcourse.tooling import pipeline

ROOT = pipeline.repository_root()
CONFIG = ROOT / "dlcourse" / "tooling" / "jupyter"


def test_the_file_browser_lists_each_notebook_once():
    settings = json.loads((CONFIG / "jupyter_server_config.json").read_text(encoding="utf-8"))
    manager = FileContentsManager(root_dir=str(ROOT / "notebooks"), **settings["ContentsManager"])
    names = {entry["name"] for entry in manager.get("", content=True)["content"]}
    notebooks = {p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert notebooks and notebooks <= names
    assert not {name for name in names if name.endswith(".py")}
    assert "GLOSSARY.md" in names


def test_jupyterlab_does_not_ask_about_news():
    overrides = json.loads((CONFIG / "overrides.json").read_text(encoding="utf-8"))
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}


def test_make_lab_installs_both_files_into_the_environment():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^lab: install lab-config$", makefile, flags=re.M)
    assert "share/jupyter/lab/settings/overrides.json" in makefile
    assert "etc/jupyter/jupyter_server_config.d/dlcourse.json" in makefile
    assert Path(CONFIG / "overrides.json").is_file()
