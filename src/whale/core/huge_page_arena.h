// Bump allocator for large, long-lived buffers (re-laid-out weights) over anonymous mappings that
// ask the kernel for transparent huge pages: a decoded token streams about a gigabyte of weights,
// and 2 MiB pages cut the page walks that 4 KiB pages cost on that stream. Memory is released
// only when the arena is destroyed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace whale {

class HugePageArena {
public:
    HugePageArena() = default;
    ~HugePageArena();
    HugePageArena(const HugePageArena&) = delete;
    HugePageArena& operator=(const HugePageArena&) = delete;

    // `bytes` of zeroed memory aligned to 64 bytes, valid until the arena is destroyed; throws
    // whale::Error when the system cannot provide it.
    void* allocate(size_t bytes);
    // Bytes handed out so far.
    size_t used_bytes() const { return used_bytes_; }

private:
    struct Mapping {
        uint8_t* base;
        size_t size;
        size_t used;
    };
    Mapping& map(size_t bytes);

    std::vector<Mapping> mappings_;
    size_t used_bytes_ = 0;
};

}  // namespace whale
