// ComputeCtx: what one thread knows while executing a graph node on the CPU.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "backend/cpu/kernels.h"
#include "backend/cpu/thread_pool.h"

namespace lamina {

// A claim counter on its own cache line: each thread's counter is bumped by its owner for every
// chunk, so sharing a line would make the threads bounce it between cores.
struct alignas(64) ChunkCounter {
    std::atomic<int64_t> next{0};
};

struct ComputeCtx {
    int ith = 0;               // this thread
    int nth = 1;               // threads working on the node
    uint8_t* wdata = nullptr;  // scratch shared by all threads, sized by op_work_size()
    size_t wsize = 0;
    ThreadPool* pool = nullptr;
    const CpuKernels* k = nullptr;
    // This node's nth claim counters, zero when the node starts; null runs the chunks
    // statically.
    ChunkCounter* chunk_counters = nullptr;

    void barrier() const {
        if (pool) pool->barrier();
    }
    // The [begin, end) share of n items for this thread.
    void split(int64_t n, int64_t* begin, int64_t* end) const {
        const int64_t per = (n + nth - 1) / nth;
        *begin = per * ith < n ? per * ith : n;
        *end = *begin + per < n ? *begin + per : n;
    }
    // Calls f(c) for the chunks c in [0, n) this thread claims. Each thread owns an equal run
    // of chunks and takes it in order (one stream through memory, which the prefetchers follow
    // across chunk boundaries); once done it takes the remaining chunks of the other runs, so a
    // thread slowed by the machine (a busy sibling core, a descheduled vCPU) does not hold the
    // others at the barrier.
    template <class F>
    void for_each_chunk(int64_t n, F&& f) const {
        for (int step = 0; step < (chunk_counters ? nth : 1); ++step) {
            const int j = (ith + step) % nth;
            const int64_t begin = n * j / nth, end = n * (j + 1) / nth;
            if (!chunk_counters) {
                for (int64_t c = begin; c < end; ++c) f(c);
                return;
            }
            for (;;) {
                const int64_t c =
                    begin + chunk_counters[j].next.fetch_add(1, std::memory_order_relaxed);
                if (c >= end) break;
                f(c);
            }
        }
    }
};

}  // namespace lamina
