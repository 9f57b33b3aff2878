// ComputeCtx: what one thread knows while executing a graph node on the CPU.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "backend/cpu/kernels.h"
#include "backend/cpu/thread_pool.h"
#include "core/tensor.h"

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
    // Set for a matrix product whose activations the previous node (a product of the same
    // activations by the same path) left packed at the start of wdata: it skips packing them.
    bool x_packed = false;
    // Set for a matrix product whose activations are a SwiGlu node left uncomputed
    // (mul_mat_folds_swiglu): the product applies the SwiGLU to its inputs while packing.
    bool x_swiglu = false;
    // Set for a matrix product whose activations are an RmsNorm node left uncomputed
    // (mul_mat_folds_rms_norm): the product normalizes each row as it packs it.
    bool x_rms_norm = false;
    // Set for a matrix product whose only reader, the next node, is an Add left uncomputed
    // (mul_mat_folds_add): the product writes its result plus the Add's other operand into the
    // Add's buffer instead of its own.
    const Tensor* sum = nullptr;

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

    // Calls f(i) for the items of [0, n) this thread claims from one counter all threads share,
    // in index order; without counters, items are dealt round-robin. For items whose cost falls
    // with the index (the largest first), this evens out the threads whatever their speeds.
    template <class F>
    void for_each_shared(int64_t n, F&& f) const {
        if (!chunk_counters) {
            for (int64_t i = ith; i < n; i += nth) f(i);
            return;
        }
        for (int64_t i; (i = chunk_counters[0].next.fetch_add(1, std::memory_order_relaxed)) < n;)
            f(i);
    }

    // Calls f(begin, end) for the ranges of [0, n) this thread claims, owned and taken over as
    // in for_each_chunk, but sized by what is left of the run: a quarter of it, between min_per
    // and max_per items (max_per wins). Large ranges keep a kernel's per-range setup rare; the
    // small ones at the end of each run leave little for a thread that finishes first to wait on
    // when the cores run at different speeds.
    template <class F>
    void for_each_range(int64_t n, int64_t min_per, int64_t max_per, F&& f) const {
        const int64_t lo = std::max<int64_t>(1, std::min(min_per, max_per));
        auto size_at = [&](int64_t left) {
            return std::clamp(left / 4, lo, std::max(lo, max_per));
        };
        for (int step = 0; step < (chunk_counters ? nth : 1); ++step) {
            const int j = (ith + step) % nth;
            const int64_t begin = n * j / nth, end = n * (j + 1) / nth;
            if (!chunk_counters) {
                for (int64_t b = begin; b < end;) {
                    const int64_t e = std::min(end, b + size_at(end - b));
                    f(b, e);
                    b = e;
                }
                return;
            }
            // The counter holds how far into the run the claims have got.
            std::atomic<int64_t>& next = chunk_counters[j].next;
            int64_t done = next.load(std::memory_order_relaxed);
            while (begin + done < end) {
                const int64_t b = begin + done, e = std::min(end, b + size_at(end - b));
                if (!next.compare_exchange_weak(done, e - begin, std::memory_order_relaxed))
                    continue;  // done now holds the other thread's claim
                f(b, e);
                done = next.load(std::memory_order_relaxed);
            }
        }
    }
};

}  // namespace lamina
