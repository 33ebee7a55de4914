// Image and video formats recognised by their magic numbers in raw bytes. A signature of three
// or fewer distinctive bytes (or one that ordinary files often contain) is only trusted at the
// start of the data; longer ones, confirmed by the bytes that always follow them, are looked
// for anywhere, because an image can be hidden after a text prefix. The confirmations matter:
// a message may carry up to 1 MiB of compressed bytes (PDF, DOCX), where a bare 4-byte pattern
// would turn up by chance in about one message in a thousand, and a content-based refusal is
// permanent for that document.
#include "daemon/validate/signatures.h"

#include <array>
#include <cstddef>
#include <cstdint>

namespace mab::validate::detail {
namespace {

using namespace std::literals;

std::uint8_t byte_at(std::string_view d, std::size_t i) { return static_cast<std::uint8_t>(d[i]); }

// A loop rather than memcmp: signatures are a few bytes, and most comparisons fail at once.
bool has_at(std::string_view d, std::size_t pos, std::string_view sig) {
  if (pos > d.size() || d.size() - pos < sig.size()) return false;
  for (std::size_t i = 0; i < sig.size(); ++i) {
    if (d[pos + i] != sig[i]) return false;
  }
  return true;
}

std::uint32_t le32(std::string_view d, std::size_t pos) {
  std::uint32_t v = 0;
  for (std::size_t i = 4; i-- > 0;) v = (v << 8) | byte_at(d, pos + i);
  return v;
}

// ISO base media files (MP4, MOV, 3GP, HEIC, AVIF, JPEG 2000) name what they hold in the
// major brand that follows "ftyp".
std::optional<std::string_view> iso_bmff_format(std::string_view brand) {
  static constexpr std::array heic{"heic"sv, "heix"sv, "hevc"sv, "hevx"sv,
                                   "heim"sv, "heis"sv, "mif1"sv, "msf1"sv};
  static constexpr std::array avif{"avif"sv, "avis"sv};
  static constexpr std::array jpeg2000{"jp2 "sv, "jpx "sv, "jpm "sv, "mjp2"sv};
  static constexpr std::array video{"isom"sv, "iso2"sv, "iso3"sv, "iso4"sv, "iso5"sv, "iso6"sv,
                                    "mp41"sv, "mp42"sv, "avc1"sv, "dash"sv, "qt  "sv, "M4V "sv,
                                    "M4VH"sv, "M4VP"sv, "f4v "sv, "mmp4"sv, "MSNV"sv};
  auto in = [brand](const auto& list) {
    for (std::string_view b : list) {
      if (b == brand) return true;
    }
    return false;
  };
  if (in(heic)) return "HEIC"sv;
  if (in(avif)) return "AVIF"sv;
  if (in(jpeg2000)) return "JPEG 2000"sv;
  if (in(video) || brand.starts_with("3gp"sv) || brand.starts_with("3g2"sv)) return "MP4/MOV"sv;
  return std::nullopt;
}

// After FF D8 FF every JPEG has a segment whose marker and first bytes are fixed: JFIF/JFXX
// (E0), Exif or XMP (E1), Adobe (EE), or a quantisation table of a standard length (DB).
bool jpeg_segment_follows(std::string_view d, std::size_t marker_pos) {
  if (marker_pos + 3 > d.size()) return false;
  const std::size_t id = marker_pos + 3;
  switch (byte_at(d, marker_pos)) {
    case 0xE0: return has_at(d, id, "JFIF"sv) || has_at(d, id, "JFXX"sv);
    case 0xE1: return has_at(d, id, "Exif"sv) || has_at(d, id, "http"sv);
    case 0xEE: return has_at(d, id, "Adob"sv);
    case 0xDB: {
      const std::uint8_t hi = byte_at(d, marker_pos + 1), lo = byte_at(d, marker_pos + 2);
      return hi == 0 && (lo == 0x43 || lo == 0x84 || lo == 0xC5);
    }
    default: return false;
  }
}

// A Matroska/WebM EBML header names its DocType within its first few dozen bytes.
bool ebml_doctype_follows(std::string_view d, std::size_t pos) {
  const std::string_view header = d.substr(pos, 64);
  return header.find("webm"sv) != std::string_view::npos ||
         header.find("matroska"sv) != std::string_view::npos;
}

// "BM" alone starts plenty of text ("BMW", "BMI"), so the header must also add up: reserved
// bytes zero, a known DIB header size, and pixel data after the headers.
bool plausible_bmp(std::string_view d) {
  if (d.size() < 18 || !has_at(d, 0, "BM"sv)) return false;
  const std::uint32_t file_size = le32(d, 2), reserved = le32(d, 6);
  const std::uint32_t pixel_offset = le32(d, 10), dib_size = le32(d, 14);
  static constexpr std::array<std::uint32_t, 7> dib_sizes{12, 40, 52, 56, 64, 108, 124};
  bool known_dib = false;
  for (std::uint32_t s : dib_sizes) known_dib = known_dib || s == dib_size;
  const bool offset_ok =
      pixel_offset >= 14 + dib_size && (file_size == 0 || pixel_offset <= file_size);
  return reserved == 0 && known_dib && offset_ok;
}

std::uint32_t le16(std::string_view d, std::size_t pos) {
  return byte_at(d, pos) | static_cast<std::uint32_t>(byte_at(d, pos + 1)) << 8;
}

// ICO and CUR start with four bytes (0 0 1|2 0) that binary tables of many kinds share, so the
// first directory entry must add up too: its image right after the directory, a sane size, and
// (for icons) one plane and a real colour depth.
bool plausible_ico(std::string_view d) {
  if (d.size() < 22 || !(has_at(d, 0, "\0\0\x01\0"sv) || has_at(d, 0, "\0\0\x02\0"sv))) {
    return false;
  }
  const std::uint32_t count = le16(d, 4), image_size = le32(d, 14), image_offset = le32(d, 18);
  if (count == 0 || byte_at(d, 9) != 0 || image_offset != 6 + 16 * count) return false;
  if (image_size < 40 || image_size > (1u << 24)) return false;
  if (byte_at(d, 2) == 2) return true;  // cursor: planes and depth hold the hotspot instead
  const std::uint32_t planes = le16(d, 10), depth = le16(d, 12);
  const bool depth_ok = depth == 0 || depth == 1 || depth == 4 || depth == 8 || depth == 16 ||
                        depth == 24 || depth == 32;
  return planes <= 1 && depth_ok;
}

// A transport stream is 188-byte packets, each starting with the sync byte 0x47.
bool mpeg_ts(std::string_view d) {
  constexpr std::size_t packet = 188;
  if (d.size() < 4 * packet) return false;
  for (std::size_t i = 0; i < 4; ++i) {
    if (byte_at(d, i * packet) != 0x47) return false;
  }
  return true;
}

std::optional<std::string_view> signature_at_start(std::string_view d) {
  if (has_at(d, 0, "\xFF\xD8\xFF"sv)) return "JPEG"sv;
  if (plausible_bmp(d)) return "BMP"sv;
  if (has_at(d, 0, "II*\0"sv) || has_at(d, 0, "MM\0*"sv) || has_at(d, 0, "II+\0"sv) ||
      has_at(d, 0, "MM\0+"sv)) {
    return "TIFF"sv;
  }
  if (has_at(d, 0, "8BPS\0\x01"sv)) return "PSD"sv;
  if (plausible_ico(d)) return "ICO"sv;
  if (has_at(d, 0, "\x1A\x45\xDF\xA3"sv)) return "Matroska/WebM"sv;
  if (has_at(d, 0, "\0\0\x01\xBA"sv) || has_at(d, 0, "\0\0\x01\xB3"sv)) return "MPEG"sv;
  if (mpeg_ts(d)) return "MPEG-TS"sv;
  if (has_at(d, 0, "FLV\x01"sv)) return "FLV"sv;
  return std::nullopt;
}

// The distinctive signatures that start at `i`, checked only for the byte found there so the
// whole scan stays one pass.
std::optional<std::string_view> signature_at(std::string_view d, std::size_t i) {
  switch (byte_at(d, i)) {
    case 0x89:
      if (has_at(d, i, "\x89PNG\r\n\x1A\n"sv)) return "PNG"sv;
      break;
    case 0xFF:
      if (has_at(d, i, "\xFF\xD8\xFF"sv) && jpeg_segment_follows(d, i + 3)) return "JPEG"sv;
      break;
    case 'G':
      if (has_at(d, i, "GIF87a"sv) || has_at(d, i, "GIF89a"sv)) return "GIF"sv;
      break;
    case 'R':
      if (has_at(d, i, "RIFF"sv) && has_at(d, i + 8, "WEBP"sv)) return "WebP"sv;
      if (has_at(d, i, "RIFF"sv) && has_at(d, i + 8, "AVI "sv)) return "AVI"sv;
      break;
    case 'f':
      if (has_at(d, i, "ftyp"sv) && i + 8 <= d.size()) return iso_bmff_format(d.substr(i + 4, 4));
      break;
    case 0x1A:
      if (has_at(d, i, "\x1A\x45\xDF\xA3"sv) && ebml_doctype_follows(d, i + 4)) {
        return "Matroska/WebM"sv;
      }
      break;
    case 0x00:
      if (has_at(d, i, "\0\0\0\x0CjP  \r\n\x87\n"sv)) return "JPEG 2000"sv;
      if (has_at(d, i, "\0\0\0\x0CJXL \r\n\x87\n"sv)) return "JPEG XL"sv;
      break;
    default: break;
  }
  return std::nullopt;
}

// The first bytes of the distinctive signatures; most bytes are none of these, so the scan
// only looks closer at about one byte in forty.
constexpr std::array<bool, 256> starts_signature = [] {
  std::array<bool, 256> t{};
  for (int b : {0x89, 0xFF, int{'G'}, int{'R'}, int{'f'}, 0x1A, 0x00}) {
    t[static_cast<std::size_t>(b)] = true;
  }
  return t;
}();

}  // namespace

std::optional<std::string_view> find_binary_signature(std::string_view d, bool check_start) {
  if (check_start) {
    if (auto f = signature_at_start(d)) return f;
  }
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (!starts_signature[byte_at(d, i)]) continue;
    if (auto f = signature_at(d, i)) return f;
  }
  return std::nullopt;
}

}  // namespace mab::validate::detail
