#include "model/llama_model.h"

#include <algorithm>
#include <map>
#include <string>

#include "quant/type_traits.h"

namespace lamina {

// Reads and checks everything the forward pass relies on, so that graph building can trust it.
class LlamaLoader {
  public:
    explicit LlamaLoader(LlamaModel& m) : m_(m) {}

    Status read_hparams() {
        const GgufReader& g = *m_.gguf_;
        const auto arch = g.get_string("general.architecture");
        if (!arch) return Status::error("missing general.architecture");
        if (*arch != "llama")
            return Status::error("unsupported architecture '" + *arch + "' (lamina runs 'llama')");
        LlamaHParams& hp = m_.hp_;
        struct Req {
            const char* key;
            int64_t* out;
        };
        for (Req r :
             {Req{"llama.embedding_length", &hp.n_embd}, Req{"llama.block_count", &hp.n_layer},
              Req{"llama.attention.head_count", &hp.n_head},
              Req{"llama.feed_forward_length", &hp.n_ff}}) {
            const auto v = g.get_uint(r.key);
            if (!v) return Status::error(std::string("missing or invalid metadata key ") + r.key);
            if (*v == 0 || *v > (1u << 20))
                return Status::error(std::string("implausible value of ") + r.key + ": " +
                                     std::to_string(*v));
            *r.out = (int64_t)*v;
        }
        // Optional keys are range-checked before they become signed (a value above 2^63 would
        // turn negative and pass the divisibility test).
        const uint64_t n_head_kv =
            g.get_uint("llama.attention.head_count_kv").value_or((uint64_t)hp.n_head);
        if (n_head_kv == 0 || n_head_kv > (uint64_t)hp.n_head)
            return Status::error("invalid llama.attention.head_count_kv " +
                                 std::to_string(n_head_kv) + " (1 to head_count " +
                                 std::to_string(hp.n_head) + " allowed)");
        hp.n_head_kv = (int64_t)n_head_kv;
        hp.n_ctx_train = (int64_t)std::min<uint64_t>(
            g.get_uint("llama.context_length").value_or(2048), 1u << 30);
        if (hp.n_head % hp.n_head_kv != 0)
            return Status::error("head_count " + std::to_string(hp.n_head) +
                                 " is not a multiple of head_count_kv " +
                                 std::to_string(hp.n_head_kv));
        if (hp.n_embd % hp.n_head != 0)
            return Status::error("embedding_length is not a multiple of head_count");
        hp.head_dim = hp.n_embd / hp.n_head;
        hp.n_rot = (int64_t)std::min<uint64_t>(
            g.get_uint("llama.rope.dimension_count").value_or((uint64_t)hp.head_dim),
            (uint64_t)hp.head_dim + 1);
        if (hp.n_rot <= 0 || hp.n_rot > hp.head_dim || hp.n_rot % 2 != 0)
            return Status::error("invalid llama.rope.dimension_count " + std::to_string(hp.n_rot));
        hp.rms_eps = (float)g.get_float("llama.attention.layer_norm_rms_epsilon").value_or(1e-5);
        hp.rope_freq_base = (float)g.get_float("llama.rope.freq_base").value_or(10000.0);
        m_.name_ = g.get_string("general.name").value_or("");
        return Status::ok();
    }

    Status bind(Weight& w, const std::string& name, std::initializer_list<int64_t> shape,
                bool optional = false) {
        const GgufTensorInfo* t = m_.gguf_->find_tensor(name);
        if (!t) {
            if (optional) return Status::ok();
            return Status::error("missing tensor " + name);
        }
        int n = 0;
        for (int64_t want : shape) {
            if (t->ne[n] != want)
                return Status::error("tensor " + name + " has shape " + shape_string(*t) +
                                     ", expected " + shape_string(shape));
            ++n;
        }
        for (int d = n; d < 4; ++d)
            if (t->ne[d] != 1)
                return Status::error("tensor " + name + " has shape " + shape_string(*t) +
                                     ", expected " + shape_string(shape));
        const TypeTraits& tt = type_traits(t->type);
        if (n == 1 && t->type != DType::F32)
            return Status::error("tensor " + name + " has type " + tt.name +
                                 "; norm weights must be F32");
        if (!tt.to_float || !tt.vec_dot)
            return Status::error("tensor " + name + " has type " + tt.name +
                                 ", which lamina cannot compute yet");
        w.type = t->type;
        w.n_dims = n;
        for (int d = 0; d < 4; ++d) w.ne[d] = t->ne[d];
        w.data = m_.gguf_->tensor_data(*t);
        w.nbytes = t->nbytes;
        m_.weight_bytes_ += t->nbytes;
        m_.n_params_ += t->n_elements();
        if (n == 2) type_bytes_[w.type] += t->nbytes;
        return Status::ok();
    }

