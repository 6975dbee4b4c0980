"""The heat-island model in chunks, with Dask: the same result as :class:`HeatModel`.

Why
---
:meth:`scenarios.heat.HeatModel.run` convolves whole grids at once. For a city at 2 m, or a
whole region at 10 m, a grid has 10⁸-10⁹ cells and every FFT convolution needs several
grid-sized float buffers (padded inputs, spectra, output) besides the model's own grids:
more memory than one machine has, and all of it on one core. :func:`run_chunked` splits
the grid into square chunks and runs every stage of the model chunk by chunk with
:mod:`dask.array`, so that the working memory per task is that of one chunk (plus its
halo) and the chunks spread over all cores - or over a Dask cluster: a caller that has
the cluster's scheduler address from its configuration connects a
``distributed.Client`` to it and passes the client in. The surface going in and the
:class:`~scenarios.heat.HeatResult` coming out are still numpy grids on the calling
machine, so the result is an ordinary ``HeatResult``.

The halo rule
-------------
The per-cell stages (cooling capacity, heat mitigation) need no neighbours and run with
``map_blocks``. Each convolution stage runs with ``map_overlap``: every chunk is extended
by the kernel's radius ``r`` (:func:`~scenarios.convolution.kernel_radius`) with cells of
its neighbours, and with zeros beyond the edges of the grid; the convolution of the
extended chunk, trimmed back to the chunk, then holds for every cell exactly the terms
the whole-grid convolution holds, because no kernel reaches further than ``r``. Both the
numerator ``conv(x·valid)`` and the edge normaliser ``conv(valid)`` are computed this way
(by :class:`~scenarios.convolution.EdgeCorrectedConvolution` on the extended chunk), and
the zero padding makes the cells beyond the grid invalid - which is precisely the edge
handling of the whole-grid model. The results agree up to FFT round-off.

Dask takes a halo only from the adjacent chunks, so every chunk must be at least ``r``
cells wide: the chunk size is raised to the largest radius of the three kernels, and a
short last chunk is merged into its neighbour (:func:`overlap_chunks`). An extended chunk
costs ``(c + 2r)²`` cells of FFT for ``c²`` cells of result, so chunks should be several
times the radius (the default of 4096 cells against radii of a few hundred). Each stage
is persisted before the next one reads its halo, so every stage is computed once.

Examples
--------
>>> import numpy as np
>>> from scenarios.heat import BiophysicalTable, HeatModel
>>> codes = np.zeros((90, 70), dtype=int)
>>> codes[30:60, 20:50] = 1
>>> table = BiophysicalTable.from_rows([
...     {"lucode": 0, "shade": 0.0, "kc": 0.2, "albedo": 0.15, "green_area": 0},
...     {"lucode": 1, "shade": 0.6, "kc": 1.0, "albedo": 0.2, "green_area": 1},
... ])
>>> surface = table.surface(codes, et0=5.0)
>>> parameters = HeatParameters(green_area_cooling_distance=50.0, t_air_average_radius=60.0)
>>> chunked = run_chunked(surface, cell_size=10.0, parameters=parameters, chunk=32)
>>> whole = HeatModel.for_surface(surface, cell_size=10.0, parameters=parameters).run(surface)
>>> bool(np.allclose(chunked.hm_mixed, whole.hm_mixed, atol=1e-9))
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import dask
import dask.array as da
import numpy as np

from scenarios.convolution import (
    EdgeCorrectedConvolution,
    disk_kernel,
    exponential_kernel,
    kernel_radius,
)
from scenarios.heat import (
    HeatModelError,
    HeatParameters,
    HeatResult,
    Surface,
    cooling_capacity,
    green_area_threshold,
    heat_mitigation,
    park_signal,
)

if TYPE_CHECKING:
    from distributed import Client

#: A kernel as a recipe (a kernel function bound to its size in cells): tasks rebuild the
#: kernel from it, so the task graph does not carry a copy of a large kernel per chunk.
KernelRecipe = Callable[[], np.ndarray]

_EMPTY = np.empty((0, 0), dtype=np.float64)


def run_chunked(
    surface: Surface,
    *,
    cell_size: float,
    parameters: HeatParameters,
    chunk: int = 4096,
    client: Client | None = None,
) -> HeatResult:
    """Run the cooling model on ``surface`` chunk by chunk; same result as :class:`HeatModel`.

    ``chunk`` is the side of the square chunks in cells; it is raised to the largest kernel
    radius where it is smaller (see :func:`overlap_chunks`). With a ``client`` the chunks
    are computed on its Dask cluster, otherwise on the threads of this process. ``ET0_max``
    is taken over the whole grid before chunking, as in InVEST.
    """
    if cell_size <= 0:
        raise HeatModelError(f"cell size {cell_size} m must be positive")
    if chunk < 1:
        raise HeatModelError(f"chunk size {chunk} must be at least one cell")
    cooling, mixing = parameters.cells(cell_size)
    parameters.weights()
    park_kernel = partial(exponential_kernel, cooling)
    green_kernel = partial(disk_kernel, cooling)
    mix_kernel = partial(exponential_kernel, mixing)
    depth = max(kernel_radius(recipe()) for recipe in (park_kernel, green_kernel, mix_kernel))
    chunks = overlap_chunks(surface.valid.shape, chunk, depth)
    et0_max = surface.et0_max()

    def lazy(array: np.ndarray) -> da.Array:
        return da.from_array(np.asarray(array), chunks=chunks)

    valid = lazy(surface.valid)
    cooling_valid = lazy(surface.cooling_valid(parameters.cc_method))
    green_in = lazy(surface.green)
    et0: da.Array | float = (
        lazy(surface.et0) if isinstance(surface.et0, np.ndarray) else float(surface.et0)
    )
    et0_valid = None if surface.et0_valid is None else lazy(surface.et0_valid)
    cc = da.map_blocks(
        _cooling_capacity_block,
        lazy(surface.shade),
        lazy(surface.albedo),
        lazy(surface.kc),
        green_in,
        lazy(surface.building_intensity),
        valid,
        et0,
        et0_valid,
        parameters=parameters,
        et0_max=et0_max,
        dtype=np.float64,
        meta=_EMPTY,
    )
    (cc,) = _persist([cc], client)

    parks = da.map_blocks(park_signal, cc, green_in, dtype=np.float64, meta=_EMPTY)
    cc_park = _edge_corrected(parks, cooling_valid, park_kernel)
    green_area = _edge_corrected(green_in, valid, green_kernel)
    cc_park, green_area = _persist([cc_park, green_area], client)

    threshold = green_area_threshold(cell_size)
    hm = da.map_blocks(
        heat_mitigation, cc, cc_park, green_area, threshold, dtype=np.float64, meta=_EMPTY
    )
    (hm,) = _persist([hm], client)

    hm_mixed = _edge_corrected(hm, cooling_valid, mix_kernel)
    green = da.where(valid, green_in, 0.0)
    cc_np, green_np, cc_park_np, green_area_np, hm_np, hm_mixed_np = _compute(
        [cc, green, cc_park, green_area, hm, hm_mixed], client
    )
    return HeatResult(
        parameters, cc_np, green_np, cc_park_np, green_area_np, hm_np, hm_mixed_np, et0_max
    )


def overlap_chunks(shape: Sequence[int], chunk: int, depth: int) -> tuple[tuple[int, ...], ...]:
    """Chunks per axis for halos of ``depth`` cells: each chunk at least ``depth`` wide.

    Chunks are ``max(chunk, depth)`` cells; a last, shorter one is kept if it is at least
    ``depth`` wide and merged into the chunk before it otherwise. An axis shorter than
    ``depth`` is one chunk.

    >>> overlap_chunks((300, 420), 128, 75)
    ((128, 172), (128, 128, 164))
    >>> overlap_chunks((300, 50), 16, 75)
    ((75, 75, 75, 75), (50,))
    """
    step = max(chunk, depth, 1)
    axes = []
    for size in shape:
        sizes = [step] * (size // step)
        rest = size - step * len(sizes)
        if rest and sizes and rest < depth:
            sizes[-1] += rest
        elif rest or not sizes:
            sizes.append(rest)
        axes.append(tuple(sizes))
    return tuple(axes)


def _edge_corrected(values: da.Array, valid: da.Array, kernel: KernelRecipe) -> da.Array:
    """:class:`EdgeCorrectedConvolution` of ``values`` over ``valid``, chunk by chunk.

    The halo is the kernel's radius on every axis with more than one chunk; an axis in one
    chunk needs none, since the convolution pads the grid's edges with zeros itself.
    """
    radius = kernel_radius(kernel())
    depth = {axis: radius if len(sizes) > 1 else 0 for axis, sizes in enumerate(values.chunks)}
    result: da.Array = da.map_overlap(
        _edge_corrected_block,
        values,
        valid,
        depth=depth,
        boundary=0,
        trim=True,
        allow_rechunk=False,
        dtype=np.float64,
        meta=_EMPTY,
        kernel=kernel,
    )
    return result


def _edge_corrected_block(
    values: np.ndarray, valid: np.ndarray, *, kernel: KernelRecipe
) -> np.ndarray:
    """The edge-corrected convolution of one chunk extended by its halo."""
    return EdgeCorrectedConvolution(kernel(), valid.astype(bool)).apply(values)


def _cooling_capacity_block(
    shade: np.ndarray,
    albedo: np.ndarray,
    kc: np.ndarray,
    green: np.ndarray,
    building_intensity: np.ndarray,
    valid: np.ndarray,
    et0: np.ndarray | float,
    et0_valid: np.ndarray | None,
    *,
    parameters: HeatParameters,
    et0_max: float,
) -> np.ndarray:
    """Cooling capacity of one chunk, with the whole grid's ``ET0_max``."""
    block = Surface(shade, albedo, kc, green, building_intensity, valid, et0, et0_valid)
    return cooling_capacity(block, parameters, et0_max)


