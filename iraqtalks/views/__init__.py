"""Views: the kit's matplotlib style, the timeline explorer and source comparison widgets, charts."""
