// ComputeCtx: what one thread knows while executing a graph node on the CPU.
#pragma once

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

    void barrier() const {
        if (pool) pool->barrier();
    }
    // The [begin, end) share of n items for this thread.
    void split(int64_t n, int64_t* begin, int64_t* end) const {
        const int64_t per = (n + nth - 1) / nth;
        *begin = per * ith < n ? per * ith : n;
        *end = *begin + per < n ? *begin + per : n;
    }
};

}  // namespace lamina
