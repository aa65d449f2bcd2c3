"""The eligibility rules of RULES.md section B: facts + today -> an assessment.

Pure: no Qt, no I/O, no clock. ``today`` and the calendars are parameters. The wording of
every outcome, rule, warning, deadline and missing item (with citations and source_status
tags) is data: ``forms/criteria/wording.json``, rendered by :mod:`imrdesktop.domain.wording`.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from imrdesktop.domain.calendars import Calendars
from imrdesktop.domain.dates import add_business_days, add_days, add_months, roll_forward
from imrdesktop.domain.errors import InvalidField
from imrdesktop.domain.facts import (
    RX_FIELD,
    DenialReason,
    Facts,
    FairHearingStatus,
    GrievanceOutcome,
    ImrDecisionOutcome,
    Regulator,
    Urgency,
)
from imrdesktop.i18n import _


class Outcome(enum.StrEnum):
    ROUTE_ELSEWHERE = "route_elsewhere"
    STATE_HEARING_ONLY = "state_hearing_only"
    IMR_NOT_AVAILABLE_FAIR_HEARING_FINAL = "imr_not_available_fair_hearing_final"
    IMR_NOT_AVAILABLE_HEARING_PENDING = "imr_not_available_hearing_pending"
    IMR_EIT_URGENT = "imr_eit_urgent"
    IMR_EIT_EXPEDITED = "imr_eit_expedited"
    IMR_EIT_STANDARD = "imr_eit_standard"
    NOT_READY_EIT_MISSING_EVIDENCE = "not_ready_eit_missing_evidence"
    IMR_URGENT = "imr_urgent"
    IMR_STANDARD = "imr_standard"
    IMR_EMERGENCY_REIMBURSEMENT = "imr_emergency_reimbursement"
    NOT_YET_ELIGIBLE = "not_yet_eligible"
    FILE_GRIEVANCE_FIRST = "file_grievance_first"
    CONSUMER_COMPLAINT = "consumer_complaint"
    WINDOW_CLOSED_ASK_EXTENSION = "window_closed_ask_extension"
    NO_DISPUTE = "no_dispute"
    INCOMPLETE_FACTS = "incomplete_facts"


class Pathway(enum.StrEnum):
    IMR_STANDARD = "imr_standard"
    IMR_URGENT = "imr_urgent"
    IMR_EIT_STANDARD = "imr_eit_standard"
    IMR_EIT_EXPEDITED = "imr_eit_expedited"
    IMR_EIT_URGENT = "imr_eit_urgent"
    IMR_EMERGENCY_REIMBURSEMENT = "imr_emergency_reimbursement"
    CONSUMER_COMPLAINT = "consumer_complaint"
    STATE_HEARING = "state_hearing"
    NONE = "none"


@dataclass(frozen=True)
class Finding:
    """A warning (id "Wnn") or a reason (id "Rnn") with the values its sentence needs.

    ``variant`` picks a more specific sentence of the same rule or warning in the wording
    data (looked up as "R01.cdi"); the id shown stays "R01".
    """

    id: str
    params: dict[str, Any] = field(default_factory=dict)
    variant: str | None = None


@dataclass(frozen=True)
class Missing:
    """Something the case lacks; ``verify`` items are to be checked, never blocks."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    verify: bool = False


@dataclass(frozen=True)
class Assessment:
    outcome: Outcome
    pathway: Pathway
    eligible_on: dt.date | None
    decision_days: int | None
    deadlines: dict[str, dt.date]
    warnings: list[Finding]
    reasons: list[Finding]
    missing: list[Missing]


