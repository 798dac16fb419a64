"""What a SYNTHETIC letter's summary says of earlier imaging, from latent variables (shared by the tests of
the generator's criteria and outcome terms)."""

from __future__ import annotations

from synthetic.generative_model import SynthCase, SynthService


def repeats_its_kind(case: SynthCase, svc: SynthService) -> bool:
    """The summary reports a study of the request's region and side of the request's kind: the renderer
    writes one study per region and side, of the kind of the letter's first imaging request there (session
    22: an earlier study of another kind is no repeat)."""
    first = next(s for s in case.services
                 if s.family == "imaging" and (s.region, s.side) == (svc.region, svc.side))
    return bool(svc.prior_imaging) and first.item_key == svc.item_key
