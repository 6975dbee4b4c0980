"""Edge-corrected convolutions with distance kernels, as the InVEST urban cooling model uses them.

The cooling model spreads three things over the map: the cooling of parks (an exponential
decay over the green-area cooling distance), the green area around each cell (a disk)
and the mixing of air temperature (an exponential decay over the averaging radius).
Near the edge of the map, or next to cells without data, part of a kernel hangs over
nothing. InVEST (through ``pygeoprocessing.convolve_2d(ignore_nodata_and_edges=True)``)
does not count those cells as zeros: it divides by the convolution of the valid-cell mask
and multiplies by the kernel's sum. A green share near the edge is therefore a share of
the cells that exist, and a count (the disk) is scaled up to a full disk.

That normaliser depends only on the valid cells and the kernel, not on the scenario, so
:class:`EdgeCorrectedConvolution` computes it once and every scenario reuses it. The
convolution itself runs by FFT (:func:`scipy.signal.fftconvolve` on all cores), which
costs a few hundred flops per cell whatever the kernel's size; a direct sum would cost
10⁵-10⁶ per cell at 10 m and 2 m. (Overlap-add, :func:`scipy.signal.oaconvolve`, was
measured slower here and used more memory at 25 M and 100 M cells with kernels of
450-500 cells: benchmarks/RESULTS.md.)

Examples
--------
>>> import numpy as np
>>> kernel = disk_kernel(1)
>>> kernel.astype(int).tolist()
[[0, 1, 0], [1, 1, 1], [0, 1, 0]]
>>> ones = np.ones((3, 4))
>>> EdgeCorrectedConvolution(kernel, ones > 0).apply(ones)[0].tolist()  # full disk everywhere
[5.0, 5.0, 5.0, 5.0]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import scipy.fft
from scipy.signal import fftconvolve

#: Threads each FFT may use (all cores: convolutions dominate the model's run time).
WORKERS = os.cpu_count() or 1
#: InVEST cuts its exponential kernels at this many decay distances (``max_distance = 5·d``).
EXPONENTIAL_CUTOFF = 5


def _distances(radius: int) -> np.ndarray:
    """Distance in cells of every cell of a ``(2r+1)²`` window from its centre."""
    offsets = np.arange(-radius, radius + 1, dtype=np.float64)
    return np.hypot(offsets[:, None], offsets[None, :])


def exponential_kernel(decay_cells: int) -> np.ndarray:
    """``exp(-d / decay)`` out to ``5·decay`` cells, normalised to sum 1.

    Matches ``pygeoprocessing.kernels.exponential_decay_kernel(max_distance=5·decay,
    expected_distance=decay)``, including the cut at ``d <= 5·decay`` (a disk, not a square).
    """
    if decay_cells < 1:
        raise ValueError("an exponential kernel needs a decay distance of at least one cell")
    reach = EXPONENTIAL_CUTOFF * decay_cells
    distance = _distances(reach)
    kernel = np.where(distance <= reach, np.exp(-distance / decay_cells), 0.0)
    return kernel / kernel.sum()


def disk_kernel(radius_cells: int) -> np.ndarray:
    """1 for cells whose centre lies within ``radius_cells`` of the centre cell, else 0."""
    if radius_cells < 0:
        raise ValueError("a disk kernel needs a radius of zero or more cells")
    return (_distances(radius_cells) <= radius_cells).astype(np.float64)


def kernel_radius(kernel: np.ndarray) -> int:
    """Half the width of a square, odd-sized kernel: how far one cell's influence reaches."""
    return (kernel.shape[0] - 1) // 2