# --- the tables of RULES.md B (numbers and groupings as data) -----------------------------
GRIEVANCE_DAYS = 30  # H&S 1368.01(a): the plan decides a grievance in 30 days
EXPEDITED_GRIEVANCE_DAYS = 3  # H&S 1368.01(b): 3 days for an expedited grievance
WINDOW_MONTHS = 6  # the IMR filing window (A1 deadlines)
SAFE_TARGET_DAYS = 180  # 0.3.4: the "safe target", never later than 6 months
SFH_DAYS = 120  # W&I 10951(b)(1): State Hearing after the NAR
AID_PAID_PENDING_DAYS = 10  # A6 step 4b
MEDI_CAL_APPEAL_DAYS = 60  # A6 step 2: appeal to the Medi-Cal plan
EIT_NOTICE_BUSINESS_DAYS = 5  # A3: the plan's IMR-EIT notice (state-office calendar)
PLAN_COMPLIANCE_BUSINESS_DAYS = 5  # H&S 1374.34(a): working days (state-office calendar)
WINDOW_CLOSING_SOON_DAYS = 30  # W03
TYPICAL_IMR_DAYS = 45  # R-MC4: DMHC's typical IMR duration (a rule of thumb, W01)

IMR_PATHWAYS = frozenset(
    {
        Pathway.IMR_STANDARD,
        Pathway.IMR_URGENT,
        Pathway.IMR_EIT_STANDARD,
        Pathway.IMR_EIT_EXPEDITED,
        Pathway.IMR_EIT_URGENT,
        Pathway.IMR_EMERGENCY_REIMBURSEMENT,
    }
)
STOP_PATHWAYS = frozenset({Pathway.NONE, Pathway.STATE_HEARING})
URGENT_PATHWAYS = frozenset({Pathway.IMR_URGENT, Pathway.IMR_EIT_URGENT})
# A1.4 (provider's recommendation or in-plan visit) is asked on the A1, A2 and A4 pathways.
PROVIDER_CHECK_PATHWAYS = frozenset(
    {Pathway.IMR_STANDARD, Pathway.IMR_URGENT, Pathway.IMR_EMERGENCY_REIMBURSEMENT}
)
DECISION_DAYS: dict[Pathway, int | None] = {
    Pathway.IMR_URGENT: 3,
    Pathway.IMR_EIT_URGENT: 3,
    Pathway.IMR_EIT_EXPEDITED: 7,
    Pathway.IMR_STANDARD: 30,
    Pathway.IMR_EMERGENCY_REIMBURSEMENT: 30,
    Pathway.IMR_EIT_STANDARD: 30,
    Pathway.CONSUMER_COMPLAINT: 30,
    Pathway.STATE_HEARING: None,
    Pathway.NONE: None,
}
# Outcomes whose eligible_on is today (B.3 "Outcome fields").
ELIGIBLE_NOW = frozenset(
    {
        Outcome.IMR_EIT_URGENT,
        Outcome.IMR_EIT_EXPEDITED,
        Outcome.IMR_EIT_STANDARD,
        Outcome.IMR_URGENT,
        Outcome.IMR_STANDARD,
        Outcome.IMR_EMERGENCY_REIMBURSEMENT,
        Outcome.CONSUMER_COMPLAINT,
        Outcome.WINDOW_CLOSED_ASK_EXTENSION,
    }
)
IMR_OUTCOMES = frozenset(  # W08
    {
        Outcome.IMR_URGENT,
        Outcome.IMR_STANDARD,
        Outcome.IMR_EMERGENCY_REIMBURSEMENT,
        Outcome.IMR_EIT_URGENT,
        Outcome.IMR_EIT_EXPEDITED,
        Outcome.IMR_EIT_STANDARD,
    }
)
ROUTE_ELSEWHERE_REGULATORS = frozenset({Regulator.CDI, Regulator.MEDICARE, Regulator.SELF_FUNDED})
STATE_HEARING_REGULATORS = frozenset({Regulator.MEDI_CAL_FFS, Regulator.NON_KK_COHS})
HEARING_FINAL = frozenset({FairHearingStatus.HELD, FairHearingStatus.DECISION_ISSUED})
HEARING_OPEN_FOR_SFH = frozenset({FairHearingStatus.NONE, FairHearingStatus.WITHDRAWN})
MED_NEC_REASONS = frozenset({DenialReason.MED_NECESSITY, DenialReason.EMERGENCY_PAYMENT_MED_NEC})
COMPLAINT_REASONS = frozenset(
    {
        DenialReason.COVERAGE_EXCLUSION,
        DenialReason.CLAIM_OR_BILLING,
        DenialReason.ACCESS_TIMELINESS,
        DenialReason.QUALITY_OTHER,
    }
)
UPHELD_OUTCOMES = frozenset({GrievanceOutcome.UPHELD, GrievanceOutcome.PARTIAL})
# R05: the EIT track follows the urgency.
EIT_TRACKS: dict[Urgency, tuple[Outcome, Pathway]] = {
    Urgency.IMMINENT_SERIOUS_THREAT: (Outcome.IMR_EIT_URGENT, Pathway.IMR_EIT_URGENT),
    Urgency.EIT_LESS_EFFECTIVE_IF_DELAYED: (Outcome.IMR_EIT_EXPEDITED, Pathway.IMR_EIT_EXPEDITED),
    Urgency.NONE: (Outcome.IMR_EIT_STANDARD, Pathway.IMR_EIT_STANDARD),
}
EIT_TRACK_VARIANTS = {
    Pathway.IMR_EIT_URGENT: "urgent",
    Pathway.IMR_EIT_EXPEDITED: "expedited",
    Pathway.IMR_EIT_STANDARD: "standard",
}

