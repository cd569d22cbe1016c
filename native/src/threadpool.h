// A fixed pool of worker threads, created once and reused by every kernel call (creating threads per
// call would cost more than many of the small GEMMs the LSTM issues). Work is split statically — task
// i always runs the same code on the same data — so results never depend on scheduling.
#pragma once
#include <functional>

namespace affexion {

/** Number of threads the pool runs (caller included): AFFEXION_THREADS, else hardware_concurrency. */
int pool_threads();

/**
 * Runs fn(task, thread) for task in [0, n_tasks), tasks split into contiguous chunks, one per thread
 * (the calling thread takes chunk 0). `thread` identifies the executing thread (0 ≤ thread < pool_threads())
 * for per-thread scratch. Called from inside a pool task, it runs everything inline (no nesting).
 * Blocks until all tasks finished.
 */
void parallel_for(int n_tasks, const std::function<void(int task, int thread)>& fn);

/** True inside a parallel_for task (so inner kernels stay single-threaded). */
bool in_parallel_region();

/** Index of the calling pool thread inside a parallel region, 0 outside. */
int current_thread();

}  // namespace affexion
