// Test helper: a tiny llama2.c checkpoint with known pseudo-random weights, its tokenizer.bin,
// and an independent double-precision Llama forward pass over the same weights.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace lamina::testing {

struct TinyLlama2c {
    int32_t dim = 16, hidden = 40, n_layers = 2, n_heads = 4, n_kv_heads = 2, vocab = 300,
            seq_len = 32;
    bool shared_classifier = false;

    // Weights in llama2.c order (the same arrays the .bin holds).
    std::vector<float> emb, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, freq_real,
        freq_imag, wcls;

    int32_t head_size() const { return dim / n_heads; }
    int32_t kv_dim() const { return head_size() * n_kv_heads; }

    // Fills every array from a fixed linear congruential sequence (independent of lamina).
    void make_weights(uint32_t seed = 12345) {
        uint32_t state = seed;
        auto next = [&](float scale, float offset) {
            state = state * 1664525u + 1013904223u;
            return offset + scale * ((float)(state >> 8) / 16777216.0f - 0.5f);
        };
        auto fill = [&](std::vector<float>& v, size_t n, float scale, float offset) {
            v.resize(n);
            for (float& x : v) x = next(scale, offset);
        };
        const size_t L = n_layers, d = dim, h = hidden, kv = kv_dim();
        fill(emb, vocab * d, 2.0f, 0.0f);
        fill(rms_att, L * d, 0.4f, 1.0f);
        fill(wq, L * d * d, 0.8f, 0.0f);
        fill(wk, L * d * kv, 0.8f, 0.0f);
        fill(wv, L * d * kv, 0.8f, 0.0f);
        fill(wo, L * d * d, 0.8f, 0.0f);
        fill(rms_ffn, L * d, 0.4f, 1.0f);
        fill(w1, L * d * h, 0.8f, 0.0f);
        fill(w2, L * h * d, 0.8f, 0.0f);
        fill(w3, L * d * h, 0.8f, 0.0f);
        fill(rms_final, d, 0.4f, 1.0f);
        fill(freq_real, (size_t)seq_len * head_size() / 2, 1.0f, 0.0f);
        fill(freq_imag, (size_t)seq_len * head_size() / 2, 1.0f, 0.0f);
        if (!shared_classifier) fill(wcls, vocab * d, 2.0f, 0.0f);
    }

    // The .bin bytes: 7 int32 header, then the float32 arrays.
    std::vector<uint8_t> bin_bytes() const {
        std::vector<uint8_t> out;
        auto put = [&](const void* p, size_t n) {
            out.insert(out.end(), (const uint8_t*)p, (const uint8_t*)p + n);
        };
        const int32_t header[7] = {dim,     hidden,     n_layers,
                                   n_heads, n_kv_heads, shared_classifier ? vocab : -vocab,
                                   seq_len};
        put(header, sizeof header);
        for (const std::vector<float>* v : {&emb, &rms_att, &wq, &wk, &wv, &wo, &rms_ffn, &w1, &w2,
                                            &w3, &rms_final, &freq_real, &freq_imag, &wcls}) {
            put(v->data(), v->size() * 4);
        }
        return out;
    }

    // Token texts as llama2.c's exporter writes them: <unk>, "\n<s>\n", "\n</s>\n", the 256
    // byte tokens, then pieces with spaces standing for U+2581.
    std::vector<std::string> token_texts() const {
        std::vector<std::string> t = {"<unk>", "\n<s>\n", "\n</s>\n"};
        char buf[8];
        for (int b = 0; b < 256; ++b) {
            std::snprintf(buf, sizeof buf, "<0x%02X>", b);
            t.push_back(buf);
        }
        const char* words[] = {" the",  " and",  " of",  " to",  " in", " that", " he", " shall",
                               " unto", " LORD", " for", " his", " a",  " they", " be"};
        for (int i = 0; (int)t.size() < vocab; ++i) {
            t.push_back(i < 15 ? std::string(words[i]) : std::string(" w") + std::to_string(i));
        }
        return t;
    }

    std::vector<uint8_t> tokenizer_bytes() const {
        const std::vector<std::string> t = token_texts();
        std::vector<uint8_t> out;
        auto put = [&](const void* p, size_t n) {
            out.insert(out.end(), (const uint8_t*)p, (const uint8_t*)p + n);
        };
        int32_t max_len = 0;
        for (const std::string& s : t) max_len = std::max<int32_t>(max_len, (int32_t)s.size());
        put(&max_len, 4);
        for (size_t i = 0; i < t.size(); ++i) {
            const float score = i < 259 ? 0.0f : -(float)(i - 259);
            const int32_t len = (int32_t)t[i].size();
            put(&score, 4);
            put(&len, 4);
            put(t[i].data(), t[i].size());
        }
        return out;
    }

