// Test helper: GGUF bytes built field by field (independently of GgufWriter), so that tests can
// write any corruption of any field.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace lamina::testing {

struct GgufBytes {
    std::vector<uint8_t> b;

    template <typename T>
    GgufBytes& put(T v) {
        uint8_t raw[sizeof v];
        std::memcpy(raw, &v, sizeof v);
        // Byte by byte: GCC 12 misreports a range insert into an empty vector as an overflow.
        for (uint8_t c : raw) b.push_back(c);
        return *this;
    }
    GgufBytes& raw(const std::string& s) {
        for (char c : s) b.push_back((uint8_t)c);
        return *this;
    }
    // A GGUF string: u64 length (the real one unless `claimed_len` says otherwise), then bytes.
    GgufBytes& str(const std::string& s, uint64_t claimed_len = UINT64_MAX) {
        put<uint64_t>(claimed_len == UINT64_MAX ? s.size() : claimed_len);
        return raw(s);
    }
    GgufBytes& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
        raw("GGUF");
        put<uint32_t>(version);
        put<uint64_t>(n_tensors);
        return put<uint64_t>(n_kv);
    }
    GgufBytes& kv_u32(const std::string& key, uint32_t v) {
        str(key);
        put<uint32_t>(4);
        return put<uint32_t>(v);
    }
    GgufBytes& kv_i32(const std::string& key, int32_t v) {
        str(key);
        put<uint32_t>(5);
        return put<int32_t>(v);
    }
    GgufBytes& kv_str(const std::string& key, const std::string& v) {
        str(key);
        put<uint32_t>(8);
        return str(v);
    }
    // A tensor table entry: name, dimensions, type id, offset.
    GgufBytes& tensor(const std::string& name, const std::vector<uint64_t>& ne, uint32_t type,
                      uint64_t offset) {
        str(name);
        put<uint32_t>((uint32_t)ne.size());
        for (uint64_t n : ne) put<uint64_t>(n);
        put<uint32_t>(type);
        return put<uint64_t>(offset);
    }
    GgufBytes& pad(size_t alignment = 32) {
        while (b.size() % alignment) b.push_back(0);
        return *this;
    }
    GgufBytes& zeros(size_t n) {
        b.insert(b.end(), n, 0);
        return *this;
    }
};

inline std::vector<uint8_t> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), (std::streamsize)bytes.size());
}

}  // namespace lamina::testing
