"""The service taxonomy on SYNTHETIC headings: every synonym and lexicon row reaches its type (as written,
in the plural, in another word order), plurals and the word fallback carry headings no row names, and the
tables refuse bad rows with a one-line error."""

from __future__ import annotations

import copy
import math
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from package_tables import LOADER
from row_checks import check_rows

from features.drug_lexicon import load_lexicon, parse_lexicon
from features.heading_tokens import lemma, singular, tokenize
from features.service_families import (
    OTHER_FAMILY,
    UNKNOWN_TYPE,
    VIA_FALLBACK,
    VIA_RESPELLED,
    VIA_WORD_ENDING,
    build_taxonomy,
    load_taxonomy,
)
from features.text_patterns import ascii_lower

REPO = Path(__file__).resolve().parents[2]
DATA: dict[str, Any] = yaml.load(
    resources.files("features").joinpath("service_taxonomy.yaml").read_text(encoding="utf-8"), Loader=LOADER)
LEXICON = load_lexicon()
# How a heading carries each qualifier: (before the term, after it)
QUALIFIER_EXAMPLE = {"pre_op": ("Pre-op ", ""), "course": ("", ", 2 times a week for 4 weeks"),
                     "body_part": ("Lumbar spine ", ""), "views": ("", ", 2 views"),
                     "stay_days": ("", " x 2 days"), "post_op": ("Post-op ", "")}


def _qualifier_example(entry: dict[str, Any]) -> tuple[str, str]:
    """How a heading carries the entry's qualifier (the first, where it names a list of them)."""
    names = entry.get("requires", [])
    names = [names] if isinstance(names, str) else names
    return QUALIFIER_EXAMPLE[names[0]] if names else ("", "")


def _plural(word: str) -> str:
    """The regular English plural, as a letter writer would type it."""
    if word.endswith("is"):
        return word[:-2] + "es"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def _variants(term: str) -> list[str]:
    """The term as written, Title Case, with its last word in the plural, and with its words reversed."""
    words = term.split()
    out = [term, term.title()]
    last = words[-1]
    if last.isalpha() and len(last) > 3 and not last.endswith(("s", "us")):
        out.append(" ".join([*words[:-1], _plural(last)]))
    if len(words) > 1:
        out.append(" ".join(reversed(words)))
    return out


def _entry_terms(entry: dict[str, Any]) -> list[str]:
    """The entry's terms and the terms its `pairs` make (each word of the first list with each of the
    second)."""
    pairs = entry.get("pairs", [[], []])
    return [*entry["terms"], *(f"{a} {b}" for a in pairs[0] for b in pairs[1])]


TERM_ROWS = [(entry, term) for entry in DATA["types"] for term in _entry_terms(entry)]


def test_every_synonym_reaches_its_type() -> None:
    check_rows(TERM_ROWS, _synonym_reaches_its_type,
               name=lambda entry, term: f"{entry['family']}/{entry['type']}:{term}")


def _synonym_reaches_its_type(entry: dict[str, Any], term: str) -> None:
    tax = load_taxonomy()
    prefix, suffix = _qualifier_example(entry)
    for heading in _variants(str(term)):
        c = tax.classify(prefix + heading + suffix)
        assert (c.family, c.type) == (entry["family"], entry["type"]), prefix + heading + suffix
        assert c.start is not None and c.end is not None and c.start < c.end


def test_a_qualified_synonym_needs_its_qualifier() -> None:
    """"Labs" is a lab test; only "Pre-op labs" is pre-operative testing."""
    tax = load_taxonomy()
    assert tax.classify("Labs").type == "lab_test"
    assert tax.classify("Pre-op labs").type == "pre_op_testing"
    assert tax.classify("Preoperative CBC").type == "pre_op_testing"
    assert tax.classify("Visit").type == "office_visit"
    assert tax.classify("Pre-op visit").type == "medical_clearance"