    // Logits (vocab per position) for `tokens`, in double precision: RMSNorm (eps 1e-5), RoPE on
    // adjacent pairs (base 10000), grouped-query attention, SwiGLU.
    std::vector<std::vector<double>> forward(const std::vector<int32_t>& tokens) const {
        const int d = dim, hs = head_size(), kv = kv_dim(), T = (int)tokens.size();
        auto rmsnorm = [&](const std::vector<double>& x, const float* w) {
            double ss = 0;
            for (double v : x) ss += v * v;
            const double r = 1.0 / std::sqrt(ss / x.size() + 1e-5);
            std::vector<double> o(x.size());
            for (size_t i = 0; i < x.size(); ++i) o[i] = x[i] * r * w[i];
            return o;
        };
        // out[r] = sum_c W[r * in + c] * x[c], W row-major (out, in).
        auto matvec = [](const float* W, const std::vector<double>& x, int out) {
            std::vector<double> o(out, 0.0);
            for (int r = 0; r < out; ++r)
                for (size_t c = 0; c < x.size(); ++c) o[r] += W[r * x.size() + c] * x[c];
            return o;
        };
        auto rope = [&](std::vector<double>& v, int pos) {
            for (size_t h0 = 0; h0 < v.size(); h0 += hs) {
                for (int i = 0; i < hs / 2; ++i) {
                    const double theta = pos * std::pow(10000.0, -2.0 * i / hs);
                    const double a = v[h0 + 2 * i], b = v[h0 + 2 * i + 1];
                    v[h0 + 2 * i] = a * std::cos(theta) - b * std::sin(theta);
                    v[h0 + 2 * i + 1] = a * std::sin(theta) + b * std::cos(theta);
                }
            }
        };
        std::vector<std::vector<double>> x(T, std::vector<double>(d));
        for (int t = 0; t < T; ++t)
            for (int i = 0; i < d; ++i) x[t][i] = emb[(size_t)tokens[t] * d + i];
        for (int l = 0; l < n_layers; ++l) {
            std::vector<std::vector<double>> K(T), V(T);
            std::vector<std::vector<double>> Q(T);
            for (int t = 0; t < T; ++t) {
                const auto h = rmsnorm(x[t], rms_att.data() + l * d);
                Q[t] = matvec(wq.data() + (size_t)l * d * d, h, d);
                K[t] = matvec(wk.data() + (size_t)l * d * kv, h, kv);
                V[t] = matvec(wv.data() + (size_t)l * d * kv, h, kv);
                rope(Q[t], t);
                rope(K[t], t);
            }
            for (int t = 0; t < T; ++t) {
                std::vector<double> att_out(d, 0.0);
                for (int h = 0; h < n_heads; ++h) {
                    const int kvh = h / (n_heads / n_kv_heads);
                    std::vector<double> s(t + 1);
                    double mx = -1e300;
                    for (int u = 0; u <= t; ++u) {
                        double dot = 0;
                        for (int i = 0; i < hs; ++i) dot += Q[t][h * hs + i] * K[u][kvh * hs + i];
                        s[u] = dot / std::sqrt((double)hs);
                        mx = std::max(mx, s[u]);
                    }
                    double sum = 0;
                    for (double& v : s) sum += (v = std::exp(v - mx));
                    for (int u = 0; u <= t; ++u)
                        for (int i = 0; i < hs; ++i)
                            att_out[h * hs + i] += s[u] / sum * V[u][kvh * hs + i];
                }
                const auto o = matvec(wo.data() + (size_t)l * d * d, att_out, d);
                for (int i = 0; i < d; ++i) x[t][i] += o[i];
                const auto h2 = rmsnorm(x[t], rms_ffn.data() + l * d);
                const auto g = matvec(w1.data() + (size_t)l * d * hidden, h2, hidden);
                const auto u = matvec(w3.data() + (size_t)l * d * hidden, h2, hidden);
                std::vector<double> act(hidden);
                for (int i = 0; i < hidden; ++i) act[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
                const auto down = matvec(w2.data() + (size_t)l * hidden * d, act, d);
                for (int i = 0; i < d; ++i) x[t][i] += down[i];
            }
        }
        std::vector<std::vector<double>> logits(T);
        const float* cls = shared_classifier ? emb.data() : wcls.data();
        for (int t = 0; t < T; ++t) logits[t] = matvec(cls, rmsnorm(x[t], rms_final.data()), vocab);
        return logits;
    }
};

}  // namespace lamina::testing
