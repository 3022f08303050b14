"""Lesson 07's shipped filter settings: grid points, what tuning gives, still scoring as
recorded (a few seconds; the whole tuning, ``pretrained.tune_filters``, takes over a minute)."""

from __future__ import annotations

import pytest

from gandetexture import baselines, pretrained

SETS = ("procedural", "benchmark")
CHEAP = ("gaussian", "median")  # the filters tuned again here: milliseconds per image


@pytest.fixture(scope="module")
def record():
    return pretrained.filters()


def test_the_record_says_how_it_was_made(record):
    assert {key: record[key] for key in pretrained.FILTERS_RECIPE} == pretrained.FILTERS_RECIPE
    assert record["call"] == pretrained.filters_call()
    assert record["call"].startswith("gandetexture.pretrained.tune_filters(profile='cpu'")


@pytest.mark.parametrize("name", SETS)
def test_every_filter_has_a_setting_of_its_grid(record, name):
    assert list(record["tuned"][name]) == list(baselines.FILTERS)
    for filter_name, row in record["tuned"][name].items():
        assert row["params"] in baselines.FILTERS[filter_name][1], (name, filter_name)
        assert set(row) == {"params", "psnr", "ssim"}


def test_they_agree_with_the_shipped_removers_own_tuning(record):
    """train-remover tunes the same filters on the same pairs (all nine on the procedural
    split, two on the benchmark's): two runs, one answer."""
    remover = pretrained.metrics("remover")
    assert {f: row["params"] for f, row in record["tuned"]["procedural"].items()} == \
        {f: row["params"] for f, row in remover["tuned"].items()}
    for name in remover["benchmark"]["tuned"].keys() & set(baselines.FILTERS):
        ours, theirs = record["tuned"]["benchmark"][name], remover["benchmark"]["tuned"][name]
        assert ours["params"] == theirs["params"]
        assert abs(ours["psnr"] - theirs["psnr"]) < 1e-4


def test_the_settings_still_score_their_check(record):
    now = pretrained.check_filters(record["tuned"])
    for name in SETS:
        for filter_name, value in record["check"][name].items():
            assert abs(now[name][filter_name] - value) <= 10 ** -pretrained.PRECISION, \
                f"{name} {filter_name}: {now[name][filter_name]} now, tuned.json: {value}"


def test_tuning_the_cheap_filters_again_gives_the_shipped_rows(record):
    sets = pretrained.filter_sets(**pretrained.FILTERS_RECIPE)
    for name in SETS:
        again = baselines.tune(*sets[name], CHEAP)
        for filter_name in CHEAP:
            shipped = record["tuned"][name][filter_name]
            assert again[filter_name]["params"] == shipped["params"], (name, filter_name)
            for score in ("psnr", "ssim"):
                assert abs(again[filter_name][score] - shipped[score]) < 1e-4