# SYNTHETIC headings and the (family, type) the taxonomy gives each, one named table per kind
HEADING_KINDS: dict[str, list[tuple[str, str, str]]] = {
    "ultrasound": [
        # a course (a frequency or a number of sessions) turns the bare word into a therapeutic modality; a
        # named injection still wins over its ultrasound guidance
        ("Ultrasound of the right shoulder", "imaging", "ultrasound"),
        ("Diagnostic ultrasound, 2 views", "imaging", "ultrasound"),
        ("Ultrasound 1 times 8", "physical_medicine", "modality"),
        ("Ultrasound twice a week for 4 weeks", "physical_medicine", "modality"),
        ("Ultrasound, lumbar spine, 6 visits", "physical_medicine", "modality"),
        ("Ultrasound guided injection, right shoulder, 2 sessions", "injection", "joint"),
    ],
    "plural": [  # plural headings reach the singular type
        ("Braces", "dme", "brace"),
        ("Wrist wraps", "dme", "brace"),
        ("Crutches", "dme", "mobility_aid"),
        ("Hearing aids", "dme", "hearing_aid"),
        ("Orthoses", "dme", "brace"),
        ("SSEPs", "electrodiagnostics", "evoked_potentials"),
        ("MRIs of the knee", "imaging", "mri"),
        ("X-Rays", "imaging", "xray"),
        ("Injections", "injection", "injection_other"),
        ("Lidoderm patches", "medication", "topical"),
        ("Creams", "medication", "topical"),
        ("Aquatic therapies", "physical_medicine", "aquatic_therapy"),
        ("Nerve conduction studies", "electrodiagnostics", "ncv"),
        ("Urine drug screens", "lab", "drug_screen"),
        ("Functional capacity evaluations", "functional_program", "fce"),
    ],
    "precedence": [  # which words win when a heading names more than one service
        # the service is named before "with", "for", "to", ...
        ("Consultation with a spine surgeon about a lumbar fusion", "consultation",
         "specialist_consult"),
        ("Post-op physical therapy after knee arthroscopy", "physical_medicine", "physical_therapy"),
        ("Acupuncture, 8 visits, with a capsaicin patch", "physical_medicine", "acupuncture"),
        ("Lumbar X-rays (at the follow-up appointment)", "imaging", "xray"),
        # a procedure outranks the drug it delivers and the imaging that guides it
        ("Injection of bupivacaine 0.5% and triamcinolone into the left shoulder", "injection", "joint"),
        ("Ultrasound-guided injection", "injection", "injection_other"),
        ("Lumbar epidural steroid injection under fluoroscopy", "injection", "epidural"),
        # a discipline outranks a modality; a device outranks the modality it delivers
        ("Infrared acupuncture, 6 visits", "physical_medicine", "acupuncture"),
        ("Electrical stimulation unit", "dme", "tens"),
        ("Ultrasound therapy", "physical_medicine", "modality"),
        ("Ultrasound of the shoulder", "imaging", "ultrasound"),
        # drugs: topical forms, patches of systemic drugs, combination products
        ("Tramadol 8% cream", "medication", "topical"),
        ("Fentanyl 25mcg/hr patch", "medication", "opioid"),
        ("Scopolamine patch", "medication", "antiemetic_laxative"),
        ("Naproxen/esomeprazole 500/20mg", "medication", "nsaid"),
        ("APAP/codeine 300/30mg", "medication", "opioid"),
        ("Soma compound", "medication", "muscle_relaxant"),
        ("Gel-One injection", "injection", "viscosupplementation"),
    ],
    "drug_forms_and_programmes": [  # probe kinds: drug forms and named programmes
        ("AndroGel 1.62%", "medication", "hormone"),  # a hormone gel is no topical analgesic
        ("Testosterone gel 1%", "medication", "hormone"),
        ("Ketoprofen 10% gel", "medication", "topical"),  # an analgesic gel is
        ("Weight Watchers x 12 weeks", "functional_program", "weight_loss"),
        ("HELP interdisciplinary pain program", "functional_program", "functional_restoration"),
        ("Suboxone 8mg/2mg film #60", "medication", "opioid"),  # a drug's film, not an x-ray film
        ("Lumbar spine films", "imaging", "xray"),
        ("Bone density scan", "imaging", "dexa"),  # not a bone scan
        ("Lantus 100 units/ml", "medication", "diabetes"),
        ("Levothyroxine 50 mcg", "medication", "hormone"),
    ],
    "self_injected": [  # a self-injected drug is a medication; an injection procedure is not
        # SYNTHETIC: a drug patients inject on prescription is a medication; "injection" names its form
        ("Lovenox 40mg injections #14", "medication", "anticoagulant"),
        ("Enoxaparin injection x 14 days post-op", "medication", "anticoagulant"),
        ("Testosterone cypionate injections", "medication", "hormone"),
        ("Insulin injections", "medication", "diabetes"),
        ("Sumatriptan injection #4", "medication", "migraine"),
        # near-misses: an injection procedure names its site or kind, whatever drug it carries
        ("Cortisone injection right knee", "injection", "joint"),
        ("Depo-Medrol injection right shoulder", "injection", "joint"),
        ("Toradol injection IM", "injection", "intramuscular"),
        ("B12 injections", "injection", "intramuscular"),
        ("Trigger point injections with lidocaine", "injection", "trigger_point"),
    ],
    "tendon_release": [  # a tendon release is no nerve release
        # SYNTHETIC: tendon-sheath releases are operations of their own, not nerve releases
        ("Right trigger finger release", "surgery", "surgery_other"),
        ("Trigger thumb release, left", "surgery", "surgery_other"),
        ("De Quervain's release left wrist", "surgery", "surgery_other"),
        # near-misses: nerve releases stay nerve releases
        ("Right carpal tunnel release", "surgery", "nerve_release"),
        ("Cubital tunnel release left elbow", "surgery", "nerve_release"),
    ],
    "hospital_stay": [  # a hospital stay is its own request
        # SYNTHETIC: the days in hospital an operation needs are a request of their own
        ("Inpatient hospital stay x3 days", "surgery", "hospital_stay"),
        ("Post-operative hospital stay x 2 days following L4-5 fusion", "surgery", "hospital_stay"),
        ("Inpatient stay x1 day", "surgery", "hospital_stay"),
        # near-misses: rehabilitation and day programmes are not a hospital stay
        ("Inpatient rehabilitation x 10 days", "physical_medicine", "inpatient_rehab"),
        ("Inpatient rehabilitation stay x 14 days", "physical_medicine", "inpatient_rehab"),
        ("Inpatient rehabilitation 14 days", "physical_medicine", "inpatient_rehab"),
        ("Partial hospitalization program x 10 days", "functional_program", "partial_hospitalization"),
        ("Day hospital program", "functional_program", "partial_hospitalization"),
    ],
    "named_psychotherapy": [
        # SYNTHETIC headings of blind probe rounds 10 and 12's kind: a named psychotherapy fell to the
        # `physical_medicine_other` fallback, so its prior sessions were not read
        ("Cognitive processing therapy x8 sessions", "consultation", "psych_evaluation"),
        ("Group pain coping skills sessions x6", "consultation", "psych_evaluation"),
        ("Prolonged exposure therapy x12 sessions", "consultation", "psych_evaluation"),
        ("Cognitive therapy 6 sessions", "consultation", "psych_evaluation"),
    ],
    "an_abbreviation_read_by_the_word_before_it": [
        # SYNTHETIC headings of blind probe round 19's kind: "Ctr" after a facility word is a center, not a
        # carpal tunnel release; alone, or after a side or a marker, it is still the operation
        ("Follow-up visit at Valley Medical Ctr", "consultation", "office_visit"),
        ("Consultation at the Sports Rehab Ctr", "consultation", "specialist_consult"),
        ("Right CTR", "surgery", "nerve_release"),
        ("Left ECTR", "surgery", "nerve_release"),
        ("Post-op physical therapy s/p right CTR x 12", "physical_medicine", "physical_therapy"),
    ],
    "an_injection_word_without_a_body_part_names_no_joint": [
        # SYNTHETIC headings of blind heading probe round 7's kind: the bare injection words are a joint
        # injection only beside the part injected; a self-injected drug's form stays the drug
        ("Injection x1", "injection", "injection_other"),
        ("One shot, office administered", "injection", "injection_other"),
        ("Buprenorphine extended-release monthly injection", "injection", "injection_other"),
        ("Left shoulder injection", "injection", "joint"),
        ("Hip shot under fluoroscopy", "injection", "joint"),
        ("Enoxaparin injections 40 mg #10", "medication", "anticoagulant"),
    ],
    "a_route_or_provider_word_beside_the_service": [
        # SYNTHETIC: "IM" after a drug is an intramuscular injection (as "Toradol injection" is); a nurse
        # practitioner or physician assistant is a visit, not home nursing
        ("Ketorolac 30 mg IM x1", "injection", "intramuscular"),
        ("Depo-Medrol 80mg IM today", "injection", "intramuscular"),
        ("Follow-up with the nurse practitioner in 4 weeks", "consultation", "office_visit"),
        ("Nurse practitioner visit by video", "consultation", "office_visit"),
        ("Physician assistant recheck", "consultation", "office_visit"),
        ("Home nurse visits 2x/week", "home_health", "home_health"),
    ],
    "an_abbreviated_or_misspelled_test_drug_or_injection": [
        # SYNTHETIC: short abbreviations and a transposed or misspelled word the respelling cannot reach
        ("NVC right upper extremity", "electrodiagnostics", "ncv"),
        ("Bilateral lower extremity EMG / NVC", "electrodiagnostics", "emg_ncv"),
        ("MSK US of the left elbow", "imaging", "ultrasound"),
        ("MSK ultrasound, right ankle", "imaging", "ultrasound"),
        ("Lumbar facit block L3-4", "injection", "facet"),
        ("HC/APAP 7.5/325 mg #90", "medication", "opioid"),
        ("HC / APAP 5-325 one tablet q6h", "medication", "opioid"),
    ],
    "a_place_of_care_named_beside_the_service": [
        # SYNTHETIC: a word a place word follows names where the service is given; a rehabilitation hospital
        # or acute rehab facility stay is inpatient rehabilitation, not an operation's hospital stay
        ("Surgery center facility fee for right knee arthroscopy", "surgery", "arthroscopy"),
        ("Spine surgery center consultation", "consultation", "specialist_consult"),
        ("Surgery center", "surgery", "surgery_other"),
        ("Rehabilitation hospital admission after a fall", "physical_medicine", "inpatient_rehab"),
        ("Admission to an acute rehab facility, 10 days", "physical_medicine", "inpatient_rehab"),
        ("Inpatient stay 2 days for L5-S1 fusion", "surgery", "hospital_stay"),
    ],
    "no_named_drug_or_test_but_its_form_or_sample": [
        # SYNTHETIC: an unknown drug given as drops, an unknown test on a biopsy: their family, not other
        ("Zqxoprost ophthalmic drops, one each eye", "medication", "medication_other"),
        ("Zqx eye drops nightly", "medication", "medication_other"),
        ("Zqx punch biopsy of the calf", "lab", "lab_other"),
    ],
    "an_artificial_limbs_repair_is_equipment": [
        # SYNTHETIC (session 45, rounds 107 and 113): the repair or replacement of an artificial limb is DME,
        # not the generic "repair" of an operation; an operation named beside a joint implant keeps its type,
        # a repair of the body stays surgery; "myoelectric" alone names no limb (a stimulator here); a
        # "prosthetic knee" alone may be a joint implant, so its operation stays surgery
        ("Myoelectric hand prosthesis repair, right", "dme", "dme_other"),
        ("C-Leg knee unit repair", "dme", "dme_other"),
        ("Repair of left prosthetic leg", "dme", "dme_other"),
        ("Replacement of transtibial prosthesis socket", "dme", "dme_other"),
        ("Prosthesis repair, left arm", "dme", "dme_other"),
        ("Revision of left total knee arthroplasty", "surgery", "joint_replacement"),
        ("Prosthetic knee revision surgery", "surgery", "surgery_other"),
        ("Right rotator cuff repair", "surgery", "surgery_other"),
        ("Myoelectric stimulation unit", "dme", "tens"),
    ],
}


