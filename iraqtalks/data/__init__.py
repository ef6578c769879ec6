"""The data layer: datapackage.json, reading and checking the CSVs, loading typed tables, seeds and evidence.

Imports pandas and numpy, never the views. Modules: descriptor (datapackage.json, with the labels of coded values:
enum_labels), csvtext (CSV as text),
checks / evidence_checks / foreign_keys (the rules), problems / advice (what is wrong and what was meant),
caches, loader (validate, load, load_all), report (check-data), seeds, evidence (cite, lookup, side_by_side),
upstream (outside evidence), cleaning (cleaning_rules.csv and the cleaner with them), build and coverage (the derived
tables check-data compares), datadict, paths.
"""
