"""The rows of /names from one read of spellings (monitor.watches.namegroups.ranked_entities):
which entries join a ranked one, and what a row gathers. Pure: no store."""

from __future__ import annotations

from monitor.watches.namegroups import joining_entries, ranked_entities


def test_entries_ending_with_a_ranked_last_word_may_join() -> None:
    entries = ["joe biden", "president biden", "biden", "hunter bidens", "nato", "jill stein"]
    assert joining_entries(["joe biden", "nato"], entries) == ["biden", "president biden"]
    assert joining_entries([], entries) == []


def test_a_title_and_surname_join_the_full_name_and_the_row_is_counted_again() -> None:
    keys_of = {"joe biden": ["joe biden", "biden joe"], "president biden": ["president biden"],
               "nato": ["nato"]}
    weights = {"joe biden": 12, "nato": 7, "president biden": 3}
    spellings = {
        "joe biden": {"Joe Biden": 10, "Джо Байден": 2},
        "president biden": {"President Biden": 3},
        "nato": {"NATO": 6, "НАТО": 1},
    }
    rows = ranked_entities(["joe biden", "nato"], keys_of, weights, spellings)
    assert set(rows) == {"joe biden", "nato"}
    biden = rows["joe biden"]
    assert biden.entries == ("joe biden", "president biden") and biden.merged
    assert biden.keys == ("biden joe", "joe biden", "president biden")  # all, to count again
    assert dict(biden.spellings) == {"Joe Biden": 10, "Джо Байден": 2, "President Biden": 3}
    assert not rows["nato"].merged and rows["nato"].keys == ("nato",)


def test_two_people_of_one_surname_stay_two_rows_and_joiners_alone_make_none() -> None:
    weights = {"bill clinton": 9, "hillary clinton": 8, "chelsea clinton": 1, "clinton": 5}
    spellings = {
        "bill clinton": {"Bill Clinton": 9},
        "hillary clinton": {"Hillary Clinton": 8},
        "chelsea clinton": {"Chelsea Clinton": 1},
        "clinton": {"Clinton": 5},
    }
    keys_of = {key: [key] for key in weights}
    rows = ranked_entities(["bill clinton", "hillary clinton"], keys_of, weights, spellings)
    assert set(rows) == {"bill clinton", "hillary clinton"}  # neither Chelsea nor the bare surname
    assert all(not row.merged for row in rows.values())
    # The result depends on neither the order of the ranked entries nor of the weights.
    again = ranked_entities(["hillary clinton", "bill clinton"], keys_of, dict(reversed(weights.items())),
                            spellings)
    assert again == rows
