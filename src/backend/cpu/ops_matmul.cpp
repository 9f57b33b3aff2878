// Matrix multiplication on the CPU. Paths, by the number of activation rows M:
//   many rows: blocked GEMM (activations packed into panels once, weights packed per tile);
//              quantized weights take the integer GEMM (qgemm.h) where the ISA has one: weights
//              unpacked to bytes a chunk of tiles at a time, activations quantized once, block
//              sums by vpdpbusd; otherwise they are dequantized a chunk of rows at a time into
//              float and fed to the F32 GEMM;
//   few rows:  GEMV that streams the weights once for up to kGemvMaxRows activation rows (one
//              pass per column block where the backend split long rows,
//              backend/cpu/column_blocks.h);
//   interleaved Q4_0/Q8_0 weights (groups of eight rows, backend/cpu/interleave.h): the integer
//   GEMM for
//              many rows, else the ISA's eight-row kernel against each prepared activation row;
//   otherwise (quantized weights with few rows, and layouts the fast kernels do not cover):
//   activations converted to the weight type's vec_dot_type, or to the kernel's own prepared
//   layout where it has one (CpuKernels::prepared), then one dot per (weight row, activation row).
#include <algorithm>
#include <vector>

#include "backend/cpu/gemm.h"
#include "backend/cpu/interleave.h"
#include "backend/cpu/ops.h"
#include "backend/cpu/qgemm.h"
#include "backend/cpu/weight_layout.h"

namespace lamina {
namespace {

// From this many activation rows on, the packed GEMM wins: below it one GEMV pass (which reads
// the weights once for up to kGemvMaxRows rows) beats a GEMM padded to its 6- or 12-row panels.
constexpr int64_t kGemmMinRows = kGemvMaxRows + 1;

// Weight rows dequantized per chunk on the quantized GEMM path: the float GEMM's own n-block, so
// every activation panel sweeps a chunk while its packed tiles are still warm.
constexpr int64_t kDequantRows = kGemmNBlock;

bool is_plain(DType t) {
    return t == DType::F32 || t == DType::F16 || t == DType::BF16;
}

// Where a product's rows go: its own buffer, or, folded with the Add that reads it (ComputeCtx::
// sum), the Add's buffer with the Add's other operand to add.
struct ProductOut {
    float* data = nullptr;  // row m at data + m * ld
    int64_t ld = 0;
    const float* addend = nullptr;  // row m at addend + m * ld_add
    int64_t ld_add = 0;

