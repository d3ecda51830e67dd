"""The offline answer pipeline: analysis, evidence, trained decision, selection, composition."""
