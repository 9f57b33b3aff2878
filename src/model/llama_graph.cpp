#include "model/llama_graph.h"

#include <cmath>

namespace lamina {
namespace {

Tensor* weight(Graph& g, const Weight& w) {
    Tensor* t = g.external(w.type, w.ne, w.n_dims, const_cast<void*>(w.data));
    t->backend_record = w.backend_record;
    return t;
}

// RMSNorm(x) * gain
Tensor* rms_norm(Graph& g, Tensor* x, const Weight& gain, float eps) {
    return g.rms_norm(x, eps, weight(g, gain));
}

// The last row of a batch's activations, as a one-row view.
Tensor* last_row(Graph& g, Tensor* a) {
    return g.view(a, {a->ne[0], 1}, {a->nb[1]}, (size_t)(a->ne[1] - 1) * a->nb[1]);
}

// Self-attention of the new tokens over the cache: project, rotate, store K/V, attend, project.
// With last_only, every token's K and V still go to the cache, but only the last token queries
// it: the result is that token's row alone.
Tensor* attention(Graph& g, const LlamaModel& m, KvCache& cache, int64_t il, Tensor* h,
                  Tensor* positions, int64_t n_tokens, bool last_only) {
    const LlamaHParams& hp = m.hparams();
    const LlamaLayer& l = m.layers[(size_t)il];
    const int64_t hd = hp.head_dim, n_past = cache.n_past();
    const int64_t n_query = last_only ? 1 : n_tokens;
    Tensor* h_query = last_only ? last_row(g, h) : h;
    Tensor* q_positions =
        last_only ? g.view(positions, {1}, {}, (size_t)(n_tokens - 1) * positions->nb[0])
                  : positions;

    Tensor* q = g.reshape(g.mul_mat(weight(g, l.wq), h_query), {hd, hp.n_head, n_query});
    Tensor* k = g.reshape(g.mul_mat(weight(g, l.wk), h), {hd, hp.n_head_kv, n_tokens});
    Tensor* v = g.reshape(g.mul_mat(weight(g, l.wv), h), {hd, hp.n_head_kv, n_tokens});
    q = g.rope(q, q_positions, (int)hp.n_rot, hp.rope_freq_base);
    k = g.rope(k, positions, (int)hp.n_rot, hp.rope_freq_base);

    const int64_t ne[3] = {hd, hp.n_head_kv, cache.n_ctx()};
    Tensor* k_cache = g.external(cache.type(), ne, 3, cache.k(il));
    Tensor* v_cache = g.external(cache.type(), ne, 3, cache.v(il));
    const size_t pos_stride = k_cache->nb[2];
    g.copy(k, g.view(k_cache, {hd, hp.n_head_kv, n_tokens}, {k_cache->nb[1], pos_stride},
                     (size_t)n_past * pos_stride));
    g.copy(v, g.view(v_cache, {hd, hp.n_head_kv, n_tokens}, {v_cache->nb[1], pos_stride},
                     (size_t)n_past * pos_stride));

    const int64_t n_kv = n_past + n_tokens;
    Tensor* k_all = g.view(k_cache, {hd, hp.n_head_kv, n_kv}, {k_cache->nb[1], pos_stride}, 0);
    Tensor* v_all = g.view(v_cache, {hd, hp.n_head_kv, n_kv}, {v_cache->nb[1], pos_stride}, 0);
    // The causal mask counts the first query's position: n_past, or the last token's.
    const int64_t first_query_pos = n_past + n_tokens - n_query;
    Tensor* attn = g.attention(q, k_all, v_all, 1.0f / std::sqrt((float)hd), (int)first_query_pos);
    return g.mul_mat(weight(g, l.wo), g.reshape(attn, {hp.n_embd, n_query}));
}

// down(silu(gate(h)) * up(h))
Tensor* swiglu_ffn(Graph& g, const LlamaLayer& l, Tensor* h) {
    Tensor* gate = g.mul_mat(weight(g, l.ffn_gate), h);
    Tensor* up = g.mul_mat(weight(g, l.ffn_up), h);
    return g.mul_mat(weight(g, l.ffn_down), g.swiglu(gate, up));
}

}  // namespace

LlamaGraphInputs build_llama_graph(Graph& g, const LlamaModel& m, KvCache& cache, int64_t n_tokens,
                                   bool all_logits) {
    const LlamaHParams& hp = m.hparams();
    LlamaGraphInputs io;
    io.tokens = g.input(DType::I32, {n_tokens}, "tokens");
    io.positions = g.input(DType::I32, {n_tokens}, "positions");

    Tensor* x = g.get_rows(weight(g, m.tok_embd), io.tokens);
    for (int64_t il = 0; il < hp.n_layer; ++il) {
        const LlamaLayer& l = m.layers[(size_t)il];
        // Only the last position predicts the next token, and past the last layer's K/V nothing
        // reads the other positions: that layer's queries, attention output and feed-forward run
        // for the last token alone (about 4% of a TinyLlama prompt's work).
        const bool last_only = !all_logits && n_tokens > 1 && il == hp.n_layer - 1;
        Tensor* h = rms_norm(g, x, l.attn_norm, hp.rms_eps);
        Tensor* attn = attention(g, m, cache, il, h, io.positions, n_tokens, last_only);
        x = g.add(last_only ? last_row(g, x) : x, attn);
        h = rms_norm(g, x, l.ffn_norm, hp.rms_eps);
        x = g.add(x, swiglu_ffn(g, l, h));
    }
    x = rms_norm(g, x, m.output_norm, hp.rms_eps);
    io.logits = g.mul_mat(weight(g, m.output), x);
    io.logits->is_output = true;
    return io;
}

}  // namespace lamina
