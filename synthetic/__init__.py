"""Synthetic IMR letters: the project's embedded default corpus (`imr synth`).

`generative_model` draws pre-review latent variables and then the outcome from a documented
logistic model; `render` writes the letter in the 2016 DWC layout; `corpus` writes files and the
ground truth. Every letter is marked synthetic in its first line and in its file name.
"""
