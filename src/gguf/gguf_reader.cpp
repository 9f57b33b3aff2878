#include "gguf/gguf_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "quant/type_traits.h"

namespace lamina {

namespace {
constexpr int kMaxArrayDepth = 8;
constexpr uint64_t kMaxTensorDims = 4;
}  // namespace

// Reads the GGUF header from a byte range, checking every count and length against the bytes
// that remain before trusting it; no allocation is sized from an unchecked number.
class GgufParser {
  public:
    GgufParser(GgufReader& r)
        : r_(r), p_(r.image_.data()), end_(r.image_.data() + r.image_.size()) {}

    Status parse() {
        uint8_t magic[4];
        if (!read_bytes(magic, 4)) return fail("file too small to be GGUF");
        if (std::memcmp(magic, "GGUF", 4) != 0) return fail("not a GGUF file (bad magic)");
        uint32_t version;
        if (!read(version)) return truncated("version");
        if (version != 2 && version != 3)
            return fail("unsupported GGUF version " + std::to_string(version) +
                        " (lamina reads 2 and 3)");
        r_.version_ = version;
        uint64_t n_tensors, n_kv;
        if (!read(n_tensors) || !read(n_kv)) return truncated("header counts");
        // Each metadata entry takes at least 12 bytes, each tensor entry at least 32.
        if (n_kv > remaining() / 12)
            return fail("metadata count " + std::to_string(n_kv) + " exceeds the file");
        if (n_tensors > remaining() / 32)
            return fail("tensor count " + std::to_string(n_tensors) + " exceeds the file");

        std::unordered_set<std::string> keys;
        r_.kv_.reserve((size_t)n_kv);
        for (uint64_t i = 0; i < n_kv; ++i) {
            GgufKv kv;
            if (!read_string(kv.key)) return truncated("metadata key " + std::to_string(i));
            uint32_t type;
            if (!read(type)) return truncated("type of metadata key '" + kv.key + "'");
            if (Status s = read_value((GgufType)type, kv.value, 0); !s)
                return fail("metadata key '" + kv.key + "': " + s.message());
            if (!keys.insert(kv.key).second) return fail("duplicate metadata key '" + kv.key + "'");
            r_.kv_.push_back(std::move(kv));
        }
        if (const GgufValue* a = r_.find("general.alignment")) {
            if (a->type != GgufType::UINT32 && a->type != GgufType::UINT64 &&
                a->type != GgufType::INT32)
                return fail("general.alignment has type " + std::string(gguf_type_name(a->type)));
            const uint64_t v = a->type == GgufType::INT32 ? (uint64_t)a->i : a->u;
            if (v == 0 || (v & (v - 1)) != 0 || v > (1u << 20))
                return fail("general.alignment " + std::to_string(v) + " is not a power of two");
            r_.alignment_ = v;
        }

        std::unordered_set<std::string> names;
        r_.tensors_.reserve((size_t)n_tensors);
        for (uint64_t i = 0; i < n_tensors; ++i) {
            GgufTensorInfo t;
            if (Status s = read_tensor_info(t, i); !s) return s;
            if (!names.insert(t.name).second) return fail("duplicate tensor name '" + t.name + "'");
            r_.tensors_.push_back(std::move(t));
        }
        const size_t header_end = (size_t)(p_ - r_.image_.data());
        r_.data_offset_ = (header_end + r_.alignment_ - 1) / r_.alignment_ * r_.alignment_;
        return check_tensor_data();
    }

  private:
    Status fail(const std::string& what) const { return Status::error(r_.path_ + ": " + what); }
    Status truncated(const std::string& what) const {
        return fail("truncated file: cannot read " + what);
    }
    size_t remaining() const { return (size_t)(end_ - p_); }

