// The Backend interface's default weight storage: GGUF's layout, where the caller put it.
#include "backend/backend.h"

namespace lamina {

Status Backend::store_weight(Tensor& w, const WeightUse&) {
    if (w.backend_record)
        return Status::error("weight " + w.name + " is stored in another backend's layout, which " +
                             name() + " cannot read");
    return Status::ok();
}

}  // namespace lamina
