"""What the test-time tools share: generation backends, row files in and out, final-answer normalisation."""
