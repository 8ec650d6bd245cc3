#include "whale/core/thread_pool.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace whale {

namespace {

void chunk_bounds(int64_t n, int n_chunks, int index, int64_t* begin, int64_t* end) {
    int64_t base = n / n_chunks;
    int64_t extra = n % n_chunks;
    *begin = index * base + (index < extra ? index : extra);
    *end = *begin + base + (index < extra ? 1 : 0);
}

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#else
    std::this_thread::yield();
#endif
}

// How long an idle worker spins before sleeping. Between the matrix products of one forward the
// gaps are microseconds; between forwards (sampling, HTTP) they can be long, and a spinning core
// would then steal time from other processes.
constexpr auto spin_window = std::chrono::microseconds(200);

}  // namespace

ThreadPool::ThreadPool(int n_threads) {
    if (n_threads <= 0) n_threads = int(std::thread::hardware_concurrency());
    if (n_threads <= 0) n_threads = 1;
    for (int i = 1; i < n_threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_.store(true);
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    if (workers_.empty() || n == 1) {
        fn(0, n);
        return;
    }
    job_ = &fn;
    job_size_ = n;
    pending_.store(int(workers_.size()), std::memory_order_relaxed);
    // seq_cst pairs with the sleeper count: either this load sees a worker about to sleep (and
    // wakes it), or that worker's own check under the mutex sees the new generation.
    generation_.fetch_add(1);
    if (sleepers_.load() > 0) {
        { std::lock_guard<std::mutex> lock(mutex_); }
        wake_.notify_all();
    }
    int64_t begin, end;
    chunk_bounds(n, size(), 0, &begin, &end);
    if (begin < end) fn(begin, end);
    // A worker descheduled by a busy machine would make a pure spin burn a whole time slice.
    for (int spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) {
        if (spins < 4096)
            cpu_relax();
        else
            std::this_thread::yield();
    }
    job_ = nullptr;
}

uint64_t ThreadPool::wait_for_job(uint64_t seen) {
    auto deadline = std::chrono::steady_clock::now() + spin_window;
    for (int spins = 0;; ++spins) {
        const uint64_t g = generation_.load(std::memory_order_acquire);
        if (g != seen || stopping_.load(std::memory_order_relaxed)) return g;
        cpu_relax();
        if ((spins & 255) == 255 && std::chrono::steady_clock::now() > deadline) break;
    }
    sleepers_.fetch_add(1);
    uint64_t g;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_.load() || generation_.load() != seen; });
        g = generation_.load();
    }
    sleepers_.fetch_sub(1);
    return g;
}

void ThreadPool::worker_loop(int worker_index) {
    uint64_t seen = 0;
    for (;;) {
        seen = wait_for_job(seen);
        if (stopping_.load()) return;
        int64_t begin, end;
        chunk_bounds(job_size_, size(), worker_index, &begin, &end);
        if (begin < end) (*job_)(begin, end);
        pending_.fetch_sub(1, std::memory_order_release);
    }
}

}  // namespace whale