# The deadline keys of facts.md, in display order.
DEADLINE_KEYS = (
    "imr_file_by",
    "imr_safe_target",
    "imr_legal_last_day",
    "imr_file_by_from_denial",
    "plan_grievance_due",
    "unresolved_eligible_date",
    "sfh_file_by",
    "aid_paid_pending_by",
    "medi_cal_plan_appeal_by",
    "eit_notice_due",
    "plan_compliance_due",
)
# Deadlines the advocate must act on (next_deadline), in tie order. unresolved_eligible_date
# counts only while the case is not yet eligible: it is when to act next.
ACTION_KEYS = (
    "imr_file_by",
    "sfh_file_by",
    "aid_paid_pending_by",
    "medi_cal_plan_appeal_by",
    "plan_compliance_due",
    "unresolved_eligible_date",
)
WARNING_IDS = tuple(f"W{n:02d}" for n in range(1, 21))
WARNING_VARIANT_KEYS = ("W01.no_imr",)  # more specific warning sentences (wording keys)
RULE_IDS = tuple(f"R{n:02d}" for n in range(1, 17))
# Every rule sentence the engine can ask for: "Rnn" or "Rnn.variant" (wording keys).
RULE_WORDING_KEYS = (
    "R01.cdi",
    "R01.medicare",
    "R01.self_funded",
    "R01.medi_cal_ffs",
    "R01.non_kk_cohs",
    "R01.unknown",
    "R02",
    "R03.held",
    "R03.decision_issued",
    "R04",
    "R15",
    "R05.urgent",
    "R05.expedited",
    "R05.standard",
    "R06",
    "R07",
    "R08",
    "R09",
    "R09.emergency",
    "R10",
    "R10.expedited",
    "R11",
    "R11.expedited",
    "R12",
    "R12.medi_cal",
    "R13",
    "R14.urgent",
    "R14.decided",
    "R14.unresolved",
    "R14.waiting",
    "R14.no_grievance",
    "R16",
)
MISSING_KEYS = (
    "confirm_regulator",
    "eit_certification",
    "eit_two_documents",
    "denial_reason",
    "denial_letter_date",
    "provider_recommendation",
)


@dataclass
class _Verdict:
    rule: str
    outcome: Outcome
    pathway: Pathway
    variant: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    window_check: bool = False


def _rx_contradiction() -> InvalidField:
    return InvalidField(
        field=RX_FIELD,
        problem=_(
            "a Medi-Cal Rx pharmacy denial concerns Medi-Cal members only: set "
            "medi_cal.member to true or choose another denial reason"
        ),
    )


