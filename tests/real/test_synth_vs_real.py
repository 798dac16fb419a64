"""The synthetic corpus stays calibrated to the real 2016-17 letters (labels.csv)."""

from __future__ import annotations

import pandas as pd
import pytest

from synthetic.generative_model import CaseGenerator, GeneratorSettings

pytestmark = pytest.mark.real


def test_overturn_rate_and_items_per_letter_match_the_real_letters(dwc_letters_dir):
    real = pd.read_csv(dwc_letters_dir / "labels.csv")
    real_rate = (real.decision == "Overturned").mean()
    real_items = real.groupby("case_number").size()
    gen = CaseGenerator(GeneratorSettings(seed=0))
    cases = [gen.case(i) for i in range(3000)]
    services = [s for c in cases for s in c.services]
    syn_rate = sum(s.decision == "Overturned" for s in services) / len(services)
    syn_items = pd.Series([len(c.services) for c in cases])
    # 292 real services: a binomial 95% interval around 12.7% is about +-4 points
    assert abs(syn_rate - real_rate) < 0.04, (syn_rate, real_rate)
    assert abs(syn_items.mean() - real_items.mean()) < 0.4
    assert abs((syn_items == 1).mean() - (real_items == 1).mean()) < 0.08