    bool read_bytes(void* out, size_t n) {
        if (remaining() < n) return false;
        std::memcpy(out, p_, n);
        p_ += n;
        return true;
    }
    template <typename T>
    bool read(T& out) {
        return read_bytes(&out, sizeof(T));
    }
    bool read_string(std::string& out) {
        uint64_t len;
        if (!read(len) || len > remaining()) return false;
        out.assign(reinterpret_cast<const char*>(p_), (size_t)len);
        p_ += len;
        return true;
    }

    static size_t scalar_size(GgufType t) {
        switch (t) {
            case GgufType::UINT8:
            case GgufType::INT8:
            case GgufType::BOOL:
                return 1;
            case GgufType::UINT16:
            case GgufType::INT16:
                return 2;
            case GgufType::UINT32:
            case GgufType::INT32:
            case GgufType::FLOAT32:
                return 4;
            case GgufType::UINT64:
            case GgufType::INT64:
            case GgufType::FLOAT64:
                return 8;
            default:
                return 0;
        }
    }

    // Reads one scalar into the widened fields of v.
    bool read_scalar(GgufType t, GgufValue& v) {
        switch (t) {
            case GgufType::UINT8: {
                uint8_t x;
                if (!read(x)) return false;
                v.u = x;
                return true;
            }
            case GgufType::INT8: {
                int8_t x;
                if (!read(x)) return false;
                v.i = x;
                return true;
            }
            case GgufType::UINT16: {
                uint16_t x;
                if (!read(x)) return false;
                v.u = x;
                return true;
            }
            case GgufType::INT16: {
                int16_t x;
                if (!read(x)) return false;
                v.i = x;
                return true;
            }
            case GgufType::UINT32: {
                uint32_t x;
                if (!read(x)) return false;
                v.u = x;
                return true;
            }
            case GgufType::INT32: {
                int32_t x;
                if (!read(x)) return false;
                v.i = x;
                return true;
            }
            case GgufType::UINT64: {
                uint64_t x;
                if (!read(x)) return false;
                v.u = x;
                return true;
            }
            case GgufType::INT64: {
                int64_t x;
                if (!read(x)) return false;
                v.i = x;
                return true;
            }
            case GgufType::FLOAT32: {
                float x;
                if (!read(x)) return false;
                v.f = x;
                return true;
            }
            case GgufType::FLOAT64: {
                double x;
                if (!read(x)) return false;
                v.f = x;
                return true;
            }
            case GgufType::BOOL: {
                uint8_t x;
                if (!read(x)) return false;
                v.u = x ? 1 : 0;
                return x <= 1;
            }
            default:
                return false;
        }
    }

    Status read_value(GgufType type, GgufValue& v, int depth) {
        v.type = type;
        if (type == GgufType::STRING) {
            if (!read_string(v.str)) return Status::error("string length exceeds the file");
            return Status::ok();
        }
        if (type != GgufType::ARRAY) {
            if (scalar_size(type) == 0)
                return Status::error("unknown value type " + std::to_string((uint32_t)type));
            if (!read_scalar(type, v))
                return Status::error(remaining() == 0 ? "truncated value" : "invalid value");
            return Status::ok();
        }
        if (depth >= kMaxArrayDepth) return Status::error("arrays nested too deeply");
        uint32_t et;
        uint64_t n;
        if (!read(et) || !read(n)) return Status::error("truncated array header");
        v.elem_type = (GgufType)et;
        const size_t min_size = v.elem_type == GgufType::STRING  ? 8
                                : v.elem_type == GgufType::ARRAY ? 12
                                                                 : scalar_size(v.elem_type);
        if (min_size == 0) return Status::error("unknown array element type " + std::to_string(et));
        if (n > remaining() / min_size)
            return Status::error("array of " + std::to_string(n) + " elements exceeds the file");
        GgufValue e;
        switch (v.elem_type) {
            case GgufType::STRING:
                v.strs.resize((size_t)n);
                for (auto& s : v.strs)
                    if (!read_string(s)) return Status::error("string in array exceeds the file");
                break;
            case GgufType::ARRAY:
                v.items.resize((size_t)n);
                for (auto& item : v.items)
                    if (Status s = read_value(GgufType::ARRAY, item, depth + 1); !s) return s;
                break;
            case GgufType::FLOAT32:
            case GgufType::FLOAT64:
                v.floats.reserve((size_t)n);
                for (uint64_t k = 0; k < n; ++k) {
                    if (!read_scalar(v.elem_type, e)) return Status::error("truncated array");
                    v.floats.push_back(e.f);
                }
                break;
            case GgufType::INT8:
            case GgufType::INT16:
            case GgufType::INT32:
            case GgufType::INT64:
                v.ints.reserve((size_t)n);
                for (uint64_t k = 0; k < n; ++k) {
                    if (!read_scalar(v.elem_type, e)) return Status::error("truncated array");
                    v.ints.push_back(e.i);
                }
                break;
            default:
                v.uints.reserve((size_t)n);
                for (uint64_t k = 0; k < n; ++k) {
                    if (!read_scalar(v.elem_type, e))
                        return Status::error("truncated or invalid array element");
                    v.uints.push_back(e.u);
                }
                break;
        }
        return Status::ok();
    }

