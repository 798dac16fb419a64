"""Would a small learned text classifier read functional_improvement and failed_conservative_care better
than the hand-written rules on NEW blind SYNTHETIC probe rounds? (experiments/fact-text-model.md)

    .venv/bin/python experiments/fact_text_model.py                 # every figure of the write-up
    .venv/bin/python experiments/fact_text_model.py --with-real     # also train on the TUNE real letters

Train: the blind summary probes of rounds 3..18 (experiments/summary_probe*.yaml), optionally the tune
real letters' case-level annotations (Clinical Case Summary only). Model choice: cross-validation grouped
by probe round (each round is a different writer, so a held-out round is a new writer, as a blind round
is). Test: rounds 19 and 20, printed ONLY as aggregate figures (no row, summary or per-letter error is
printed). Every text goes through `features.style.normalise` first, so a prediction cannot depend on the
writer's person words or pronouns; the style check re-reads each test summary in other writers' words
(`summary_probe`'s rewrite) and counts predictions that change.

Models: (a) letter TF-IDF 1-2 grams + multinomial logistic regression; (b) sentence TF-IDF logistic
regression trained with each letter's label on its sentences that mention care or an activity (the
product's lexicons), the letter's value from the max-pooled sentence scores; (c) the rules' value, the
learned one only where the rules say not_stated (back-off).
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "experiments"))

import phrasing_probe as round2  # noqa: E402  (the style rewrite and the probe's scoring)
from summary_probe import load_probe, read_letter  # noqa: E402

from features.analysis import AnalysedText  # noqa: E402
from features.failed_care import failed_care_lexicon  # noqa: E402
from features.function_change import function_lexicon  # noqa: E402
from features.spec import load_spec  # noqa: E402
from features.style import normalise as style_normalise  # noqa: E402
from letters.records import Section  # noqa: E402

FIELDS = ("functional_improvement", "failed_conservative_care")
LEVELS = ("no", "not_stated", "yes")
NS = "not_stated"
TRAIN_ROUNDS = (3, *range(4, 19))
TEST_ROUNDS = (19, 20)
LETTERS = Path("/work/shared/data/dwc-imr-letters/pdf")
C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)
T_GRID = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
GATE_GRID = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: never back off


@lru_cache(maxsize=100_000)
def normalise(text: str) -> str:
    """`features.style.normalise`, remembered: CV reads each text once per fold and setting."""
    return style_normalise(text)


@dataclass
class Doc:
    """One letter: its round (the CV group), summary, case-level labels and the rules' values."""

    id: str
    group: int
    text: str
    label: dict[str, str]
    rules: dict[str, str]
    sentences: list[str] = field(default_factory=list)


def probe_path(r: int) -> Path:
    return REPO / "experiments" / ("summary_probe.yaml" if r == 3 else f"summary_probe_r{r}.yaml")


def sentences_of(text: str) -> list[str]:
    """The summary's sentences as the product splits them (features.analysis)."""
    return [s.text for s in AnalysedText(text, Section.CLINICAL_SUMMARY).sentences]


def rules_value(value: object) -> str:
    v = round2.normalise(value)
    return NS if v is None else str(v)


def probe_docs(r: int, spec) -> list[Doc]:
    docs = []
    for letter in load_probe(probe_path(r), spec):
        got = read_letter(letter, spec)[0]
        docs.append(Doc(f"r{r}:{letter.id}", r, letter.summary,
                        {f: str(letter.services[0].expected[f]) for f in FIELDS},
                        {f: rules_value(got[f]) for f in FIELDS}, sentences_of(letter.summary)))
    return docs


def real_tune_docs(spec) -> list[Doc]:
    """TUNE real letters (never validation): the parsed Clinical Case Summary and item 0's case labels."""
    from features.table import feature_rows
    from letters.ingest import parse_file

    split = {r["case_number"]: r["split"] for r in _csv_rows(REPO / "tests/real/letter_split.csv")}
    labels = {r["case_number"]: r for r in _csv_rows(REPO / "tests/real/annotations.csv")
              if r["item_index"] == "0"}
    docs = []
    for case_number in sorted(c for c, s in split.items() if s == "tune" and c in labels):
        case = parse_file(LETTERS / f"{case_number}.pdf")
        got = feature_rows(case, spec)[0].values
        docs.append(Doc(case_number, 0, case.clinical_summary,
                        {f: labels[case_number][f] or NS for f in FIELDS},
                        {f: rules_value(got[f].value) for f in FIELDS}, sentences_of(case.clinical_summary)))
    return docs


