"""The two workbooks' columns: what each is called, its type and who owns it."""

from __future__ import annotations

from dataclasses import dataclass, field

COLUMN_TYPES = ("text", "integer", "decimal", "date", "datetime", "choice")
OWNERS = ("staff", "toolkit")


@dataclass(frozen=True)
class Column:
    name: str  # canonical name used by the toolkit, e.g. "customer_id"
    header: str  # the header staff see (Chinese by default), e.g. "客户编号"
    english: str = ""  # the English header, e.g. "Customer ID"
    aliases: tuple[str, ...] = ()  # more header texts accepted when reading
    type: str = "text"
    required: bool = False
    owner: str = "staff"  # "staff": never written by the toolkit; "toolkit": computed
    choices: tuple[str, ...] = ()
    choice_aliases: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    width: float | None = None
    range: tuple[float, float] | None = None  # a number column's lowest and highest value (a score: 1 to 5)

    def in_range(self, value: object) -> bool:
        """Whether a number read from this column lies in its range (always, without one)."""
        return self.range is None or self.range[0] <= value <= self.range[1]  # type: ignore[operator]

    @property
    def accepted_headers(self) -> list[str]:
        names = [self.header, self.english, self.name, *self.aliases]
        return [n for n in names if n]

    def header_for(self, language: str) -> str:
        return self.english if language == "en" and self.english else self.header


@dataclass(frozen=True)
class SheetSchema:
    """One workbook's main sheet: its name, the key column and the columns in display order."""

    role: str  # "register" or "tracker"
    sheet: str
    key: str
    columns: tuple[Column, ...]

    def __post_init__(self):
        object.__setattr__(self, "_by_name", {c.name: c for c in self.columns})

    def column(self, name: str) -> Column:
        return self._by_name[name]  # type: ignore[attr-defined]

    def __contains__(self, name: str) -> bool:
        return name in self._by_name  # type: ignore[attr-defined]

    @property
    def staff_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.owner == "staff")

    @property
    def toolkit_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.owner == "toolkit")

    def expected_headers(self) -> dict[str, list[str]]:
        return {c.name: c.accepted_headers for c in self.columns}
