// ComputeCtx: what one thread knows while executing a graph node on the CPU.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "backend/cpu/kernels.h"
#include "backend/cpu/thread_pool.h"

namespace lamina {

struct ComputeCtx {
    int ith = 0;               // this thread
    int nth = 1;               // threads working on the node
    uint8_t* wdata = nullptr;  // scratch shared by all threads, sized by op_work_size()
    size_t wsize = 0;
    ThreadPool* pool = nullptr;
    const CpuKernels* k = nullptr;
    // This node's claim counter, zero when the node starts; null runs the chunks statically.
    std::atomic<int64_t>* chunks_claimed = nullptr;

    void barrier() const {
        if (pool) pool->barrier();
    }
    // The [begin, end) share of n items for this thread.
    void split(int64_t n, int64_t* begin, int64_t* end) const {
        const int64_t per = (n + nth - 1) / nth;
        *begin = per * ith < n ? per * ith : n;
        *end = *begin + per < n ? *begin + per : n;
    }
    // Calls f(c) for the chunks c in [0, n) this thread claims. Each thread starts on its own
    // index; later chunks go to whichever thread is free first, so a thread slowed by the
    // machine (a busy sibling core, a descheduled vCPU) does not hold the others at the barrier.
    template <class F>
    void for_each_chunk(int64_t n, F&& f) const {
        if (!chunks_claimed) {
            for (int64_t c = ith; c < n; c += nth) f(c);
            return;
        }
        for (int64_t c = ith; c < n;
             c = nth + chunks_claimed->fetch_add(1, std::memory_order_relaxed))
            f(c);
    }
};

}  // namespace lamina
