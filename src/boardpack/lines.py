"""The source line of every row, kept in ``frame.attrs["line_numbers"]`` without slowing pandas.

pandas deep-copies ``attrs`` into the result of most operations (``frame["debit"]``,
``frame[mask]``…). A Python list of a million line numbers makes each of them cost about
half a second; :class:`LineNumbers` wraps a read-only NumPy array and copies as itself, so a
million-row ledger keeps its line numbers for free. It behaves as the sequence
:func:`boardpack.schema.line_of` expects: ``len``, truth value, ``lines[i]`` and iteration.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

from .api.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")

__all__ = ["LineNumbers"]


class LineNumbers(Sequence[int]):
    """An immutable sequence of 1-based line numbers (the header is line 1)."""

    __slots__ = ("_array",)

    def __init__(self, numbers: Any) -> None:
        array = np.array(numbers, dtype=np.int64)
        array.setflags(write=False)
        self._array = array

    @classmethod
    def consecutive(cls, first: int, count: int) -> LineNumbers:
        """``count`` lines numbered from ``first`` (a file without blank lines)."""
        return cls(np.arange(first, first + count, dtype=np.int64))

    @property
    def array(self) -> np.ndarray:
        """The numbers as a read-only NumPy array."""
        return self._array

    def __len__(self) -> int:
        return len(self._array)

    def __bool__(self) -> bool:
        return len(self._array) > 0

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> LineNumbers: ...

    def __getitem__(self, index: int | slice) -> int | LineNumbers:
        if isinstance(index, slice):
            return LineNumbers(self._array[index])
        return int(self._array[index])

    def __iter__(self) -> Iterator[int]:
        return iter(self._array.tolist())

    def take(self, positions: Any) -> LineNumbers:
        """The numbers at ``positions`` (row positions after a sort or a filter)."""
        return LineNumbers(self._array[np.asarray(positions)])

    def __deepcopy__(self, memo: dict[int, Any]) -> LineNumbers:
        return self  # immutable: a copy is the object itself

    def __copy__(self) -> LineNumbers:
        return self

    def __repr__(self) -> str:
        head = ", ".join(str(n) for n in self._array[:5].tolist())
        more = ", …" if len(self._array) > 5 else ""
        return f"LineNumbers([{head}{more}], {len(self._array)} lignes)"