def _csv_rows(path: Path) -> list[dict]:
    with path.open() as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


# ---- the two learned models -------------------------------------------------------------------------
class LetterModel:
    """(a) the whole normalised summary: TF-IDF 1-2 grams, multinomial logistic regression."""

    def __init__(self, name: str, C: float) -> None:
        self.name, self.C = name, C

    def fit(self, docs: list[Doc]) -> LetterModel:
        self.vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        x = self.vec.fit_transform([normalise(d.text) for d in docs])
        self.clf = LogisticRegression(C=self.C, max_iter=3000).fit(x, [d.label[self.name] for d in docs])
        return self

    def predict_text(self, text: str, sentences: list[str]) -> tuple[str, float]:
        """The level and its probability."""
        p = self.clf.predict_proba(self.vec.transform([normalise(text)]))[0]
        return str(self.clf.classes_[p.argmax()]), float(p.max())


@lru_cache(maxsize=200_000)
def candidate(name: str, sentence: str) -> bool:
    """A sentence that mentions care (both fields) or an activity (function): where evidence can be."""
    if failed_care_lexicon().care.search(sentence):
        return True
    return name == FIELDS[0] and bool(function_lexicon().activity.search(sentence))


class SentenceModel:
    """(b) sentences that mention care or an activity, each with its letter's label; a letter is yes/no
    when its best sentence's P(level) passes `t` (the larger wins), else not_stated."""

    def __init__(self, name: str, C: float, t: float) -> None:
        self.name, self.C, self.t = name, C, t

    def fit(self, docs: list[Doc]) -> SentenceModel:
        xs, ys = [], []
        for d in docs:
            for s in d.sentences:
                if candidate(self.name, s):
                    xs.append(normalise(s))
                    ys.append(d.label[self.name])
        self.vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        self.clf = LogisticRegression(C=self.C, max_iter=3000).fit(self.vec.fit_transform(xs), ys)
        self.cols = {c: i for i, c in enumerate(self.clf.classes_)}
        return self

    def pooled(self, sentences: list[str]) -> dict[str, float]:
        kept = [normalise(s) for s in sentences if candidate(self.name, s)]
        if not kept:
            return {"yes": 0.0, "no": 0.0}
        p = self.clf.predict_proba(self.vec.transform(kept))
        return {c: float(p[:, self.cols[c]].max()) for c in ("yes", "no")}

    def predict_text(self, text: str, sentences: list[str]) -> tuple[str, float]:
        """The level and the pooled probability that decided it."""
        best = self.pooled(sentences)
        return _pooled_level(best, self.t), max(best.values())


def predict(model, doc: Doc, text: str | None = None) -> tuple[str, float]:
    if text is None:
        return model.predict_text(doc.text, doc.sentences)
    return model.predict_text(text, sentences_of(text))


def back_off(rule: str, learned: tuple[str, float], gate: float = 0.0) -> str:
    """The rules' value; where it is not_stated, the learned level when its probability reaches `gate`."""
    return learned[0] if rule == NS and learned[1] >= gate else rule


def back_offs(rules: list[str], learned: list[tuple[str, float]], gate: float = 0.0) -> list[str]:
    return [back_off(r, x, gate) for r, x in zip(rules, learned, strict=True)]


def levels(learned: list[tuple[str, float]]) -> list[str]:
    return [x[0] for x in learned]


# ---- scoring as summary_probe.py counts case fields: once per letter -----------------------------------
def scores(expected: list[str], got: list[str]) -> dict:
    n = len(expected)
    ok = sum(e == g for e, g in zip(expected, got, strict=True))
    out = {"n": n, "acc": ok / n}
    exp_st = [i for i, e in enumerate(expected) if e != NS]
    got_st = [i for i, g in enumerate(got) if g != NS]
    tp = sum(expected[i] == got[i] for i in exp_st if got[i] != NS)
    out["prec"] = tp / len(got_st) if got_st else float("nan")
    out["rec"] = tp / len(exp_st) if exp_st else float("nan")
    for level in ("yes", "no"):
        hit = sum(e == g == level for e, g in zip(expected, got, strict=True))
        said, true = got.count(level), expected.count(level)
        out[f"P_{level}"] = hit / said if said else float("nan")
        out[f"R_{level}"] = hit / true if true else float("nan")
    return out


