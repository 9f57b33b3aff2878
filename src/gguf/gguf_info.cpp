#include "gguf/gguf_info.h"

#include <string>

#include "gguf/file_type.h"

namespace lamina {
namespace {

constexpr size_t kShownElements = 5;
constexpr size_t kShownChars = 80;

// The text with quotes, backslashes and control bytes escaped (a name or value from the file
// must not be able to move the terminal's cursor or split a line of the listing).
std::string escaped(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size() && i < kShownChars; ++i) {
        const unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            out += "\\n";
        else if (c == '"' || c == '\\')
            out += '\\', out += (char)c;
        else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else
            out += (char)c;
    }
    if (s.size() > kShownChars) out += "...";
    return out;
}

std::string quoted(const std::string& s) {
    std::string out(1, '"');
    out += escaped(s);
    out += '"';
    return out;
}

std::string scalar(GgufType t, const GgufValue& v) {
    switch (t) {
        case GgufType::FLOAT32:
        case GgufType::FLOAT64: {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", v.f);
            return buf;
        }
        case GgufType::BOOL:
            return v.u ? "true" : "false";
        case GgufType::INT8:
        case GgufType::INT16:
        case GgufType::INT32:
        case GgufType::INT64:
            return std::to_string(v.i);
        case GgufType::STRING:
            return quoted(v.str);
        default:
            return std::to_string(v.u);
    }
}

std::string describe(const GgufValue& v) {
    if (v.type != GgufType::ARRAY) return scalar(v.type, v);
    const size_t n = (size_t)v.array_size();
    std::string out = "[";
    out.append(std::to_string(n)).append(" ").append(gguf_type_name(v.elem_type)).append(": ");
    GgufValue e;
    for (size_t i = 0; i < n && i < kShownElements; ++i) {
        if (i) out += ", ";
        switch (v.elem_type) {
            case GgufType::STRING:
                out += quoted(v.strs[i]);
                break;
            case GgufType::ARRAY:
                out += describe(v.items[i]);
                break;
            case GgufType::FLOAT32:
            case GgufType::FLOAT64:
                e.f = v.floats[i], out += scalar(v.elem_type, e);
                break;
            case GgufType::INT8:
            case GgufType::INT16:
            case GgufType::INT32:
            case GgufType::INT64:
                e.i = v.ints[i], out += scalar(v.elem_type, e);
                break;
            default:
                e.u = v.uints[i], out += scalar(v.elem_type, e);
                break;
        }
    }
    if (n > kShownElements) out += ", ...";
    return out + "]";
}

}  // namespace

void print_gguf_info(const GgufReader& g, FILE* out) {
    std::fprintf(out, "file:      %s\n", g.path().c_str());
    std::fprintf(out, "version:   %u\nalignment: %llu\nsize:      %zu bytes\n\n", g.version(),
                 (unsigned long long)g.alignment(), g.file_size());
    std::fprintf(out, "metadata (%zu keys):\n", g.metadata().size());
    for (const GgufKv& kv : g.metadata()) {
        std::string value = describe(kv.value);
        // The number alone means nothing to a reader; llama.cpp's name for it does.
        if (kv.key == "general.file_type" && kv.value.type != GgufType::ARRAY)
            value += " (" + file_type_of(g) + ")";
        std::fprintf(out, "  %-45s %-4s %s\n", escaped(kv.key).c_str(),
                     gguf_type_name(kv.value.type), value.c_str());
    }
    std::fprintf(out, "\ntensors (%zu):\n", g.tensors().size());
    std::fprintf(out, "  %-32s %-7s %-24s %12s\n", "name", "type", "shape", "bytes");
    // Unsigned sums: the reader bounds each tensor by the file's size, and unsigned arithmetic
    // stays defined even for a reader that did not.
    unsigned long long total_bytes = 0, total_elements = 0;
    for (const GgufTensorInfo& t : g.tensors()) {
        std::string shape = "[";
        for (int d = 0; d < t.n_dims; ++d) shape += (d ? ", " : "") + std::to_string(t.ne[d]);
        shape += "]";
        std::fprintf(out, "  %-32s %-7s %-24s %12zu\n", escaped(t.name).c_str(), type_name(t.type),
                     shape.c_str(), t.nbytes);
        total_bytes += t.nbytes;
        total_elements += (unsigned long long)t.ne[0] * (unsigned long long)t.ne[1] *
                          (unsigned long long)t.ne[2] * (unsigned long long)t.ne[3];
    }
    std::fprintf(out, "\ntotal: %zu tensors, %llu elements, %.2f MiB\n", g.tensors().size(),
                 total_elements, (double)total_bytes / 1048576.0);
}

}  // namespace lamina
