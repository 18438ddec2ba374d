"""Content: read files and taxonomy.yml, validate them, model the Catalogue."""
