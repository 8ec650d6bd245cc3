#include "whale/server/metrics.h"

#include <cstdio>

namespace whale::server {

namespace {

void append_metric(std::string& out, const std::string& name, const std::string& type, const std::string& help,
                   double value) {
    char line[256];
    std::snprintf(line, sizeof(line), "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", name.c_str(), help.c_str(),
                  name.c_str(), type.c_str(), name.c_str(), value);
    out += line;
}

}  // namespace

void Histogram::observe(double value) {
    size_t bucket = 0;
    while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
    ++counts_[bucket];
    sum_ += value;
    ++count_;
}

void Histogram::render(std::string& out, const std::string& name, const std::string& help) const {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
    uint64_t cumulative = 0;
    char line[256];
    for (size_t i = 0; i <= bounds_.size(); ++i) {
        cumulative += counts_[i];
        if (i < bounds_.size())
            std::snprintf(line, sizeof(line), "%s_bucket{le=\"%g\"} %llu\n", name.c_str(), bounds_[i],
                          static_cast<unsigned long long>(cumulative));
        else
            std::snprintf(line, sizeof(line), "%s_bucket{le=\"+Inf\"} %llu\n", name.c_str(),
                          static_cast<unsigned long long>(cumulative));
        out += line;
    }
    std::snprintf(line, sizeof(line), "%s_sum %.17g\n%s_count %llu\n", name.c_str(), sum_, name.c_str(),
                  static_cast<unsigned long long>(count_));
    out += line;
}

Metrics::Metrics()
    : ttft_({0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}),
      per_token_({0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}) {}

void Metrics::record_request(int status) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++requests_by_status_[status];
}

void Metrics::record_tokens(int64_t prompt, int64_t generated) {
    std::lock_guard<std::mutex> lock(mutex_);
    prompt_tokens_ += uint64_t(prompt);
    generated_tokens_ += uint64_t(generated);
}

void Metrics::record_time_to_first_token(double seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    ttft_.observe(seconds);
}

void Metrics::record_time_per_token(double seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    per_token_.observe(seconds);
}

std::string Metrics::render(const SchedulerStats& scheduler) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out = "# HELP whale_requests_total HTTP requests answered, by status\n# TYPE whale_requests_total counter\n";
    for (const auto& [status, count] : requests_by_status_)
        out += "whale_requests_total{status=\"" + std::to_string(status) + "\"} " + std::to_string(count) + "\n";
    append_metric(out, "whale_prompt_tokens_total", "counter", "Prompt tokens of finished requests", double(prompt_tokens_));
    append_metric(out, "whale_generated_tokens_total", "counter", "Tokens generated for finished requests",
                  double(generated_tokens_));
    ttft_.render(out, "whale_time_to_first_token_seconds", "Time from request to its first generated token");
    per_token_.render(out, "whale_time_per_output_token_seconds", "Time between consecutive generated tokens");
    append_metric(out, "whale_queue_depth", "gauge", "Requests waiting for a sequence slot", double(scheduler.queue_depth));
    append_metric(out, "whale_running_sequences", "gauge", "Sequences in the running batch", double(scheduler.running));
    append_metric(out, "whale_cache_blocks_used", "gauge", "KV cache blocks held by sequences or the prefix cache",
                  double(scheduler.blocks_used));
    append_metric(out, "whale_cache_blocks_free", "gauge", "KV cache blocks free", double(scheduler.blocks_free));
    append_metric(out, "whale_prefix_cache_blocks", "gauge", "KV cache blocks the prefix cache remembers",
                  double(scheduler.blocks_cached));
    append_metric(out, "whale_preemptions_total", "counter", "Sequences preempted because the cache was full",
                  double(scheduler.preemptions));
    const double ratio = scheduler.prompt_tokens > 0 ? double(scheduler.cached_prompt_tokens) / double(scheduler.prompt_tokens) : 0.0;
    append_metric(out, "whale_prefix_cache_hit_ratio", "gauge", "Prompt tokens served from the prefix cache / prompt tokens",
                  ratio);
    append_metric(out, "whale_speculative_draft_tokens_total", "counter", "Tokens drafted by speculative decoding",
                  double(scheduler.drafted));
    append_metric(out, "whale_speculative_accepted_tokens_total", "counter", "Drafted tokens the model accepted",
                  double(scheduler.accepted));
    return out;
}

}  // namespace whale::server
