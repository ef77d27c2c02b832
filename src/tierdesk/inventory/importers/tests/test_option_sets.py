"""Every CoE choice column tierdesk reads takes every integer the kit's option set defines
(formats/coe_optionsets.py is copied from the kit's OptionSets/*.xml), its label, and the
label of a Dataverse `FormattedValue` annotation when the integer is unknown."""

from __future__ import annotations

import pytest

from tierdesk.inventory.choices import EnvironmentPurpose, SolutionKind, Tier
from tierdesk.inventory.importers.base import RowError
from tierdesk.inventory.importers.formats.coe import COE_TABLES
from tierdesk.inventory.importers.formats.coe_optionsets import OPTION_SETS, with_labels
from tierdesk.inventory.importers.formats.common import (
    APP_KIND,
    ENV_PURPOSE,
    IMPACT,
    convert_row,
)

READ = {
    "admin_powerappstype": (APP_KIND, set(SolutionKind.values)),
    "admin_businessimpact": (IMPACT, set(Tier.values)),
    "admin_environmentpurpose": (ENV_PURPOSE, set(EnvironmentPurpose.values)),
}


@pytest.mark.parametrize("option_set", sorted(READ))
def test_every_integer_and_label_of_the_set_converts(option_set: str) -> None:
    convert, allowed = READ[option_set]
    for value, label in OPTION_SETS[option_set].items():
        assert convert(value) in allowed
        assert convert(str(value)) == convert(value) == convert(label) == convert(label.upper())
        assert convert(float(value)) == convert(value)  # JSON numbers read as floats


def test_an_integer_the_kit_does_not_define_is_refused_naming_the_values() -> None:
    with pytest.raises(RowError, match="597910000"):
        APP_KIND(597910099)


def test_a_kit_update_with_a_new_label_cannot_slip_by() -> None:
    with pytest.raises(KeyError):
        with_labels("admin_powerappstype", {"Canvas": SolutionKind.CANVAS_APP})


def test_an_unknown_integer_falls_back_to_its_formatted_label() -> None:
    table = COE_TABLES["admin_app"]
    row = {
        "admin_appid": "a1",
        "admin_appenvironmentid": "e1",
        "admin_displayname": "x",
        "admin_powerappstype": 597910042,
        "admin_powerappstype@odata.community.display.v1.formattedvalue": "Model Driven",
    }
    values, problems = convert_row(table, row)
    assert problems == [] and values["kind"] == SolutionKind.MODEL_DRIVEN_APP


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("admin_app", "admin_requirement_4"),
        ("admin_flow", "admin_requirement_2"),
        ("admin_pva", "admin_makerrequirementbusinessimpact"),
        ("admin_rpa", "admin_makerrequirementbusinessimpact"),
    ],
)
def test_business_impact_is_read_from_the_column_the_kit_defines(table: str, column: str) -> None:
    fields = {f.name: f for f in COE_TABLES[table].fields}
    assert fields["declared_tier"].aliases == (column,)