def test_each_heading_reaches_its_family_and_type() -> None:
    rows = [(kind, *row) for kind, rows in HEADING_KINDS.items() for row in rows]
    check_rows(rows, lambda _kind, *row: _reaches(*row), name=lambda kind, heading, *_: f"{kind}-{heading}")


def _reaches(heading: str, family: str, type_: str) -> None:
    """The check of each (heading, family, type) table here."""
    c = load_taxonomy().classify(heading)
    assert (c.family, c.type) == (family, type_), heading


def _drug_type(row: Any) -> str:
    return DATA["medication"]["classes"][row.drug_class]


def test_every_drug_name_reaches_its_class_type() -> None:
    names = [(r,) for r in LEXICON if not r.is_stem]
    check_rows(names, _drug_name_reaches_its_class_type, name=lambda r: r.name)


def _drug_name_reaches_its_class_type(row: Any) -> None:
    tax = load_taxonomy()
    headings = (f"{row.name} 10mg #60", f"{row.name.upper()} 10 mg, 60 tablets", f"Retrospective {row.name}")
    for heading in headings:
        c = tax.classify(heading)
        assert (c.family, c.type) == ("medication", _drug_type(row)), heading


def test_every_name_stem_places_an_unknown_generic_name() -> None:
    """A generic name nobody listed ("zqxcodone") gets its class from its USAN stem."""
    stems = [(r,) for r in LEXICON if r.is_stem]
    check_rows(stems, _stem_places_an_unknown_generic_name, name=lambda r: r.name)


