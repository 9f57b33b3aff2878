// Jinja values: the dynamically typed data a template computes with, following Python's semantics.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lamina::chat::jinja {

class Interpreter;
class Value;

// The kinds of value a template sees. Undefined is jinja2's Undefined: a name or attribute that
// does not exist; it prints as "" and is false, but most other uses are errors.
enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Callable };

// A list or a tuple (tuples only differ in how they print). Shared: copying a Value shares it,
// as Python references do.
struct ListData {
    std::vector<Value> items;
    bool is_tuple = false;
    int depth = 1;  // nesting of lists and dicts inside, capped (see kMaxValueDepth)
};

// Lists and dicts nest at most this deep, so that printing, comparing and freeing them (all
// recursive) cannot exhaust the stack; building a deeper one is a template error.
constexpr int kMaxValueDepth = 500;

// A dict (or a namespace's attributes) that keeps insertion order, as Python's dicts do.
struct DictData {
    std::vector<std::pair<Value, Value>> entries;
    int depth = 1;
    const Value* find(const Value& key) const;
    const Value* find(std::string_view key) const;
    // Sets `key`, replacing an existing entry in place or appending a new one.
    void set(Value key, Value value);
};

// Positional and keyword arguments of a call.
struct CallArgs {
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> keyword;
};

// A function a template can call: a global (range, namespace...), a bound method, a macro.
struct CallableData {
    std::string name;
    std::function<Value(Interpreter&, CallArgs&)> fn;
};

class Value {
  public:
    Value() = default;  // Undefined
    static Value undefined(std::string hint = {});
    static Value none();
    static Value boolean(bool b);
    static Value integer(int64_t i);
    static Value floating(double f);
    static Value string(std::string s);
    // A string marked safe (jinja2's Markup, from the `safe` filter): `+` with a plain string
    // HTML-escapes the plain one.
    static Value safe_string(std::string s);
    static Value list(std::vector<Value> items = {});
    static Value tuple(std::vector<Value> items);
    static Value dict();
    static Value namespace_object();
    static Value callable(std::string name, std::function<Value(Interpreter&, CallArgs&)> fn);

    Kind kind() const { return kind_; }
    bool is_undefined() const { return kind_ == Kind::Undefined; }
    bool is_none() const { return kind_ == Kind::None; }
    bool is_bool() const { return kind_ == Kind::Bool; }
    bool is_int() const { return kind_ == Kind::Int; }
    bool is_float() const { return kind_ == Kind::Float; }
    // Python numbers: bool is an int subclass, so True + 1 == 2.
    bool is_number() const {
        return kind_ == Kind::Int || kind_ == Kind::Float || kind_ == Kind::Bool;
    }
    bool is_string() const { return kind_ == Kind::String; }
    bool is_safe() const { return kind_ == Kind::String && bool_; }
    bool is_list() const { return kind_ == Kind::List; }
    bool is_dict() const { return kind_ == Kind::Dict; }
    bool is_namespace() const { return kind_ == Kind::Namespace; }
    bool is_callable() const { return kind_ == Kind::Callable; }

    bool as_bool() const { return bool_; }
    // Int (or bool) as an integer.
    int64_t as_int() const { return kind_ == Kind::Bool ? (bool_ ? 1 : 0) : int_; }
    // Any number as a double.
    double as_double() const;
    const std::string& as_string() const { return string_; }
    // For Undefined: what was missing, for error messages.
    const std::string& undefined_hint() const { return string_; }
    ListData& list_data() const { return *list_; }
    DictData& dict_data() const { return *dict_; }
    const CallableData& callable_data() const { return *callable_; }

    // Python truthiness.
    bool truthy() const;
    // str(value) as Python prints it ("" for Undefined).
    std::string to_str() const;
    // repr(value) as Python prints it (strings quoted); `depth` guards against namespaces that
    // contain themselves.
    std::string repr(int depth = 0) const;
    // How deeply lists and dicts nest in this value (0 for scalars and namespaces).
    int nesting() const;
    // Python's type name, for error messages ("str", "dict", "NoneType"...).
    std::string type_name() const;

  private:
    Kind kind_ = Kind::Undefined;
    bool bool_ = false;
    int64_t int_ = 0;
    double float_ = 0;
    std::string string_;
    std::shared_ptr<ListData> list_;
    std::shared_ptr<DictData> dict_;
    std::shared_ptr<CallableData> callable_;
};

// Python `==` (1 == 1.0 == True; lists and dicts compare deeply).
bool values_equal(const Value& a, const Value& b);

// Python's repr of a float ("1.0", "0.1", "1e+16", "inf").
std::string python_float_repr(double d);

// Python's repr of a str: quoted, with escapes for control and unprintable characters.
std::string python_string_repr(std::string_view s);

}  // namespace lamina::chat::jinja
