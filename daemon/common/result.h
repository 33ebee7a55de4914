// result<T>: a value, or an error that says what failed. Used at every module boundary so a
// caller can report the failure without catching anything.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace mab {

struct error {
  std::string message;  // for a person: names what failed and why
  int code = 0;         // a module's own error kind (see that module's header); 0 = unspecified
};

template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  result(error e) : v_(std::move(e)) {}              // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const error& err() const { return std::get<1>(v_); }
  const std::string& message() const { return err().message; }

 private:
  std::variant<T, error> v_;
};

struct ok_t {};
using status = result<ok_t>;
inline status ok_status() { return ok_t{}; }
inline error make_error(std::string message, int code = 0) { return error{std::move(message), code}; }

}  // namespace mab