def _persist(arrays: list[da.Array], client: Client | None) -> list[da.Array]:
    """Compute ``arrays`` and keep them (in this process or on the cluster) as dask arrays."""
    if client is None:
        return list(dask.persist(*arrays, scheduler="threads"))
    persisted: list[da.Array] = client.persist(arrays)
    return persisted


def _compute(arrays: list[da.Array], client: Client | None) -> list[np.ndarray]:
    """Compute ``arrays`` together into numpy arrays here."""
    if client is None:
        results: Sequence[Any] = dask.compute(*arrays, scheduler="threads")
    else:
        results = client.gather(client.compute(arrays))
    return [np.asarray(result) for result in results]


def run_on(
    surface: Surface,
    *,
    cell_size: float,
    parameters: HeatParameters,
    chunk: int = 4096,
    scheduler: str | None = None,
) -> HeatResult:
    """:func:`run_chunked` on the Dask scheduler at ``scheduler`` (``tcp://host:8786``).

    Without an address the chunks run on this machine's threads. A scheduler that cannot
    be reached is a clear error, not a hang.
    """
    if scheduler is None:
        return run_chunked(surface, cell_size=cell_size, parameters=parameters, chunk=chunk)
    from distributed import Client

    try:
        client = Client(scheduler, timeout="5s")
    except (OSError, TimeoutError) as err:
        raise HeatModelError(
            f"cannot reach the Dask scheduler at {scheduler} ({err})",
            hint="Check the address ([heat] dask_scheduler or --dask-scheduler) and that "
            "`dask scheduler` runs there.",
        ) from None
    with client:
        return run_chunked(
            surface, cell_size=cell_size, parameters=parameters, chunk=chunk, client=client
        )
