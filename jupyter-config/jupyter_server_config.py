"""JupyterLab as `make lab` starts it for the course (tools/lab.py puts this folder first on
``JUPYTER_CONFIG_PATH``), set up for a classroom with no network.

- ``lab-settings/overrides.json`` (the application settings folder, ``LabApp.app_settings_dir``)
  changes two defaults of ``@jupyterlab/apputils-extension:notification``: JupyterLab never
  fetches Jupyter news (``fetchNews: "false"``: no "Would you like to get notified about official
  Jupyter news?" prompt, no request to jupyter.org) nor checks for a newer JupyterLab
  (``checkForUpdates``). They are defaults: what a teacher sets in Settings still wins.
- ``CourseContentsManager`` hands out lessons with the ``language_info`` their kernel will
  report. The committed notebooks store ``{"name": "python"}`` (tools/nb.py: the full one names
  the Python version of whoever saved last); JupyterLab replaces it with the kernel's as soon as
  the kernel starts, which marked every lesson as modified the moment it opened.
"""

import copy
from pathlib import Path

from jupytext.async_contentsmanager import AsyncTextFileContentsManager

c = get_config()  # noqa: F821 (defined by traitlets when it runs this file)


class CourseContentsManager(AsyncTextFileContentsManager):
    """Jupytext's contents manager (lessons are .ipynb/.py pairs); Python notebooks come with the
    ``language_info`` of this environment's ipykernel, the kernel ``make lab`` starts."""

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if model.get("type") == "notebook" and model.get("content"):
            metadata = model["content"]["metadata"]
            if (metadata.get("kernelspec", {}).get("language") == "python"
                    and metadata.get("language_info", {}).get("name") == "python"):
                from ipykernel.ipkernel import IPythonKernel  # what its kernel_info reply holds

                metadata["language_info"] = copy.deepcopy(IPythonKernel.language_info)
        return model


c.ServerApp.contents_manager_class = CourseContentsManager
c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent / "lab-settings")
