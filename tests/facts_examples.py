"""Facts records shared by the engine and CLI tests."""

from __future__ import annotations

# shared/domain/facts.md, as written there
FACTS_MD_INPUT = {
    "regulator": "dmhc",
    "denial_reason": "med_necessity",
    "denial_also_cites_contract_exclusion": False,
    "urgency": "none",
    "service_already_rendered": False,
    "plan_written_decision_date": "2026-06-01",
    "grievance": {
        "filed_date": "2026-06-03",
        "received_date": None,
        "expedited": False,
        "decision_date": None,
        "outcome": None,
    },
    "medi_cal": {
        "member": False,
        "noa_date": None,
        "nar_date": None,
        "fair_hearing_status": "none",
    },
    "eit": {
        "life_threatening_or_seriously_debilitating": False,
        "physician_certification_present": False,
        "recommending_physician_is_plan_physician": False,
        "two_med_sci_documents": False,
        "plan_notice_received_date": None,
    },
    "urgency_certification_present": False,
    "provider_recommended_or_in_plan_visit": True,
    "authorized_assistant_form_on_file": False,
    "imr_filed_date": None,
    "imr_decision_received_date": None,
    "imr_decision_outcome": None,
}
