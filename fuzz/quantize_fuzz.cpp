// Fuzz harness: `lamina quantize` input. The first byte picks the target type (a plain type, a
// 32-block and a 256-block quantization, a mix); the rest is the GGUF file. A failed run must
// leave no output and no temporary file; a successful one must write a file GgufReader accepts.
// fuzz-dict: gguf
#include "fuzz/fuzz_target.h"
#include "fuzz/gguf_seeds.h"
#include "gguf/gguf_reader.h"
#include "tools/quantize_model.h"

namespace {

using namespace lamina;

fuzz::Input with_target(uint8_t target, fuzz::Input gguf) {
    gguf.insert(gguf.begin(), target);
    return gguf;
}

std::vector<fuzz::Input> seeds() {
    return {with_target(0, fuzz::micro_model(DType::F16)),
            with_target(3, fuzz::micro_model(DType::F32)), with_target(1, fuzz::every_type_file())};
}

void one_input(const uint8_t* data, size_t size) {
    if (size < 1) return;
    static const char* const kTargets[] = {"Q8_0", "Q4_K_M", "F16", "Q4_0"};
    auto target = find_quant_target(kTargets[data[0] % std::size(kTargets)]);
    LAMINA_FUZZ_CHECK(target.has_value(), target.error());
    fuzz::MemFile in(data + 1, size - 1);
    static const fuzz::ScratchDir out;
    const std::string path = out.file("out.gguf");
    Status s = quantize_model(in.path(), path, *target, 1, nullptr, nullptr);
    if (!s) {
        fuzz::check_one_line(s.message());
        LAMINA_FUZZ_CHECK(out.names().empty(), "a failed quantize left a file");
        return;
    }
    auto r = GgufReader::open(path);
    LAMINA_FUZZ_CHECK(r.has_value(), r.error());
    std::filesystem::remove(path);
}

}  // namespace

LAMINA_FUZZ_TARGET(quantize, one_input, seeds)
