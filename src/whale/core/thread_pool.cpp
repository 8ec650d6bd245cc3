#include "whale/core/thread_pool.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace whale {

namespace {

void chunk_bounds(int64_t n, int64_t n_chunks, int64_t index, int64_t* begin, int64_t* end) {
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

// The claim word: generation in the high 32 bits, the job's chunk count in the next 16, the next
// unclaimed chunk in the low 16. The count lives in the same word as the cursor so a worker holding
// a stale claim cannot compare it with a newer job's count: between the caller publishing a job's
// fields and its claim word, a late worker of the previous job that had read "all 2 chunks taken"
// would otherwise see 3 chunks, claim one, and run it twice.
uint32_t generation_of(uint64_t claim) { return uint32_t(claim >> 32); }
uint32_t chunk_count_of(uint64_t claim) { return uint32_t(claim >> 16) & 0xffffu; }
uint32_t chunk_of(uint64_t claim) { return uint32_t(claim) & 0xffffu; }
uint64_t make_claim(uint32_t generation, uint32_t n_chunks) { return uint64_t(generation) << 32 | uint64_t(n_chunks) << 16; }

// How long an idle worker spins before sleeping. Between the matrix products of one forward the
// gaps are microseconds; between forwards (sampling, HTTP) they can be long, and a spinning core
// would then steal time from other processes.
constexpr auto spin_window = std::chrono::microseconds(200);

}  // namespace

ThreadPool::ThreadPool(int n_threads) {
    if (n_threads <= 0) n_threads = int(std::thread::hardware_concurrency());
    if (n_threads <= 0) n_threads = 1;
    if (n_threads > 0xffff) n_threads = 0xffff;  // the chunk count is 16 bits of the claim word
    for (int i = 1; i < n_threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_.store(true);
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
}

void ThreadPool::parallel_for(int64_t n, RangeFunctionRef fn) {
    if (n <= 0) return;
    if (workers_.empty() || n == 1) {
        fn(0, n);
        return;
    }
    const uint32_t n_chunks = uint32_t(n < size() ? n : size());
    job_.store(&fn, std::memory_order_relaxed);
    job_size_.store(n, std::memory_order_relaxed);
    chunks_done_.store(0, std::memory_order_relaxed);
    const uint32_t generation = generation_of(claim_.load(std::memory_order_relaxed)) + 1;
    // seq_cst pairs with the sleeper count: either this load sees a worker about to sleep (and
    // wakes it), or that worker's own check under the mutex sees the new generation.
    claim_.store(make_claim(generation, n_chunks));
    if (sleepers_.load() > 0) {
        { std::lock_guard<std::mutex> lock(mutex_); }
        wake_.notify_all();
    }
    run_chunks(generation);
    // Every chunk is claimed now; wait for those that workers are still running.
    for (int spins = 0; chunks_done_.load(std::memory_order_acquire) != n_chunks; ++spins) {
        if (spins < 4096)
            cpu_relax();
        else
            std::this_thread::yield();
    }
}

void ThreadPool::run_chunks(uint32_t generation) {
    uint64_t claim = claim_.load(std::memory_order_acquire);
    for (;;) {
        if (generation_of(claim) != generation) return;
        const uint32_t n_chunks = chunk_count_of(claim), chunk = chunk_of(claim);
        if (chunk >= n_chunks) return;
        const Job* job = job_.load(std::memory_order_relaxed);
        const int64_t n = job_size_.load(std::memory_order_relaxed);
        // Success means this generation still had chunk `chunk` unclaimed, so its caller is still
        // inside parallel_for and the fields read above belong to it; failure reloads `claim`.
        if (!claim_.compare_exchange_weak(claim, claim + 1, std::memory_order_acq_rel, std::memory_order_acquire))
            continue;
        int64_t begin, end;
        chunk_bounds(n, n_chunks, chunk, &begin, &end);
        (*job)(begin, end);
        chunks_done_.fetch_add(1, std::memory_order_release);
        claim = claim_.load(std::memory_order_acquire);
    }
}

uint32_t ThreadPool::wait_for_job(uint32_t seen) {
    auto deadline = std::chrono::steady_clock::now() + spin_window;
    for (int spins = 0;; ++spins) {
        const uint32_t g = generation_of(claim_.load(std::memory_order_acquire));
        if (g != seen || stopping_.load(std::memory_order_relaxed)) return g;
        cpu_relax();
        if ((spins & 255) == 255 && std::chrono::steady_clock::now() > deadline) break;
    }
    sleepers_.fetch_add(1);
    uint32_t g;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_.load() || generation_of(claim_.load()) != seen; });
        g = generation_of(claim_.load());
    }
    sleepers_.fetch_sub(1);
    return g;
}

void ThreadPool::worker_loop() {
    uint32_t seen = 0;
    for (;;) {
        seen = wait_for_job(seen);
        if (stopping_.load()) return;
        run_chunks(seen);
    }
}

}  // namespace whale
