"""Results (xAPI Data 2.4.5), Scores (2.4.5.1) and Durations (4.6)."""

from __future__ import annotations

from typing import Any

import pytest

from statements.validate import validate_statements
from tests.factories import statement
from tests.statements.validation import assert_rejected_at


def with_result(result: Any) -> dict[str, Any]:
    return statement(result=result)


def with_score(score: Any) -> dict[str, Any]:
    return statement(result={"score": score})


# --- The Result object ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "result",
    [
        {"score": {"scaled": 0.95}, "success": True, "completion": True, "duration": "PT1234S"},
        {
            "extensions": {"http://example.com/minuteslocation": "X:\\meetings\\minutes"},
            "success": True,
            "completion": True,
            "response": "We agreed on some example actions.",
            "duration": "PT1H0M0S",
        },
        {"success": False, "completion": False},
        {"response": ""},
        {},
    ],
)
def test_result_with_valid_properties_is_accepted(result):
    assert validate_statements([with_result(result)]) is None


@pytest.mark.parametrize("prop", ["success", "completion"])
@pytest.mark.parametrize("value", ["true", "false", 1, 0, None, [True], {"value": True}])
def test_result_success_and_completion_must_be_json_booleans(prop, value):
    assert_rejected_at(with_result({prop: value}), f"result.{prop}")


@pytest.mark.parametrize("value", [5, 0.5, True, None, ["a"], {"text": "a"}])
def test_result_response_must_be_a_string(value):
    assert_rejected_at(with_result({"response": value}), "result.response")


@pytest.mark.parametrize(
    "result",
    [{"Success": True}, {"score": {}, "grade": "A"}, {"durations": "PT1S"}, {"Extensions": {}}],
)
def test_result_with_unknown_or_miscased_property_is_rejected(result):
    assert_rejected_at(with_result(result), "result")


@pytest.mark.parametrize("result", [None, "passed", [{"success": True}], True])
def test_result_that_is_not_an_object_is_rejected(result):
    assert_rejected_at(with_result(result), "result")


# --- Score ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "score",
    [
        {"scaled": -1},
        {"scaled": 1},
        {"scaled": 0},
        {"scaled": 0.95},
        {"scaled": -0.5, "raw": -50, "min": -100, "max": 0},
        {"raw": 0, "min": 0, "max": 100},
        {"raw": 100, "min": 0, "max": 100},
        {"raw": 55.5, "min": 0.5, "max": 99.5},
        {"raw": -12345.678},
        {"raw": 1_000_000, "min": 0},
        {"raw": -3, "max": 0},
        {"min": 0, "max": 0.001},
        {"min": 10},
        {"max": 10},
        {},
    ],
)
def test_score_within_its_bounds_is_accepted(score):
    assert validate_statements([with_score(score)]) is None


@pytest.mark.parametrize("scaled", [1.0001, -1.0001, 2, -5, 100])
def test_score_scaled_outside_minus_one_to_one_is_rejected(scaled):
    assert_rejected_at(with_score({"scaled": scaled}), "result.score.scaled")


@pytest.mark.parametrize(
    "score",
    [
        {"raw": 101, "min": 0, "max": 100},
        {"raw": 100.0001, "max": 100},
        {"raw": -1, "min": 0, "max": 100},
        {"raw": 4.99, "min": 5},
    ],
)
def test_score_raw_outside_min_and_max_is_rejected(score):
    assert_rejected_at(with_score(score), "result.score.raw")


@pytest.mark.parametrize(
    "score",
    [{"min": 10, "max": 10}, {"min": 10, "max": 5}, {"min": 0, "max": -1, "scaled": 0.5}],
)
def test_score_min_not_less_than_max_is_rejected(score):
    assert_rejected_at(with_score(score), "result.score")


@pytest.mark.parametrize("prop", ["scaled", "raw", "min", "max"])
@pytest.mark.parametrize("value", ["0.5", "5", True, False, None, [0.5], {"value": 0.5}])
def test_score_values_must_be_json_numbers(prop, value):
    assert_rejected_at(with_score({prop: value}), f"result.score.{prop}")


@pytest.mark.parametrize(
    "score", [{"percent": 50}, {"Scaled": 0.5}, {"scaled": 0.5, "passing": 0.8}]
)
def test_score_with_unknown_or_miscased_property_is_rejected(score):
    assert_rejected_at(with_score(score), "result.score")


@pytest.mark.parametrize("score", [0.95, "95%", [0.95], None])
def test_score_that_is_not_an_object_is_rejected(score):
    assert_rejected_at(with_score(score), "result.score")


# --- Duration ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "duration",
    [
        "PT4H35M59.14S",
        "PT16559.14S",
        "P3Y1M29DT4H35M59.14S",
        "P3Y",
        "P4W",
        "P1M",
        "PT1M",
        "P1D",
        "PT0S",
        "P0D",
        "PT1H0M0S",
        "PT0.5S",
        "PT1,5S",
        "PT0.123456S",
        "P1Y2M3DT4H5M6S",
        "P2DT12H",
        "PT36H",
        "P1.5Y",
        "P0.5W",
    ],
)
def test_duration_in_iso_8601_4_4_3_2_format_is_accepted(duration):
    assert validate_statements([with_result({"duration": duration})]) is None


@pytest.mark.parametrize(
    "duration",
    [
        # The alternative format of ISO 8601:2004 4.4.3.3 MUST NOT be used.
        "P0003-01-29T04:35:59",
        "P0003-01-29T04:35:59.14",
        "P00030129T043559",
        "PT04:35:59",
        "P0001-02",
    ],
)
def test_duration_in_the_alternative_format_is_rejected(duration):
    assert_rejected_at(with_result({"duration": duration}), "result.duration")


@pytest.mark.parametrize("duration", ["P4W1D", "P1WT1H", "P1Y2W", "P2W3DT4H", "P1M1W", "PT1H1W"])
def test_duration_weeks_combined_with_other_components_is_rejected(duration):
    assert_rejected_at(with_result({"duration": duration}), "result.duration")


@pytest.mark.parametrize(
    "duration",
    [
        "",
        "P",
        "PT",
        "P1DT",
        "1H",
        "T1H",
        "PT1H30",
        "-PT1S",
        "P-1D",
        "PT1S1M",
        "P1D2M",
        "P1Y1Y",
        "PT1.S",
        "PT.5S",
        "P1H",
        "PT1D",
        " PT1S",
        "PT1S ",
        "PT1S\n",
        "1 hour",
        "3600",
    ],
)
def test_malformed_duration_is_rejected(duration):
    assert_rejected_at(with_result({"duration": duration}), "result.duration")


@pytest.mark.parametrize("duration", ["PT1.5H30M", "P1.5DT2H", "PT0.5M30S", "P1.5Y6M"])
def test_duration_with_a_fraction_on_a_component_that_is_not_the_lowest_is_rejected(duration):
    # ISO 8601:2004 4.4.3.2: only the lowest order component may have a decimal fraction.
    assert_rejected_at(with_result({"duration": duration}), "result.duration")


@pytest.mark.parametrize(
    "duration", ["PT\u0665S", "P\u0663Y", "PT1\uff15M", "PT\u0661.\u0665S"], ids=repr
)
def test_duration_with_non_ascii_digits_is_rejected(duration):
    # ISO 8601 numbers are written with the digits 0 to 9.
    assert_rejected_at(with_result({"duration": duration}), "result.duration")


@pytest.mark.parametrize("duration", [3600, 1.5, None, ["PT1S"], True])
def test_duration_that_is_not_a_string_is_rejected(duration):
    assert_rejected_at(with_result({"duration": duration}), "result.duration")
