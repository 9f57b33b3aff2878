// Reference codecs of the plain types: float32, float16 and bfloat16 both ways, int32 to float.
#include "core/fp16.h"
#include "quant/quant_families.h"

namespace lamina::quant {
namespace {

void f32_to_float(const void* src, float* dst, int64_t n) {
    const float* s = static_cast<const float*>(src);
    for (int64_t i = 0; i < n; ++i) dst[i] = s[i];
}
void f32_from_float(const float* src, void* dst, int64_t n) {
    float* d = static_cast<float*>(dst);
    for (int64_t i = 0; i < n; ++i) d[i] = src[i];
}
float f32_vec_dot(int64_t n, const void* x, const void* y) {
    const float* a = static_cast<const float*>(x);
    const float* b = static_cast<const float*>(y);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += (double)a[i] * b[i];
    return (float)sum;
}

void f16_to_float(const void* src, float* dst, int64_t n) {
    const uint16_t* s = static_cast<const uint16_t*>(src);
    for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(s[i]);
}
void f16_from_float(const float* src, void* dst, int64_t n) {
    uint16_t* d = static_cast<uint16_t*>(dst);
    for (int64_t i = 0; i < n; ++i) d[i] = fp32_to_fp16(src[i]);
}
// F16 weights against float32 activations: the activations keep their precision.
float f16_vec_dot(int64_t n, const void* x, const void* y) {
    const uint16_t* a = static_cast<const uint16_t*>(x);
    const float* b = static_cast<const float*>(y);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += (double)fp16_to_fp32(a[i]) * b[i];
    return (float)sum;
}

void bf16_to_float(const void* src, float* dst, int64_t n) {
    const uint16_t* s = static_cast<const uint16_t*>(src);
    for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_fp32(s[i]);
}
void bf16_from_float(const float* src, void* dst, int64_t n) {
    uint16_t* d = static_cast<uint16_t*>(dst);
    for (int64_t i = 0; i < n; ++i) d[i] = fp32_to_bf16(src[i]);
}
float bf16_vec_dot(int64_t n, const void* x, const void* y) {
    const uint16_t* a = static_cast<const uint16_t*>(x);
    const float* b = static_cast<const float*>(y);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += (double)bf16_to_fp32(a[i]) * b[i];
    return (float)sum;
}

void i32_to_float(const void* src, float* dst, int64_t n) {
    const int32_t* s = static_cast<const int32_t*>(src);
    for (int64_t i = 0; i < n; ++i) dst[i] = (float)s[i];
}

}  // namespace

void register_plain_formats(const AddCodecs& add) {
    add(DType::F32, {f32_to_float, f32_from_float, DType::F32, f32_vec_dot});
    add(DType::F16, {f16_to_float, f16_from_float, DType::F32, f16_vec_dot});
    add(DType::BF16, {bf16_to_float, bf16_from_float, DType::F32, bf16_vec_dot});
    add(DType::I32, {i32_to_float, nullptr, DType::I32, nullptr});
}

}  // namespace lamina::quant
