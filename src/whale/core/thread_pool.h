// A fixed set of worker threads and parallel_for over index ranges.
// The calling thread takes part in the work, so a pool of N threads uses N cores in total.
// Decode issues a few hundred short jobs per token, so dispatch must cost far less than a
// condition-variable wake-up (tens of microseconds): idle workers spin on an atomic for a while
// before sleeping. Chunks are claimed, not assigned: when a worker is descheduled (a machine
// busy with other processes) the caller runs that worker's chunk itself instead of waiting for
// it to be scheduled, and waits only for chunks already started.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace whale {

// A non-owning reference to a callable fn(begin, end), what parallel_for runs. Unlike std::function
// it never allocates: a lambda capturing more than two references would otherwise cost a heap
// allocation per dispatch, and decode dispatches hundreds of jobs per token. The callable must
// outlive the reference (parallel_for returns only when every chunk is done).
class RangeFunctionRef {
public:
    template <typename F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, RangeFunctionRef>)
    RangeFunctionRef(F&& fn)  // implicit, so that call sites pass lambdas directly
        : callable_(const_cast<void*>(static_cast<const void*>(std::addressof(fn)))),
          call_([](void* callable, int64_t begin, int64_t end) {
              (*static_cast<std::remove_reference_t<F>*>(callable))(begin, end);
          }) {}

    void operator()(int64_t begin, int64_t end) const { call_(callable_, begin, end); }

private:
    void* callable_;
    void (*call_)(void* callable, int64_t begin, int64_t end);
};

class ThreadPool {
public:
    // n_threads <= 0 means one per hardware thread.
    explicit ThreadPool(int n_threads = 0);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return int(workers_.size()) + 1; }

    // Splits [0, n) into min(n, size()) contiguous chunks and runs fn(begin, end) on each, on
    // whichever threads claim them first; returns when all are done. Not reentrant: fn must not
    // call parallel_for on the same pool.
    void parallel_for(int64_t n, RangeFunctionRef fn);

private:
    using Job = RangeFunctionRef;

    void worker_loop();
    // Waits until the job generation differs from `seen` (or the pool stops); returns it.
    uint32_t wait_for_job(uint32_t seen);
    // Claims and runs chunks of job `generation` until none are left (or a newer job replaced it).
    void run_chunks(uint32_t generation);

    std::vector<std::thread> workers_;
    // The current job, published by claim_; atomics because a late worker may read them while
    // the caller is already writing the next job's (its claim then fails and it discards them).
    std::atomic<const Job*> job_{nullptr};
    std::atomic<int64_t> job_size_{0};
    // Generation, chunk count and next unclaimed chunk in one word (make_claim in the .cpp).
    std::atomic<uint64_t> claim_{0};
    std::atomic<uint32_t> chunks_done_{0};
    std::atomic<bool> stopping_{false};
    // Workers that gave up spinning and sleep on wake_; the caller notifies only when there are any.
    std::atomic<int> sleepers_{0};
    std::mutex mutex_;
    std::condition_variable wake_;
};

}  // namespace whale
