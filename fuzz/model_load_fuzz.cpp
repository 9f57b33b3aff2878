// Fuzz harness: a GGUF file loaded as a Llama model (hyper-parameters, tensor binding, weights
// read and rearranged in memory), its tokenizer built, and, when both load, one forward pass of
// two tokens on a small context.
// fuzz-dict: gguf
#include "backend/cpu/cpu_backend.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/gguf_seeds.h"
#include "model/llama_model.h"
#include "runtime/session.h"
#include "tokenizer/tokenizer.h"

namespace {

using namespace lamina;

std::vector<fuzz::Input> seeds() {
    return {fuzz::micro_model(DType::F32), fuzz::micro_model(DType::BF16)};
}

void one_input(const uint8_t* data, size_t size) {
    fuzz::MemFile file(data, size);
    auto model = LlamaModel::load(file.path(), nullptr, LoadMode::Read);
    if (!model) {
        fuzz::check_one_line(model.error());
        return;
    }
    LlamaModel& m = **model;
    LAMINA_FUZZ_CHECK((int64_t)m.layers.size() == m.hparams().n_layer, "layer count");
    auto tok = Tokenizer::from_gguf(m.gguf());
    if (!tok) {
        fuzz::check_one_line(tok.error());
        return;
    }
    const std::vector<TokenId> ids = (*tok)->encode("Hi there", true, false);
    for (TokenId id : ids) LAMINA_FUZZ_CHECK(id >= 0 && id < (*tok)->n_vocab(), "token id");
    // The forward pass reads every weight; a model whose vocabulary disagrees with its
    // embeddings must not index past them.
    std::vector<int32_t> tokens = {0, (int32_t)(m.hparams().n_vocab - 1)};
    CpuBackend backend(1);
    Session session(m, backend, 8, 8);
    if (Status s = session.eval(tokens); !s) fuzz::check_one_line(s.message());
}

}  // namespace

LAMINA_FUZZ_TARGET(model_load, one_input, seeds)
