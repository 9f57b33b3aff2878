// AVX2/FMA GEMM (6x16 register tile) and multi-row GEMV for F32, F16 and BF16 weights: the
// bodies of simd/gemm.h at eight lanes, in the blocking tuned for this width.
#include <immintrin.h>

#include <algorithm>

#include "backend/cpu/gemm.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/simd/gemm.h"
#include "backend/cpu/simd/vec_avx2.h"

namespace lamina {
namespace {

using V = simd::Avx2;
constexpr int64_t kMr = simd::kGemmMr<V>;  // activation rows per panel: 6 x 2 accumulators
constexpr int64_t kNr = simd::kGemmNr<V>;  // weight rows per tile
static_assert(kMr == 6 && kNr == 16);
static_assert(kMr <= kGemmMaxMr && kNr <= kGemmMaxNr && kGemmMaxNr % kNr == 0);
using F32W = simd::GemmWeights<V, simd::AsF32>;
using F16W = simd::GemmWeights<V, simd::AsF16>;
using BF16W = simd::GemmWeights<V, simd::AsBF16>;

// Weight rows and k values per packed block: 128 x 512 floats (256 KiB) stay in a Zen 3 L2 of
// 512 KiB beside the activation stream, and a k block of 512 halves the passes that reload and
// store the outputs (measured ~3% over 256 x 256 on one core, within the noise on two).
constexpr int64_t kNb = 128, kKc = 512;
static_assert(kNb * kKc <= kGemmNBlock * kGemmKBlock, "the packed block fits gemm_scratch_floats");
static_assert(kGemmColumnBlock % kKc == 0, "no k block straddles two column blocks");

template <typename W>
void gemm(const GemmArgs& a, int64_t n0, int64_t n1, float* scratch) {
    float* wp = reinterpret_cast<float*>(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    const int64_t n_panels = (a.M + kMr - 1) / kMr;
    for (int64_t nb = n0; nb < n1; nb += kNb) {
        const int64_t nb_end = std::min(n1, nb + kNb);
        const int64_t n_tiles = (nb_end - nb + kNr - 1) / kNr;
        for (int64_t k0 = 0; k0 < a.K; k0 += kKc) {
            const int64_t kc = std::min(kKc, a.K - k0);
            for (int64_t t = 0; t < n_tiles; ++t) {
                const int64_t nt = nb + t * kNr;
                if (a.row_tile > 0) {
                    simd::pack_w_from_tile<V, W>(gemm_tile_at(a, W::kBytes, nt / a.row_tile, k0),
                                                 a.row_tile, nt % a.row_tile, kc,
                                                 wp + t * kc * kNr);
                    continue;
                }
                size_t ldw;
                const uint8_t* wt = gemm_weights_at(a, W::kBytes, nt, k0, &ldw);
                simd::pack_w<V, W>(wt, ldw, std::min(kNr, nb_end - nt), 0, kc, wp + t * kc * kNr);
            }
            for (int64_t p = 0; p < n_panels; ++p) {
                const float* xp = a.xp + (p * a.K + k0) * kMr;
                float* out = a.out + p * kMr * a.ldo;
                const float* add = a.add && k0 + kc >= a.K ? a.add + p * kMr * a.ld_add : nullptr;
                const int64_t mr = std::min(kMr, a.M - p * kMr);
                const simd::MicroTileFn micro = simd::micro_tile_for<V, F32W>(mr);
                const bool fetch_next = kc < a.K && p + 1 < n_panels;
                for (int64_t t = 0; t < n_tiles; ++t) {
                    const int64_t nt = nb + t * kNr;
                    if (fetch_next)
                        prefetch_panel_part(xp + a.K * kMr, (size_t)(kc * kMr) * sizeof(float), t,
                                            n_tiles);
                    micro(xp, wp + t * kc * kNr, kc, out + nt, a.ldo, mr,
                          std::min(kNr, nb_end - nt), k0 > 0, add ? add + nt : nullptr, a.ld_add);
                }
            }
        }
    }
}

}  // namespace

void install_avx2_gemm(CpuKernels& k) {
    k.gemm_mr = kMr;
    k.gemm_pack_x = gemm_pack_x;
    k.types[(size_t)DType::F32].gemm = gemm<F32W>;
    k.types[(size_t)DType::F16].gemm = gemm<F16W>;
    k.types[(size_t)DType::BF16].gemm = gemm<BF16W>;
    simd::install_gemv<V>(k);
}

}  // namespace lamina
