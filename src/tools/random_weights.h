// Fast, reproducible pseudo-random tensor contents for generated test models.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status.h"
#include "core/types.h"

namespace lamina {

// Approximately N(mean, stddev) values (a sum of four uniforms: bell-shaped, bounded at about
// 3.5 sigma), converted to `type` (F32, F16 or BF16) and written to dst, which holds n elements.
// The values depend only on (seed, n, mean, stddev), never on the number of threads: work is
// split into fixed-size chunks with their own derived seeds.
Status fill_random_normal(void* dst, DType type, int64_t n, uint64_t seed, float mean, float stddev,
                          int n_threads = 0 /* 0: hardware concurrency, max 8 */);

// Stable 64-bit hash of a name (FNV-1a), to derive a per-tensor seed from the model seed.
uint64_t name_hash(const char* name, size_t len);

}  // namespace lamina
