#include "model/llama_graph.h"

#include <cmath>

namespace lamina {
namespace {

Tensor* weight(Graph& g, const Weight& w) {
    Tensor* t = g.external(w.type, w.ne, w.n_dims, const_cast<void*>(w.data));
    t->interleave = w.interleave;
    return t;
}

// RMSNorm(x) * gain
Tensor* rms_norm(Graph& g, Tensor* x, const Weight& gain, float eps) {
    return g.rms_norm(x, eps, weight(g, gain));
}

// Self-attention of the new tokens over the cache: project, rotate, store K/V, attend, project.
Tensor* attention(Graph& g, const LlamaModel& m, KvCache& cache, int64_t il, Tensor* h,
                  Tensor* positions, int64_t n_tokens) {
    const LlamaHParams& hp = m.hparams();
    const LlamaLayer& l = m.layers[(size_t)il];
    const int64_t hd = hp.head_dim, n_past = cache.n_past();

    Tensor* q = g.reshape(g.mul_mat(weight(g, l.wq), h), {hd, hp.n_head, n_tokens});
    Tensor* k = g.reshape(g.mul_mat(weight(g, l.wk), h), {hd, hp.n_head_kv, n_tokens});
    Tensor* v = g.reshape(g.mul_mat(weight(g, l.wv), h), {hd, hp.n_head_kv, n_tokens});
    q = g.rope(q, positions, (int)hp.n_rot, hp.rope_freq_base);
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
    Tensor* attn = g.attention(q, k_all, v_all, 1.0f / std::sqrt((float)hd), (int)n_past);
    return g.mul_mat(weight(g, l.wo), g.reshape(attn, {hp.n_embd, n_tokens}));
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
        Tensor* h = rms_norm(g, x, l.attn_norm, hp.rms_eps);
        x = g.add(x, attention(g, m, cache, il, h, io.positions, n_tokens));
        h = rms_norm(g, x, l.ffn_norm, hp.rms_eps);
        x = g.add(x, swiglu_ffn(g, l, h));
    }
    if (!all_logits && n_tokens > 1) {
        // Only the last position predicts the next token: skip the rest of the output layer.
        x = g.view(x, {hp.n_embd, 1}, {x->nb[1]}, (size_t)(n_tokens - 1) * x->nb[1]);
    }
    x = rms_norm(g, x, m.output_norm, hp.rms_eps);
    io.logits = g.mul_mat(weight(g, m.output), x);
    io.logits->is_output = true;
    return io;
}

}  // namespace lamina
