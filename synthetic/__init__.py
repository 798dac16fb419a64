"""Synthetic IMR letters: the project's embedded default corpus (`imr synth`).

`generative_model` draws pre-review latent variables; `latent_criteria` finds each service's
governing guideline section and criterion statuses with the project's criteria table
(`features/criteria.yaml`); `outcome` draws the decision from a documented logistic model of those
statuses and a few context terms; `render` writes the letter in the 2016 DWC layout; `corpus`
writes files and the ground truth. Every letter is marked synthetic in its first line and in its file name.
"""