    Status bind_all() {
        const LlamaHParams& hp = m_.hp_;
        const GgufTensorInfo* emb = m_.gguf_->find_tensor("token_embd.weight");
        if (!emb) return Status::error("missing tensor token_embd.weight");
        m_.hp_.n_vocab = emb->ne[1];
        const int64_t V = m_.hp_.n_vocab, E = hp.n_embd, KV = hp.kv_dim(), F = hp.n_ff;
        if (Status s = bind(m_.tok_embd, "token_embd.weight", {E, V}); !s) return s;
        if (Status s = bind(m_.output_norm, "output_norm.weight", {E}); !s) return s;
        if (Status s = bind(m_.output, "output.weight", {E, V}, true); !s) return s;
        if (!m_.output.data) m_.output = m_.tok_embd;  // tied embeddings
        // Every block has 9 tensors: a block count the tensor table cannot back is an error
        // before anything is sized from it (2^20 blocks took 700 MB to report a missing tensor).
        constexpr int64_t kTensorsPerBlock = 9;
        const int64_t n_tensors = (int64_t)m_.gguf_->tensors().size();
        if (hp.n_layer > n_tensors / kTensorsPerBlock)
            return Status::error("block_count " + std::to_string(hp.n_layer) + " needs " +
                                 std::to_string(hp.n_layer * kTensorsPerBlock) +
                                 " block tensors, the file has " + std::to_string(n_tensors) +
                                 " tensors in all");
        m_.layers.resize((size_t)hp.n_layer);
        for (int64_t i = 0; i < hp.n_layer; ++i) {
            LlamaLayer& l = m_.layers[(size_t)i];
            const std::string p = "blk." + std::to_string(i) + ".";
            Status s;
            if (!(s = bind(l.attn_norm, p + "attn_norm.weight", {E}))) return s;
            if (!(s = bind(l.wq, p + "attn_q.weight", {E, E}))) return s;
            if (!(s = bind(l.wk, p + "attn_k.weight", {E, KV}))) return s;
            if (!(s = bind(l.wv, p + "attn_v.weight", {E, KV}))) return s;
            if (!(s = bind(l.wo, p + "attn_output.weight", {E, E}))) return s;
            if (!(s = bind(l.ffn_norm, p + "ffn_norm.weight", {E}))) return s;
            if (!(s = bind(l.ffn_gate, p + "ffn_gate.weight", {E, F}))) return s;
            if (!(s = bind(l.ffn_up, p + "ffn_up.weight", {E, F}))) return s;
            if (!(s = bind(l.ffn_down, p + "ffn_down.weight", {F, E}))) return s;
        }
        size_t best = 0;
        for (auto& [type, bytes] : type_bytes_)
            if (bytes > best) best = bytes, m_.main_type_ = type;
        return Status::ok();
    }

  private:
    static std::string shape_string(const GgufTensorInfo& t) {
        std::string s = "[";
        for (int d = 0; d < t.n_dims; ++d) s += (d ? ", " : "") + std::to_string(t.ne[d]);
        return s + "]";
    }
    static std::string shape_string(std::initializer_list<int64_t> shape) {
        std::string s = "[";
        bool first = true;
        for (int64_t v : shape) s += (first ? "" : ", ") + std::to_string(v), first = false;
        return s + "]";
    }

    LlamaModel& m_;
    std::map<DType, size_t> type_bytes_;
};

namespace {

// Touches every page of the weights once so that loading (not the first token) pays for reading
// the file, and so the progress bar means something.
void page_in(const LlamaModel& m, const LlamaModel::Progress& progress) {
    const GgufReader& g = m.gguf();
    const size_t total = m.weight_bytes();
    size_t done = 0;
    volatile uint8_t sink = 0;
    for (const GgufTensorInfo& t : g.tensors()) {
        const uint8_t* p = g.tensor_data(t);
        for (size_t off = 0; off < t.nbytes; off += 4096) sink = sink + p[off];
        done += t.nbytes;
        if (progress) progress(std::min(done, total), total);
    }
    (void)sink;
}

}  // namespace

Expected<std::unique_ptr<LlamaModel>> LlamaModel::load(const std::string& path,
                                                       const Progress& progress, LoadMode mode) {
    auto reader = GgufReader::open(path, mode, progress);
    if (!reader) return reader.status();
    std::unique_ptr<LlamaModel> m(new LlamaModel());
    m->gguf_ = std::move(*reader);
    LlamaLoader loader(*m);
    if (Status s = loader.read_hparams(); !s) return Status::error(path + ": " + s.message());
    if (Status s = loader.bind_all(); !s) return Status::error(path + ": " + s.message());
    if (m->gguf_->mapped()) page_in(*m, progress);
    return m;
}

Status LlamaModel::store_weights(Backend& backend) {
    // The token embeddings are looked up by row, and so is an output matrix that shares their
    // memory; the other matrices only multiply.
    const bool tied = output.data == tok_embd.data;
    auto store = [&](Weight& w, int layer, bool matmul_only) {
        Tensor t;
        t.type = w.type;
        for (int d = 0; d < 4; ++d) t.ne[d] = w.ne[d];
        t.set_contiguous_strides();
        t.data = const_cast<void*>(w.data);  // the reader's own copy where writable
        t.backend_record = w.backend_record;
        WeightUse use;
        use.layer = layer;
        use.matmul_only = matmul_only;
        use.writable = !gguf_->mapped();
        if (Status s = backend.store_weight(t, use); !s) return s;
        w.data = t.data;
        w.backend_record = t.backend_record;
        return Status::ok();
    };
    Status s;
    if (!(s = store(tok_embd, -1, false))) return s;
    if (tied) {
        output = tok_embd;
    } else if (!(s = store(output, -1, true))) {
        return s;
    }
    if (!(s = store(output_norm, -1, false))) return s;
    for (size_t i = 0; i < layers.size(); ++i) {
        LlamaLayer& l = layers[i];
        for (Weight* w : {&l.attn_norm, &l.ffn_norm})
            if (!(s = store(*w, (int)i, false))) return s;
        for (Weight* w : {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down})
            if (!(s = store(*w, (int)i, true))) return s;
    }
    return Status::ok();
}

}  // namespace lamina
