"""The text stage: clean-up, numbers, rules, lexicons, tashkeel, languages and chunks."""
