// CpuKernels: the table of low-level CPU kernels, one set per instruction set.
#pragma once

#include <array>
#include <cstdint>

#include "backend/cpu/cpu_features.h"
#include "backend/cpu/gemm.h"
#include "backend/cpu/qgemm.h"
#include "quant/type_traits.h"

namespace lamina {

// One row per type id the core table knows (its size, not a second count).
constexpr size_t kTypeSlots = kTypeIdLimit;

// Every entry starts as the portable reference from the type table (or a scalar loop here) and
// is replaced by an ISA-specific version where one exists; tests compare each replacement
// against the reference on awkward sizes.
struct CpuKernels {
    Isa isa = Isa::Scalar;
    // Optional activation layouts private to one weight type's kernel: the vec_dot_type's
    // quants rearranged, with block sums and float scales worked out once per activation row
    // instead of once per weight row. The numbers are the vec_dot_type's (the dots agree with
    // vec_dot up to float rounding); a prepared row takes at most kPreparedBytesPerValue bytes
    // per value, and rows of lengths other than multiples of prepared_k_multiple use vec_dot.
    struct PreparedDot {
        void (*prepare)(const float* x, void* out, int64_t n) = nullptr;
        VecDotFn dot = nullptr;  // weight row against a prepared row
        int64_t k_multiple = 0;
        size_t bytes_per_multiple = 0;  // prepared bytes for each k_multiple values
        // Optional: out[r] = dot(weight row w + r * ldw, prepared row) for r < nrows, several
        // rows at a time.
        void (*dot_rows)(int64_t n, const void* w, size_t ldw, int64_t nrows, const void* p,
                         float* out) = nullptr;
    };
    static constexpr size_t kPreparedBytesPerValue = 4;

    // Matrices interleaved in groups of eight rows (backend/cpu/interleave.h): activation rows
    // prepared in the kernel's own layout (at most kPreparedBytesPerValue bytes per value), then
    // out[0..8) = the dots of one group's eight rows with one prepared row. preferred: this set
    // runs the interleaved layout faster than GGUF's, so the backend stores them interleaved.
    struct InterleavedDot {
        void (*prepare)(const float* x, void* out, int64_t n) = nullptr;
        void (*dot8)(int64_t n, const void* group, const void* prepared, float* out) = nullptr;
        bool preferred = false;
        // Optional: dot8 for two groups at once (two memory streams, which some kernels read
        // faster than one).
        void (*dot8x2)(int64_t n, const void* group_a, const void* group_b, const void* prepared,
                       float* out_a, float* out_b) = nullptr;
    };

    // Everything this set computes for one element type: one row per type, indexed by DType.
    // An entry that is null is a path the set does not have for the type.
    struct TypeRow {
        // Weight-row x activation-row dot, activations already in the type's vec_dot_type.
        VecDotFn vec_dot = nullptr;
        // Conversion of activation rows into this type (quantizing for integer kernels), and
        // back to float.
        FromFloatFn from_float = nullptr;
        ToFloatFn to_float = nullptr;
        // Blocked GEMM for many activation rows (activations packed in panels of gemm_mr rows
        // with gemm_pack_x), and multi-row matrix-vector products for few rows; without them
        // mul_mat falls back to vec_dot.
        GemmFn gemm = nullptr;
        GemvFn gemv = nullptr;
        // Matrix-vector products over weights in row tiles (backend/cpu/row_tiles.h). A set that
        // has one for a type also reads row tiles in its GEMM (without packing them where its
        // tile is kGemmRowTile wide), and the backend stores that type's matrices so
        // (cpu_row_tile).
        GemvTilesFn gemv_tiles = nullptr;
        PreparedDot prepared;
        // Set for the types whose matrices can be interleaved (can_interleave).
        InterleavedDot interleaved;
        // The type's format for the integer GEMM (qgemm), null where it does not cover it.
        const QGemmFormat* qgemm_format = nullptr;
    };
    std::array<TypeRow, kTypeSlots> types{};

    int64_t gemm_mr = 0;
    GemmPackXFn gemm_pack_x = nullptr;
    // Integer GEMM for the quantized types with a qgemm_format, many activation rows (vpmaddubsw
    // on AVX2, vpdpbusd on AVX-512 VNNI); nullptr where the ISA has none (mul_mat then
    // dequantizes into the float GEMM).
    QGemmFn qgemm = nullptr;