def assess(facts: Facts, today: dt.date, calendars: Calendars) -> Assessment:
    """Apply RULES.md B.2-B.4 to ``facts`` as of ``today``.

    Rules run in the order R01, R02, R03, R04, R15, R05, R06, R07, R08-R14, R16; the first
    that gives an outcome wins. R16(b) (Medi-Cal Rx for a non-member) raises
    :class:`InvalidField`, as ``parse_facts`` does before any rule.
    """
    f = facts
    g = f.grievance
    mc = f.medi_cal
    reasons: list[Finding] = []
    missing: list[Missing] = []
    applied: set[str] = set()  # rules whose effects other parts read (R04-R07)
    verdict: _Verdict | None = None
    reason = f.denial_reason

    undecided_filed = g.filed_date is not None and not g.decided
    expedited = g.expedited
    unresolved_eligible: dt.date | None = None
    grievance_due: dt.date | None = None
    if undecided_filed and g.filed_date is not None:
        unresolved_eligible = add_days(
            g.filed_date, (EXPEDITED_GRIEVANCE_DAYS if expedited else GRIEVANCE_DAYS) + 1
        )
        grievance_due = add_days(
            g.received_date or g.filed_date,
            EXPEDITED_GRIEVANCE_DAYS if expedited else GRIEVANCE_DAYS,
        )
    grievance_variant = "expedited" if expedited else None

    # R01: the agency gate.
    if f.regulator in ROUTE_ELSEWHERE_REGULATORS:
        verdict = _Verdict("R01", Outcome.ROUTE_ELSEWHERE, Pathway.NONE, f.regulator.value)
    elif f.regulator in STATE_HEARING_REGULATORS:
        verdict = _Verdict(
            "R01", Outcome.STATE_HEARING_ONLY, Pathway.STATE_HEARING, f.regulator.value
        )
    elif f.regulator == Regulator.UNKNOWN:
        reasons.append(Finding("R01", {}, "unknown"))
        missing.append(Missing("confirm_regulator"))
    # R02-R04: Medi-Cal.
    if verdict is None and mc.member and reason == DenialReason.MEDI_CAL_RX_PHARMACY:
        verdict = _Verdict("R02", Outcome.STATE_HEARING_ONLY, Pathway.STATE_HEARING)
    if verdict is None and mc.member and mc.fair_hearing_status in HEARING_FINAL:
        verdict = _Verdict(
            "R03",
            Outcome.IMR_NOT_AVAILABLE_FAIR_HEARING_FINAL,
            Pathway.STATE_HEARING,
            mc.fair_hearing_status.value,
        )
    if verdict is None and mc.member and mc.fair_hearing_status == FairHearingStatus.REQUESTED:
        applied.add("R04")
        verdict = _Verdict("R04", Outcome.IMR_NOT_AVAILABLE_HEARING_PENDING, Pathway.STATE_HEARING)
    # R15: the plan reversed itself.
    if verdict is None and g.outcome == GrievanceOutcome.OVERTURNED:
        verdict = _Verdict(
            "R15", Outcome.NO_DISPUTE, Pathway.NONE, params={"decision_date": g.decision_date}
        )
    # R05-R07: experimental or investigational therapy.
    eit = f.eit
    if (
        verdict is None
        and reason == DenialReason.EXPERIMENTAL_INVESTIGATIONAL
        and eit.life_threatening_or_seriously_debilitating
    ):
        outcome, track = EIT_TRACKS[f.urgency]
        evidence = eit.recommending_physician_is_plan_physician or eit.two_med_sci_documents
        if eit.physician_certification_present and evidence:
            applied.add("R05")
            verdict = _Verdict("R05", outcome, track, EIT_TRACK_VARIANTS[track], window_check=True)
        else:
            applied.add("R06")
            verdict = _Verdict("R06", Outcome.NOT_READY_EIT_MISSING_EVIDENCE, track)
            if not eit.physician_certification_present:
                missing.append(Missing("eit_certification"))
            if not evidence:
                missing.append(Missing("eit_two_documents"))
    effective = reason
    if (
        verdict is None
        and reason == DenialReason.EXPERIMENTAL_INVESTIGATIONAL
        and not eit.life_threatening_or_seriously_debilitating
    ):
        applied.add("R07")
        reasons.append(Finding("R07"))
        effective = DenialReason.MED_NECESSITY
    # R08: urgent, service not yet given.
    if (
        verdict is None
        and effective == DenialReason.MED_NECESSITY
        and f.urgency == Urgency.IMMINENT_SERIOUS_THREAT
        and not f.service_already_rendered
    ):
        verdict = _Verdict("R08", Outcome.IMR_URGENT, Pathway.IMR_URGENT, window_check=True)
    # R09-R12: medical necessity and emergency reimbursement.
    if verdict is None and effective in MED_NEC_REASONS:
        emergency = effective == DenialReason.EMERGENCY_PAYMENT_MED_NEC
        outcome = Outcome.IMR_EMERGENCY_REIMBURSEMENT if emergency else Outcome.IMR_STANDARD
        pathway = Pathway.IMR_EMERGENCY_REIMBURSEMENT if emergency else Pathway.IMR_STANDARD
        if g.outcome in UPHELD_OUTCOMES:
            verdict = _Verdict(
                "R09",
                outcome,
                pathway,
                "emergency" if emergency else None,
                {"decision_date": g.decision_date},
                window_check=True,
            )
        elif undecided_filed and unresolved_eligible is not None:
            params = {"filed_date": g.filed_date, "eligible_on": unresolved_eligible}
            if today >= unresolved_eligible:
                verdict = _Verdict(
                    "R10", outcome, pathway, grievance_variant, params, window_check=True
                )
            else:
                verdict = _Verdict(
                    "R11", Outcome.NOT_YET_ELIGIBLE, pathway, grievance_variant, params
                )
        else:
            verdict = _Verdict(
                "R12",
                Outcome.FILE_GRIEVANCE_FIRST,
                pathway,
                "medi_cal" if mc.member else None,
            )
    # R13: cancellation, rescission, nonrenewal.
    if verdict is None and effective == DenialReason.CANCELLATION_RESCISSION_NONRENEWAL:
        verdict = _Verdict(
            "R13", Outcome.CONSUMER_COMPLAINT, Pathway.CONSUMER_COMPLAINT, window_check=True
        )
    # R14: other consumer complaints.
    if verdict is None and effective in COMPLAINT_REASONS:
        cc = Pathway.CONSUMER_COMPLAINT
        if f.urgency == Urgency.IMMINENT_SERIOUS_THREAT and not f.service_already_rendered:
            verdict = _Verdict("R14", Outcome.CONSUMER_COMPLAINT, cc, "urgent", window_check=True)
        elif g.outcome in UPHELD_OUTCOMES:
            verdict = _Verdict(
                "R14",
                Outcome.CONSUMER_COMPLAINT,
                cc,
                "decided",
                {"decision_date": g.decision_date},
                window_check=True,
            )
        elif undecided_filed and unresolved_eligible is not None:
            params = {"filed_date": g.filed_date, "eligible_on": unresolved_eligible}
            if today >= unresolved_eligible:
                verdict = _Verdict(
                    "R14", Outcome.CONSUMER_COMPLAINT, cc, "unresolved", params, window_check=True
                )
            else:
                verdict = _Verdict("R14", Outcome.NOT_YET_ELIGIBLE, cc, "waiting", params)
        else:
            verdict = _Verdict("R14", Outcome.FILE_GRIEVANCE_FIRST, cc, "no_grievance")
    # R16: nothing matched.
    if verdict is None:
        if reason is not None:
            raise _rx_contradiction()  # R16(b): the only way here with a reason
        verdict = _Verdict("R16", Outcome.INCOMPLETE_FACTS, Pathway.NONE)
        missing.append(Missing("denial_reason"))

    outcome = verdict.outcome
    pathway = verdict.pathway
    stop = pathway in STOP_PATHWAYS
    reasons.append(Finding(verdict.rule, dict(verdict.params), verdict.variant))

    # B.2 derived values.
    deadlines: dict[str, dt.date] = {}
    if undecided_filed and not stop and grievance_due and unresolved_eligible:
        deadlines["plan_grievance_due"] = grievance_due
        deadlines["unresolved_eligible_date"] = unresolved_eligible
    eit_rule = bool(applied & {"R05", "R06"})
    if eit_rule:
        anchor = f.plan_written_decision_date  # (1)
    elif mc.member and mc.nar_date:
        anchor = mc.nar_date  # (2)
    elif g.decided:
        anchor = g.decision_date  # (3)
    elif undecided_filed and g.filed_date is not None:
        anchor = add_days(
            g.filed_date, EXPEDITED_GRIEVANCE_DAYS if expedited else GRIEVANCE_DAYS
        )  # (4)
    else:
        anchor = f.plan_written_decision_date  # (5)
    if not stop:
        if anchor is not None:
            file_by = add_months(anchor, WINDOW_MONTHS)
            deadlines["imr_file_by"] = file_by
            deadlines["imr_safe_target"] = add_days(anchor, SAFE_TARGET_DAYS)
            deadlines["imr_legal_last_day"] = roll_forward(file_by, calendars.judicial)
            first_denial = mc.noa_date or f.plan_written_decision_date
            if first_denial is not None:
                deadlines["imr_file_by_from_denial"] = add_months(first_denial, WINDOW_MONTHS)
        else:
            missing.append(Missing("denial_letter_date"))
    if mc.member and mc.fair_hearing_status in HEARING_OPEN_FOR_SFH:
        if mc.nar_date is not None:
            deadlines["sfh_file_by"] = add_days(mc.nar_date, SFH_DAYS)
            deadlines["aid_paid_pending_by"] = add_days(mc.nar_date, AID_PAID_PENDING_DAYS)
        elif grievance_due is not None and today > grievance_due:
            deadlines["sfh_file_by"] = add_days(grievance_due, SFH_DAYS)  # deemed exhaustion
    if mc.member and not g.filed and not stop:
        base = mc.noa_date or f.plan_written_decision_date
        if base is not None:
            deadlines["medi_cal_plan_appeal_by"] = add_days(base, MEDI_CAL_APPEAL_DAYS)
    if eit_rule and f.plan_written_decision_date is not None:
        deadlines["eit_notice_due"] = add_business_days(
            f.plan_written_decision_date, EIT_NOTICE_BUSINESS_DAYS, calendars.state_office
        )
    if (
        f.imr_decision_received_date is not None
        and f.imr_decision_outcome != ImrDecisionOutcome.UPHELD
    ):
        deadlines["plan_compliance_due"] = add_business_days(
            f.imr_decision_received_date, PLAN_COMPLIANCE_BUSINESS_DAYS, calendars.state_office
        )
    deadlines = {k: deadlines[k] for k in DEADLINE_KEYS if k in deadlines}

    # Window check.
    file_by_date = deadlines.get("imr_file_by")
    if verdict.window_check and file_by_date is not None and today > file_by_date:
        outcome = Outcome.WINDOW_CLOSED_ASK_EXTENSION

    if pathway in PROVIDER_CHECK_PATHWAYS and not f.provider_recommended_or_in_plan_visit:
        missing.append(Missing("provider_recommendation", verify=True))

    warnings = _warnings(f, today, outcome, pathway, deadlines, applied, calendars)
    if outcome in ELIGIBLE_NOW:
        eligible_on: dt.date | None = today
    elif outcome == Outcome.NOT_YET_ELIGIBLE:
        eligible_on = unresolved_eligible
    else:
        eligible_on = None
    return Assessment(
        outcome=outcome,
        pathway=pathway,
        eligible_on=eligible_on,
        decision_days=DECISION_DAYS[pathway],
        deadlines=deadlines,
        warnings=warnings,
        reasons=reasons,
        missing=missing,
    )


