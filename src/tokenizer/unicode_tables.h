// Unicode property tables for text normalization (generated data; see
// scripts/gen_unicode_tables.py) and lookups over them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lamina::unicode {

enum CategoryFlag : uint8_t { kPunctuation = 1, kSymbol = 2, kControl = 4 };

struct CategoryRange {
    uint32_t first, last;
    uint8_t flags;
};
struct CodepointPair {
    uint32_t from, to;
};

extern const CategoryRange kCategoryRanges[];
extern const size_t kCategoryRangeCount;
extern const CodepointPair kLowerPairs[];
extern const size_t kLowerPairsCount;
extern const CodepointPair kNfdPairs[];
extern const size_t kNfdPairsCount;

// Punctuation (P*), symbol (S*) or control (Cc Cf Co Cs) flags of a code point; 0 for others.
uint8_t category_flags(uint32_t cp);
// The White_Space property.
bool is_whitespace(uint32_t cp);
// Single-code-point lower-case mapping (the code point itself where there is none).
uint32_t to_lower(uint32_t cp);
// First code point of the canonical decomposition: the base letter of an accented one.
uint32_t nfd_base(uint32_t cp);

}  // namespace lamina::unicode
