"""Export a verl FSDP checkpoint to a Hugging Face folder (``python -m critic_r1_ext.export``)."""
