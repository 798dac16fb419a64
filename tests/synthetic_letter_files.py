"""SYNTHETIC letters from the project's generator written one text file each, as `imr synth` writes them:
the fixture every command test that reads a folder of letters starts from."""

from __future__ import annotations

from pathlib import Path


def write_synthetic_letters(folder: Path, n: int, seed: int,
                            name: str = "synthetic-{i:03d}.txt") -> list[Path]:
    """The first `n` letters of generator seed `seed` in `folder` (made if missing), file names from `name`
    formatted with the letter's number `i` and the `seed`; the paths in generator order."""
    from synthetic.corpus import iter_letters
    from synthetic.generative_model import GeneratorSettings

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (_case, text) in enumerate(iter_letters(n, GeneratorSettings(seed=seed))):
        path = folder / name.format(i=i, seed=seed)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
