// Private to mab_dashboard: the files of web/, compiled in by embed.cmake (assets.cc is generated).
#pragma once

#include <string_view>
#include <vector>

namespace mab::dashboard::detail {

struct asset {
  std::string_view name;   // "app.js"
  std::string_view bytes;  // the file, byte for byte
};

// Every file of web/, in the order CMakeLists.txt lists them.
const std::vector<asset>& assets();

}  // namespace mab::dashboard::detail
