"""The labelled fixture generator: realistic synthetic Llave CDMX submissions.

``synth.generate.generate_set(out, n, seed)`` writes ``n`` case folders (``case.json`` and the
files it names) and ``out/labels.json`` with each case's scenario, expected routing and the
true values printed on its documents. Everything is deterministic per seed.
"""
