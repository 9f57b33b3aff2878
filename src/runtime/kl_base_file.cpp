#include "runtime/kl_base_file.h"

#include <sys/stat.h>

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace lamina {
namespace {

static_assert(std::endian::native == std::endian::little, "LKL1 files are little-endian");

constexpr char kMagic[4] = {'L', 'K', 'L', '1'};
constexpr uint64_t kHeaderBytes = 4 + 4 * sizeof(int32_t);

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

Status check_counts(int32_t n_vocab, int32_t n_ctx, int32_t n_windows, int32_t n_tokens) {
    if (n_vocab <= 0)
        return Status::error("n_vocab " + std::to_string(n_vocab) + " is not positive");
    if (n_ctx < 4) return Status::error("n_ctx " + std::to_string(n_ctx) + " is below 4");
    if (n_windows <= 0) return Status::error("no windows");
    if (n_tokens < 0 || (int64_t)n_windows * n_ctx > n_tokens) {
        return Status::error("n_tokens " + std::to_string(n_tokens) + " is fewer than " +
                             std::to_string(n_windows) + " windows of " + std::to_string(n_ctx));
    }
    return Status::ok();
}

uint64_t logits_count(int32_t n_vocab, int32_t n_ctx, int32_t n_windows) {
    return (uint64_t)n_windows * (uint64_t)(n_ctx - 1 - n_ctx / 2) * (uint64_t)n_vocab;
}

}  // namespace

Status KlBaseFile::validate() const {
    if (Status s = check_counts(n_vocab, n_ctx, n_windows, (int32_t)tokens.size()); !s) return s;
    if (logits.size() != logits_count(n_vocab, n_ctx, n_windows)) {
        return Status::error("holds " + std::to_string(logits.size()) + " logits, expected " +
                             std::to_string(logits_count(n_vocab, n_ctx, n_windows)));
    }
    return Status::ok();
}

Expected<KlBaseFile> read_kl_base_file(const std::string& path) {
    // Checked first: fopen() on a FIFO would block until something writes to it.
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        return Status::error(path + ": not a regular file");
    FilePtr f(std::fopen(path.c_str(), "rb"));
    if (!f) return Status::error(path + ": cannot open: " + std::strerror(errno));
    if (std::fseek(f.get(), 0, SEEK_END) != 0) return Status::error(path + ": cannot seek");
    const long size = std::ftell(f.get());
    std::rewind(f.get());
    char magic[4];
    int32_t h[4];
    if (size < (long)kHeaderBytes || std::fread(magic, 1, 4, f.get()) != 4 ||
        std::fread(h, 4, 4, f.get()) != 4) {
        return Status::error(path + ": too short for a KL base file");
    }
    if (std::memcmp(magic, kMagic, 4) != 0)
        return Status::error(path + ": not a KL base file (LKL1)");
    if (Status s = check_counts(h[0], h[1], h[2], h[3]); !s)
        return Status::error(path + ": " + s.message());
    const uint64_t want =
        kHeaderBytes + 4ull * (uint64_t)h[3] + 4ull * logits_count(h[0], h[1], h[2]);
    if ((uint64_t)size != want) {
        return Status::error(path + ": " + std::to_string(size) + " bytes, the header needs " +
                             std::to_string(want));
    }
    KlBaseFile k;
    k.n_vocab = h[0];
    k.n_ctx = h[1];
    k.n_windows = h[2];
    k.tokens.resize((size_t)h[3]);
    k.logits.resize(logits_count(h[0], h[1], h[2]));
    if (std::fread(k.tokens.data(), 4, k.tokens.size(), f.get()) != k.tokens.size() ||
        std::fread(k.logits.data(), 4, k.logits.size(), f.get()) != k.logits.size()) {
        return Status::error(path + ": read error");
    }
    return k;
}

Status write_kl_base_file(const std::string& path, const KlBaseFile& k) {
    if (Status s = k.validate(); !s) return Status::error(path + ": " + s.message());
    const std::string tmp = path + ".tmp";
    {
        FilePtr f(std::fopen(tmp.c_str(), "wb"));
        if (!f) return Status::error(tmp + ": cannot create: " + std::strerror(errno));
        const int32_t h[4] = {k.n_vocab, k.n_ctx, k.n_windows, (int32_t)k.tokens.size()};
        bool ok = std::fwrite(kMagic, 1, 4, f.get()) == 4 && std::fwrite(h, 4, 4, f.get()) == 4 &&
                  std::fwrite(k.tokens.data(), 4, k.tokens.size(), f.get()) == k.tokens.size() &&
                  std::fwrite(k.logits.data(), 4, k.logits.size(), f.get()) == k.logits.size();
        ok = std::fflush(f.get()) == 0 && ok;
        if (!ok) {
            f.reset();
            std::remove(tmp.c_str());
            return Status::error(tmp + ": write failed");
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        return Status::error(path + ": cannot rename into place: " + std::strerror(errno));
    }
    return Status::ok();
}

}  // namespace lamina