def _stem_places_an_unknown_generic_name(row: Any) -> None:
    tax = load_taxonomy()
    c = tax.classify(f"Zqx{row.name[1:]} 5 mg tablets")
    assert (c.family, c.type, c.via) == ("medication", _drug_type(row), VIA_WORD_ENDING)


def test_a_brand_and_its_generic_land_in_the_same_family() -> None:
    """Brand -> first ingredient of `contains`; where the lexicon lists that generic, both are medications
    of the same type unless the product is sold as another class (diphenhydramine kits sold as sleep aids)."""
    tax = load_taxonomy()
    names = {r.name: r for r in LEXICON}
    pairs = 0
    for r in LEXICON:
        first = re.split(r"[/ ]", r.contains)[0] if r.contains else ""
        if r.kind not in ("brand", "compound") or first not in names:
            continue
        brand, generic = tax.classify(f"{r.name} 10mg"), tax.classify(f"{first} 10mg")
        assert brand.family == generic.family == "medication", r.name
        if r.drug_class == names[first].drug_class:
            assert brand.type == generic.type, r.name
        pairs += 1
    assert pairs > 100


def test_an_ing_word_reads_as_its_known_stem_even_when_the_table_knows_it_too() -> None:
    # "testing" is a table word ("muscle testing") and so is "test" ("genetic test"): both forms are one
    vocabulary = {"test", "testing", "imaging", "image", "brace"}
    assert [lemma(w, vocabulary=vocabulary) for w in ("testing", "tests", "imagings", "bracing", "ring")] == [
        "test", "test", "image", "brace", "ring"]
    assert load_taxonomy().classify("Genetic testing").type == "lab_test"


def test_singular_follows_the_regular_rules_and_keeps_abbreviations() -> None:
    assert [singular(w) for w in ("braces", "therapies", "patches", "orthoses", "boxes", "crutches",
                                  "analysis", "status", "glass")] == [
        "brace", "therapy", "patch", "orthosis", "box", "crutch", "analysis", "status", "glass"]
    assert singular("tens", keep={"tens"}) == "tens"
    assert [t.lemma for t in tokenize("T.E.N.S. unit, EMGs/NCVs, 10mg #60", keep={"tens"})] == [
        "tens", "unit", "emg", "ncv", "10", "mg", "#", "60"]


@pytest.mark.parametrize(
    ("heading", "family", "type_"),
    [
        ("Zqxil 10 mg tablets #60", "medication", "medication_other"),
        ("Zqxil oral suspension, 2 refills", "medication", "medication_other"),
        ("Rental of a zqx unit", "dme", "dme_other"),
        ("Zqx prosthesis", "dme", "dme_other"),
        ("Zqx scan of the abdomen", "imaging", "imaging_other"),
        ("Zqxography", "imaging", "imaging_other"),
        ("Zqx therapy, 12 sessions", "physical_medicine", "physical_medicine_other"),
        ("Zqx block at L4-5", "injection", "injection_other"),
        ("Zqx specimen assay", "lab", "lab_other"),
        ("Zqx program, 80 hours", "functional_program", "functional_program_other"),
        ("Follow-up with neurologist", "consultation", "office_visit"),
        ("Zqx surgical procedure", "surgery", "surgery_other"),
    ],
)
def test_fallback_places_headings_no_synonym_names(heading: str, family: str, type_: str) -> None:
    c = load_taxonomy().classify(heading)
    assert (c.family, c.type) == (family, type_), heading
    if c.via == VIA_FALLBACK:
        assert c.start is not None and heading[c.start : c.end].strip()


def test_operation_word_endings_are_surgery() -> None:
    c = load_taxonomy().classify("Left zqxectomy")
    assert (c.family, c.via) == ("surgery", VIA_WORD_ENDING)


def test_only_a_heading_without_telling_words_is_other_unknown() -> None:
    tax = load_taxonomy()
    c = tax.classify("Teleportation")
    assert (c.family, c.type, c.known, c.specific) == (OTHER_FAMILY, UNKNOWN_TYPE, False, False)
    assert tax.classify("").family == OTHER_FAMILY
    assert tax.classify("Transportation to appointments").type == "transportation"  # known, yet no family
    counts = tax.coverage(["Teleportation", "MRI of the knee", "Transportation"])
    assert (counts["other"], counts["unmapped"], counts["imaging"], counts["total"]) == (2, 1, 1, 3)


