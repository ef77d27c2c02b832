"""The CoE Starter Kit's option sets, as the kit defines them.

Copied from the kit's solution source (`microsoft/coe-starter-kit`,
`CenterofExcellenceCoreComponents/SolutionPackage/src/OptionSets/<name>.xml`, core 4.50):
value → English label. Dataverse exports a choice column as its integer (the Web API adds
the label as `<column>@OData.Community.Display.V1.FormattedValue` when asked); an export
through Excel shows the label. Which table column uses which set comes from
`…/src/Entities/<Table>/Entity.xml`:

| column | option set |
|---|---|
| admin_environment.admin_environmentpurpose | admin_environmentpurpose |
| admin_environment.admin_makerrequirementbusinessimpact | admin_businessimpact |
| admin_app.admin_powerappstype | admin_powerappstype |
| admin_app.admin_requirement_4 | admin_businessimpact |
| admin_app.admin_requirement_6 | admin_dataclassification (not published with the kit) |
| app, flow, pva, rpa: admin_(adminrequirement)riskassessment | admin_riskassessment |
| app, flow, pva, rpa: admin_adminrequirementriskassessmentstate | (the same name) |
| admin_flow.admin_requirement_2 | admin_businessimpact |
| admin_pva.admin_makerrequirementbusinessimpact | admin_businessimpact |
| admin_rpa.admin_makerrequirementbusinessimpact | admin_businessimpact |

Text columns that look like choices but are plain text in the kit: admin_environmentsku,
admin_flowstate, admin_pvastate, admin_rpastate, admin_powerplatformuser.admin_type,
admin_powerplatformuserrole.admin_rolename / admin_resourcetype, admin_connector.admin_tier,
and the `…isorphaned` columns (cr5d5_appisorphaned, cr5d5_flowisorphaned,
admin_pvaisorphaned, admin_rpaisorphaned). Two-option columns are 1 Yes / 0 No."""

from __future__ import annotations

from collections.abc import Mapping

OPTION_SETS: dict[str, dict[int, str]] = {
    "admin_adminrequirementriskassessmentstate": {
        597910000: "None",
        597910001: "Requested",
        597910002: "Submitted",
        597910003: "Complete",
    },
    "admin_approvalstatus": {
        597910005: "Timeout",
        597910002: "Pending",
        597910003: "Approved",
        597910004: "Rejected",
        597910001: "Cancelled",
        597910006: "Live",
        597910007: "Failed",
        181330001: "Deleted",
        181330002: "Expired",
        181330003: "Fulfilled",
    },
    "admin_businessimpact": {
        597910000: "Low risk",
        597910001: "Important",
        597910002: "Critical",
    },
    "admin_category": {
        597910000: "Analytics",
        597910001: "Collaboration",
        597910002: "Customer Service",
        597910003: "Finance",
        597910004: "Human Resources",
        597910005: "IT + Administration",
        597910006: "Gamification",
        597910007: "Marketing",
        597910008: "Operations + supply chain",
        597910009: "Productivity",
        597910010: "Sales",
    },
    "admin_envallocationtype": {597910000: "Capacity", 597910001: "Add On"},
    "admin_environmentpurpose": {
        597910000: "Development",
        597910001: "Test",
        597910002: "Production",
        597910003: "Training",
    },
    "admin_objecttype": {
        597910000: "CanvasApps",
        597910001: "CloudFlows",
        597910002: "ModelDrivenApps",
    },
    "admin_powerappstype": {
        597910000: "Canvas",
        597910001: "Model Driven",
        597910002: "SharePointFormApp",
        597910003: "Custom Page",
        597910004: "Component Library",
    },
    "admin_resourcetype": {
        597910000: "App",
        597910001: "Flow",
        597910002: "Power BI",
        597910003: "URL / Other",
        597910004: "Microsoft Teams",
        597910005: "SharePoint",
        597910006: "Yammer",
        597910007: "Forms",
    },
    "admin_riskassessment": {
        597910000: "Negligible",
        597910001: "Minor",
        597910002: "Moderate",
        597910003: "Critical",
        597910004: "Catastrophic",
    },
    "admin_teamsenvstatus": {597910000: "Approved", 597910001: "Rejected"},
    "admin_usertypechoices": {
        597910000: "Member",
        597910001: "Guest",
        597910002: "App User",
        597910003: "Unknown",
        597910004: "Microsoft Account",
    },
    "admin_yesnounknown": {0: "No", 1: "Yes", 2: "Unknown"},
    "coe_envsku": {181330000: "Production", 181330001: "Sandbox"},
}


def with_labels(option_set: str, by_label: Mapping[int | str, str]) -> dict[int | str, str]:
    """A `choice` table for one option set: every integer of the set mapped through its
    label, plus the labels themselves (and extra spellings in `by_label`). Raises KeyError
    when a label of the set is not mapped, so a kit update cannot slip by unnoticed."""
    table: dict[int | str, str] = dict(by_label)
    for value, label in OPTION_SETS[option_set].items():
        table[value] = by_label[label]
    return table
