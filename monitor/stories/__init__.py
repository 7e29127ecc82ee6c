"""Stories: one stored article per item (dedup), vectors (embed), and the grouping of one event's
coverage across outlets and languages into a story."""
