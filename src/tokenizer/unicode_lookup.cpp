// Lookups over the generated Unicode tables (binary search).
#include <algorithm>

#include "tokenizer/unicode_tables.h"

namespace lamina::unicode {
namespace {

uint32_t lookup(const CodepointPair* table, size_t n, uint32_t cp) {
    const CodepointPair* end = table + n;
    const CodepointPair* it = std::lower_bound(
        table, end, cp, [](const CodepointPair& p, uint32_t c) { return p.from < c; });
    return (it != end && it->from == cp) ? it->to : cp;
}

}  // namespace

uint8_t category_flags(uint32_t cp) {
    const CategoryRange* end = kCategoryRanges + kCategoryRangeCount;
    const CategoryRange* it = std::upper_bound(
        kCategoryRanges, end, cp, [](uint32_t c, const CategoryRange& r) { return c < r.first; });
    if (it == kCategoryRanges) return 0;
    --it;
    return cp <= it->last ? it->flags : 0;
}

bool is_whitespace(uint32_t cp) {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

uint32_t to_lower(uint32_t cp) {
    return lookup(kLowerPairs, kLowerPairsCount, cp);
}
uint32_t nfd_base(uint32_t cp) {
    return lookup(kNfdPairs, kNfdPairsCount, cp);
}

}  // namespace lamina::unicode
