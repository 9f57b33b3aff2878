#include "backend/cpu/gemm.h"

namespace lamina {

void gemm_pack_x(const float* x, int64_t ldx, int64_t M, int64_t K, int64_t mr, int64_t p0,
                 int64_t p1, float* xp) {
    for (int64_t p = p0; p < p1; ++p) {
        float* panel = xp + p * K * mr;
        for (int64_t i = 0; i < mr; ++i) {
            const int64_t m = p * mr + i;
            if (m < M) {
                const float* src = x + m * ldx;
                for (int64_t k = 0; k < K; ++k) panel[k * mr + i] = src[k];
            } else {
                for (int64_t k = 0; k < K; ++k) panel[k * mr + i] = 0.0f;
            }
        }
    }
}

}  // namespace lamina