def line(label: str, s: dict) -> str:
    keys = ("acc", "prec", "rec", "P_yes", "R_yes", "P_no", "R_no")
    return f"| {label} | {s['n']} | " + " | ".join(f"{s[k]:.3f}" for k in keys) + " |"


HEADER = ("| arm | letters | accuracy | precision (stated) | recall (stated) | P yes | R yes | P no | R no |"
          "\n|---|---|---|---|---|---|---|---|---|")


# ---- grouped CV (held-out round = new writer) --------------------------------------------------------
def cv_predictions(make, docs: list[Doc], extra: list[Doc]) -> list[tuple[str, float]]:
    """Out-of-round predictions for every probe letter of `docs`; `extra` (real letters) always trains."""
    out: dict[str, tuple[str, float]] = {}
    for r in sorted({d.group for d in docs}):
        model = make().fit([d for d in docs if d.group != r] + extra)
        for d in docs:
            if d.group == r:
                out[d.id] = predict(model, d)
    return [out[d.id] for d in docs]


def choose(name: str, docs: list[Doc], extra: list[Doc]) -> dict:
    """Per model, the C (and threshold) with the best leave-one-round-out accuracy, its out-of-round
    predictions, and the back-off gate with the best out-of-round accuracy of the back-off."""
    truth = [d.label[name] for d in docs]
    rules = [d.rules[name] for d in docs]
    best: dict[str, tuple] = {}
    for C in C_GRID:
        pred = cv_predictions(lambda C=C: LetterModel(name, C), docs, extra)
        acc = scores(truth, levels(pred))["acc"]
        if acc > best.get("letter", (-1,))[0]:
            best["letter"] = (acc, C, None, pred)
    for C in C_GRID:
        # one fit per fold gives the pooled scores; every threshold is then read off them
        pooled: dict[str, dict] = {}
        for r in sorted({d.group for d in docs}):
            model = SentenceModel(name, C, 0.5).fit([d for d in docs if d.group != r] + extra)
            for d in docs:
                if d.group == r:
                    pooled[d.id] = model.pooled(d.sentences)
        for t in T_GRID:
            pred = [(_pooled_level(pooled[d.id], t), max(pooled[d.id].values())) for d in docs]
            acc = scores(truth, levels(pred))["acc"]
            if acc > best.get("sentence", (-1,))[0]:
                best["sentence"] = (acc, C, t, pred)
    gates = {kind: max(GATE_GRID, key=lambda g, pred=best[kind][3]: (
        scores(truth, back_offs(rules, pred, g))["acc"], g)) for kind in ("letter", "sentence")}
    return {"truth": truth, "rules": rules, "gates": gates, **best}


def _pooled_level(best: dict[str, float], t: float) -> str:
    level = max(best, key=best.get)
    return level if best[level] >= t else NS


def make_model(kind: str, name: str, C: float, t: float | None):
    return LetterModel(name, C) if kind == "letter" else SentenceModel(name, C, t)


def arms(truth: list[str], rules: list[str], pred: list[tuple[str, float]], kind: str, gate: float,
         prefix: str = "") -> list[str]:
    tag = "a" if kind == "letter" else "b"
    return [line(f"{prefix}({tag}) {kind} alone", scores(truth, levels(pred))),
            line(f"{prefix}(c) rules, back-off to {kind}", scores(truth, back_offs(rules, pred))),
            line(f"{prefix}(c') rules, back-off to {kind} where p >= {gate}",
                 scores(truth, back_offs(rules, pred, gate)))]


# The settings the first run chose (letter model, C and gate per field), frozen for later blind rounds.
FROZEN = {"functional_improvement": (30.0, 0.8), "failed_conservative_care": (30.0, 0.9)}


