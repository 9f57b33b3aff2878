#include "tools/quantize_model.h"

#include <algorithm>
#include <cctype>
#include <new>
#include <stdexcept>
#include <thread>

#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "quant/type_traits.h"

namespace lamina {
namespace {

struct TargetRow {
    const char* name;
    DType base;
    uint32_t file_type;
    const char* keeps;
};

// file_type numbers are llama.cpp's llama_ftype values, so its tools describe our files right.
constexpr TargetRow kTargets[] = {
    {"F32", DType::F32, 0, "everything F32"},
    {"F16", DType::F16, 1, "norms F32"},
    {"BF16", DType::BF16, 32, "norms F32"},
    {"Q8_0", DType::Q8_0, 7, "norms F32"},
    {"Q4_0", DType::Q4_0, 2, "output Q6_K, norms F32"},
    {"Q4_1", DType::Q4_1, 3, "output Q6_K, norms F32"},
    {"Q5_0", DType::Q5_0, 8, "output Q6_K, norms F32"},
    {"Q5_1", DType::Q5_1, 9, "output Q6_K, norms F32"},
    {"Q2_K", DType::Q2_K, 10, "output Q6_K; attn_v Q4_K; ffn_down, attn_output Q3_K"},
    {"Q3_K", DType::Q3_K, 11, "output Q6_K (same as Q3_K_S)"},
    {"Q3_K_S", DType::Q3_K, 11, "output Q6_K"},
    {"Q3_K_M", DType::Q3_K, 12,
     "output Q6_K; attn_v Q5_K in the first 2 blocks, else Q4_K; attn_output Q4_K; "
     "ffn_down Q5_K in the first n/16 blocks, else Q4_K"},
    {"Q4_K", DType::Q4_K, 14, "output Q6_K (same as Q4_K_S)"},
    {"Q4_K_S", DType::Q4_K, 14,
     "output Q6_K; attn_v Q5_K in the first 4 blocks; ffn_down Q5_K in the first n/8"},
    {"Q4_K_M", DType::Q4_K, 15,
     "output Q6_K; attn_v and ffn_down Q6_K in the first n/8, the last n/8 and "
     "every third block between, else Q4_K"},
    {"Q5_K", DType::Q5_K, 16, "output Q6_K (same as Q5_K_S)"},
    {"Q5_K_S", DType::Q5_K, 16, "output Q6_K"},
    {"Q5_K_M", DType::Q5_K, 17,
     "output Q6_K; attn_v and ffn_down Q6_K in the blocks Q4_K_M chooses"},
    {"Q6_K", DType::Q6_K, 18, "norms F32"},
    {"IQ4_NL", DType::IQ4_NL, 25, "output Q6_K"},
    {"IQ4_XS", DType::IQ4_XS, 30, "output Q6_K"},
};

bool same_name(const std::string& a, const char* b) {
    const std::string_view bv = b;
    if (a.size() != bv.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::toupper((unsigned char)a[i]) != bv[i]) return false;
    return true;
}

// llama.cpp's choice of blocks that get more bits in the _M mixes.
bool more_bits(int layer, int n_layer) {
    return layer < n_layer / 8 || layer >= 7 * n_layer / 8 || (layer - n_layer / 8) % 3 == 2;
}

bool ends_with(const std::string& s, const char* suffix) {
    const size_t n = std::char_traits<char>::length(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// Types whose rows must be multiples of 256 fall back to a 32-block type of similar size.
DType fit_row(DType t, int64_t ne0) {
    if (ne0 % block_size(t) == 0) return t;
    switch (t) {
        case DType::Q2_K:
        case DType::Q3_K:
        case DType::IQ4_XS:
            return ne0 % 32 == 0 ? DType::IQ4_NL : DType::F16;
        case DType::Q4_K:
            return ne0 % 32 == 0 ? DType::Q5_0 : DType::F16;
        case DType::Q5_K:
            return ne0 % 32 == 0 ? DType::Q5_1 : DType::F16;
        case DType::Q6_K:
            return ne0 % 32 == 0 ? DType::Q8_0 : DType::F16;
        default:
            return DType::F16;
    }
}

}  // namespace

Expected<QuantTarget> find_quant_target(const std::string& name) {
    for (const TargetRow& r : kTargets) {
        if (same_name(name, r.name)) {
            if (!type_traits(r.base).from_float)
                return Status::error(std::string("lamina cannot write ") + r.name + " yet");
            return QuantTarget{r.name, r.base, r.file_type};
        }
    }
    return Status::error("unknown quantization type '" + name + "' (see lamina quantize --help)");
}

std::vector<std::string> quant_target_names() {
    std::vector<std::string> names;
    for (const TargetRow& r : kTargets) names.push_back(r.name);
    return names;
}

std::string quant_target_help() {
    std::string s;
    for (const TargetRow& r : kTargets) {
        s += "  ";
        s += r.name;
        s += std::string(10 - std::min<size_t>(9, std::char_traits<char>::length(r.name)), ' ');
        s += r.keeps;
        if (!type_traits(r.base).from_float) s += "  (not available yet)";
        s += "\n";
    }
    return s;
}

DType choose_tensor_type(const QuantTarget& target, const std::string& name, int n_dims,
                         int64_t ne0, int layer, int n_layer) {
    if (n_dims < 2) return DType::F32;  // norms and biases stay exact
    const std::string& m = target.name;
    const bool quantized = type_traits(target.base).is_quantized;
    DType t = target.base;
    if (name == "output.weight" && quantized && target.base != DType::Q8_0) {
        t = DType::Q6_K;
    } else if (ends_with(name, "attn_v.weight")) {
        if (m == "Q4_K_M" || m == "Q5_K_M")
            t = more_bits(layer, n_layer) ? DType::Q6_K : target.base;
        else if (m == "Q4_K_S")
            t = layer < 4 ? DType::Q5_K : DType::Q4_K;
        else if (m == "Q3_K_M")
            t = layer < 2 ? DType::Q5_K : DType::Q4_K;
        else if (m == "Q2_K")
            t = DType::Q4_K;
    } else if (ends_with(name, "ffn_down.weight")) {
        if (m == "Q4_K_M" || m == "Q5_K_M")
            t = more_bits(layer, n_layer) ? DType::Q6_K : target.base;
        else if (m == "Q4_K_S")
            t = layer < n_layer / 8 ? DType::Q5_K : DType::Q4_K;
        else if (m == "Q3_K_M")
            t = layer < n_layer / 16 ? DType::Q5_K : DType::Q4_K;
        else if (m == "Q2_K")
            t = DType::Q3_K;
    } else if (ends_with(name, "attn_output.weight")) {
        if (m == "Q3_K_M")
            t = DType::Q4_K;
        else if (m == "Q2_K")
            t = DType::Q3_K;
    }
    if (!type_traits(t).from_float) t = target.base;  // a mix member not implemented yet
    return fit_row(t, ne0);
}

namespace {

// The block index in a name "blk.N.*", or -1. Only plain decimal indexes below kMaxLayer count,
// so a hostile name cannot overflow the arithmetic of the mixes.
constexpr int kMaxLayer = 1 << 20;
int layer_of(const std::string& name) {
    if (name.rfind("blk.", 0) != 0) return -1;
    int64_t layer = 0;
    size_t i = 4;
    for (; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i) {
        layer = layer * 10 + (name[i] - '0');
        if (layer >= kMaxLayer) return -1;
    }
    return i == 4 ? -1 : (int)layer;
}

Status quantize_checked(const std::string& in, const std::string& out, const QuantTarget& target,
                        int n_threads, const std::function<void(const QuantizeProgress&)>& progress,
                        QuantizeReport* report) {
    auto reader = GgufReader::open(in);
    if (!reader) return reader.status();
    const GgufReader& g = **reader;
    const int n_layer =
        (int)std::min<uint64_t>(g.get_uint("llama.block_count").value_or(0), kMaxLayer);
    n_threads = std::max(1, n_threads);

    GgufWriter w;
    for (const GgufKv& kv : g.metadata()) {
        if (kv.key == "general.alignment") continue;
        w.set(kv.key, kv.value);
    }
    w.set("general.file_type", GgufValue::make_u32(target.file_type));
    if (type_traits(target.base).is_quantized)
        w.set("general.quantization_version", GgufValue::make_u32(2));
    if (g.alignment() != 32) w.set_alignment(g.alignment());

    QuantizeReport rep;
    std::vector<QuantizeProgress> plan;
    for (const GgufTensorInfo& t : g.tensors()) {
        const int layer = layer_of(t.name);
        DType to = choose_tensor_type(target, t.name, t.n_dims, t.ne[0], layer, n_layer);
        if (!type_traits(t.type).to_float)
            return Status::error(in + ": tensor " + t.name + " has type " + type_name(t.type) +
                                 ", which lamina cannot read yet");
        if (t.n_dims < 2 && t.type != DType::F32 && t.type != DType::F16 && t.type != DType::BF16)
            to = t.type;
        const size_t rows = (size_t)(t.n_elements() / std::max<int64_t>(t.ne[0], 1));
        plan.push_back({plan.size() + 1, g.tensors().size(), t.name, t.type, to, t.nbytes,
                        row_size(to, t.ne[0]) * rows});
        rep.bytes_in += t.nbytes;
        rep.bytes_out += plan.back().bytes_out;
    }
    for (size_t i = 0; i < g.tensors().size(); ++i) {
        const GgufTensorInfo& t = g.tensors()[i];
        const QuantizeProgress& p = plan[i];
        std::vector<int64_t> ne(t.ne, t.ne + t.n_dims);
        const uint8_t* src = g.tensor_data(t);
        w.add_tensor(
            t.name, p.to, ne, [&t, &p, src, n_threads](uint8_t* dst, size_t nbytes) -> Status {
                const int64_t n0 = t.ne[0];
                const int64_t rows = n0 ? t.n_elements() / n0 : 0;
                if (p.from == p.to) {
                    std::copy(src, src + std::min(nbytes, t.nbytes), dst);
                    return Status::ok();
                }
                const ToFloatFn to_float = type_traits(p.from).to_float;
                const FromFloatFn from_float = type_traits(p.to).from_float;
                const size_t in_row = row_size(p.from, n0), out_row = row_size(p.to, n0);
                auto work = [&](int64_t r0, int64_t r1) {
                    std::vector<float> buf((size_t)n0);
                    for (int64_t r = r0; r < r1; ++r) {
                        to_float(src + (size_t)r * in_row, buf.data(), n0);
                        from_float(buf.data(), dst + (size_t)r * out_row, n0);
                    }
                };
                const int nt = (int)std::min<int64_t>(n_threads, std::max<int64_t>(1, rows / 16));
                std::vector<std::thread> threads;
                const int64_t per = (rows + nt - 1) / nt;
                for (int k = 1; k < nt; ++k)
                    threads.emplace_back(work, std::min(rows, k * per),
                                         std::min(rows, (k + 1) * per));
                work(0, std::min(rows, per));
                for (std::thread& th : threads) th.join();
                return Status::ok();
            });
    }
    Status s = w.write(out, [&](size_t done, size_t, const std::string&) {
        if (progress) progress(plan[done - 1]);
    });
    if (!s) return s;
    rep.n_tensors = plan.size();
    if (report) *report = rep;
    return Status::ok();
}

}  // namespace

Status quantize_model(const std::string& in, const std::string& out, const QuantTarget& target,
                      int n_threads, const std::function<void(const QuantizeProgress&)>& progress,
                      QuantizeReport* report) {
    // No exception may leave: running out of memory is an error like any other (the writer
    // has already removed its temporary file by then).
    try {
        return quantize_checked(in, out, target, n_threads, progress, report);
    } catch (const std::bad_alloc&) {
        return Status::error(in + ": out of memory while quantizing");
    } catch (const std::exception& e) {
        return Status::error(in + ": " + e.what());
    }
}

}  // namespace lamina
