"""Letters -> records -> feature table. Shared by training and serving; imports neither."""
