// libFuzzer target: SafetensorsFile on arbitrary bytes must either accept them or throw
// whale::Error (any other exception escaping is a finding), never crash or read outside the
// exact-size input. Accepted files have every tensor's first and last byte touched.
#include <cstddef>
#include <cstdint>

#include "whale/core/error.h"
#include "whale/formats/safetensors/safetensors_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const whale::SafetensorsFile file(data, size, "fuzz.safetensors");
        volatile uint8_t sink = 0;
        for (const whale::TensorView& t : file.tensors()) {
            if (t.nbytes == 0) continue;
            const uint8_t* bytes = static_cast<const uint8_t*>(t.data);
            sink = sink + bytes[0] + bytes[t.nbytes - 1];
        }
    } catch (const whale::Error&) {
    }
    return 0;
}
