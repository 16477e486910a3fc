"""Vectorized numeric helpers: a deterministic hash, grouped running sums, local prices."""

from __future__ import annotations

import numpy as np


def splitmix64(values: np.ndarray, salt: int) -> np.ndarray:
    """Deterministic 64-bit hash of integers (vectorized SplitMix64)."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) ^ np.uint64(salt & 0xFFFFFFFFFFFFFFFF)
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def group_starts(keys: np.ndarray) -> np.ndarray:
    """Boolean mask of the first element of each run of equal keys."""
    mask = np.ones(keys.size, dtype=bool)
    if keys.size > 1:
        mask[1:] = keys[1:] != keys[:-1]
    return mask


def grouped_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Inclusive cumulative sum restarting at each group start."""
    total = np.cumsum(values)
    first = np.flatnonzero(starts)
    base = total[first] - values[first]
    group = np.cumsum(starts) - 1
    return total - base[group]


def local_price(usd: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Convert a USD price to a plausible local list price (x.99, or whole units if cheap)."""
    local = usd / rate
    cheap_unit = rate < 0.05
    whole = np.round(local / np.where(local > 500, 10, 1)) * np.where(local > 500, 10, 1)
    ninety_nine = np.floor(local) + 0.99
    return np.where(cheap_unit, whole, ninety_nine)
