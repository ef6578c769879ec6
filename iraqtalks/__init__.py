"""Iraq–US talks teaching kit helpers."""
