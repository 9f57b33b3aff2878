#include "backend/cpu/compute_ctx.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <vector>

#include "backend/cpu/thread_pool.h"

namespace lamina {
namespace {

// Every chunk must be run exactly once, whichever thread claims it, with a shared counter and
// without one, and for fewer chunks than threads.
void expect_each_chunk_once(int threads, int64_t n, bool dynamic) {
    ThreadPool pool(threads);
    std::vector<ChunkCounter> counters((size_t)threads);
    auto seen = std::make_unique<std::atomic<int>[]>((size_t)n + 1);
    pool.run([&](int ith) {
        ComputeCtx ctx;
        ctx.ith = ith;
        ctx.nth = threads;
        ctx.chunk_counters = dynamic ? counters.data() : nullptr;
        ctx.for_each_chunk(n, [&](int64_t c) {
            ASSERT_GE(c, 0);
            ASSERT_LT(c, n);
            seen[(size_t)c].fetch_add(1);
        });
    });
    for (int64_t c = 0; c < n; ++c) EXPECT_EQ(seen[(size_t)c].load(), 1) << "chunk " << c;
}

TEST(ComputeCtx, ForEachChunkRunsEveryChunkOnce) {
    for (bool dynamic : {true, false})
        for (int threads : {1, 2, 3, 5})
            for (int64_t n : {0, 1, 2, 4, 7, 64, 1001}) {
                SCOPED_TRACE(testing::Message() << "threads " << threads << " n " << n
                                                << (dynamic ? " dynamic" : " static"));
                expect_each_chunk_once(threads, n, dynamic);
            }
}

}  // namespace
}  // namespace lamina
