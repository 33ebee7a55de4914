// find_image_signature: raw magic numbers, plus the text encodings that smuggle image bytes
// through string fields (data: URLs, base64, hex). Every pass is linear in the input.
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "daemon/validate/internal.h"
#include "daemon/validate/signatures.h"

namespace mab::validate {
namespace {

using namespace std::literals;
using detail::image_finding;

// Runs shorter than this are ordinary words and identifiers, not encoded files.
constexpr std::size_t min_encoded_run = 16;

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals_at(std::string_view d, std::size_t pos, std::string_view lower) {
  if (pos > d.size() || d.size() - pos < lower.size()) return false;
  for (std::size_t i = 0; i < lower.size(); ++i) {
    if (ascii_lower(d[pos + i]) != lower[i]) return false;
  }
  return true;
}

bool media_type_char(char c) {
  const char l = ascii_lower(c);
  return (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '/' || l == '+' || l == '-' ||
         l == '.';
}

// Format names for the media types of data: URLs; any other image/ or video/ type is named by
// the type itself.
std::string format_of_media_type(const std::string& type) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 17> names{
      {{"image/jpeg", "JPEG"},
       {"image/jpg", "JPEG"},
       {"image/pjpeg", "JPEG"},
       {"image/png", "PNG"},
       {"image/gif", "GIF"},
       {"image/webp", "WebP"},
       {"image/heic", "HEIC"},
       {"image/heif", "HEIC"},
       {"image/avif", "AVIF"},
       {"image/bmp", "BMP"},
       {"image/tiff", "TIFF"},
       {"video/mp4", "MP4/MOV"},
       {"video/quicktime", "MP4/MOV"},
       {"video/x-msvideo", "AVI"},
       {"video/webm", "Matroska/WebM"},
       {"video/mpeg", "MPEG"},
       {"video/x-flv", "FLV"}}};
  for (const auto& [media_type, format] : names) {
    if (media_type == type) return std::string(format);
  }
  return type;
}

// A data: URL of any image or video type, whatever its encoding, is refused on sight. Found by
// its colon, which memchr finds quickly.
std::optional<std::string> find_data_url(std::string_view d) {
  for (std::size_t colon = d.find(':', 4); colon != std::string_view::npos;
       colon = d.find(':', colon + 1)) {
    if (!iequals_at(d, colon - 4, "data"sv)) continue;
    if (!iequals_at(d, colon + 1, "image/"sv) && !iequals_at(d, colon + 1, "video/"sv)) continue;
    std::string type;
    for (std::size_t j = colon + 1; j < d.size() && type.size() < 40 && media_type_char(d[j]);
         ++j) {
      type.push_back(ascii_lower(d[j]));
    }
    return format_of_media_type(type);
  }
  return std::nullopt;
}

// Character tables: the value of an encoding's character, line_break_in_run for the line breaks
// that may wrap an encoded run, not_encoded for anything else.
constexpr std::int8_t not_encoded = -1;
constexpr std::int8_t line_break_in_run = -2;

constexpr std::array<std::int8_t, 256> empty_table() {
  std::array<std::int8_t, 256> t{};
  t.fill(not_encoded);
  t['\r'] = t['\n'] = line_break_in_run;
  return t;
}

// Both the standard and the URL-safe base64 alphabets.
constexpr std::array<std::int8_t, 256> base64_table = [] {
  std::array<std::int8_t, 256> t = empty_table();
  for (int i = 0; i < 26; ++i) {
    t[static_cast<std::size_t>('A' + i)] = static_cast<std::int8_t>(i);
    t[static_cast<std::size_t>('a' + i)] = static_cast<std::int8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) {
    t[static_cast<std::size_t>('0' + i)] = static_cast<std::int8_t>(52 + i);
  }
  t['+'] = t['-'] = 62;
  t['/'] = t['_'] = 63;
  return t;
}();

constexpr std::array<std::int8_t, 256> hex_table = [] {
  std::array<std::int8_t, 256> t = empty_table();
  for (int i = 0; i < 10; ++i) t[static_cast<std::size_t>('0' + i)] = static_cast<std::int8_t>(i);
  for (int i = 0; i < 6; ++i) {
    t[static_cast<std::size_t>('a' + i)] = t[static_cast<std::size_t>('A' + i)] =
        static_cast<std::int8_t>(10 + i);
  }
  return t;
}();

struct encoding {
  const std::array<std::int8_t, 256>& table;
  unsigned bits;           // per character
  std::size_t alignments;  // characters per whole number of bytes
  std::string_view name;
  const encoding* inner;  // an encoding whose runs lie inside this one's

