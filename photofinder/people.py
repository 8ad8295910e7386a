"""Grouping faces into people and matching faces to a named person: pure NumPy.

Faces are grouped by average-linkage clustering on the Euclidean distance between
their embeddings, stopped at GROUP_DISTANCE. The threshold was calibrated on
../shared/data/faces-dev (409 LFW photos, 40 people with 6-10 photos, 80 strangers;
benchmarks/faces.py): at 0.50 no group held two people and 84 % of same-person
pairs shared a group; at 0.55 three groups mixed two people. A wrong name on a photo
is worse than a missing one, so the conservative side is taken, and a photo whose face
lies near a named person without joining the group is offered as a weak match
(MATCH_DISTANCE, dlib's own same-person limit) instead of being named.

Groups already made are kept: a later run only adds new faces, to an existing person
when their average distance to that person's faces is under GROUP_DISTANCE, or into
new groups among themselves. Two existing people are never merged automatically
(only `people merge` does that).
"""

from __future__ import annotations

import numpy as np

GROUP_DISTANCE = 0.50
MATCH_DISTANCE = 0.60
# New faces are clustered this many at a time: the linkage works on a dense
# chunk x chunk matrix, O(chunk^2) memory and O(chunk^3) time in the worst case.
CHUNK = 1500
UNGROUPED = -1


def _pairwise(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = a.astype(np.float32), b.astype(np.float32)
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)
    return np.sqrt(np.maximum(squared, 0.0))


def assign_groups(embeddings: np.ndarray, groups: np.ndarray,
                  threshold: float = GROUP_DISTANCE) -> np.ndarray:
    """Groups for every face: existing ones (>= 0) kept, UNGROUPED ones assigned.

    embeddings: [N, D]; groups: int [N], UNGROUPED for faces not grouped yet.
    Returns a new int array; new groups get ids above every id in use.
    """
    groups = np.asarray(groups, dtype=np.int64).copy()
    pending = np.flatnonzero(groups == UNGROUPED)
    next_id = int(groups.max(initial=-1)) + 1
    for start in range(0, len(pending), CHUNK):
        chunk = pending[start:start + CHUNK]
        next_id = _group_chunk(embeddings, groups, chunk, threshold, next_id)
    return groups


def _group_chunk(embeddings: np.ndarray, groups: np.ndarray, chunk: np.ndarray,
                 threshold: float, next_id: int) -> int:
    """Average linkage over the chunk's faces as singletons plus the existing groups
    within reach as fixed clusters; writes the chunk's groups in place."""
    grouped = np.flatnonzero(groups >= 0)
    ids = np.unique(groups[grouped]) if len(grouped) else np.zeros(0, np.int64)
    if len(grouped):
        to_old = _pairwise(embeddings[chunk], embeddings[grouped])
        # An average over a group is never below its minimum: a group with no face
        # within the threshold of any chunk face can never be joined.
        near = np.unique(groups[grouped][(to_old < threshold).any(axis=0)])
        ids = ids[np.isin(ids, near)]
    m, g = len(chunk), len(ids)
    size = np.ones(m + g)
    dist = np.full((m + g, m + g), np.inf, dtype=np.float64)
    dist[:m, :m] = _pairwise(embeddings[chunk], embeddings[chunk])
    if g:
        for k, gid in enumerate(ids):
            members = groups[grouped] == gid
            dist[:m, m + k] = to_old[:, members].mean(axis=1)
            size[m + k] = members.sum()
        dist[m:, :m] = dist[:m, m:].T
    np.fill_diagonal(dist, np.inf)
    fixed = np.zeros(m + g, dtype=bool)
    fixed[m:] = True
    owner = np.arange(m + g)  # each chunk face's current cluster
    while True:
        flat = int(np.argmin(dist))
        i, j = divmod(flat, m + g)
        if not dist[i, j] < threshold:
            break
        if fixed[j] and not fixed[i]:
            i, j = j, i  # keep the existing group's row
        merged = (size[i] * dist[i] + size[j] * dist[j]) / (size[i] + size[j])
        size[i] += size[j]
        fixed[i] = fixed[i] or fixed[j]
        dist[i], dist[:, i] = merged, merged
        dist[j], dist[:, j] = np.inf, np.inf
        dist[i, i] = np.inf  # inf between two existing groups stays inf: never merged
        owner[owner == j] = i
    new_ids: dict[int, int] = {}
    for face, cluster in zip(chunk, owner[:m]):
        if cluster >= m:
            groups[face] = ids[cluster - m]
        else:
            if cluster not in new_ids:
                new_ids[cluster], next_id = next_id, next_id + 1
            groups[face] = new_ids[cluster]
    return next_id


def similarity(embeddings: np.ndarray, person: np.ndarray) -> np.ndarray:
    """Cosine similarity of each face to the person's mean face, in -1..1: what an
    explanation shows («Маша: лицо, сходство 0.93»)."""
    centre = person.astype(np.float32).mean(axis=0)
    faces = embeddings.astype(np.float32)
    norms = np.linalg.norm(faces, axis=1) * max(float(np.linalg.norm(centre)), 1e-9)
    return (faces @ centre) / np.maximum(norms, 1e-9)


def near_person(embeddings: np.ndarray, person: np.ndarray,
                limit: float = MATCH_DISTANCE) -> np.ndarray:
    """Which faces lie within `limit` average distance of the person's faces: weak
    matches for a search, never a name."""
    if not len(embeddings) or not len(person):
        return np.zeros(len(embeddings), dtype=bool)
    return _pairwise(embeddings, person).mean(axis=1) < limit


def match_faces(embeddings: np.ndarray, groups: np.ndarray,
                person: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How every face matches person `person` (a group id).

    Returns (similarity [N] to the person's mean face, member [N] bool: in the
    person's group, near [N] bool: not in it but within MATCH_DISTANCE: a weak match).
    """
    member = np.asarray(groups) == person
    if not member.any():
        empty = np.zeros(len(groups), dtype=bool)
        return np.zeros(len(groups), np.float32), empty, empty
    own = embeddings[member]
    near = np.zeros(len(groups), dtype=bool)
    others = np.flatnonzero(~member)
    near[others] = near_person(embeddings[others], own)
    return similarity(embeddings, own), member, near