    Status read_tensor_info(GgufTensorInfo& t, uint64_t index) {
        const std::string which = "tensor " + std::to_string(index);
        if (!read_string(t.name)) return truncated(which + " name");
        uint32_t n_dims;
        if (!read(n_dims)) return truncated("dimensions of tensor '" + t.name + "'");
        if (n_dims == 0 || n_dims > kMaxTensorDims)
            return fail("tensor '" + t.name + "' has " + std::to_string(n_dims) +
                        " dimensions (1 to 4 allowed)");
        t.n_dims = (int)n_dims;
        uint64_t product = 1;
        for (uint32_t d = 0; d < n_dims; ++d) {
            uint64_t ne;
            if (!read(ne)) return truncated("shape of tensor '" + t.name + "'");
            if (ne > (uint64_t)INT64_MAX)
                return fail("tensor '" + t.name + "' has a negative dimension");
            if (ne != 0 && product > (uint64_t)INT64_MAX / ne)
                return fail("tensor '" + t.name + "' has dimensions whose product overflows");
            product *= ne;
            t.ne[d] = (int64_t)ne;
        }
        uint32_t type;
        if (!read(type)) return truncated("type of tensor '" + t.name + "'");
        const TypeTraits* tt = find_type_traits(type);
        if (!tt) return fail("tensor '" + t.name + "' has unknown type id " + std::to_string(type));
        t.type = tt->type;
        if (t.ne[0] % tt->block_size != 0)
            return fail("tensor '" + t.name + "' row length " + std::to_string(t.ne[0]) +
                        " is not a multiple of the " + tt->name + " block size " +
                        std::to_string(tt->block_size));
        const uint64_t rows = product / (uint64_t)std::max<int64_t>(t.ne[0], 1);
        const uint64_t row_bytes = (uint64_t)t.ne[0] / tt->block_size * tt->type_size;
        if (t.ne[0] != 0 && rows != 0 && row_bytes > UINT64_MAX / rows)
            return fail("tensor '" + t.name + "' size overflows");
        t.nbytes = (size_t)(t.ne[0] == 0 ? 0 : row_bytes * rows);
        if (!read(t.offset)) return truncated("offset of tensor '" + t.name + "'");
        if (t.offset % r_.alignment_ != 0)
            return fail("tensor '" + t.name + "' offset " + std::to_string(t.offset) +
                        " is not aligned to " + std::to_string(r_.alignment_));
        return Status::ok();
    }

