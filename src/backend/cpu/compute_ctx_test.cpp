#include "backend/cpu/compute_ctx.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <utility>
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

// Ranges must cover every item exactly once, within [min_per, max_per] items each (a run's
// last range may be shorter), with and without claim counters.
void expect_ranges_cover_once(int threads, int64_t n, int64_t min_per, int64_t max_per,
                              bool dynamic) {
    ThreadPool pool(threads);
    std::vector<ChunkCounter> counters((size_t)threads);
    auto seen = std::make_unique<std::atomic<int>[]>((size_t)n + 1);
    std::atomic<int> too_long{0}, empty{0};
    pool.run([&](int ith) {
        ComputeCtx ctx;
        ctx.ith = ith;
        ctx.nth = threads;
        ctx.chunk_counters = dynamic ? counters.data() : nullptr;
        ctx.for_each_range(n, min_per, max_per, [&](int64_t b, int64_t e) {
            if (e <= b) empty.fetch_add(1);
            if (e - b > std::max<int64_t>(1, max_per)) too_long.fetch_add(1);
            for (int64_t i = b; i < e && i >= 0 && i < n; ++i) seen[(size_t)i].fetch_add(1);
        });
    });
    EXPECT_EQ(empty.load(), 0);
    EXPECT_EQ(too_long.load(), 0);
    for (int64_t i = 0; i < n; ++i) EXPECT_EQ(seen[(size_t)i].load(), 1) << "item " << i;
}

TEST(ComputeCtx, ForEachRangeCoversEveryItemOnce) {
    for (bool dynamic : {true, false})
        for (int threads : {1, 2, 3})
            for (int64_t n : {0, 1, 3, 8, 64, 177})
                for (auto [lo, hi] : {std::pair<int64_t, int64_t>{2, 8}, {1, 1}, {4, 2}}) {
                    SCOPED_TRACE(testing::Message()
                                 << "threads " << threads << " n " << n << " per " << lo << ".."
                                 << hi << (dynamic ? " dynamic" : " static"));
                    expect_ranges_cover_once(threads, n, lo, hi, dynamic);
                }
}

// The ranges shrink towards the end of a run: a long run starts with max_per items and ends
// with at most min_per (what is left), so a thread that finishes early finds small pieces to take.
TEST(ComputeCtx, ForEachRangeShrinksTowardsTheEnd) {
    ComputeCtx ctx;  // one thread, static: the sizes are deterministic
    std::vector<int64_t> sizes;
    ctx.for_each_range(64, 2, 8, [&](int64_t b, int64_t e) { sizes.push_back(e - b); });
    ASSERT_GE(sizes.size(), 3u);
    EXPECT_EQ(sizes.front(), 8);
    EXPECT_LE(sizes.back(), 2);
    for (size_t i = 1; i < sizes.size(); ++i) EXPECT_LE(sizes[i], sizes[i - 1]);
    for (size_t i = 0; i + 1 < sizes.size(); ++i) EXPECT_GE(sizes[i], 2);
}

}  // namespace
}  // namespace lamina
