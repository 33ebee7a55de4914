// Magic-number recognition of image and video formats in raw bytes (see signatures.cc).
#pragma once

#include <optional>
#include <string_view>

namespace mab::validate::detail {

// The format whose signature appears in `d`, or nullopt. `check_start` also tries the short
// signatures that are only trusted at offset 0; without it only the distinctive ones, found
// anywhere, count (for bytes whose start is not a real file start).
std::optional<std::string_view> find_binary_signature(std::string_view d, bool check_start);

}  // namespace mab::validate::detail
