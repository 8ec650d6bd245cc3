#include "whale/core/system_memory.h"

#include <unistd.h>

namespace whale {

uint64_t physical_memory_bytes() {
    const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page_size > 0 ? uint64_t(pages) * uint64_t(page_size) : 0;
}

bool fits_in_memory(uint64_t bytes) { return bytes < physical_memory_bytes() / 10 * 8; }

}  // namespace whale
