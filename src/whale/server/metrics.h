// Server counters and histograms, rendered as Prometheus text for GET /metrics: requests by
// status, prompt and generated tokens, time to first token and per-token latency histograms, and
// gauges the scheduler reports (queue depth, running sequences, cache blocks, prefix-cache hits).
// Thread-safe: request threads record, the scrape reads.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "whale/runtime/scheduler.h"

namespace whale::server {

class Histogram {
public:
    explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}
    void observe(double value);
    void render(std::string& out, const std::string& name, const std::string& help) const;

private:
    std::vector<double> bounds_;
    std::vector<uint64_t> counts_;  // per bucket, the last one is +Inf
    double sum_ = 0.0;
    uint64_t count_ = 0;
};

class Metrics {
public:
    Metrics();
    void record_request(int status);
    void record_tokens(int64_t prompt, int64_t generated);
    void record_time_to_first_token(double seconds);
    void record_time_per_token(double seconds);
    // The scheduler's gauges are read at scrape time.
    std::string render(const SchedulerStats& scheduler) const;

private:
    mutable std::mutex mutex_;
    std::map<int, uint64_t> requests_by_status_;
    uint64_t prompt_tokens_ = 0;
    uint64_t generated_tokens_ = 0;
    Histogram ttft_;
    Histogram per_token_;
};

}  // namespace whale::server
