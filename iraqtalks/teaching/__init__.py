"""Teaching: lesson helpers, the exercise checker and its answer keys (answer_keys.json)."""
