"""When each photo was taken, for a query with a year, a month, a span of days said from
today («в прошлом году», «вчера») or a time of day: the EXIF date, else the file's
modification time (never for the hour: that is when it was copied)."""

from __future__ import annotations

import time
from datetime import date

import numpy as np

from .index import Index
from .query import Query


class PhotoDates:
    """The dates of one loaded index's photos, worked out on the first dated query."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._dates: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._days: np.ndarray | None = None

    def _photo_dates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(year, month, hour, from_exif) per photo: the EXIF date, else the file's mtime
        in local time (the current UTC offset: a summer-time hour off at most)."""
        if self._dates is None:
            taken = self.index.taken
            offset = time.localtime().tm_gmtoff
            seconds = np.where(taken > 0, taken, self.index.mtimes // 1_000_000_000 + offset)
            stamps = seconds.astype("datetime64[s]")
            years = stamps.astype("datetime64[Y]").astype(np.int64) + 1970
            months = stamps.astype("datetime64[M]").astype(np.int64) % 12 + 1
            hours = stamps.astype("datetime64[h]").astype(np.int64) % 24
            self._dates = years, months, hours, taken > 0
            self._days = stamps.astype("datetime64[D]")
        return self._dates

    def mask(self, query: Query, rows: np.ndarray | None = None, hours: bool = True,
             season_by_file: bool = True) -> np.ndarray:
        """The photos taken in the query's years, months and hours, and not in those it
        excludes: of every photo, or of `rows` only. A photo's hour counts only from
        its EXIF date; hours=False leaves out the hours asked for (not those excluded).
        season_by_file=False: a season's months too count only from the EXIF date (a
        season with words: a file's month is when it was copied, and a folder copied
        in December is not a winter; unsure() keeps such photos below the divider)."""
        years, months, hour, exif = self._photo_dates()
        if rows is not None:
            years, months, hour, exif = years[rows], months[rows], hour[rows], exif[rows]
        mask = np.ones(len(years), bool)
        if hours and query.hours:
            mask &= exif & np.isin(hour, sorted(query.hours))
        if query.not_hours:
            mask &= ~(exif & np.isin(hour, sorted(query.not_hours)))
        if query.years:
            mask &= np.isin(years, sorted(query.years))
        if query.months:
            mask &= np.isin(months, sorted(query.months))
            if query.by_season and not season_by_file:
                mask &= exif
        if query.not_years:
            mask &= ~np.isin(years, sorted(query.not_years))
        if query.not_months:
            mask &= ~np.isin(months, sorted(query.not_months))
        if query.periods or query.not_periods:
            days = self._photo_days() if rows is None else self._photo_days()[rows]
            if query.periods:
                mask &= _in_any(days, query.periods)
            if query.not_periods:
                mask &= ~_in_any(days, query.not_periods)
        return mask

    def _photo_days(self) -> np.ndarray:
        """The day each photo was taken (datetime64[D]), from the dates _photo_dates
        works out."""
        if self._days is None:
            self._photo_dates()   # sets it
        return self._days  # type: ignore[return-value]

    def without_date_taken(self) -> int:
        """How many photos have no date taken in their EXIF (so no time of day)."""
        return int((~self._photo_dates()[3]).sum())

    @staticmethod
    def needs_exif(query: Query) -> bool:
        """Whether the query's weak results say how their date was known: its months
        came from season words alone, or it asks for a time of day."""
        return query.by_season or bool(query.hours)

    def unsure(self, query: Query, rows: np.ndarray) -> np.ndarray:
        """Of `rows`, the photos that stay among the weak results of a query with words:
        for a season, those with no date taken in their EXIF (a copied, scanned or
        downloaded photo's file time is when it was copied); for a time of day, those
        taken at another hour or with no EXIF date, when the rest of the query's time
        holds (an hour orders, it does not hide: morning is not the same hours for
        everyone). A month named or a year stays a filter by the file's time, as the
        README says."""
        out = np.zeros(len(rows), bool)
        if query.by_season:
            out |= ~self._photo_dates()[3][rows]
        if query.hours:
            out |= self.mask(query, rows, hours=False)
        return out

    def unsure_text(self, row: int, clock: bool = False) -> str:
        """For a weak result of a season or a time-of-day query: its date, or that none
        says when it was taken («у файла» is when it was copied, which a season cannot
        go by)."""
        if self._photo_dates()[3][row]:
            return f"снято {self.text(row, clock)}"
        return f"дата съёмки неизвестна (у файла {self.text(row).split(' ')[0]})"

    def text(self, row: int, clock: bool = False) -> str:
        """«14.07.2019 (EXIF)» or «… (дата файла)»; clock: «14.07.2019 08:15 (EXIF)» (the
        time only from EXIF)."""
        exif = self._photo_dates()[3]
        seconds = int(self.index.taken[row]) if exif[row] else (
            int(self.index.mtimes[row]) // 1_000_000_000 + time.localtime().tm_gmtoff)
        moment = np.datetime64(seconds, "s").item()
        shown = f"{moment:%d.%m.%Y %H:%M}" if clock and exif[row] else f"{moment:%d.%m.%Y}"
        return f"{shown} ({'EXIF' if exif[row] else 'дата файла'})"

    def sort_time(self) -> np.ndarray:
        """Seconds to order photos newest first by."""
        return np.where(self.index.taken > 0, self.index.taken,
                        self.index.mtimes // 1_000_000_000)


def _in_any(days: np.ndarray, periods: tuple[tuple[date, date], ...]) -> np.ndarray:
    """Whether each day is in one of the [from, to) spans."""
    out = np.zeros(len(days), bool)
    for start, end in periods:
        out |= (days >= np.datetime64(start, "D")) & (days < np.datetime64(end, "D"))
    return out
