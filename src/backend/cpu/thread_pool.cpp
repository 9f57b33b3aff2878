#include "backend/cpu/thread_pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LAMINA_PAUSE() _mm_pause()
#else
#define LAMINA_PAUSE() ((void)0)
#endif

namespace lamina {
namespace {
constexpr int kSpinsBeforeSleep = 200000;
}

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads < 1 ? 1 : n_threads) {
    for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { worker_main(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_.store(true);
        generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
}

void ThreadPool::run(const std::function<void(int)>& job) {
    if (n_threads_ == 1) {
        job(0);
        return;
    }
    job_ = &job;
    finished_.store(0, std::memory_order_relaxed);
    {
        // Publishing under the mutex pairs with the sleepers' predicate check.
        std::lock_guard<std::mutex> lock(mutex_);
        generation_.fetch_add(1, std::memory_order_release);
    }
    if (sleepers_.load() > 0) wake_.notify_all();
    job(0);
    for (int spins = 0; finished_.load(std::memory_order_acquire) != n_threads_ - 1; ++spins) {
        if (spins < 4096)
            LAMINA_PAUSE();
        else
            std::this_thread::yield();
    }
    job_ = nullptr;
}

void ThreadPool::worker_main(int ith) {
    uint64_t seen = 0;
    for (;;) {
        int spins = 0;
        while (generation_.load(std::memory_order_acquire) == seen) {
            if (++spins < kSpinsBeforeSleep) {
                LAMINA_PAUSE();
                continue;
            }
            std::unique_lock<std::mutex> lock(mutex_);
            sleepers_.fetch_add(1);
            wake_.wait(lock, [&] { return generation_.load() != seen; });
            sleepers_.fetch_sub(1);
        }
        seen = generation_.load(std::memory_order_acquire);
        if (stop_.load()) return;
        (*job_)(ith);
        finished_.fetch_add(1, std::memory_order_release);
    }
}

void ThreadPool::barrier() {
    if (n_threads_ == 1) return;
    const uint64_t phase = barrier_phase_.load(std::memory_order_acquire);
    if (barrier_count_.fetch_add(1, std::memory_order_acq_rel) == n_threads_ - 1) {
        barrier_count_.store(0, std::memory_order_relaxed);
        barrier_phase_.fetch_add(1, std::memory_order_release);
        return;
    }
    // Spin first (the other threads are usually microseconds away); yield when they are not,
    // so that more threads than cores still make progress.
    for (int spins = 0; barrier_phase_.load(std::memory_order_acquire) == phase; ++spins) {
        if (spins < 4096)
            LAMINA_PAUSE();
        else
            std::this_thread::yield();
    }
}

}  // namespace lamina
