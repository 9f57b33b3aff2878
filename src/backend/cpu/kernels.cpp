#include "backend/cpu/kernels.h"

#include <algorithm>
#include <cmath>

#include "backend/cpu/quant_dot.h"
#include "backend/cpu/row_tiles.h"
#include "core/fp16.h"

namespace lamina {
namespace {

float dot_f32_ref(int64_t n, const float* x, const float* y) {
    float sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += x[i] * y[i];
    return sum;
}

void axpy_f32_ref(int64_t n, float a, const float* x, float* y) {
    for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

float dot_f16_f32_ref(int64_t n, const uint16_t* x, const float* y) {
    float sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += fp16_to_fp32(x[i]) * y[i];
    return sum;
}

void axpy_f16_ref(int64_t n, float a, const uint16_t* x, float* y) {
    for (int64_t i = 0; i < n; ++i) y[i] += a * fp16_to_fp32(x[i]);
}

void attn_scores_f16_ref(int64_t d, const uint16_t* k, int64_t stride, int64_t n, const float* q,
                         int64_t ldq, int64_t g, float scale, float* scores, int64_t lds) {
    for (int64_t i = 0; i < g; ++i)
        for (int64_t j = 0; j < n; ++j)
            scores[i * lds + j] = scale * dot_f16_f32_ref(d, k + j * stride, q + i * ldq);
}

void attn_values_f16_ref(int64_t d, const float* w, int64_t ldw, const uint16_t* v, int64_t stride,
                         int64_t n, int64_t g, float* acc, int64_t lda) {
    for (int64_t i = 0; i < g; ++i)
        for (int64_t j = 0; j < n; ++j)
            axpy_f16_ref(d, w[i * ldw + j], v + j * stride, acc + i * lda);
}

void matmul_panel16_ref(int64_t m, int64_t kk, const float* a, int64_t lda, const float* b,
                        int64_t ldb, float* c, int64_t ldc) {
    for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < CpuKernels::kPanel16; ++j) {
            float sum = 0;
            for (int64_t k = 0; k < kk; ++k) sum += a[i * lda + k] * b[k * ldb + j];
            c[i * ldc + j] = sum;
        }
}

void matmul_panel16x2_ref(int64_t m, int64_t kk, const float* a, int64_t lda, const float* b0,
                          const float* b1, int64_t ldb, float* c, int64_t ldc) {
    matmul_panel16_ref(m, kk, a, lda, b0, ldb, c, ldc);
    matmul_panel16_ref(m, kk, a, lda, b1, ldb, c + CpuKernels::kPanel16, ldc);
}

float max_f32_ref(int64_t n, const float* x) {
    float mx = x[0];
    for (int64_t i = 1; i < n; ++i) mx = std::max(mx, x[i]);
    return mx;
}

float exp_sum_ref(int64_t n, float* x, float max) {
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - max);
        sum += x[i];
    }
    return (float)sum;
}

