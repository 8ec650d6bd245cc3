#include "whale/core/huge_page_arena.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "whale/core/error.h"

namespace whale {

namespace {

constexpr size_t huge_page = size_t(2) << 20;
// Small requests share mappings of this size; larger ones get their own, so a mapping never wastes
// more than a quarter of itself on a request that did not fit.
constexpr size_t shared_mapping_bytes = size_t(256) << 20;

size_t round_up(size_t n, size_t multiple) { return (n + multiple - 1) / multiple * multiple; }

}  // namespace

HugePageArena::~HugePageArena() {
    for (const Mapping& m : mappings_) munmap(m.base, m.size);
}

HugePageArena::Mapping& HugePageArena::map(size_t bytes) {
    const size_t size = round_up(bytes, huge_page);
    // Over-map by one huge page and trim both ends so the mapping starts on a 2 MiB boundary, which
    // the kernel needs before it can back it with huge pages.
    void* raw = mmap(nullptr, size + huge_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    WHALE_CHECK(raw != MAP_FAILED, "cannot reserve ", size >> 20, " MiB for re-laid-out weights: ", std::strerror(errno),
                " (free memory, or load without interleaving: the model runs from the mapped file then)");
    uint8_t* begin = static_cast<uint8_t*>(raw);
    uint8_t* aligned = reinterpret_cast<uint8_t*>(round_up(reinterpret_cast<uintptr_t>(begin), huge_page));
    if (aligned > begin) munmap(begin, size_t(aligned - begin));
    munmap(aligned + size, size_t(begin + size + huge_page - aligned - size));
    // Advice only: without transparent huge pages the memory is still correct, only slower.
    madvise(aligned, size, MADV_HUGEPAGE);
    mappings_.push_back(Mapping{aligned, size, 0});
    return mappings_.back();
}

void* HugePageArena::allocate(size_t bytes) {
    bytes = round_up(bytes == 0 ? 1 : bytes, 64);
    Mapping* target = nullptr;
    for (Mapping& m : mappings_)
        if (m.size - m.used >= bytes) {
            target = &m;
            break;
        }
    if (!target) target = &map(bytes > shared_mapping_bytes / 4 ? bytes : shared_mapping_bytes);
    void* out = target->base + target->used;
    target->used += bytes;
    used_bytes_ += bytes;
    return out;
}

}  // namespace whale
