"""Shared test set-up: quiet TensorFlow, outputs into a temporary folder."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _outputs_in_tmp(tmp_path, monkeypatch):
    """Lessons' outputs go to a per-test folder, never into the repository."""
    monkeypatch.setenv("GANDETEXTURE_OUTPUT", str(tmp_path / "outputs"))
