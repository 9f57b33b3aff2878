// ThreadPool: persistent workers that run one job on all threads, with a spinning barrier.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lamina {

// The calling thread is thread 0 and takes part in every job, so a pool of N threads starts
// N-1 workers. Between jobs workers spin briefly (a generation step is microseconds away),
// then sleep on a condition variable so an idle engine uses no CPU.
class ThreadPool {
  public:
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return n_threads_; }
    // Runs job(ith) on every thread ith in [0, size()) and returns when all have finished.
    void run(const std::function<void(int ith)>& job);
    // Waits until every thread of the running job has reached it.
    void barrier();

  private:
    void worker_main(int ith);

    int n_threads_;
    std::vector<std::thread> workers_;
    const std::function<void(int)>* job_ = nullptr;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> finished_{0};
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::atomic<int> sleepers_{0};
    // Barrier state.
    std::atomic<int> barrier_count_{0};
    std::atomic<uint64_t> barrier_phase_{0};
};

}  // namespace lamina
