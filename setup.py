"""Packs the checkout's tool folders into the wheel, so an installed vardmote needs no checkout.

In a checkout, device_profiles/, provisioning/, policies/ and infra/ sit beside the vardmote package,
each laid out as its own tool expects (the data, Ansible, CrossGuard, Pulumi). A wheel has only the
vardmote package, so the build copies those folders and the Pulumi project files into it as
vardmote/_project/, where vardmote.core.project_files finds them. An editable install reads the
checkout itself and copies nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PROJECT_FOLDERS = ("device_profiles", "provisioning", "policies", "infra")
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.lab.yaml", "Pulumi.rvn-test.yaml", "Pulumi.rvn-prod.yaml")
LEFT_OUT = shutil.ignore_patterns("__pycache__", "*.pyc", ".ansible", ".venv")


class BuildWithProjectFolders(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "vardmote" / "_project"
        for folder in PROJECT_FOLDERS:
            shutil.copytree(folder, target / folder, ignore=LEFT_OUT, dirs_exist_ok=True)
        for name in PROJECT_FILES:
            shutil.copy2(name, target / name)


setup(cmdclass={"build_py": BuildWithProjectFolders})
