"""The one normalisation of wrapped text (letters/wrapped_text.py): the parser joins a PDF block's lines
with it, and a `Case` built from text (a structured case, the API, a probe) runs its clinical summary
through it, so features read one text whatever the input, and evidence offsets index the stored text.
SYNTHETIC text only."""

from __future__ import annotations

from letters.records import Case
from letters.wrapped_text import join_lines, unwrap


def test_a_word_split_at_a_line_end_loses_its_hyphen() -> None:
    assert unwrap("X-rays were nega-\ntive for fracture.") == "X-rays were negative for fracture."
    assert unwrap("physical thera-\npy and treat-\nments") == "physical therapy and treatments"


def test_a_compound_or_a_date_keeps_its_hyphen() -> None:
    assert unwrap("a follow-\nup visit on 10-30-\n2016") == "a follow-up visit on 10-30-2016"
    assert unwrap("a non-\nsurgical course, the L4-\nL5 level") == "a non-surgical course, the L4-L5 level"
    assert unwrap("a dash -\nthen more") == "a dash - then more"


def test_line_breaks_inside_sentences_become_spaces() -> None:
    text = "She had 12 physical\r\ntherapy visits.\n\nNo relief."
    assert unwrap(text) == "She had 12 physical therapy visits. No relief."


def test_the_parser_and_a_case_from_text_read_the_same_text() -> None:
    lines = ["X-rays were nega-", "tive for fracture; 12 physical", "therapy visits."]
    case = Case(letter_id="SYN", clinical_summary="\n".join(lines))
    joined = "X-rays were negative for fracture; 12 physical therapy visits."
    assert case.clinical_summary == join_lines(lines) == joined


def test_a_summary_without_line_breaks_is_kept_as_given() -> None:
    text = "SYNTHETIC.  Two spaces stay  where no line was wrapped."
    assert Case(letter_id="SYN", clinical_summary=text).clinical_summary == text


def test_a_medical_compound_split_at_its_hyphen_keeps_it() -> None:
    # round 27: the heads of compounds letters hyphenate are on the list (a list: no rule tells "foul-" from
    # "radi-" without a dictionary)
    assert unwrap("a foul-\nsmelling discharge from a well-\nhealed scar") == (
        "a foul-smelling discharge from a well-healed scar")
    assert unwrap("the spine was non-\ntender; weight-\nbearing as tolerated") == (
        "the spine was non-tender; weight-bearing as tolerated")
    assert unwrap("age-\nrelated changes, opioid-\ninduced constipation, evidence-\nbased care") == (
        "age-related changes, opioid-induced constipation, evidence-based care")
    assert unwrap("extended-\nrelease tramadol as a first-\nline agent, drug-\nseeking behavior") == (
        "extended-release tramadol as a first-line agent, drug-seeking behavior")


def test_a_word_split_after_a_fragment_that_is_no_compound_head_is_joined() -> None:
    # near-misses: a word split whose first part is no head, or a head that begins a common word kept off the
    # list
    assert unwrap("radi-\nating pain, nega-\ntive tests, evi-\ndence of a tear") == (
        "radiating pain, negative tests, evidence of a tear")
    assert unwrap("pain secondary to the second-\nary gain; a pain-\nful knee") == (
        "pain secondary to the secondary gain; a painful knee")
    assert unwrap("a wheel-\nchair since the ill-\nness began") == "a wheelchair since the illness began"
