// Fused causal attention with grouped K/V heads, reading K and V from an F16 (or F32) cache.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "backend/cpu/ops.h"

namespace lamina {
namespace {

constexpr int64_t kPanel = CpuKernels::kPanel16;

// A batch of at least this many positions (a prompt) converts the F16 cache rows it reads to
// float once, keys transposed in blocks of kPanel and pre-scaled, value rows padded to a
// multiple of kPanel columns, and computes every position's scores and outputs as small matrix
// products. The per-position kernels instead convert each cache row again for every position
// and reduce every score horizontally; generation (one position) keeps them.
constexpr int64_t kPackedMinPositions = 8;
// Past this much converted cache (very long contexts) the per-position kernels run instead.
constexpr size_t kPackedMaxBytes = (size_t)256 << 20;

int64_t round_up(int64_t n, int64_t m) {
    return (n + m - 1) / m * m;
}

// The float copy of the cache a packed attention reads: per K/V head, `keys` rows of K
// transposed in blocks (kt: [block][d][kPanel]) and of V padded to vd columns.
struct PackedCache {
    int64_t d = 0;     // head size
    int64_t keys = 0;  // cache rows the batch attends to, rounded up to kPanel
    int64_t vd = 0;    // value row length, d rounded up to kPanel
    size_t kt_floats() const { return (size_t)keys * (size_t)d; }  // per head
    size_t v_floats() const { return (size_t)keys * (size_t)vd; }  // per head
};

PackedCache packed_cache(const Tensor& node) {
    const Tensor& q = *node.src[0];
    const Tensor& k = *node.src[1];
    PackedCache p;
    p.d = q.ne[0];
    p.keys = round_up(std::min(k.ne[2], node.params.i[0] + q.ne[2]), kPanel);
    p.vd = round_up(p.d, kPanel);
    return p;
}

bool use_packed(const Tensor& node) {
    const Tensor& q = *node.src[0];
    const Tensor& k = *node.src[1];
    if (q.ne[2] < kPackedMinPositions || k.type != DType::F16 || node.src[2]->type != DType::F16)
        return false;
    const PackedCache p = packed_cache(node);
    return (p.kt_floats() + p.v_floats()) * (size_t)k.ne[1] * sizeof(float) <= kPackedMaxBytes;
}

// Per thread, for one group of query heads: scores over every key, then outputs, softmax maxima
// and sums (the per-position path keeps them as a span's partial result, span_floats).
size_t thread_floats(int64_t group, int64_t keys, int64_t d) {
    return (size_t)(group * (keys + d + 2) + 16);
}

// Converts cache rows [0, p.keys) of every head, split over the threads: item = (head, block of
// kPanel keys). Keys past the cache are zero (their scores are computed, never used).
void pack_cache(const Tensor& k, const Tensor& v, float scale, int64_t n_keys, const PackedCache& p,
                float* kt, float* vf, const ComputeCtx& ctx) {
    const int64_t blocks = p.keys / kPanel, d = p.d;
    const ToFloatFn f16_row = ctx.k->types[(size_t)DType::F16].to_float;
    std::vector<float> key_row((size_t)d);
    int64_t b0, b1;
    ctx.split(k.ne[1] * blocks, &b0, &b1);
    for (int64_t item = b0; item < b1; ++item) {
        const int64_t hk = item / blocks, b = item % blocks;
        float* kb = kt + (size_t)hk * p.kt_floats() + (size_t)(b * kPanel * d);
        float* vb = vf + (size_t)hk * p.v_floats() + (size_t)(b * kPanel * p.vd);
        for (int64_t j = 0; j < kPanel; ++j) {
            const int64_t key = b * kPanel + j;
            float* vo = vb + j * p.vd;
            if (key >= n_keys) {
                for (int64_t c = 0; c < d; ++c) kb[c * kPanel + j] = 0;
                std::fill(vo, vo + p.vd, 0.0f);
                continue;
            }
            // Whole rows through the kernel set's F16 conversion, then K scattered transposed.
            f16_row(k.row<const uint16_t>(hk, key), key_row.data(), d);
            for (int64_t c = 0; c < d; ++c) kb[c * kPanel + j] = scale * key_row[(size_t)c];
            f16_row(v.row<const uint16_t>(hk, key), vo, d);
            std::fill(vo + d, vo + p.vd, 0.0f);
        }
    }
}

// Numerators of each score row's softmax in place, returning the row sums (and, when maxes is
// given, the row maxima they are taken against).
void softmax_rows(const CpuKernels& kern, int64_t g, int64_t n, float* scores, int64_t lds,
                  float* sums, float* maxes = nullptr) {
    for (int64_t i = 0; i < g; ++i) {
        float* row = scores + i * lds;
        const float mx = kern.max_f32(n, row);
        sums[i] = kern.exp_sum(n, row, mx);
        if (maxes) maxes[i] = mx;
    }
}

void compute_packed(const Tensor& node, const ComputeCtx& ctx) {
    const Tensor& q = *node.src[0];
    const Tensor& k = *node.src[1];
    const Tensor& v = *node.src[2];
    const int64_t n_past = node.params.i[0];
    const int64_t D = q.ne[0], Hq = q.ne[1], T = q.ne[2], Hkv = k.ne[1];
    const int64_t group = Hq / Hkv;
    const CpuKernels& kern = *ctx.k;
    const PackedCache p = packed_cache(node);

    float* kt = reinterpret_cast<float*>(ctx.wdata);
    float* vf = kt + (size_t)Hkv * p.kt_floats();
    pack_cache(k, v, node.params.f[0], std::min(k.ne[2], n_past + T), p, kt, vf, ctx);
    ctx.barrier();

    float* scores =
        vf + (size_t)Hkv * p.v_floats() + (size_t)ctx.ith * thread_floats(group, p.keys, p.vd);
    float* acc = scores + group * p.keys;
    float* sums = acc + group * p.vd;
    const int64_t ldq = (int64_t)(q.nb[1] / sizeof(float));
    // Positions (each with all its K/V heads) are claimed one at a time from a shared counter,
    // the last (most keys) first, so the threads finish together even when their cores run at
    // different speeds. A claim moves a cache line between the cores; per K/V head it would cost
    // a noticeable share of the early positions' work.
    ctx.for_each_shared(T, [&](int64_t w) {
        for (int64_t hk = 0; hk < Hkv; ++hk) {
            const int64_t t = T - 1 - w, h0 = hk * group;
            const float* qv = q.row<const float>(h0, t);
            const int64_t n_keys = n_past + t + 1;
            const float* kth = kt + (size_t)hk * p.kt_floats();
            // Key blocks and value columns two panels at a time, the odd one last.
            int64_t b = 0;
            for (; (b + 1) * kPanel < n_keys; b += 2)
                kern.matmul_panel16x2(group, D, qv, ldq, kth + b * kPanel * D,
                                      kth + (b + 1) * kPanel * D, kPanel, scores + b * kPanel,
                                      p.keys);
            if (b * kPanel < n_keys)
                kern.matmul_panel16(group, D, qv, ldq, kth + b * kPanel * D, kPanel,
                                    scores + b * kPanel, p.keys);
            softmax_rows(kern, group, n_keys, scores, p.keys, sums);
            const float* vh = vf + (size_t)hk * p.v_floats();
            int64_t c = 0;
            for (; c + 2 * kPanel <= p.vd; c += 2 * kPanel)
                kern.matmul_panel16x2(group, n_keys, scores, p.keys, vh + c, vh + c + kPanel, p.vd,
                                      acc + c, p.vd);
            if (c < p.vd)
                kern.matmul_panel16(group, n_keys, scores, p.keys, vh + c, p.vd, acc + c, p.vd);
            for (int64_t i = 0; i < group; ++i) {
                const float inv = 1.0f / sums[i];
                float* out = node.row<float>(h0 + i, t);
                for (int64_t c = 0; c < D; ++c) out[c] = acc[i * p.vd + c] * inv;
            }
        }
    });
}

// Generation has one position, and so as many work items as K/V heads (4 for TinyLlama, 8 for
// Llama 3 8B): more threads than that would idle through the attention, which at long contexts
// is a large part of each token, and a thread count that does not divide the items leaves some
// threads one item behind. Each (position, K/V head) is then cut into spans of keys, computed
// apart (softmax sums and outputs over the span, with the span's own maximum) and combined, as
// in flash decoding. Spans are at least this many keys: a span's partial results cost a pass.
constexpr int64_t kMinSpanKeys = 128;

// Spans per (position, K/V head): 1 when the threads divide the items evenly, else enough to
// make them divide (nth / gcd(items, nth)), as far as every span keeps kMinSpanKeys keys.
int64_t key_spans(int64_t items, int64_t min_keys, int nth) {
    if (nth <= 1 || items % nth == 0) return 1;
    const int64_t want = nth / std::gcd(items, (int64_t)nth);
    return std::clamp<int64_t>(min_keys / kMinSpanKeys, 1, want);
}

// A span's partial result per query row: the unnormalised output, the span's maximum score and
// its sum of exponentials (against that maximum).
size_t span_floats(int64_t group, int64_t d) {
    return (size_t)(group * (d + 2));
}

}  // namespace

size_t attention_work_size(const Tensor& node, int n_threads) {
    const Tensor& q = *node.src[0];
    const Tensor& k = *node.src[1];
    const int64_t group = q.ne[1] / k.ne[1];
    if (use_packed(node)) {
        const PackedCache p = packed_cache(node);
        return ((p.kt_floats() + p.v_floats()) * (size_t)k.ne[1] +
                (size_t)n_threads * thread_floats(group, p.keys, p.vd)) *
               sizeof(float);
    }
    const int64_t items = q.ne[2] * k.ne[1];
    const int64_t spans = key_spans(items, node.params.i[0] + 1, n_threads);
    const size_t partials = spans > 1 ? (size_t)(items * spans) * span_floats(group, q.ne[0]) : 0;
    return ((size_t)n_threads * thread_floats(group, k.ne[2], q.ne[0]) + partials) * sizeof(float);
}

// Work items are (query position, K/V head), or spans of their keys (key_spans): the query
// heads sharing a K/V head are computed together so each cache row is read once for all of
// them. Items are dealt round-robin because later positions attend to more keys.
void compute_attention(const Tensor& node, const ComputeCtx& ctx) {
    if (use_packed(node)) return compute_packed(node, ctx);
    const Tensor& q = *node.src[0];
    const Tensor& k = *node.src[1];
    const Tensor& v = *node.src[2];
    const float scale = node.params.f[0];
    const int64_t n_past = node.params.i[0];
    const int64_t D = q.ne[0], Hq = q.ne[1], T = q.ne[2], Hkv = k.ne[1], n_kv = k.ne[2];
    const int64_t group = Hq / Hkv;
    const CpuKernels& kern = *ctx.k;

    float* scores =
        reinterpret_cast<float*>(ctx.wdata) + (size_t)ctx.ith * thread_floats(group, n_kv, D);
    float* result = scores + group * n_kv;  // one span_floats() result
    float* partials =
        reinterpret_cast<float*>(ctx.wdata) + (size_t)ctx.nth * thread_floats(group, n_kv, D);
    const int64_t ldq = (int64_t)(q.nb[1] / sizeof(float));
    const bool f16k = k.type == DType::F16, f16v = v.type == DType::F16;

    // Attention over keys [j0, j1) of K/V head hk for position t's query heads, into res laid
    // out as span_floats(): the unnormalised outputs, each row's maximum score and its sum of
    // exponentials against that maximum.
    auto attend = [&](int64_t t, int64_t hk, int64_t j0, int64_t j1, float* res) {
        float* acc = res;
        float* maxes = res + group * D;
        float* sums = maxes + group;
        const float* qv = q.row<const float>(hk * group, t);
        const int64_t n = j1 - j0;
        // Keys of one head are n_kv rows apart by nb[2].
        if (f16k) {
            kern.attn_scores_f16(D, k.row<const uint16_t>(hk, j0),
                                 (int64_t)(k.nb[2] / sizeof(uint16_t)), n, qv, ldq, group, scale,
                                 scores, n_kv);
        } else {
            for (int64_t i = 0; i < group; ++i)
                for (int64_t j = 0; j < n; ++j)
                    scores[i * n_kv + j] =
                        scale * kern.dot_f32(D, k.row<const float>(hk, j0 + j), qv + i * ldq);
        }
        // Softmax numerators; the normalisation is applied to the outputs instead.
        softmax_rows(kern, group, n, scores, n_kv, sums, maxes);
        for (int64_t i = 0; i < group * D; ++i) acc[i] = 0.0f;
        if (f16v) {
            kern.attn_values_f16(D, scores, n_kv, v.row<const uint16_t>(hk, j0),
                                 (int64_t)(v.nb[2] / sizeof(uint16_t)), n, group, acc, D);
        } else {
            for (int64_t i = 0; i < group; ++i)
                for (int64_t j = 0; j < n; ++j)
                    kern.axpy_f32(D, scores[i * n_kv + j], v.row<const float>(hk, j0 + j),
                                  acc + i * D);
        }
    };

    const int64_t items = T * Hkv;
    const int64_t spans = key_spans(items, n_past + 1, ctx.nth);
    if (spans == 1) {
        for (int64_t w = ctx.ith; w < items; w += ctx.nth) {
            const int64_t t = w / Hkv, hk = w % Hkv;
            attend(t, hk, 0, n_past + t + 1, result);
            for (int64_t i = 0; i < group; ++i) {
                const float inv = 1.0f / result[group * (D + 1) + i];
                float* out = node.row<float>(hk * group + i, t);
                for (int64_t c = 0; c < D; ++c) out[c] = result[i * D + c] * inv;
            }
        }
        return;
    }
    // Spans first, each into its own partial slot, then every query row's spans combined
    // against their common maximum.
    const size_t per_span = span_floats(group, D);
    for (int64_t w = ctx.ith; w < items * spans; w += ctx.nth) {
        const int64_t item = w / spans, sp = w % spans;
        const int64_t t = item / Hkv, hk = item % Hkv, n_keys = n_past + t + 1;
        attend(t, hk, n_keys * sp / spans, n_keys * (sp + 1) / spans,
               partials + (size_t)w * per_span);
    }
    ctx.barrier();
    for (int64_t r = ctx.ith; r < items * group; r += ctx.nth) {
        const int64_t item = r / group, i = r % group;
        const int64_t t = item / Hkv, hk = item % Hkv;
        const float* first = partials + (size_t)(item * spans) * per_span;
        float mx = -INFINITY;
        for (int64_t sp = 0; sp < spans; ++sp)
            mx = std::max(mx, first[(size_t)sp * per_span + group * D + i]);
        float* out = node.row<float>(hk * group + i, t);
        std::fill(out, out + D, 0.0f);
        float total = 0.0f;
        for (int64_t sp = 0; sp < spans; ++sp) {
            const float* part = first + (size_t)sp * per_span;
            const float f = std::exp(part[group * D + i] - mx);
            total += f * part[group * (D + 1) + i];
            kern.axpy_f32(D, f, part + i * D, out);
        }
        const float inv = 1.0f / total;
        for (int64_t c = 0; c < D; ++c) out[c] *= inv;
    }
}

}  // namespace lamina
