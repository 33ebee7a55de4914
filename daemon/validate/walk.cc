// Rules that hold for every field of the message, found by protobuf reflection so that fields
// added to the .proto later are covered without touching this code: no image or video data in
// any string or bytes field (including fields this build does not know), every Timestamp in
// range, every enum value known.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/unknown_field_set.h>

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/validate/internal.h"

namespace mab::validate::detail {
namespace {

namespace pb = google::protobuf;

// Unknown length-delimited fields may be nested messages of a newer schema; they are parsed
// this deep to reach the strings inside (a signature at the start of a nested string is not at
// the start of its parent's bytes).
constexpr int max_unknown_depth = 8;

void append_name(std::string& path, std::string_view name) {
  if (!path.empty()) path += '.';
  path += name;
}

void append_index(std::string& path, int index) {
  path += '[';
  path += std::to_string(index);
  path += ']';
}

std::optional<rejection> image_rejection(const std::string& path, const image_finding& found) {
  std::string detail = path + " contains " + found.format + " image or video data";
  if (!found.encoding.empty()) detail += " (" + found.encoding + ")";
  detail += "; mab never carries images or video";
  return reject(mab::v1::IMAGE_CONTENT, path, std::move(detail));
}

std::optional<rejection> scan_bytes(const std::string& bytes, const std::string& path) {
  if (auto found = find_image(bytes)) return image_rejection(path, *found);
  return std::nullopt;
}

// Fields unknown to this build are numbered in the path ("subject.42").
std::optional<rejection> scan_unknown(const pb::UnknownFieldSet& set, std::string& path,
                                      int depth) {
  for (int i = 0; i < set.field_count(); ++i) {
    const pb::UnknownField& field = set.field(i);
    const std::size_t mark = path.size();
    append_name(path, std::to_string(field.number()));
    std::optional<rejection> r;
    if (field.type() == pb::UnknownField::TYPE_LENGTH_DELIMITED) {
      r = scan_bytes(field.length_delimited(), path);
      pb::UnknownFieldSet nested;
      if (!r && depth < max_unknown_depth && nested.ParseFromString(field.length_delimited())) {
        r = scan_unknown(nested, path, depth + 1);
      }
    } else if (field.type() == pb::UnknownField::TYPE_GROUP && depth < max_unknown_depth) {
      r = scan_unknown(field.group(), path, depth + 1);
    }
    if (r) return r;
    path.resize(mark);
  }
  return std::nullopt;
}

// Calls visit(message, field, index, path) for every set field element (index -1 for a
// singular field) and recurses into message fields; the first rejection stops the walk.
template <class Visit>
std::optional<rejection> walk(const pb::Message& m, std::string& path, Visit& visit);

template <class Visit>
std::optional<rejection> walk_element(const pb::Message& m, const pb::FieldDescriptor& f, int index,
                                      std::string& path, Visit& visit) {
  if (auto r = visit(m, f, index, path)) return r;
  if (f.cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) return std::nullopt;
  const pb::Reflection& refl = *m.GetReflection();
  const pb::Message& sub =
      index < 0 ? refl.GetMessage(m, &f) : refl.GetRepeatedMessage(m, &f, index);
  return walk(sub, path, visit);
}

template <class Visit>
std::optional<rejection> walk(const pb::Message& m, std::string& path, Visit& visit) {
  std::vector<const pb::FieldDescriptor*> fields;
  m.GetReflection()->ListFields(m, &fields);
  for (const pb::FieldDescriptor* f : fields) {
    const std::size_t mark = path.size();
    append_name(path, f->name());
    if (!f->is_repeated()) {
      if (auto r = walk_element(m, *f, -1, path, visit)) return r;
    }
    const int count = f->is_repeated() ? m.GetReflection()->FieldSize(m, f) : 0;
    for (int i = 0; i < count; ++i) {
      const std::size_t element_mark = path.size();
      append_index(path, i);
      if (auto r = walk_element(m, *f, i, path, visit)) return r;
      path.resize(element_mark);
    }
    path.resize(mark);
  }
  return std::nullopt;
}

struct image_visitor {
  std::optional<rejection> operator()(const pb::Message& m, const pb::FieldDescriptor& f, int index,
                                      std::string& path) const {
    if (f.cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING) {
      const pb::Reflection& refl = *m.GetReflection();
      std::string scratch;
      const std::string& value = index < 0
                                     ? refl.GetStringReference(m, &f, &scratch)
                                     : refl.GetRepeatedStringReference(m, &f, index, &scratch);
      return scan_bytes(value, path);
    }
    if (f.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      const pb::Reflection& refl = *m.GetReflection();
      const pb::Message& sub =
          index < 0 ? refl.GetMessage(m, &f) : refl.GetRepeatedMessage(m, &f, index);
      return scan_unknown(sub.GetReflection()->GetUnknownFields(sub), path, 0);
    }
    return std::nullopt;
  }
};

std::optional<rejection> check_enum(const pb::Message& m, const pb::FieldDescriptor& f, int index,
                                    const std::string& path) {
  const pb::Reflection& refl = *m.GetReflection();
  const int value = index < 0 ? refl.GetEnumValue(m, &f) : refl.GetRepeatedEnumValue(m, &f, index);
  if (f.enum_type()->FindValueByNumber(value) != nullptr) return std::nullopt;
  return reject(mab::v1::INVALID_FIELD, path,
                path + " has value " + std::to_string(value) + ", which is not a known " +
                    f.enum_type()->name() + " (a newer schema than this broker's?)");
}

struct structure_visitor {
  std::optional<rejection> operator()(const pb::Message& m, const pb::FieldDescriptor& f, int index,
                                      std::string& path) const {
    if (f.cpp_type() == pb::FieldDescriptor::CPPTYPE_ENUM) return check_enum(m, f, index, path);
    if (f.cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) return std::nullopt;
    const pb::Reflection& refl = *m.GetReflection();
    const pb::Message& sub =
        index < 0 ? refl.GetMessage(m, &f) : refl.GetRepeatedMessage(m, &f, index);
    const auto* ts = pb::DynamicCastToGenerated<pb::Timestamp>(&sub);
    if (ts == nullptr || valid_timestamp(*ts)) return std::nullopt;
    return reject(mab::v1::INVALID_FIELD, path,
                  path + " is not a valid Timestamp (years 0001-9999, nanos 0-999999999)");
  }
};

}  // namespace

bool valid_timestamp(const google::protobuf::Timestamp& ts) {
  constexpr std::int64_t min_seconds = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr std::int64_t max_seconds = 253402300799;  // 9999-12-31T23:59:59Z
  return ts.seconds() >= min_seconds && ts.seconds() <= max_seconds && ts.nanos() >= 0 &&
         ts.nanos() <= 999999999;
}

std::optional<rejection> check_images(const mab::v1::Notification& n) {
  std::string path;
  image_visitor visit;
  if (auto r = walk(n, path, visit)) return r;
  if (auto r = scan_unknown(n.GetReflection()->GetUnknownFields(n), path, 0)) return r;
  return check_content_type(n);
}

std::optional<rejection> check_structure(const mab::v1::Notification& n) {
  std::string path;
  structure_visitor visit;
  return walk(n, path, visit);
}

}  // namespace mab::validate::detail
