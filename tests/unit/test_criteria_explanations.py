"""Explanations per criterion (issue #18) through the one Predictor, on SYNTHETIC data: a small model
trained with the criterion settings (ordinal statuses, monotone, no interactions) on a spec-shaped
SYNTHETIC table whose outcome follows two criteria, explaining SYNTHETIC letters from `imr synth`'s
generator. Checks: criterion and context log-odds add up to the score, each criterion once, signs agree
with met / unmet, not applicable is 0, context is never a criterion, and a what-if is the model's own
score of the flipped row."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from training_tables import tiny_table

from features.checklist import what_if_met
from features.criteria import load_criteria
from features.extractors.criteria_level import case_checklists
from features.spec import load_spec
from features.table import letter_scoring_rows
from letters.parser import parse_text
from model.explanations import checklists_for, explain_case
from model.predictor import Predictor
from tests.synthetic_letter_files import write_synthetic_letters
from training.train import TrainParams, train_model

# How a status is ranked: params.yaml's (not applicable unranked: missing, its own tree branch) and the
# earlier one (not applicable ranked with not documented). Signs must agree with the status under both.
RANKINGS = {
    "not_applicable_missing": {"unmet": 0, "not_documented": 1, "met": 2},
    "not_applicable_ranked": {"unmet": 0, "not_documented": 1, "not_applicable": 1, "met": 2},
}
RANKS = RANKINGS["not_applicable_missing"]
CRITERIA_SETTINGS = {
    "cv_folds": 2,
    "weighting": "unweighted",
    "calibration": "sigmoid",
    "select_rounds": False,
    "features": ["crit_*", "priority", "items_in_letter", "days_injury_to_ur_denial"],
    "family_prior": {"enabled": True},
    "encoder": {"ordinal": {"crit_*": RANKS}},
    "monotone": {"crit_*": 1},
    "no_interaction": ["crit_*"],
    "lgbm": {"num_boost_round": 60, "num_leaves": 4, "min_data_in_leaf": 10, "learning_rate": 0.1},
}
EPS = 1e-9
STATUS_COLUMNS = ["crit_conservative_care", "crit_objective_findings", "crit_recommended_option",
                  "crit_session_limit", "crit_repeat_study", "crit_symptom_duration"]  # fmt: skip


def _criteria_table(n_letters: int, seed: int):  # noqa: ANN202 - a DataFrame
    """tiny_table with criterion statuses that move the outcome (met raises, unmet lowers); requests a
    criterion does not apply to are overturned most often (as on real letters), so a met status sits
    below the average service and only the applying services make a fair baseline."""
    table = tiny_table(n_letters, seed=seed)
    rng = np.random.default_rng(seed)
    logit = np.full(len(table), -1.5)
    for col in STATUS_COLUMNS:
        table[col] = rng.choice(["met", "unmet", "not_documented", "not_applicable"], len(table),
                                p=[0.2, 0.2, 0.2, 0.4])
        effect = {"met": 0.8, "unmet": -0.8, "not_applicable": 3.0}
        logit += table[col].map(effect).fillna(0.0).to_numpy()
    table["overturned"] = (rng.random(len(table)) < 1 / (1 + np.exp(-logit))).astype(int)
    table["synthetic"] = False  # fitted like the real-letter recipe (the prior on these rows)
    table["letter_format"] = "dwc-2016"
    return table


@pytest.fixture(scope="module", params=sorted(RANKINGS))
def model_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    settings = {**CRITERIA_SETTINGS, "encoder": {"ordinal": {"crit_*": RANKINGS[request.param]}}}
    result = train_model(_criteria_table(250, seed=4), load_spec(), TrainParams(**settings))
    return result.model.save(tmp_path_factory.mktemp("criteria-model") / "model")


@pytest.fixture(scope="module")
def predictor(model_dir: Path) -> Predictor:
    return Predictor.load(model_dir)


@pytest.fixture(scope="module")
def letters(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """SYNTHETIC letters (the generator's text) whose services have governing sections."""
    return write_synthetic_letters(tmp_path_factory.mktemp("synthetic-letters"), 12, seed=5)


@pytest.fixture(scope="module")
def explained(predictor: Predictor, letters: list[Path]) -> list[dict]:
    """Every service of the letters explained by the model, as `imr explain --json` writes it (built once
    per model: the tests only read it)."""
    services = []
    for path in letters:
        case = parse_text(path.read_text(encoding="utf-8"), path.name)
        services += [s.model_dump(mode="json") for s in explain_case(predictor, case).services]
    return services


def test_the_model_is_monotone_and_additive_in_each_criterion(predictor: Predictor) -> None:
    model = predictor.model
    dump = model.booster.dump_model()
    columns = model.encoded_columns
    crit = {j for j, c in enumerate(columns) if c.startswith("crit_")}
    assert crit, "the criterion columns are model inputs, one rank column each"
    for tree in dump["tree_info"]:
        used: set[int] = set()
        stack = [tree["tree_structure"]]
        while stack:
            node = stack.pop()
            if "split_feature" in node:
                used.add(node["split_feature"])
                stack += [node["left_child"], node["right_child"]]
        assert not used & crit or len(used) == 1, "a tree splitting on a criterion splits on nothing else"
    # a higher status never lowers the likelihood, whatever the other inputs
    row = {name: None for name in model.spec.names}
    row.update(priority="standard", items_in_letter=2.0, service_family="medication")
    for col in STATUS_COLUMNS:
        probs = predictor.predict_proba([{**row, col: s} for s in ("unmet", "not_documented", "met")])
        assert probs[0] <= probs[1] <= probs[2], col


def test_criteria_and_context_add_up_each_criterion_once_signs_agree(explained: list[dict]) -> None:
    services = explained
    with_section = [s for s in services if s["governing_guideline"] is not None]
    assert len(with_section) >= 10
    statuses = {c["status"] for s in with_section for c in s["checklist"]}
    assert {"met", "unmet", "not_documented"} <= statuses
    effects = 0
    for s in services:
        ids = [c["criterion_id"] for c in s["checklist"]]
        assert len(ids) == len(set(ids)), "a criterion appears once per service"
        parts = sum(c["log_odds"] for c in s["checklist"]) + sum(c["log_odds"] for c in s["context"])
        assert parts == pytest.approx(s["raw_score"] - s["expected_value"], abs=1e-6)
        for c in s["checklist"]:
            if c["status"] == "not_applicable":
                assert c["log_odds"] == 0.0
            if c["status"] == "met":
                assert c["log_odds"] >= -EPS, c
            if c["status"] == "unmet":
                assert c["log_odds"] <= EPS, c
            effects += abs(c["log_odds"]) > 1e-6
        # context is never a criterion: no criterion id, no feature behind an applicable criterion
        assert not {x["feature"] for x in s["context"]} & set(ids)
        assert all(x["note"] for x in s["context"])
    assert effects > 0, "the criteria carry some of the score"


def test_signs_agree_when_the_model_also_reads_the_facts_behind_a_criterion(
    letters: list[Path], tmp_path: Path
) -> None:
    """The SYNTHETIC demo recipe reads the facts behind the criteria on their own too. Here failed care
    "yes" lowers the outcome while a met failed-care criterion raises it: summed into the criterion (before
    session 22), the fact's share turned met criteria against their status. The criterion is its status
    column's share; the fact is a context item naming it."""
    table = _criteria_table(250, seed=6)
    table["overturned"] = np.where(table["failed_conservative_care"] == "yes", 0, table["overturned"])
    settings = {**CRITERIA_SETTINGS, "features": [*CRITERIA_SETTINGS["features"], "failed_conservative_care",
                                                  "sessions_requested"]}
    model = train_model(table, load_spec(), TrainParams(**settings)).model
    predictor = Predictor.load(model.save(tmp_path / "model"))
    signed = fed = 0
    for path in letters:
        case = parse_text(path.read_text(encoding="utf-8"), path.name)
        for s in explain_case(predictor, case).services:
            if s.governing_guideline is None:
                continue
            for c in s.checklist:
                if c.status in ("met", "unmet"):
                    signed += 1
                    assert (c.log_odds >= -EPS) if c.status == "met" else (c.log_odds <= EPS), c
            for x in s.context:
                if x.feature in ("failed_conservative_care", "sessions_requested") and "reads" in x.note:
                    fed += 1
    assert signed >= 10 and fed > 0, (signed, fed)


def test_not_applicable_criteria_go_to_context_with_log_odds_zero(predictor: Predictor) -> None:
    """A criterion whose applicability fails is listed with log-odds 0; its status column's share is part
    of the one context item of which criteria apply to this kind of request."""
    from model.criteria_explanations import APPLICABILITY

    explainer = predictor.criteria
    table = load_criteria()
    section = next(s for s in table.sections.values() if any(table.criteria[c].applies for c in s.criteria))
    crit = next(table.criteria[c] for c in section.criteria if table.criteria[c].applies)
    from features.checklist import CheckItem, ServiceChecklist
    from features.criteria import Citation

    citation = Citation(guideline="MTUS", edition="2009", chapter="SYNTHETIC", section="SYNTHETIC")
    item = CheckItem(criterion_id=crit.id, criterion=crit.phrase, family=crit.family, citation=citation,
                     status="not_applicable")  # fmt: skip
    checklist = ServiceChecklist(item_index=0, service="SYNTHETIC service", section_id=section.id,
                                 governing_guideline=citation, summary="SYNTHETIC",
                                 checklist=[item])  # fmt: skip
    column = table.family_columns[crit.family]
    row = {name: None for name in predictor.spec.names} | {column: "not_applicable", "priority": "standard"}
    values = np.zeros((1, len(predictor.model.encoded_columns)))
    values[0, predictor.model.encoded_columns.index(column)] = 0.25  # a share on the status column
    lacking = next(table.family_columns[f] for f in table.family_columns
                   if f not in {table.criteria[c].family for c in section.criteria}
                   and table.family_columns[f] in predictor.model.encoded_columns)  # fmt: skip
    values[0, predictor.model.encoded_columns.index(lacking)] = -0.05  # a family the section lacks
    from model.row_columns import RecordColumns

    (part,) = explainer.explain(values, RecordColumns([row]), [checklist])
    assert part["checklist"][0]["log_odds"] == 0.0
    assert not [c for c in part["context"] if c["feature"] in (column, lacking)]  # no items of their own
    (ctx,) = [c for c in part["context"] if c["feature"] == APPLICABILITY]
    assert ctx["log_odds"] == pytest.approx(0.20) and ctx["value"] == 0
    assert "which of the guideline's criteria apply" in ctx["note"]


def test_a_what_if_is_the_models_own_score_of_the_flipped_row(
    predictor: Predictor, letters: list[Path]
) -> None:
    table = load_criteria()
    seen = 0
    for path in letters:
        case = parse_text(path.read_text(encoding="utf-8"), path.name)
        scored = letter_scoring_rows(case, predictor.spec)
        rows, evidence, checklists = scored.rows, scored.evidence, checklists_for(scored)
        explained = predictor.explain(rows, evidence, checklists=checklists)
        for row, cl, s in zip(rows, checklists, explained, strict=True):
            pending = [c for c in cl.checklist if c.status == "not_documented"] if cl else []
            by_id = {w["criterion_id"]: w for w in s.get("what_if", [])}
            gains = [w["change"] for w in s.get("what_if", [])]
            assert gains == sorted(gains, reverse=True), "largest rise first"
            for item in pending:
                flipped = what_if_met(table, row, cl, item.criterion_id)
                if flipped is None:
                    assert item.criterion_id not in by_id
                    continue
                w = by_id[item.criterion_id]
                p = float(predictor.predict_proba([flipped])[0])
                assert w["likelihood_if_met"] == pytest.approx(p, abs=1e-12)
                assert w["change"] == pytest.approx(p - s["overturn_likelihood"], abs=1e-12)
                assert "what-if" in w["label"]
                # the criterion's status column moves up one rank and nothing the model reads moves down:
                # with a monotone, additive criterion the likelihood cannot fall
                assert w["change"] >= -1e-12
                seen += 1
    assert seen >= 5


def test_explain_json_contract_on_a_synthetic_letter(model_dir: Path, letters: list[Path]) -> None:
    """`imr explain --json`: the list of letters with services; per service `governing_guideline`,
    `checklist` and `context` with every key and type of the contract."""
    from typer.testing import CliRunner

    from imr_triage.cli import app

    result = CliRunner().invoke(
        app, ["explain", *map(str, letters[:4]), "--json", "--model", str(model_dir)]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert isinstance(payload, list) and len(payload) == 4
    cite_keys = {"guideline", "edition", "chapter", "section", "pages"}
    n_checked = 0
    for letter in payload:
        assert {"letter_id", "model", "services"} <= set(letter)
        assert set(letter["model"]) >= {"version", "trained_on", "validated_on_real"}
        for s in letter["services"]:
            g = s["governing_guideline"]
            strings = cite_keys - {"pages"}
            assert g is None or (set(g) == cite_keys and all(isinstance(g[k], str) for k in strings))
            assert isinstance(s["checklist"], list) and isinstance(s["context"], list)
            for c in s["checklist"]:
                assert set(c) == {"criterion_id", "criterion", "citation", "status", "evidence", "log_odds"}
                assert isinstance(c["criterion_id"], str) and isinstance(c["criterion"], str)
                assert set(c["citation"]) == cite_keys
                assert c["citation"]["pages"] is None or isinstance(c["citation"]["pages"], str)
                assert c["status"] in ("met", "unmet", "not_documented", "not_applicable")
                assert isinstance(c["log_odds"], float)
                for e in c["evidence"]:
                    assert set(e) == {"text", "section", "start", "end", "author"}
                    assert isinstance(e["text"], str) and e["text"]
                    assert e["section"] is None or isinstance(e["section"], str)
                    assert e["author"] is None or isinstance(e["author"], str)
                    assert isinstance(e["start"], int) and isinstance(e["end"], int) and e["start"] < e["end"]
                n_checked += 1
            for x in s["context"]:
                assert set(x) == {"feature", "value", "log_odds", "note"}
                assert isinstance(x["feature"], str) and isinstance(x["log_odds"], float)
                assert isinstance(x["note"], str) and x["note"]
                assert x["value"] is None or isinstance(x["value"], float | bool | str)
    assert n_checked > 0


def test_evidence_offsets_index_the_named_section_of_the_letter(letters: list[Path]) -> None:
    """start/end point into the text of the section they name (the parsed letter's section text)."""
    n = 0
    for path in letters:
        case = parse_text(path.read_text(encoding="utf-8"), path.name)
        for cl in case_checklists(case):
            heading = {s.item_index: s.heading for s in case.services}[cl.item_index]
            for item in cl.checklist:
                for e in item.evidence:
                    text = case.clinical_summary if e.section == "clinical_summary" else None
                    if e.section == "service_heading":
                        assert e.text.strip() in heading or e.text.strip() in cl.service
                        continue
                    if text is not None:
                        assert text[e.start : e.end] == e.text
                        n += 1
    assert n > 0



def test_the_text_score_is_its_own_context_factor_beside_the_criteria(letters: list[Path]) -> None:
    """The stack's shape (issue #23): criterion settings plus the text score (monotone +1). The score is one
    context item worded as similar case descriptions, never a criterion, and never dropped: its item
    holds its whole TreeSHAP share wherever that share is not zero."""
    from model.text_signal import TEXT_FEATURE

    table = _criteria_table(250, seed=6)
    rng = np.random.default_rng(6)
    lean = np.where(table["overturned"].to_numpy() == 1, rng.random(len(table)) < 0.85,
                    rng.random(len(table)) < 0.1)  # fmt: skip
    table["summary_text"] = np.where(lean, "SYNTHETIC swelling after a fall", "SYNTHETIC chronic aching")
    table["service_text"], table["ur_guideline_text"] = "SYNTHETIC therapy", "SYNTHETIC MTUS"
    settings = CRITERIA_SETTINGS | {"text_signal": {"enabled": True}}
    predictor = Predictor(train_model(table, load_spec(), TrainParams(**settings)).model)
    columns = predictor.model.encoded_columns
    constraints = predictor.model.booster.dump_model()["monotone_constraints"]
    assert constraints[columns.index(TEXT_FEATURE)] == 1
    assert all(constraints[j] == 1 for j, c in enumerate(columns) if c.startswith("crit_"))
    shown = 0
    for path in letters:
        case = parse_text(path.read_text(encoding="utf-8"), path.name)
        scored = letter_scoring_rows(case, predictor.model.input_spec)
        rows, evidence = scored.rows, scored.evidence
        explained = predictor.explain(rows, evidence, checklists=checklists_for(scored))
        share = predictor.contributions(rows).values[:, columns.index(TEXT_FEATURE)]
        for s, own in zip(explained, share, strict=True):
            if s["checklist"] is None:
                continue
            assert TEXT_FEATURE not in {c["criterion_id"] for c in s["checklist"]}
            items = [x for x in s["context"] if x["feature"] == TEXT_FEATURE]
            if abs(own) <= 1e-12:
                continue
            (item,) = items
            assert item["log_odds"] == pytest.approx(own, abs=1e-9)
            assert "similar case descriptions" in item["note"].lower() and "not a guideline" in item["note"]
            shown += 1
    assert shown > 0, "the text score carries some of the score"


def test_a_criterion_is_its_status_column_and_the_facts_behind_it_are_context() -> None:
    """Grouping without a model: a criterion's log-odds is its status column's (the one feature whose
    direction the guideline fixes, so it agrees with the status); the facts it reads, which a model may also
    weigh on their own, are one context item each naming the criterion; a procedural feature and a derived
    prior column stay context, each on its own."""
    from features.checklist import CheckItem, ServiceChecklist
    from features.criteria import Citation
    from model.criteria_explanations import CriteriaExplainer
    from model.row_columns import RecordColumns

    table = load_criteria()
    section = next(s for s in table.sections.values() if "conservative_care_failed" in s.criteria)
    features = ["crit_conservative_care", "failed_conservative_care", "priority", "service_family"]
    columns = ["crit_conservative_care", "failed_conservative_care__yes", "failed_conservative_care__no",
               "priority__standard", "service_family__medication", "family_prior"]  # fmt: skip
    owners = [*features[:2], "failed_conservative_care", "priority", "service_family", "service_family"]

    class Prior:  # a derived column, as model.derived_columns.FamilyPriorColumn reports it
        kind, name, feature = "family_prior", "family_prior", "service_family"

        def values(self, cols):  # noqa: ANN001, ANN202
            return np.full(cols.n, -2.0)

    explainer = CriteriaExplainer(features, columns, owners, [Prior()], table)
    citation = Citation(guideline="MTUS", edition="2009", chapter="SYNTHETIC", section="SYNTHETIC")
    items = [CheckItem(criterion_id=c.id, criterion=c.phrase, family=c.family, citation=citation,
                       status="met" if c.id == "conservative_care_failed" else "not_documented")
             for c in table.section_criteria(section)]  # fmt: skip
    checklist = ServiceChecklist(item_index=0, service="SYNTHETIC", section_id=section.id,
                                 governing_guideline=citation, summary="SYNTHETIC",
                                 checklist=items)  # fmt: skip
    # the fact behind the met criterion lowers the score: summed in, the met criterion would lower it too
    values = np.array([[0.2, -0.6, 0.05, -0.1, 0.4, -0.7]])
    row = {"crit_conservative_care": "met", "failed_conservative_care": "yes", "priority": "standard",
           "service_family": "medication"}  # fmt: skip
    (part,) = explainer.explain(values, RecordColumns([row]), [checklist])
    crit = next(c for c in part["checklist"] if c["criterion_id"] == "conservative_care_failed")
    assert crit["log_odds"] == pytest.approx(0.2)
    context = {c["feature"]: c for c in part["context"]}
    assert set(context) == {"priority", "service_family", "family_prior", "failed_conservative_care"}
    fact = context["failed_conservative_care"]
    assert fact["log_odds"] == pytest.approx(-0.6 + 0.05)  # its encoded columns, one item
    assert crit["criterion"] in fact["note"] and "context" in fact["note"]
    assert context["family_prior"]["log_odds"] == pytest.approx(-0.7)
    assert context["family_prior"]["value"] == pytest.approx(1 / (1 + np.exp(2.0)))  # the prior rate
    assert context["service_family"]["log_odds"] == pytest.approx(0.4)  # its one-hot, not the prior
    assert [c["feature"] for c in part["context"]] == [
        "family_prior", "failed_conservative_care", "service_family", "priority"]


def test_criteria_that_apply_is_one_context_item_counting_the_applying_criteria(
    predictor: Predictor, explained: list[dict]
) -> None:
    """The applying criteria's baselines are one context item, never a criterion, worded for the page."""
    from model.criteria_explanations import APPLICABILITY, load_notes
    from serving.plain_reasons import value_text

    baselines = predictor.status_baselines()
    assert baselines and all(name.startswith("crit_") for name in baselines)
    seen = 0
    for s in explained:
        items = [c for c in s["context"] if c["feature"] == APPLICABILITY]
        assert len(items) <= 1
        for c in items:
            seen += 1
            assert c["value"] == sum(x["status"] != "not_applicable" for x in s["checklist"])
            assert c["note"] == load_notes().kinds["applicability"]
            assert value_text(c["feature"], c["value"]).startswith("Guideline criteria that apply")
    if max((abs(b) for b in baselines.values()), default=0.0) > 1e-3:
        assert seen > 0, "a model whose status columns have baselines shows them as context"
