"""Controlled vocabularies of the ledger, in one place for validation, forms and docs."""

from __future__ import annotations

RECORD_KINDS = (
    "arrest", "seizure", "vehicle_stop", "weapons_sweep", "test_purchase", "patrol",
    "warrant", "referral", "court_outcome", "engagement",
)

# Home Office offence groups (police recorded crime), plus non-notifiable matters.
OFFENCE_GROUPS = (
    "Violence against the person", "Sexual offences", "Robbery", "Theft offences",
    "Criminal damage and arson", "Drug offences", "Possession of weapons offences",
    "Public order offences", "Miscellaneous crimes", "Fraud offences", "Non-notifiable",
)

AGE_BANDS = ("under-10", "10-17", "18-24", "25-34", "35-44", "45-54", "55+", "unknown")

ARREST_OUTCOMES = (
    "pending", "charged", "released_under_investigation", "bail", "no_further_action",
    "out_of_court_resolution", "outcome_22_diversion", "cautioned", "community_resolution",
    "transferred",
)

ITEM_KINDS = ("drug", "weapon", "cash", "other")
DRUG_CLASSES = ("A", "B", "C")
DRUG_UNITS = ("g", "kg", "doses", "plants", "ml", "tablets")
WEAPON_TYPES = ("knife", "bladed_article", "machete", "firearm", "ammunition", "imitation_firearm", "other")
BLADED_WEAPON_TYPES = ("knife", "bladed_article", "machete")
WEAPON_DISPOSITIONS = ("seized", "recovered", "surrendered")

STOP_REASONS = ("anpr_hit", "intelligence", "patrol", "other")
STOP_RESULTS = ("nothing_found", "search", "arrest")

TEST_PURCHASE_RESULTS = ("pass", "fail_sale_made", "fail_intervened", "no_knives_stocked")
TEST_PURCHASE_FOLLOW_UPS = ("none", "letter", "advice", "prosecution")

PATROL_TYPES = ("hotspot_foot", "hotspot_vehicle", "high_visibility", "plain_clothes", "other")

WARRANT_TYPES = ("drugs_search", "firearms_search", "stolen_goods_search", "closure_order", "arrest", "other")
WARRANT_RESULTS = ("executed_items_found", "executed_nothing_found", "closure_granted", "closure_refused", "not_executed")

PARTNER_TYPES = ("youth_offending_service", "charity", "school", "council", "health", "housing", "other")
REFERRAL_REASONS = ("at_risk_of_exploitation", "cuckooing_victim", "wants_to_exit_offending", "diversion", "other")
REFERRAL_STATUSES = ("referred", "accepted", "declined", "engaged", "completed", "disengaged")

SENTENCE_TYPES = (
    "immediate_custody", "suspended_sentence", "community_order", "fine", "discharge",
    "youth_rehabilitation_order", "referral_order", "acquitted", "other",
)

ENGAGEMENT_TYPES = ("confidence_survey", "community_meeting", "school_session", "event", "other")

TACTIC_CATEGORIES = (
    "anpr_stops", "weapons_sweep", "test_purchase", "hotspot_patrol", "warrant", "diversion",
    "partnership", "intelligence", "other",
)