    Status check_tensor_data() {
        if (r_.tensors_.empty()) return Status::ok();
        if (r_.data_offset_ > r_.image_.size())
            return truncated("tensor data (file ends before the data section)");
        const size_t data_size = r_.image_.size() - r_.data_offset_;
        std::vector<const GgufTensorInfo*> order;
        for (const GgufTensorInfo& t : r_.tensors_) {
            if (t.offset > data_size || t.nbytes > data_size - t.offset)
                return fail("data of tensor '" + t.name + "' (offset " + std::to_string(t.offset) +
                            ", " + std::to_string(t.nbytes) + " bytes) lies outside the file");
            order.push_back(&t);
        }
        std::sort(order.begin(), order.end(), [](const GgufTensorInfo* a, const GgufTensorInfo* b) {
            return a->offset < b->offset;
        });
        for (size_t i = 1; i < order.size(); ++i) {
            if (order[i - 1]->offset + order[i - 1]->nbytes > order[i]->offset)
                return fail("data of tensors '" + order[i - 1]->name + "' and '" + order[i]->name +
                            "' overlap");
        }
        return Status::ok();
    }

    GgufReader& r_;
    const uint8_t* p_;
    const uint8_t* end_;
};

Expected<std::unique_ptr<GgufReader>> GgufReader::open(const std::string& path, LoadMode mode,
                                                       const FileImage::Progress& progress) {
    std::unique_ptr<GgufReader> r(new GgufReader());
    r->path_ = path;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::error(path + ": cannot open (" + std::strerror(errno) + ")");
    // The image keeps its own reference to the file (a mapping) or a copy, so the descriptor
    // is only needed here.
    struct CloseFd {
        int fd;
        ~CloseFd() { ::close(fd); }
    } closer{fd};
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return Status::error(path + ": not a regular file");
    const size_t size = (size_t)st.st_size;
    if (size == 0) return Status::error(path + ": empty file, not GGUF");
    auto image = resolve_load_mode(mode, size) == LoadMode::Read
                     ? FileImage::read(fd, size, path, progress)
                     : FileImage::map(fd, size, path);
    if (!image) return image.status();
    r->image_ = std::move(*image);
    GgufParser parser(*r);
    if (Status s = parser.parse(); !s) return s;
    return r;
}

GgufReader::~GgufReader() = default;

const GgufValue* GgufReader::find(std::string_view key) const {
    for (const GgufKv& kv : kv_)
        if (kv.key == key) return &kv.value;
    return nullptr;
}

std::optional<uint64_t> GgufReader::get_uint(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    switch (v->type) {
        case GgufType::UINT8:
        case GgufType::UINT16:
        case GgufType::UINT32:
        case GgufType::UINT64:
            return v->u;
        case GgufType::INT8:
        case GgufType::INT16:
        case GgufType::INT32:
        case GgufType::INT64:
            if (v->i < 0) return std::nullopt;
            return (uint64_t)v->i;
        default:
            return std::nullopt;
    }
}

std::optional<int64_t> GgufReader::get_int(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    switch (v->type) {
        case GgufType::INT8:
        case GgufType::INT16:
        case GgufType::INT32:
        case GgufType::INT64:
            return v->i;
        case GgufType::UINT8:
        case GgufType::UINT16:
        case GgufType::UINT32:
        case GgufType::UINT64:
            if (v->u > (uint64_t)INT64_MAX) return std::nullopt;
            return (int64_t)v->u;
        default:
            return std::nullopt;
    }
}

std::optional<double> GgufReader::get_float(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type == GgufType::FLOAT32 || v->type == GgufType::FLOAT64) return v->f;
    if (auto i = get_int(key)) return (double)*i;
    return std::nullopt;
}

std::optional<bool> GgufReader::get_bool(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v || v->type != GgufType::BOOL) return std::nullopt;
    return v->u != 0;
}

std::optional<std::string> GgufReader::get_string(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v || v->type != GgufType::STRING) return std::nullopt;
    return v->str;
}

const GgufTensorInfo* GgufReader::find_tensor(std::string_view name) const {
    for (const GgufTensorInfo& t : tensors_)
        if (t.name == name) return &t;
    return nullptr;
}

}  // namespace lamina
