"""Deterministic generator of the fictional sample municipality Musterstadt.

Run ``python -m sample_data.synth`` to rewrite ``sample_data/musterstadt/``; add
``--check`` to verify that the committed files are what the generator makes.
"""
