// CpuBackend: runs graphs on N threads with kernels chosen for this CPU's instruction set.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "backend/backend.h"
#include "backend/cpu/compute_ctx.h"
#include "backend/cpu/cpu_features.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/thread_pool.h"
#include "core/aligned_buffer.h"

namespace lamina {

class CpuBackend final : public Backend {
  public:
    // isa: which kernel set to use; by default the best this CPU supports.
    explicit CpuBackend(int n_threads, Isa isa = CpuFeatures::detect().best_isa());
    ~CpuBackend() override;
    const char* name() const override { return "cpu"; }
    // Private matrices that only products read go into the layout this machine's kernels read
    // fastest (weight_layout.h), in place; the rest keep GGUF's rows.
    Status store_weight(Tensor& w, const WeightUse& use) override;
    // Every op, over weights in GGUF's rows or a CPU layout.
    bool supports_op(const Tensor& node) const override;
    Status allocate(Graph& g) override;
    Status compute(Graph& g) override;

    int n_threads() const { return pool_.size(); }
    Isa isa() const { return kernels_->isa; }
    const CpuKernels& kernels() const { return *kernels_; }
    size_t arena_bytes() const { return arena_size_; }
    size_t work_bytes() const { return work_size_; }
    // SwiGlu and RmsNorm nodes the last compute() left to the product reading them
    // (mul_mat_folds_swiglu, mul_mat_folds_rms_norm).
    int nodes_folded() const { return n_folded_; }
    // Add nodes the last compute() left to the product they add (mul_mat_folds_add).
    int sums_folded() const { return n_sums_folded_; }
    // Barriers the last compute() left out between nodes that did not depend on each other.
    int barriers_skipped() const { return n_barriers_skipped_; }

  private:
    // How a node is computed: by itself, or by the product before or after it.
    enum class Fold : uint8_t { None, IntoNext, IntoPrevious };

    void ensure(AlignedBytes& buf, size_t& cap, size_t need);
    void plan_folds(const std::vector<Tensor*>& nodes);
    void plan_barriers(const std::vector<Tensor*>& nodes);

    ThreadPool pool_;
    const CpuKernels* kernels_;
    AlignedBytes arena_;
    size_t arena_size_ = 0;
    AlignedBytes work_;
    std::vector<Fold> folded_;  // per node of the graph being computed
    int n_folded_ = 0;
    int n_sums_folded_ = 0;
    std::vector<uint8_t> barrier_after_;  // per node: whether threads wait after computing it
    int n_barriers_skipped_ = 0;
    size_t work_size_ = 0;
    // Chunk-claim counters, one per thread per graph node (ComputeCtx::for_each_chunk), zeroed
    // per compute.
    std::unique_ptr<ChunkCounter[]> counters_;
    size_t n_counters_ = 0;
};

}  // namespace lamina
