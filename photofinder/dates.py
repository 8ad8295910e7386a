"""When each photo was taken, for a query with a year or a month: the EXIF date, else
the file's modification time."""

from __future__ import annotations

import time

import numpy as np

from .index import Index
from .query import Query


class PhotoDates:
    """The dates of one loaded index's photos, worked out on the first dated query."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._dates: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def _photo_dates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(year, month, from_exif) per photo: the EXIF date, else the file's mtime in
        local time (the current UTC offset: a summer-time hour off at most)."""
        if self._dates is None:
            taken = self.index.taken
            offset = time.localtime().tm_gmtoff
            seconds = np.where(taken > 0, taken, self.index.mtimes // 1_000_000_000 + offset)
            stamps = seconds.astype("datetime64[s]")
            years = stamps.astype("datetime64[Y]").astype(np.int64) + 1970
            months = stamps.astype("datetime64[M]").astype(np.int64) % 12 + 1
            self._dates = years, months, taken > 0
        return self._dates

    def mask(self, query: Query, rows: np.ndarray | None = None) -> np.ndarray:
        """The photos taken in the query's years and months, and not in those it
        excludes: of every photo, or of `rows` only."""
        years, months, _ = self._photo_dates()
        if rows is not None:
            years, months = years[rows], months[rows]
        mask = np.ones(len(years), bool)
        if query.years:
            mask &= np.isin(years, sorted(query.years))
        if query.months:
            mask &= np.isin(months, sorted(query.months))
        if query.not_years:
            mask &= ~np.isin(years, sorted(query.not_years))
        if query.not_months:
            mask &= ~np.isin(months, sorted(query.not_months))
        return mask

    def season_unsure(self, query: Query, rows: np.ndarray) -> np.ndarray:
        """Of `rows`, the photos a season asked for cannot rule out: no date taken in
        their EXIF (a copied, scanned or downloaded photo's file time is when it was
        copied), when the query's months came from season words alone. A month named or
        a year stays a filter by the file's time, as the README says."""
        if not query.by_season:
            return np.zeros(len(rows), bool)
        _, _, exif = self._photo_dates()
        return ~exif[rows]

    def unsure_text(self, row: int) -> str:
        """For a weak result of a season query: its date, or that none says when it was
        taken («у файла» is when it was copied, which a season cannot go by)."""
        _, _, exif = self._photo_dates()
        if exif[row]:
            return f"снято {self.text(row)}"
        return f"дата съёмки неизвестна (у файла {self.text(row).split(' ')[0]})"

    def text(self, row: int) -> str:
        """«14.07.2019 (EXIF)» or «… (дата файла)»."""
        _, _, exif = self._photo_dates()
        seconds = int(self.index.taken[row]) if exif[row] else (
            int(self.index.mtimes[row]) // 1_000_000_000 + time.localtime().tm_gmtoff)
        day = np.datetime64(seconds, "s").astype("datetime64[D]").item()
        return f"{day:%d.%m.%Y} ({'EXIF' if exif[row] else 'дата файла'})"

    def sort_time(self) -> np.ndarray:
        """Seconds to order photos newest first by."""
        return np.where(self.index.taken > 0, self.index.taken,
                        self.index.mtimes // 1_000_000_000)
