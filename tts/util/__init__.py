"""Small helpers every stage may use: safe files, bounded input, signals, standard output."""