void swiglu_ref(int64_t n, const float* g, const float* u, float* out) {
    for (int64_t i = 0; i < n; ++i) out[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
}

// Integer dots replace the reference only where the type table defines the same contract
// (weights of that type against the activation type the kernel reads).
void install_quant_dots(CpuKernels& k, const QuantDots& q) {
    for (uint32_t id = 0; id < kTypeSlots; ++id) {
        const TypeTraits* tt = find_type_traits(id);
        if (!tt || !tt->vec_dot) continue;
        const QuantDots::Dot& d = q.dot[id];
        if (d.fn && tt->vec_dot_type == d.activations) k.types[id].vec_dot = d.fn;
        const QuantDots::Prepared& p = q.prepared[id];
        if (p.kernel.prepare && p.kernel.dot && tt->vec_dot_type == p.activations)
            k.types[id].prepared = p.kernel;
    }
}

CpuKernels build(Isa isa) {
    CpuKernels k;
    k.isa = isa;
    for (uint32_t id = 0; id < kTypeSlots; ++id) {
        const TypeTraits* tt = find_type_traits(id);
        if (!tt) continue;
        k.types[id].vec_dot = tt->vec_dot;
        k.types[id].from_float = tt->from_float;
        k.types[id].to_float = tt->to_float;
        k.types[id].qgemm_format = qgemm_format((DType)id);
    }
    k.dot_f32 = dot_f32_ref;
    k.axpy_f32 = axpy_f32_ref;
    k.dot_f16_f32 = dot_f16_f32_ref;
    k.axpy_f16 = axpy_f16_ref;
    k.attn_scores_f16 = attn_scores_f16_ref;
    k.attn_values_f16 = attn_values_f16_ref;
    k.matmul_panel16 = matmul_panel16_ref;
    k.matmul_panel16x2 = matmul_panel16x2_ref;
    k.max_f32 = max_f32_ref;
    k.exp_sum = exp_sum_ref;
    k.swiglu = swiglu_ref;
    k.gemm_pack_x = gemm_pack_x;
    install_interleaved_ref(k);
    if (isa == Isa::Avx2 || isa == Isa::Avx512) {
        install_avx2_kernels(k);
        install_avx2_gemm(k);
        install_avx2_qgemm(k);
        install_avx2_quant_converts(k);
        install_interleaved_avx2(k);
        install_quant_dots(k, quant_dots_avx2());
    }
    if (isa == Isa::Avx512) {
        install_avx512_kernels(k);
        install_avx512_gemm(k);
        install_avx512_quant_converts(k);
        install_avx512_qgemm(k);
        install_quant_dots(k, quant_dots_avx512());
        // Interleaved rows are the measured choice for Q4_0, Q8_0 and Q4_K here too: the
        // one-row VNNI kernels spend their time on each row's scales and horizontal sums, which
        // eight interleaved rows share (2-4x the throughput on data in L2).
        install_interleaved_avx512(k);
    }
    return k;
}

}  // namespace

const CpuKernels& cpu_kernels(Isa isa) {
    // Each table is built on first use, and only for an ISA this CPU has: the ISA files'
    // install functions are compiled for their ISA too, and the compiler may use its
    // instructions there (a CPU without AVX-512 stopped on them in the sanitizer build).
    const CpuFeatures f = CpuFeatures::detect();
    if (isa == Isa::Avx512 && !(f.avx512 && f.avx512_vnni)) isa = Isa::Avx2;
    if (isa == Isa::Avx2 && !f.avx2) isa = Isa::Scalar;
    switch (isa) {
        case Isa::Avx512: {
            static const CpuKernels avx512 = build(Isa::Avx512);
            return avx512;
        }
        case Isa::Avx2: {
            static const CpuKernels avx2 = build(Isa::Avx2);
            return avx2;
        }
        default: {
            static const CpuKernels scalar = build(Isa::Scalar);
            return scalar;
        }
    }
}

bool cpu_prefers_interleaved(DType t) {
    return cpu_kernels(CpuFeatures::detect().best_isa()).types[(size_t)t].interleaved.preferred;
}

int64_t cpu_row_tile(DType t, int64_t N) {
    // F32 tiles would put 128-byte columns at GGUF's 32-byte alignment, each split over three
    // lines; F32 matrices keep their rows.
    if ((t != DType::F16 && t != DType::BF16) || !RowTiles{kGemmRowTile, 0, 0}.fits(N)) return 0;
    return cpu_kernels(CpuFeatures::detect().best_isa()).types[(size_t)t].gemv_tiles ? kGemmRowTile
                                                                                     : 0;
}

int64_t cpu_column_block(DType t, int64_t K) {
    // The float GEMV kernels exist for the plain types only (F32, F16, BF16).
    if (K <= kGemmColumnBlock) return 0;
    return cpu_kernels(CpuFeatures::detect().best_isa()).types[(size_t)t].gemv ? kGemmColumnBlock
                                                                               : 0;
}

}  // namespace lamina
