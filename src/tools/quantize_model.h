// quantize_model: rewrites a GGUF model with its weight matrices in a quantized type or mix.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace lamina {

// A target the user names: a single type ("Q4_0", "Q6_K", "F16", ...) or a llama.cpp-style mix
// ("Q4_K_M", ...) that keeps some tensors at higher precision.
struct QuantTarget {
    std::string name;
    DType base = DType::F32;
    uint32_t file_type = 0;  // general.file_type as llama.cpp numbers it
};

// nullptr-like failure when the name is unknown; the list of names is in quant_target_help().
Expected<QuantTarget> find_quant_target(const std::string& name);
std::string quant_target_help();
// Every TYPE name quantize accepts (for suggestions on a typo).
std::vector<std::string> quant_target_names();

// The type one tensor gets under a target. `layer` is the block index (-1 for tensors outside
// the blocks), n_layer the block count, ne0 the row length.
DType choose_tensor_type(const QuantTarget& target, const std::string& tensor_name, int n_dims,
                         int64_t ne0, int layer, int n_layer);

struct QuantizeReport {
    size_t bytes_in = 0, bytes_out = 0;
    size_t n_tensors = 0;
};

struct QuantizeProgress {
    size_t index, total;
    std::string name;
    DType from, to;
    size_t bytes_in, bytes_out;
};

// Reads `in`, writes `out` (through OUT.tmp, renamed on success: a failed run leaves no file).
Status quantize_model(const std::string& in, const std::string& out, const QuantTarget& target,
                      int n_threads, const std::function<void(const QuantizeProgress&)>& progress,
                      QuantizeReport* report);

}  // namespace lamina
