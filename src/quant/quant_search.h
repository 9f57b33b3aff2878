// Scale (and min) searches shared by the K-quant quantizers: they pick the sub-block scale that
// minimises a weighted squared error, the way GGUF's reference quantizers do.
#pragma once

#include <cstdint>

namespace lamina::quant {

// Symmetric quantization of x[0..n) to levels in [-nmax, nmax-1], stored in L as l + nmax.
// weighted == true: starts from the largest-magnitude value, then tries 18 nearby inverse scales
// and keeps the one with the best weighted fit (weights x^2 unless qw is given); returns the
// least-squares scale. weighted == false: the plain scale max / -nmax.
float search_symmetric_scale(int n, int nmax, const float* x, int8_t* L, bool weighted,
                             const float* qw);

// Asymmetric quantization x ~ scale * L - min with L in [0, nmax] and min >= 0 returned in
// *the_min. Tries nstep+1 inverse scales (nmax + rmin + rdelta * step) / (max - min) and keeps
// the least-squares (scale, min) pair of lowest weighted error. Laux is scratch of n entries.
float search_scale_and_min(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                           float* the_min, uint8_t* Laux, float rmin, float rdelta, int nstep,
                           bool use_mad);

// Symmetric 3-bit-style search with per-element refinement (weights x^2), levels stored as
// l + nmax; used by Q3_K.
float search_symmetric_refined(int n, int nmax, const float* x, int8_t* L);

}  // namespace lamina::quant
