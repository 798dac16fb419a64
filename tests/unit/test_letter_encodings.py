"""Text letters in the wide Unicode encodings. A UTF-32 letter was refused as "binary data" with a big-
endian mark, and with a little-endian one (FF FE 00 00, which starts with UTF-16 LE's mark) decoded as
UTF-16 into text with a NUL after every character; UTF-16 or UTF-32 without a mark was "binary data",
with no word on what to do. Now: any mark decodes; without one, the NUL pattern of the ASCII characters
names the encoding; what still cannot be read is refused in one line naming the file and saying to
save it as UTF-8."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from letters.ingest import parse_file, parse_paths
from letters.parser import parse_text


@pytest.fixture(scope="module")
def letter() -> str:
    """One letter of `imr synth`'s generator (SYNTHETIC), with a few non-ASCII characters added."""
    from synthetic.corpus import iter_letters
    from synthetic.generative_model import GeneratorSettings

    [(_, text)] = list(iter_letters(1, GeneratorSettings(seed=3)))
    return text.replace("Case Number:", "Case Number:\u00a0", 1) + "\nReviewed \u2019s\u00e9 \u2013 end.\n"


def _saved(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "wide.txt"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "encoding",
    ["utf-32", "utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be", "utf-32-le-bom", "utf-32-be-bom"],
)
def test_a_wide_letter_with_or_without_a_mark_parses_like_utf8(
    tmp_path: Path, letter: str, encoding: str
) -> None:
    codec = encoding.removesuffix("-bom")
    text = "\ufeff" + letter if encoding.endswith("-bom") else letter  # "utf-32" writes its own mark
    path = _saved(tmp_path, text.encode(codec))
    assert parse_file(path) == parse_text(letter, str(path))
    result = parse_paths([path])  # what `imr parse` reads
    assert not result.failures and len(result.cases) == 1


def test_a_wide_letter_that_does_not_decode_is_refused_naming_the_file_and_utf8(
    tmp_path: Path, letter: str
) -> None:
    path = _saved(tmp_path, letter.encode("utf-16-le") + b"A")  # a byte short of a whole last character
    [failure] = parse_paths([path]).failures
    assert failure.source_file == str(path)
    assert failure.reason.startswith("looks like UTF-16-LE text without a byte-order mark"), failure.reason
    assert "save a text letter as UTF-8" in failure.reason and "\n" not in failure.reason


def test_binary_data_is_still_refused_and_says_what_to_send(tmp_path: Path) -> None:
    path = _saved(tmp_path, random.Random(0).randbytes(2048))
    [failure] = parse_paths([path]).failures
    assert failure.reason.startswith("binary data, not a PDF or a text letter"), failure.reason
    assert "UTF-8" in failure.reason
