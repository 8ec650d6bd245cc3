// Scratch buffers that only grow, so that steady-state decode reuses them every step instead of
// allocating (tests/model/decode_allocation_test.cpp holds decode to zero heap allocations).
// The usual owner is a function-local thread_local vector: one forward runs at a time per thread,
// and pool workers get pointers into the calling thread's buffers rather than growing their own,
// which they would do at whichever step they first happen to claim a chunk. Inside a lambda that
// workers run, a thread_local's name means the worker's own copy, so such lambdas must reach the
// buffers through local pointers or references. A buffer keeps the size of the largest forward
// that used it (a long prefill's [N, D] rows) until its thread ends.
#pragma once

#include <cstddef>
#include <vector>

namespace whale {

// v's storage with room for n elements; its contents are whatever the last use left.
template <typename T>
T* scratch(std::vector<T>& v, size_t n) {
    if (v.size() < n) v.resize(n);
    return v.data();
}

}  // namespace whale
