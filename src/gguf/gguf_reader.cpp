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
// GGUF caps names at 63 bytes (64 with the terminating NUL in llama.cpp's struct).
constexpr uint64_t kMaxTensorName = 63;
// The least alignment lamina accepts: the kernels load and store whole SIMD vectors and
// rearrange rows in place, so weights must start at least this aligned (every writer uses 32).
constexpr uint64_t kMinAlignment = 32;
constexpr uint64_t kMaxAlignment = uint64_t(1) << 20;
// Upper bound on the elements an in-memory array reserves before reading them: memory then
// grows only with what the file really holds, never with a claimed count.
constexpr uint64_t kMaxReserve = 4096;

// Text safe to put in a one-line message: printable ASCII kept, everything else escaped, long
// text shortened.
std::string printable(std::string_view s) {
    constexpr size_t kShown = 64;
    std::string out;
    for (size_t i = 0; i < s.size() && i < kShown; ++i) {
        const unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += (char)c;
        } else {
            static const char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    if (s.size() > kShown) out += "...";
    return out;
}
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
        // Metadata entries are read one by one, memory reserved only up to kMaxReserve ahead, so
        // a wrong count costs nothing and a truncated file is reported where it ends. A count
        // that could not fit (each entry takes at least 13 bytes) is named with that error.
        const bool kv_count_fits = n_kv <= remaining() / 13;
        std::unordered_set<std::string> keys;
        r_.kv_.reserve((size_t)std::min(n_kv, kMaxReserve));
        for (uint64_t i = 0; i < n_kv; ++i) {
            GgufKv kv;
            Status s = read_key(kv.key, i);
            const std::string key = "metadata key '" + printable(kv.key) + "'";
            uint32_t type = 0;
            if (s && !read(type)) s = truncated("type of " + key);
            if (s) {
                if (Status v = read_value((GgufType)type, kv.value, 0); !v)
                    s = fail(key + ": " + v.message());
            }
            if (!s) {
                if (kv_count_fits) return s;
                return Status::error(s.message() + " (metadata count " + std::to_string(n_kv) +
                                     " is more than the file can hold)");
            }
            if (!keys.insert(kv.key).second) return fail("duplicate " + key);
            r_.kv_.push_back(std::move(kv));
        }
        if (Status s = read_alignment(); !s) return s;

        // The same for tensor entries, each at least 32 bytes (a name length, one dimension, a
        // type and an offset).
        const bool tensor_count_fits = n_tensors <= remaining() / 32;
        std::unordered_set<std::string> names;
        r_.tensors_.reserve((size_t)std::min(n_tensors, kMaxReserve));
        for (uint64_t i = 0; i < n_tensors; ++i) {
            GgufTensorInfo t;
            if (Status s = read_tensor_info(t, i); !s) {
                if (tensor_count_fits) return s;
                return Status::error(s.message() + " (tensor count " + std::to_string(n_tensors) +
                                     " is more than the file can hold)");
            }
            if (!names.insert(t.name).second)
                return fail("duplicate tensor name '" + printable(t.name) + "'");
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

    Status read_key(std::string& key, uint64_t index) {
        const std::string which = "metadata key " + std::to_string(index);
        uint64_t len;
        if (!read(len)) return truncated("length of " + which);
        if (len > remaining())
            return truncated(which + " (" + std::to_string(len) + " bytes claimed, " +
                             std::to_string(remaining()) + " left)");
        if (len == 0) return fail(which + " is empty");
        key.assign(reinterpret_cast<const char*>(p_), (size_t)len);
        p_ += len;
        return Status::ok();
    }

    // general.alignment: a power of two of an unsigned (or non-negative signed) type, at least
    // kMinAlignment.
    Status read_alignment() {
        const GgufValue* a = r_.find("general.alignment");
        if (!a) return Status::ok();
        if (a->type != GgufType::UINT32 && a->type != GgufType::UINT64 &&
            a->type != GgufType::INT32)
            return fail("general.alignment has type " + std::string(gguf_type_name(a->type)) +
                        " (u32 expected)");
        if (a->type == GgufType::INT32 && a->i < 0)
            return fail("general.alignment " + std::to_string(a->i) + " is negative");
        const uint64_t v = a->type == GgufType::INT32 ? (uint64_t)a->i : a->u;
        if (v == 0 || (v & (v - 1)) != 0 || v > kMaxAlignment)
            return fail("general.alignment " + std::to_string(v) + " is not a power of two up to " +
                        std::to_string(kMaxAlignment));
        if (v < kMinAlignment)
            return fail("general.alignment " + std::to_string(v) + " is below " +
                        std::to_string(kMinAlignment) + ", the least lamina's kernels need");
        r_.alignment_ = v;
        return Status::ok();
    }

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
            if (!read_string(v.str))
                return Status::error("truncated file: string value longer than the " +
                                     std::to_string(remaining()) + " bytes left");
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
        // Elements are appended as they are read (reserving at most kMaxReserve ahead), so the
        // memory held stays proportional to the bytes consumed, also for nested arrays.
        const size_t reserve = (size_t)std::min<uint64_t>(n, kMaxReserve);
        GgufValue e;
        switch (v.elem_type) {
            case GgufType::STRING:
                v.strs.reserve(reserve);
                for (uint64_t k = 0; k < n; ++k) {
                    std::string str;
                    if (!read_string(str))
                        return Status::error("string " + std::to_string(k) +
                                             " of the array exceeds the file");
                    v.strs.push_back(std::move(str));
                }
                break;
            case GgufType::ARRAY:
                v.items.reserve(std::min<size_t>(reserve, 64));
                for (uint64_t k = 0; k < n; ++k) {
                    GgufValue item;
                    if (Status s = read_value(GgufType::ARRAY, item, depth + 1); !s) return s;
                    v.items.push_back(std::move(item));
                }
                break;
            case GgufType::FLOAT32:
            case GgufType::FLOAT64:
                v.floats.reserve(reserve);
                for (uint64_t k = 0; k < n; ++k) {
                    if (!read_scalar(v.elem_type, e)) return Status::error("truncated array");
                    v.floats.push_back(e.f);
                }
                break;
            case GgufType::INT8:
            case GgufType::INT16:
            case GgufType::INT32:
            case GgufType::INT64:
                v.ints.reserve(reserve);
                for (uint64_t k = 0; k < n; ++k) {
                    if (!read_scalar(v.elem_type, e)) return Status::error("truncated array");
                    v.ints.push_back(e.i);
                }
                break;
            default:
                v.uints.reserve(reserve);
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
        uint64_t name_len;
        if (!read(name_len)) return truncated(which + " name");
        if (name_len > kMaxTensorName)
            return fail(which + " name is " + std::to_string(name_len) +
                        " bytes long (GGUF allows " + std::to_string(kMaxTensorName) + ")");
        if (name_len > remaining()) return truncated(which + " name");
        if (name_len == 0) return fail(which + " has an empty name");
        t.name.assign(reinterpret_cast<const char*>(p_), (size_t)name_len);
        p_ += name_len;
        const std::string tensor = "tensor '" + printable(t.name) + "'";
        uint32_t n_dims;
        if (!read(n_dims)) return truncated("dimensions of " + tensor);
        if (n_dims == 0 || n_dims > kMaxTensorDims)
            return fail(tensor + " has " + std::to_string(n_dims) + " dimensions (1 to 4 allowed)");
        t.n_dims = (int)n_dims;
        // The product is checked with zero dimensions counted as 1, so that no partial product
        // (the rows of an empty tensor, say) can overflow either.
        uint64_t product = 1, nonzero_product = 1;
        for (uint32_t d = 0; d < n_dims; ++d) {
            uint64_t ne;
            if (!read(ne)) return truncated("shape of " + tensor);
            if (ne > (uint64_t)INT64_MAX) return fail(tensor + " has a negative dimension");
            if (ne != 0 && nonzero_product > (uint64_t)INT64_MAX / ne)
                return fail(tensor + " has dimensions whose product overflows");
            nonzero_product *= std::max<uint64_t>(ne, 1);
            product *= ne;
            t.ne[d] = (int64_t)ne;
        }
        uint32_t type;
        if (!read(type)) return truncated("type of " + tensor);
        const TypeTraits* tt = find_type_traits(type);
        if (!tt) return fail(tensor + " has unknown type id " + std::to_string(type));
        t.type = tt->type;
        if (t.ne[0] % tt->block_size != 0)
            return fail(tensor + " row length " + std::to_string(t.ne[0]) +
                        " is not a multiple of the " + tt->name + " block size " +
                        std::to_string(tt->block_size));
        // Every product is checked before it is formed: the row's bytes first (blocks times
        // block bytes), then the rows. A tensor can never be larger than the file that holds it,
        // so that is the bound (it keeps every later size computation far from overflowing).
        const uint64_t blocks = (uint64_t)t.ne[0] / (uint64_t)tt->block_size;
        const uint64_t rows = t.ne[0] == 0 ? 0 : product / (uint64_t)t.ne[0];
        const uint64_t limit = r_.image_.size();
        if (blocks > limit / tt->type_size)
            return fail(tensor + " row of " + std::to_string(t.ne[0]) + " " + tt->name +
                        " elements exceeds the file (" + std::to_string(limit) + " bytes)");
        const uint64_t row_bytes = blocks * tt->type_size;
        if (row_bytes != 0 && rows > limit / row_bytes)
            return fail(tensor + " data (" + std::to_string(rows) + " rows of " +
                        std::to_string(row_bytes) + " bytes) exceeds the file (" +
                        std::to_string(limit) + " bytes)");
        t.nbytes = (size_t)(row_bytes * rows);
        if (!read(t.offset)) return truncated("offset of " + tensor);
        if (t.offset % r_.alignment_ != 0)
            return fail(tensor + " offset " + std::to_string(t.offset) + " is not aligned to " +
                        std::to_string(r_.alignment_));
        return Status::ok();
    }

    Status check_tensor_data() {
        if (r_.tensors_.empty()) return Status::ok();
        if (r_.data_offset_ > r_.image_.size())
            return truncated("tensor data (file ends before the data section)");
        const size_t data_size = r_.image_.size() - r_.data_offset_;
        std::vector<const GgufTensorInfo*> order;
        order.reserve(r_.tensors_.size());
        for (const GgufTensorInfo& t : r_.tensors_) {
            if (t.offset > data_size || t.nbytes > data_size - t.offset)
                return fail("data of tensor '" + printable(t.name) + "' (offset " +
                            std::to_string(t.offset) + ", " + std::to_string(t.nbytes) +
                            " bytes) lies outside the file");
            order.push_back(&t);
        }
        std::sort(order.begin(), order.end(), [](const GgufTensorInfo* a, const GgufTensorInfo* b) {
            return a->offset < b->offset;
        });
        for (size_t i = 1; i < order.size(); ++i) {
            if (order[i - 1]->offset + order[i - 1]->nbytes > order[i]->offset)
                return fail("data of tensors '" + printable(order[i - 1]->name) + "' and '" +
                            printable(order[i]->name) + "' overlap");
        }
        // As in llama.cpp's reader, each tensor's data follows the previous one's in table
        // order, padded to the alignment: no gaps that could hide other content.
        uint64_t expected = 0;
        for (const GgufTensorInfo& t : r_.tensors_) {
            if (t.offset != expected)
                return fail("tensor '" + printable(t.name) + "' offset " +
                            std::to_string(t.offset) + " is not where the previous tensor's " +
                            "data ends (" + std::to_string(expected) + ")");
            expected += (t.nbytes + r_.alignment_ - 1) / r_.alignment_ * r_.alignment_;
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
    // A FIFO or device would block open() or read() forever: check the kind first, and open
    // without blocking in case the path is swapped in between (fstat below checks again).
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        return Status::error(path + ": cannot open (" + std::strerror(errno) + ")");
    if (S_ISDIR(st.st_mode)) return Status::error(path + ": is a directory, not a GGUF file");
    if (!S_ISREG(st.st_mode)) return Status::error(path + ": not a regular file");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return Status::error(path + ": cannot open (" + std::strerror(errno) + ")");
    // The image keeps its own reference to the file (a mapping) or a copy, so the descriptor
    // is only needed here.
    struct CloseFd {
        int fd;
        ~CloseFd() { ::close(fd); }
    } closer{fd};
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
