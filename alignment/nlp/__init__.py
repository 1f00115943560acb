"""Text in: the one spaCy pipeline, the sentence encoder and its registered components,
lemma statistics, and the on-disk vector cache."""
