#include "whale/runtime/stop_strings.h"

#include <algorithm>

namespace whale {

StopStringMatcher::StopStringMatcher(std::vector<std::string> stops) {
    for (std::string& s : stops)
        if (!s.empty()) stops_.push_back(std::move(s));
}

StopStringMatcher::Step StopStringMatcher::feed(std::string_view delta) {
    Step step;
    if (stopped_) {
        step.stopped = true;
        return step;
    }
    pending_.append(delta);
    // Earliest complete match wins.
    size_t best = std::string::npos;
    for (const std::string& stop : stops_) {
        size_t at = pending_.find(stop);
        if (at != std::string::npos && at < best) {
            best = at;
            step.matched = stop;
        }
    }
    if (best != std::string::npos) {
        step.text = pending_.substr(0, best);
        step.stopped = stopped_ = true;
        pending_.clear();
        return step;
    }
    // Hold back the longest suffix of pending_ that is a proper prefix of some stop string.
    size_t hold = 0;
    for (const std::string& stop : stops_) {
        for (size_t len = std::min(stop.size() - 1, pending_.size()); len > hold; --len) {
            if (pending_.compare(pending_.size() - len, len, stop, 0, len) == 0) {
                hold = len;
                break;
            }
        }
    }
    step.text = pending_.substr(0, pending_.size() - hold);
    pending_.erase(0, pending_.size() - hold);
    return step;
}

std::string StopStringMatcher::flush() {
    std::string out;
    out.swap(pending_);
    return stopped_ ? std::string() : out;
}

}  // namespace whale