def test_synthetic_variant_groups_map_to_one_family() -> None:
    """The robustness groups of experiments/taxonomy_variants.yaml (SYNTHETIC headings)."""
    tax = load_taxonomy()
    groups = yaml.load((REPO / "experiments" / "taxonomy_variants.yaml").read_text(), Loader=LOADER)["groups"]
    wrong = []
    for g in groups:
        for h in g["headings"]:
            c = tax.classify(h)
            if c.family != g["family"] or ("type" in g and c.type != g["type"]):
                wrong.append((h, c.family, c.type))
    assert not wrong
    assert sum(len(g["headings"]) for g in groups) > 250


def test_every_fallback_cue_votes_for_its_family() -> None:
    """A cue repeated up to the threshold places a heading of nothing else in its family (or, for a cue
    two families share, in one of them)."""
    tax = load_taxonomy()
    fb = DATA["fallback"]
    for fam in fb["families"]:
        for cue, weight in fam["cues"].items():
            sharing = {f["family"] for f in fb["families"] if cue in f["cues"]}
            heading = " ".join([str(cue)] * math.ceil(fb["min_score"] / weight))
            c = tax.classify(heading)
            if c.via != VIA_FALLBACK:
                continue  # the cue is also a synonym somewhere: that row's test covers it
            assert c.family in sharing, (cue, c)


def test_type_pattern_finds_the_type_in_running_text() -> None:
    tax = load_taxonomy()
    opioid = tax.type_pattern("opioid")
    assert opioid is not None
    assert opioid.search(ascii_lower("She has taken Norco and hydrocodone-bitartrate since 2019."))
    assert not opioid.search("she takes ibuprofen")
    brace = tax.type_pattern("brace")
    assert brace is not None and brace.search("wore wrist braces at night")
    assert tax.type_pattern("imaging_other") is None  # a fallback type has no words of its own
    assert "nerve conduction" in tax.type_terms("ncv")


