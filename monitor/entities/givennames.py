"""Common English given names, a fact of the US census that Faker ships: read from its data
module as text, without importing Faker (monitor.entities.sounds: a word before a surname
heard alone that sounds like one is another person's given name)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

__all__ = ["census_given_names"]


def census_given_names() -> list[str]:
    """Faker's en_US given names, read from its data module as text: importing Faker keeps
    some 10 MB (48 modules) for the daemon's life for a list of 703 names. Imported after
    all where the module's layout is not the one read here."""
    spec = importlib.util.find_spec("faker")
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    names: set[str] = set()
    if folders:
        path = Path(folders[0]) / "providers" / "person" / "en_US" / "__init__.py"
        try:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id in ("first_names_male", "first_names_female")
                    for t in node.targets
                ):
                    value = node.value.args[0] if isinstance(node.value, ast.Call) else node.value
                    listed = ast.literal_eval(value)  # {name: weight} or (name, weight) pairs or names
                    names.update(str(item[0] if isinstance(item, tuple) else item) for item in listed)
        except (OSError, SyntaxError, ValueError, TypeError, IndexError, AttributeError):
            names = set()
    if names:
        return sorted(names)
    from faker.providers.person.en_US import Provider

    return sorted(set(Provider.first_names_male) | set(Provider.first_names_female))
