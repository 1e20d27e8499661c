"""Signal receivers. Kept here so the models stay free of side effects."""
