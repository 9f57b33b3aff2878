// Name lookup over the type table (the table itself is constexpr, in types.h).
#include "core/types.h"

#include <cctype>

namespace lamina {

const TypeInfo* find_type_by_name(std::string_view name) {
    for (const TypeInfo& t : kTypeInfo) {
        const std::string_view n = t.name;
        if (n.size() != name.size()) continue;
        bool same = true;
        for (size_t k = 0; k < n.size() && same; ++k)
            same = std::toupper((unsigned char)n[k]) == std::toupper((unsigned char)name[k]);
        if (same) return &t;
    }
    return nullptr;
}

}  // namespace lamina
