"""Files: the file store every process reaches (the folder beside the SQLite file, or the database) and the
evidence units cite."""
