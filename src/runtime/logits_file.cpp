#include "runtime/logits_file.h"

#include <sys/stat.h>

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace lamina {
namespace {

static_assert(std::endian::native == std::endian::little,
              "LGT1 files are little-endian; this reader copies them as is");

constexpr char kMagic[4] = {'L', 'G', 'T', '1'};
constexpr size_t kHeaderBytes = 4 + 4 * sizeof(int32_t);

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

Status fail(const std::string& path, const std::string& what) {
    return Status::error(path + ": " + what);
}

// Checks counts only (not vector sizes): shared by the reader, before it allocates anything.
Status validate_header(int32_t n_prompt, int32_t n_total, int32_t n_vocab, int32_t first_row) {
    if (n_vocab <= 0)
        return Status::error("n_vocab " + std::to_string(n_vocab) + " is not positive");
    if (n_total < 0) return Status::error("n_total " + std::to_string(n_total) + " is negative");
    if (n_prompt < 0 || n_prompt > n_total) {
        return Status::error("n_prompt " + std::to_string(n_prompt) +
                             " is outside [0, n_total=" + std::to_string(n_total) + "]");
    }
    if (first_row < 0 || first_row > n_total) {
        return Status::error("first_row " + std::to_string(first_row) +
                             " is outside [0, n_total=" + std::to_string(n_total) + "]");
    }
    return Status::ok();
}

// File size the header implies; computed in 64 bits (at most ~2^31 * 2^31 * 4 < 2^64).
uint64_t expected_size(int32_t n_total, int32_t n_vocab, int32_t first_row) {
    return kHeaderBytes + 4ull * (uint64_t)n_total +
           4ull * (uint64_t)(n_total - first_row) * (uint64_t)n_vocab;
}

Status check_tokens(const std::vector<TokenId>& tokens, int32_t n_vocab) {
    for (size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i] < 0 || tokens[i] >= n_vocab) {
            return Status::error("token " + std::to_string(i) + " has id " +
                                 std::to_string(tokens[i]) + ", outside the vocabulary of " +
                                 std::to_string(n_vocab));
        }
    }
    return Status::ok();
}

}  // namespace

Status LogitsFile::validate() const {
    if (Status s = validate_header(n_prompt, n_total, n_vocab, first_row); !s) return s;
    if (tokens.size() != (size_t)n_total) {
        return Status::error("holds " + std::to_string(tokens.size()) + " tokens, n_total is " +
                             std::to_string(n_total));
    }
    const uint64_t want = (uint64_t)n_rows() * (uint64_t)n_vocab;
    if (logits.size() != want) {
        return Status::error("holds " + std::to_string(logits.size()) + " logits, expected " +
                             std::to_string(want) + " (" + std::to_string(n_rows()) + " rows of " +
                             std::to_string(n_vocab) + ")");
    }
    return check_tokens(tokens, n_vocab);
}

Expected<LogitsFile> read_logits_file(const std::string& path) {
    // Checked first: fopen() on a FIFO would block until something writes to it.
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        return fail(path, "not a regular file");
    FilePtr f(std::fopen(path.c_str(), "rb"));
    if (!f) return fail(path, std::string("cannot open: ") + std::strerror(errno));
    if (std::fseek(f.get(), 0, SEEK_END) != 0) return fail(path, "cannot seek");
    const long size_l = std::ftell(f.get());
    if (size_l < 0) return fail(path, "cannot tell file size");
    const uint64_t size = (uint64_t)size_l;
    std::rewind(f.get());

    uint8_t header[kHeaderBytes];
    if (size < kHeaderBytes || std::fread(header, 1, kHeaderBytes, f.get()) != kHeaderBytes) {
        return fail(path, "too short for an LGT1 header (" + std::to_string(size) + " bytes)");
    }
    if (std::memcmp(header, kMagic, 4) != 0) return fail(path, "not an LGT1 file (bad magic)");
    int32_t fields[4];
    std::memcpy(fields, header + 4, sizeof fields);
    LogitsFile out;
    out.n_prompt = fields[0];
    out.n_total = fields[1];
    out.n_vocab = fields[2];
    out.first_row = fields[3];
    if (Status s = validate_header(out.n_prompt, out.n_total, out.n_vocab, out.first_row); !s) {
        return fail(path, s.message());
    }
    // Only a header that matches the file's real length may size an allocation.
    const uint64_t want = expected_size(out.n_total, out.n_vocab, out.first_row);
    if (size != want) {
        return fail(path, "size " + std::to_string(size) + " bytes does not match the header (" +
                              std::to_string(want) + " bytes for " + std::to_string(out.n_total) +
                              " tokens and " + std::to_string(out.n_rows()) + " rows of " +
                              std::to_string(out.n_vocab) + " logits)");
    }
    out.tokens.resize(out.n_total);
    out.logits.resize((size_t)out.n_rows() * out.n_vocab);
    if (std::fread(out.tokens.data(), sizeof(TokenId), out.tokens.size(), f.get()) !=
            out.tokens.size() ||
        std::fread(out.logits.data(), sizeof(float), out.logits.size(), f.get()) !=
            out.logits.size()) {
        return fail(path, "read error");
    }
    if (Status s = check_tokens(out.tokens, out.n_vocab); !s) return fail(path, s.message());
    return out;
}

Status write_logits_file(const std::string& path, const LogitsFile& file) {
    if (Status s = file.validate(); !s) return fail(path, "refusing to write: " + s.message());
    const std::string tmp = path + ".tmp";
    FilePtr f(std::fopen(tmp.c_str(), "wb"));
    if (!f) return fail(tmp, std::string("cannot create: ") + std::strerror(errno));
    const int32_t fields[4] = {file.n_prompt, file.n_total, file.n_vocab, file.first_row};
    bool ok = std::fwrite(kMagic, 1, 4, f.get()) == 4 &&
              std::fwrite(fields, sizeof(int32_t), 4, f.get()) == 4 &&
              std::fwrite(file.tokens.data(), sizeof(TokenId), file.tokens.size(), f.get()) ==
                  file.tokens.size() &&
              std::fwrite(file.logits.data(), sizeof(float), file.logits.size(), f.get()) ==
                  file.logits.size();
    ok = (std::fclose(f.release()) == 0) && ok;
    if (!ok) {
        std::remove(tmp.c_str());
        return fail(tmp, "write failed");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        std::remove(tmp.c_str());
        return fail(path,
                    std::string("cannot rename temporary file into place: ") + std::strerror(err));
    }
    return Status::ok();
}

}  // namespace lamina
