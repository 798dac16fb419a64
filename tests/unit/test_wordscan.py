"""The optional C word index (`features._wordscan.WordIndex`) must report exactly the positions that
`str.find` of each blank-led literal reports in `WordText.spaced`: the feature extractors' candidates
(and so every feature value) depend on it."""

from __future__ import annotations

import random
import shutil
import sysconfig

import pytest

from features.text_patterns import GramIndex, LiteralSet, WordIndex, WordText

needs_index = pytest.mark.skipif(WordIndex is None, reason="features._wordscan is not built (no C compiler)")

_VOCAB = ["no", "not", "note", "nothing", "mri", "mris", "x", "xray", "ray", "fracture", "fx", "l5", "s1",
          "5", "55", "12", "pain", "patient", "pt", "caf\u00e9", "\u00e9t\u00e9", "\u0661\u0662", "a", "the",
          "physical", "physician", "therapy", "ct", "_x", "x_ray"]
_SEPARATORS = [" ", "  ", "-", ", ", ". ", "/", "\u2014", "\u00a0", "\n", "_"]


def _finds(spaced: str, literals: tuple[str, ...], pos: int, stop: int) -> list[int]:
    found = set()
    for lit in literals:
        j = spaced.find(lit, pos, stop)
        while j >= 0:
            found.add(j)
            j = spaced.find(lit, j + 1, stop)
    return sorted(found)


def _literal(rng: random.Random) -> str:
    word = rng.choice(_VOCAB).encode("ascii", "ignore").decode() or "x"
    kind = rng.randrange(5)
    if kind == 0:
        return " " + word[: rng.randint(1, len(word))]  # a word's prefix: 'n', 'no', 'mri'
    if kind == 1:
        return " " + word + " "  # ends its word
    if kind == 2:
        return " " + word + " " + rng.choice(["ray", "of", "5", "the"])  # two words
    if kind == 3:
        return " " + str(rng.randrange(10))  # a word starting with a digit
    return " " + word


@needs_index
def test_starts_and_first_equal_repeated_finds() -> None:
    rng = random.Random(3)
    for trial in range(400):
        parts = [rng.choice(_VOCAB) + rng.choice(_SEPARATORS) for _ in range(rng.randint(0, 120))]
        text = "".join(parts)
        if trial % 7 == 0:
            text = text.encode("ascii", "ignore").decode()  # the one-byte fast paths
        spaced = WordText(text, indexed=False).spaced
        index = WordIndex(spaced, text)
        assert index.words() == sum(1 for j in range(len(spaced) - 1) if spaced[j] == " " != spaced[j + 1])
        for _ in range(8):
            literals = tuple(_literal(rng) for _ in range(rng.randint(1, 6)))
            pos = rng.randint(0, len(spaced))
            stop = rng.randint(pos, len(spaced) + 3)
            want = _finds(spaced, literals, pos, stop)
            prepared = LiteralSet(literals)
            assert index.starts(prepared, pos, stop) == want, (spaced[:60], literals, pos, stop)
            assert index.first(prepared, pos, stop) == (want[0] if want else -1)
            # literals found anywhere in the text itself (branches not led by \b), up to stop - 1
            anywhere = tuple(rng.choice(["no ", "has", "a", "ray", "5", "x_", "e", "the p", "-"])
                             for _ in range(rng.randint(1, 3)))
            want = sorted(set(want) | set(_finds(text, anywhere, pos, stop - 1)))
            both = (prepared, pos, stop, LiteralSet(anywhere, anywhere=True))
            assert index.starts(*both) == want, (text[:60], literals, anywhere, pos, stop)
            assert index.first(*both) == (want[0] if want else -1)


@needs_index
def test_empty_texts_and_windows() -> None:
    for spaced in ("", " ", "  ", " x", "x"):
        index = WordIndex(spaced)
        assert index.starts(LiteralSet((" x",)), 0, 10) == _finds(spaced, (" x",), 0, 10)
        assert index.first(LiteralSet((" x",)), 0, 10) == (_finds(spaced, (" x",), 0, 10) or [-1])[0]
    index = WordIndex(" no no no")
    no = LiteralSet((" no",))
    assert index.starts(no, 4, 4) == [] and index.first(no, -5, 6) == 0
    assert index.starts(LiteralSet(()), 0, 9) == [] and index.first(LiteralSet(()), 0, 9) == -1


@needs_index
def test_bad_arguments_are_named() -> None:
    index = WordIndex(" no pain")
    with pytest.raises(TypeError, match="LiteralSet"):
        index.starts((" no",), 0, 5)
    with pytest.raises(TypeError):
        LiteralSet([" no"])
    with pytest.raises(ValueError, match="blank followed by a word character"):
        LiteralSet(("no",))
    with pytest.raises(TypeError, match="ASCII"):
        LiteralSet((" caf\u00e9",))
    with pytest.raises(TypeError):
        WordIndex(b" no pain")
    with pytest.raises(ValueError, match="built with the text"):
        index.first(LiteralSet((" no",)), 0, 5, LiteralSet(("pa",), anywhere=True))
    with pytest.raises(TypeError, match="anywhere=True"):
        WordIndex(" no", "no").starts(LiteralSet((" no",)), 0, 3, LiteralSet((" no",)))


def test_the_extension_is_built_where_a_c_compiler_is() -> None:
    """`setup.py` marks it optional so installs without a compiler still work; with one, a failed build
    would silently cost a third of the feature speed, so that fails here."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler}): the pure-Python word search runs")
    assert WordIndex is not None, "features._wordscan did not build: run `pip install -e .`, read its log"


@needs_index
def test_gram_index_lists_the_patterns_filed_under_any_slice() -> None:
    grams = {" mr": (0, 3), "mri": (1,), " x ": (2,), "ray": (3,)}
    index = GramIndex(grams, (4,), 6)
    for spaced in (" mri of x ray", " x  ray", " caf\u00e9 mri", "", " m", " \u00e9mr"):
        want = sorted({i for g, found in grams.items() if g in spaced for i in found} | {4})
        assert index.candidates(spaced) == want, spaced
    with pytest.raises(ValueError, match="outside"):
        GramIndex({"abc": (6,)}, (), 6)
    with pytest.raises(TypeError, match="3-character ASCII"):
        GramIndex({"ab": (0,)}, (), 6)


def test_patterns_taxonomy_and_word_texts_still_pickle() -> None:
    """The C objects cannot be pickled; what holds them rebuilds them (patterns and taxonomy pickled
    before the extension existed, e.g. to ship to worker processes)."""
    import pickle

    from features.service_families import load_taxonomy
    from features.text_patterns import load_patterns

    text = "mri of the lumbar spine, x-ray of the knee; no functional improvement. " * 5
    for obj in (load_patterns(), load_taxonomy()):
        copy = pickle.loads(pickle.dumps(obj))
        assert type(copy) is type(obj)
    taxonomy = pickle.loads(pickle.dumps(load_taxonomy()))
    assert taxonomy._classify("MRI lumbar spine") == load_taxonomy()._classify("MRI lumbar spine")
    words = pickle.loads(pickle.dumps(WordText(text)))
    assert words.text == text and (words.index is None) == (WordIndex is None)
    fp = pickle.loads(pickle.dumps(load_patterns()["imaging_word"]))
    assert [m.span() for m in fp.findall_in(words)] == [
        m.span() for m in load_patterns()["imaging_word"].regex.finditer(text)]
