// Fuzz harness: the result files lamina reads back, LGT1 logits dumps and LKL1 KL-divergence
// base files. The first byte picks the reader; the rest is the file.
#include "fuzz/fuzz_target.h"
#include "runtime/kl_base_file.h"
#include "runtime/logits_file.h"

namespace {

using namespace lamina;

fuzz::Input file_bytes(uint8_t kind, const std::function<Status(const std::string&)>& write) {
    fuzz::ScratchDir dir;
    const std::string path = dir.file("seed");
    const Status s = write(path);
    LAMINA_FUZZ_CHECK(s.is_ok(), s.message());
    std::ifstream in(path, std::ios::binary);
    fuzz::Input out = {kind};
    out.insert(out.end(), std::istreambuf_iterator<char>(in), {});
    return out;
}

std::vector<fuzz::Input> seeds() {
    LogitsFile lg;
    lg.n_prompt = 2, lg.n_total = 3, lg.n_vocab = 4, lg.first_row = 1;
    lg.tokens = {1, 2, 3};
    lg.logits = {0.5f, 1, 2, 3, -1, -2, -3, -4};
    KlBaseFile kl;
    kl.n_vocab = 3, kl.n_ctx = 4, kl.n_windows = 1;
    kl.tokens = {1, 2, 0, 1};
    kl.logits.assign((size_t)kl.rows_per_window() * 3, 0.25f);
    return {file_bytes(0, [&](const std::string& p) { return write_logits_file(p, lg); }),
            file_bytes(1, [&](const std::string& p) { return write_kl_base_file(p, kl); })};
}

void one_input(const uint8_t* data, size_t size) {
    if (size < 1) return;
    fuzz::MemFile file(data + 1, size - 1);
    if (data[0] % 2 == 0) {
        auto r = read_logits_file(file.path());
        if (!r) return fuzz::check_one_line(r.error());
        LAMINA_FUZZ_CHECK(r->validate().is_ok(), "accepted an invalid logits file");
    } else {
        auto r = read_kl_base_file(file.path());
        if (!r) return fuzz::check_one_line(r.error());
        LAMINA_FUZZ_CHECK(r->validate().is_ok(), "accepted an invalid KL base file");
    }
}

}  // namespace

LAMINA_FUZZ_TARGET(result_files, one_input, seeds)