def convolve(values: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Convolve with zeros beyond the array's edges; output has the input's shape."""
    with scipy.fft.set_workers(WORKERS):
        return np.asarray(fftconvolve(values, kernel, mode="same"))


class FFTPlan:
    """FFT convolution of grids of one shape with kernels reaching up to ``reach`` cells.

    Grids and kernels are zero-padded to one fast FFT size at least ``reach`` cells larger
    on every side, so that nothing wraps around. Spectra made by one plan can be combined:
    the model transforms each valid-cell mask once for all its kernels' normalisers.
    """

    def __init__(self, shape: tuple[int, ...], reach: int) -> None:
        self.shape = (int(shape[0]), int(shape[1]))
        self.padded = tuple(scipy.fft.next_fast_len(n + 2 * reach, real=True) for n in shape)
        self._buffer: np.ndarray | None = None

    def forward(self, values: np.ndarray) -> np.ndarray:
        """Spectrum of a grid (or of a kernel, placed at the top-left corner)."""
        if values.shape != self.shape:  # a kernel: small, padded afresh
            padded = np.zeros(self.padded)
            padded[: values.shape[0], : values.shape[1]] = values
            with scipy.fft.set_workers(WORKERS):
                return np.asarray(scipy.fft.rfft2(padded, overwrite_x=True))
        # grids reuse one zero-padded buffer: its margin stays zero, and fresh allocations
        # of this size cost more in page faults than the copy itself
        if self._buffer is None:
            self._buffer = np.zeros(self.padded)
        self._buffer[: self.shape[0], : self.shape[1]] = values
        with scipy.fft.set_workers(WORKERS):
            return np.asarray(scipy.fft.rfft2(self._buffer))

    def inverse(self, spectrum: np.ndarray, radius: int) -> np.ndarray:
        """The grid of a product of spectra, cropped as a 'same' convolution of ``radius``."""
        with scipy.fft.set_workers(WORKERS):
            full = scipy.fft.irfft2(spectrum, s=self.padded, overwrite_x=True)
        height, width = self.shape
        return full[radius : radius + height, radius : radius + width]  # a view: no copy


@dataclass
class EdgeCorrectedConvolution:
    """A kernel over a fixed set of valid cells, with its edge normaliser computed once.

    ``apply(x) = conv(x·valid) / conv(valid) · sum(kernel)`` on valid cells, NaN elsewhere:
    for a normalised kernel this is the kernel-weighted mean over the cells that exist.
    The kernel's spectrum is kept, so each later convolution of a whole grid costs one
    forward and one inverse FFT. A ``plan`` and the spectrum of ``valid`` under it may be
    shared between several kernels over the same cells.
    """

    kernel: np.ndarray
    valid: np.ndarray
    plan: FFTPlan | None = None
    valid_spectrum: np.ndarray | None = field(default=None, repr=False)
    normaliser: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.plan is None:
            self.plan = FFTPlan(self.valid.shape, self.radius)
        self._spectrum = self.plan.forward(self.kernel)
        mask = self.valid_spectrum
        if mask is None:
            mask = self.plan.forward(self.valid)
        self.normaliser = self.plan.inverse(mask * self._spectrum, self.radius)
        self.valid_spectrum = None  # not needed any more; may be large
        # cells that are valid always see at least their own kernel centre; FFT round-off
        # must not turn a tiny positive weight into a division by zero elsewhere
        self.normaliser[~self.valid] = np.inf
        self._scale = float(self.kernel.sum())

    @property
    def radius(self) -> int:
        """How many cells away a change still affects the result."""
        return kernel_radius(self.kernel)

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Edge-corrected convolution of ``values`` over the whole grid."""
        assert self.plan is not None
        spectrum = self.plan.forward(np.where(self.valid, values, 0.0))
        spectrum *= self._spectrum
        result = self.plan.inverse(spectrum, self.radius)
        result /= self.normaliser
        result *= self._scale
        result[~self.valid] = np.nan
        return result

    def apply_change(
        self, change: np.ndarray, rows: slice, cols: slice
    ) -> tuple[np.ndarray, slice, slice]:
        """Convolve a change that is zero outside ``[rows, cols]``, cheaply.

        The convolution is linear, so the new result is the old one plus the convolution of
        the change, which is non-zero only within the kernel's reach of the changed block.
        Returns that increment and the block (rows, cols) it covers.
        """
        reach = self.radius
        height, width = self.valid.shape
        out_rows = slice(max(rows.start - reach, 0), min(rows.stop + reach, height))
        out_cols = slice(max(cols.start - reach, 0), min(cols.stop + reach, width))
        block = np.zeros((out_rows.stop - out_rows.start, out_cols.stop - out_cols.start))
        inner = (
            slice(rows.start - out_rows.start, rows.stop - out_rows.start),
            slice(cols.start - out_cols.start, cols.stop - out_cols.start),
        )
        block[inner] = np.where(self.valid[rows, cols], change, 0.0)
        increment = convolve(block, self.kernel) / self.normaliser[out_rows, out_cols]
        increment *= self._scale
        increment[~self.valid[out_rows, out_cols]] = 0.0
        return increment, out_rows, out_cols