    float* row(int64_t m) const { return data + m * ld; }
    // Adds the addend to columns [n0, n1) of rows [0, M), once the products are there.
    void add_to_columns(const CpuKernels& k, int64_t M, int64_t n0, int64_t n1) const {
        if (!addend) return;
        for (int64_t m = 0; m < M; ++m)
            k.axpy_f32(n1 - n0, 1.0f, addend + m * ld_add + n0, row(m) + n0);
    }
};

// The operand of `add` that is not `product`.
const Tensor& addend_of(const Tensor& add, const Tensor& product) {
    return add.src[0] == &product ? *add.src[1] : *add.src[0];
}

ProductOut product_out(const Tensor& node, const ComputeCtx& ctx) {
    const Tensor& dst = ctx.sum ? *ctx.sum : node;
    ProductOut o;
    o.data = static_cast<float*>(dst.data);
    o.ld = (int64_t)(dst.nb[1] / sizeof(float));
    if (ctx.sum) {
        const Tensor& addend = addend_of(*ctx.sum, node);
        o.addend = static_cast<const float*>(addend.data);
        o.ld_add = (int64_t)(addend.nb[1] / sizeof(float));
    }
    return o;
}

// The weights' column blocks (one block for whole rows; only plain float matrices are split).
ColumnBlocks column_blocks(const Tensor& w) {
    return {cpu_layout(w).col_block, w.ne[1], w.ne[0], type_traits(w.type).type_size};
}

// The fast kernels cover one weight matrix against contiguous float rows, no batching.
bool dense_layout(const Tensor& node) {
    const Tensor& w = *node.src[0];
    const Tensor& x = *node.src[1];
    const DType t = w.type;
    return w.ne[2] == 1 && w.ne[3] == 1 && x.ne[2] == 1 && x.ne[3] == 1 &&
           x.nb[0] == sizeof(float) && x.nb[1] % sizeof(float) == 0 &&
           w.nb[0] == type_traits(t).type_size && node.nb[0] == sizeof(float) &&
           node.nb[1] % sizeof(float) == 0;
}

bool fast_layout(const Tensor& node) {
    return is_plain(node.src[0]->type) && dense_layout(node);
}

bool use_gemm(const Tensor& node, const CpuKernels* k) {
    return node.src[1]->ne[1] >= kGemmMinRows && fast_layout(node) &&
           (!k || (k->types[(size_t)node.src[0]->type].gemm && k->gemm_mr > 0));
}

// Quantized weights with a float conversion go through the F32 GEMM, a chunk at a time.
bool use_dequant_gemm(const Tensor& node, const CpuKernels* k) {
    const DType t = node.src[0]->type;
    const TypeTraits& tt = type_traits(t);
    return node.src[1]->ne[1] >= kGemmMinRows && tt.is_quantized && tt.to_float &&
           dense_layout(node) && node.src[0]->ne[0] % tt.block_size == 0 &&
           (!k || (k->types[(size_t)DType::F32].gemm && k->gemm_mr > 0 &&
                   k->types[(size_t)t].to_float && k->types[(size_t)tt.vec_dot_type].from_float &&
                   k->types[(size_t)tt.vec_dot_type].to_float));
}

// Quantized weights of a type the integer GEMM covers, and rows of whole blocks.
bool use_qgemm(const Tensor& node, const CpuKernels* k) {
    const DType t = node.src[0]->type;
    const QGemmFormat* f = qgemm_format(t);
    // Interleaved weights leave the choice to compute_interleaved.
    return cpu_layout(*node.src[0]).interleave == 1 && node.src[1]->ne[1] >= kGemmMinRows && f &&
           dense_layout(node) && node.src[0]->ne[0] % type_traits(t).block_size == 0 &&
           (!k || (k->qgemm && k->types[(size_t)f->activations].from_float));
}

// Weight bytes per claimed chunk of a matrix-vector product: runs long enough for the
// prefetchers, and (see gemv_blocks_per_chunk) at least four chunks per thread so the threads
// can even out.
constexpr int64_t kGemvChunkBytes = 256 * 1024;

// Blocks of block_bytes each to put in one claimed chunk, out of n_blocks.
int64_t gemv_blocks_per_chunk(int64_t n_blocks, int64_t block_bytes, int nth) {
    if (n_blocks <= 0) return 1;
    const int64_t n_chunks = std::clamp<int64_t>(n_blocks * block_bytes / kGemvChunkBytes,
                                                 std::min<int64_t>(n_blocks, 4 * nth), n_blocks);
    return std::max<int64_t>(1, (n_blocks + n_chunks - 1) / n_chunks);
}

// Interleaved weights with many activation rows take the integer GEMM where the ISA has one.
bool interleaved_uses_qgemm(const Tensor& node, const CpuKernels& k) {
    return node.src[1]->ne[1] >= kGemmMinRows && k.qgemm && k.types[(size_t)DType::Q8_0].from_float;
}

bool use_gemv(const Tensor& node, const CpuKernels& k) {
    const Tensor& w = *node.src[0];
    const int64_t tile = cpu_layout(w).row_tile;
    return node.src[1]->ne[1] < kGemmMinRows && fast_layout(node) &&
           (tile == kGemmRowTile ? k.types[(size_t)w.type].gemv_tiles != nullptr
                                 : tile == 0 && k.types[(size_t)w.type].gemv != nullptr);
}

// Weight tiles per claimed range of a matrix-matrix product: at most what one packing pass
// holds, at least two. Every range sweeps all of the packed activations (megabytes, from L3),
// so one-tile ranges would pay that for too little work; the ranges shrink towards the end of
// each thread's run (ComputeCtx::for_each_range), which matters here because the two cores of
// this machine often run 10-15% apart in speed: with fixed eight-tile chunks the faster thread
// waited for about a tenth of a prompt.
constexpr int64_t kMinTilesPerRange = 2;
// Except for long rows (the down projection's K = 5632): there the activations are 11.5 MiB for
// a 512-token prompt and every extra sweep costs more than the imbalance it saves, so ranges stay
// whole packing passes (Zen 5, K=5632 N=2048 M=512, 2 threads: 300-320 -> 315-355 GFLOP/s;
// F16 pp512 median +5% over six interleaved runs).
constexpr int64_t kLongRowK = 2048;

size_t gemm_work_size(const Tensor& node, int n_threads, bool dequant) {
    const Tensor& x = *node.src[1];
    // Dequantized weight rows, or one panel of SwiGLU or RmsNorm rows when that is folded in.
    const bool folds = x.op == Op::SwiGlu || x.op == Op::RmsNorm;
    const size_t rows = dequant ? (size_t)kDequantRows * (size_t)x.ne[0] + 16
                        : folds ? (size_t)kGemmMaxMr * (size_t)x.ne[0] + 16
                                : 0;
    const size_t per_thread = gemm_scratch_floats() + rows;
    const size_t rounded_x = dequant ? (size_t)x.ne[0] * (size_t)x.ne[1] + 16 : 0;
    return (rounded_x + gemm_packed_x_floats(x.ne[1], x.ne[0])) * sizeof(float) + 64 +
           (size_t)n_threads * per_thread * sizeof(float);
}

void compute_gemm(const Tensor& node, const ComputeCtx& ctx, bool dequant) {
    const Tensor& w = *node.src[0];
    const Tensor& x = *node.src[1];
    const int64_t K = x.ne[0], N = w.ne[1], M = x.ne[1], mr = ctx.k->gemm_mr;
    // Work area: [activations rounded through the vec_dot type (dequant only)][packed
    // activations][per-thread scratch: GEMM tiles, then dequantized weight rows].
    float* xq = reinterpret_cast<float*>(ctx.wdata);
    float* xp = dequant ? xq + (size_t)M * (size_t)K + 16 : xq;
    const size_t per_thread =
        gemm_scratch_floats() + (dequant ? (size_t)kDequantRows * (size_t)K + 16 : 0);
    float* scratch = reinterpret_cast<float*>(((uintptr_t)(xp + gemm_packed_x_floats(M, K)) + 63) &
                                              ~(uintptr_t)63) +
                     (size_t)ctx.ith * per_thread;
    const int64_t n_panels = (M + mr - 1) / mr;
    int64_t p0, p1;
    ctx.split(n_panels, &p0, &p1);
    const float* xsrc = static_cast<const float*>(x.data);
    int64_t ldx = (int64_t)(x.nb[1] / sizeof(float));
    if (dequant) {
        // Round the activations through the weight type's vec_dot type first, as the integer
        // kernels do: the products then match the quantized dot path (and llama.cpp) up to float
        // rounding, not only the exact-float ideal.
        const DType vdt = type_traits(w.type).vec_dot_type;
        uint8_t* qrow = reinterpret_cast<uint8_t*>(scratch + gemm_scratch_floats());
        for (int64_t m = std::min(M, p0 * mr); m < std::min(M, p1 * mr); ++m) {
            ctx.k->types[(size_t)vdt].from_float(xsrc + m * ldx, qrow, K);
            ctx.k->types[(size_t)vdt].to_float(qrow, xq + m * K, K);
        }
        xsrc = xq;
        ldx = K;
        ctx.barrier();
    }
    // A folded SwiGlu or RmsNorm: each panel's rows computed into this thread's scratch by
    // row(m, out), then packed from there.
    auto pack_computed_rows = [&](auto row) {
        float* panel = scratch + gemm_scratch_floats();
        for (int64_t p = p0; p < p1; ++p) {
            const int64_t rows = std::min(mr, M - p * mr);
            for (int64_t i = 0; i < rows; ++i) row(p * mr + i, panel + i * K);
            ctx.k->gemm_pack_x(panel, K, rows, K, mr, 0, 1, xp + (size_t)(p * K * mr));
        }
        ctx.barrier();
    };
    if (ctx.x_swiglu) {
        const Tensor& g = *x.src[0];
        const Tensor& u = *x.src[1];
        pack_computed_rows([&](int64_t m, float* out) {
            ctx.k->swiglu(K, g.row<const float>(m), u.row<const float>(m), out);
        });
    } else if (ctx.x_rms_norm) {
        const Tensor& in = *x.src[0];
        const float* gain = x.src[1] ? static_cast<const float*>(x.src[1]->data) : nullptr;
        pack_computed_rows([&](int64_t m, float* out) {
            rms_norm_row(in.row<const float>(m), gain, K, x.params.f[0], out);
        });
    } else if (!ctx.x_packed) {
        ctx.k->gemm_pack_x(xsrc, ldx, M, K, mr, p0, p1, xp);
        ctx.barrier();
    }

    GemmArgs a;
    a.w = w.data;
    a.ldw = w.nb[1];
    a.xp = xp;
    a.M = M;
    a.K = K;
    const ProductOut po = product_out(node, ctx);
    a.out = po.data;
    a.ldo = po.ld;
    a.add = po.addend;
    a.ld_add = po.ld_add;
    a.col_block = cpu_layout(w).col_block;
    a.n_rows = N;
    a.row_tile = cpu_layout(w).row_tile;
    // Threads claim ranges of whole weight tiles (each packs only the weights it computes).
    const ToFloatFn to_float = ctx.k->types[(size_t)w.type].to_float;
    float* rows = scratch + gemm_scratch_floats();
    const int64_t n_tiles = (N + kGemmMaxNr - 1) / kGemmMaxNr;
    const int64_t max_tiles = kGemmNBlock / kGemmMaxNr;
    ctx.for_each_range(n_tiles, K > kLongRowK ? max_tiles : kMinTilesPerRange, max_tiles,
                       [&](int64_t t0, int64_t t1) {
                           const int64_t n0 = t0 * kGemmMaxNr, n1 = std::min(N, t1 * kGemmMaxNr);
                           if (!dequant)
                               return ctx.k->types[(size_t)w.type].gemm(a, n0, n1, scratch);
                           // Dequantize a piece of the chunk's rows, then run the F32 kernel over
                           // it with outputs offset to the piece's columns.
                           GemmArgs d = a;
                           d.ldw = (size_t)K * sizeof(float);
                           d.w = rows;
                           for (int64_t c0 = n0; c0 < n1; c0 += kDequantRows) {
                               const int64_t c1 = std::min(n1, c0 + kDequantRows);
                               for (int64_t n = c0; n < c1; ++n)
                                   to_float(w.row(n), rows + (n - c0) * K, K);
                               d.out = a.out + c0;
                               if (a.add) d.add = a.add + c0;
                               ctx.k->types[(size_t)DType::F32].gemm(d, 0, c1 - c0, scratch);
                           }
                       });
}

// Work area: [packed activations][per thread: packed weight chunk, one quantized activation row].
size_t qgemm_thread_bytes(const QGemmFormat& f, int64_t K) {
    const size_t chunk = (size_t)(qgemm_tiles_per_chunk(f, K) * qgemm_tile_bytes(f, K));
    return chunk + ((row_size(f.activations, K) + 63) & ~(size_t)63);
}

size_t qgemm_x_bytes(const QGemmFormat& f, int64_t M, int64_t K) {
    return (qgemm_packed_x_bytes(f, M, K) + 63) & ~(size_t)63;
}

size_t qgemm_work_size(const Tensor& node, int n_threads) {
    const QGemmFormat& f = *qgemm_format(node.src[0]->type);
    const int64_t K = node.src[1]->ne[0], M = node.src[1]->ne[1];
    return qgemm_x_bytes(f, M, K) + 64 + (size_t)n_threads * qgemm_thread_bytes(f, K);
}

void compute_qgemm(const Tensor& node, const ComputeCtx& ctx) {
    const Tensor& w = *node.src[0];
    const Tensor& x = *node.src[1];
    const QGemmFormat& f = *qgemm_format(w.type);
    const int64_t K = x.ne[0], N = w.ne[1], M = x.ne[1];
    uint8_t* base = reinterpret_cast<uint8_t*>(((uintptr_t)ctx.wdata + 63) & ~(uintptr_t)63);
    uint8_t* xp = base;
    uint8_t* mine = base + qgemm_x_bytes(f, M, K) + (size_t)ctx.ith * qgemm_thread_bytes(f, K);
    uint8_t* tmp = mine + qgemm_tiles_per_chunk(f, K) * qgemm_tile_bytes(f, K);

    int64_t p0, p1;
    ctx.split((M + kQGemmMr - 1) / kQGemmMr, &p0, &p1);
    if (!ctx.x_packed) {
        qgemm_pack_x(f, ctx.k->types[(size_t)f.activations].from_float, x.row<const float>(0),
                     (int64_t)(x.nb[1] / sizeof(float)), M, K, p0, p1, xp, tmp);
        ctx.barrier();
    }

    QGemmArgs a;
    a.f = &f;
    a.w = w.data;
    a.ldw = w.nb[1];
    a.interleave = cpu_layout(w).interleave;
    a.N = N;
    a.xp = xp;
    a.M = M;
    a.K = K;
    const ProductOut po = product_out(node, ctx);
    a.out = po.data;
    a.ldo = po.ld;
    ctx.for_each_range((N + kQGemmNr - 1) / kQGemmNr, kMinTilesPerRange,
                       qgemm_tiles_per_chunk(f, K), [&](int64_t t0, int64_t t1) {
                           const int64_t n0 = t0 * kQGemmNr, n1 = std::min(N, t1 * kQGemmNr);
                           ctx.k->qgemm(a, n0, n1, mine);
                           po.add_to_columns(*ctx.k, M, n0, n1);
                       });
}

// Weights in row tiles: chunks of whole tiles, each one run of memory.
void compute_gemv_tiles(const Tensor& node, const ComputeCtx& ctx) {
    const Tensor& w = *node.src[0];
    const Tensor& x = *node.src[1];
    const int64_t K = x.ne[0], M = x.ne[1];
    const int64_t tile = cpu_layout(w).row_tile;
    const RowTiles tiles{tile, K, type_traits(w.type).type_size};
    const int64_t n_tiles = w.ne[1] / tile;
    // Chunks of an even number of tiles: the kernel reads tiles in pairs, two streams, which
    // the memory system serves faster than one (gemm_avx512.cpp).
    int64_t per = gemv_blocks_per_chunk(n_tiles, (int64_t)tiles.tile_bytes(), ctx.nth);
    if (per % 2 == 1 && n_tiles > per) ++per;
    const ProductOut po = product_out(node, ctx);
    const GemvTilesFn gemv = ctx.k->types[(size_t)w.type].gemv_tiles;
    const int64_t ldx = (int64_t)(x.nb[1] / sizeof(float));
    const uint8_t* data = static_cast<const uint8_t*>(w.data);
    ctx.for_each_chunk((n_tiles + per - 1) / per, [&](int64_t c) {
        const int64_t t0 = c * per, t1 = std::min(n_tiles, t0 + per);
        for (int64_t m = 0; m < M; m += kGemvMaxRows)
            gemv(K, data + (size_t)t0 * tiles.tile_bytes(), t1 - t0, x.row<const float>(m), ldx,
                 std::min(kGemvMaxRows, M - m), po.row(m) + t0 * tile, po.ld);
        po.add_to_columns(*ctx.k, M, t0 * tile, t1 * tile);
    });
}

void compute_gemv(const Tensor& node, const ComputeCtx& ctx) {
    const Tensor& w = *node.src[0];
    const Tensor& x = *node.src[1];
    if (cpu_layout(w).row_tile > 0) return compute_gemv_tiles(node, ctx);
    const int64_t N = w.ne[1], M = x.ne[1];
    // Chunks are whole groups of 16 rows, the kernels' unit.
    const int64_t n_groups = (N + 15) / 16;
    const int64_t per = gemv_blocks_per_chunk(n_groups, 16 * (int64_t)w.nb[1], ctx.nth);
    const ProductOut po = product_out(node, ctx);
    const GemvFn gemv = ctx.k->types[(size_t)w.type].gemv;
    const int64_t ldx = (int64_t)(x.nb[1] / sizeof(float));
    const ColumnBlocks cb = column_blocks(w);
    // Row n's weights in column block b, and the bytes between rows there.
    auto block_at = [&](int64_t b, int64_t n, size_t* ld) {
        return cb.at(w.data, w.nb[1], n, cb.first(b), ld);
    };
    ctx.for_each_chunk((n_groups + per - 1) / per, [&](int64_t c) {
        const int64_t n0 = c * per * 16, n1 = std::min(N, (c + 1) * per * 16);
        // Groups of up to kGemvMaxRows activation rows share one pass over the weights.
        for (int64_t m = 0; m < M; m += kGemvMaxRows) {
            const int64_t mx = std::min(kGemvMaxRows, M - m);
            const float* xm = x.row<const float>(m);
            // The first (or only) column block's products go straight out; the other blocks'
            // are added, a run of rows at a time (each block's rows are one stream).
            size_t ld;
            const uint8_t* w0 = block_at(0, n0, &ld);
            gemv(cb.cols_in(0), w0, ld, n1 - n0, xm, ldx, mx, po.row(m) + n0, po.ld);
            constexpr int64_t kRun = 64;
            float part[kGemvMaxRows * kRun];
            for (int64_t b = 1; b < cb.count(); ++b)
                for (int64_t r0 = n0; r0 < n1; r0 += kRun) {
                    const int64_t rows = std::min(kRun, n1 - r0);
                    const uint8_t* wb = block_at(b, r0, &ld);
                    gemv(cb.cols_in(b), wb, ld, rows, xm + cb.first(b), ldx, mx, part, kRun);
                    for (int64_t i = 0; i < mx; ++i)
                        ctx.k->axpy_f32(rows, 1.0f, part + i * kRun, po.row(m + i) + r0);
                }
        }
        po.add_to_columns(*ctx.k, M, n0, n1);
    });
}

// Interleaved Q4_0/Q8_0/Q4_K weights [K, N] against M float rows: the integer GEMM for many rows
// where the ISA has one, else each activation row prepared once and every group of eight weight
// rows dotted against it (groups claimed in chunks as in compute_gemv; where the kernel set
// takes two groups at once, a chunk's two halves side by side).
void compute_interleaved(const Tensor& node, const ComputeCtx& ctx) {
    const Tensor& w = *node.src[0];
    const Tensor& x = *node.src[1];
    const int64_t K = x.ne[0], N = w.ne[1], M = x.ne[1];
    if (interleaved_uses_qgemm(node, *ctx.k)) return compute_qgemm(node, ctx);
    const CpuKernels::InterleavedDot& kern = ctx.k->types[(size_t)w.type].interleaved;
    const size_t prow = (size_t)K * CpuKernels::kPreparedBytesPerValue;
    int64_t m0, m1;
    ctx.split(M, &m0, &m1);
    if (!ctx.x_packed) {
        for (int64_t m = m0; m < m1; ++m)
            kern.prepare(x.row<const float>(m), ctx.wdata + (size_t)m * prow, K);
        ctx.barrier();
    }
    const int64_t groups = N / quant::kInterleave;
    const int64_t group_bytes = quant::kInterleave * (int64_t)w.nb[1];
    const int64_t per = gemv_blocks_per_chunk(groups, group_bytes, ctx.nth);
    const ProductOut po = product_out(node, ctx);
    ctx.for_each_chunk((groups + per - 1) / per, [&](int64_t c) {
        const int64_t g0 = c * per, g1 = std::min(groups, (c + 1) * per);
        int64_t g = g0;
        if (kern.dot8x2) {
            // The chunk's halves side by side: two streams half a chunk apart.
            const int64_t half = (g1 - g0) / 2;
            for (; g < g0 + half; ++g)
                for (int64_t m = 0; m < M; ++m)
                    kern.dot8x2(K, w.row(g * quant::kInterleave),
                                w.row((g + half) * quant::kInterleave),
                                ctx.wdata + (size_t)m * prow, po.row(m) + g * quant::kInterleave,
                                po.row(m) + (g + half) * quant::kInterleave);
            g += half;
        }
        for (; g < g1; ++g)
            for (int64_t m = 0; m < M; ++m)
                kern.dot8(K, w.row(g * quant::kInterleave), ctx.wdata + (size_t)m * prow,
                          po.row(m) + g * quant::kInterleave);
        po.add_to_columns(*ctx.k, M, c * per * quant::kInterleave, g1 * quant::kInterleave);
    });
}

// Activations need converting unless the weights dot directly against contiguous float rows.
bool needs_conversion(const Tensor& w, const Tensor& x) {
    const DType vdt = type_traits(w.type).vec_dot_type;
    return vdt != DType::F32 || x.nb[0] != sizeof(float);
}

// Float activation rows against weights whose kernel has its own prepared activation layout.
bool use_prepared(const Tensor& w, const Tensor& x, const CpuKernels& k) {
    const CpuKernels::PreparedDot& p = k.types[(size_t)w.type].prepared;
    return p.prepare && p.dot && x.nb[0] == sizeof(float) && x.ne[0] % p.k_multiple == 0;
}

}  // namespace

namespace {

// How a matrix product packs its activations at the start of the work buffer, if it does: as
// compute_mul_mat dispatches. Interleaved: rows prepared for the eight-row kernels.
enum class XPacking { None, Float, Integer, Interleaved };

XPacking x_packing(const Tensor& node, const CpuKernels& k) {
    if (cpu_layout(*node.src[0]).interleave > 1)
        return interleaved_uses_qgemm(node, k) ? XPacking::Integer : XPacking::Interleaved;
    if (use_gemm(node, &k)) return XPacking::Float;
    if (use_qgemm(node, &k)) return XPacking::Integer;
    return XPacking::None;
}

}  // namespace

bool mul_mat_reuses_packed_x(const Tensor& prev, const Tensor& next, const CpuKernels& k) {
    if (prev.op != Op::MulMat || next.op != Op::MulMat || prev.src[1] != next.src[1]) return false;
    const XPacking a = x_packing(prev, k), b = x_packing(next, k);
    if (a != b || a == XPacking::None) return false;
    // The integer GEMM's packing depends on the weight type's format, the eight-row kernels'
    // on their prepare function.
    if (a == XPacking::Interleaved)
        return k.types[(size_t)prev.src[0]->type].interleaved.prepare ==
               k.types[(size_t)next.src[0]->type].interleaved.prepare;
    return a == XPacking::Float ||
           qgemm_format(prev.src[0]->type) == qgemm_format(next.src[0]->type);
}

bool mul_mat_folds_swiglu(const Tensor& node, const CpuKernels& k) {
    if (node.op != Op::MulMat || node.src[1]->op != Op::SwiGlu) return false;
    const Tensor& x = *node.src[1];
    const Tensor& g = *x.src[0];
    const Tensor& u = *x.src[1];
    auto float_rows = [&](const Tensor& t) {
        return t.type == DType::F32 && t.nb[0] == sizeof(float) && t.ne[0] == x.ne[0] &&
               t.ne[1] == x.ne[1] && t.n_rows() == x.ne[1];
    };
    return cpu_layout(*node.src[0]).interleave == 1 && use_gemm(node, &k) && float_rows(g) &&
           float_rows(u) && x.n_rows() == x.ne[1] && k.swiglu;
}

bool mul_mat_folds_add(const Tensor& node, const Tensor& add) {
    if (node.op != Op::MulMat || add.op != Op::Add ||
        (add.src[0] == &node) == (add.src[1] == &node))
        return false;
    const Tensor& other = addend_of(add, node);
    // Float rows of one matrix each: the paths index outputs and addend by row.
    auto float_matrix = [&](const Tensor& t) {
        return t.type == DType::F32 && t.nb[0] == sizeof(float) && t.nb[1] % sizeof(float) == 0 &&
               t.ne[0] == node.ne[0] && t.ne[1] == node.ne[1] && t.ne[2] == 1 && t.ne[3] == 1;
    };
    const Tensor& x = *node.src[1];
    return float_matrix(node) && float_matrix(other) && float_matrix(add) && x.ne[2] == 1 &&
           x.ne[3] == 1;
}

bool mul_mat_folds_rms_norm(const Tensor& node, const CpuKernels& k) {
    if (node.op != Op::MulMat || node.src[1]->op != Op::RmsNorm) return false;
    const Tensor& x = *node.src[1];
    const Tensor& in = *x.src[0];
    const Tensor* gain = x.src[1];
    return cpu_layout(*node.src[0]).interleave == 1 && use_gemm(node, &k) &&
           in.type == DType::F32 && in.nb[0] == sizeof(float) && in.ne[0] == x.ne[0] &&
           in.ne[1] == x.ne[1] && in.n_rows() == in.ne[1] && x.n_rows() == x.ne[1] &&
           (!gain ||
            (gain->type == DType::F32 && gain->nb[0] == sizeof(float) && gain->ne[0] == x.ne[0]));
}

size_t mul_mat_work_size(const Tensor& node, int n_threads) {
    const Tensor& w = *node.src[0];
    const Tensor& x = *node.src[1];
    if (cpu_layout(w).interleave > 1) {
        const size_t prepared = (size_t)x.ne[0] * CpuKernels::kPreparedBytesPerValue * x.ne[1];
        const QGemmFormat* f = qgemm_format(w.type);
        return std::max(prepared,
                        f && x.ne[1] >= kGemmMinRows ? qgemm_work_size(node, n_threads) : 0);
    }
    // The ISA is not known here: room for whichever path compute_mul_mat picks.
    const bool dequant = use_dequant_gemm(node, nullptr);
    size_t gemm = use_gemm(node, nullptr) || dequant ? gemm_work_size(node, n_threads, dequant) : 0;
    if (use_qgemm(node, nullptr)) gemm = std::max(gemm, qgemm_work_size(node, n_threads));
    if (!needs_conversion(w, x)) return gemm;
    // Room for a prepared layout too, should the ISA's kernels have one for this type.
    const size_t row = std::max(row_size(type_traits(w.type).vec_dot_type, x.ne[0]),
                                (size_t)x.ne[0] * CpuKernels::kPreparedBytesPerValue);
    return std::max(gemm, row * (size_t)x.n_rows());
}

bool mul_mat_writes_work(const Tensor& node, const CpuKernels& k, bool x_packed) {
    // The GEMM paths also keep per-thread scratch in the work memory, which no other thread
    // touches, but they are left out: a prompt's products are long enough that a barrier costs
    // nothing.
    if (node.src[1]->ne[1] >= kGemmMinRows) return true;
    if (cpu_layout(*node.src[0]).interleave > 1)
        return !x_packed || interleaved_uses_qgemm(node, k);
    // The dot-product path converts its activations first unless they are float rows its
    // weights dot directly.
    return !use_gemv(node, k) && needs_conversion(*node.src[0], *node.src[1]);
}

void compute_mul_mat(const Tensor& node, const ComputeCtx& ctx) {
    if (cpu_layout(*node.src[0]).interleave > 1) return compute_interleaved(node, ctx);
    if (use_gemm(node, ctx.k)) return compute_gemm(node, ctx, false);
    if (use_qgemm(node, ctx.k)) return compute_qgemm(node, ctx);
    if (use_dequant_gemm(node, ctx.k)) return compute_gemm(node, ctx, true);
    if (use_gemv(node, *ctx.k)) return compute_gemv(node, ctx);
    const Tensor& w = *node.src[0];
    const Tensor& x = *node.src[1];
    const DType vdt = type_traits(w.type).vec_dot_type;
    const int64_t K = x.ne[0], N = w.ne[1], M = x.ne[1];
    const int64_t rows_x = x.n_rows();
    const bool convert = needs_conversion(w, x);
    size_t xrow_bytes = row_size(vdt, K);

    const CpuKernels::PreparedDot& prep = ctx.k->types[(size_t)w.type].prepared;
    const ColumnBlocks cb = column_blocks(w);
    const bool prepared = convert && use_prepared(w, x, *ctx.k) && cb.count() == 1;
    if (prepared) xrow_bytes = (size_t)K * CpuKernels::kPreparedBytesPerValue;
    if (convert) {
        const FromFloatFn from_float =
            prepared ? prep.prepare : ctx.k->types[(size_t)vdt].from_float;
        // Rows are dealt out when there are enough; a generated token's single row is cut into
        // pieces of whole blocks (each is quantized on its own), so no thread waits idle.
        const int64_t unit = prepared ? prep.k_multiple : block_size(vdt);
        const size_t unit_bytes = prepared ? prep.bytes_per_multiple : row_size(vdt, unit);
        int64_t r0 = 0, r1 = rows_x, u0 = 0, u1 = K / unit;
        if (rows_x >= ctx.nth || unit_bytes == 0)
            ctx.split(rows_x, &r0, &r1);
        else
            ctx.split(K / unit, &u0, &u1);
        for (int64_t r = r0; r < r1 && u0 < u1; ++r) {
            const int64_t i1 = r % x.ne[1], i2 = (r / x.ne[1]) % x.ne[2],
                          i3 = r / (x.ne[1] * x.ne[2]);
            from_float(x.row<const float>(i1, i2, i3) + u0 * unit,
                       ctx.wdata + (size_t)r * xrow_bytes + (size_t)u0 * unit_bytes,
                       (u1 - u0) * unit);
        }
        ctx.barrier();
    }
    auto x_row = [&](int64_t m, int64_t b2, int64_t b3) -> const void* {
        if (convert) return ctx.wdata + (size_t)(m + x.ne[1] * (b2 + x.ne[2] * b3)) * xrow_bytes;
        return x.row<const float>(m, b2, b3);
    };

    const VecDotFn vec_dot = prepared ? prep.dot : ctx.k->types[(size_t)w.type].vec_dot;
    // Weights in column blocks: the row's dot is the sum of its blocks' dots.
    auto dot = [&](int64_t n, const void* wrow, const void* xr) {
        if (cb.count() == 1) return vec_dot(K, wrow, xr);
        const uint8_t* base = static_cast<const uint8_t*>(w.data);  // a 2-D matrix
        float sum = 0.0f;
        for (int64_t b = 0; b < cb.count(); ++b)
            sum += vec_dot(cb.cols_in(b), base + cb.offset(n, cb.first(b)),
                           static_cast<const uint8_t*>(xr) + row_size(vdt, cb.first(b)));
        return sum;
    };
    const int64_t r2 = x.ne[2] / w.ne[2], r3 = x.ne[3] / w.ne[3];
    // Threads take blocks of weight rows; within a block every activation row is visited while
    // the block's weights are still in cache.
    // Blocks are claimed in chunks of about kGemvChunkBytes, as in compute_gemv.
    constexpr int64_t kRowBlock = 16;
    const int64_t n_blocks = (N + kRowBlock - 1) / kRowBlock;
    const int64_t batches = x.ne[2] * x.ne[3];
    const int64_t per = gemv_blocks_per_chunk(n_blocks, kRowBlock * (int64_t)w.nb[1], ctx.nth);
    const int64_t chunks_per_batch = (n_blocks + per - 1) / per;
    // Folded with an Add (mul_mat_folds_add: one batch), rows go to the Add's buffer.
    const ProductOut po = product_out(node, ctx);
    // Weights in row tiles (a 2-D matrix; this path serves kernel sets without the tiled kernels,
    // and storing tiles only for sets with them): each block's rows gathered once into plain rows.
    const int64_t row_tile = cpu_layout(w).row_tile;
    const RowTiles tiles{row_tile, K, type_traits(w.type).type_size};
    ctx.for_each_chunk(chunks_per_batch * batches, [&](int64_t c) {
        const int64_t b = c / chunks_per_batch, first = (c % chunks_per_batch) * per;
        const int64_t b2 = b % x.ne[2], b3 = b / x.ne[2];
        const int64_t n_end = std::min(N, (first + per) * kRowBlock);
        std::vector<uint8_t> gathered(row_tile > 0 ? kRowBlock * w.row_bytes() : 0);
        for (int64_t n0 = first * kRowBlock; n0 < n_end; n0 += kRowBlock) {
            const int64_t n1 = std::min(n_end, n0 + kRowBlock);
            for (int64_t n = n0; n < n1 && row_tile > 0; ++n)
                gather_tiled_row(static_cast<const uint8_t*>(w.data), tiles, n,
                                 gathered.data() + (size_t)(n - n0) * w.row_bytes());
            auto w_row = [&](int64_t n) -> const void* {
                if (row_tile > 0) return gathered.data() + (size_t)(n - n0) * w.row_bytes();
                return w.row(n, b2 / r2, b3 / r3);
            };
            const size_t ldw = row_tile > 0 ? w.row_bytes() : w.nb[1];
            for (int64_t m = 0; m < M; ++m) {
                const void* xr = x_row(m, b2, b3);
                float* out = ctx.sum ? po.row(m) : node.row<float>(m, b2, b3);
                if (prepared && prep.dot_rows)
                    prep.dot_rows(K, w_row(n0), ldw, n1 - n0, xr, out + n0);
                else
                    for (int64_t n = n0; n < n1; ++n) out[n] = dot(n, w_row(n), xr);
            }
        }
        po.add_to_columns(*ctx.k, M, first * kRowBlock, n_end);
    });
}

}  // namespace lamina