def _data(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(DATA)  # plain YAML data: a deep copy is what a dump and reload gave, 90x faster
    data.update(changes)
    return data


def test_bad_table_rows_raise_one_line_naming_the_row() -> None:
    sauna = {"family": "spa", "type": "sauna", "rank": 1, "terms": ["sauna"]}
    bad_family = _data(types=[*DATA["types"], sauna])
    with pytest.raises(ValueError, match=r"service_taxonomy.yaml types\[\d+\] \(spa/sauna\): unknown family"):
        build_taxonomy(bad_family, LEXICON)
    clash = _data(types=[*DATA["types"], {"family": "dme", "type": "shoes", "rank": 1, "terms": ["braces"]}])
    with pytest.raises(ValueError, match=r"'braces' \(dme/shoes\) and 'brace' \(dme/brace\) are the same"):
        build_taxonomy(clash, LEXICON)
    stop_only = _data(types=[*DATA["types"], {"family": "dme", "type": "x", "rank": 1, "terms": ["of the"]}])
    with pytest.raises(ValueError, match="has no word besides stopwords"):
        build_taxonomy(stop_only, LEXICON)
    two_word_cue = _data(fallback={**DATA["fallback"], "families": [
        {"family": "dme", "type": "dme_other", "cues": {"two words": 2}}]})
    with pytest.raises(ValueError, match="cue 'two words' must be one word"):
        build_taxonomy(two_word_cue, LEXICON)
    unknown_class = parse_lexicon("name,drug_class,kind,contains\nzqx,alchemy,generic,\n")
    with pytest.raises(ValueError, match="'zqx': class 'alchemy' has no service_type"):
        build_taxonomy(DATA, unknown_class)


def test_labs_beside_an_operation_are_its_pre_operative_testing() -> None:
    tax = load_taxonomy()
    letter = ["Right shoulder arthroscopy", "Labs: CBC and CMP", "Urine drug screen", "EKG"]
    assert [(c.family, c.type) for c in tax.classify_letter(letter)] == [
        ("surgery", "arthroscopy"), ("lab", "pre_op_testing"), ("lab", "drug_screen"),
        ("lab", "pre_op_testing")]
    assert tax.classify_letter(letter)[1].via == "letter"
    assert [c.type for c in tax.classify_letter(["Labs: CBC and CMP", "Norco 10/325 #60"])] == [
        "lab_test", "opioid"]  # no operation in the letter: a lab test
    bad = _data(letter_rules=[{"type": "lab_test", "becomes": "brace", "with_family": "surgery"}])
    with pytest.raises(ValueError, match=r"letter_rules\[0\]: 'lab_test' and 'brace' are of two families"):
        build_taxonomy(bad, LEXICON)
    bad = _data(letter_rules=[{"type": "lab_test", "becomes": "pre_op_testing", "with_family": "spa"}])
    with pytest.raises(ValueError, match=r"letter_rules\[0\]: unknown family 'spa'"):
        build_taxonomy(bad, LEXICON)


def test_bad_lexicon_rows_raise_one_line_naming_the_row() -> None:
    with pytest.raises(ValueError, match=r"row 2 \(zqx\): kind 'pill' is not one of"):
        parse_lexicon("name,drug_class,kind,contains\nzqx,opioid,pill,\n")
    with pytest.raises(ValueError, match=r"row 3 \(zqx\): name listed twice"):
        parse_lexicon("name,drug_class,kind,contains\nzqx,opioid,generic,\nzqx,opioid,brand,\n")
    with pytest.raises(ValueError, match="leading '-'"):
        parse_lexicon("name,drug_class,kind,contains\ncodone,opioid,stem,\n")


def test_taxonomy_pickles_and_classifies_the_same() -> None:
    """Dask workers receive the taxonomy pickled."""
    import pickle

    tax = load_taxonomy()
    copy = pickle.loads(pickle.dumps(tax))
    for h in ("MRI lumbar spine", "Norco 10/325 #60", "Zqx 10 mg tablets", "Teleportation"):
        assert copy._classify(h) == tax._classify(h)


# session 11: kinds the blind heading probe found misread (experiments/heading-probe.md), with near-misses
@pytest.mark.parametrize("heading, family, type_", [
    ("Tramadal 50 mg #60", "medication", "opioid"),  # a misspelled drug: the lexicon's nearest name
    ("Gabapenten 300mg", "medication", "anticonvulsant"),
    ("Additional accupuncture 1x6 lumbar", "physical_medicine", "acupuncture"),
    ("Left knee arthoscopy, menisectomy", "surgery", "arthroscopy"),  # beats the bare "-scopy" ending
    ("Euflexa injections right knee", "injection", "viscosupplementation"),  # beats a bare "injection"
    ("Musculoskeletal ultra sound left elbow", "imaging", "ultrasound"),  # a split word joined
    ("Carpel tunnel release, right", "surgery", "nerve_release"),  # one letter replaced in a long word
    ("Ambian 10mg #30", "medication", "hypnotic"),
])
def test_a_misspelled_or_split_word_reads_as_the_tables_nearest_word(heading: str, family: str, type_: str):
    c = load_taxonomy().classify(heading)
    assert (c.family, c.type, c.via) == (family, type_, VIA_RESPELLED)


@pytest.mark.parametrize("heading", [
    "Rental of a TENS unit x 30 days",  # "rental" is no "dental": a respelling must also outrank the heading
    "Norco 10/325 mg #90",  # spelled right: no respelling
    "Physical therapy 2x6 lumbar spine",
    "Zqx 10 mg tablets",  # nothing near enough: the fallback as before
    "Rotator cuff repair",  # "rotator" is one letter short of "rollator" (a walker): no respelling
])
def test_a_heading_the_table_reads_is_not_respelled(heading: str) -> None:
    assert load_taxonomy().classify(heading).via != VIA_RESPELLED


def test_self_injected_classes_must_be_lexicon_classes() -> None:
    med = {**DATA["medication"], "self_injected_classes": ["alchemy"]}
    with pytest.raises(ValueError, match=r"medication.self_injected_classes: unknown classes \['alchemy'\]"):
        build_taxonomy(_data(medication=med), LEXICON)


# session 14: the kinds of misread a blind round-5 probe found (kinds only; its rows unread). SYNTHETIC.
ROUND5_DRUG_HEADINGS = [
    # newer and less common brands, class by class
    ("RoxyBond 5mg #60", "opioid"), ("Hycet oral solution 7.5/325 per 15 ml", "opioid"),
    ("Belbuca 150mcg buccal film", "opioid"), ("Evzio 2mg auto-injector", "opioid_antagonist"),
    ("Kloxxado nasal spray", "opioid_antagonist"), ("Rexulti 1mg #30", "antipsychotic"),
    ("Vraylar 1.5mg", "antipsychotic"), ("Drizalma sprinkle 30mg", "antidepressant"),
    ("Spravato nasal spray", "antidepressant"), ("Trulance 3mg #30", "antiemetic_laxative"),
    ("Symproic 0.2mg", "antiemetic_laxative"), ("Konvomep oral suspension", "gi_protectant"),
    ("Myrbetriq 25mg ER", "urological"), ("Rapaflo 8mg", "urological"),
    ("Entresto 24/26mg", "cardiovascular"),
    ("Bystolic 5mg", "cardiovascular"), ("Zetia 10mg", "cardiovascular"), ("Plavix 75mg", "anticoagulant"),
    ("Stendra 100mg #6", "erectile_dysfunction"), ("Caverject injections", "erectile_dysfunction"),
    ("Qmiiz ODT 7.5mg", "nsaid"), ("Tivorbex 20mg", "nsaid"), ("Lorzone 750mg", "muscle_relaxant"),
    ("Emgality 120mg injection", "migraine"), ("Reyvow 50mg", "migraine"), ("Gelnique 10% gel", "urological"),
    ("Omeprazole magnesium 20mg", "gi_protectant"),  # the salt is no magnesium supplement
    # the words that name a class
    ("SNRI", "antidepressant"), ("TCA for neuropathic pain", "antidepressant"),
    ("AED trial", "anticonvulsant"), ("H2 blocker", "gi_protectant"), ("Triptans #9", "migraine"),
    ("Antispasmodic medication", "muscle_relaxant"),
    ("Anti-anxiety medication", "anxiolytic"), ("Blood pressure medication", "cardiovascular"),
    ("Non-steroidal anti-inflammatory", "nsaid"),
    # an unknown generic name placed by its USAN stem; the longest stem wins ("-piprazole" over "-prazole")
    ("Zqxpiprazole 2mg", "antipsychotic"), ("Zqxprazole 20mg", "gi_protectant"),
    ("Zqxfenacin 5mg", "urological"),
]


def test_round5_drug_names_and_class_words_reach_their_type() -> None:
    check_rows(ROUND5_DRUG_HEADINGS, _round5_drug_names_and_class_words_reach_their_type)


def _round5_drug_names_and_class_words_reach_their_type(heading: str, type_: str) -> None:
    c = load_taxonomy().classify(heading)
    assert (c.family, c.type) == ("medication", type_), heading


CODE_HEADINGS = [
    ("CPT 29881", "surgery", "arthroscopy"),
    ("Right knee, 29881", "surgery", "arthroscopy"),
    ("64483 x2 L4-5", "injection", "epidural"),
    ("64493 with fluoroscopy 77003", "injection", "facet"),  # the guidance code is a companion
    ("77003, 64493", "injection", "facet"),  # ... wherever it stands
    ("20552 x4", "injection", "trigger_point"),
    ("CPT 20610 left knee", "injection", "joint"),
    ("72148", "imaging", "mri"),
    ("CPT 73721 right knee", "imaging", "mri"),
    ("72100 lumbar", "imaging", "xray"),
    ("80307 urine", "lab", "drug_screen"),
    ("85025", "lab", "lab_test"),
    ("97110 x 12 visits", "physical_medicine", "physical_therapy"),
    ("97014", "physical_medicine", "modality"),
    ("99214 follow-up", "consultation", "office_visit"),
    ("95886, 95911", "electrodiagnostics", "emg"),
    ("63650 trial", "surgery", "neurostimulator"),
    ("22612 L4-S1", "surgery", "spine_surgery"),
    ("90837 x 6", "consultation", "psych_evaluation"),
    # near-misses: numbers that are no code
    ("Compounded ointment 5% 106.32 gm", "medication", "topical"),  # a decimal amount
    ("Heparin 10000 units", "medication", "anticoagulant"),  # an amount
    ("Knee arthroscopy 29881 with physical therapy 97110", "surgery", "arthroscopy"),  # words and codes agree
]


def test_a_procedure_code_is_read_by_its_range() -> None:
    check_rows(CODE_HEADINGS, _reaches)


def test_a_code_of_no_range_says_nothing_and_a_bad_range_is_refused() -> None:
    tax = load_taxonomy()
    assert tax.classify("99999").family == OTHER_FAMILY  # in no range: no class from the code
    assert tax.classify("Physical therapy 99999").type == "physical_therapy"
    codes = {**DATA["codes"], "ranges": [{"from": 29800, "to": 29999, "family": "surgery", "type": "sauna"}]}
    with pytest.raises(ValueError, match=r"codes.ranges\[0\]: \(surgery, sauna\) is no family and type"):
        build_taxonomy(_data(codes=codes), LEXICON)
    backwards = {"from": 29999, "to": 29800, "family": "surgery", "type": "arthroscopy"}
    codes = {**DATA["codes"], "ranges": [backwards]}
    with pytest.raises(ValueError, match="is no range of 5-digit CPT codes"):
        build_taxonomy(_data(codes=codes), LEXICON)


@pytest.mark.parametrize("heading, family, type_", [
    ("XR lumbar spine 3 views", "imaging", "xray"),
    ("Left knee XRs", "imaging", "xray"),
    ("MIR lumbar spine", "imaging", "mri"),
    ("LOS 2 days", "surgery", "hospital_stay"),
    ("ROH right ankle", "surgery", "hardware_removal"),
    ("HHA 4 hours a day x 4 weeks", "home_health", "home_health"),
    ("SGB right", "injection", "nerve_block"),
    ("TKR left", "surgery", "joint_replacement"),
    ("FWW", "dme", "mobility_aid"),
    ("NEMT to appointments", "other", "transportation"),
    # near-misses: the letters in another sense stay as they were
    ("Seroquel XR 300mg", "medication", "antipsychotic"),  # extended release, no part of the body
    ("Nucynta ER 100mg", "medication", "opioid"),
    ("Length of stay 3 days", "surgery", "hospital_stay"),
])
def test_service_abbreviations(heading: str, family: str, type_: str) -> None:
    c = load_taxonomy().classify(heading)
    assert (c.family, c.type) == (family, type_), heading


def test_a_bare_abbreviation_that_needs_its_qualifier_is_nothing_alone() -> None:
    tax = load_taxonomy()
    assert tax.classify("MIR").family == OTHER_FAMILY
    assert tax.classify("LOS").family == OTHER_FAMILY


@pytest.mark.parametrize("heading, family, type_", [
    ("Klonipin 1mg #60", "medication", "benzodiazepine"),  # one vowel off, and k for c
    ("Zanex 0.5mg", "medication", "benzodiazepine"),  # z for x
    ("Fenergan 25mg", "medication", "antiemetic_laxative"),  # f for ph
    ("Flecseril 10mg", "medication", "muscle_relaxant"),  # cs for x
    ("Selebrex 200mg", "medication", "nsaid"),  # s for soft c
    ("Simbalta 60mg", "medication", "antidepressant"),  # s, i for cy
    ("Mobik 15mg", "medication", "nsaid"),  # k for hard c
    ("Lyrcia 75mg", "medication", "anticonvulsant"),  # two letters swapped in a short name
    ("Tramdaol 50mg", "medication", "opioid"),
    ("Hydrocodne 10/325", "medication", "opioid"),  # a dropped letter in a long name
    ("Gabapentinn 300mg", "medication", "anticonvulsant"),  # a doubled letter
])
def test_phonetic_swapped_and_dropped_letter_misspellings(heading: str, family: str, type_: str) -> None:
    c = load_taxonomy().classify(heading)
    assert (c.family, c.type, c.via) == (family, type_, VIA_RESPELLED), heading


@pytest.mark.parametrize("heading, family, type_", [
    # near-misses: words near a table word by sound or letters that must keep their own reading
    ("Rotator cuff repair", "surgery", "surgery_other"),  # not the walker "rollator"
    ("Hearing aid batteries", "dme", "hearing_aid"),
    ("Ceflex 500", OTHER_FAMILY, UNKNOWN_TYPE),  # a soft c sounds s: no drug sounds "seflex"
])
def test_respelling_near_misses(heading: str, family: str, type_: str) -> None:
    c = load_taxonomy().classify(heading)
    assert (c.family, c.type) == (family, type_), heading


# session 27 (blind heading round 9): a word spelled right is no misspelling of the table word it lies near.
# SYNTHETIC headings; before `words.spelled_right` each was respelled into an operation, an injection or a
# drug.
@pytest.mark.parametrize("heading, family, type_", [
    ("Neuropathy evaluation", "consultation", "office_visit"),  # was neuroplasty: a nerve release
    ("Arthropathy follow-up visit, left knee", "consultation", "office_visit"),  # was arthroplasty
    ("Arthrosis of the hip, re-evaluation", "consultation", "office_visit"),  # was arthrodesis
    ("Infection follow-up", "consultation", "office_visit"),  # was an injection
    ("Wound infection care by home health nurse", "home_health", "wound_care"),
    ("Amnesia evaluation", "consultation", "office_visit"),  # was the opioid Anexsia
    ("Neurosis assessment", "consultation", "office_visit"),  # was neurolysis
])
def test_a_word_spelled_right_is_not_respelled_into_another_service(heading: str, family: str,
                                                                    type_: str) -> None:
    c = load_taxonomy().classify(heading)
    assert (c.family, c.type) == (family, type_), heading
    assert c.via != VIA_RESPELLED


@pytest.mark.parametrize("heading", ["Depression screening", "Treatment of depression x 6 sessions",
                                     "Flexor digitorum tenolysis", "Motor cortex stimulation"])
def test_a_diagnosis_or_body_part_word_never_becomes_an_operation_or_a_drug(heading: str) -> None:
    # SYNTHETIC: "depression" is no "decompression", "flexor" no Flector patch, "cortex" no Cortef
    assert load_taxonomy().classify(heading).family not in {"surgery", "medication"}, heading


def test_misspellings_beside_a_word_spelled_right_are_still_respelled() -> None:
    c = load_taxonomy().classify("Gabapenten 300 mg for neuropathy")  # SYNTHETIC
    assert (c.family, c.type, c.via) == ("medication", "anticonvulsant", VIA_RESPELLED)


def test_a_spelled_right_word_the_table_knows_is_refused() -> None:
    words = {**DATA["words"], "spelled_right": ["neuropathy", "injection"]}
    with pytest.raises(ValueError, match=r"words.spelled_right: words the table knows \['injection'\]"):
        build_taxonomy(_data(words=words), LEXICON)


# session 27 (blind heading round 9): the small-fibre neuropathy tests are diagnostic tests, not a lab's
# leftovers or nothing at all (SYNTHETIC)
@pytest.mark.parametrize("heading", ["Skin biopsy for epidermal nerve fiber density",
                                     "Epidermal nerve fibre density testing, both legs", "ENFD testing",
                                     "Punch skin biopsy for ENFD x 3 sites, right calf",
                                     "Nerve fiber density study"])
def test_nerve_fibre_density_tests_are_diagnostic_tests(heading: str) -> None:
    c = load_taxonomy().classify(heading)
    assert (c.family, c.type) == ("lab", "diagnostic_test"), heading


def test_sound_key_merges_spellings_of_one_sound() -> None:
    words = load_taxonomy().words
    assert words.sound_key("klonopin") == words.sound_key("clonopin")
    assert words.sound_key("xanax") == words.sound_key("zanaks")
    assert words.sound_key("phenergan") == words.sound_key("fenergan")
    assert words.sound_key("rollator") != words.sound_key("rotator")


ROUND5_STRUCTURE_HEADINGS = [
    # a negated class word is not that class
    ("Non-opioid analgesic", "medication", "analgesic_other"),
    ("Non-benzodiazepine hypnotic", "medication", "hypnotic"),
    ("Nonopioid pain medication", "medication", "analgesic_other"),
    ("Non-surgical spinal decompression", "physical_medicine", "modality"),  # the term that starts at "non"
    # X in lieu of / instead of / rather than Y requests X
    ("Physical therapy in lieu of surgery", "physical_medicine", "physical_therapy"),
    ("Acupuncture instead of chiropractic care", "physical_medicine", "acupuncture"),
    ("Home exercise kit rather than gym membership", "dme", "home_equipment"),
    # a vehicle named by what it carries is a ride
    ("Wheelchair van transportation to appointments", "other", "transportation"),
    ("Wheelchair transport x 12 round trips", "other", "transportation"),
    ("Stretcher van", "other", "transportation"),
    ("Power wheelchair", "dme", "mobility_aid"),  # near-miss: the chair itself
    # the consumable parts of a stimulator are supplies, not the stimulator
    ("TENS electrodes x 12 packs", "dme", "supplies"),
    ("TENS unit batteries", "dme", "supplies"),
    ("Electrodes for H-wave unit", "dme", "supplies"),
    ("TENS unit with electrodes", "dme", "tens"),  # near-miss: the companion comes after "with"
    ("TENS unit 30-day rental", "dme", "tens"),
    # brands of imaging systems, neurostimulators and amniotic, placental and graft products
    ("Fonar upright scan lumbar", "imaging", "mri"),
    ("Nevro HF10 trial", "surgery", "neurostimulator"),
    ("Abbott Proclaim DRG implant", "surgery", "neurostimulator"),
    ("StimRouter implant", "surgery", "neurostimulator"),
    ("AmnioFix injection right knee", "injection", "regenerative"),
    ("Regenexx procedure right shoulder", "injection", "regenerative"),
    ("Zilretta right knee", "injection", "joint"),
    ("Vitoss bone graft substitute", "surgery", "surgery_other"),
]


def test_round5_structures() -> None:
    check_rows(ROUND5_STRUCTURE_HEADINGS, _reaches)
