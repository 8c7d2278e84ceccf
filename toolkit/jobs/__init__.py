"""Jobs: the things the toolkit does to an office folder (init, sample data, ...)."""
