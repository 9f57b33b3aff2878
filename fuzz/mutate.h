// mutate: seeded random mutations of an input, for tests that replay a fixed set of corruptions
// without a fuzzer.
#pragma once

#include <cstring>
#include <iterator>

#include "fuzz/fuzz_target.h"
#include "core/rng.h"

namespace lamina::fuzz {

// A mutation of the kinds libFuzzer starts with: overwritten bytes, integers set to boundary
// values (the counts and sizes of binary formats), and cut or duplicated ranges.
inline Input mutate(const Input& seed, SplitMix64& rng) {
    Input in = seed;
    const int edits = 1 + (int)(rng.next() % 4);
    for (int e = 0; e < edits && !in.empty(); ++e) {
        const size_t at = rng.next() % in.size();
        switch (rng.next() % 5) {
            case 0:
                in[at] = (uint8_t)rng.next();
                break;
            case 1: {
                static const uint64_t kBoundary[] = {0,          1,          0x7f,       0xff,
                                                     0x7fffffff, 0xffffffff, 1ull << 62, ~0ull,
                                                     1ull << 32, 1ull << 63};
                const uint64_t v = kBoundary[rng.next() % std::size(kBoundary)];
                const size_t width = std::min<size_t>((rng.next() % 2) ? 8 : 4, in.size() - at);
                std::memcpy(in.data() + at, &v, width);
                break;
            }
            case 2:
                in.resize(at);
                break;
            case 3: {
                const size_t n = std::min<size_t>(rng.next() % 64, in.size() - at);
                in.erase(in.begin() + (long)at, in.begin() + (long)(at + n));
                break;
            }
            default: {
                const size_t n = std::min<size_t>(rng.next() % 64, in.size() - at);
                const Input copy(in.begin() + (long)at, in.begin() + (long)(at + n));
                in.insert(in.begin() + (long)(rng.next() % in.size()), copy.begin(), copy.end());
                break;
            }
        }
    }
    return in;
}

}  // namespace lamina::fuzz