  int value(char c) const { return table[static_cast<std::uint8_t>(c)]; }
};

// Hex digits are base64 characters too, so hex runs are only looked for inside base64 runs;
// binary data, where long runs are rare, is then walked once rather than twice.
constexpr encoding hex_encoding{hex_table, 4, 2, "hex-encoded", nullptr};
constexpr encoding base64_encoding{base64_table, 6, 4, "base64-encoded", &hex_encoding};

// Decodes whole groups of `bits`-bit values (4 sextets or 2 nibbles), skipping the first
// `skip` values; a trailing part-group is too short to complete any signature. Where the
// encoded file starts inside the run is unknown (text may be glued in front of it), so callers
// try every alignment.
void decode_values(std::string_view values, unsigned bits, std::size_t skip, std::string& decoded) {
  const auto* v = reinterpret_cast<const std::uint8_t*>(values.data()) + skip;
  const std::size_t available = values.size() > skip ? values.size() - skip : 0;
  if (bits == 6) {
    const std::size_t groups = available / 4;
    decoded.resize(groups * 3);
    for (std::size_t g = 0; g < groups; ++g, v += 4) {
      const std::uint32_t x =
          std::uint32_t{v[0]} << 18 | std::uint32_t{v[1]} << 12 | std::uint32_t{v[2]} << 6 | v[3];
      decoded[3 * g] = static_cast<char>(x >> 16);
      decoded[3 * g + 1] = static_cast<char>((x >> 8) & 0xFFu);
      decoded[3 * g + 2] = static_cast<char>(x & 0xFFu);
    }
    return;
  }
  const std::size_t groups = available / 2;
  decoded.resize(groups);
  for (std::size_t g = 0; g < groups; ++g, v += 2) {
    decoded[g] = static_cast<char>(v[0] << 4 | v[1]);
  }
}

class run_scanner {
 public:
  // Finds the runs of encoded characters with at least min_encoded_run values and checks each.
  // Line breaks inside a run are skipped because MIME and PEM wrap base64 at 76 or 64
  // characters. The bookkeeping compiles without branches: in binary data run boundaries are
  // random, and a branch per byte would be mispredicted half the time.
  std::optional<image_finding> scan(std::string_view d, const encoding& enc) {
    std::size_t start = 0, count = 0;
    for (std::size_t i = 0; i < d.size(); ++i) {
      const int v = enc.value(d[i]);
      const bool in_run = v != not_encoded;
      if (!in_run && count >= min_encoded_run) {
        if (auto f = check_run(d.substr(start, i - start), enc)) return f;
      }
      count = in_run ? count + static_cast<std::size_t>(v >= 0) : 0;
      start = in_run ? start : i + 1;
    }
    if (count < min_encoded_run) return std::nullopt;
    return check_run(d.substr(start), enc);
  }

 private:
  // Decodes `run` at each possible alignment; the offset-0 signatures are only trusted where
  // the run starts.
  std::optional<image_finding> check_run(std::string_view run, const encoding& enc) {
    values_.resize(run.size());
    char* out = values_.data();
    for (char c : run) {
      const int v = enc.value(c);
      if (v >= 0) *out++ = static_cast<char>(v);
    }
    values_.resize(static_cast<std::size_t>(out - values_.data()));
    for (std::size_t skip = 0; skip < enc.alignments; ++skip) {
      decode_values(values_, enc.bits, skip, decoded_);
      if (auto f = detail::find_binary_signature(decoded_, skip == 0)) {
        return image_finding{std::string(*f), std::string(enc.name)};
      }
    }
    if (enc.inner == nullptr) return std::nullopt;
    return scan(run, *enc.inner);
  }

  std::string values_, decoded_;
};

}  // namespace

namespace detail {

std::optional<image_finding> find_image(std::string_view data) {
  if (auto f = find_binary_signature(data, true)) return image_finding{std::string(*f), ""};
  if (auto f = find_data_url(data)) return image_finding{*f, "in a data: URL"};
  return run_scanner().scan(data, base64_encoding);
}

}  // namespace detail

std::optional<std::string> find_image_signature(std::string_view data) {
  if (auto f = detail::find_image(data)) return std::move(f->format);
  return std::nullopt;
}

}  // namespace mab::validate