    float (*dot_f32)(int64_t n, const float* x, const float* y) = nullptr;
    // y[i] += a * x[i]
    void (*axpy_f32)(int64_t n, float a, const float* x, float* y) = nullptr;
    // Dot of a float row with an F16 row (attention scores against an F16 K cache).
    float (*dot_f16_f32)(int64_t n, const uint16_t* x, const float* y) = nullptr;
    // y[i] += a * x[i] for an F16 row x (attention values from an F16 V cache).
    void (*axpy_f16)(int64_t n, float a, const uint16_t* x, float* y) = nullptr;
    // Attention over an F16 cache for the g query rows that share one K/V head (grouped-query
    // attention: each cache row is read and converted once for all of them):
    //   scores[i * lds + j] = scale * dot(k_j, q_i) for the n rows k_j = k + j * stride and the
    //   g query rows q_i = q + i * ldq;
    //   acc[i * lda + 0..d) += sum_j w[i * ldw + j] * v_j for the n rows v_j = v + j * stride.
    void (*attn_scores_f16)(int64_t d, const uint16_t* k, int64_t stride, int64_t n, const float* q,
                            int64_t ldq, int64_t g, float scale, float* scores,
                            int64_t lds) = nullptr;
    void (*attn_values_f16)(int64_t d, const float* w, int64_t ldw, const uint16_t* v,
                            int64_t stride, int64_t n, int64_t g, float* acc,
                            int64_t lda) = nullptr;
    // Attention over a prompt, in float (ops_attention converts the F16 cache once per batch):
    //   c[i * ldc + j] = sum_{k < kk} a[i * lda + k] * b[k * ldb + j] for i < m, j < kPanel16,
    // m rows of a against a panel of 16 columns of b: scores from query rows and a block of 16
    // keys stored transposed, outputs from softmax rows and 16 columns of value rows.
    static constexpr int64_t kPanel16 = 16;
    void (*matmul_panel16)(int64_t m, int64_t kk, const float* a, int64_t lda, const float* b,
                           int64_t ldb, float* c, int64_t ldc) = nullptr;
    // Two panels against the same rows of a: c[i * ldc + j] for j < 16 from b0, for
    // 16 <= j < 32 from column j - 16 of b1 (two key blocks, or 32 value columns), so a wide
    // register tile loads each element of a once for both.
    void (*matmul_panel16x2)(int64_t m, int64_t kk, const float* a, int64_t lda, const float* b0,
                             const float* b1, int64_t ldb, float* c, int64_t ldc) = nullptr;
    // The largest of x[0..n), n >= 1 (NaNs aside: scores are finite).
    float (*max_f32)(int64_t n, const float* x) = nullptr;
    // Softmax numerators: x[i] = exp(x[i] - max), returning their sum.
    float (*exp_sum)(int64_t n, float* x, float max) = nullptr;
    // SwiGLU's gate: out[i] = silu(g[i]) * u[i], silu(x) = x / (1 + exp(-x)). out may alias
    // g or u.
    void (*swiglu)(int64_t n, const float* g, const float* u, float* out) = nullptr;
};

// The kernels for an ISA, or for the best one below it that this CPU has. Built on first use,
// immutable.
const CpuKernels& cpu_kernels(Isa isa);

// Whether the kernels this machine runs (CpuFeatures::best_isa) want weights of type t
// interleaved (backend/cpu/interleave.h).
bool cpu_prefers_interleaved(DType t);

// Columns per block (backend/cpu/column_blocks.h) for a weight matrix of type t with rows of K that
// only matrix products read, on the kernels this machine runs; 0: whole rows. Plain float rows
// longer than kGemmColumnBlock are split, where the ISA has a matrix-vector kernel for them.
int64_t cpu_column_block(DType t, int64_t K);

// Rows per tile (backend/cpu/row_tiles.h) for a weight matrix of type t with N rows that only
// matrix products read, on the kernels this machine runs; 0: not tiled. F16 and BF16 matrices of
// whole tiles are, where the ISA has a tiled matrix-vector kernel for them.
int64_t cpu_row_tile(DType t, int64_t N);

// Hooks implemented by the ISA-specific files; each overrides the entries it accelerates.
void install_avx2_kernels(CpuKernels& k);
void install_avx512_kernels(CpuKernels& k);
void install_avx2_gemm(CpuKernels& k);
void install_avx2_qgemm(CpuKernels& k);
void install_avx2_quant_converts(CpuKernels& k);
void install_interleaved_ref(CpuKernels& k);
void install_interleaved_avx2(CpuKernels& k);
void install_interleaved_avx512(CpuKernels& k);
void install_avx512_gemm(CpuKernels& k);
void install_avx512_quant_converts(CpuKernels& k);
void install_avx512_qgemm(CpuKernels& k);

}  // namespace lamina