def frozen(train_through: int, test_rounds: list[int], with_real: bool = False) -> int:
    """The frozen gated letter back-off, trained on rounds 3..train_through, scored on later blind rounds
    (aggregates only): the test the first run's write-up asked for before anyone fixes rules on them."""
    spec = load_spec()
    train = [d for r in (3, *range(4, train_through + 1)) for d in probe_docs(r, spec)]
    real = real_tune_docs(spec) if with_real else []  # scored only: what the back-off would change there
    print(f"SYNTHETIC train: {len(train)} probe letters (rounds 3-{train_through}); frozen: {FROZEN}\n")
    print(HEADER)
    for name, (C, gate) in FROZEN.items():
        model = LetterModel(name, C).fit(train)
        for r in test_rounds:
            docs = probe_docs(r, spec)
            truth = [d.label[name] for d in docs]
            rules = [d.rules[name] for d in docs]
            pred = [predict(model, d) for d in docs]
            print(line(f"{name} r{r} rules", scores(truth, rules)))
            print(line(f"{name} r{r} (c') back-off to letter where p >= {gate}",
                       scores(truth, back_offs(rules, pred, gate))))
        if real:
            truth = [d.label[name] for d in real]
            rules = [d.rules[name] for d in real]
            backed = back_offs(rules, [predict(model, d) for d in real], gate)
            print(line(f"{name} tune real letters, rules", scores(truth, rules)))
            print(line(f"{name} tune real letters, (c') back-off where p >= {gate}", scores(truth, backed)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-real", action="store_true",
                        help="also train on the TUNE real letters (with --frozen: also score them)")
    parser.add_argument("--frozen", type=int, nargs="+", metavar="ROUND",
                        help="score only the frozen gated back-off on these later blind rounds, trained on "
                             "every round before the first of them")
    args = parser.parse_args(argv)
    if args.frozen:
        return frozen(min(args.frozen) - 1, sorted(args.frozen), args.with_real)
    spec = load_spec()
    train = [d for r in TRAIN_ROUNDS for d in probe_docs(r, spec)]
    extra = real_tune_docs(spec) if args.with_real else []
    tests = {r: probe_docs(r, spec) for r in TEST_ROUNDS}
    print(f"SYNTHETIC train: {len(train)} probe letters (rounds 3-18)"
          + (f" + {len(extra)} tune real letters" if extra else "")
          + "; test: " + ", ".join(f"r{r} {len(v)} letters" for r, v in tests.items()) + "\n")
    style: list[str] = []
    for name in FIELDS:
        print(f"## {name}\n\nLeave-one-round-out CV on the training rounds (the rules were written on "
              "these rounds, so their figures here are not blind):\n")
        cv = choose(name, train, extra)
        print(HEADER)
        print(line("rules", scores(cv["truth"], cv["rules"])))
        for kind in ("letter", "sentence"):
            _, C, t, pred = cv[kind]
            print(f"| {kind} model chosen: C={C}" + (f", t={t}" if t else "") + " | | | | | | | | |")
            print("\n".join(arms(cv["truth"], cv["rules"], pred, kind, cv["gates"][kind])))
        print("\nBlind test (one fit on all training rounds; aggregates only; rules as of this commit):\n")
        print(HEADER)
        models = {kind: make_model(kind, name, cv[kind][1], cv[kind][2]).fit(train + extra)
                  for kind in ("letter", "sentence")}
        for r, docs in tests.items():
            truth = [d.label[name] for d in docs]
            rules = [d.rules[name] for d in docs]
            print(line(f"r{r} rules", scores(truth, rules)))
            for kind, model in models.items():
                pred = [predict(model, d) for d in docs]
                print("\n".join(arms(truth, rules, pred, kind, cv["gates"][kind], f"r{r} ")))
                changed = sum(predict(model, d, v)[0] != p[0] for d, p in zip(docs, pred, strict=True)
                              for v in round2.style_variants(d.text))
                variants = sum(len(round2.style_variants(d.text)) for d in docs)
                style.append(f"{name} r{r} {kind}: {changed} of {variants} re-read predictions change")
        print()
    print("Style check (each test summary re-read with every person word and he -> she, summary_probe's "
          "rewrite):")
    print("\n".join(f"  {s}" for s in style))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
