// Read-only memory mapping of a whole file, so checkpoint tensors can be used in place (zero copy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace whale {

// Tells the kernel the whole pages inside [data, data + bytes) of a read-only file mapping are not
// needed for now: they leave the process's resident set (the page cache keeps them while memory
// allows) and are read back from the file if touched again. Advice only; errors are ignored.
void release_mapped_pages(const void* data, size_t bytes);

class MappedFile {
public:
    // Maps `path` read-only; throws whale::Error naming the path when it cannot be opened or mapped.
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
};

}  // namespace whale
