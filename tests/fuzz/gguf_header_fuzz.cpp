// libFuzzer target: GgufFile on arbitrary bytes must either accept them or throw whale::Error,
// never crash, hang, over-allocate or read outside the buffer (ASan watches the exact-size input).
// Accepted files have every tensor's first and last byte touched, so a bad bounds check shows up.
#include <cstddef>
#include <cstdint>

#include "whale/core/error.h"
#include "whale/formats/gguf/gguf_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const whale::GgufFile file(data, size, "fuzz.gguf");
        volatile uint8_t sink = 0;
        for (const whale::GgufTensor& t : file.tensors()) {
            if (t.nbytes == 0) continue;
            const uint8_t* bytes = static_cast<const uint8_t*>(t.data);
            sink = sink + bytes[0] + bytes[t.nbytes - 1];
        }
        if (file.find_value("general.architecture")) (void)file.get_string("general.architecture");
    } catch (const whale::Error&) {
    }
    return 0;
}
