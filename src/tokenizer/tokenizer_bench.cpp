// Tokenizer throughput: MB/s encoding ~1 MB of mixed English, code and CJK text with each shared
// vocabulary kind (SPM, byte-level BPE, WordPiece).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "gguf/gguf_reader.h"
#include "tokenizer/tokenizer.h"

namespace lamina {
namespace {

std::string shared_path(const std::string& rel) {
    const char* env = std::getenv("LAMINA_SHARED");
    return std::string(env && *env ? env : "/work/shared") + "/" + rel;
}

// ~1 MB mixing prose, source code and CJK/emoji, varied by a counter so words differ.
const std::string& mixed_text() {
    static const std::string text = [] {
        std::string t;
        for (int i = 0; t.size() < (1 << 20); ++i) {
            const std::string n = std::to_string(i * 7919 % 100003);
            t += "In chapter " + n +
                 ", the travellers reached the northern ridge and counted their supplies: "
                 "enough bread for three days, if nobody was careless. ";
            t += "for (size_t i = 0; i < n_" + n + "; ++i) { total += weights[i] * x[i]; }\n";
            t += "\xE4\xBB\x8A\xE5\xA4\xA9\xE7\x9A\x84\xE5\xA4\xA9\xE6\xB0\x94\xE5\xBE\x88\xE5"
                 "\xA5\xBD\xEF\xBC\x8C\xE6\x88\x91\xE4\xBB\xAC\xE5\x8E\xBB\xE5\x85\xAC\xE5\x9B"
                 "\xAD " +
                 n + " \xF0\x9F\xA6\x99\n";
        }
        return t;
    }();
    return text;
}

void BM_Tokenize(benchmark::State& state, const char* vocab) {
    const std::string path = shared_path(std::string("vocab/ggml-vocab-") + vocab + ".gguf");
    auto gguf = GgufReader::open(path);
    if (!gguf) {
        state.SkipWithError(("cannot open " + path + ": " + gguf.error()).c_str());
        return;
    }
    auto tok = Tokenizer::from_gguf(**gguf);
    if (!tok) {
        state.SkipWithError(tok.error().c_str());
        return;
    }
    const std::string& text = mixed_text();
    size_t n_tokens = 0;
    for (auto _ : state) {
        auto ids = (*tok)->encode(text, true, false);
        n_tokens = ids.size();
        benchmark::DoNotOptimize(ids.data());
    }
    state.SetBytesProcessed((int64_t)state.iterations() * (int64_t)text.size());
    state.counters["tokens"] = (double)n_tokens;
}

BENCHMARK_CAPTURE(BM_Tokenize, llama_spm, "llama-spm")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Tokenize, gpt_2, "gpt-2")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Tokenize, falcon, "falcon")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Tokenize, deepseek_coder, "deepseek-coder")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Tokenize, starcoder, "starcoder")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Tokenize, bert_bge, "bert-bge")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lamina
