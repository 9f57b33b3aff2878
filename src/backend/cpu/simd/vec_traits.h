// The vector-traits contract the kernel bodies in simd/ are written against, and the pieces of
// it that are the same for every ISA (whole-vector and tail lanes, element loaders).
//
// A traits type V (simd/vec_avx2.h: Avx2, simd/vec_avx512.h: Avx512) provides:
//   F                 the float vector; kLanes floats; kRegisters vector registers
//   zero, set1, load, store, load_aligned, store_aligned, load_f16, load_bf16
//   add, sub, mul, div, min, max, fma(a, b, c) = a * b + c, fnma(a, b, c) = c - a * b
//   reduce_add, reduce_max, reduce_add4 (four vectors' sums in one __m128, in order)
//   round_nearest, pow2 (2^m for integral m, by the exponent bits)
//   Tail tail(n)      lanes [0, n) for 0 < n < kLanes: load / load_f16 / load_bf16 (zero past
//                     n), store (writes only [0, n)), keep (zeroes the lanes past n)
// Each ISA's traits header is included only from translation units compiled for that ISA.
// Everything in simd/ that such a unit instantiates is a template over V, so the AVX2 and
// AVX-512 copies are distinct symbols: a plain inline function here would be one symbol compiled
// twice with different instruction sets, and the linker could keep the AVX-512 copy for both.
#pragma once

#include <cstdint>

namespace lamina::simd {

// Whole vectors, with the same interface as V::Tail: a body written once for both runs its full
// vectors through plain loads and stores (masked ones are slow on AMD cores) and its last,
// partial one masked, so every element takes the same arithmetic.
template <class V>
struct FullLanes {
    using F = typename V::F;
    static F load(const float* p) { return V::load(p); }
    static F load_f16(const uint16_t* p) { return V::load_f16(p); }
    static F load_bf16(const uint16_t* p) { return V::load_bf16(p); }
    static void store(float* p, F v) { V::store(p, v); }
    static F keep(F v) { return v; }
};

// Calls f(i, lanes) for each vector of [0, n): FullLanes<V> while a whole vector remains, then
// V::Tail for the rest.
template <class V, class Fn>
__attribute__((always_inline)) inline void for_each_vector(int64_t n, Fn&& f) {
    int64_t i = 0;
    for (; i + V::kLanes <= n; i += V::kLanes) f(i, FullLanes<V>{});
    if (i < n) f(i, V::tail(n - i));
}

// Element types of a row read as float vectors through a lanes object (FullLanes or Tail).
struct AsF32 {
    using T = float;
    template <class Lanes>
    static auto load(const Lanes& l, const float* p) {
        return l.load(p);
    }
};
struct AsF16 {
    using T = uint16_t;
    template <class Lanes>
    static auto load(const Lanes& l, const uint16_t* p) {
        return l.load_f16(p);
    }
};
struct AsBF16 {
    using T = uint16_t;
    template <class Lanes>
    static auto load(const Lanes& l, const uint16_t* p) {
        return l.load_bf16(p);
    }
};

}  // namespace lamina::simd
