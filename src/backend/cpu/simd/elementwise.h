// The element-wise CpuKernels entries written once over the vector traits (simd/vec_traits.h):
// dot products and axpy on float, F16 and BF16 rows, the row maximum, exp and its sum for
// softmax, and SwiGLU. Each ISA's kernels_<isa>.cpp instantiates them with its traits.
#pragma once

#include <cmath>
#include <cstdint>

#include "backend/cpu/exp_poly.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/simd/vec_traits.h"

namespace lamina::simd {

// Two accumulators hide the FMA latency on the long rows of matmul fallbacks; the last partial
// vector is masked rather than summed in scalar, so it takes the same path as the rest.
template <class V, class W>
float dot(int64_t n, const typename W::T* x, const float* y) {
    constexpr int64_t L = V::kLanes;
    const FullLanes<V> full;
    typename V::F a0 = V::zero(), a1 = V::zero();
    int64_t i = 0;
    for (; i + 2 * L <= n; i += 2 * L) {
        a0 = V::fma(W::load(full, x + i), V::load(y + i), a0);
        a1 = V::fma(W::load(full, x + i + L), V::load(y + i + L), a1);
    }
    x += i, y += i;
    for_each_vector<V>(n - i, [&](int64_t j, auto lanes) {
        a0 = V::fma(W::load(lanes, x + j), lanes.load(y + j), a0);
    });
    return V::reduce_add(V::add(a0, a1));
}

template <class V, class W>
float vec_dot(int64_t n, const void* x, const void* y) {
    return dot<V, W>(n, static_cast<const typename W::T*>(x), static_cast<const float*>(y));
}

// y[0, n) += a * x[0, n); nothing past n is written.
template <class V, class W>
void axpy(int64_t n, float a, const typename W::T* x, float* y) {
    const typename V::F va = V::set1(a);
    for_each_vector<V>(n, [&](int64_t i, auto lanes) {
        lanes.store(y + i, V::fma(va, W::load(lanes, x + i), lanes.load(y + i)));
    });
}

// The tail in scalar: a masked lane would need -inf rather than the zero a masked load gives.
template <class V>
float max_f32(int64_t n, const float* x) {
    constexpr int64_t L = V::kLanes;
    typename V::F m0 = V::set1(-INFINITY), m1 = m0;
    int64_t i = 0;
    for (; i + 2 * L <= n; i += 2 * L) {
        m0 = V::max(m0, V::load(x + i));
        m1 = V::max(m1, V::load(x + i + L));
    }
    for (; i + L <= n; i += L) m0 = V::max(m0, V::load(x + i));
    float mx = V::reduce_max(V::max(m0, m1));
    for (; i < n; ++i) mx = x[i] > mx ? x[i] : mx;
    return mx;
}

// exp(x) by exp_poly.h's range reduction and polynomial, the same numbers at every width.
template <class V>
__attribute__((always_inline)) inline typename V::F exp_ps(typename V::F x) {
    namespace ep = exp_poly;
    x = V::max(V::min(x, V::set1(ep::kMax)), V::set1(ep::kMin));
    const typename V::F m = V::round_nearest(V::mul(x, V::set1(ep::kLog2e)));
    typename V::F r = V::fnma(m, V::set1(ep::kLn2Hi), x);
    r = V::fnma(m, V::set1(ep::kLn2Lo), r);
    typename V::F p = V::set1(ep::kTaylor[0]);
#pragma GCC unroll 7
    for (int i = 1; i < 8; ++i) p = V::fma(p, r, V::set1(ep::kTaylor[i]));
    return V::mul(p, V::pow2(m));
}

// x = exp(x - max) in place, returning the sum; the tail through masked loads and stores, so
// every element takes the same polynomial.
template <class V>
float exp_sum(int64_t n, float* x, float max) {
    const typename V::F vmax = V::set1(max);
    typename V::F sum = V::zero();
    for_each_vector<V>(n, [&](int64_t i, auto lanes) {
        const typename V::F e = exp_ps<V>(V::sub(lanes.load(x + i), vmax));
        lanes.store(x + i, e);
        sum = V::add(sum, lanes.keep(e));
    });
    return V::reduce_add(sum);
}

// silu(g) * u = g * u / (1 + exp(-g)); exp_ps clamps its input, so a large |g| gives the
// limits 0 and g * u rather than inf or NaN.
template <class V>
void swiglu(int64_t n, const float* g, const float* u, float* out) {
    for_each_vector<V>(n, [&](int64_t i, auto lanes) {
        const typename V::F gv = lanes.load(g + i), uv = lanes.load(u + i);
        const typename V::F e = exp_ps<V>(V::sub(V::zero(), gv));
        lanes.store(out + i, V::div(V::mul(gv, uv), V::add(V::set1(1.0f), e)));
    });
}

template <class V>
void install_elementwise(CpuKernels& k) {
    k.dot_f32 = dot<V, AsF32>;
    k.axpy_f32 = axpy<V, AsF32>;
    k.dot_f16_f32 = dot<V, AsF16>;
    k.axpy_f16 = axpy<V, AsF16>;
    k.max_f32 = max_f32<V>;
    k.exp_sum = exp_sum<V>;
    k.swiglu = swiglu<V>;
    k.types[(size_t)DType::F32].vec_dot = vec_dot<V, AsF32>;
    k.types[(size_t)DType::F16].vec_dot = vec_dot<V, AsF16>;
    k.types[(size_t)DType::BF16].vec_dot = vec_dot<V, AsBF16>;
}

}  // namespace lamina::simd
