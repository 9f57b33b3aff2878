// Fuzz harness support: one macro turns a file's entry point into a libFuzzer target (built with
// LAMINA_FUZZ) or into a replayable target of the ordinary test binary (every other build).
//
// A harness is one file, fuzz/NAME_fuzz.cpp:
//     namespace {
//     std::vector<std::vector<uint8_t>> seeds() { ... valid small inputs ... }
//     void one_input(const uint8_t* data, size_t size) { ... must never crash ... }
//     }  // namespace
//     LAMINA_FUZZ_TARGET(NAME, one_input, seeds)
// scripts/fuzz builds fuzz_NAME and runs it on the seeds; fuzz/fuzz_replay_test.cpp replays the
// seeds and fuzz/regressions/NAME/* through one_input in the default test run.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace lamina::fuzz {

using Input = std::vector<uint8_t>;
using EntryFn = void (*)(const uint8_t* data, size_t size);
using SeedsFn = std::vector<Input> (*)();

struct Target {
    const char* name;
    EntryFn entry;
    SeedsFn seeds;
};

// Every harness linked into this program. Filled by static registration before main (the only
// way a new harness file can join without editing a list), read-only afterwards.
inline std::vector<Target>& registered_targets() {
    static std::vector<Target> targets;
    return targets;
}

struct Registration {
    Registration(const char* name, EntryFn entry, SeedsFn seeds) {
        registered_targets().push_back({name, entry, seeds});
    }
};

// A property every input must keep; a violation is a finding, reported like a crash.
#define LAMINA_FUZZ_CHECK(cond, what)                                                         \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "fuzz check failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, \
                         #cond, std::string(what).c_str());                                   \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

// An error message must be one non-empty line.
inline void check_one_line(std::string_view message) {
    LAMINA_FUZZ_CHECK(!message.empty(), "empty error message");
    LAMINA_FUZZ_CHECK(message.find('\n') == std::string_view::npos, std::string(message));
}

// The input as a file that path-taking readers can open: an anonymous in-memory file, named by
// its /proc/self/fd link, gone when the object dies (no disk traffic per execution).
class MemFile {
  public:
    MemFile(const uint8_t* data, size_t size, const char* name = "fuzz-input") {
        fd_ = ::memfd_create(name, MFD_CLOEXEC);
        LAMINA_FUZZ_CHECK(fd_ >= 0, "memfd_create");
        size_t done = 0;
        while (done < size) {
            const ssize_t n = ::write(fd_, data + done, size - done);
            LAMINA_FUZZ_CHECK(n > 0, "write to memfd");
            done += (size_t)n;
        }
        path_ = "/proc/self/fd/" + std::to_string(fd_);
    }
    ~MemFile() { ::close(fd_); }
    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;
    const std::string& path() const { return path_; }

  private:
    int fd_ = -1;
    std::string path_;
};

// A folder for outputs of one process (writers that rename a temporary file need a real
// directory), removed when the object dies.
class ScratchDir {
  public:
    ScratchDir() {
        char tmpl[] = "/tmp/lamina-fuzz-XXXXXX";
        const char* p = ::mkdtemp(tmpl);
        LAMINA_FUZZ_CHECK(p != nullptr, "mkdtemp");
        path_ = p;
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    // The names of the files in the folder (to prove no temporary file was left behind).
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& e : std::filesystem::directory_iterator(path_))
            out.push_back(e.path().filename().string());
        return out;
    }

  private:
    std::string path_;
};

// Writes each seed as DIR/seed-N (for libFuzzer's corpus directory).
inline void write_seeds(const std::vector<Input>& seeds, const std::string& dir) {
    std::filesystem::create_directories(dir);
    for (size_t i = 0; i < seeds.size(); ++i) {
        std::ofstream out(dir + "/seed-" + std::to_string(i), std::ios::binary);
        out.write(reinterpret_cast<const char*>(seeds[i].data()), (std::streamsize)seeds[i].size());
    }
}

}  // namespace lamina::fuzz

#ifdef LAMINA_LIBFUZZER
// With LAMINA_FUZZ_WRITE_SEEDS=DIR in the environment the target writes its seeds and exits.
#define LAMINA_FUZZ_TARGET(NAME, ENTRY, SEEDS)                                \
    extern "C" int LLVMFuzzerInitialize(int*, char***) {                      \
        if (const char* dir = std::getenv("LAMINA_FUZZ_WRITE_SEEDS")) {       \
            ::lamina::fuzz::write_seeds(SEEDS(), dir);                        \
            std::exit(0);                                                     \
        }                                                                     \
        return 0;                                                             \
    }                                                                         \
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
        ENTRY(data, size);                                                    \
        return 0;                                                             \
    }
#else
#define LAMINA_FUZZ_TARGET(NAME, ENTRY, SEEDS) \
    static const ::lamina::fuzz::Registration lamina_fuzz_registration_##NAME(#NAME, ENTRY, SEEDS);
#endif
