"""Which model an index update tags with: the index keeps its own model, and another
one is refused unless asked for with --rebuild (then every stored photo is tagged
again), so no photo is ever dropped or silently tagged by two models.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .heads import heads_for
from .index import Index
from .tagging import EVIDENCE

# The COCO object detector runs by default: measured in benchmarks/coco.py (docs/benchmarks.md).
OBJECTS_DEFAULT = True


@dataclass(frozen=True)
class ModelChoice:
    """What the user asked for. None: the index's own (for a new index: the default)."""

    tagger: str | None = None        # auto | resnet50 | efficientnet-lite0 | efficientnet-lite2
    weights: Path | None = None
    regions: bool | None = None
    device: str = "cpu"
    objects: bool | None = None      # the COCO object detector; None: the index's own setting

    @property
    def explicit(self) -> bool:
        return (self.tagger not in (None, "auto") or self.weights is not None
                or self.regions is not None)


@dataclass(frozen=True)
class Model:
    """The model an update uses, resolved: what the index records, and how to load it."""

    name: str                         # a TAGGER_NAMES entry or "auto"
    weights: Path | None
    regions: bool
    device: str
    identity: dict[str, str] | None   # None: known only once loaded (ResNet50 not found yet)
    unavailable: str = ""             # why the index's own model cannot tag now
    objects: bool = True              # the COCO object detector runs beside the tagger


def same_model(a: dict[str, str], b: dict[str, str]) -> bool:
    return all(a.get(k) == b.get(k) for k in ("name", "weights", "regions"))


def resolve_model(choice: ModelChoice, old: Index | None, rebuild: bool) -> tuple[Model, bool]:
    """The model to tag with, and whether every stored photo must be tagged again.

    An index keeps its model: `auto` means the index's own. Asking for another one is
    refused (UsageError naming --rebuild) unless `rebuild`, so no photo is ever
    dropped or silently tagged by two models. Heads shipped with a newer photofinder
    (another digest), or evidence computed another way (tagging.EVIDENCE, e.g. the sky
    from the pixels), make every photo stale: tagged again, searchable meanwhile.
    """
    from .tagger import describe_tagger

    stored = old.tagger if old is not None and not rebuild else None
    if stored is not None and stored.get("name"):
        name = choice.tagger if choice.tagger not in (None, "auto") else stored["name"]
        weights = choice.weights
        if weights is None and stored.get("weights_path"):
            weights = Path(stored["weights_path"])
            weights = weights if weights.is_file() else None
        regions = stored.get("regions", "on") == "on" if choice.regions is None else choice.regions
        # an index made before the detector: the default (turned off only when asked)
        objects = stored.get("objects", "") != "off" if choice.objects is None else choice.objects
    else:
        name, weights = choice.tagger or "auto", choice.weights
        regions = True if choice.regions is None else choice.regions
        objects = OBJECTS_DEFAULT if choice.objects is None else choice.objects
    identity = describe_tagger(name, weights, regions)
    if identity is not None:
        identity = with_heads(identity, weights, objects)
    unavailable = ""
    if stored is not None and identity is not None and not same_model(identity, stored):
        if choice.explicit:
            raise UsageError(
                f"индекс размечен моделью {describe(stored)}, а запрошена {describe(identity)}: "
                "чтобы разметить все фото заново новой моделью, добавьте --rebuild")
        # `auto` finds another model than the index's (other weights): tagging new photos
        # with it would mix two models' tags, so only a run with nothing to tag goes on
        unavailable = (f"модели индекса {describe(stored)} здесь нет (найдена "
                       f"{describe(identity)}): укажите её веса --weights ПУТЬ или "
                       "разметьте все фото заново с --rebuild")
        identity = None
    retag_all = rebuild and old is not None
    if stored is not None and identity is not None and same_model(identity, stored) \
            and any(identity.get(k) != stored.get(k) for k in ("heads", "evidence", "objects")):
        retag_all = True  # heads or evidence of a newer photofinder: its tags change
    return Model(name, weights, regions, choice.device, identity, unavailable,
                 objects), retag_all


def with_heads(identity: dict[str, str], weights: Path | None,
               objects: bool = True) -> dict[str, str]:
    """The identity an index records: the tagger's, its heads' digest, the evidence
    version, and the object detector's digest ("off" without it)."""
    from .detector import detector_digest

    identity = dict(identity)
    identity["objects"] = detector_digest() if objects else "off"
    heads = heads_for(identity["name"])
    identity["heads"] = heads.digest if heads is not None else "none"
    if heads is not None:  # the sky needs the scene head: without heads no tag changes
        identity["evidence"] = EVIDENCE
    if weights is not None:
        identity["weights_path"] = str(weights.resolve())
    return identity


def describe(identity: dict[str, str]) -> str:
    regions = "" if identity.get("regions", "on") == "on" else ", без фрагментов"
    return f"{identity.get('name')} ({identity.get('weights')}{regions})"


def load_model(model: Model, load_tagger, torch_threads: int | None):
    """The tagger for `model`; load_tagger(model) is injected by tests and benchmarks."""
    if load_tagger is not None:
        return load_tagger(model)
    from .tagger import load_tagger as load

    return load(model.name, model.weights, model.device, regions=model.regions,
                threads=torch_threads)
