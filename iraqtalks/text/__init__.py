"""Text: Vietnamese numbers, month names and date words, en/vi labels, cleaning the seed pages. No pandas."""