def _warnings(
    f: Facts,
    today: dt.date,
    outcome: Outcome,
    pathway: Pathway,
    d: dict[str, dt.date],
    applied: set[str],
    calendars: Calendars,
) -> list[Finding]:
    """B.4: every warning whose condition holds, in id order."""
    out: list[Finding] = []
    mc = f.medi_cal
    packet = pathway in IMR_PATHWAYS or pathway == Pathway.CONSUMER_COMPLAINT
    if "sfh_file_by" in d:
        sfh = d["sfh_file_by"]
        out.append(
            Finding(
                "W01",
                {
                    "sfh_file_by": sfh,
                    "sfh_legal_last_day": roll_forward(sfh, calendars.judicial),
                    "imr_hint": add_days(sfh, -TYPICAL_IMR_DAYS),
                },
                # R-MC4's "IMR first" hint only where an IMR is the pathway
                None if pathway in IMR_PATHWAYS else "no_imr",
            )
        )
    if "aid_paid_pending_by" in d and today <= d["aid_paid_pending_by"]:
        out.append(Finding("W02", {"aid_paid_pending_by": d["aid_paid_pending_by"]}))
    if "imr_file_by" in d:
        left = (d["imr_file_by"] - today).days
        if 0 <= left <= WINDOW_CLOSING_SOON_DAYS:
            out.append(Finding("W03", {"imr_file_by": d["imr_file_by"], "days_left": left}))
        out.append(
            Finding(
                "W04", {"imr_file_by": d["imr_file_by"], "imr_safe_target": d["imr_safe_target"]}
            )
        )
    if pathway in URGENT_PATHWAYS:
        out.append(Finding("W05"))
    if applied & {"R05", "R06"} and "eit_notice_due" in d:
        due = d["eit_notice_due"]
        notice = f.eit.plan_notice_received_date
        if today > due and (notice is None or notice > due):
            out.append(Finding("W06", {"eit_notice_due": due}))
    if "plan_grievance_due" in d and today > d["plan_grievance_due"]:
        out.append(Finding("W07", {"plan_grievance_due": d["plan_grievance_due"]}))
    if outcome in IMR_OUTCOMES:
        out.append(Finding("W08"))
    if packet:
        out.append(Finding("W09"))
    if (packet or f.imr_filed_date is not None) and not f.authorized_assistant_form_on_file:
        out.append(Finding("W10"))
    if "medi_cal_plan_appeal_by" in d:
        out.append(Finding("W11", {"medi_cal_plan_appeal_by": d["medi_cal_plan_appeal_by"]}))
    if f.denial_also_cites_contract_exclusion and pathway in IMR_PATHWAYS:
        out.append(Finding("W12"))
    if "plan_compliance_due" in d:
        out.append(Finding("W13", {"plan_compliance_due": d["plan_compliance_due"]}))
    if "R04" in applied:
        out.append(Finding("W14"))
    if "R07" in applied:
        out.append(Finding("W15"))
    if pathway in URGENT_PATHWAYS and not f.urgency_certification_present:
        out.append(Finding("W16"))
    if pathway == Pathway.CONSUMER_COMPLAINT:
        out.append(Finding("W17"))
    if f.regulator == Regulator.UNKNOWN:
        out.append(Finding("W18"))
    if mc.member and mc.fair_hearing_status == FairHearingStatus.WITHDRAWN:
        out.append(Finding("W19"))
    if "imr_file_by_from_denial" in d and d["imr_file_by_from_denial"] < d["imr_file_by"]:
        out.append(Finding("W20", {"imr_file_by_from_denial": d["imr_file_by_from_denial"]}))
    return out


