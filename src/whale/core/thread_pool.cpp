#include "whale/core/thread_pool.h"

namespace whale {

namespace {

void chunk_bounds(int64_t n, int n_chunks, int index, int64_t* begin, int64_t* end) {
    int64_t base = n / n_chunks;
    int64_t extra = n % n_chunks;
    *begin = index * base + (index < extra ? index : extra);
    *end = *begin + base + (index < extra ? 1 : 0);
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) {
    if (n_threads <= 0) n_threads = int(std::thread::hardware_concurrency());
    if (n_threads <= 0) n_threads = 1;
    for (int i = 1; i < n_threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    work_ready_.notify_all();
    for (std::thread& t : workers_) t.join();
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    if (workers_.empty() || n == 1) {
        fn(0, n);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        job_ = &fn;
        job_size_ = n;
        pending_ = int(workers_.size());
        ++generation_;
    }
    work_ready_.notify_all();
    int64_t begin, end;
    chunk_bounds(n, size(), 0, &begin, &end);
    if (begin < end) fn(begin, end);
    std::unique_lock<std::mutex> lock(mutex_);
    work_done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
}

void ThreadPool::worker_loop(int worker_index) {
    uint64_t seen_generation = 0;
    for (;;) {
        const std::function<void(int64_t, int64_t)>* job;
        int64_t n;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            work_ready_.wait(lock, [&] { return stopping_ || generation_ != seen_generation; });
            if (stopping_) return;
            seen_generation = generation_;
            job = job_;
            n = job_size_;
        }
        int64_t begin, end;
        chunk_bounds(n, size(), worker_index, &begin, &end);
        if (begin < end) (*job)(begin, end);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            --pending_;
        }
        work_done_.notify_one();
    }
}

}  // namespace whale
