#include "gguf/gguf_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>

namespace lamina {
namespace {

struct FileCloser {
    void operator()(FILE* f) const {
        if (f) std::fclose(f);
    }
};

// Buffered little-endian output that remembers the first failure.
class Out {
  public:
    explicit Out(FILE* f) : f_(f) {}
    void bytes(const void* p, size_t n) {
        if (ok_ && n && std::fwrite(p, 1, n, f_) != n) ok_ = false;
        pos_ += n;
    }
    template <typename T>
    void put(T v) {
        bytes(&v, sizeof v);
    }
    void str(const std::string& s) {
        put<uint64_t>(s.size());
        bytes(s.data(), s.size());
    }
    void pad_to(uint64_t alignment) {
        static const uint8_t zeros[64] = {};
        while (pos_ % alignment)
            bytes(zeros, std::min<size_t>(sizeof zeros, alignment - pos_ % alignment));
    }
    bool ok() const { return ok_; }

  private:
    FILE* f_;
    bool ok_ = true;
    size_t pos_ = 0;
};

void write_scalar(Out& o, GgufType t, const GgufValue& v) {
    switch (t) {
        case GgufType::UINT8:
            o.put<uint8_t>((uint8_t)v.u);
            break;
        case GgufType::INT8:
            o.put<int8_t>((int8_t)v.i);
            break;
        case GgufType::UINT16:
            o.put<uint16_t>((uint16_t)v.u);
            break;
        case GgufType::INT16:
            o.put<int16_t>((int16_t)v.i);
            break;
        case GgufType::UINT32:
            o.put<uint32_t>((uint32_t)v.u);
            break;
        case GgufType::INT32:
            o.put<int32_t>((int32_t)v.i);
            break;
        case GgufType::UINT64:
            o.put<uint64_t>(v.u);
            break;
        case GgufType::INT64:
            o.put<int64_t>(v.i);
            break;
        case GgufType::FLOAT32:
            o.put<float>((float)v.f);
            break;
        case GgufType::FLOAT64:
            o.put<double>(v.f);
            break;
        case GgufType::BOOL:
            o.put<uint8_t>(v.u ? 1 : 0);
            break;
        default:
            break;
    }
}

void write_value(Out& o, const GgufValue& v) {
    if (v.type == GgufType::STRING) return o.str(v.str);
    if (v.type != GgufType::ARRAY) return write_scalar(o, v.type, v);
    o.put<uint32_t>((uint32_t)v.elem_type);
    o.put<uint64_t>(v.array_size());
    GgufValue e;
    switch (v.elem_type) {
        case GgufType::STRING:
            for (const std::string& s : v.strs) o.str(s);
            break;
        case GgufType::ARRAY:
            for (const GgufValue& item : v.items) write_value(o, item);
            break;
        case GgufType::FLOAT32:
        case GgufType::FLOAT64:
            for (double f : v.floats) e.f = f, write_scalar(o, v.elem_type, e);
            break;
        case GgufType::INT8:
        case GgufType::INT16:
        case GgufType::INT32:
        case GgufType::INT64:
            for (int64_t i : v.ints) e.i = i, write_scalar(o, v.elem_type, e);
            break;
        default:
            for (uint64_t u : v.uints) e.u = u, write_scalar(o, v.elem_type, e);
            break;
    }
}

// The tensor's bytes; nullopt when the size does not fit in size_t (or a dimension is
// negative).
std::optional<size_t> tensor_bytes(DType type, const std::vector<int64_t>& ne) {
    if (ne.empty() || ne[0] < 0) return std::nullopt;
    const uint64_t blocks = (uint64_t)ne[0] / (uint64_t)block_size(type);
    uint64_t bytes;
    if (__builtin_mul_overflow(blocks, (uint64_t)type_size(type), &bytes))
        return std::nullopt;
    for (size_t d = 1; d < ne.size(); ++d)
        if (ne[d] < 0 || __builtin_mul_overflow(bytes, (uint64_t)ne[d], &bytes))
            return std::nullopt;
    if (bytes > (uint64_t)PTRDIFF_MAX) return std::nullopt;
    return (size_t)bytes;
}

}  // namespace

void GgufWriter::set(const std::string& key, GgufValue value) {
    for (GgufKv& kv : kv_) {
        if (kv.key == key) {
            kv.value = std::move(value);
            return;
        }
    }
    kv_.push_back({key, std::move(value)});
}

void GgufWriter::set_alignment(uint64_t alignment) {
    alignment_ = alignment;
    set("general.alignment", GgufValue::make_u32((uint32_t)alignment));
}

void GgufWriter::add_tensor(const std::string& name, DType type, const std::vector<int64_t>& ne,
                            Fill fill) {
    tensors_.push_back({name, type, ne, std::move(fill)});
}

void GgufWriter::add_tensor(const std::string& name, DType type, const std::vector<int64_t>& ne,
                            const void* data) {
    const size_t n = tensor_bytes(type, ne).value_or(0);
    add_tensor(name, type, ne, [data, n](uint8_t* dst, size_t nbytes) {
        std::memcpy(dst, data, std::min(n, nbytes));
        return Status::ok();
    });
}

Status GgufWriter::write(
    const std::string& path,
    const std::function<void(size_t, size_t, const std::string&)>& progress) const {
    // Nothing may escape as an exception (a tensor's fill can run out of memory or fail to
    // start a thread); the temporary file is removed on every way out but success.
    try {
        return write_through_temp(path, progress);
    } catch (const std::bad_alloc&) {
        return Status::error("out of memory writing " + path);
    } catch (const std::exception& e) {
        return Status::error("cannot write " + path + ": " + e.what());
    }
}

Status GgufWriter::write_through_temp(
    const std::string& path,
    const std::function<void(size_t, size_t, const std::string&)>& progress) const {
    for (const PendingTensor& t : tensors_) {
        if (t.ne.empty() || t.ne.size() > 4)
            return Status::error("tensor " + t.name + ": 1 to 4 dimensions allowed");
        for (int64_t n : t.ne)
            if (n < 0) return Status::error("tensor " + t.name + ": negative dimension");
        if (t.ne[0] % block_size(t.type) != 0)
            return Status::error("tensor " + t.name +
                                 ": row length is not a multiple of the block size");
        if (!tensor_bytes(t.type, t.ne))
            return Status::error("tensor " + t.name + ": size overflows");
    }
    const std::string tmp = path + ".tmp";
    std::unique_ptr<FILE, FileCloser> f(std::fopen(tmp.c_str(), "wb"));
    if (!f) return Status::error("cannot create " + tmp + ": " + std::strerror(errno));
    // Declared after the FILE so that it runs after the FILE is closed.
    struct RemoveUnlessKept {
        const std::string& path;
        bool keep = false;
        ~RemoveUnlessKept() {
            if (!keep) std::remove(path.c_str());
        }
    } guard{tmp};
    auto abandon = [&](const std::string& why) {
        f.reset();
        return Status::error(why);
    };
    Out o(f.get());
    o.bytes("GGUF", 4);
    o.put<uint32_t>(3);
    o.put<uint64_t>(tensors_.size());
    o.put<uint64_t>(kv_.size());
    for (const GgufKv& kv : kv_) {
        o.str(kv.key);
        o.put<uint32_t>((uint32_t)kv.value.type);
        write_value(o, kv.value);
    }
    uint64_t offset = 0;
    for (const PendingTensor& t : tensors_) {
        o.str(t.name);
        o.put<uint32_t>((uint32_t)t.ne.size());
        for (int64_t n : t.ne) o.put<uint64_t>((uint64_t)n);
        o.put<uint32_t>((uint32_t)t.type);
        o.put<uint64_t>(offset);
        offset += (*tensor_bytes(t.type, t.ne) + alignment_ - 1) / alignment_ * alignment_;
    }
    o.pad_to(alignment_);
    std::vector<uint8_t> buf;
    for (size_t i = 0; i < tensors_.size(); ++i) {
        const PendingTensor& t = tensors_[i];
        const size_t n = *tensor_bytes(t.type, t.ne);
        buf.assign(n, 0);
        if (Status s = t.fill(buf.data(), n); !s)
            return abandon("tensor " + t.name + ": " + s.message());
        o.bytes(buf.data(), n);
        o.pad_to(alignment_);
        if (!o.ok()) return abandon("cannot write " + tmp + ": " + std::strerror(errno));
        if (progress) progress(i + 1, tensors_.size(), t.name);
    }
    if (!o.ok() || std::fflush(f.get()) != 0)
        return abandon("cannot write " + tmp + ": " + std::strerror(errno));
    if (std::fclose(f.release()) != 0) return Status::error("cannot write " + tmp);
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        return Status::error("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
    guard.keep = true;
    return Status::ok();
}

}  // namespace lamina
