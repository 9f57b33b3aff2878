// SplitMix64: a tiny seeded PRNG whose output is identical on every platform and compiler.
#pragma once

#include <cstdint>

namespace lamina {

// std::mt19937 is portable but std::uniform_real_distribution is not (each standard library maps
// bits to doubles differently), so sampling and weight generation use this generator and convert
// bits to numbers themselves.
class SplitMix64 {
  public:
    explicit SplitMix64(uint64_t seed) : state_(seed) {}

    uint64_t next() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }

    // Uniform in [0, 1) with 53 random bits.
    double next_double() { return (double)(next() >> 11) * 0x1.0p-53; }

  private:
    uint64_t state_;
};

// Mixes two 64-bit values into a well-spread seed (for per-stream seeds derived from one seed).
inline uint64_t mix_seed(uint64_t a, uint64_t b) {
    SplitMix64 g(a ^ (b * 0xd1b54a32d192ed03ull));
    g.next();
    return g.next();
}

}  // namespace lamina
