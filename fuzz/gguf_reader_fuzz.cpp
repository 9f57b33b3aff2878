// Fuzz harness: GgufReader on arbitrary bytes (header, metadata, tensor table, data bounds), in
// both load modes, then every typed lookup and `lamina info`'s printing of what was accepted.
// fuzz-dict: gguf
#include <cstdio>

#include "fuzz/fuzz_target.h"
#include "fuzz/gguf_seeds.h"
#include "gguf/gguf_info.h"
#include "gguf/gguf_reader.h"

namespace {

using namespace lamina;

std::vector<fuzz::Input> seeds() {
    return {fuzz::micro_model(DType::F16), fuzz::every_type_file()};
}

void check_accepted(const GgufReader& g) {
    // Everything the reader vouches for must lie inside the file.
    for (const GgufTensorInfo& t : g.tensors()) {
        LAMINA_FUZZ_CHECK(t.name.size() < 64, t.name);
        LAMINA_FUZZ_CHECK(g.data_offset() % g.alignment() == 0, "data section not aligned");
        LAMINA_FUZZ_CHECK(t.offset <= g.file_size() - g.data_offset(), t.name);
        LAMINA_FUZZ_CHECK(t.nbytes <= g.file_size() - g.data_offset() - t.offset, t.name);
        LAMINA_FUZZ_CHECK(
            t.nbytes == row_size(t.type, t.ne[0]) * (size_t)(t.ne[1] * t.ne[2] * t.ne[3]) ||
                t.ne[0] == 0,
            t.name);
        LAMINA_FUZZ_CHECK(g.find_tensor(t.name) == &t, "tensor lookup");
        if (t.nbytes) {
            volatile uint8_t sink = g.tensor_data(t)[0];
            sink = g.tensor_data(t)[t.nbytes - 1];
            (void)sink;
        }
    }
    for (const GgufKv& kv : g.metadata()) {
        LAMINA_FUZZ_CHECK(!kv.key.empty(), "empty key");
        (void)g.get_uint(kv.key);
        (void)g.get_int(kv.key);
        (void)g.get_float(kv.key);
        (void)g.get_bool(kv.key);
        (void)g.get_string(kv.key);
    }
    FILE* sink = std::fopen("/dev/null", "w");
    LAMINA_FUZZ_CHECK(sink != nullptr, "open /dev/null");
    print_gguf_info(g, sink);
    std::fclose(sink);
}

void one_input(const uint8_t* data, size_t size) {
    fuzz::MemFile file(data, size);
    for (LoadMode mode : {LoadMode::Map, LoadMode::Read}) {
        auto r = GgufReader::open(file.path(), mode);
        if (!r) {
            fuzz::check_one_line(r.error());
            continue;
        }
        check_accepted(**r);
    }
}

}  // namespace

LAMINA_FUZZ_TARGET(gguf_reader, one_input, seeds)
