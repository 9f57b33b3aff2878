// Status and Expected<T>: error values returned across lamina's API instead of exceptions.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace lamina {

// A success flag with a one-line, human-readable message when it failed.
class [[nodiscard]] Status {
  public:
    Status() = default;
    static Status ok() { return Status(); }
    static Status error(std::string message) {
        Status s;
        s.failed_ = true;
        s.message_ = std::move(message);
        return s;
    }
    bool is_ok() const { return !failed_; }
    explicit operator bool() const { return !failed_; }
    const std::string& message() const { return message_; }

  private:
    bool failed_ = false;
    std::string message_;
};

// Either a value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Expected {
  public:
    Expected(T value) : value_(std::move(value)) {}
    Expected(Status status) : status_(std::move(status)) {}
    bool has_value() const { return value_.has_value(); }
    explicit operator bool() const { return value_.has_value(); }
    T& value() { return *value_; }
    const T& value() const { return *value_; }
    T& operator*() { return *value_; }
    const T& operator*() const { return *value_; }
    T* operator->() { return &*value_; }
    const T* operator->() const { return &*value_; }
    const Status& status() const { return status_; }
    const std::string& error() const { return status_.message(); }

  private:
    std::optional<T> value_;
    Status status_;
};

}  // namespace lamina