def pick_next_deadline(
    outcome: str, deadlines: dict[str, dt.date], today: dt.date | None
) -> tuple[str, dt.date] | None:
    """:func:`next_deadline` over plain values (also used on a stored, rendered assessment).

    Among the deadlines the advocate acts on (``ACTION_KEYS``), the soonest that is today or
    later; when none is upcoming, ``imr_file_by`` if it applies (the window has closed:
    negative days left); otherwise none. With ``today`` None, the soonest of all.
    """
    keys = [k for k in ACTION_KEYS if k in deadlines]
    if outcome != Outcome.NOT_YET_ELIGIBLE and "unresolved_eligible_date" in keys:
        keys.remove("unresolved_eligible_date")
    upcoming = [k for k in keys if today is None or deadlines[k] >= today]
    if upcoming:
        best = min(upcoming, key=lambda k: (deadlines[k], ACTION_KEYS.index(k)))
        return best, deadlines[best]
    if "imr_file_by" in deadlines:
        return "imr_file_by", deadlines["imr_file_by"]
    return None


def next_deadline(assessment: Assessment, today: dt.date) -> tuple[str, dt.date] | None:
    """The soonest deadline the advocate must act on, for the case list (key, date).

    Upcoming dates are preferred; when the filing window has closed the result is
    ``imr_file_by`` (its days left are negative). Display-only dates (safe target, legal
    last day, the from-denial date) and the plan's own due dates are not candidates.
    """
    return pick_next_deadline(assessment.outcome, assessment.deadlines, today)
