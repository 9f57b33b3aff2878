// The constants of the vector exp(x) that softmax and SwiGLU use, one set for every ISA's
// kernels so that each width computes the same numbers: exp(x) = 2^m * exp(r) with
// m = round(x / ln 2) and |r| <= ln 2 / 2, exp(r) by its Taylor series to degree 7 (truncation
// below 2e-8 relative, under float rounding).
#pragma once

namespace lamina::exp_poly {

// Inputs are clamped first: below -87 the result is about 1e-38 instead of 0 or a denormal,
// which no softmax weight notices; above 88 float overflows.
constexpr float kMin = -87.0f, kMax = 88.0f;
constexpr float kLog2e = 1.44269504088896341f;
// ln 2 split in a part exact in float and the remainder, so r keeps its low bits.
constexpr float kLn2Hi = 0.693145751953125f, kLn2Lo = 1.428606765330187e-06f;
// Taylor coefficients from degree 7 down to 0, for Horner's scheme.
constexpr float kTaylor[8] = {1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24,
                              1.0f / 6,    0.5f,       1.0f,       1.0f};

}  // namespace lamina::exp_poly
