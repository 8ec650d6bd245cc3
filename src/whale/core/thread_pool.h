// A fixed set of worker threads and parallel_for over index ranges.
// The calling thread takes part in the work, so a pool of N threads uses N cores in total.
// Decode issues a few hundred short jobs per token, so dispatch must cost far less than a
// condition-variable wake-up (tens of microseconds): workers spin on an atomic generation counter
// for a while after each job and only then sleep, and the caller spins until the job is done.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace whale {

class ThreadPool {
public:
    // n_threads <= 0 means one per hardware thread.
    explicit ThreadPool(int n_threads = 0);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return int(workers_.size()) + 1; }

    // Splits [0, n) into size() contiguous chunks and runs fn(begin, end) on each; returns when all
    // are done. Not reentrant: fn must not call parallel_for on the same pool.
    void parallel_for(int64_t n, const std::function<void(int64_t begin, int64_t end)>& fn);

private:
    void worker_loop(int worker_index);
    // Waits until generation_ differs from `seen` (or the pool stops); returns the new value.
    uint64_t wait_for_job(uint64_t seen);

    std::vector<std::thread> workers_;
    const std::function<void(int64_t, int64_t)>* job_ = nullptr;  // published by generation_
    int64_t job_size_ = 0;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> pending_{0};
    std::atomic<bool> stopping_{false};
    // Workers that gave up spinning and sleep on wake_; the caller notifies only when there are any.
    std::atomic<int> sleepers_{0};
    std::mutex mutex_;
    std::condition_variable wake_;
};

}  // namespace whale
